"""Response-time figures: nearest-rank percentile, unanswered calls count as failures."""

from __future__ import annotations

import pytest

from octt.result.model import ExchangeOutcome, ExchangeRecord, LimitVerdict, TimingSummary
from octt.result.performance import percentile, performance, summarise


def answered(seconds: float, action: str = "Heartbeat") -> ExchangeRecord:
    return ExchangeRecord(action, ExchangeOutcome.RESULT, 1, 2, seconds)


def unanswered(action: str = "Heartbeat") -> ExchangeRecord:
    return ExchangeRecord(action, ExchangeOutcome.TIMEOUT, 1, None, None)


# -- percentile ---------------------------------------------------------------------------------


def test_nearest_rank_percentile() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.95) == 19.0  # rank ceil(0.95 * 20) = 19
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 1.0) == 20.0
    assert percentile(values, 0.01) == 1.0


def test_percentile_is_an_observed_value() -> None:
    assert percentile([0.1, 0.2, 0.3], 0.95) == 0.3
    assert percentile([0.1, 0.2, 0.3], 0.34) == 0.2
    assert percentile([0.7], 0.95) == 0.7


@pytest.mark.parametrize("n", [1, 7, 20, 100, 101, 1000, 1999])
def test_percentile_rank_is_exact(n: int) -> None:
    values = [float(v) for v in range(1, n + 1)]
    exact_rank = -(-95 * n // 100)  # ceil(0.95 n) in integers
    assert percentile(values, 0.95) == float(exact_rank)


# -- summarise ----------------------------------------------------------------------------------


def test_summary_of_answered_calls() -> None:
    summary = summarise([answered(0.4), answered(0.1), answered(0.25), answered(0.25)], 1.0)
    assert summary == TimingSummary(
        count=4,
        min_s=0.1,
        avg_s=0.25,
        max_s=0.4,
        p95_s=0.4,
        limit_s=1.0,
        verdict=LimitVerdict.PASS,
        unanswered=0,
    )


def test_limit_is_inclusive() -> None:
    assert summarise([answered(5.0)], 5.0).verdict is LimitVerdict.PASS
    assert summarise([answered(5.001)], 5.0).verdict is LimitVerdict.FAIL


def test_one_slow_answer_fails() -> None:
    summary = summarise([answered(0.1)] * 99 + [answered(6.0)], 5.0)
    assert summary.verdict is LimitVerdict.FAIL
    assert summary.p95_s == 0.1
    assert summary.max_s == 6.0


def test_unanswered_call_counts_as_failure() -> None:
    summary = summarise([answered(0.1), unanswered()], 30.0)
    assert summary.verdict is LimitVerdict.FAIL
    assert summary.unanswered == 1
    assert summary.count == 1  # only answered calls have a time


def test_only_unanswered_calls_fail_without_figures() -> None:
    summary = summarise([unanswered(), unanswered()], 30.0)
    assert summary == TimingSummary(0, None, None, None, None, 30.0, LimitVerdict.FAIL, 2)


def test_no_data() -> None:
    assert summarise([], 5.0) == TimingSummary(0, None, None, None, None, 5.0, LimitVerdict.NO_DATA)


def test_call_error_answers_have_a_response_time() -> None:
    error = ExchangeRecord("Heartbeat", ExchangeOutcome.ERROR, 1, 2, 0.3)
    assert summarise([error], 1.0).count == 1


# -- performance --------------------------------------------------------------------------------


def test_performance_splits_authorize_and_ignores_closed_connections() -> None:
    exchanges = [
        answered(0.2, "BootNotification"),
        answered(1.5, "Authorize"),
        answered(0.5, "Authorize"),
        ExchangeRecord("Heartbeat", ExchangeOutcome.CLOSED, 7, None, None),
    ]
    figures = performance(exchanges, response_limit_s=30, authorize_limit_s=1.0)
    assert figures.response_time.count == 3
    assert figures.response_time.unanswered == 0
    assert figures.response_time.verdict is LimitVerdict.PASS
    assert figures.authorize.count == 2
    assert figures.authorize.max_s == 1.5
    assert figures.authorize.verdict is LimitVerdict.FAIL
    assert figures.authorize.limit_s == 1.0


def test_performance_without_authorize() -> None:
    figures = performance([answered(0.1)], response_limit_s=30, authorize_limit_s=5)
    assert figures.authorize.verdict is LimitVerdict.NO_DATA
    assert figures.to_json()["authorize"]["verdict"] == "no_data"


def test_unanswered_authorize_fails_both_figures() -> None:
    figures = performance([unanswered("Authorize")], response_limit_s=30, authorize_limit_s=5)
    assert figures.response_time.verdict is LimitVerdict.FAIL
    assert figures.authorize.verdict is LimitVerdict.FAIL
