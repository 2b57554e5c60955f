"""A load result to render and check, shared by the load report and runner tests."""

from __future__ import annotations

from typing import Any

from octt.load.csms_process import CsmsProcessInfo
from octt.load.health import HealthBook, HealthSample
from octt.load.runner import LoadResult, LoadSettings, TimelinePoint
from octt.load.stamped import ArrivalStamp
from octt.load.stats import CallOutcome, FindingExample, StatsBook
from octt.load.worker import FdLimit, WorkerInfo

MiB = 1 << 20


def worker(pid: int, stations: int, baseline: int, peak: int, errors: int = 0) -> WorkerInfo:
    return WorkerInfo(
        pid=pid,
        stations=stations,
        baseline_rss=baseline,
        peak_rss=peak,
        open_at_peak=stations,
        peak_open=stations,
        fd=FdLimit(1024, 4096, 4096, 4096),
        cpu_s=1.5,
        gc={"max_pause_s": 0.01, "total_s": 0.1, "full_collections": 1},
        own_errors=("LOAD-1: boom",) * min(errors, 1),
        own_error_count=errors,
    )


def generator(*, lag_ms: float = 0.2) -> tuple[dict[str, Any], dict[str, Any]]:
    """A generator summary and one timeline entry of its figures (HealthBook's own output)."""
    book = HealthBook()
    book.add(
        0,
        HealthSample(
            cpu_s=0.4,
            lag_ns=(100_000, round(lag_ms * 1_000_000)),
            gc_pauses_ns=(2_000_000,),
            rss=42 * MiB,
            baseline_rss=40 * MiB,
            open_now=4,
            read_delay_ns=(50_000, 300_000),
        ),
        at=1.0,
    )
    point = book.point()
    return book.summary(60.0, {0: 1.5}, ArrivalStamp.KERNEL), point


def result(**changes: Any) -> LoadResult:
    book = StatsBook()
    for n in range(10):
        book.call_sent("Heartbeat")
        book.call_ended("Heartbeat", CallOutcome.RESULT, (n + 1) * 1_000_000)
    values: dict[str, Any] = {
        "run_id": "abc",
        "started_at": "2026-01-01T00:00:00.000Z",
        "finished_at": "2026-01-01T00:01:00.000Z",
        "duration_s": 60.0,
        "settings": LoadSettings(stations=4, duration_s=60),
        "csms_url": "ws://127.0.0.1:9000",
        "csms": CsmsProcessInfo(
            7, (0, 1), FdLimit(1024, 1024, 4096, 100), 50 * MiB, 54 * MiB, 3.0, None
        ),
        "workers": (worker(1, 2, 40 * MiB, 41 * MiB), worker(2, 2, 40 * MiB, 42 * MiB)),
        "peak_connected": 4,
        "actions": book.summary(),
        "csms_calls": {"GetConfiguration": {"count": 1, "callerrors": 0}},
        "rules": {"schema.response": 1},
        "examples": (FindingExample("schema.response", "error", "bad", "Heartbeat", "[3]"),),
        "connections": {"attempts": 4, "opened": 4, "lost": 0},
        "connect_failures": {},
        "timeline": (
            TimelinePoint(1.0, 4, 10, 0.005, 0.01, 0.01, generator()[1]),
            TimelinePoint(2.0, 4, 0, generator=generator()[1]),
        ),
        "generator": generator()[0],
    }
    values.update(changes)
    return LoadResult(**values)
