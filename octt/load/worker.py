"""A load worker process: one asyncio loop driving its share of the stations.

The parent starts one worker per core (multiprocessing, spawn). Each worker raises its own
file-descriptor limit as far as its share needs (up to the hard limit), notes its resident memory
before the first station connects, starts every station at its ramp-up time, and every
`report_interval_s` sends the parent a `WorkerReport`: the statistics that changed, how many of
its stations are connected, its resident memory. The last report (`final`) adds `WorkerInfo`.
The parent's stop event ends the stations early; otherwise they stop at the end time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import random
import resource
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Any, Protocol

from octt.clock import SystemClock
from octt.load.behaviour import LoadMix
from octt.load.health import (
    STEADY_GC_THRESHOLDS,
    HealthSample,
    LoopLag,
    settle_gc,
    steady_gc,
)
from octt.load.loops import EventLoopKind, loop_factory
from octt.load.ports import SourcePorts
from octt.load.stamped import ArrivalStamp, ReadDelays, StampedConnector, arrival_stamp_for
from octt.load.station import DRAIN_S, StationPool, run_station
from octt.load.stats import StatsBook, StatsDelta
from octt.load.tcp import TcpConnector
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

#: File descriptors a process needs besides its connections (stdio, pipes, schema files, ...).
FD_MARGIN = 64
#: How long workers and parent wait for each other before the ramp-up starts anyway.
START_WAIT_S = 30.0
#: How many octt-side errors (bugs) a worker reports in detail.
OWN_ERRORS_KEPT = 10


class StopSignal(Protocol):
    def is_set(self) -> bool: ...


class StartLine:
    """The ramp-up starts when every worker is ready (spawned, imports done, schemas loaded),
    not at a guess: a worker that starts late would otherwise find its stations' start times
    past and connect them all at once. Workers `ready` (bounded); the parent `release`s them
    with the start time once all are ready or `START_S` has passed."""

    def __init__(self, context: Any, workers: int) -> None:
        self._barrier = context.Barrier(workers + 1)
        self._go = context.Event()
        self._at = context.Value("d", 0.0)

    def ready(self, timeout_s: float) -> float:
        """In a worker: wait (bounded) for the start; the monotonic start time."""
        with contextlib.suppress(threading.BrokenBarrierError):
            self._barrier.wait(timeout_s)
        self._go.wait(timeout_s)
        return float(self._at.value) if self._go.is_set() else time.monotonic()

    def abort(self) -> None:
        """In a worker that cannot run: nobody waits for it."""
        self._barrier.abort()

    def release(self, timeout_s: float, lead_s: float) -> float:
        """In the parent: wait (bounded) for every worker, then start `lead_s` from now."""
        with contextlib.suppress(threading.BrokenBarrierError):
            self._barrier.wait(timeout_s)
        start = time.monotonic() + lead_s
        self._at.value = start
        self._go.set()
        return start


@dataclass(frozen=True)
class WorkerSpec:
    index: int
    csms_url: str
    cp_ids: tuple[str, ...]
    start_offsets_s: tuple[float, ...]  # per station, after `start_mono`
    start_mono: float  # time.monotonic() (system-wide) at which the load starts
    duration_s: float | None  # None: until the stop event
    mix: LoadMix
    response_timeout_s: float
    seed: int
    report_interval_s: float = 1.0
    basic_auth_password: str | None = None
    tls_verify: bool = True
    connect_timeout_s: float = 10.0
    event_loop: EventLoopKind = EventLoopKind.ASYNCIO
    workers: int = 1  # how many worker processes the run has (`index` is one of them)


@dataclass(frozen=True)
class FdLimit:
    soft_before: int
    soft: int
    hard: int
    needed: int

    def to_json(self) -> dict[str, int]:
        return {
            "soft_before": self.soft_before,
            "soft": self.soft,
            "hard": self.hard,
            "needed": self.needed,
        }


@dataclass(frozen=True)
class WorkerInfo:
    pid: int
    stations: int
    baseline_rss: int  # bytes, before the first connection
    peak_rss: int  # bytes, when the most stations were connected
    open_at_peak: int  # stations connected then
    peak_open: int
    fd: FdLimit
    cpu_s: float  # user + system CPU seconds of the worker
    gc: dict[str, float | int] = field(default_factory=dict)  # GcWatch figures
    own_errors: tuple[str, ...] = ()
    own_error_count: int = 0


@dataclass(frozen=True)
class WorkerReport:
    index: int
    delta: StatsDelta
    open_now: int
    rss: int
    final: bool = False
    info: WorkerInfo | None = None
    failure: str | None = None  # the worker could not run (e.g. the schemas did not load)
    health: HealthSample | None = None  # the worker's own CPU, loop lag, GC pauses, memory


def raise_fd_limit(needed: int) -> FdLimit:
    """Raise the soft RLIMIT_NOFILE to `needed` if it is lower: up to the hard limit, or past it
    where the process may raise the hard limit too (root, CAP_SYS_RESOURCE)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            with contextlib.suppress(ValueError, OSError):  # not privileged: keep the hard one
                resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
        soft_now, hard_now = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = needed if hard_now == resource.RLIM_INFINITY else min(needed, hard_now)
        if soft_now < target:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard_now))
    now_soft, now_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return FdLimit(soft, now_soft, now_hard, needed)


def resident_bytes() -> int:
    """This process's resident memory now (Linux /proc; elsewhere its peak so far)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class GcWatch:
    """How long the garbage collector stopped this process (a pause delays every answer the
    process is waiting for, so it shows in the response times it measures)."""

    def __init__(self) -> None:
        self.max_s = 0.0
        self.total_s = 0.0
        self.full = 0  # collections of the oldest generation
        self._began = 0
        self._pauses: list[int] = []  # ns, since the last `take_pauses`

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter_ns()
            return
        pause_ns = time.perf_counter_ns() - self._began
        pause = pause_ns / 1e9
        self.total_s += pause
        self.max_s = max(self.max_s, pause)
        self._pauses.append(pause_ns)
        if info.get("generation") == 2:
            self.full += 1

    def take_pauses(self) -> tuple[int, ...]:
        """The pauses (ns) since the previous call."""
        taken = tuple(self._pauses)
        self._pauses = []
        return taken

    def install(self) -> GcWatch:
        gc.callbacks.append(self)
        return self

    def to_json(self) -> dict[str, float | int]:
        return {
            "max_pause_s": round(self.max_s, 4),
            "total_s": round(self.total_s, 4),
            "full_collections": self.full,
        }


def worker_main(
    spec: WorkerSpec, conn: Connection, stop: Any, start: StartLine | None = None
) -> None:
    """Process entry point (must stay importable: multiprocessing spawns it by name)."""
    try:
        fd = raise_fd_limit(len(spec.cp_ids) + FD_MARGIN)
        validator = FrameValidator(SchemaSet.load())
        settle_gc(STEADY_GC_THRESHOLDS)
        if start is not None:
            spec = replace(spec, start_mono=start.ready(START_WAIT_S))
        with asyncio.Runner(loop_factory=loop_factory(spec.event_loop)) as runner:
            runner.run(_work(spec, conn, stop, validator, fd, GcWatch().install()))
    except BaseException as exc:  # report, never hang the parent
        if start is not None:
            start.abort()
        with contextlib.suppress(Exception):
            conn.send(WorkerReport(spec.index, StatsDelta(), 0, 0, True, None, repr(exc)))
        if not isinstance(exc, Exception):
            raise
    finally:
        conn.close()


@dataclass
class _Peak:
    """The resident memory when the most stations were connected (the latest such reading)."""

    rss: int = 0
    open_at_peak: int = 0
    peak_open: int = 0
    baseline: int = field(default_factory=resident_bytes)

    def note(self, rss: int, open_now: int) -> None:
        if open_now > self.peak_open or (open_now == self.peak_open and open_now):
            self.peak_open = open_now
            self.rss, self.open_at_peak = rss, open_now


async def _work(
    spec: WorkerSpec,
    conn: Connection,
    stop: StopSignal,
    validator: FrameValidator,
    fd: FdLimit,
    gc_watch: GcWatch,
) -> None:
    loop = asyncio.get_running_loop()
    book = StatsBook()
    book.track_changes()
    clock = SystemClock()
    read_delays = ReadDelays()
    ports = SourcePorts.for_this_machine(spec.index, spec.workers)
    tcp = TcpConnector(ports)
    pool = StationPool(
        csms_url=spec.csms_url,
        mix=spec.mix,
        validator=validator,
        book=book,
        clock=clock,
        rng=random.Random(spec.seed),
        response_timeout_s=spec.response_timeout_s,
        connect_timeout_s=spec.connect_timeout_s,
        basic_auth_password=spec.basic_auth_password,
        tls_verify=spec.tls_verify,
        stamped=(
            StampedConnector(clock, read_delays, tcp)
            if arrival_stamp_for(spec.csms_url) is ArrivalStamp.KERNEL
            else None
        ),
        tcp=tcp if ports is not None else None,  # else the loop's connect, as before
    )
    peak = _Peak()
    lag = LoopLag()
    lag_task = asyncio.create_task(lag.sample())
    # The loop's clock is the system's monotonic one (asyncio's time.monotonic(), uvloop's
    # libuv clock, in whole ms): the parent's start time applies as is.
    end_at = spec.start_mono + spec.duration_s if spec.duration_s is not None else float("inf")
    last_start = spec.start_mono + max(spec.start_offsets_s, default=0.0)
    ramped = False
    stations = [
        asyncio.create_task(run_station(pool, cp_id, spec.start_mono + offset, end_at))
        for cp_id, offset in zip(spec.cp_ids, spec.start_offsets_s, strict=True)
    ]
    everything = asyncio.gather(*stations, return_exceptions=True)
    hard_end = end_at + DRAIN_S + 10.0
    frozen_at = 0
    try:
        while not everything.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(everything), spec.report_interval_s)
            if stop.is_set():
                pool.stopping.set()
            if loop.time() > hard_end:  # stations that overstay their drain: cancel
                for task in stations:
                    task.cancel()
            if not ramped and loop.time() > last_start + 1.0:
                steady_gc()  # what the ramp-up built stays; no collections in steady state
                ramped = True
                frozen_at = max(frozen_at, pool.open_now)
            elif pool.open_now > frozen_at:
                # New stations are long-lived: move them out of the collector's sight, so a
                # full collection does not scan thousands of connections and stall every
                # answer this process is timing (what stays in view is short-lived).
                gc.freeze()
                frozen_at = pool.open_now
            rss = resident_bytes()
            peak.note(rss, pool.open_now)
            if not everything.done():
                health = _health(lag, read_delays, gc_watch, rss, peak.baseline, pool.open_now)
                conn.send(
                    WorkerReport(spec.index, book.take_delta(), pool.open_now, rss, health=health)
                )
    finally:
        lag_task.cancel()
        for task in stations:
            task.cancel()
        results = await everything
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            pool.own_errors.append(f"station task failed: {result!r}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    info = WorkerInfo(
        pid=os.getpid(),
        stations=len(spec.cp_ids),
        baseline_rss=peak.baseline,
        peak_rss=peak.rss,
        open_at_peak=peak.open_at_peak,
        peak_open=peak.peak_open,
        fd=fd,
        cpu_s=usage.ru_utime + usage.ru_stime,
        gc=gc_watch.to_json(),
        own_errors=tuple(pool.own_errors[:OWN_ERRORS_KEPT]),
        own_error_count=len(pool.own_errors),
    )
    rss = resident_bytes()
    health = _health(lag, read_delays, gc_watch, rss, peak.baseline, 0)
    conn.send(WorkerReport(spec.index, book.take_delta(), 0, rss, True, info, health=health))


def _health(
    lag: LoopLag,
    read_delays: ReadDelays,
    gc_watch: GcWatch,
    rss: int,
    baseline: int,
    open_now: int,
) -> HealthSample:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return HealthSample(
        cpu_s=usage.ru_utime + usage.ru_stime,
        lag_ns=lag.take(),
        read_delay_ns=read_delays.take(),
        gc_pauses_ns=gc_watch.take_pauses(),
        rss=rss,
        baseline_rss=baseline,
        open_now=open_now,
    )


def monotonic() -> float:
    """The clock the parent gives start times on (shared by every process of the machine)."""
    return time.monotonic()
