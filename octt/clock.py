"""Time as an explicit dependency.

Every component that needs the time takes a `Clock`. Deadlines are monotonic seconds; wall-clock
time is only used for timestamps that go on the wire or into reports.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a monotonic clock (deadlines)."""
        ...

    def monotonic_ns(self) -> int:
        """Nanoseconds on the same monotonic clock (frame stamps)."""
        ...

    def utc_now(self) -> datetime:
        """The wall-clock time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def monotonic_ns(self) -> int:
        return time.monotonic_ns()

    def utc_now(self) -> datetime:
        return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """An RFC 3339 UTC timestamp with millisecond precision, e.g. 2026-01-02T03:04:05.678Z."""
    # isoformat (in C) writes the same digits as strftime("%Y-%m-%dT%H:%M:%S.%f") cut to
    # milliseconds, in a fraction of the time: a load station stamps every CALL.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat("T", "milliseconds") + "Z"
