"""LiveFeed, FeedSink and FrameTap: the engine's events and the wire as the page's messages."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from octt.console.live import FeedSink, FrameTap, LiveFeed
from octt.findings import Finding, Severity
from octt.result.events import CaseStarted, FindingRaised, Notice, StepStarted

WAIT_S = 5.0


def test_a_late_follower_gets_every_message_then_the_new_ones() -> None:
    async def scenario() -> list[Any]:
        feed = LiveFeed()
        feed.bind(asyncio.get_running_loop())
        feed.publish({"kind": "a"})
        seen: list[Any] = []

        async def follow() -> None:
            async for message in feed.follow():
                seen.append(message)
                if len(seen) == 1:
                    # Published from another thread: handed to the loop, not lost.
                    threading.Thread(target=feed.publish, args=({"kind": "b"},)).start()
                if len(seen) == 2:
                    feed.close()

        await asyncio.wait_for(follow(), WAIT_S)
        return seen

    assert asyncio.run(scenario()) == [{"kind": "a"}, {"kind": "b"}]


def test_a_quiet_feed_gives_heartbeats_and_reset_forgets_the_last_run() -> None:
    async def scenario() -> tuple[Any, int, Any]:
        feed = LiveFeed()
        feed.publish({"kind": "old"})
        stream = feed.follow(heartbeat_s=0.01)
        assert await asyncio.wait_for(anext(stream), WAIT_S) == {"kind": "old"}
        feed.reset()
        told = await asyncio.wait_for(anext(stream), WAIT_S)
        quiet = await asyncio.wait_for(anext(stream), WAIT_S)
        await stream.aclose()
        return told, len(feed.messages), quiet

    assert asyncio.run(scenario()) == ({"kind": "reset"}, 0, None)


def test_the_sink_translates_the_engine_events() -> None:
    feed = LiveFeed()
    sink = FeedSink(feed)
    finding = Finding("expect.Reset.status", Severity.ERROR, "wrong status", frames=(7,), step="2")
    sink.handle(CaseStarted("TC_001_CSMS", "Cold boot", 1, 3))
    sink.handle(StepStarted("TC_001_CSMS", "1", "send BootNotification"))
    sink.handle(FindingRaised("TC_001_CSMS", finding))
    sink.handle(Notice("hello"))
    kinds = [m["kind"] for m in feed.messages]
    assert kinds == ["case-started", "step", "finding", "notice"]
    assert feed.messages[2]["frames"] == [7]
    assert feed.messages[2]["severity"] == "error"


def record(seq: int, direction: str, text: str, mono_ns: int, conn: int = 1) -> dict[str, Any]:
    return {
        "seq": seq,
        "case": "TC_001_CSMS",
        "conn": conn,
        "dir": direction,
        "mono_ns": mono_ns,
        "utc": "2026-01-01T00:00:00.000Z",
        "text": text,
    }


def test_an_answer_carries_the_action_and_response_time_of_its_call() -> None:
    feed = LiveFeed()
    tap = FrameTap(feed)
    tap(record(1, "csms->cp", '[2,"u1","Reset",{"type":"Soft"}]', 1_000_000))
    tap(record(2, "cp->csms", '[2,"u1","Heartbeat",{}]', 2_000_000))  # same id, other way
    tap(record(3, "cp->csms", '[3,"u1",{"status":"Accepted"}]', 4_500_000))
    tap(record(4, "csms->cp", '[4,"u1","NotImplemented","",{}]', 9_000_000))
    tap(record(5, "csms->cp", "not json", 9_000_000))
    tap({"seq": 6, "case": "", "conn": 1, "event": "close", "utc": "", "detail": "bye"})
    frames = feed.messages
    assert [(f.get("type"), f.get("action"), f.get("response_ms")) for f in frames[:5]] == [
        ("CALL", "Reset", None),
        ("CALL", "Heartbeat", None),
        ("CALLRESULT", "Reset", 3.5),
        ("CALLERROR", "Heartbeat", 7.0),
        ("", "", None),
    ]
    assert frames[5]["kind"] == "connection"
    assert frames[5]["detail"] == "bye"
