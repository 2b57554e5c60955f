"""The event types and the bus that hands them to the sinks."""

from __future__ import annotations

import dataclasses

import pytest

from octt.catalog.selection import RunPlan
from octt.findings import Finding, Severity
from octt.result.events import (
    CaseFinished,
    CaseStarted,
    Event,
    EventBus,
    FindingRaised,
    Notice,
    RunCheckpoint,
    RunFinished,
    RunStarted,
    Sink,
    StepStarted,
)
from octt.result.model import CaseResult, Verdict


class Recording:
    def __init__(self, name: str, log: list[tuple[str, Event]]) -> None:
        self.name = name
        self.log = log

    def handle(self, event: Event) -> None:
        self.log.append((self.name, event))


class Exploding:
    def handle(self, event: Event) -> None:
        raise RuntimeError("sink bug")


def test_every_sink_gets_every_event_in_subscription_order() -> None:
    log: list[tuple[str, Event]] = []
    bus = EventBus([Recording("a", log)])
    bus.subscribe(Recording("b", log))
    first, second = Notice("one"), Notice("two")
    bus.emit(first)
    bus.emit(second)
    assert log == [("a", first), ("b", first), ("a", second), ("b", second)]


def test_a_bus_without_sinks_accepts_events() -> None:
    EventBus().emit(Notice("nobody listens"))


def test_the_bus_keeps_its_own_list_of_sinks() -> None:
    log: list[tuple[str, Event]] = []
    sinks: list[Sink] = [Recording("a", log)]
    bus = EventBus(sinks)
    sinks.append(Recording("b", log))  # changing the caller's list changes nothing
    bus.emit(Notice("x"))
    assert [name for name, _ in log] == ["a"]


def test_a_failing_sink_propagates_and_stops_later_sinks() -> None:
    log: list[tuple[str, Event]] = []
    bus = EventBus([Exploding(), Recording("after", log)])
    with pytest.raises(RuntimeError, match="sink bug"):
        bus.emit(Notice("x"))
    assert log == []


def test_events_are_immutable_values() -> None:
    finding = Finding("r", Severity.ERROR, "m")
    case = CaseResult("TC_001_CSMS", "t", "core", Verdict.PASS)
    events: list[Event] = [
        RunStarted(RunPlan(()), "ws://127.0.0.1:1", "none"),
        CaseStarted("TC_001_CSMS", "t", 1, 2),
        StepStarted("TC_001_CSMS", "1", "send Heartbeat"),
        FindingRaised("TC_001_CSMS", finding),
        CaseFinished(case, 1, 2),
        Notice("n"),
    ]
    for event in events:
        field = dataclasses.fields(event)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(event, field, None)
    assert FindingRaised("TC_001_CSMS", finding) == FindingRaised("TC_001_CSMS", finding)
    assert CaseStarted("A", "t", 1, 2) != CaseStarted("A", "t", 2, 2)


def test_checkpoint_and_finished_carry_the_result() -> None:
    assert [f.name for f in dataclasses.fields(RunCheckpoint)] == ["result"]
    assert [f.name for f in dataclasses.fields(RunFinished)] == ["result"]
