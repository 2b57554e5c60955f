"""The asyncio layer around one OCPP-J session: transport → recorder → session → validation.

A `Link` owns one WebSocket connection of the simulated charge point. A reader task takes every
message off the socket, records it (stamped, before parsing), parses it, feeds the sans-I/O
`Session`, validates it, and then either resolves the CALL we are waiting on or hands an incoming
CALL to the dispatcher. Anomalies become findings through `on_finding`; nothing is dropped.

Whatever the CSMS sends, what the link holds is bounded (`LinkLimits`, from the run
configuration): more unanswered CALLs from the CSMS than `max_unanswered_calls`, or more
unsolicited frames and pings than `max_unsolicited` within `window_s`, is a flood — a finding,
and the link drops the connection. A message above the transport's maximum size closes the
connection with a finding too. Junk never moves a deadline: waits are computed once.

`raw_exchange` sends a frame exactly as given (malformed on purpose, for the robustness
profile) and collects what the CSMS answers to it, outside the session's bookkeeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from octt.clock import Clock
from octt.findings import Finding, Severity
from octt.ocppj.frames import Call, CallError, CallResult, MessageTypeId, load_json, parse
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
from octt.result.model import ExchangeOutcome
from octt.transport.websocket import TransportClosed
from octt.validation.frames import FrameValidator

CSMS = "CSMS"
CHARGE_POINT = "charge point"
#: RFC 6455 §7.4.1: the close code for a message too big to process.
MESSAGE_TOO_BIG = 1009


@dataclass(frozen=True)
class LinkLimits:
    """What one connection may make octt hold (see `RunConfig` for the meaning)."""

    max_unanswered_calls: int = 8
    max_unsolicited: int = 20
    window_s: float = 1.0
    max_frame_bytes: int = 1 << 20


class _AnyUniqueId:
    """Stands for "whatever unique id" in a raw exchange whose frame has no readable one."""


ANY_UNIQUE_ID = _AnyUniqueId()


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


@dataclass(frozen=True)
class RawAnswer:
    """A frame the CSMS sent in answer to a raw frame of the charge point, as far as it could
    be read: `kind` is "callresult", "callerror" or "malformed" (a broken CALLRESULT/CALLERROR).
    """

    kind: str
    unique_id: Any
    frame: int
    stamp_ns: int
    payload: dict[str, Any] | None = None
    error_code: str | None = None
    error_description: str = ""


@dataclass(frozen=True)
class RawExchange:
    """A raw frame the charge point sent and what became of it."""

    request_frame: int
    sent_ns: int
    answers: tuple[RawAnswer, ...]
    closed: bool  # the connection was gone when the exchange ended
    probe: Exchange | None = None  # the CALL sent right after it (raw frames without a unique id)
    sent: bool = True


@dataclass
class _Tap:
    """Claims the answers to one raw frame before the session sees them."""

    unique_id: Any  # the JSON value an answer carries as unique id, or ANY_UNIQUE_ID
    action: str | None
    answers: list[RawAnswer] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


def _same_json(a: Any, b: Any) -> bool:
    """JSON equality that tells 1 from true and "1" from 1."""
    return type(a) is type(b) and bool(a == b)


def _answer_head(text: str) -> list[Any] | None:
    """The frame as a JSON array if it looks like a CALLRESULT or CALLERROR, else None."""
    try:
        message = load_json(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, list) or len(message) < 2:
        return None
    kind = message[0]
    if isinstance(kind, bool) or kind not in (MessageTypeId.CALL_RESULT, MessageTypeId.CALL_ERROR):
        return None
    return message


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
        limits: LinkLimits | None = None,
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
        # One CALL of the charge point outstanding at a time (OCPP-J 1.6 §4.1.1), also when a
        # message a CSMS's TriggerMessage asked for goes out beside the scenario's own.
        self._calling = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_detail = ""
        # When the connection was gone (the run's monotonic clock): reconnects are paced from it.
        self.closed_at: float | None = None
        self.closed_by_us = False
        self._limits = limits or LinkLimits()
        self._unsolicited: deque[float] = deque()
        self._tap: _Tap | None = None
        listen = getattr(transport, "set_ping_listener", None)
        if listen is not None:
            listen(self._on_ping)

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
                    if exc.local_code == MESSAGE_TOO_BIG and not self.closed.is_set():
                        self._too_big(exc)
                    self._mark_closed(str(exc))
                    return
                if self.closed.is_set():
                    return  # flooded: the connection is being dropped
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
        if self._tap is not None and self._claim(self._tap, text, frame.seq, stamp):
            return
        parsed = parse(text)
        events = self._session.receive(parsed, self._clock.monotonic())
        answers = (ResultReceived, ErrorReceived, AnswerMalformed)
        if not any(isinstance(e, answers) for e in events):
            what = "CALLs" if isinstance(parsed, Call) else "frames answering no CALL"
            if self._flooded(what, frame.seq):
                return
        unanswered = len(self._session.unanswered_incoming())
        if unanswered > self._limits.max_unanswered_calls:
            self._drop(
                Finding(
                    "ocppj.call-flood",
                    Severity.ERROR,
                    f"the CSMS has {unanswered} CALLs awaiting the charge point's answer; OCPP-J"
                    " allows one at a time and octt holds at most"
                    f" {self._limits.max_unanswered_calls} (max_unanswered_csms_calls):"
                    " octt closed the connection",
                    "OCPP-J 1.6 §4.1.1",
                    seq,
                )
            )
            return
        for event in events:
            self._route(event, frame.seq, stamp)

    # -- bounds ----------------------------------------------------------------------------

    def _on_ping(self) -> None:
        if not self.closed.is_set():
            self._flooded("WebSocket pings", None)

    def _flooded(self, what: str, seq: int | None) -> bool:
        """Count one unsolicited frame (or ping); True (and the connection dropped) when that
        makes more than the limit within the window."""
        now = self._clock.monotonic()
        window = self._unsolicited
        while window and window[0] <= now - self._limits.window_s:
            window.popleft()
        window.append(now)
        if len(window) <= self._limits.max_unsolicited:
            return False
        self._drop(
            Finding(
                "transport.flood",
                Severity.ERROR,
                f"the CSMS sent more than {self._limits.max_unsolicited} unsolicited frames"
                f" (CALLs, frames answering nothing, pings) within {self._limits.window_s:g} s,"
                f" the last ones {what}; that is the bound (max_unsolicited_frames per"
                " unsolicited_window_s): octt closed the connection",
                "OCPP-J 1.6 §4.1.1; RFC 6455 §5.5.2",
                (seq,) if seq is not None else (),
            )
        )
        return True

    def _drop(self, finding: Finding) -> None:
        """Report `finding`, then drop the connection (no closing handshake: the CSMS is
        flooding), so that every wait on this link ends now."""
        self._on_finding(finding)
        self._mark_closed(f"octt closed the connection: {finding.rule}")
        asyncio.get_running_loop().call_soon(self._transport.abort)

    def _too_big(self, exc: TransportClosed) -> None:
        self._on_finding(
            Finding(
                "transport.frame-too-large",
                Severity.ERROR,
                f"the CSMS sent a WebSocket message larger than {self._limits.max_frame_bytes}"
                f" bytes (max_frame_bytes); octt closed the connection with code"
                f" {MESSAGE_TOO_BIG}{': ' + exc.reason if exc.reason else ''}",
                "RFC 6455 §7.4.1; OCPP-J 1.6 §4.1.2",
            )
        )

    # -- raw frames ------------------------------------------------------------------------

    def _claim(self, tap: _Tap, text: str, seq: int, stamp: int) -> bool:
        """Take `text` as an answer to the raw frame of `tap`, if it is one."""
        message = _answer_head(text)
        if message is None:
            return False
        unique_id = message[1]
        if isinstance(tap.unique_id, _AnyUniqueId):
            pending = self._session.pending
            if pending is not None and _same_json(unique_id, pending.call.unique_id):
                return False
        elif not _same_json(unique_id, tap.unique_id):
            return False
        findings: list[Finding] = []
        if message[0] == MessageTypeId.CALL_RESULT:
            payload = message[2] if len(message) == 3 and isinstance(message[2], dict) else None
            answer = RawAnswer(
                "callresult" if payload is not None else "malformed",
                unique_id,
                seq,
                stamp,
                payload=payload,
            )
            if (
                payload is not None
                and tap.action
                and self._validator.schemas.has_action(tap.action)
            ):
                result = CallResult(str(unique_id), payload)
                findings = self._validator.check_result(tap.action, result, sender=CSMS)
        else:
            code = message[2] if len(message) > 2 and isinstance(message[2], str) else None
            description = message[3] if len(message) > 3 and isinstance(message[3], str) else ""
            details = message[4] if len(message) > 4 else None
            well_formed = len(message) == 5 and bool(code) and isinstance(details, dict)
            answer = RawAnswer(
                "callerror" if well_formed else "malformed",
                unique_id,
                seq,
                stamp,
                error_code=code,
                error_description=description,
            )
            if well_formed and code is not None and isinstance(details, dict):
                error = CallError(str(unique_id), code, description, details)
                findings = self._validator.check_error(None, error, sender=CSMS)
        for finding in findings:
            self._on_finding(_with_frames(finding, (seq,)))
        tap.answers.append(answer)
        tap.arrived.set()
        return True

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
        self.closed_at = self._clock.monotonic()
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
        async with self._calling:
            return await self._call(action, payload, timeout_s)

    async def _call(
        self, action: str, payload: dict[str, Any], timeout_s: float | None
    ) -> Exchange:
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

    async def raw_exchange(
        self,
        text: str,
        *,
        unique_id: Any,
        action: str | None,
        timeout_s: float,
        probe: tuple[str, dict[str, Any]] | None = None,
    ) -> RawExchange:
        """Send `text` exactly and collect the CSMS's answers to it: frames carrying
        `unique_id` (ANY_UNIQUE_ID: any answer but the probe's) until the first one arrives,
        `timeout_s` passes or the connection ends. With `probe` (action, payload), that CALL is
        sent right after the frame and the collecting lasts until the probe is answered (a
        frame without a readable unique id cannot be answered, so there is nothing to wait
        for but proof that the CSMS goes on)."""
        if self.closed.is_set():
            event = self._recorder.event(
                self.connection,
                ConnectionEventKind.NOT_SENT,
                f"connection closed; not sent: {text}",
            )
            return RawExchange(event.seq, self._clock.monotonic_ns(), (), True, sent=False)
        tap = _Tap(unique_id, action)
        self._tap = tap
        probed: Exchange | None = None
        try:
            seq, sent_ns = await self._send_frame(text)
            if probe is not None:
                probed = await self.call(probe[0], probe[1], timeout_s)
            else:
                closed_wait = asyncio.ensure_future(self.closed.wait())
                arrived = asyncio.ensure_future(tap.arrived.wait())
                try:
                    await asyncio.wait(
                        {closed_wait, arrived},
                        timeout=max(0.0, timeout_s),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    closed_wait.cancel()
                    arrived.cancel()
        finally:
            self._tap = None
        return RawExchange(seq, sent_ns, tuple(tap.answers), self.closed.is_set(), probed)

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
