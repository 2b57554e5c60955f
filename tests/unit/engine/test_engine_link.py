"""The asyncio Link around one OCPP-J session, driven through an in-memory fake transport.

The fake transport feeds the reader from a queue (stamps chosen by the test), the clock is a
fake whose time the test moves, and the recorder is the real one (a trace file only where a test
reads connection events back).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from octt.engine.link import ANY_UNIQUE_ID, Exchange, IncomingCall, Link, OwnMessageInvalid
from octt.findings import Finding, Severity
from octt.ocppj.session import Session
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.result.model import ExchangeOutcome
from octt.transport.websocket import TransportClosed
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

SCHEMAS = SchemaSet.load()
WAIT_S = 2.0  # upper bound for anything the reader must do; never slept


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def monotonic(self) -> float:
        return self.now

    def monotonic_ns(self) -> int:
        return round(self.now * 1_000_000_000)

    def utc_now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.now)


Item = tuple[str | bytes, int] | TransportClosed


class FakeTransport:
    def __init__(self, clock: FakeClock, subprotocol: str | None = "ocpp1.6") -> None:
        self.clock = clock  # send() returns the hand-off stamp from it, as the real one does
        self.subprotocol = subprotocol
        self.sent: list[str] = []
        self.queue: asyncio.Queue[Item] = asyncio.Queue()
        self.on_send: Callable[[str], None] | None = None
        self.handoff_delay_ns = 0
        self.block_send_until: Callable[[], bool] | None = None
        self.send_error: TransportClosed | None = None
        self.close_calls = 0
        self.aborted = False

    async def send(self, text: str) -> int:
        if self.send_error is not None:
            raise self.send_error
        stamp = self.clock.monotonic_ns()
        self.sent.append(text)
        if self.on_send is not None:
            self.on_send(text)
        if self.block_send_until is not None:
            for _ in range(1000):  # bounded: yield to the reader until the condition holds
                if self.block_send_until():
                    break
                await asyncio.sleep(0)
            assert self.block_send_until()
        return stamp + self.handoff_delay_ns

    async def recv(self) -> tuple[str | bytes, int]:
        item = await self.queue.get()
        if isinstance(item, TransportClosed):
            raise item
        return item

    async def close(self) -> None:
        self.close_calls += 1

    def abort(self) -> None:
        self.aborted = True

    def feed(self, message: str | bytes, stamp_ns: int) -> None:
        self.queue.put_nowait((message, stamp_ns))

    def end(self, code: int | None, reason: str) -> None:
        self.queue.put_nowait(TransportClosed(code, reason))


@dataclass
class Harness:
    link: Link
    transport: FakeTransport
    clock: FakeClock
    recorder: Recorder
    incoming: list[IncomingCall] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait (event-driven, bounded) until the reader made `condition` true."""

        async def loop() -> None:
            while not condition():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(loop(), WAIT_S)


def make(
    *,
    trace: Path | None = None,
    dispatch: Callable[[IncomingCall], None] | None = None,
    response_timeout_s: float = 5.0,
) -> Harness:
    clock = FakeClock()
    transport = FakeTransport(clock)
    recorder = Recorder(clock, Redactor(), trace)
    ids = iter(range(1, 1000))
    session = Session(response_timeout_s=response_timeout_s, id_factory=lambda: f"id-{next(ids)}")
    holder: list[Harness] = []

    def on_call(incoming: IncomingCall) -> None:
        holder[0].incoming.append(incoming)
        holder[0].changed.set()

    def on_finding(finding: Finding) -> None:
        holder[0].findings.append(finding)
        holder[0].changed.set()

    link = Link(
        transport,
        connection=recorder.new_connection(),
        recorder=recorder,
        validator=FrameValidator(SCHEMAS),
        session=session,
        clock=clock,
        dispatch=dispatch or on_call,
        on_finding=on_finding,
    )
    harness = Harness(link, transport, clock, recorder)
    holder.append(harness)
    return harness


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 10))


def answer_with(
    h: Harness, build: Callable[[str], list[Any] | str], *, after_s: float = 0.25
) -> None:
    """Answer every CALL the link sends with `build(unique_id)`, stamped `after_s` later."""

    def on_send(text: str) -> None:
        unique_id = json.loads(text)[1]
        frame = build(unique_id)
        message = frame if isinstance(frame, str) else json.dumps(frame)
        h.transport.feed(message, h.clock.monotonic_ns() + round(after_s * 1e9))

    h.transport.on_send = on_send


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def trace_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- call() ----------------------------------------------------------------------------------


def test_call_result_with_response_time_from_the_stamps() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        answer_with(h, lambda uid: [3, uid, {"currentTime": "2026-01-01T00:00:00Z"}])
        exchange = await h.link.call("Heartbeat", {})
        assert exchange == Exchange(
            "Heartbeat",
            {},
            ExchangeOutcome.RESULT,
            request_frame=1,
            response={"currentTime": "2026-01-01T00:00:00Z"},
            response_frame=2,
            response_ns=250_000_000,
        )
        assert h.transport.sent == ['[2,"id-1","Heartbeat",{}]']
        assert h.findings == []
        assert h.link.subprotocol == "ocpp1.6"
        await h.link.close()

    run(scenario)


def test_response_time_runs_from_the_transport_hand_off_stamp(tmp_path: Path) -> None:
    async def scenario() -> None:
        trace = tmp_path / "trace.jsonl"
        h = make(trace=trace)
        h.link.start()
        # Serialising and framing take 1 ms before the bytes reach the socket: the response
        # time starts at the transport's hand-off stamp, not at a stamp the link took earlier.
        h.transport.handoff_delay_ns = 1_000_000
        sent_at = h.clock.monotonic_ns() + 1_000_000
        h.transport.on_send = lambda text: h.transport.feed(
            json.dumps([3, json.loads(text)[1], {"currentTime": "2026-01-01T00:00:00Z"}]),
            sent_at + 250_000_000,
        )
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.response_ns == 250_000_000
        await h.link.close()
        h.recorder.close()
        frames = [r for r in trace_records(trace) if "dir" in r]
        assert [(f["seq"], f["mono_ns"]) for f in frames] == [
            (1, sent_at),
            (2, sent_at + 250_000_000),
        ]

    run(scenario)


def test_an_answer_read_during_the_send_is_numbered_after_the_call(tmp_path: Path) -> None:
    async def scenario() -> None:
        trace = tmp_path / "trace.jsonl"
        h = make(trace=trace)
        h.link.start()
        answer_with(h, lambda uid: [3, uid, {"currentTime": "2026-01-01T00:00:00Z"}])
        # The socket's write buffer is full: the send yields, and the reader records the answer
        # before the send returns.
        h.transport.block_send_until = lambda: h.recorder.peek_next_seq() == 3
        exchange = await h.link.call("Heartbeat", {})
        assert (exchange.request_frame, exchange.response_frame) == (1, 2)
        await h.link.close()
        h.recorder.close()
        frames = [r for r in trace_records(trace) if "dir" in r]
        assert [(f["seq"], f["dir"]) for f in frames] == [(1, "cp->csms"), (2, "csms->cp")]

    run(scenario)


def test_schema_findings_of_the_answer_travel_with_the_exchange() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        answer_with(h, lambda uid: [3, uid, {}])
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.outcome is ExchangeOutcome.RESULT
        assert exchange.findings, "a Heartbeat.conf without currentTime breaks the schema"
        assert {f.rule for f in exchange.findings} == {"schema.response"}
        assert all(f.frames == (2,) for f in exchange.findings)
        assert h.findings == []  # not reported twice through on_finding
        await h.link.close()

    run(scenario)


def test_callerror_is_an_error_exchange() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        answer_with(h, lambda uid: [4, uid, "InternalError", "boom", {}], after_s=0.5)
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.outcome is ExchangeOutcome.ERROR
        assert exchange.error is not None
        assert (exchange.error.error_code, exchange.error.error_description) == (
            "InternalError",
            "boom",
        )
        assert exchange.response is None
        assert (exchange.response_frame, exchange.response_ns) == (2, 500_000_000)
        await h.link.close()

    run(scenario)


def test_malformed_answer_ends_the_wait_with_a_finding() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        answer_with(h, lambda uid: f'[3,"{uid}"]')
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.outcome is ExchangeOutcome.MALFORMED
        assert exchange.response_frame == 2
        assert rules(h.findings) == ["ocppj.malformed-frame"]
        assert h.findings[0].frames == (2,)
        await h.link.close()

    run(scenario)


def test_timeout_then_late_answer_is_a_late_response_finding() -> None:
    async def scenario() -> None:
        h = make(response_timeout_s=5.0)
        h.link.start()
        sent: list[str] = []

        def on_send(text: str) -> None:
            sent.append(json.loads(text)[1])
            h.clock.now += 6.0  # the response timeout passes on the injected clock

        h.transport.on_send = on_send
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.outcome is ExchangeOutcome.TIMEOUT
        assert (exchange.request_frame, exchange.response_frame, exchange.response_ns) == (
            1,
            None,
            None,
        )
        h.clock.now += 1.0
        h.transport.feed(json.dumps([3, sent[0], {"currentTime": "2026-01-01T00:00:00Z"}]), 7)
        await h.until(lambda: bool(h.findings))
        [late] = h.findings
        assert late.rule == "ocppj.late-response"
        assert late.severity is Severity.ERROR
        assert late.frames == (2,)
        assert "Heartbeat" in late.message and "2.000 s after" in late.message
        # The session is free again: the next CALL can go out.
        h.transport.on_send = None
        answer_with(h, lambda uid: [3, uid, {"currentTime": "2026-01-01T00:00:00Z"}])
        assert (await h.link.call("Heartbeat", {})).outcome is ExchangeOutcome.RESULT
        await h.link.close()

    run(scenario)


def test_explicit_timeout_overrides_the_session_default() -> None:
    async def scenario() -> None:
        h = make(response_timeout_s=60.0)
        h.link.start()

        def on_send(_text: str) -> None:
            h.clock.now += 2.0

        h.transport.on_send = on_send
        exchange = await h.link.call("Heartbeat", {}, timeout_s=1.0)
        assert exchange.outcome is ExchangeOutcome.TIMEOUT
        await h.link.close()

    run(scenario)


def test_connection_closed_while_waiting() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.on_send = lambda _text: h.transport.end(1006, "gone")
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.outcome is ExchangeOutcome.CLOSED
        assert exchange.request_frame == 1
        assert h.link.closed.is_set()
        assert h.link.close_detail == "connection closed (code 1006: gone)"
        assert not h.link.closed_by_us

    run(scenario)


def test_call_on_a_closed_link_sends_nothing_and_records_a_not_sent_event() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.end(1000, "")
        await asyncio.wait_for(h.link.closed.wait(), WAIT_S)
        assert h.link.close_detail == "connection closed (code 1000)"
        first = await h.link.call("Heartbeat", {})
        second = await h.link.call("Heartbeat", {})  # the session is not left pending
        assert (first.outcome, second.outcome) == (ExchangeOutcome.CLOSED, ExchangeOutcome.CLOSED)
        assert h.transport.sent == []
        assert (first.request_frame, second.request_frame) == (2, 3)  # 1: the close event

    run(scenario)


def test_send_failure_closes_the_link() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.send_error = TransportClosed(1011, "internal")
        exchange = await h.link.call("Heartbeat", {})
        assert exchange.outcome is ExchangeOutcome.CLOSED
        assert h.link.close_detail == "connection closed (code 1011: internal)"

    run(scenario)


def test_own_invalid_payload_raises_and_sends_nothing() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        with pytest.raises(OwnMessageInvalid, match="Heartbeat"):
            await h.link.call("Heartbeat", {"bogus": 1})
        with pytest.raises(OwnMessageInvalid):
            await h.link.call("StatusNotification", {"connectorId": 1})
        assert h.transport.sent == []
        # Nothing is left pending: a valid CALL still goes out.
        answer_with(h, lambda uid: [3, uid, {"currentTime": "2026-01-01T00:00:00Z"}])
        assert (await h.link.call("Heartbeat", {})).outcome is ExchangeOutcome.RESULT
        await h.link.close()

    run(scenario)


# -- incoming frames ---------------------------------------------------------------------------


def test_incoming_call_is_dispatched_with_its_schema_findings() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.feed('[2,"c-1","ClearCache",{}]', 1)
        h.transport.feed('[2,"c-2","ClearCache",{"extra":1}]', 2)
        await h.until(lambda: len(h.incoming) == 2)
        good, bad = h.incoming
        assert (good.call.unique_id, good.call.action, good.frame, good.findings) == (
            "c-1",
            "ClearCache",
            1,
            (),
        )
        assert bad.frame == 2
        assert [f.rule for f in bad.findings] == ["schema.request"]
        assert bad.findings[0].frames == (2,)
        # Schema findings of a CALL travel with it, not through on_finding (the engine decides).
        assert rules(h.findings) == ["ocppj.concurrent-call"]
        await h.link.close()

    run(scenario)


def test_call_of_the_wrong_direction_carries_a_direction_finding() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.feed('[2,"c-1","Heartbeat",{}]', 1)
        await h.until(lambda: bool(h.incoming))
        assert "ocpp.action-direction" in [f.rule for f in h.incoming[0].findings]
        await h.link.close()

    run(scenario)


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("not json at all", "ocppj.malformed-frame"),
        ('{"an": "object"}', "ocppj.malformed-frame"),
        ("[" * 100_000, "ocppj.malformed-frame"),  # too deep to read: not a crash of the link
        ('[3,"nobody-asked",{}]', "ocppj.unknown-unique-id"),
        ('[4,"nobody-asked","GenericError","",{}]', "ocppj.unknown-unique-id"),
    ],
)
def test_anomalies_become_findings(message: str, rule: str) -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.feed(message, 1)
        await h.until(lambda: bool(h.findings))
        assert rule in rules(h.findings)
        assert all(f.frames == (1,) for f in h.findings)
        assert h.incoming == []
        await h.link.close()

    run(scenario)


def test_duplicate_json_keys_are_reported_from_the_raw_text() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.feed('[2,"c-1","ClearCache",{"a":1,"a":2}]', 1)
        await h.until(lambda: bool(h.incoming))
        assert "json.duplicate-key" in rules(h.findings)
        await h.link.close()

    run(scenario)


def test_binary_frame_is_a_finding_and_still_read(tmp_path: Path) -> None:
    async def scenario() -> None:
        trace = tmp_path / "trace.jsonl"
        h = make(trace=trace)
        h.link.start()
        h.transport.feed(b'[2,"c-1","ClearCache",{}]', 42)
        await h.until(lambda: bool(h.incoming))
        assert rules(h.findings) == ["ocppj.binary-frame"]
        assert h.findings[0].frames == (1,)
        await h.link.close()
        h.recorder.close()
        [frame] = [r for r in trace_records(trace) if "dir" in r]
        assert frame["binary"] is True
        assert frame["dir"] == "csms->cp"
        assert frame["mono_ns"] == 42
        assert frame["text"] == '[2,"c-1","ClearCache",{}]'

    run(scenario)


def test_received_frame_is_recorded_before_parsing_with_the_transport_stamp(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        trace = tmp_path / "trace.jsonl"
        h = make(trace=trace)
        h.link.start()
        h.transport.feed("garbage", 123_456)
        await h.until(lambda: bool(h.findings))
        await h.link.close()
        h.recorder.close()
        first = trace_records(trace)[0]
        assert (first["seq"], first["text"], first["mono_ns"]) == (1, "garbage", 123_456)

    run(scenario)


# -- writing ---------------------------------------------------------------------------------


def test_reply_and_reply_error_write_frames() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.feed('[2,"c-1","ClearCache",{}]', 1)
        h.transport.feed('[2,"c-2","Reset",{"type":"Soft"}]', 2)
        await h.until(lambda: len(h.incoming) == 2)
        first, second = h.incoming
        seq = await h.link.reply(first, {"status": "Accepted"})
        error_seq = await h.link.reply_error(second, "NotSupported", "not here")
        raw_seq = await h.link.send_raw("[2,")
        assert (seq, error_seq, raw_seq) == (3, 4, 5)
        assert h.transport.sent == [
            '[3,"c-1",{"status":"Accepted"}]',
            '[4,"c-2","NotSupported","not here",{}]',
            "[2,",
        ]
        await h.link.close()

    run(scenario)


def test_reply_that_breaks_the_schema_is_own_message_invalid() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.feed('[2,"c-1","ClearCache",{}]', 1)
        await h.until(lambda: bool(h.incoming))
        with pytest.raises(OwnMessageInvalid):
            await h.link.reply(h.incoming[0], {"status": "Maybe"})
        assert h.transport.sent == []
        await h.link.close()

    run(scenario)


# -- closing ---------------------------------------------------------------------------------


def test_abort_drops_the_connection_and_records_a_close_event(tmp_path: Path) -> None:
    async def scenario() -> None:
        trace = tmp_path / "trace.jsonl"
        h = make(trace=trace)
        h.link.start()
        await h.link.abort("power loss (simulated)")
        assert h.transport.aborted
        assert h.transport.close_calls == 0
        assert h.link.closed.is_set() and h.link.closed_by_us
        assert h.link.close_detail == "power loss (simulated)"
        # The reader is stopped: later input is not read.
        h.transport.feed('[2,"c-1","ClearCache",{}]', 1)
        await asyncio.sleep(0)
        assert h.incoming == []
        h.recorder.close()
        events = [r for r in trace_records(trace) if "event" in r]
        assert [(e["event"], e["detail"]) for e in events] == [("close", "power loss (simulated)")]

    run(scenario)


def test_close_shakes_hands_stops_the_reader_and_records_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        trace = tmp_path / "trace.jsonl"
        h = make(trace=trace)
        h.link.start()
        await h.link.close()
        await h.link.close()  # idempotent: no second handshake, no second event
        assert h.transport.close_calls == 1
        assert h.link.closed_by_us
        assert h.link.close_detail == "closed by octt"
        h.recorder.close()
        events = [r for r in trace_records(trace) if "event" in r]
        assert [(e["event"], e["detail"]) for e in events] == [("close", "closed by octt")]

    run(scenario)


def test_close_after_the_peer_closed_skips_the_handshake() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.end(1001, "going away")
        await asyncio.wait_for(h.link.closed.wait(), WAIT_S)
        await h.link.close()
        assert h.transport.close_calls == 0
        assert h.link.close_detail == "connection closed (code 1001: going away)"

    run(scenario)


def test_a_failing_dispatcher_closes_the_link_instead_of_hanging() -> None:
    def explode(_incoming: IncomingCall) -> None:
        raise RuntimeError("dispatcher bug")

    async def scenario() -> None:
        h = make(dispatch=explode)
        h.link.start()
        h.transport.feed('[2,"c-1","ClearCache",{}]', 1)
        await asyncio.wait_for(h.link.closed.wait(), WAIT_S)
        assert h.link.close_detail.startswith("reader failed: RuntimeError")
        reader = h.link._reader
        assert reader is not None
        with pytest.raises(RuntimeError, match="dispatcher bug"):
            await reader

    run(scenario)


# -- bounds on what the CSMS can make the link hold ----------------------------------------------


def test_a_flood_of_junk_is_cut_at_the_bound_and_the_connection_dropped() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        for _ in range(30):  # all within one (fake) instant
            h.transport.feed("junk", h.clock.monotonic_ns())
        await h.until(lambda: h.link.closed.is_set())
        assert rules(h.findings).count("ocppj.malformed-frame") == 20  # the bound, then no more
        assert rules(h.findings)[-1] == "transport.flood"
        await asyncio.wait_for(h.link.closed.wait(), WAIT_S)
        for _ in range(100):  # the abort is scheduled on the loop
            if h.transport.aborted:
                break
            await asyncio.sleep(0)
        assert h.transport.aborted
        assert "transport.flood" in h.link.close_detail

    run(scenario)


def test_junk_spread_over_time_is_no_flood() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        for _ in range(30):
            h.transport.feed("junk", h.clock.monotonic_ns())
            await h.until(lambda: bool(h.findings))
            h.findings.clear()
            h.clock.now += 0.1  # ten a second: under 20 per second
        assert not h.link.closed.is_set()

    run(scenario)


def test_too_many_unanswered_csms_calls_close_the_connection() -> None:
    async def scenario() -> None:
        h = make()  # the dispatcher keeps the CALLs and never answers
        h.link.start()
        for n in range(12):
            h.transport.feed(json.dumps([2, f"c{n}", "ClearCache", {}]), h.clock.monotonic_ns())
        await h.until(lambda: h.link.closed.is_set())
        assert len(h.incoming) == 8  # max_unanswered_calls; the ninth is not dispatched
        [flood] = [f for f in h.findings if f.rule == "ocppj.call-flood"]
        assert flood.spec == "OCPP-J 1.6 §4.1.1" and "9 CALLs" in flood.message

    run(scenario)


def test_pings_count_towards_the_bound() -> None:
    class PingingTransport(FakeTransport):
        listener: Callable[[], None] | None = None

        def set_ping_listener(self, listener: Callable[[], None] | None) -> None:
            self.listener = listener

    async def scenario() -> None:
        clock = FakeClock()
        transport = PingingTransport(clock)
        findings: list[Finding] = []
        link = Link(
            transport,
            connection=1,
            recorder=Recorder(clock, Redactor()),
            validator=FrameValidator(SCHEMAS),
            session=Session(response_timeout_s=5),
            clock=clock,
            dispatch=lambda incoming: None,
            on_finding=findings.append,
        )
        assert transport.listener is not None
        for _ in range(21):
            transport.listener()
        assert rules(findings) == ["transport.flood"]
        assert "pings" in findings[0].message
        assert link.closed.is_set()

    run(scenario)


def test_a_message_over_the_size_bound_is_a_finding() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        h.transport.queue.put_nowait(TransportClosed(1009, "over size limit", local_code=1009))
        await h.until(lambda: h.link.closed.is_set())
        [finding] = h.findings
        assert finding.rule == "transport.frame-too-large"
        assert "1048576 bytes" in finding.message and "1009" in finding.message

    run(scenario)


# -- raw frames --------------------------------------------------------------------------------


def test_raw_exchange_claims_the_answer_with_its_unique_id() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        error = [4, "rb-1", "ProtocolError", "idTag is missing", {}]
        answer_with(h, lambda uid: error, after_s=0.001)
        exchange = await h.link.raw_exchange(
            '[2,"rb-1","Authorize",{}]', unique_id="rb-1", action="Authorize", timeout_s=WAIT_S
        )
        [answer] = exchange.answers
        assert (answer.kind, answer.error_code, answer.unique_id) == (
            "callerror",
            "ProtocolError",
            "rb-1",
        )
        assert answer.stamp_ns - exchange.sent_ns == 1_000_000
        assert h.findings == []  # not an unknown unique id: it answers the raw frame
        assert h.transport.sent == ['[2,"rb-1","Authorize",{}]']

    run(scenario)


def test_raw_exchange_without_a_readable_id_waits_for_the_probe() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()

        def on_send(text: str) -> None:
            if text.startswith("[2,12345"):  # the CSMS answers the number id in kind
                h.transport.feed('[4,12345,"FormationViolation","",{}]', h.clock.monotonic_ns())
                return
            unique_id = json.loads(text)[1]
            answer = [3, unique_id, {"currentTime": "2026-01-01T00:00:00Z"}]
            h.transport.feed(json.dumps(answer), h.clock.monotonic_ns())

        h.transport.on_send = on_send
        exchange = await h.link.raw_exchange(
            '[2,12345,"Heartbeat",{}]',
            unique_id=ANY_UNIQUE_ID,
            action="Heartbeat",
            timeout_s=WAIT_S,
            probe=("Heartbeat", {}),
        )
        [answer] = exchange.answers
        assert answer.unique_id == 12345 and answer.error_code == "FormationViolation"
        assert exchange.probe is not None and exchange.probe.outcome is ExchangeOutcome.RESULT
        assert h.findings == []

    run(scenario)


def test_raw_exchange_unanswered_ends_at_its_timeout() -> None:
    async def scenario() -> None:
        h = make()
        h.link.start()
        exchange = await h.link.raw_exchange(
            '[2,"rb-2","Authorize",{}]', unique_id="rb-2", action="Authorize", timeout_s=0.01
        )
        assert exchange.answers == () and not exchange.closed
        # A late answer is the session's: an answer to nothing.
        h.transport.feed('[4,"rb-2","ProtocolError","",{}]', h.clock.monotonic_ns())
        await h.until(lambda: bool(h.findings))
        assert rules(h.findings) == ["ocppj.unknown-unique-id"]

    run(scenario)
