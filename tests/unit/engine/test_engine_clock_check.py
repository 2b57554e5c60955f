"""The CSMS's clock check: any RFC 3339 form is legal, only the instant counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from octt.engine.clock_check import RULE, clock_findings
from octt.findings import Severity

NOW = datetime(2026, 6, 1, 12, 0, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026-06-01T12:00:00.500Z",
        "2026-06-01T14:00:00+02:00",  # an offset, no fractional seconds
        "2026-06-01T12:00:59Z",
        "2026-06-01T11:59:01.000+00:00",
    ],
)
def test_a_time_within_the_deviation_is_fine(text: str) -> None:
    assert clock_findings("Heartbeat", {"currentTime": text}, NOW, 60, (1,)) == []


def test_a_stale_time_is_an_error_naming_the_deviation() -> None:
    [finding] = clock_findings(
        "BootNotification", {"currentTime": "2026-06-01T11:58:40Z"}, NOW, 60, (4, 5)
    )
    assert (finding.rule, finding.severity, finding.frames) == (RULE, Severity.ERROR, (4, 5))
    assert "80 s behind" in finding.message and "60 s" in finding.message


def test_only_boot_and_heartbeat_and_readable_times_are_checked() -> None:
    old = {"currentTime": "2000-01-01T00:00:00Z"}
    assert clock_findings("Authorize", old, NOW, 60, ()) == []
    assert clock_findings("Heartbeat", {"currentTime": "2026-06-01 12:00:00"}, NOW, 60, ()) == []
    assert clock_findings("Heartbeat", {"currentTime": "2026-06-01T12:00:00"}, NOW, 60, ()) == []
    assert clock_findings("Heartbeat", {}, NOW, 60, ()) == []
