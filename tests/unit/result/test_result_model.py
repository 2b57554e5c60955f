"""The result model: profile verdict rules and the JSON form of each record."""

from __future__ import annotations

import pytest

from octt.findings import Finding, Severity
from octt.result.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    LimitVerdict,
    OperatorRecord,
    ProfileResult,
    ProfileVerdict,
    StepRecord,
    StepStatus,
    TimingSummary,
    Verdict,
    summarise_profile,
)


def cases(*verdicts: Verdict) -> list[CaseResult]:
    return [CaseResult(f"TC_{i:03d}_CSMS", "t", "core", v) for i, v in enumerate(verdicts, 1)]


P, F, E, S, N = Verdict.PASS, Verdict.FAIL, Verdict.ERROR, Verdict.SKIPPED, Verdict.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ((P, P), ProfileVerdict.PASS),
        ((P, N), ProfileVerdict.PASS),  # not-applicable cases do not spoil a pass
        ((P, F), ProfileVerdict.FAIL),
        ((F, E, S), ProfileVerdict.FAIL),  # a failure wins over everything
        ((P, E), ProfileVerdict.INCOMPLETE),
        ((P, S), ProfileVerdict.INCOMPLETE),
        ((E,), ProfileVerdict.INCOMPLETE),
        ((S, N), ProfileVerdict.INCOMPLETE),
        ((P, Verdict.NOT_RUN), ProfileVerdict.INCOMPLETE),  # missing test data: never a pass
        ((N, N), ProfileVerdict.NOT_APPLICABLE),
        ((), ProfileVerdict.NOT_APPLICABLE),
    ],
)
def test_profile_verdict_rules(verdicts: tuple[Verdict, ...], expected: ProfileVerdict) -> None:
    assert summarise_profile("core", cases(*verdicts)).verdict is expected


def test_profile_counts() -> None:
    result = summarise_profile("core", cases(P, P, F, E, S, N, N))
    assert result == ProfileResult("core", ProfileVerdict.FAIL, 2, 1, 7, 1, 1, 2)
    assert result.to_json() == {
        "name": "core",
        "verdict": "fail",
        "passed": 2,
        "failed": 1,
        "errors": 1,
        "skipped": 1,
        "not_applicable": 2,
        "total": 7,
    }


def test_case_errors_and_warnings() -> None:
    error = Finding("a", Severity.ERROR, "x")
    warning = Finding("b", Severity.WARNING, "y")
    case = CaseResult("TC_001_CSMS", "t", "core", Verdict.FAIL, findings=(warning, error))
    assert case.errors == (error,)
    assert case.warnings == (warning,)


def test_case_to_json_rounds_and_lists() -> None:
    case = CaseResult(
        "TC_001_CSMS",
        "Cold boot",
        "core",
        Verdict.PASS,
        reason="",
        duration_s=1.23456,
        started_at="2026-01-01T00:00:00.000Z",
        findings=(Finding("r", Severity.WARNING, "m", "s", (1, 2), "1"),),
        steps=(StepRecord("1", "send", "send Boot", "f:3", StepStatus.OK, "t", 0.1234567, (1, 2)),),
        exchanges=(ExchangeRecord("BootNotification", ExchangeOutcome.RESULT, 1, 2, 0.0123456),),
        operator=(OperatorRecord("Reset", "done", "", 2.34567),),
        location="f:1",
    )
    data = case.to_json()
    assert data["duration_s"] == 1.235
    assert data["verdict"] == "pass"
    assert data["findings"] == [
        {
            "rule": "r",
            "severity": "warning",
            "message": "m",
            "spec": "s",
            "step": "1",
            "frames": [1, 2],
        }
    ]
    assert data["steps"][0]["duration_s"] == 0.123457
    assert data["steps"][0]["status"] == "ok"
    assert data["steps"][0]["started_at"] == "t"
    assert data["exchanges"][0] == {
        "action": "BootNotification",
        "outcome": "result",
        "request_frame": 1,
        "response_frame": 2,
        "response_s": 0.012346,
    }
    assert data["operator"][0]["elapsed_s"] == 2.346


def test_unanswered_exchange_has_null_response() -> None:
    record = ExchangeRecord("Heartbeat", ExchangeOutcome.TIMEOUT, 5, None, None)
    assert record.to_json()["response_s"] is None
    assert record.to_json()["response_frame"] is None


def test_timing_summary_to_json() -> None:
    summary = TimingSummary(0, None, None, None, None, 30, LimitVerdict.NO_DATA)
    assert summary.to_json() == {
        "count": 0,
        "min_s": None,
        "avg_s": None,
        "max_s": None,
        "p95_s": None,
        "limit_s": 30,
        "unanswered": 0,
        "verdict": "no_data",
    }
