"""The recorder: numbers frames, and writes trace.jsonl as the run goes (one JSON object a line).

Sequence numbers are global to a run, so a finding can cite frames unambiguously. Each line is
flushed when written: an interrupted run keeps every frame it exchanged.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from octt.clock import Clock, rfc3339
from octt.record.model import ConnectionEvent, ConnectionEventKind, Direction, WireFrame
from octt.record.redact import Redactor


@dataclass
class _Counter:
    value: int = 0


class Recorder:
    """Stamps and numbers wire frames and connection events; optionally writes them."""

    def __init__(self, clock: Clock, redactor: Redactor, path: Path | None = None) -> None:
        self._clock = clock
        self._redactor = redactor
        self._seq = _Counter()
        self._connections = _Counter()
        self._lock = threading.Lock()
        self._file: IO[str] | None = path.open("w", encoding="utf-8") if path else None
        self.case_id = ""

    def _next_seq(self) -> int:
        with self._lock:
            self._seq.value += 1
            return self._seq.value

    def peek_next_seq(self) -> int:
        """The sequence number the next frame or event will get."""
        with self._lock:
            return self._seq.value + 1

    def new_connection(self) -> int:
        with self._lock:
            self._connections.value += 1
            return self._connections.value

    def frame(
        self,
        connection: int,
        direction: Direction,
        text: str,
        mono_ns: int,
        *,
        binary: bool = False,
    ) -> WireFrame:
        frame = WireFrame(
            seq=self._next_seq(),
            connection=connection,
            direction=direction,
            mono_ns=mono_ns,
            utc=rfc3339(self._clock.utc_now()),
            text=text,
            binary=binary,
        )
        self._write(
            {
                "seq": frame.seq,
                "case": self.case_id,
                "conn": connection,
                "dir": direction.value,
                "mono_ns": mono_ns,
                "utc": frame.utc,
                "text": self._redactor(text),
                **({"binary": True} if binary else {}),
            }
        )
        return frame

    def event(self, connection: int, kind: ConnectionEventKind, detail: str) -> ConnectionEvent:
        event = ConnectionEvent(
            seq=self._next_seq(),
            connection=connection,
            kind=kind,
            mono_ns=self._clock.monotonic_ns(),
            utc=rfc3339(self._clock.utc_now()),
            detail=detail,
        )
        self._write(
            {
                "seq": event.seq,
                "case": self.case_id,
                "conn": connection,
                "event": kind.value,
                "mono_ns": event.mono_ns,
                "utc": event.utc,
                "detail": self._redactor(detail),
            }
        )
        return event

    def _write(self, record: dict[str, object]) -> None:
        if self._file is None:
            return
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
