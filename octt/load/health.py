"""The load generator's report on itself: was octt, not the CSMS, the bottleneck?

A response time measured by a load worker includes whatever the worker's own event loop was
doing when the answer arrived: a long callback, a garbage-collector pause, a saturated core.
Each worker therefore samples, besides the CSMS's answers:

* its event-loop lag — `LoopLag` asks the loop to wake it every `LAG_INTERVAL_S` and records how
  late it woke (an answer arriving then waits as long before it is stamped);
* its CPU time, its garbage collector's pauses (`octt.load.worker.GcWatch`) and its resident
  memory.

It also owns the garbage-collector settings of a load process (`settle_gc` and `steady_gc`; the
asyncio workers and the Locust user class both use them).

It sends them once per report as a `HealthSample`; the parent's `HealthBook` keeps them, adds
one line per second to the timeline (CPU share of the busiest worker, loop lag p99/max, GC pause
time, memory per station) and, at the end, the ``generator`` entry of load.json with its
warnings: the event-loop lag p99 above `LAG_WARN_S` (octt's own delay then shows in the
figures), or a worker's core saturated (`CPU_WARN_SHARE`) for a noticeable part of the run.
"""

from __future__ import annotations

import asyncio
import gc
import time
from array import array
from dataclasses import dataclass, field
from typing import Any, Final

from octt.load.stamped import ArrivalStamp
from octt.result.performance import percentile

#: A load process's garbage-collector thresholds. Python's default (700, 10, 10) runs a young
#: collection every 700 container allocations; a process handling thousands of frames a second
#: allocates far more, and each collection also promotes the frames in flight, which then fill
#: the old generation and bring on full collections. A larger young generation lets them die
#: young (reference counting frees them) and makes collections rarer.
GC_THRESHOLDS: Final = (20_000, 20, 20)
#: Once the ramp-up is over. A steady load makes no cyclic garbage (its objects die by reference
#: counting), but each collection still walks every young survivor, and the survivors of a
#: load are many: every station's timer, its parser waiting for the next frame, its script's
#: plan. Scattered over a large heap, they cost about a microsecond each to walk: at 10,000
#: stations a young collection took about 30 ms and a middle one about 200 ms, each an answer
#: delay octt would have measured as the CSMS's. So the young generation is made large enough
#: that it is only collected if something piles up (a leak of octt's, garbage cycles from many
#: broken connections): then the pause happens, and is reported, rather than memory growing
#: without bound.
STEADY_GC_THRESHOLDS: Final = (1_000_000, 20, 20)
#: How often the loop-lag sampler asks to be woken.
LAG_INTERVAL_S: Final = 0.01
#: Above this event-loop lag p99 the generator's own delay is a visible part of the figures.
LAG_WARN_S: Final = 0.010
#: A worker using this share of its core (or more) is saturated.
CPU_WARN_SHARE: Final = 0.90
#: ... and it matters when that is so in at least this share of the run's seconds (and 3).
CPU_WARN_PART: Final = 0.10


def steady_gc() -> None:
    """When the ramp-up is over: what it built (the stations, their connections) is frozen out
    of the collector's sight, and the steady state's thresholds apply (`STEADY_GC_THRESHOLDS`)."""
    gc.freeze()
    gc.set_threshold(*STEADY_GC_THRESHOLDS)


def settle_gc(thresholds: tuple[int, int, int] = GC_THRESHOLDS) -> None:
    """Before the stations start: what the process has loaded (modules, the schemas) lives as
    long as it, so it is frozen out of the collector's sight; then the load's thresholds.
    An `octt load` worker takes the steady state's from the start: it freezes its new
    stations every second of the ramp-up, so its young generation never fills (at 1,000
    stations a second, collections had cost up to 75 ms a second of the ramp-up)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


@dataclass(frozen=True)
class HealthSample:
    """One worker's figures about itself since its previous report."""

    cpu_s: float  # user + system CPU seconds since the worker started (cumulative)
    lag_ns: tuple[int, ...]  # event-loop lag samples since the previous report
    gc_pauses_ns: tuple[int, ...]  # garbage-collector pauses since the previous report
    rss: int  # resident memory now, bytes
    baseline_rss: int  # resident memory before the first station connected, bytes
    open_now: int  # its stations connected now
    #: How long each read's data had waited in its socket (kernel arrival stamps only).
    read_delay_ns: tuple[int, ...] = ()


class LoopLag:
    """How late the event loop wakes a sleeper (run `sample` as a task; `take` the figures)."""

    def __init__(self, interval_s: float = LAG_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._samples: array[int] = array("q")

    async def sample(self) -> None:
        interval_ns = round(self.interval_s * 1e9)
        while True:
            # Measured on the monotonic clock in ns, not the loop's: uvloop's clock counts
            # whole milliseconds and moves once per loop iteration.
            due = time.monotonic_ns() + interval_ns
            await asyncio.sleep(self.interval_s)
            self._samples.append(max(0, time.monotonic_ns() - due))

    def take(self) -> tuple[int, ...]:
        taken = tuple(self._samples)
        self._samples = array("q")
        return taken


def _seconds(ordered: list[int], fraction: float) -> float | None:
    return percentile(ordered, fraction) / 1e9 if ordered else None


def _round6(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _spread(ordered: list[int]) -> dict[str, int | float | None]:
    """Samples (ns, sorted) as load.json gives them: how many, p50, p99 and max in seconds."""
    return {
        "samples": len(ordered),
        "p50": _round6(_seconds(ordered, 0.5)),
        "p99": _round6(_seconds(ordered, 0.99)),
        "max": _round6(ordered[-1] / 1e9 if ordered else None),
    }


@dataclass
class _Worker:
    cpu_s: float = 0.0
    at: float = 0.0  # when its latest sample arrived (parent's monotonic seconds)
    cpu_at_point: float = 0.0
    at_point: float | None = None  # when the sample of the previous point arrived
    rss: int = 0
    baseline_rss: int = 0
    open_now: int = 0
    busy_points: int = 0  # timeline seconds in which it was saturated
    cpu_shares: list[float] = field(default_factory=list)


class HealthBook:
    """The parent's account of every worker's health, for the timeline and load.json."""

    def __init__(self) -> None:
        self._workers: dict[int, _Worker] = {}
        self._lag: array[int] = array("q")
        self._gc: array[int] = array("q")
        self._read_delay: array[int] = array("q")
        self._window_lag: list[int] = []
        self._window_read_delay: list[int] = []
        self._window_gc: list[int] = []
        self.points = 0

    def add(self, index: int, sample: HealthSample, at: float) -> None:
        """A worker's sample, arrived at monotonic second `at`."""
        worker = self._workers.setdefault(index, _Worker())
        worker.cpu_s, worker.at = sample.cpu_s, at
        worker.rss, worker.baseline_rss = sample.rss, sample.baseline_rss
        worker.open_now = sample.open_now
        self._lag.extend(sample.lag_ns)
        self._gc.extend(sample.gc_pauses_ns)
        self._read_delay.extend(sample.read_delay_ns)
        self._window_lag.extend(sample.lag_ns)
        self._window_read_delay.extend(sample.read_delay_ns)
        self._window_gc.extend(sample.gc_pauses_ns)

    def point(self) -> dict[str, float | int | None]:
        """The figures since the previous point (a timeline line). A worker's CPU share is over
        the time between its samples: a busy worker may report late, never a share over 1."""
        shares = []
        for worker in self._workers.values():
            since = worker.at_point
            if since is None or worker.at <= since:  # first sample, or none new: no share yet
                worker.at_point = since if since is not None else worker.at
                worker.cpu_at_point = worker.cpu_s if since is None else worker.cpu_at_point
                continue
            share = (worker.cpu_s - worker.cpu_at_point) / (worker.at - since)
            worker.cpu_at_point, worker.at_point = worker.cpu_s, worker.at
            worker.cpu_shares.append(share)
            if share >= CPU_WARN_SHARE:
                worker.busy_points += 1
            shares.append(share)
        lag = sorted(self._window_lag)
        read_delay = sorted(self._window_read_delay)
        pauses = self._window_gc
        grown = sum(max(0, w.rss - w.baseline_rss) for w in self._workers.values())
        connected = sum(w.open_now for w in self._workers.values())
        self._window_lag, self._window_gc, self._window_read_delay = [], [], []
        self.points += 1
        return {
            "cpu_share": round(max(shares), 3) if shares else None,
            "loop_lag_p99_s": _round6(_seconds(lag, 0.99)),
            "loop_lag_max_s": _round6(lag[-1] / 1e9 if lag else None),
            "read_delay_p99_s": _round6(_seconds(read_delay, 0.99)),
            "gc_pause_s": round(sum(pauses) / 1e9, 6),
            "gc_max_pause_s": _round6(max(pauses) / 1e9 if pauses else None),
            "rss_bytes": sum(w.rss for w in self._workers.values()),
            "memory_per_station_bytes": round(grown / connected) if connected else None,
        }

    def summary(
        self, duration_s: float, cpu_s: dict[int, float], arrival: ArrivalStamp
    ) -> dict[str, Any]:
        """The ``generator`` entry of load.json (`cpu_s`: each worker's final CPU seconds;
        `arrival`: what the run's arrival stamps came from)."""
        lag = sorted(self._lag)
        pauses = sorted(self._gc)
        read_delay = sorted(self._read_delay)
        lag_p99 = _seconds(lag, 0.99)
        warnings: list[str] = []
        if lag_p99 is not None and lag_p99 > LAG_WARN_S:
            if arrival is ArrivalStamp.KERNEL:
                # The answers' arrival is the kernel's: the wait is not in the response times,
                # but the CALLs went out later than planned, so the load offered was less.
                delay_p99 = _seconds(read_delay, 0.99) or 0.0  # no answer read: no wait
                effect = (
                    ": its stations sent their CALLs later than planned (the CSMS got less load"
                    " than asked for) and answers waited in its sockets (p99"
                    f" {delay_p99 * 1000:.1f} ms); the response times do not include that wait"
                    " (the kernel stamped the answers' arrival)"
                )
            else:
                effect = ", so its own delay is part of the response times it measured"
            warnings.append(
                f"the load generator was a bottleneck: its event-loop lag p99 was"
                f" {lag_p99 * 1000:.1f} ms (above {LAG_WARN_S * 1000:g} ms){effect}"
                + (
                    f"; longest garbage-collector pause {pauses[-1] / 1e6:.1f} ms"
                    if pauses and pauses[-1] / 1e9 > LAG_WARN_S
                    else ""
                )
                + "; use more worker processes (--processes) or machines"
            )
        for index, worker in sorted(self._workers.items()):
            needed = max(3, CPU_WARN_PART * self.points)
            if worker.busy_points >= needed:
                warnings.append(
                    f"the load generator was a bottleneck: worker {index} used"
                    f" {CPU_WARN_SHARE:.0%} or more of its core in {worker.busy_points} of"
                    f" {self.points} seconds; use more worker processes or machines"
                )
        shares = {
            str(index): round(cpu / duration_s, 3) if duration_s > 0 else None
            for index, cpu in sorted(cpu_s.items())
        }
        return {
            "bottleneck": bool(warnings),
            "warnings": warnings,
            "thresholds": {
                "loop_lag_p99_s": LAG_WARN_S,
                "cpu_share": CPU_WARN_SHARE,
                "cpu_saturated_part": CPU_WARN_PART,
            },
            "cpu_share": shares,
            "loop_lag_s": _spread(lag),
            "read_delay_s": _spread(read_delay),
            "gc_pauses": {
                "count": len(pauses),
                "total_s": round(sum(pauses) / 1e9, 6),
                "p99_s": _round6(_seconds(pauses, 0.99)),
                "max_s": _round6(pauses[-1] / 1e9 if pauses else None),
            },
        }
