"""PICS model and loader (validated against schemas/pics.schema.json, errors as file:line)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from octt.yamldoc import load_document


class Profile(StrEnum):
    """Certification profiles: the names used on the command line, in PICS files and reports."""

    CORE = "core"
    FIRMWARE_MANAGEMENT = "firmware-management"
    LOCAL_AUTH_LIST_MANAGEMENT = "local-auth-list-management"
    RESERVATION = "reservation"
    SMART_CHARGING = "smart-charging"
    REMOTE_TRIGGER = "remote-trigger"
    SECURITY = "security"
    # Not an OCA profile: the CSMS's handling of bad input (octt.robustness). Never run unless
    # asked for, never claimed in a PICS, never on the certificate.
    ROBUSTNESS = "robustness"

    @property
    def display_name(self) -> str:
        return _TITLES[self]


_TITLES = {
    Profile.CORE: "Core",
    Profile.FIRMWARE_MANAGEMENT: "Firmware Management",
    Profile.LOCAL_AUTH_LIST_MANAGEMENT: "Local Authorization List Management",
    Profile.RESERVATION: "Reservation",
    Profile.SMART_CHARGING: "Smart Charging",
    Profile.REMOTE_TRIGGER: "Remote Trigger",
    Profile.SECURITY: "Security",
    Profile.ROBUSTNESS: "Robustness (beyond the OCA cases)",
}


@dataclass(frozen=True)
class Sut:
    vendor: str
    product: str
    ocpp_software_version: str
    product_type: str = "Charging Station Management System"
    communication: str = "JSON"


@dataclass(frozen=True)
class Limits:
    response_timeout_s: float
    authorize_response_s: float
    # The OCA test tool's "max time deviation": how far the currentTime of BootNotification.conf
    # and Heartbeat.conf may be from real UTC (octt.engine.clock_check).
    max_time_deviation_s: float = 60.0


@dataclass(frozen=True)
class TestData:
    charge_point_id: str
    connector_id: int
    valid_id_tag: str
    invalid_id_tag: str
    charge_point_vendor: str = "octt"
    charge_point_model: str = "octt-sim"
    number_of_connectors: int = 2
    expired_id_tag: str | None = None
    blocked_id_tag: str | None = None
    parent_id_tag: str | None = None
    child_id_tags: tuple[str, ...] = ()
    unsupported_vendor_id: str | None = None
    # Reservation: the "Expiry Date Offset" — how far ahead a reservation's expiryDate lies
    # (seconds; TC_047 waits for it on the run's time scale).
    reservation_expiry_offset_s: int = 300
    # Local Auth List: an Accepted idTag, other than valid_id_tag, that TC_043_5's Differential
    # update adds to the list.
    local_list_id_tag: str | None = None
    # Firmware Management: the firmware the CSMS offers and where diagnostics go (may contain
    # the {trigger_api} placeholder, see `with_placeholders`).
    firmware_url: str | None = None
    diagnostics_location: str | None = None
    # Smart Charging: the values the CSMS is asked to use (TC_056, TC_057, TC_066, TC_067).
    charging_profile_stack_level: int | None = None
    charging_rate_unit: str | None = None
    charging_profile_limit: float | None = None
    charging_profile_duration: int | None = None
    charging_profile_start_period: int | None = None
    charging_profile_number_phases: int | None = None
    composite_schedule_duration: int | None = None
    # Security whitepaper (ed.3): the charge point identity the CSMS holds at each security
    # profile (default: charge_point_id), and the one TC_083 upgrades (it ends at a higher
    # profile, so it is not shared with the other cases).
    sp1_charge_point_id: str | None = None
    sp2_charge_point_id: str | None = None
    sp3_charge_point_id: str | None = None
    upgrade_charge_point_id: str | None = None
    # The CpoName the charge point puts in the O of its CSR (TC_074, TC_077, TC_083).
    cpo_name: str | None = None
    # Certificates the CSMS is asked to install (PEM; may be "{pki.<name>}"): its own root
    # (memory state CertificateInstalled), a second root (TC_075_2, TC_076, TC_078), a
    # manufacturer root (TC_075_1).
    central_system_root_certificate: str | None = None
    central_system_root_certificate_2: str | None = None
    manufacturer_root_certificate: str | None = None
    # Where the CSMS asks for the security log (TC_079).
    log_location: str | None = None
    # The signed firmware of TC_080/TC_081: its location, signing certificate (PEM) and base64
    # signature; TC_081's invalid signature (default: the valid one with a byte changed).
    signed_firmware_url: str | None = None
    firmware_signing_certificate: str | None = None
    firmware_signature: str | None = None
    invalid_firmware_signature: str | None = None

    def security_charge_point_id(self, profile: int) -> str:
        """The identity the CSMS holds at security profile `profile`."""
        value = getattr(self, f"sp{profile}_charge_point_id", None)
        return value if isinstance(value, str) and value else self.charge_point_id


@dataclass(frozen=True)
class Pics:
    """A loaded PICS. `raw` is the document as written, for reports and template lookups."""

    sut: Sut
    profiles: frozenset[Profile]
    security_profiles: frozenset[int]
    additional_questions: Mapping[str, bool]
    features: Mapping[str, bool]
    limits: Limits
    test_data: TestData
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def claims(self, profile: Profile) -> bool:
        if profile is Profile.SECURITY:
            return bool(self.security_profiles)
        return profile in self.profiles

    def lookup(self, dotted: str) -> Any:
        """A value of the PICS by dotted path (``profiles.reservation``; a number indexes a
        list: ``test_data.child_id_tags.1``); KeyError if absent."""
        return lookup_dotted(self.raw, dotted)


def lookup_dotted(document: Any, dotted: str) -> Any:
    """The value at a dotted path of a YAML/JSON document; KeyError if absent."""
    node: Any = document
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(dotted)
    return node


#: `{name}` inside a test-data string: a value only the run knows (see `with_placeholders`).
_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z0-9_]+)?)\}")
#: The base URL of the --operator trigger API (for the reference CSMS: its own HTTP server, which
#: serves the firmware image and receives diagnostics uploads, on a port chosen at start).
TRIGGER_API = "trigger_api"


def placeholders(pics: Pics) -> dict[str, set[str]]:
    """test_data field -> the `{names}` its value refers to (fields without any are left out)."""
    found: dict[str, set[str]] = {}
    for name in TestData.__dataclass_fields__:
        value = getattr(pics.test_data, name)
        if isinstance(value, str):
            names = set(_PLACEHOLDER.findall(value))
            if names:
                found[name] = names
    return found


def with_placeholders(pics: Pics, values: Mapping[str, str]) -> Pics:
    """A copy whose test-data strings have each `{name}` of `values` replaced (others stay).

    A PICS may write `firmware_url: "{trigger_api}/firmware/fw.bin"` because the embedded
    reference CSMS picks its port when it starts; the run fills the value in.
    """

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    changes: dict[str, Any] = {
        name: fill(getattr(pics.test_data, name))
        for name in placeholders(pics)
        if any(n in values for n in placeholders(pics)[name])
    }
    if not changes:
        return pics
    raw = dict(pics.raw)
    raw["test_data"] = {**raw.get("test_data", {}), **changes}
    return replace(pics, test_data=replace(pics.test_data, **changes), raw=raw)


def pics_from_data(data: Mapping[str, Any], source: str = "") -> Pics:
    """Build a Pics from already-validated data."""
    td = dict(data["test_data"])
    td["child_id_tags"] = tuple(td.get("child_id_tags", ()))
    profiles = frozenset(Profile(name) for name, on in data["profiles"].items() if on)
    return Pics(
        sut=Sut(**data["sut"]),
        profiles=profiles,
        security_profiles=frozenset(data.get("security", {}).get("profiles", [])),
        additional_questions=dict(data.get("additional_questions", {})),
        features=dict(data.get("features", {})),
        limits=Limits(**data["limits"]),
        test_data=TestData(**td),
        raw=data,
        source=source,
    )


def load_pics(path: Path) -> Pics:
    """Load and validate a PICS file. Raises octt.yamldoc.DocumentError (file:line)."""
    document = load_document(path, "pics.schema.json")
    return pics_from_data(document.data, str(path))
