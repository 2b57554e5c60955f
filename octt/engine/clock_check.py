"""The CSMS's clock: currentTime in BootNotification.conf and Heartbeat.conf against real UTC.

OCPP 1.6 §4.2 and §4.6: the Central System answers with its current time, which the charge point
uses to set its own clock. The OCA test tool has a "max time deviation" setting for how far
that time may be off; octt takes it from the PICS (`limits.max_time_deviation_s`). Any RFC 3339
form is legal — an offset like +02:00, no fractional seconds — only the instant counts. A
currentTime that is not a date-time at all is the schema check's finding, not this one's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from octt.findings import Finding, Severity

RULE = "clock.current-time"
SPEC = "OCPP 1.6 §4.2, §4.6 (currentTime); OCA test tool setting 'max time deviation' (PICS)"
CHECKED = frozenset({"BootNotification", "Heartbeat"})


def clock_findings(
    action: str,
    response: Mapping[str, Any],
    now: datetime,
    max_deviation_s: float,
    frames: tuple[int, ...],
) -> list[Finding]:
    """An error when the currentTime of `action`'s answer is further than `max_deviation_s`
    from `now` (real UTC when the answer arrived)."""
    if action not in CHECKED:
        return []
    text = response.get("currentTime")
    if not isinstance(text, str):
        return []
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return []
    if moment.tzinfo is None:
        return []
    off = (moment - now).total_seconds()
    if abs(off) <= max_deviation_s:
        return []
    direction = "behind" if off < 0 else "ahead of"
    return [
        Finding(
            RULE,
            Severity.ERROR,
            f"{action}.conf currentTime {text} is {abs(off):.0f} s {direction} real UTC"
            f" (PICS limits.max_time_deviation_s: {max_deviation_s:g} s)",
            SPEC,
            frames,
        )
    ]
