"""The load generator's report on itself: loop lag sampled, figures per second and in total,
and a warning exactly when the generator (not the CSMS) was the bottleneck."""

from __future__ import annotations

import asyncio
import gc

from octt.load.health import (
    CPU_WARN_SHARE,
    GC_THRESHOLDS,
    LAG_WARN_S,
    STEADY_GC_THRESHOLDS,
    HealthBook,
    HealthSample,
    LoopLag,
    steady_gc,
)
from octt.load.stamped import ArrivalStamp

MS = 1_000_000


def sample(
    cpu_s: float, lag_ms: tuple[float, ...] = (0.1,), gc_ms: tuple[float, ...] = ()
) -> HealthSample:
    return HealthSample(
        cpu_s=cpu_s,
        lag_ns=tuple(round(x * MS) for x in lag_ms),
        gc_pauses_ns=tuple(round(x * MS) for x in gc_ms),
        rss=60 << 20,
        baseline_rss=40 << 20,
        open_now=1000,
    )


def test_loop_lag_is_sampled_while_the_loop_runs() -> None:
    async def main() -> tuple[int, ...]:
        lag = LoopLag(interval_s=0.001)
        task = asyncio.create_task(lag.sample())
        while len(lag._samples) < 3:  # wait on the samples, not on a fixed time
            await asyncio.sleep(0.001)
        task.cancel()
        return lag.take()

    taken = asyncio.run(main())
    assert len(taken) >= 3 and all(ns >= 0 for ns in taken)


def test_a_quiet_generator_reports_its_figures_and_no_warning() -> None:
    book = HealthBook()
    book.add(0, sample(0.1, lag_ms=(0.1, 0.2, 0.3), gc_ms=(1.0,)), at=10.0)
    point = book.point()
    assert point["cpu_share"] is None  # one sample: no interval yet
    assert point["loop_lag_max_s"] == 0.0003
    assert point["gc_pause_s"] == 0.001 and point["gc_max_pause_s"] == 0.001
    assert point["rss_bytes"] == 60 << 20
    assert point["memory_per_station_bytes"] == round((20 << 20) / 1000)
    book.add(0, sample(0.4), at=11.0)
    assert book.point()["cpu_share"] == 0.3
    book.add(0, sample(0.6), at=13.0)  # a late report: the share is over its own interval
    assert book.point()["cpu_share"] == 0.1
    assert book.point()["cpu_share"] is None  # nothing new from the worker
    summary = book.summary(3.0, {0: 0.6}, ArrivalStamp.EVENT_LOOP)
    assert summary["bottleneck"] is False and summary["warnings"] == []
    assert summary["cpu_share"] == {"0": 0.2}
    assert summary["loop_lag_s"]["samples"] == 5
    assert summary["gc_pauses"] == {"count": 1, "total_s": 0.001, "p99_s": 0.001, "max_s": 0.001}


def test_loop_lag_above_the_threshold_is_a_warning() -> None:
    book = HealthBook()
    book.add(0, sample(0.5, lag_ms=(LAG_WARN_S * 1000 * 3,) * 10, gc_ms=(40.0,)), at=1.0)
    book.point()
    summary = book.summary(1.0, {0: 0.5}, ArrivalStamp.EVENT_LOOP)
    assert summary["bottleneck"] is True
    (warning,) = summary["warnings"]
    assert "event-loop lag p99" in warning and "garbage-collector pause 40.0 ms" in warning


def test_with_kernel_stamps_the_lag_warning_says_what_it_did_and_did_not_touch() -> None:
    book = HealthBook()
    lagging = sample(0.5, lag_ms=(LAG_WARN_S * 1000 * 3,) * 10)
    delays = tuple(n * MS for n in range(1, 101))  # 1..100 ms waited in the sockets
    book.add(0, HealthSample(**{**vars(lagging), "read_delay_ns": delays}), at=1.0)
    assert book.point()["read_delay_p99_s"] == 0.099
    summary = book.summary(1.0, {0: 0.5}, ArrivalStamp.KERNEL)
    assert summary["read_delay_s"] == {"samples": 100, "p50": 0.05, "p99": 0.099, "max": 0.1}
    (warning,) = summary["warnings"]
    assert "later than planned" in warning and "p99 99.0 ms" in warning
    assert "do not include that wait" in warning
    assert "part of the response times" not in warning
    event_loop = HealthBook()
    event_loop.add(0, lagging, at=1.0)
    (warning,) = event_loop.summary(1.0, {0: 0.5}, ArrivalStamp.EVENT_LOOP)["warnings"]
    assert "part of the response times it measured" in warning
    assert event_loop.summary(1.0, {}, ArrivalStamp.EVENT_LOOP)["read_delay_s"]["samples"] == 0


def test_a_saturated_core_is_a_warning_only_when_it_lasts() -> None:
    busy = HealthBook()
    cpu = 0.0
    for second in range(6):
        busy.add(1, sample(cpu), at=float(second))
        busy.point()
        cpu += CPU_WARN_SHARE + 0.05
    summary = busy.summary(6.0, {1: cpu}, ArrivalStamp.EVENT_LOOP)
    assert summary["bottleneck"] is True
    assert "worker 1 used 90% or more of its core in 5 of 6 seconds" in summary["warnings"][0]

    brief = HealthBook()
    cpu = 0.0
    for second in range(30):
        brief.add(1, sample(cpu), at=float(second))
        brief.point()
        cpu += 0.99 if second == 1 else 0.1
    assert brief.summary(30.0, {1: cpu}, ArrivalStamp.EVENT_LOOP)["bottleneck"] is False


def test_the_steady_state_keeps_the_collector_away() -> None:
    before = gc.get_threshold()
    try:
        steady_gc()
        assert gc.get_threshold() == STEADY_GC_THRESHOLDS
        assert STEADY_GC_THRESHOLDS[0] >= 50 * GC_THRESHOLDS[0]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
