"""The Firmware Management file transfers as simulated events: real over loopback against the
reference CSMS's HTTP server, simulated when the run does not do real transfers or the location
is not http(s), failing on purpose; and the retrieveDate wait on the run's time scale."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from conftest import RunAgainstReference

from octt.config import RunConfig
from octt.pics.model import load_pics
from octt.reference.files import firmware_image
from octt.resources import default_pics_path
from octt.result.model import CaseResult, TransferKind, TransferOutcome, Verdict

REAL = RunConfig(operator_timeout_s=3.0, real_transfers=True)


def by_id(cases: tuple[CaseResult, ...]) -> dict[str, CaseResult]:
    return {c.id: c for c in cases}


def test_real_transfers_move_the_files_over_loopback(
    run_against_reference: RunAgainstReference,
) -> None:
    ids = ["TC_044_1_CSMS", "TC_044_2_CSMS", "TC_045_1_CSMS", "TC_045_2_CSMS"]
    cases = by_id(run_against_reference(ids, config=REAL).cases)
    assert {c.verdict for c in cases.values()} == {Verdict.PASS}
    [download] = cases["TC_044_1_CSMS"].transfers
    assert download.kind is TransferKind.FIRMWARE_DOWNLOAD
    assert download.outcome is TransferOutcome.TRANSFERRED
    assert download.url.startswith("http://127.0.0.1:")
    assert download.url.endswith("/firmware/octt-firmware-2.0.bin")
    assert download.sha256 == hashlib.sha256(firmware_image()).hexdigest()
    assert download.step == "2:firmware_installation/1"
    step = next(s for s in cases["TC_044_1_CSMS"].steps if s.path == download.step)
    assert step.detail.startswith("download done: http://127.0.0.1:")
    [upload] = cases["TC_045_1_CSMS"].transfers
    assert (upload.kind, upload.outcome) == (
        TransferKind.DIAGNOSTICS_UPLOAD,
        TransferOutcome.TRANSFERRED,
    )
    assert "/diagnostics/OCTT-CP-001-diagnostics-" in upload.url
    assert upload.size is not None and upload.size > 0
    for case_id in ("TC_044_2_CSMS", "TC_045_2_CSMS"):
        [failed] = cases[case_id].transfers
        assert failed.outcome is TransferOutcome.FAILURE_SIMULATED
        assert failed.sha256 is None


def test_without_real_transfers_nothing_moves(run_against_reference: RunAgainstReference) -> None:
    result = run_against_reference(["TC_044_1_CSMS"], config=RunConfig(operator_timeout_s=3.0))
    [case] = result.cases
    assert case.verdict is Verdict.PASS
    [record] = case.transfers
    assert record.outcome is TransferOutcome.SIMULATED
    assert "--real-transfers" in record.detail


def test_a_location_that_is_not_http_is_simulated(
    run_against_reference: RunAgainstReference,
) -> None:
    pics = load_pics(default_pics_path())
    pics = replace(
        pics,
        test_data=replace(pics.test_data, firmware_url="ftp://127.0.0.1/firmware/fw.bin"),
    )
    [case] = run_against_reference(["TC_044_1_CSMS"], config=REAL, pics=pics).cases
    assert case.verdict is Verdict.PASS
    [record] = case.transfers
    assert (record.outcome, record.url) == (
        TransferOutcome.SIMULATED,
        "ftp://127.0.0.1/firmware/fw.bin",
    )
    assert "ftp is not a scheme" in record.detail


def test_a_firmware_the_server_does_not_have_is_a_failed_transfer_not_a_finding(
    run_against_reference: RunAgainstReference,
) -> None:
    # TC_044_3 does not check the location: the CSMS offers another file, the real download
    # fails (404), and the case still passes; the transfer record tells.
    [case] = run_against_reference(
        ["TC_044_3_CSMS"], ["update-firmware-wrong-location"], config=REAL
    ).cases
    assert case.verdict is Verdict.PASS, case.reason
    assert case.findings == ()
    [record] = case.transfers
    assert record.outcome is TransferOutcome.FAILED
    assert record.url.endswith("/firmware/octt-wrong-firmware.bin")
    assert "HTTP 404" in record.detail
