"""The live feed of the console: one run's events, frames and prompts as JSON messages.

Owns `LiveFeed` (every message of the current run, replayed to a browser that joins late, and
handed to each browser following it), `FeedSink` (an `EventBus` sink turning the engine's
events into messages) and `FrameTap` (the recorder's records turned into frame messages, with
the action of a CALLRESULT/CALLERROR and its response time taken from the CALL it answers).

Nothing here runs a case: the engine emits, these only translate. A message is a dict with a
`kind`: reset, run, case-started, step, finding, case-finished, frame, connection, notice, prompt,
prompt-closed, finished, stopped, failed.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any

from octt.findings import Finding
from octt.result.events import (
    CaseFinished,
    CaseStarted,
    Event,
    FindingRaised,
    Notice,
    RunCheckpoint,
    RunFinished,
    RunStarted,
    StepStarted,
)

Message = dict[str, Any]

# OCPP-J 1.6 §4.1.3: the message type number of a CALL, CALLRESULT and CALLERROR.
_CALL, _CALLRESULT, _CALLERROR = 2, 3, 4
_END = object()


class LiveFeed:
    """The messages of the current run, and the browsers following it."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._followers: set[asyncio.Queue[object]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._closed = False

    @property
    def messages(self) -> tuple[Message, ...]:
        return tuple(self._messages)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the followers live in (publish from another thread is handed to it)."""
        self._loop = loop
        self._thread = threading.get_ident()

    def reset(self) -> None:
        """A new run begins: its messages replace the last run's (a page following the feed is
        told to forget what it shows)."""
        self._messages.clear()
        for queue in self._followers:
            queue.put_nowait({"kind": "reset"})

    def publish(self, message: Message) -> None:
        if self._loop is not None and threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._deliver, message)
        else:
            self._deliver(message)

    def _deliver(self, message: Message) -> None:
        self._messages.append(message)
        for queue in self._followers:
            queue.put_nowait(message)

    def close(self) -> None:
        """The console shuts down: every follower's stream ends."""
        self._closed = True
        for queue in self._followers:
            queue.put_nowait(_END)

    async def follow(self, heartbeat_s: float | None = None) -> AsyncIterator[Message | None]:
        """Every message so far, then each new one as it comes, until the feed closes; None
        after `heartbeat_s` without a message (so a stream can tell a gone reader)."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        backlog = list(self._messages)
        self._followers.add(queue)
        try:
            for message in backlog:
                yield message
            while not self._closed:
                try:
                    item = await asyncio.wait_for(queue.get(), heartbeat_s)
                except TimeoutError:
                    yield None
                    continue
                if item is _END:
                    return
                assert isinstance(item, dict)
                yield item
        finally:
            self._followers.discard(queue)


def finding_message(case_id: str, finding: Finding) -> Message:
    return {
        "kind": "finding",
        "case": case_id,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "spec": finding.spec,
        "frames": list(finding.frames),
        "step": finding.step,
    }


class FeedSink:
    """An EventBus sink: the engine's events as feed messages."""

    def __init__(self, feed: LiveFeed) -> None:
        self._feed = feed

    def handle(self, event: Event) -> None:
        message = self._message(event)
        if message is not None:
            self._feed.publish(message)

    @staticmethod
    def _message(event: Event) -> Message | None:
        if isinstance(event, RunStarted):
            return {
                "kind": "run",
                "csms": event.csms_url,
                "operator": event.operator_mode,
                "cases": [
                    {
                        "id": entry.case.id,
                        "title": entry.case.title,
                        "profile": entry.case.profile.value,
                        "applicable": entry.applicable,
                        "reason": entry.reason,
                    }
                    for entry in event.plan.entries
                ],
            }
        if isinstance(event, CaseStarted):
            return {
                "kind": "case-started",
                "case": event.case_id,
                "title": event.title,
                "index": event.index,
                "total": event.total,
            }
        if isinstance(event, StepStarted):
            return {
                "kind": "step",
                "case": event.case_id,
                "path": event.path,
                "description": event.description,
            }
        if isinstance(event, FindingRaised):
            return finding_message(event.case_id, event.finding)
        if isinstance(event, CaseFinished):
            result = event.result
            return {
                "kind": "case-finished",
                "case": result.id,
                "verdict": result.verdict.value,
                "reason": result.reason,
                "duration_s": round(result.duration_s, 3),
                "index": event.index,
                "total": event.total,
            }
        if isinstance(event, RunFinished):
            return {"kind": "verdict", "verdict": event.result.verdict.value}
        if isinstance(event, Notice):
            return {"kind": "notice", "message": event.message}
        assert isinstance(event, RunCheckpoint)
        return None


class FrameTap:
    """The recorder's records (already redacted) as feed messages, one per frame or connection
    event; a CALLRESULT or CALLERROR carries the action and response time of its CALL."""

    def __init__(self, feed: LiveFeed) -> None:
        self._feed = feed
        self._calls: dict[tuple[object, str, str], tuple[str, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, record: Mapping[str, object]) -> None:
        if "event" in record:
            self._feed.publish(
                {
                    "kind": "connection",
                    "seq": record.get("seq"),
                    "case": record.get("case", ""),
                    "conn": record.get("conn"),
                    "event": record.get("event"),
                    "utc": record.get("utc"),
                    "detail": record.get("detail", ""),
                }
            )
            return
        self._feed.publish(self._frame(record))

    def _frame(self, record: Mapping[str, object]) -> Message:
        text = str(record.get("text", ""))
        direction = str(record.get("dir", ""))
        message: Message = {
            "kind": "frame",
            "seq": record.get("seq"),
            "case": record.get("case", ""),
            "conn": record.get("conn"),
            "dir": direction,
            "utc": record.get("utc"),
            "text": text,
            "type": "",
            "action": "",
            "response_ms": None,
        }
        try:
            parsed = json.loads(text)
        except ValueError:
            return message
        if not isinstance(parsed, list) or len(parsed) < 3 or not isinstance(parsed[1], str):
            return message
        kind, unique_id = parsed[0], parsed[1]
        mono_ns = record.get("mono_ns")
        stamp = mono_ns if isinstance(mono_ns, int) else 0
        with self._lock:
            if kind == _CALL and isinstance(parsed[2], str):
                message.update(type="CALL", action=parsed[2])
                self._calls[(record.get("conn"), direction, unique_id)] = (parsed[2], stamp)
            elif kind in (_CALLRESULT, _CALLERROR):
                message["type"] = "CALLRESULT" if kind == _CALLRESULT else "CALLERROR"
                # The answer travels the other way from its CALL.
                other = "csms->cp" if direction == "cp->csms" else "cp->csms"
                call = self._calls.pop((record.get("conn"), other, unique_id), None)
                if call is not None:
                    message["action"] = call[0]
                    if stamp and call[1]:
                        message["response_ms"] = round((stamp - call[1]) / 1e6, 1)
        return message
