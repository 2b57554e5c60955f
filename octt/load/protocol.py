"""One load station's OCPP-J frame handling, without I/O: shared by the asyncio load generator
(`octt.load.station`) and the synchronous Locust client (`octt.load.sync_client`).

The driver asks `begin_call` for the next CALL's text, hands it to its socket and reports the
hand-off stamp (`handed_off`); it feeds every message from the socket, with its arrival stamp, to
`receive`, which validates it (JSON rules, schema, rules beyond the schema), feeds the sans-I/O
`Session`, records the outcome and response time in the `StatsBook`, and returns the frames to
send back (answers to the CSMS's own CALLs, by the conformance simulator's responder). `expire`
ends a CALL whose response timeout passed; `connection_lost` one whose connection ended.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from octt.chargepoint import responder
from octt.chargepoint.messages import BuildError
from octt.clock import Clock
from octt.load.behaviour import StationBehaviour
from octt.load.stats import CallOutcome, StatsBook
from octt.ocppj.frames import Call, from_json, parse
from octt.ocppj.session import (
    Anomaly,
    AnswerMalformed,
    CallReceived,
    CallTimedOut,
    ErrorReceived,
    ResultReceived,
    Session,
)
from octt.validation.frames import FrameValidator
from octt.validation.rules import NOT_JSON

CSMS = "CSMS"
#: Unique ids a station's session remembers per direction (duplicates older than that are
#: reported as unknown ids): bounds a long load run's memory.
SESSION_HISTORY = 64


def call_text(call: Call) -> str:
    """The CALL's frame text, exactly as `Call.to_text` writes it, without its Decimal detour
    when there is no Decimal (the station's own payloads have none): the same compact JSON in
    a third of the time (OCPP-J 1.6 §4.2.1: [2, "<UniqueId>", "<Action>", {<payload>}])."""
    try:
        return _compact([2, call.unique_id, call.action, call.payload])
    except TypeError:  # a Decimal (or another type plain json cannot write): the exact writer
        return call.to_text()


_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class OwnFrameInvalid(Exception):
    """octt built a frame that breaks the schema: a bug in octt, never a finding on the CSMS."""


@dataclass(frozen=True)
class CallEnded:
    """What `receive`/`expire` report when the outstanding CALL is over."""

    action: str
    outcome: CallOutcome
    latency_ns: int | None
    response: dict[str, Any] | None = None
    error_code: str | None = None
    findings: tuple[str, ...] = ()  # rules of the validation findings on the answer


class StationProtocol:
    """Frames in, frames out, figures kept: one station's connection, seen by the load tools."""

    def __init__(
        self,
        behaviour: StationBehaviour,
        validator: FrameValidator,
        book: StatsBook,
        clock: Clock,
        *,
        response_timeout_s: float,
        on_call_ended: Callable[[CallEnded], None] | None = None,
    ) -> None:
        self.behaviour = behaviour
        self._validator = validator
        self._book = book
        self._clock = clock
        self._on_call_ended = on_call_ended
        self._ids = itertools.count(1)
        self.session = Session(
            response_timeout_s=response_timeout_s,
            id_factory=lambda: f"L{next(self._ids)}",
            history=SESSION_HISTORY,
        )
        self._sent_ns: int | None = None
        self._request: dict[str, Any] = {}

    @property
    def waiting(self) -> bool:
        """A CALL of ours awaits its answer."""
        return self.session.pending is not None

    def deadline(self) -> float | None:
        """The monotonic second the outstanding CALL times out at, if any."""
        return self.session.next_deadline()

    def begin_call(self) -> str:
        """The next CALL's frame text (registered with the session; send it, then `handed_off`)."""
        try:
            action, payload = self.behaviour.next_call(self.behaviour.state.now())
        except BuildError as exc:  # the script asked for something the state cannot build
            raise OwnFrameInvalid(str(exc)) from exc
        errors = self._validator.own_request_errors(action, payload)
        if errors:
            raise OwnFrameInvalid(f"{action}: " + "; ".join(errors))
        pending = self.session.prepare_call(action, payload, self._clock.monotonic())
        self._request = payload
        self._sent_ns = None
        return call_text(pending.call)

    def handed_off(self, stamp_ns: int) -> None:
        """The CALL went to the socket at `stamp_ns` (the transport's stamp)."""
        pending = self.session.pending
        if pending is None:  # answered already (a driver that stamps late): keep the count
            return
        self._sent_ns = stamp_ns
        self._book.call_sent(pending.call.action)

    def receive(self, message: str | bytes, stamp_ns: int) -> list[str]:
        """Handle one message from the CSMS; the frames to send back."""
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        book = self._book
        replies: list[str] = []
        findings, value = self._validator.read_text(text)
        if findings:
            book.anomaly(findings, text)
        frame = parse(text) if value is NOT_JSON else from_json(value)  # parse: the why
        for event in self.session.receive(frame, self._clock.monotonic()):
            if isinstance(event, ResultReceived | ErrorReceived | AnswerMalformed):
                action = event.pending.call.action
                latency = stamp_ns - self._sent_ns if self._sent_ns is not None else None
                if isinstance(event, ResultReceived):
                    found = self._validator.check_result(action, event.result, sender=CSMS)
                    book.findings(action, found, text, incoming=False)
                    self._ended(
                        CallEnded(
                            action,
                            CallOutcome.RESULT,
                            latency,
                            event.result.payload,
                            findings=tuple(f.rule for f in found),
                        )
                    )
                elif isinstance(event, ErrorReceived):
                    found = self._validator.check_error(action, event.error, sender=CSMS)
                    book.findings(action, found, text, incoming=False)
                    self._ended(
                        CallEnded(
                            action,
                            CallOutcome.CALLERROR,
                            latency,
                            error_code=event.error.error_code,
                            findings=tuple(f.rule for f in found),
                        )
                    )
                else:
                    self._ended(CallEnded(action, CallOutcome.MALFORMED, latency))
            elif isinstance(event, CallReceived):
                replies.append(self._answer(event.call, text))
            elif isinstance(event, Anomaly):
                book.anomaly([event.finding()], text)
        return replies

    def _answer(self, call: Call, text: str) -> str:
        found = self._validator.check_call(call, sender=CSMS)
        self._book.findings(call.action, found, text, incoming=True)
        state = self.behaviour.state
        known = self._validator.schemas.has_action(call.action)
        reply = responder.default_reply(state, call.action, call.payload, known_action=known)
        responder.commit(state, call.action, call.payload, reply)
        errored = isinstance(reply, responder.ErrorReply)
        self._book.csms_call(call.action, replied_with_error=errored)
        if isinstance(reply, responder.ErrorReply):
            error = self.session.prepare_error(call.unique_id, reply.code, reply.description)
            return error.to_text()
        return self.session.prepare_result(call.unique_id, reply).to_text()

    def expire(self, now: float) -> bool:
        """End the outstanding CALL if its response timeout has passed; whether it did."""
        for event in self.session.expire(now):
            if isinstance(event, CallTimedOut):
                self._ended(CallEnded(event.pending.call.action, CallOutcome.TIMEOUT, None))
                return True
        return False

    def connection_lost(self) -> None:
        """The connection ended; an outstanding CALL will get no answer."""
        pending = self.session.pending
        if pending is not None:
            self.session.expire(float("inf"))
            self._ended(CallEnded(pending.call.action, CallOutcome.CLOSED, None))

    def _ended(self, ended: CallEnded) -> None:
        if self._sent_ns is not None:  # counted as sent: count how it ended
            self._book.call_ended(ended.action, ended.outcome, ended.latency_ns)
        self.behaviour.answered(ended.action, self._request, ended.response)
        self._sent_ns = None
        if self._on_call_ended is not None:
            self._on_call_ended(ended)
