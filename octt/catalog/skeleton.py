"""`octt pics init`: a PICS skeleton for the profiles a vendor claims.

Owns `needed_test_data` — the test-data keys the cases of the claimed profiles need, each with
the cases that need it, computed by `octt.catalog.needs` (the scanner the pre-flight uses), for
every case of those profiles whatever its other PICS requirements — and `skeleton`, the YAML
text: every section of a PICS, every needed key with a comment saying what it is and which
cases need it, and the values a vendor must give left empty (`octt pics check` names each one
until it is filled in).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any

from octt.catalog.model import Catalog
from octt.catalog.needs import FALLBACKS, TEST_DATA, referenced_keys
from octt.pics.model import Profile, TestData, pics_from_data
from octt.resources import schema_path

#: The profiles a PICS claims under `profiles:` (security is claimed by `security.profiles`).
CLAIMABLE = (
    Profile.FIRMWARE_MANAGEMENT,
    Profile.LOCAL_AUTH_LIST_MANAGEMENT,
    Profile.RESERVATION,
    Profile.SMART_CHARGING,
    Profile.REMOTE_TRIGGER,
)

#: What the keys the PICS schema does not describe are.
_ABOUT = {
    "charge_point_id": "the charge point identity the CSMS knows and accepts",
    "charge_point_vendor": "chargePointVendor of the simulated charge point's BootNotification",
    "charge_point_model": "chargePointModel of its BootNotification",
    "connector_id": "the connector the connector-level cases use (1 or more)",
    "number_of_connectors": "connectors of the simulated charge point",
    "valid_id_tag": "an idTag the CSMS answers Accepted",
    "invalid_id_tag": "an idTag the CSMS does not know (it answers Invalid)",
    "expired_id_tag": "an idTag the CSMS holds with status Expired",
    "blocked_id_tag": "an idTag the CSMS holds with status Blocked",
    "parent_id_tag": "the parent idTag of child_id_tags",
    "child_id_tags": "a list of two idTags the CSMS holds Accepted, parentIdTag parent_id_tag",
    "unsupported_vendor_id": "a DataTransfer vendorId the CSMS does not know",
}
_REQUIRED = ("charge_point_id", "connector_id", "valid_id_tag", "invalid_id_tag")
_PLACEHOLDER_VALUES: dict[str, Any] = {
    "charge_point_id": "CP-SKELETON",
    "connector_id": 1,
    "valid_id_tag": "VALID",
    "invalid_id_tag": "INVALID",
}


def _sample_pics(profiles: Iterable[Profile], security_profiles: Sequence[int]) -> Any:
    data = {
        "sut": {"vendor": "-", "product": "-", "ocpp_software_version": "-"},
        "profiles": {"core": True, **{p.value: True for p in profiles if p in CLAIMABLE}},
        "security": {"profiles": list(security_profiles)},
        "limits": {"response_timeout_s": 30, "authorize_response_s": 5},
        "test_data": dict(_PLACEHOLDER_VALUES),
    }
    return pics_from_data(data, "<skeleton>")


def needed_test_data(
    catalog: Catalog, profiles: Iterable[Profile], security_profiles: Sequence[int] = ()
) -> dict[str, tuple[str, ...]]:
    """Test-data key (without ``test_data.``; a list's items as the list) → the ids of the cases
    that need it, for every case of `profiles` (Core always; Security when `security_profiles`
    is not empty), in the order of the PICS's test data."""
    claimed = {Profile.CORE, *profiles}
    if security_profiles:
        claimed.add(Profile.SECURITY)
    pics = _sample_pics(claimed, security_profiles)
    needs: dict[str, list[str]] = {key: [] for key in _REQUIRED}
    for case in catalog.cases:
        if case.profile not in claimed:
            continue
        wanted = [
            r.pics.removeprefix(f"{TEST_DATA}.")
            for r in case.requires
            if r.pics.startswith(f"{TEST_DATA}.")
        ]
        for key in (*wanted, *referenced_keys(case, catalog, pics)):
            needs.setdefault(key.split(".")[0], []).append(case.id)
    order = {f.name: n for n, f in enumerate(fields(TestData))}
    return {
        key: tuple(dict.fromkeys(needs[key]))
        for key in sorted(needs, key=lambda k: order.get(k, len(order)))
    }


def _descriptions() -> Mapping[str, str]:
    schema = json.loads(schema_path("pics.schema.json").read_text(encoding="utf-8"))
    properties = schema["properties"][TEST_DATA]["properties"]
    found = {k: str(v["description"]) for k, v in properties.items() if "description" in v}
    return {**found, **_ABOUT}


def _defaults() -> dict[str, Any]:
    """TestData's defaults that are values (a vendor may keep them)."""
    return {
        f.name: f.default
        for f in fields(TestData)
        if f.default is not MISSING and f.default is not None and f.default != ()
    }


def _comment(text: str) -> str:
    return "  # " + " ".join(text.split())


def skeleton(
    catalog: Catalog, profiles: Sequence[Profile], security_profiles: Sequence[int] = ()
) -> str:
    """The PICS skeleton's YAML text."""
    needs = needed_test_data(catalog, profiles, security_profiles)
    about = _descriptions()
    defaults = _defaults()
    named = " ".join(f"--profile {p.value}" for p in (Profile.CORE, *profiles))
    named += "".join(f" --security-profile {n}" for n in security_profiles)
    lines = [
        f"# PICS skeleton written by `octt pics init {named}`.",
        "# Fill in every empty value (the CSMS's identity and the test data your CSMS holds),",
        "# then `octt pics check THIS-FILE` lists whatever is still missing or wrong, all at once.",
        "sut:",
        "  vendor:" + _comment("certificate holder: your company"),
        "  product:" + _comment("product designation of the CSMS"),
        "  product_type: Charging Station Management System",
        "  ocpp_software_version:" + _comment('the CSMS version under test, quoted: "4.2.0"'),
        "  communication: JSON",
        "",
        "profiles:" + _comment("the OCPP 1.6 feature profiles the CSMS claims"),
        "  core: true",
    ]
    lines += [f"  {p.value}: {'true' if p in profiles else 'false'}" for p in CLAIMABLE]
    lines += [
        "",
        "security:",
        f"  profiles: {json.dumps(list(security_profiles))}"
        + _comment("security profiles (1-3) the CSMS supports; [] claims none"),
        "",
        "additional_questions:",
        "  AQ-1: false"
        + _comment(
            "can the CSMS be configured to answer a BootNotification first with Pending or"
            " Rejected? (true runs the cases that need it)"
        ),
        "",
        "features:",
        "  milliseconds_in_timestamps: true" + _comment("the CSMS's timestamps carry milliseconds"),
        "",
        "limits:",
        "  response_timeout_s: 30" + _comment("OCPP response timeout (s), as on the certificate"),
        "  authorize_response_s: 5" + _comment("the most an Authorize.conf may take (s)"),
        "",
        f"{TEST_DATA}:",
    ]
    for n in security_profiles:
        key = f"sp{n}_charge_point_id"
        lines.append(f"  # {key}:" + _comment(f"optional: {about.get(key, key)}"))
    for key, cases in needs.items():
        if key in FALLBACKS:
            lines.append(f"  # {key}:" + _comment(f"optional: {about.get(key, key)}"))
            continue
        value = defaults.get(key)
        shown = "" if value is None else " " + json.dumps(value)
        used = "; needed by every case" if key == "charge_point_id" else ""
        if cases:
            more = f" and {len(cases) - 3} more" if len(cases) > 4 else ""
            used = f"; needed by {', '.join(cases[:3] if more else cases)}{more}"
        lines.append(f"  {key}:{shown}" + _comment(about.get(key, key) + used))
    return "\n".join(lines) + "\n"
