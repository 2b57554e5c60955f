"""The run configuration: YAML file, command-line overrides, and no secrets in repr/settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from octt.config import (
    TEMPORARY_PKI,
    LabInfo,
    Ordering,
    RunConfig,
    Signatory,
    lab_from_data,
    load_run_config,
)
from octt.pics.model import Profile
from octt.resources import default_pics_path
from octt.yamldoc import DocumentError

FULL = """\
csms_url: wss://csms.example.com/ocpp
cp_id: CP-7
pics: pics/mine.yaml
profiles: [core, reservation]
test_ids: [TC_001_CSMS, TC_003_CSMS]
operator: https://csms.example.com/trigger
operator_timeout_s: 12.5
security_profile: 2
basic_auth_password: s3cret-Pa55word
report_dir: ../out/run1
time_scale: 0.01
connect_timeout_s: 3
reconnect_pause_s: 0.25
strict_unexpected_calls: true
max_frame_bytes: 65536
ordering: swapped
tls_verify: false
lab:
  name: Lab One
  certificate_number: C-1
  vendor_signatory: {name: Vera, company: Vendor}
  lab_signatory: {name: Lars}
"""


def write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    folder = tmp_path / "conf"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    config = RunConfig()
    assert config.csms_url is None and config.cp_id is None and config.operator is None
    assert config.pics_path == default_pics_path()
    assert (config.profiles, config.test_ids) == ((), ())
    assert config.security_profile == 0
    assert config.tls_verify is True
    assert config.ordering is Ordering.DOCUMENTED
    assert config.lab == LabInfo()


def test_load_every_field(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    config = load_run_config(path)
    assert config.csms_url == "wss://csms.example.com/ocpp"
    assert config.cp_id == "CP-7"
    assert config.profiles == (Profile.CORE, Profile.RESERVATION)
    assert config.test_ids == ("TC_001_CSMS", "TC_003_CSMS")
    assert config.operator == "https://csms.example.com/trigger"
    assert config.operator_timeout_s == 12.5
    assert config.security_profile == 2
    assert config.reconnect_pause_s == 0.25
    assert config.strict_unexpected_calls is True
    assert config.basic_auth_password == "s3cret-Pa55word"
    assert (config.time_scale, config.connect_timeout_s, config.max_frame_bytes) == (0.01, 3, 65536)
    assert config.ordering is Ordering.SWAPPED
    assert config.tls_verify is False
    assert config.lab == LabInfo(
        name="Lab One",
        certificate_number="C-1",
        vendor_signatory=Signatory(name="Vera", company="Vendor"),
        lab_signatory=Signatory(name="Lars"),
    )


def test_relative_paths_are_resolved_against_the_file(tmp_path: Path) -> None:
    config = load_run_config(write(tmp_path, FULL))
    assert config.pics_path == (tmp_path / "conf" / "pics" / "mine.yaml").resolve()
    assert config.report_dir == (tmp_path / "out" / "run1").resolve()
    assert config.pics_path.is_absolute() and config.report_dir.is_absolute()


def test_absolute_paths_stay(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "p.yaml"
    config = load_run_config(write(tmp_path, f"pics: {target}\nreport_dir: {tmp_path}\n"))
    assert config.pics_path == target
    assert config.report_dir == tmp_path


def test_empty_mapping_gives_the_defaults(tmp_path: Path) -> None:
    assert load_run_config(write(tmp_path, "{}\n")) == RunConfig()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("csms_url: http://x\n", 1, "csms_url: 'http://x' does not match"),
        ("tls_verify: true\nsecurity_profile: 4\n", 2, "security_profile: 4 is not one of"),
        ("time_scale: 0\n", 1, "time_scale: 0 is less than or equal to the minimum of 0"),
        ("operator: ftp://x\n", 1, "operator: 'ftp://x' does not match"),
        ("lab:\n  name: L\n  phone: 1\n", 2, "('phone' was unexpected)"),
        ("cp_id: has space\n", 1, "cp_id: "),
        ("max_frame_bytes: 10\n", 1, "max_frame_bytes: 10 is less than the minimum of 1024"),
        ("unknown: 1\n", 1, "('unknown' was unexpected)"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DocumentError) as info:
        load_run_config(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert fragment in str(info.value)


def test_with_overrides_ignores_none() -> None:
    base = RunConfig(csms_url="ws://a", cp_id="CP", security_profile=1)
    changed = base.with_overrides(csms_url=None, cp_id="OTHER", security_profile=0, report_dir=None)
    assert changed.csms_url == "ws://a"
    assert changed.cp_id == "OTHER"
    assert changed.security_profile == 0  # falsy but not None: applied
    assert changed.report_dir is None
    assert base.cp_id == "CP"  # frozen original untouched


def test_with_overrides_rejects_unknown_fields() -> None:
    with pytest.raises(TypeError):
        RunConfig().with_overrides(nonsense=1)


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        RunConfig().csms_url = "ws://x"  # type: ignore[misc]


def test_effective_operator_timeout() -> None:
    assert RunConfig().effective_operator_timeout_s("prompt") == 180.0
    assert RunConfig().effective_operator_timeout_s("http://x") == 30.0
    assert RunConfig().effective_operator_timeout_s("none") == 30.0
    assert RunConfig(operator_timeout_s=2).effective_operator_timeout_s("prompt") == 2


def test_settings_have_no_secrets() -> None:
    secret = "s3cret-Pa55word"
    config = RunConfig(basic_auth_password=secret, security_profile=1, tls_verify=False)
    settings = config.settings()
    assert secret not in repr(settings)
    assert settings == {
        "time_scale": 0.001,
        "connect_timeout_s": 10.0,
        "reconnect_pause_s": 1.0,
        "strict_unexpected_calls": False,
        "max_frame_bytes": 1 << 20,
        "max_unanswered_csms_calls": 8,
        "max_unsolicited_frames": 20,
        "unsolicited_window_s": 1.0,
        "robustness_answer_timeout_s": 5.0,
        "ordering": "documented",
        "edition": "2025-11",
        "advisories_fail": False,
        "tls_verify": False,
        "real_transfers": False,
        "security_profile": 1,
        "basic_auth": True,
    }
    assert RunConfig().settings()["basic_auth"] is False
    assert RunConfig(real_transfers=True).settings()["real_transfers"] is True


def test_real_transfers_from_a_config_file(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("real_transfers: true\ntransfer_max_bytes: 1000\ntransfer_timeout_s: 2.5\n")
    config = load_run_config(path)
    assert (config.real_transfers, config.transfer_max_bytes, config.transfer_timeout_s) == (
        True,
        1000,
        2.5,
    )
    assert RunConfig().real_transfers is None  # the CLI decides


def test_repr_hides_the_password(tmp_path: Path) -> None:
    config = load_run_config(write(tmp_path, FULL))
    assert "s3cret-Pa55word" not in repr(config)
    assert "s3cret-Pa55word" not in str(config)
    assert "basic_auth_password" not in repr(config)
    assert "CP-7" in repr(config)


def test_lab_json_round_trip_and_signing_date(tmp_path: Path) -> None:
    lab = LabInfo(
        name="Lab One",
        location="Arnhem",
        report_reference="R-1",
        certificate_number="C-1",
        vendor_signatory=Signatory(name="Vera", company="Vendor", department="QA"),
        lab_signatory=Signatory(name="Lars", position="Engineer", date="2026-03-02"),
    )
    data = lab.to_json()
    assert data["lab_signatory"] == {
        "name": "Lars",
        "company": "",
        "department": "",
        "position": "Engineer",
        "location": "",
        "date": "2026-03-02",
    }
    assert lab_from_data(data) == lab
    config = load_run_config(
        write(tmp_path, "lab:\n  lab_signatory: {name: L, date: '2026-01-05'}\n")
    )
    assert config.lab.lab_signatory == Signatory(name="L", date="2026-01-05")


def test_lab_from_data_tolerates_missing_and_unknown_keys() -> None:
    assert lab_from_data({}) == LabInfo()
    lab = lab_from_data({"name": "L", "logo": "x.png", "lab_signatory": "not a mapping"})
    assert lab == LabInfo(name="L")
    assert lab_from_data({"vendor_signatory": {"name": "V", "phone": "1"}}).vendor_signatory == (
        Signatory(name="V")
    )


def test_tls_files_and_security_endpoints_from_a_config_file(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        "tls_ca_file: pki/root.pem\n"
        "tls_client_cert: pki/client.pem\n"
        "tls_client_key: pki/client.key\n"
        "pki_dir: pki\n"
        "security_profile_urls:\n"
        "  sp1: ws://csms/ocpp\n"
        "  sp3: wss://csms:8443/ocpp\n"
    )
    config = load_run_config(path)
    assert config.tls_ca_file == (tmp_path / "pki/root.pem").resolve()
    assert config.pki_dir == (tmp_path / "pki").resolve()
    assert config.security_profile_urls == {1: "ws://csms/ocpp", 3: "wss://csms:8443/ocpp"}
    settings = config.settings()
    assert settings["security_profile_urls"] == {
        "sp1": "ws://csms/ocpp",
        "sp3": "wss://csms:8443/ocpp",
    }
    assert "tls_client_key" not in settings
    # Files by name: the evidence holds no path of this machine.
    assert (settings["tls_ca_file"], settings["pki_dir"]) == ("root.pem", "pki")
    temporary = replace(config, pki_temporary=True).settings()
    assert temporary["pki_dir"] == TEMPORARY_PKI
    bad = tmp_path / "bad.yaml"
    bad.write_text("security_profile_urls:\n  sp2: ws://not-tls\n")
    with pytest.raises(DocumentError, match=r"bad\.yaml:2"):
        load_run_config(bad)


def test_pki_defaults_fill_only_what_is_missing(tmp_path: Path) -> None:
    config = RunConfig(pki_dir=tmp_path, tls_ca_file=Path("/own/root.pem")).with_pki_defaults()
    assert config.tls_ca_file == Path("/own/root.pem")
    assert config.tls_client_cert == tmp_path / "cp-client.pem"
    assert config.tls_client_key == tmp_path / "cp-client.key"
    assert RunConfig().with_pki_defaults() == RunConfig()
    assert "hidden-key-password" not in repr(
        RunConfig(tls_client_key_password="hidden-key-password")
    )
