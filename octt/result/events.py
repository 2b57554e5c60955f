"""Events the engine emits, and the bus that hands them to the sinks (terminal, trace, result).

The engine knows nothing about how events are shown or stored; a sink is anything with
``handle(event)``. A sink that raises is a tool bug: the bus lets it propagate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from octt.catalog.selection import RunPlan
from octt.findings import Finding
from octt.result.model import CaseResult, RunResult


@dataclass(frozen=True)
class RunStarted:
    plan: RunPlan
    csms_url: str
    operator_mode: str
    edition: str = ""  # of the OCA test case document the run follows


@dataclass(frozen=True)
class CaseStarted:
    case_id: str
    title: str
    index: int
    total: int


@dataclass(frozen=True)
class StepStarted:
    case_id: str
    path: str
    description: str


@dataclass(frozen=True)
class FindingRaised:
    case_id: str
    finding: Finding


@dataclass(frozen=True)
class CaseFinished:
    result: CaseResult
    index: int
    total: int


@dataclass(frozen=True)
class RunCheckpoint:
    """The result so far, after each case (so an interrupted run leaves a valid result)."""

    result: RunResult


@dataclass(frozen=True)
class RunFinished:
    result: RunResult


@dataclass(frozen=True)
class Notice:
    """Something the person running octt should know (not a finding about the CSMS)."""

    message: str


Event = (
    RunStarted
    | CaseStarted
    | StepStarted
    | FindingRaised
    | CaseFinished
    | RunCheckpoint
    | RunFinished
    | Notice
)


class Sink(Protocol):
    def handle(self, event: Event) -> None: ...


class EventBus:
    def __init__(self, sinks: Sequence[Sink] = ()) -> None:
        self._sinks = list(sinks)

    def subscribe(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def emit(self, event: Event) -> None:
        for sink in self._sinks:
            sink.handle(event)
