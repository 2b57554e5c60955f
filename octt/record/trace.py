"""The recorder: numbers frames, and writes trace.jsonl as the run goes (one JSON object a line).

Sequence numbers are global to a run, so a finding can cite frames unambiguously. Each line is
flushed when written: an interrupted run keeps every frame it exchanged.

An outgoing frame is numbered before it is handed to the socket (`reserve`) and recorded once the
transport has stamped the hand-off (`frame(..., seq=...)`), so the number reflects the order on
the wire even when a fast answer is read before the sender records its frame; the file keeps seq
order by holding back the lines numbered after a reservation until that reservation is recorded.
"""

from __future__ import annotations

import heapq
import json
import threading
from collections.abc import Callable, Mapping
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
        self._reserved: set[int] = set()
        self._held: list[tuple[int, str]] = []  # lines numbered after a reservation, by seq
        self.case_id = ""
        # Called with each record as it is made (redacted, as written): a live view of the wire.
        self.on_record: Callable[[Mapping[str, object]], None] | None = None

    def _next_seq(self) -> int:
        with self._lock:
            self._seq.value += 1
            return self._seq.value

    def reserve(self) -> int:
        """Number a frame now and record it later with `frame(..., seq=...)`; lines numbered after
        it wait in memory until it is recorded (or `release`d)."""
        with self._lock:
            self._seq.value += 1
            self._reserved.add(self._seq.value)
            return self._seq.value

    def release(self, seq: int) -> None:
        """Give up a reservation that will not be recorded (its number stays unused)."""
        with self._lock:
            self._reserved.discard(seq)
            self._drain()

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
        seq: int | None = None,
    ) -> WireFrame:
        """Record one frame; `seq` is a number from `reserve` (default: the next number)."""
        frame = WireFrame(
            seq=self._next_seq() if seq is None else seq,
            connection=connection,
            direction=direction,
            mono_ns=mono_ns,
            utc=rfc3339(self._clock.utc_now()),
            text=text,
            binary=binary,
        )
        self._write(
            frame.seq,
            {
                "seq": frame.seq,
                "case": self.case_id,
                "conn": connection,
                "dir": direction.value,
                "mono_ns": mono_ns,
                "utc": frame.utc,
                "text": self._redactor(text),
                **({"binary": True} if binary else {}),
            },
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
            event.seq,
            {
                "seq": event.seq,
                "case": self.case_id,
                "conn": connection,
                "event": kind.value,
                "mono_ns": event.mono_ns,
                "utc": event.utc,
                "detail": self._redactor(detail),
            },
        )
        return event

    def _write(self, seq: int, record: dict[str, object]) -> None:
        if self.on_record is not None:
            self.on_record(record)
        if self._file is None:
            with self._lock:
                self._reserved.discard(seq)
            return
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._reserved.discard(seq)
            heapq.heappush(self._held, (seq, line))
            self._drain()

    def _drain(self) -> None:
        """Write the held lines numbered before the oldest open reservation (lock held)."""
        if self._file is None or not self._held:
            return
        first_open = min(self._reserved, default=None)
        wrote = False
        while self._held and (first_open is None or self._held[0][0] < first_open):
            self._file.write(heapq.heappop(self._held)[1] + "\n")
            wrote = True
        if wrote:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            with self._lock:
                self._reserved.clear()
                self._drain()
            self._file.close()
            self._file = None
