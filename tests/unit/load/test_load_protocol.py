"""One load station's frame handling without sockets: CALLs out with the hand-off stamp,
answers in with the arrival stamp, validation into the figures, timeouts, lost connections, and
the CSMS's own CALLs answered by the conformance simulator's responder."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from octt.load.behaviour import LoadMix, StationBehaviour
from octt.load.protocol import CallEnded, OwnFrameInvalid, StationProtocol, call_text
from octt.load.stats import CallOutcome, StatsBook
from octt.ocppj.frames import Call
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

VALIDATOR = FrameValidator(SchemaSet.load())
BOOT_CONF = {"status": "Accepted", "currentTime": "2026-01-01T00:00:00Z", "interval": 300}


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def monotonic(self) -> float:
        return self.now

    def monotonic_ns(self) -> int:
        return round(self.now * 1e9)

    def utc_now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.now)


def make(**mix: Any) -> tuple[StationProtocol, StatsBook, FakeClock, list[CallEnded]]:
    book, clock, ended = StatsBook(), FakeClock(), []
    behaviour = StationBehaviour("LOAD-1", LoadMix(**mix), random.Random(1))
    protocol = StationProtocol(
        behaviour, VALIDATOR, book, clock, response_timeout_s=5.0, on_call_ended=ended.append
    )
    return protocol, book, clock, ended


def send(protocol: StationProtocol, clock: FakeClock) -> tuple[str, str]:
    frame = json.loads(protocol.begin_call())
    protocol.handed_off(clock.monotonic_ns())
    return frame[1], frame[2]


def test_an_answer_counts_with_its_response_time() -> None:
    protocol, book, clock, ended = make()
    unique_id, action = send(protocol, clock)
    assert action == "BootNotification" and protocol.waiting
    assert protocol.deadline() == 55.0
    replies = protocol.receive(
        json.dumps([3, unique_id, BOOT_CONF]), clock.monotonic_ns() + 2_500_000
    )
    assert replies == [] and not protocol.waiting
    [row, _] = book.summary()
    assert (row.action, row.count, row.answered, row.p50_s) == ("BootNotification", 1, 1, 0.0025)
    assert ended == [CallEnded("BootNotification", CallOutcome.RESULT, 2_500_000, BOOT_CONF)]
    assert protocol.behaviour.state.boot_count == 1


def test_an_answer_that_breaks_the_schema_is_a_schema_failure() -> None:
    protocol, book, clock, ended = make()
    unique_id, _ = send(protocol, clock)
    protocol.receive(json.dumps([3, unique_id, {"status": "Fine"}]), clock.monotonic_ns())
    row = book.summary()[0]
    assert row.answered == 1 and row.schema_failures >= 1
    assert "schema.response" in ended[0].findings
    assert book.examples[0].frame.startswith("[3,")


def test_callerror_timeout_and_lost_connection() -> None:
    protocol, book, clock, ended = make()
    unique_id, _ = send(protocol, clock)
    protocol.receive(json.dumps([4, unique_id, "InternalError", "boom", {}]), clock.monotonic_ns())
    send(protocol, clock)  # the boot again (not accepted)
    assert not protocol.expire(clock.now + 4.9)
    assert protocol.expire(clock.now + 5.0)
    send(protocol, clock)
    protocol.connection_lost()
    assert [(e.outcome, e.latency_ns is None) for e in ended] == [
        (CallOutcome.CALLERROR, False),
        (CallOutcome.TIMEOUT, True),
        (CallOutcome.CLOSED, True),
    ]
    row = book.summary()[0]
    assert (row.count, row.callerrors, row.timeouts, row.closed, row.errors) == (3, 1, 1, 1, 2)


def test_a_late_answer_is_an_anomaly_not_a_second_outcome() -> None:
    protocol, book, clock, _ = make()
    unique_id, _ = send(protocol, clock)
    protocol.expire(clock.now + 10)
    protocol.receive(json.dumps([3, unique_id, BOOT_CONF]), clock.monotonic_ns())
    assert book.rules == {"ocppj.late-response": 1}
    assert book.summary()[0].timeouts == 1


def test_the_csms_calls_are_answered_and_judged() -> None:
    protocol, book, _, _ = make()
    [reply] = protocol.receive('[2,"c1","GetConfiguration",{"key":["HeartbeatInterval"]}]', 1)
    frame = json.loads(reply)
    assert frame[:2] == [3, "c1"] and frame[2]["configurationKey"][0]["key"] == "HeartbeatInterval"
    [reply] = protocol.receive('[2,"c2","Frobnicate",{}]', 2)
    assert json.loads(reply)[:3] == [4, "c2", "NotImplemented"]
    [reply] = protocol.receive('[2,"c3","Reset",{"type":"Lukewarm"}]', 3)
    assert book.csms_calls["GetConfiguration"]["count"] == 1
    assert book.csms_calls["Frobnicate"]["callerrors"] == 1
    assert book.csms_calls["Reset"]["schema_failures"] == 1


def test_frames_that_are_not_ocpp_are_findings() -> None:
    protocol, book, _, _ = make()
    assert protocol.receive("not json", 1) == []
    assert protocol.receive(b'[2,"c1","GetConfiguration",{"key":["A"],"key":["B"]}]', 2)
    assert set(book.rules) == {"ocppj.malformed-frame", "json.duplicate-key"}


def test_an_unbuildable_call_is_octts_own_error() -> None:
    protocol, _, _, _ = make()
    protocol.behaviour._plan.appendleft(  # a StopTransaction without a transaction
        type(protocol.behaviour._plan[0])("StopTransaction", 1)
    )
    with pytest.raises(OwnFrameInvalid, match="no transaction"):
        protocol.begin_call()


@pytest.mark.parametrize(
    "payload",
    [
        {"connectorId": 1, "status": "Available", "errorCode": "NoError"},
        {"vendorId": "é", "data": "ü\u2028", "nested": [{"a": None, "b": True, "c": 1.5}]},
        {"meterValue": [{"sampledValue": [{"value": Decimal("1.50")}]}]},
    ],
)
def test_call_text_is_exactly_the_frame_text(payload: dict[str, Any]) -> None:
    call = Call("L1", "DataTransfer", payload)
    assert call_text(call) == call.to_text()
