"""Interoperability: legal CSMS behaviour unlike the reference's default passes, interference and
a stale clock fail (the reference CSMS with quirks and faults; README, "What a CSMS may do beside
the script")."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from conftest import RunAgainstReference

from octt.config import RunConfig
from octt.engine.solicited import BEFORE_TRIGGER, SUPERSEDED
from octt.findings import Severity
from octt.result.model import CaseResult, RunResult, Verdict

FAST = RunConfig(operator_timeout_s=3.0, reconnect_pause_s=0.001)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def by_id(result: RunResult) -> dict[str, CaseResult]:
    return {c.id: c for c in result.cases}


def rules(case: CaseResult, severity: Severity) -> set[str]:
    return {f.rule for f in case.findings if f.severity is severity}


def trace_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_poll_of_the_same_action_before_the_triggered_one_is_not_judged(
    run_against_reference: RunAgainstReference,
) -> None:
    cases = ["TC_019_1_CSMS", "TC_019_2_CSMS", "TC_021_CSMS"]
    result = run_against_reference(
        cases, quirks=["get-configuration-before-triggered"], config=FAST
    )
    for case in result.cases:
        assert case.verdict is Verdict.PASS, (case.id, case.reason)
    # TC_019_2 asks for given keys: the poll (all keys) does not satisfy it, the next one does.
    notes = [f.message for f in by_id(result)["TC_019_2_CSMS"].findings]
    assert any(SUPERSEDED in n or BEFORE_TRIGGER in n for n in notes), notes


def test_a_poll_after_boot_passes_as_info(run_against_reference: RunAgainstReference) -> None:
    cases = ["TC_001_CSMS", "TC_019_1_CSMS", "TC_019_2_CSMS", "TC_021_CSMS"]
    result = run_against_reference(cases, quirks=["get-configuration-poll-after-boot"], config=FAST)
    for case in result.cases:
        assert case.verdict is Verdict.PASS, (case.id, case.reason)
    assert any("unexpected-call" in rules(c, Severity.INFO) for c in result.cases)


def test_housekeeping_calls_are_info_and_fail_under_strict(
    run_against_reference: RunAgainstReference,
) -> None:
    # Cases that last long enough (simulated waits) to see the housekeeping.
    cases = ["TC_001_CSMS", "TC_004_2_CSMS", "TC_011_2_CSMS", "TC_047_CSMS"]
    slow = replace(FAST, time_scale=0.003)
    tolerant = run_against_reference(cases, quirks=["periodic-housekeeping"], config=slow)
    for case in tolerant.cases:
        assert case.verdict is Verdict.PASS, (case.id, case.reason)
    assert any("unexpected-call" in rules(c, Severity.INFO) for c in tolerant.cases)
    strict = replace(slow, strict_unexpected_calls=True)
    failed = run_against_reference(cases, quirks=["periodic-housekeeping"], config=strict)
    assert any(
        c.verdict is Verdict.FAIL and "unexpected-call" in rules(c, Severity.ERROR)
        for c in failed.cases
    ), [(c.id, c.reason) for c in failed.cases]


def test_a_remote_stop_of_the_transaction_under_test_fails_the_case(
    run_against_reference: RunAgainstReference,
) -> None:
    result = run_against_reference(
        ["TC_005_1_CSMS", "TC_001_CSMS"], ["interfering-remote-stop"], config=FAST
    )
    charging = by_id(result)["TC_005_1_CSMS"]
    assert charging.verdict is Verdict.FAIL, charging.reason
    assert "unexpected-call.interfering" in rules(charging, Severity.ERROR)
    assert "transaction under test" in charging.reason
    assert by_id(result)["TC_001_CSMS"].verdict is Verdict.PASS


def test_the_csms_clock_is_checked(run_against_reference: RunAgainstReference) -> None:
    stale = run_against_reference(["TC_001_CSMS"], ["current-time-stale"], config=FAST)
    [case] = stale.cases
    assert case.verdict is Verdict.FAIL
    assert "clock.current-time" in rules(case, Severity.ERROR)
    assert "80 s behind" in case.reason
    offset = run_against_reference(["TC_001_CSMS"], quirks=["current-time-offset"], config=FAST)
    assert offset.cases[0].verdict is Verdict.PASS, offset.cases[0].reason


def test_a_held_charge_point_id_is_retried_and_unique_ids_are_uuids(
    run_against_reference: RunAgainstReference, tmp_path: Path
) -> None:
    trace = tmp_path / "trace.jsonl"
    cases = ["TC_001_CSMS", "TC_003_CSMS", "TC_004_1_CSMS", "TC_010_CSMS", "TC_012_CSMS"]
    result = run_against_reference(cases, quirks=["duplicate-id-hold"], config=FAST, trace=trace)
    for case in result.cases:
        assert case.verdict is Verdict.PASS, (case.id, case.reason)
    lines = trace_lines(trace)
    retried = [e for e in lines if e.get("event") == "connect-failed"]
    assert retried and all("409" in str(e["detail"]) for e in retried)
    ours = [json.loads(str(f["text"])) for f in lines if f.get("dir") == "cp->csms"]
    ids = [frame[1] for frame in ours if frame[0] == 2]
    assert ids and all(UUID.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
