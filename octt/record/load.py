"""Reading trace.jsonl back: the frames and connection events of a run, grouped by test case.

The counterpart of `octt.record.trace.Recorder`. Reports render message sequences from it. A
trace of an interrupted run may end in a half-written line; unreadable lines are counted and
skipped, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class TraceEntry:
    """One line of the trace: a wire frame (`direction` set) or a connection event (`event`)."""

    seq: int
    case: str
    connection: int
    mono_ns: int
    utc: str
    direction: str = ""  # "cp->csms" | "csms->cp" for frames
    text: str = ""
    binary: bool = False
    event: str = ""  # "open" | "close" | "connect-failed" for connection events
    detail: str = ""

    @property
    def is_frame(self) -> bool:
        return bool(self.direction)


@dataclass(frozen=True)
class Trace:
    entries: tuple[TraceEntry, ...] = ()
    unreadable_lines: int = 0
    by_case: Mapping[str, tuple[TraceEntry, ...]] = field(default_factory=dict)

    def for_case(self, case_id: str) -> tuple[TraceEntry, ...]:
        return self.by_case.get(case_id, ())


def _entry(record: Mapping[str, Any]) -> TraceEntry:
    return TraceEntry(
        seq=int(record["seq"]),
        case=str(record.get("case", "")),
        connection=int(record.get("conn", 0)),
        mono_ns=int(record.get("mono_ns", 0)),
        utc=str(record.get("utc", "")),
        direction=str(record.get("dir", "")),
        text=str(record.get("text", "")),
        binary=bool(record.get("binary", False)),
        event=str(record.get("event", "")),
        detail=str(record.get("detail", "")),
    )


def parse_trace(lines: Iterable[str]) -> Trace:
    entries: list[TraceEntry] = []
    unreadable = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise TypeError("not an object")
            entries.append(_entry(record))
        except (ValueError, TypeError, KeyError):
            unreadable += 1
    entries.sort(key=lambda e: e.seq)
    grouped: dict[str, list[TraceEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.case, []).append(entry)
    return Trace(
        entries=tuple(entries),
        unreadable_lines=unreadable,
        by_case={case: tuple(items) for case, items in grouped.items()},
    )


def load_trace(path: Path) -> Trace | None:
    """The trace at `path`, or None when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    return parse_trace(text.splitlines())
