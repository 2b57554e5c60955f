"""The asyncio layer around one OCPP-J session: transport → recorder → session → validation.

A `Link` owns one WebSocket connection of the simulated charge point. A reader task takes every
message off the socket, records it (stamped, before parsing), parses it, feeds the sans-I/O
`Session`, validates it, and then either resolves the CALL we are waiting on or hands an incoming
CALL to the dispatcher. Anomalies become findings through `on_finding`; nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from octt.clock import Clock
from octt.findings import Finding, Severity
from octt.ocppj.frames import Call, CallError, parse
from octt.ocppj.session import (
    Anomaly,
    AnswerMalformed,
    CallReceived,
    ErrorReceived,
    ResultReceived,
    Session,
    SessionEvent,
)
from octt.record.model import ConnectionEventKind, Direction
from octt.record.trace import Recorder
from octt.report.model import ExchangeOutcome
from octt.transport.websocket import TransportClosed
from octt.validation.frames import FrameValidator

CSMS = "CSMS"
CHARGE_POINT = "charge point"


class Transport(Protocol):
    @property
    def subprotocol(self) -> str | None: ...

    async def send(self, text: str) -> int:
        """Send one text frame; the monotonic ns at which it was handed to the socket."""
        ...

    async def recv(self) -> tuple[str | bytes, int]: ...

    async def close(self) -> None: ...

    def abort(self) -> None: ...


class OwnMessageInvalid(Exception):
    """The harness built a message that breaks the OCPP schema: a bug in octt, not the CSMS."""


@dataclass(frozen=True)
class Exchange:
    """A CALL the charge point sent and what became of it."""

    action: str
    request: dict[str, Any]
    outcome: ExchangeOutcome
    request_frame: int
    response: dict[str, Any] | None = None
    error: CallError | None = None
    response_frame: int | None = None
    response_ns: int | None = None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class IncomingCall:
    """A CALL from the CSMS, with the findings its frame produced."""

    call: Call
    frame: int
    findings: tuple[Finding, ...]


# What ends the wait for an answer: the session event, its frame's seq and stamp, findings.
_Outcome = tuple[SessionEvent, int, int, tuple[Finding, ...]]


@dataclass
class _Waiter:
    unique_id: str
    future: asyncio.Future[_Outcome]


class Link:
    def __init__(
        self,
        transport: Transport,
        *,
        connection: int,
        recorder: Recorder,
        validator: FrameValidator,
        session: Session,
        clock: Clock,
        dispatch: Callable[[IncomingCall], None],
        on_finding: Callable[[Finding], None],
    ) -> None:
        self._transport = transport
        self.connection = connection
        self._recorder = recorder
        self._validator = validator
        self._session = session
        self._clock = clock
        self._dispatch = dispatch
        self._on_finding = on_finding
        self._waiter: _Waiter | None = None
        self._reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_detail = ""
        self.closed_by_us = False

    @property
    def subprotocol(self) -> str | None:
        return self._transport.subprotocol

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read_loop(), name=f"octt-reader-{self.connection}")

    # -- reading ---------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        try:
            while True:
                try:
                    message, stamp = await self._transport.recv()
                except TransportClosed as exc:
                    self._mark_closed(str(exc))
                    return
                self._handle(message, stamp)
        except asyncio.CancelledError:
            self._mark_closed("closed by octt")
            raise
        except Exception as exc:  # a bug in the harness must not hang the case
            self._mark_closed(f"reader failed: {exc!r}")
            raise

    def _handle(self, message: str | bytes, stamp: int) -> None:
        binary = isinstance(message, bytes)
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        frame = self._recorder.frame(
            self.connection, Direction.FROM_CSMS, text, stamp, binary=binary
        )
        seq = (frame.seq,)
        if binary:
            self._on_finding(
                Finding(
                    "ocppj.binary-frame",
                    Severity.ERROR,
                    "the CSMS sent a binary WebSocket message; OCPP-J messages are UTF-8 JSON text",
                    "OCPP-J 1.6 §4.1.2",
                    seq,
                )
            )
        for finding in self._validator.check_text(text):
            self._on_finding(_with_frames(finding, seq))
        parsed = parse(text)
        for event in self._session.receive(parsed, self._clock.monotonic()):
            self._route(event, frame.seq, stamp)

    def _route(self, event: SessionEvent, seq: int, stamp: int) -> None:
        if isinstance(event, Anomaly):
            self._on_finding(event.finding((seq,)))
        elif isinstance(event, AnswerMalformed):
            self._resolve(event.pending.call.unique_id, (event, seq, stamp, ()))
        elif isinstance(event, CallReceived):
            findings = tuple(
                _with_frames(f, (seq,)) for f in self._validator.check_call(event.call, sender=CSMS)
            )
            self._dispatch(IncomingCall(event.call, seq, findings))
        elif isinstance(event, ResultReceived | ErrorReceived):
            action = event.pending.call.action
            if isinstance(event, ResultReceived):
                checks = self._validator.check_result(action, event.result, sender=CSMS)
            else:
                checks = self._validator.check_error(action, event.error, sender=CSMS)
            findings = tuple(_with_frames(f, (seq,)) for f in checks)
            if not self._resolve(event.pending.call.unique_id, (event, seq, stamp, findings)):
                for finding in findings:  # pragma: no cover - the session matches the pending call
                    self._on_finding(finding)

    def _resolve(self, unique_id: str, outcome: _Outcome) -> bool:
        waiter = self._waiter
        if waiter is None or waiter.unique_id != unique_id:
            return False
        if not waiter.future.done():
            waiter.future.set_result(outcome)
        return True

    def _mark_closed(self, detail: str) -> None:
        if self.closed.is_set():
            return
        self.close_detail = detail
        self.closed.set()
        self._recorder.event(self.connection, ConnectionEventKind.CLOSE, detail)

    # -- writing ---------------------------------------------------------------------------

    async def _send_text(self, text: str) -> int:
        return (await self._send_frame(text))[0]

    async def _send_frame(self, text: str) -> tuple[int, int]:
        """Send one frame: its seq (taken before the hand-off, so a fast answer is numbered
        after it) and the transport's hand-off stamp, which is also the trace's stamp."""
        seq = self._recorder.reserve()
        stamp: int | None = None
        try:
            stamp = await self._transport.send(text)
        except TransportClosed as exc:
            self._mark_closed(str(exc))
        finally:
            if stamp is None:  # not handed over: stamped when the send ended
                stamp = self._clock.monotonic_ns()
            self._recorder.frame(self.connection, Direction.TO_CSMS, text, stamp, seq=seq)
        return seq, stamp

    async def call(
        self, action: str, payload: dict[str, Any], timeout_s: float | None = None
    ) -> Exchange:
        """Send a CALL and wait for its answer, the response timeout, or the connection's end."""
        own = self._validator.check_call(Call("octt-check", action, payload), sender=CHARGE_POINT)
        errors = [f for f in own if f.severity is Severity.ERROR]
        if errors:
            raise OwnMessageInvalid("; ".join(f.message for f in errors))
        pending = self._session.prepare_call(action, payload, self._clock.monotonic(), timeout_s)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(pending.call.unique_id, loop.create_future())
        self._waiter = waiter
        try:
            if self.closed.is_set():
                # The wire is the truth: nothing was sent, so the trace gets an event, not a frame.
                seq = self._recorder.event(
                    self.connection,
                    ConnectionEventKind.NOT_SENT,
                    f"connection closed; not sent: {pending.call.to_text()}",
                ).seq
                self._session.expire(float("inf"))
                return Exchange(action, payload, ExchangeOutcome.CLOSED, seq)
            # Response time runs from the transport's hand-off stamp to the answer's arrival
            # stamp, both taken in the transport before any recording, parsing or validation.
            seq, sent_ns = await self._send_frame(pending.call.to_text())
            remaining = pending.deadline - self._clock.monotonic()
            closed_wait = asyncio.ensure_future(self.closed.wait())
            watched: set[asyncio.Future[Any]] = {waiter.future, closed_wait}
            try:
                await asyncio.wait(
                    watched,
                    timeout=max(0.0, remaining),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                closed_wait.cancel()
            if waiter.future.done():
                event, response_seq, response_ns, findings = waiter.future.result()
                if isinstance(event, ResultReceived):
                    return Exchange(
                        action,
                        payload,
                        ExchangeOutcome.RESULT,
                        seq,
                        event.result.payload,
                        None,
                        response_seq,
                        response_ns - sent_ns,
                        findings,
                    )
                if isinstance(event, AnswerMalformed):
                    return Exchange(
                        action, payload, ExchangeOutcome.MALFORMED, seq, None, None,
                        response_seq, response_ns - sent_ns, findings,
                    )  # fmt: skip
                assert isinstance(event, ErrorReceived)
                return Exchange(
                    action,
                    payload,
                    ExchangeOutcome.ERROR,
                    seq,
                    None,
                    event.error,
                    response_seq,
                    response_ns - sent_ns,
                    findings,
                )
            if self.closed.is_set():
                self._session.expire(float("inf"))
                return Exchange(action, payload, ExchangeOutcome.CLOSED, seq)
            self._session.expire(self._clock.monotonic())
            return Exchange(action, payload, ExchangeOutcome.TIMEOUT, seq)
        finally:
            self._waiter = None

    async def reply(self, incoming: IncomingCall, payload: dict[str, Any]) -> int:
        result = self._session.prepare_result(incoming.call.unique_id, payload)
        own = self._validator.check_result(incoming.call.action, result, sender=CHARGE_POINT)
        errors = [f for f in own if f.severity is Severity.ERROR]
        if errors:
            raise OwnMessageInvalid("; ".join(f.message for f in errors))
        return await self._send_text(result.to_text())

    async def reply_error(self, incoming: IncomingCall, code: str, description: str) -> int:
        error = self._session.prepare_error(incoming.call.unique_id, code, description)
        return await self._send_text(error.to_text())

    async def send_raw(self, text: str) -> int:
        """Send an exact frame, bypassing our own validation (malformed input on purpose)."""
        return await self._send_text(text)

    # -- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        """Close with a closing handshake (bounded), then stop reading."""
        self.closed_by_us = True
        if not self.closed.is_set():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._transport.close(), timeout=3)
        await self._stop_reader("closed by octt")

    async def abort(self, detail: str) -> None:
        """Drop the connection without a closing handshake (simulated power or network loss)."""
        self.closed_by_us = True
        self._transport.abort()
        await self._stop_reader(detail)

    async def _stop_reader(self, detail: str) -> None:
        self._mark_closed(detail)
        reader = self._reader
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader


def _with_frames(finding: Finding, frames: tuple[int, ...]) -> Finding:
    if finding.frames:
        return finding
    return Finding(
        finding.rule, finding.severity, finding.message, finding.spec, frames, finding.step
    )
