"""RFC 3339 timestamps with milliseconds and Z, and the system clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from octt.clock import Clock, SystemClock, rfc3339


def test_rfc3339_has_milliseconds_and_z() -> None:
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


def test_rfc3339_pads_milliseconds() -> None:
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000Z"
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 7000, tzinfo=UTC)) == "2026-01-02T03:04:05.007Z"


def test_rfc3339_truncates_microseconds() -> None:
    # Truncation, never rounding up into the next second.
    assert rfc3339(datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)) == (
        "2026-12-31T23:59:59.999Z"
    )


def test_rfc3339_converts_other_offsets_to_utc() -> None:
    cest = timezone(timedelta(hours=2))
    assert (
        rfc3339(datetime(2026, 6, 1, 1, 30, 0, 250000, tzinfo=cest)) == "2026-05-31T23:30:00.250Z"
    )
    minus = timezone(timedelta(hours=-5, minutes=-30))
    assert rfc3339(datetime(2026, 1, 1, 20, 0, tzinfo=minus)) == "2026-01-02T01:30:00.000Z"


def test_system_clock() -> None:
    clock: Clock = SystemClock()
    now = clock.utc_now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", rfc3339(now))
    first_ns, first_s = clock.monotonic_ns(), clock.monotonic()
    assert clock.monotonic_ns() >= first_ns
    assert clock.monotonic() >= first_s
