"""The PICS model: the shipped files load, errors name file:line, claims() and lookup()."""

from __future__ import annotations

from pathlib import Path

import pytest

from octt.pics import model as pics_model
from octt.pics.model import Limits, Pics, Profile, Sut, load_pics, pics_from_data
from octt.resources import data_path, default_pics_path
from octt.yamldoc import DocumentError

REFERENCE = data_path("pics/reference-csms.yaml")
EXAMPLE = data_path("pics/example.yaml")

MINIMAL = """\
sut:
  vendor: V
  product: P
  ocpp_software_version: "1"
profiles:
  core: true
limits:
  response_timeout_s: 30
  authorize_response_s: 5
test_data:
  charge_point_id: CP1
  connector_id: 1
  valid_id_tag: VALID
  invalid_id_tag: INVALID
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pics.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reference_pics_loads() -> None:
    pics = load_pics(REFERENCE)
    assert default_pics_path() == REFERENCE
    assert pics.sut == Sut("octt project", "octt reference CSMS", "0.1.0")
    assert Profile.CORE in pics.profiles
    assert pics.additional_questions.keys() == {"AQ-1"}
    assert pics.features == {"milliseconds_in_timestamps": True}
    assert pics.limits == Limits(30, 5)
    assert pics.test_data == pics_model.TestData(
        charge_point_id="OCTT-CP-001",
        connector_id=1,
        valid_id_tag="OCTT-VALID-01",
        invalid_id_tag="OCTT-UNKNOWN-99",
        charge_point_vendor="octt",
        charge_point_model="octt-sim",
        number_of_connectors=2,
        expired_id_tag="OCTT-EXPIRED-01",
        blocked_id_tag="OCTT-BLOCKED-01",
        parent_id_tag="OCTT-PARENT-01",
        child_id_tags=("OCTT-CHILD-01", "OCTT-CHILD-02"),
        unsupported_vendor_id="org.octt.unsupported",
        reservation_expiry_offset_s=300,
        local_list_id_tag="OCTT-LOCAL-01",
        firmware_url="{trigger_api}/firmware/octt-firmware-2.0.bin",
        diagnostics_location="{trigger_api}/diagnostics/",
        charging_profile_stack_level=1,
        charging_rate_unit="A",
        charging_profile_limit=6.0,
        charging_profile_duration=3600,
        charging_profile_start_period=0,
        charging_profile_number_phases=3,
        composite_schedule_duration=3600,
        sp1_charge_point_id="OCTT-SP1-001",
        sp2_charge_point_id="OCTT-SP2-001",
        sp3_charge_point_id="OCTT-SP3-001",
        upgrade_charge_point_id="OCTT-UPG-001",
        cpo_name="octt CPO",
        central_system_root_certificate="{pki.csms_root_ca}",
        central_system_root_certificate_2="{pki.csms_root_ca_2}",
        manufacturer_root_certificate="{pki.manufacturer_root_ca}",
        log_location="{trigger_api}/diagnostics/",
        signed_firmware_url="{trigger_api}/firmware/octt-firmware-2.0.bin",
        firmware_signing_certificate="{pki.firmware_signing}",
        firmware_signature="{pki.firmware_signature}",
    )
    assert pics.security_profiles == {1, 2, 3}
    assert pics.test_data.security_charge_point_id(3) == "OCTT-SP3-001"
    assert pics.test_data.security_charge_point_id(0) == "OCTT-CP-001"
    assert pics.source == str(REFERENCE)
    assert pics.raw["sut"]["vendor"] == "octt project"


def test_example_pics_loads() -> None:
    pics = load_pics(EXAMPLE)
    assert pics.profiles == {
        Profile.CORE,
        Profile.FIRMWARE_MANAGEMENT,
        Profile.LOCAL_AUTH_LIST_MANAGEMENT,
        Profile.SMART_CHARGING,
        Profile.REMOTE_TRIGGER,
    }
    assert pics.security_profiles == frozenset({1, 2})
    assert pics.test_data.child_id_tags == ("CHILD0001", "CHILD0002")


def test_claims() -> None:
    reference, example = load_pics(REFERENCE), load_pics(EXAMPLE)
    assert reference.claims(Profile.CORE)
    for profile in Profile:
        if profile is not Profile.SECURITY:
            assert reference.claims(profile) is (
                reference.raw["profiles"].get(profile.value) is True
            )
    assert reference.claims(Profile.SECURITY) is bool(reference.raw["security"]["profiles"])
    assert example.claims(Profile.SECURITY)
    assert not example.claims(Profile.RESERVATION)  # false in the file
    assert example.claims(Profile.SMART_CHARGING)


def test_lookup() -> None:
    pics = load_pics(EXAMPLE)
    assert pics.lookup("profiles.reservation") is False
    assert pics.lookup("security.profiles") == [1, 2]
    assert pics.lookup("test_data.valid_id_tag") == "VALID0001"
    assert pics.lookup("limits") == {
        "response_timeout_s": 30,
        "authorize_response_s": 5,
        "max_time_deviation_s": 60,
    }
    assert pics.limits.max_time_deviation_s == 60
    for missing in ("profiles.nothing", "test_data.valid_id_tag.deeper", "nope", ""):
        with pytest.raises(KeyError):
            pics.lookup(missing)


def test_minimal_pics_takes_the_defaults(tmp_path: Path) -> None:
    pics = load_pics(write(tmp_path, MINIMAL))
    assert pics.sut.product_type == "Charging Station Management System"
    assert pics.sut.communication == "JSON"
    assert pics.security_profiles == frozenset()
    assert pics.additional_questions == {} and pics.features == {}
    data = pics.test_data
    assert (data.charge_point_vendor, data.charge_point_model, data.number_of_connectors) == (
        "octt",
        "octt-sim",
        2,
    )
    assert data.expired_id_tag is None and data.child_id_tags == ()


def test_profiles_set_to_false_are_not_claimed(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "  core: true\n", "  core: true\n  reservation: false\n  remote-trigger: true\n"
    )
    pics = load_pics(write(tmp_path, text))
    assert pics.profiles == {Profile.CORE, Profile.REMOTE_TRIGGER}


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("  core: true", "  core: false", 6, "profiles/core: True was expected"),
        ("  connector_id: 1", "  connector_id: 0", 12, "test_data/connector_id: 0 is less than"),
        ("  valid_id_tag: VALID", "  valid_id_tag: " + "V" * 21, 13, "test_data/valid_id_tag: "),
        ("  charge_point_id: CP1", "  charge_point_id: CP/1", 11, "test_data/charge_point_id: "),
        ("  response_timeout_s: 30", "  response_timeout_s: 0", 8, "limits/response_timeout_s: 0"),
        # Mapping-level errors point where the mapping's content starts, and name the key.
        ("  core: true", "  core: true\n  v2g: true", 6, "('v2g' was unexpected)"),
        ("  product: P\n", "", 2, "sut: 'product' is a required property"),
    ],
)
def test_errors_name_the_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, fragment: str
) -> None:
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new))
    with pytest.raises(DocumentError) as info:
        load_pics(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message


def test_security_profile_numbers_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "security:\n  profiles: [1, 4]\n")
    with pytest.raises(
        DocumentError, match=r":16: security/profiles/1: 4 is not one of \[1, 2, 3\]"
    ):
        load_pics(path)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "extra: 1\n")
    with pytest.raises(DocumentError, match=r":1: Additional properties are not allowed \('extra'"):
        load_pics(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"nope\.yaml:0: cannot read"):
        load_pics(tmp_path / "nope.yaml")


def test_pics_from_data_without_a_source() -> None:
    raw = load_pics(REFERENCE).raw
    pics = pics_from_data(raw)
    assert isinstance(pics, Pics)
    assert pics.source == ""
    assert pics.test_data.child_id_tags == ("OCTT-CHILD-01", "OCTT-CHILD-02")


def test_profile_titles() -> None:
    assert [p.value for p in Profile] == [
        "core",
        "firmware-management",
        "local-auth-list-management",
        "reservation",
        "smart-charging",
        "remote-trigger",
        "security",
        "robustness",
    ]
    assert Profile.LOCAL_AUTH_LIST_MANAGEMENT.display_name == "Local Authorization List Management"
    assert all(p.display_name for p in Profile)


def test_lookup_follows_mappings_and_list_indexes() -> None:
    pics = load_pics(REFERENCE)
    assert pics.lookup("test_data.child_id_tags.1") == "OCTT-CHILD-02"
    assert pics.lookup("profiles.reservation") is True
    for missing in ("test_data.child_id_tags.2", "test_data.child_id_tags.x", "nope.deeper"):
        with pytest.raises(KeyError):
            pics.lookup(missing)
    assert pics_model.lookup_dotted([{"a": 1}], "0.a") == 1


def test_reservation_and_local_list_test_data_defaults(tmp_path: Path) -> None:
    pics = load_pics(write(tmp_path, MINIMAL))
    assert pics.test_data.reservation_expiry_offset_s == 300
    assert pics.test_data.local_list_id_tag is None


def test_trigger_api_placeholder_is_filled_in_by_the_run() -> None:
    pics = load_pics(REFERENCE)
    found = pics_model.placeholders(pics)
    assert found["firmware_url"] == {"trigger_api"}
    assert found["diagnostics_location"] == {"trigger_api"}
    assert found["log_location"] == {"trigger_api"}
    assert found["firmware_signature"] == {"pki.firmware_signature"}  # from the run's test PKI
    filled = pics_model.with_placeholders(pics, {"trigger_api": "http://127.0.0.1:8123"})
    assert filled.test_data.firmware_url == "http://127.0.0.1:8123/firmware/octt-firmware-2.0.bin"
    assert filled.raw["test_data"]["diagnostics_location"] == "http://127.0.0.1:8123/diagnostics/"
    assert all(
        names
        <= {
            "pki.firmware_signature",
            "pki.firmware_signing",
            "pki.csms_root_ca",
            "pki.csms_root_ca_2",
            "pki.manufacturer_root_ca",
        }
        for names in pics_model.placeholders(filled).values()
    )
    pki = pics_model.with_placeholders(filled, {"pki.csms_root_ca_2": "PEM"})
    assert pki.test_data.central_system_root_certificate_2 == "PEM"
    assert pics.test_data.firmware_url.startswith("{trigger_api}")  # the original is unchanged
    assert pics_model.with_placeholders(pics, {"other": "x"}) is pics


def test_claimed_profiles_require_their_test_data(tmp_path: Path) -> None:
    text = REFERENCE.read_text().replace("  composite_schedule_duration: 3600\n", "")
    path = tmp_path / "pics.yaml"
    path.write_text(text)
    with pytest.raises(DocumentError, match="composite_schedule_duration"):
        load_pics(path)
    path.write_text(text.replace("smart-charging: true", "smart-charging: false"))
    assert load_pics(path).test_data.composite_schedule_duration is None
