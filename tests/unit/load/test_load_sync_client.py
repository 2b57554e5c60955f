"""The blocking-socket station (the core of the Locust user class) against the reference CSMS on
loopback, served from a thread: CALLs and their answers, figures, failures as Locust sees them,
the station mix from a PICS."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from octt.load.behaviour import LoadMix
from octt.load.protocol import CallEnded
from octt.load.stats import CallOutcome
from octt.load.sync_client import SyncConnectError, SyncOutcome, SyncStation, station_mix
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.resources import default_pics_path
from octt.transport.websocket import TransportOptions
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

VALIDATOR = FrameValidator(SchemaSet.load())


@contextmanager
def reference_in_a_thread() -> Iterator[str]:
    """The reference CSMS on its own event loop in a thread; its OCPP URL."""
    ready: list[str] = []
    started = threading.Event()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()

    async def serve() -> None:
        async with ReferenceCsms(ReferenceConfig()) as csms:
            ready.append(csms.ocpp_url)
            started.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    try:
        assert started.wait(10), "the reference CSMS did not start"
        yield ready[0]
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()


def station(url: str, **options: object) -> SyncStation:
    return SyncStation(
        TransportOptions(url, "SYNC-1", connect_timeout_s=2.0),
        LoadMix(think_time_s=0.01),
        VALIDATOR,
        response_timeout_s=5.0,
        rng=random.Random(2),
        **options,  # type: ignore[arg-type]
    )


def test_calls_and_answers_against_the_reference_csms() -> None:
    with reference_in_a_thread() as url:
        client = station(url)
        client.connect()
        assert client.connected
        outcomes = [client.call_next() for _ in range(12)]
        client.close()
    assert [o.ended.action for o in outcomes[:4]] == [
        "BootNotification",
        "StatusNotification",
        "StatusNotification",
        "StatusNotification",
    ]
    assert all(o.problem is None and o.response_length > 0 for o in outcomes)
    assert all(0 < o.latency_ms < 5000 for o in outcomes)
    rows = {row.action: row for row in client.book.summary()}
    assert rows["all"].count == rows["all"].answered == 12
    assert client.book.connections == {"attempts": 1, "opened": 1, "lost": 0}
    assert not client.connected


def test_a_refused_connection_is_an_error_and_counted() -> None:
    client = station("ws://127.0.0.1:9")
    with pytest.raises(SyncConnectError, match="cannot connect"):
        client.connect()
    assert client.book.connections["attempts"] == 1
    assert sum(client.book.connect_failures.values()) == 1
    with pytest.raises(SyncConnectError, match="not connected"):
        client.call_next()


def test_failures_as_a_load_tool_reports_them() -> None:
    def outcome(ended: CallEnded) -> str | None:
        return SyncOutcome(ended, 10).problem

    assert outcome(CallEnded("Heartbeat", CallOutcome.RESULT, 1_500_000)) is None
    assert SyncOutcome(CallEnded("Heartbeat", CallOutcome.RESULT, 1_500_000), 1).latency_ms == 1.5
    assert (
        outcome(CallEnded("Heartbeat", CallOutcome.CALLERROR, 1, error_code="InternalError"))
        == "CALLERROR InternalError"
    )
    assert outcome(CallEnded("Heartbeat", CallOutcome.TIMEOUT, None)) == "no answer: timeout"
    found = ("schema.response", "schema.response", "ocpp.timestamp-not-utc")
    assert (
        outcome(CallEnded("Heartbeat", CallOutcome.RESULT, 1, findings=found))
        == "finding ocpp.timestamp-not-utc, schema.response"
    )


def test_station_mix_from_the_pics() -> None:
    mix, timeout = station_mix("", think_time_s=3.0, weights="heartbeat=1")
    assert (mix.id_tag, mix.connectors, mix.think_time_s, timeout) == ("OCTT-VALID-01", 2, 3.0, 30)
    assert mix.weights["transaction"] == 0
    again, _ = station_mix(str(default_pics_path()), think_time_s=1.0)
    assert again.weights == LoadMix().weights
