"""Load statistics: outcomes per action, response-time percentiles, findings with examples,
and deltas that merge in another process to the same figures."""

from __future__ import annotations

import pickle

import pytest

from octt.findings import Finding, Severity
from octt.load.stats import (
    ALL_ACTIONS,
    EXAMPLE_FRAME_CHARS,
    EXAMPLES_PER_RULE,
    CallOutcome,
    StatsBook,
    summarise,
)

SCHEMA = Finding("schema.response", Severity.ERROR, "Heartbeat.conf: 'currentTime' missing")
UTC_RULE = Finding("ocpp.timestamp-not-utc", Severity.WARNING, "not UTC")


def fill(book: StatsBook) -> None:
    for n in range(1, 101):
        book.call_sent("Heartbeat")
        book.call_ended("Heartbeat", CallOutcome.RESULT, n * 1_000_000)
    book.call_sent("Authorize")
    book.call_ended("Authorize", CallOutcome.CALLERROR, 5_000_000)
    book.call_sent("Authorize")
    book.call_ended("Authorize", CallOutcome.TIMEOUT, None)
    book.call_sent("Authorize")
    book.call_ended("Authorize", CallOutcome.CLOSED, None)
    book.findings("Heartbeat", [SCHEMA, UTC_RULE], '[3,"x",{}]', incoming=False)
    book.csms_call("GetConfiguration", replied_with_error=False)
    book.csms_call("Frobnicate", replied_with_error=True)
    book.findings("Frobnicate", [SCHEMA], '[2,"c","Frobnicate",{}]', incoming=True)
    book.connection("attempts")
    book.connection("opened")
    book.connection("failed", "refused")


def test_outcomes_and_percentiles_per_action() -> None:
    book = StatsBook()
    fill(book)
    heartbeat, authorize, total = book.summary()
    assert (heartbeat.action, heartbeat.count, heartbeat.answered) == ("Heartbeat", 100, 100)
    assert (heartbeat.p50_s, heartbeat.p95_s, heartbeat.p99_s, heartbeat.max_s) == (
        0.05,
        0.095,
        0.099,
        0.1,
    )
    assert heartbeat.mean_s == pytest.approx(0.0505)
    assert (heartbeat.schema_failures, heartbeat.findings) == (1, 1)
    assert (authorize.count, authorize.callerrors, authorize.timeouts, authorize.closed) == (
        3,
        1,
        1,
        1,
    )
    assert authorize.errors == 2
    assert authorize.max_s == 0.005  # a CALLERROR is an answer: its time counts
    assert total.action == ALL_ACTIONS
    assert (total.count, total.errors, total.callerrors, total.max_s) == (103, 2, 1, 0.1)
    assert book.csms_calls["Frobnicate"]["callerrors"] == 1
    assert book.csms_calls["Frobnicate"]["schema_failures"] == 1
    assert book.rules == {"schema.response": 2, "ocpp.timestamp-not-utc": 1}
    assert book.connect_failures == {"refused": 1}


def test_deltas_merged_elsewhere_give_the_same_figures() -> None:
    worker = StatsBook()
    worker.track_changes()
    parent = StatsBook()
    fill(worker)
    parent.merge(pickle.loads(pickle.dumps(worker.take_delta())))
    fill(worker)
    parent.merge(pickle.loads(pickle.dumps(worker.take_delta())))
    parent.merge(worker.take_delta())  # nothing new
    assert parent.summary() == worker.summary()
    assert parent.rules == worker.rules
    assert parent.connections == worker.connections
    assert parent.examples == worker.examples


def test_a_book_that_does_not_track_changes_has_no_delta() -> None:
    with pytest.raises(RuntimeError):
        StatsBook().take_delta()


def test_examples_are_bounded_per_rule_and_cut() -> None:
    book = StatsBook()
    for _ in range(10):
        book.findings("Heartbeat", [SCHEMA], "x" * 5000, incoming=False)
    book.anomaly([Finding("json.duplicate-key", Severity.WARNING, "dup")], "{}")
    examples = [e for e in book.examples if e.rule == "schema.response"]
    assert len(examples) == EXAMPLES_PER_RULE
    assert len(examples[0].frame) == EXAMPLE_FRAME_CHARS
    assert book.rules == {"schema.response": 10, "json.duplicate-key": 1}
    assert "Heartbeat" in book.calls and book.calls["Heartbeat"]["count"] == 0
    assert [e.action for e in book.examples if e.rule == "json.duplicate-key"] == [""]


def test_no_answers_no_times() -> None:
    row = summarise("Heartbeat", {"count": 2, "timeouts": 2}, [])
    assert (row.p50_s, row.max_s, row.mean_s, row.errors) == (None, None, None, 2)
    assert row.to_json()["latency_s"] == {
        "p50": None,
        "p95": None,
        "p99": None,
        "max": None,
        "mean": None,
    }
    assert StatsBook().summary() == ()
