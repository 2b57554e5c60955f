"""Load statistics: per-action counters and response times, kept where the frames are handled
and merged where they are shown.

A worker process keeps a `StatsBook` for its stations and hands out what changed since the last
time as a `StatsDelta` (plain picklable data: counters and the new response times); the parent
folds the deltas of every worker into its own book, from which `summary` draws the figures.
Response times are kept exactly (8 bytes each) so p99 and max are the true ones, not a
histogram's estimate.

Per charge-point-initiated action:

* ``count`` CALLs sent; ``answered`` with a CALLRESULT; ``callerrors`` answered with a CALLERROR;
* ``errors`` CALLs that got no usable answer: ``timeouts`` (none within the response timeout),
  ``closed`` (the connection ended first) and ``malformed`` (an answer that is not a valid frame);
* ``schema_failures`` answers that break the action's response schema; ``findings`` every other
  validation finding on the answers (rules beyond the schema, e.g. a timestamp not in UTC);
* response times of every answer (CALLRESULT or CALLERROR): from the hand-off of the CALL to
  the socket to the arrival of the answer, both stamped in the transport.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from octt.findings import Finding
from octt.result.performance import percentile

#: Example findings kept per rule (with the text of the frame they were found on).
EXAMPLES_PER_RULE = 3
#: An example frame is cut to this many characters.
EXAMPLE_FRAME_CHARS = 600


class CallOutcome(StrEnum):
    RESULT = "result"
    CALLERROR = "callerror"
    TIMEOUT = "timeout"
    CLOSED = "closed"
    MALFORMED = "malformed"


_COUNTERS = ("count", "answered", "callerrors", "timeouts", "closed", "malformed")
_OUTCOME_COUNTER = {
    CallOutcome.RESULT: "answered",
    CallOutcome.CALLERROR: "callerrors",
    CallOutcome.TIMEOUT: "timeouts",
    CallOutcome.CLOSED: "closed",
    CallOutcome.MALFORMED: "malformed",
}


@dataclass(frozen=True)
class FindingExample:
    rule: str
    severity: str
    message: str
    action: str
    frame: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "action": self.action,
            "frame": self.frame,
        }


@dataclass(frozen=True)
class StatsDelta:
    """What changed in a book since the last delta: counters to add, times to append."""

    calls: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    latencies_ns: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    csms_calls: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    rules: Mapping[str, int] = field(default_factory=dict)
    examples: tuple[FindingExample, ...] = ()
    connections: Mapping[str, int] = field(default_factory=dict)
    connect_failures: Mapping[str, int] = field(default_factory=dict)


class StatsBook:
    """Counters and response times of many stations (one process's, or merged)."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, int]] = {}
        self.latencies_ns: dict[str, array[int]] = {}
        self.csms_calls: dict[str, dict[str, int]] = {}
        self.rules: dict[str, int] = {}
        self.examples: list[FindingExample] = []
        self.connections: dict[str, int] = {"attempts": 0, "opened": 0, "lost": 0}
        self.connect_failures: dict[str, int] = {}
        self._pending: StatsBook | None = None  # changes since the last delta (workers only)

    # -- recording (in the process that handles the frames) ------------------------------------

    def track_changes(self) -> None:
        """Keep the changes since the last `take_delta` (a worker's book does)."""
        self._pending = StatsBook()

    def _books(self) -> Iterable[StatsBook]:
        yield self
        if self._pending is not None:
            yield self._pending

    def call_sent(self, action: str) -> None:
        for book in self._books():
            book._counter(book.calls, action)["count"] += 1

    def call_ended(self, action: str, outcome: CallOutcome, latency_ns: int | None) -> None:
        for book in self._books():
            book._counter(book.calls, action)[_OUTCOME_COUNTER[outcome]] += 1
            if latency_ns is not None:
                book.latencies_ns.setdefault(action, array("q")).append(latency_ns)

    def findings(
        self, action: str, found: Iterable[Finding], frame: str, *, incoming: bool
    ) -> None:
        """Validation findings on a frame from the CSMS (an answer to `action`, or its CALL)."""
        for finding in found:
            kind = "schema_failures" if finding.rule.startswith("schema.") else "findings"
            for book in self._books():
                table = book.csms_calls if incoming else book.calls
                book._counter(table, action)[kind] += 1
                book.rules[finding.rule] = book.rules.get(finding.rule, 0) + 1
                if self._example_wanted(book, finding.rule):
                    book.examples.append(
                        FindingExample(
                            finding.rule,
                            finding.severity.value,
                            finding.message,
                            action,
                            frame[:EXAMPLE_FRAME_CHARS],
                        )
                    )

    def anomaly(self, found: Iterable[Finding], frame: str) -> None:
        """Findings on a frame that belong to no action (JSON rules, OCPP-J anomalies)."""
        for finding in found:
            for book in self._books():
                book.rules[finding.rule] = book.rules.get(finding.rule, 0) + 1
                if self._example_wanted(book, finding.rule):
                    book.examples.append(
                        FindingExample(
                            finding.rule,
                            finding.severity.value,
                            finding.message,
                            "",
                            frame[:EXAMPLE_FRAME_CHARS],
                        )
                    )

    @staticmethod
    def _example_wanted(book: StatsBook, rule: str) -> bool:
        return sum(1 for e in book.examples if e.rule == rule) < EXAMPLES_PER_RULE

    def csms_call(self, action: str, *, replied_with_error: bool) -> None:
        """A CALL the CSMS sent to a station, and whether the station answered CALLERROR."""
        for book in self._books():
            counter = book._counter(book.csms_calls, action)
            counter["count"] += 1
            if replied_with_error:
                counter["callerrors"] += 1

    def connection(self, event: str, failure: str | None = None) -> None:
        """`attempts`, `opened`, `lost` (closed by the CSMS or the network), or `failed`."""
        for book in self._books():
            if failure is not None:
                book.connect_failures[failure] = book.connect_failures.get(failure, 0) + 1
            else:
                book.connections[event] = book.connections.get(event, 0) + 1

    @staticmethod
    def _counter(table: dict[str, dict[str, int]], action: str) -> dict[str, int]:
        counter = table.get(action)
        if counter is None:
            counter = dict.fromkeys((*_COUNTERS, "schema_failures", "findings"), 0)
            table[action] = counter
        return counter

    # -- moving between processes --------------------------------------------------------------

    def take_delta(self) -> StatsDelta:
        """The changes since the last call (the book must `track_changes`)."""
        pending = self._pending
        if pending is None:
            raise RuntimeError("this book does not track changes")
        self._pending = StatsBook()
        return StatsDelta(
            calls=pending.calls,
            latencies_ns={a: tuple(v) for a, v in pending.latencies_ns.items()},
            csms_calls=pending.csms_calls,
            rules=pending.rules,
            examples=tuple(pending.examples),
            connections={k: v for k, v in pending.connections.items() if v},
            connect_failures=pending.connect_failures,
        )

    def merge(self, delta: StatsDelta) -> None:
        for action, counts in delta.calls.items():
            _add(self._counter(self.calls, action), counts)
        for action, times in delta.latencies_ns.items():
            self.latencies_ns.setdefault(action, array("q")).extend(times)
        for action, counts in delta.csms_calls.items():
            _add(self._counter(self.csms_calls, action), counts)
        _add(self.rules, delta.rules)
        for example in delta.examples:
            if self._example_wanted(self, example.rule):
                self.examples.append(example)
        _add(self.connections, delta.connections)
        _add(self.connect_failures, delta.connect_failures)

    # -- figures -------------------------------------------------------------------------------

    def summary(self) -> tuple[ActionSummary, ...]:
        """Per action, busiest first; then the total over every action ("all")."""
        rows = [
            summarise(action, counts, self.latencies_ns.get(action, ()))
            for action, counts in self.calls.items()
        ]
        rows.sort(key=lambda r: (-r.count, r.action))
        if rows:
            total: dict[str, int] = {}
            for counts in self.calls.values():
                _add(total, counts)
            every = [t for times in self.latencies_ns.values() for t in times]
            rows.append(summarise(ALL_ACTIONS, total, every))
        return tuple(rows)


ALL_ACTIONS = "all"


def _add(target: dict[str, int], source: Mapping[str, int]) -> None:
    for key, value in source.items():
        target[key] = target.get(key, 0) + value


@dataclass(frozen=True)
class ActionSummary:
    """The figures of one action (or of all, as `ALL_ACTIONS`)."""

    action: str
    count: int
    answered: int
    callerrors: int
    timeouts: int
    closed: int
    malformed: int
    schema_failures: int
    findings: int
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None
    max_s: float | None
    mean_s: float | None

    @property
    def errors(self) -> int:
        """CALLs that got no usable answer."""
        return self.timeouts + self.closed + self.malformed

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "count": self.count,
            "answered": self.answered,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "closed": self.closed,
            "malformed": self.malformed,
            "callerrors": self.callerrors,
            "schema_failures": self.schema_failures,
            "findings": self.findings,
            "latency_s": {
                "p50": _round(self.p50_s),
                "p95": _round(self.p95_s),
                "p99": _round(self.p99_s),
                "max": _round(self.max_s),
                "mean": _round(self.mean_s),
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def summarise(action: str, counts: Mapping[str, int], latencies_ns: Iterable[int]) -> ActionSummary:
    ordered = sorted(latencies_ns)
    seconds = [ns / 1e9 for ns in ordered]

    def pct(fraction: float) -> float | None:
        return percentile(seconds, fraction) if seconds else None

    return ActionSummary(
        action=action,
        count=counts.get("count", 0),
        answered=counts.get("answered", 0),
        callerrors=counts.get("callerrors", 0),
        timeouts=counts.get("timeouts", 0),
        closed=counts.get("closed", 0),
        malformed=counts.get("malformed", 0),
        schema_failures=counts.get("schema_failures", 0),
        findings=counts.get("findings", 0),
        p50_s=pct(0.50),
        p95_s=pct(0.95),
        p99_s=pct(0.99),
        max_s=seconds[-1] if seconds else None,
        mean_s=sum(seconds) / len(seconds) if seconds else None,
    )
