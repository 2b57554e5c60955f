"""`octt show TC_ID`: a case's scenario with its reusable states expanded."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from octt.cli import main
from octt.cli.env import Environment


def show(tmp_path: Path, case_id: str) -> tuple[int, str, str]:
    return _show(case_id)  # `show` reads and writes no files: one rendering per case is enough


@functools.cache
def _show(case_id: str, *flags: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, environ={})
    env.console.width = 400  # one scenario line per output line
    status = main(["show", *flags, case_id], env=env)
    return status, stdout.getvalue(), stderr.getvalue()


def test_header_reference_purpose_and_checks(tmp_path: Path) -> None:
    status, text, stderr = show(tmp_path, "TC_003_CSMS")
    assert status == 0, stderr
    lines = text.splitlines()
    assert lines[0] == "TC_003_CSMS — Regular Charging Session - Plugin First"
    assert lines[1].startswith("profile: core    file: ")
    assert lines[1].endswith("testcases/core/TC_003_CSMS.yaml")
    assert "edition: 2025-11" in lines
    assert (
        "reference: OCA Test case document OCTT for OCPP 1.6, edition 2025-11, T123; OCPP 1.6"
        " §4.1, §4.8" in text.replace("\n", " ")
    )
    assert "Purpose" in lines
    assert "The CSMS is checked on" in lines
    assert "  • Authorize.conf idTagInfo.status = Accepted" in lines


def test_before_state_and_step_details(tmp_path: Path) -> None:
    _, text, _ = show(tmp_path, "TC_003_CSMS")
    lines = text.splitlines()
    before = lines.index("Before: reusable state booted")
    assert lines[before + 1 : before + 5] == [
        "  1. send BootNotification",
        "       expect {'status': 'Accepted'}",
        "  2. send StatusNotification",
        "       payload {'status': 'Available'}; for each connector (all_and_zero)",
    ]
    steps = lines.index("Steps")
    assert lines[steps + 1] == "  1. cable plugged in (Preparing)"  # the label, when given
    assert (
        "       payload {'idTag': '{valid_id_tag}'}; expect {'idTagInfo.status': 'Accepted'};"
        " may swap with the next step"
    ) in lines


def test_state_step_is_expanded_with_nested_numbers(tmp_path: Path) -> None:
    _, text, _ = show(tmp_path, "TC_004_1_CSMS")
    lines = text.splitlines()
    steps = lines.index("Steps")
    assert lines[steps + 1] == "  1. reusable state charging"
    assert "     1.1. send StatusNotification" in lines
    assert "     1.3. send StatusNotification" in lines
    assert "Editions" in lines


def test_state_befores_are_shown(tmp_path: Path) -> None:
    _, text, _ = show(tmp_path, "TC_004_1_CSMS")
    assert "send Authorize" in text


def test_reply_and_operator_steps(tmp_path: Path) -> None:
    _, text, _ = show(tmp_path, "TC_061_CSMS")
    lines = text.splitlines()
    assert "  1. operator: make the CSMS send ClearCache" in lines
    assert "  2. expect ClearCache from the CSMS" in lines
    assert "       reply {'status': 'Accepted'}" in lines


def test_unknown_case(tmp_path: Path) -> None:
    status, text, stderr = show(tmp_path, "TC_000_CSMS")
    assert status == 2
    assert text == ""
    assert stderr == "octt: no test case 'TC_000_CSMS' (see `octt list`)\n"


def test_state_step_arguments_and_expectations(tmp_path: Path) -> None:
    _, text, _ = show(tmp_path, "TC_049_CSMS")
    lines = text.splitlines()
    steps = lines.index("Steps")
    assert lines[steps + 1] == "  1. reusable state reserved (reserve_connector_id=0)"
    assert lines[steps + 2] == (
        "       expect on ReserveNow {'connectorId': {'equals': 0, 'because': 'the operator asked"
        " to reserve the charge point, not a connector'}}"
    )
    assert "     1.1. reusable state reserve_now (reservation_answer=Accepted)" in lines


def test_security_steps_show_their_conditions_and_options(tmp_path: Path) -> None:
    status, text, stderr = show(tmp_path, "TC_083_CSMS")
    assert status == 0, stderr
    assert "only when {'security_profile': '1'}" in text
    assert "reconnect with security profile {security_profile} (the CSMS must refuse)" in text
    assert "the CSMS answers with CertificateSigned" in text
    _, text, _ = show(tmp_path, "TC_085_CSMS")
    assert "the charge point closes the connection" in text
    assert "reconnect without credentials (the CSMS must refuse)" in text


def test_an_edition_shows_exactly_its_own_steps_and_checks() -> None:
    status, older, _ = _show("TC_067_CSMS", "--edition", "2024-04")
    assert status == 0
    assert "edition: 2024-04" in older
    assert "edition 2024-04, T176 p.144" in older
    steps = older.split("\nSteps\n")[1]
    assert "ChargePointMaxProfile" not in steps and "stack level L+2" in steps
    _, newer, _ = _show("TC_067_CSMS", "--edition", "2025-11")
    steps = newer.split("\nSteps\n")[1]
    assert "ChargePointMaxProfile" in steps and "L+2" not in steps


def test_advisory_steps_say_so() -> None:
    _, text, _ = _show("TC_087_CSMS")
    assert "advisory only, no edition lists it (security whitepaper ed.3" in text


def test_a_case_the_edition_does_not_have_is_refused_naming_the_edition() -> None:
    status, _, stderr = _show("TC_088_CSMS", "--edition", "2024-04")
    assert status == 2
    assert "TC_088_CSMS is not in the 2024-04 edition" in stderr
