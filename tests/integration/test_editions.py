"""Editions of the OCA test case document: each edition's checks catch the faults it lists,
behaviour an edition allows passes under it, and checks no edition lists are advisories."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import RunAgainstReference

from octt.catalog.editions import Edition
from octt.cli import main
from octt.cli.env import Environment
from octt.config import RunConfig
from octt.findings import Severity
from octt.pics.model import load_pics
from octt.resources import default_pics_path
from octt.result.model import RunResult, Verdict

E2024 = RunConfig(operator_timeout_s=1.5, time_scale=0.0001, edition=Edition.E2024_04)
E2025 = RunConfig(operator_timeout_s=1.5, time_scale=0.0001, edition=Edition.E2025_11)
BOTH = pytest.mark.parametrize("config", [E2024, E2025], ids=["2024-04", "2025-11"])


def _errors(result: RunResult, case_id: str) -> set[str]:
    case = next(c for c in result.cases if c.id == case_id)
    return {f.rule for f in case.findings if f.severity is Severity.ERROR}


def _verdict(result: RunResult, case_id: str) -> Verdict:
    return next(c for c in result.cases if c.id == case_id).verdict


@BOTH
def test_tc_053_passes_against_the_good_reference(
    run_against_reference: RunAgainstReference, config: RunConfig
) -> None:
    result = run_against_reference(["TC_053_CSMS"], config=config)
    case = result.cases[0]
    assert case.verdict is Verdict.PASS, case.reason
    assert not case.findings


@BOTH
@pytest.mark.parametrize("fault", ["authorize-no-parent-id-tag", "authorize-wrong-parent-id-tag"])
def test_tc_053_fails_when_authorize_conf_lacks_the_reservation_parent(
    run_against_reference: RunAgainstReference, config: RunConfig, fault: str
) -> None:
    # The driver of the group is not started on the reserved connector (OCPP 1.6 §5.13).
    result = run_against_reference(["TC_053_CSMS", "TC_046_CSMS"], [fault], config=config)
    assert _verdict(result, "TC_053_CSMS") is Verdict.FAIL
    assert "reservation.driver-not-covered" in _errors(result, "TC_053_CSMS")
    assert _verdict(result, "TC_046_CSMS") is Verdict.PASS  # the reserved idTag itself


# (case, fault, the edition whose check catches it, the rule, the edition that allows it)
EDITION_ROWS: list[tuple[str, str, Edition, str, Edition]] = [
    # 2024-04 T174 checks neither validFrom nor the other optional fields of the TxProfile.
    (
        "TC_057_CSMS",
        "set-charging-profile-missing-valid-from",
        Edition.E2025_11,
        "expect.SetChargingProfile.csChargingProfiles",
        Edition.E2024_04,
    ),
    # 2024-04 T173 does not check TxDefaultProfile's transactionId; 2025-11 wants it absent.
    (
        "TC_056_CSMS",
        "set-charging-profile-stray-transaction-id",
        Edition.E2025_11,
        "expect.SetChargingProfile.csChargingProfiles.transactionId",
        Edition.E2024_04,
    ),
    # 2024-04 T177 wants a Relative profile; 2025-11 allows a complete Absolute one.
    (
        "TC_059_CSMS",
        "remote-start-absolute-charging-profile",
        Edition.E2024_04,
        "expect.RemoteStartTransaction.chargingProfile.chargingProfileKind",
        Edition.E2025_11,
    ),
    (
        "TC_059_CSMS",
        "remote-start-relative-with-start-schedule",
        Edition.E2025_11,
        "expect.RemoteStartTransaction.chargingProfile",
        Edition.E2024_04,
    ),
    # 2024-04 T172 wants connectorId = NumberOfConnectors + 1; 2025-11 does not check it.
    (
        "TC_055_CSMS",
        "trigger-message-wrong-connector",
        Edition.E2024_04,
        "expect.TriggerMessage.connectorId",
        Edition.E2025_11,
    ),
]


def _config(edition: Edition) -> RunConfig:
    return E2024 if edition is Edition.E2024_04 else E2025


@pytest.mark.parametrize(("case_id", "fault", "catching", "rule", "allowing"), EDITION_ROWS)
def test_an_editions_check_catches_what_the_other_edition_allows(
    run_against_reference: RunAgainstReference,
    case_id: str,
    fault: str,
    catching: Edition,
    rule: str,
    allowing: Edition,
) -> None:
    caught = run_against_reference([case_id], [fault], config=_config(catching))
    assert _verdict(caught, case_id) is Verdict.FAIL, caught.cases[0].reason
    assert rule in _errors(caught, case_id), caught.cases[0].findings
    allowed = run_against_reference([case_id], [fault], config=_config(allowing))
    assert _verdict(allowed, case_id) is Verdict.PASS, allowed.cases[0].reason
    assert not _errors(allowed, case_id)


# (case, fault, rule, the editions whose check it is): in the other editions it is an advisory
# (the case passes with it), in these a failure.
NEWER = (Edition.E2025_11,)
ADVISORY_ROWS: list[tuple[str, str, str, tuple[Edition, ...]]] = [
    # 2024-04 T189 has only the accepted connection; 2025-11 refuses one without credentials.
    ("TC_085_CSMS", "accepts-missing-credentials", "transport.not-refused", NEWER),
    # 2024-04 T179 checks only the key; the hex form is 2025-11's (and the whitepaper's).
    (
        "TC_073_CSMS",
        "authorization-key-not-hex",
        "expect.ChangeConfiguration.value",
        (Edition.E2025_11,),
    ),
    # No edition scripts a transaction after TC_049's reservation.
    ("TC_049_CSMS", "reserved-start-rejected", "expect.StartTransaction.idTagInfo.status", ()),
]


@BOTH
@pytest.mark.parametrize(("case_id", "fault", "rule", "checked_in"), ADVISORY_ROWS)
def test_a_check_beyond_the_edition_is_an_advisory(
    run_against_reference: RunAgainstReference,
    config: RunConfig,
    case_id: str,
    fault: str,
    rule: str,
    checked_in: tuple[Edition, ...],
) -> None:
    result = run_against_reference([case_id], [fault], config=config)
    [case] = result.cases
    if config.edition in checked_in:
        assert case.verdict is Verdict.FAIL
        assert rule in _errors(result, case_id)
        assert not case.advisories
    else:
        assert case.verdict is Verdict.PASS, case.reason
        assert rule in {f.rule for f in case.advisories}
        assert result.advisories and all(c == case_id for c, _ in result.advisories)


def test_tc_076_runs_one_hash_algorithm_under_2024_04(
    run_against_reference: RunAgainstReference,
) -> None:
    # A CSMS that computes certificate hashes with SHA256 only passes 2024-04's single round
    # (T183) and fails 2025-11's SHA384 round.
    older = run_against_reference(["TC_076_CSMS"], ["delete-certificate-sha256-only"], config=E2024)
    assert _verdict(older, "TC_076_CSMS") is Verdict.PASS, older.cases[0].reason
    newer = run_against_reference(["TC_076_CSMS"], ["delete-certificate-sha256-only"], config=E2025)
    assert _verdict(newer, "TC_076_CSMS") is Verdict.FAIL
    assert "expect.DeleteCertificate.certificateHashData.hashAlgorithm" in _errors(
        newer, "TC_076_CSMS"
    )


def test_tc_043_5_takes_any_differential_version_under_2024_04(
    run_against_reference: RunAgainstReference,
) -> None:
    # 2024-04 T155 checks updateType and the idTagInfo of each entry only; the listVersion rule
    # comes with 2025-11's initial Full list.
    fault = ["send-local-list-stale-version"]
    older = run_against_reference(["TC_043_5_CSMS"], fault, config=E2024)
    assert _verdict(older, "TC_043_5_CSMS") is Verdict.PASS, older.cases[0].reason
    newer = run_against_reference(["TC_043_5_CSMS"], fault, config=E2025)
    assert "expect.SendLocalList.listVersion" in _errors(newer, "TC_043_5_CSMS")
    # What 2024-04 does check still fails there.
    missing = run_against_reference(
        ["TC_043_5_CSMS"], ["send-local-list-no-idtaginfo"], config=E2024
    )
    assert "expect.SendLocalList.localAuthorizationList.*.idTagInfo" in _errors(
        missing, "TC_043_5_CSMS"
    )


def test_tc_052_wants_an_unknown_reservation_id_under_2024_04(
    run_against_reference: RunAgainstReference,
) -> None:
    # 2024-04 T169 step 5: the CancelReservation names a reservationId other than step 1's.
    fault = ["cancel-reservation-active-id"]
    older = run_against_reference(["TC_052_CSMS"], fault, config=E2024)
    assert "expect.CancelReservation.reservationId" in _errors(older, "TC_052_CSMS")
    newer = run_against_reference(["TC_052_CSMS"], fault, config=E2025)
    assert _verdict(newer, "TC_052_CSMS") is Verdict.PASS, newer.cases[0].reason
    good = run_against_reference(["TC_052_CSMS"], config=E2024)
    assert _verdict(good, "TC_052_CSMS") is Verdict.PASS, good.cases[0].reason


def test_tc_064_makes_up_an_unknown_vendor_id_without_pics_data(
    run_against_reference: RunAgainstReference, tmp_path: Path
) -> None:
    # Any CSMS has vendorIds it does not know: no PICS prerequisite (the case is not not_run).
    pics = load_pics(default_pics_path())
    pics = replace(pics, test_data=replace(pics.test_data, unsupported_vendor_id=None))
    trace = tmp_path / "trace.jsonl"
    result = run_against_reference(["TC_064_CSMS"], pics=pics, trace=trace)
    [case] = result.cases
    assert case.verdict is Verdict.PASS, case.reason
    assert not case.findings
    frames = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    calls = [json.loads(f["text"]) for f in frames if f.get("text", "").startswith("[2,")]
    [vendor] = [c[3]["vendorId"] for c in calls if c[2] == "DataTransfer"]
    assert vendor.startswith("org.octt.unknown-vendor.")


@BOTH
def test_tc_067_passes_against_the_good_reference(
    run_against_reference: RunAgainstReference, config: RunConfig
) -> None:
    result = run_against_reference(["TC_067_CSMS"], config=config)
    [case] = result.cases
    assert case.verdict is Verdict.PASS, case.reason
    assert not case.findings


def test_tc_067_checks_2024_04s_stack_levels(run_against_reference: RunAgainstReference) -> None:
    # 2024-04 T176: L, L+1, L+2 and the clear by criteria at L+1; a CSMS that needs no
    # ChargePointMaxProfile or TxProfile passes (2025-11's scenario is not run).
    for fault, rule in (
        ("set-charging-profile-wrong-stack-level", "expect.SetChargingProfile.csChargingProfiles"),
        ("clear-charging-profile-wrong-criteria", "expect.ClearChargingProfile.stackLevel"),
    ):
        result = run_against_reference(["TC_067_CSMS"], [fault], config=E2024)
        errors = _errors(result, "TC_067_CSMS")
        assert any(r.startswith(rule) for r in errors), (fault, errors)


@pytest.mark.parametrize("edition", [e.value for e in Edition])
def test_a_full_run_of_each_edition_passes_and_the_certificate_names_it(
    tmp_path: Path, edition: str
) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=tmp_path)
    status = main(["run", "--edition", edition, "--report-dir", "out"], env=env)
    assert status == 0, stdout.getvalue() + stderr.getvalue()
    assert f"OCA test case document edition {edition}" in " ".join(stdout.getvalue().split())
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert (result["edition"], result["settings"]["edition"]) == (edition, edition)
    ids = {c["id"] for c in result["cases"]}
    assert ("TC_088_CSMS" in ids) is (edition == "2025-11")
    certificate = (tmp_path / "out" / "certificate.html").read_text(encoding="utf-8")
    assert f"OCA Test case document OCTT for OCPP 1.6, edition {edition}" in certificate
    assert (tmp_path / "out" / "certificate.pdf").stat().st_size > 0


def test_tc_074s_chain_content_is_a_2025_11_check_and_a_2024_04_advisory(
    run_against_reference: RunAgainstReference,
) -> None:
    # 2024-04 T180 lists the trigger, SignCertificate.conf and the reconnection with the new
    # certificate; the content checks of the chain (here: its CN) are 2025-11's.
    fault = ["certificate-signed-wrong-cn"]
    rule = "security.certificate-signed.common-name"
    older = run_against_reference(["TC_074_CSMS"], fault, config=E2024)
    [case] = older.cases
    assert case.verdict is Verdict.PASS, case.reason
    assert rule in {f.rule for f in case.advisories}
    newer = run_against_reference(["TC_074_CSMS"], fault, config=E2025)
    assert rule in _errors(newer, "TC_074_CSMS")
