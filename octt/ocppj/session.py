"""The OCPP-J 1.6 session state machine, without I/O.

The session is fed parsed frames and the current monotonic time; it returns events. It tracks
the CALL we sent that awaits its answer, the CALLs we received and have yet to answer, and the
unique ids seen in both directions. It never drops an anomaly: a response to nothing, a reused
unique id or a second CALL while one is outstanding become `Anomaly` events for the caller to
report. The asyncio layer (`octt.engine.link`) does the reading, writing and waiting.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from octt.findings import Finding, Severity
from octt.ocppj.frames import Call, CallError, CallResult, Malformed, MessageTypeId, Parsed

SPEC_SYNCHRONICITY = "OCPP-J 1.6 §4.1.1"
SPEC_MESSAGE_ID = "OCPP-J 1.6 §4.1.4"
SPEC_FRAMES = "OCPP-J 1.6 §4.2"


class AnomalyKind(StrEnum):
    MALFORMED = "malformed-frame"
    UNKNOWN_UNIQUE_ID = "unknown-unique-id"
    DUPLICATE_RESPONSE = "duplicate-response"
    LATE_RESPONSE = "late-response"
    REUSED_UNIQUE_ID = "reused-unique-id"
    CONCURRENT_CALL = "concurrent-call"


_ANOMALY_RULES: dict[AnomalyKind, tuple[str, str]] = {
    AnomalyKind.MALFORMED: ("ocppj.malformed-frame", SPEC_FRAMES),
    AnomalyKind.UNKNOWN_UNIQUE_ID: ("ocppj.unknown-unique-id", SPEC_MESSAGE_ID),
    AnomalyKind.DUPLICATE_RESPONSE: ("ocppj.duplicate-response", SPEC_MESSAGE_ID),
    AnomalyKind.LATE_RESPONSE: ("ocppj.late-response", SPEC_SYNCHRONICITY),
    AnomalyKind.REUSED_UNIQUE_ID: ("ocppj.reused-unique-id", SPEC_MESSAGE_ID),
    AnomalyKind.CONCURRENT_CALL: ("ocppj.concurrent-call", SPEC_SYNCHRONICITY),
}


@dataclass(frozen=True)
class PendingCall:
    """A CALL we sent and the deadline for its answer."""

    call: Call
    sent_at: float
    deadline: float


@dataclass(frozen=True)
class CallReceived:
    call: Call


@dataclass(frozen=True)
class ResultReceived:
    pending: PendingCall
    result: CallResult


@dataclass(frozen=True)
class ErrorReceived:
    pending: PendingCall
    error: CallError


@dataclass(frozen=True)
class AnswerMalformed:
    """A broken CALLRESULT/CALLERROR carrying the pending CALL's unique id: the CSMS answered,
    badly. The pending call is over (no response timeout follows); the Anomaly says what broke."""

    pending: PendingCall


@dataclass(frozen=True)
class CallTimedOut:
    pending: PendingCall


@dataclass(frozen=True)
class Anomaly:
    kind: AnomalyKind
    detail: str
    unique_id: str | None = None
    # The CALL whose response arrived late (for LATE_RESPONSE), if known.
    action: str | None = None

    def finding(self, frames: tuple[int, ...] = ()) -> Finding:
        rule, spec = _ANOMALY_RULES[self.kind]
        return Finding(rule, Severity.ERROR, self.detail, spec, frames)


SessionEvent = (
    CallReceived | ResultReceived | ErrorReceived | AnswerMalformed | CallTimedOut | Anomaly
)


def _counter_ids() -> Iterator[str]:
    for n in itertools.count(1):
        yield f"octt-{n}"


class Session:
    """One OCPP-J connection's message bookkeeping, as seen from the charge point."""

    def __init__(
        self,
        *,
        response_timeout_s: float,
        id_factory: Callable[[], str] | None = None,
        history: int | None = None,
    ) -> None:
        """`history`: how many unique ids to remember per table (None: all of them, as a test
        case needs; a long load run bounds its memory, and an answer to a CALL older than that
        is then reported as an unknown unique id instead of a duplicate or late one)."""
        self._response_timeout_s = response_timeout_s
        ids = _counter_ids()
        self._next_id = id_factory or (lambda: next(ids))
        self._history = history
        self._pending: PendingCall | None = None
        # Answered CALLs: unique id -> action. Only the action is kept, as text: a long load
        # run holds thousands of these, and plain strings are not the garbage collector's work.
        self._completed: dict[str, str] = {}
        self._timed_out: dict[str, PendingCall] = {}
        self._sent_ids: dict[str, None] = {}  # dicts keep insertion order: oldest first
        self._received_call_ids: dict[str, None] = {}
        self._unanswered_incoming: dict[str, Call] = {}

    def _forget_oldest(self, table: dict[str, Any]) -> None:
        if self._history is not None and len(table) > self._history:
            del table[next(iter(table))]

    # -- outgoing -------------------------------------------------------------------------

    @property
    def pending(self) -> PendingCall | None:
        return self._pending

    def prepare_call(
        self, action: str, payload: dict[str, Any], now: float, timeout_s: float | None = None
    ) -> PendingCall:
        """Register a CALL to send. OCPP-J 1.6 §4.1.1: one CALL at a time per direction."""
        if self._pending is not None:
            raise RuntimeError(
                f"a {self._pending.call.action} CALL is still awaiting its answer (OCPP-J §4.1.1)"
            )
        unique_id = self._next_id()
        while unique_id in self._sent_ids:
            unique_id = self._next_id()
        self._sent_ids[unique_id] = None
        self._forget_oldest(self._sent_ids)
        timeout = self._response_timeout_s if timeout_s is None else timeout_s
        pending = PendingCall(Call(unique_id, action, payload), now, now + timeout)
        self._pending = pending
        return pending

    def prepare_result(self, unique_id: str, payload: dict[str, Any]) -> CallResult:
        self._unanswered_incoming.pop(unique_id, None)
        return CallResult(unique_id, payload)

    def prepare_error(
        self, unique_id: str, code: str, description: str, details: dict[str, Any] | None = None
    ) -> CallError:
        self._unanswered_incoming.pop(unique_id, None)
        return CallError(unique_id, code, description, details or {})

    def unanswered_incoming(self) -> tuple[Call, ...]:
        return tuple(self._unanswered_incoming.values())

    # -- incoming -------------------------------------------------------------------------

    def receive(self, frame: Parsed, now: float) -> list[SessionEvent]:
        if isinstance(frame, Malformed):
            anomaly = Anomaly(AnomalyKind.MALFORMED, frame.detail, frame.unique_id)
            pending = self._pending
            answers_pending = (
                frame.message_type in (MessageTypeId.CALL_RESULT, MessageTypeId.CALL_ERROR)
                and pending is not None
                and frame.unique_id == pending.call.unique_id
            )
            if answers_pending and pending is not None:
                self._pending = None
                self._complete(pending)
                return [anomaly, AnswerMalformed(pending)]
            return [anomaly]
        if isinstance(frame, Call):
            return self._receive_call(frame)
        return self._receive_answer(frame, now)

    def _receive_call(self, call: Call) -> list[SessionEvent]:
        events: list[SessionEvent] = []
        if call.unique_id in self._received_call_ids:
            events.append(
                Anomaly(
                    AnomalyKind.REUSED_UNIQUE_ID,
                    f"the CSMS reused unique id {call.unique_id!r} for a new {call.action} CALL",
                    call.unique_id,
                )
            )
        if self._unanswered_incoming:
            waiting = ", ".join(c.action for c in self._unanswered_incoming.values())
            events.append(
                Anomaly(
                    AnomalyKind.CONCURRENT_CALL,
                    f"the CSMS sent {call.action} while its {waiting} CALL was still unanswered",
                    call.unique_id,
                )
            )
        self._received_call_ids[call.unique_id] = None
        self._forget_oldest(self._received_call_ids)
        self._unanswered_incoming[call.unique_id] = call
        events.append(CallReceived(call))
        return events

    def _receive_answer(self, frame: CallResult | CallError, now: float) -> list[SessionEvent]:
        kind = "CALLRESULT" if isinstance(frame, CallResult) else "CALLERROR"
        pending = self._pending
        if pending is not None and pending.call.unique_id == frame.unique_id:
            self._pending = None
            self._complete(pending)
            if isinstance(frame, CallResult):
                return [ResultReceived(pending, frame)]
            return [ErrorReceived(pending, frame)]
        if frame.unique_id in self._timed_out:
            late = self._timed_out.pop(frame.unique_id)
            self._complete(late)
            return [
                Anomaly(
                    AnomalyKind.LATE_RESPONSE,
                    f"{kind} for {late.call.action} arrived {now - late.deadline:.3f} s after the"
                    " response timeout",
                    frame.unique_id,
                    late.call.action,
                )
            ]
        done_action = self._completed.get(frame.unique_id)
        if done_action is not None:
            return [
                Anomaly(
                    AnomalyKind.DUPLICATE_RESPONSE,
                    f"a second {kind} for the {done_action} CALL {frame.unique_id!r}",
                    frame.unique_id,
                    done_action,
                )
            ]
        expected = f" (awaiting {pending.call.unique_id!r})" if pending else ""
        return [
            Anomaly(
                AnomalyKind.UNKNOWN_UNIQUE_ID,
                f"{kind} with unique id {frame.unique_id!r} answers no CALL we sent{expected}",
                frame.unique_id,
            )
        ]

    # -- time -----------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        return self._pending.deadline if self._pending else None

    def expire(self, now: float) -> list[SessionEvent]:
        pending = self._pending
        if pending is None or now < pending.deadline:
            return []
        self._pending = None
        self._timed_out[pending.call.unique_id] = pending
        self._forget_oldest(self._timed_out)
        return [CallTimedOut(pending)]

    def _complete(self, pending: PendingCall) -> None:
        self._completed[pending.call.unique_id] = pending.call.action
        self._forget_oldest(self._completed)
