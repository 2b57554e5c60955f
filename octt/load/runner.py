"""Running a load: the CSMS process (when none is given), the worker processes, the figures.

`LoadRun` spreads the stations over `processes` workers (station i goes to worker i mod P and
connects at i / ramp-up rate seconds after the start), collects their reports on a thread (so
a worker never waits on a full pipe), and keeps the merged `StatsBook`, the number of connected
stations and a once-a-second timeline. `wait` runs a timed load to its end; `stop` ends an
open-ended one (the background load of ``octt run --background-load``). Either gives a
`LoadResult`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import platform
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from octt import __version__
from octt.clock import rfc3339
from octt.load.behaviour import LoadMix
from octt.load.csms_process import CsmsProcessInfo, ReferenceProcess
from octt.load.health import HealthBook
from octt.load.loops import EventLoopKind
from octt.load.loops import resolve as resolve_loop
from octt.load.stamped import arrival_stamp_for
from octt.load.station import DRAIN_S
from octt.load.stats import ActionSummary, FindingExample, StatsBook
from octt.load.steady import SteadyState
from octt.load.worker import (
    FdLimit,
    StartLine,
    WorkerInfo,
    WorkerReport,
    WorkerSpec,
    worker_main,
)
from octt.result.performance import percentile

#: A worker that sends nothing for this long after the end (plus drain) is given up.
GRACE_S = 30.0
#: How long the load's processes take to start at most (spawn + imports + schemas).
START_S = 30.0
#: Once every worker is ready, the ramp-up starts this much later (time to hear the start).
START_LEAD_S = 0.2


@dataclass(frozen=True)
class LoadSettings:
    stations: int
    duration_s: float | None  # None: until `stop` (a background load)
    ramp_per_s: float = 100.0  # stations connecting per second
    mix: LoadMix = field(default_factory=LoadMix)
    processes: int = 0  # 0: one per core
    response_timeout_s: float = 30.0
    csms_url: str | None = None  # None: the embedded reference CSMS, in its own process
    pics: Path | None = None  # test data for the embedded reference CSMS
    cp_id_prefix: str = "OCTT-LOAD-"
    basic_auth_password: str | None = None
    tls_verify: bool = True
    report_interval_s: float = 1.0
    seed: int = 1
    csms_cpus: tuple[int, ...] = ()  # pin the embedded CSMS to these cores (default: any)
    event_loop: EventLoopKind = EventLoopKind.AUTO  # the workers' event loop

    def __post_init__(self) -> None:
        if self.stations < 1:
            raise ValueError(f"stations must be at least 1, got {self.stations}")
        if self.duration_s is not None and self.duration_s <= 0:
            raise ValueError(f"the duration must be positive, got {self.duration_s}")
        if self.ramp_per_s <= 0:
            raise ValueError(f"the ramp-up rate must be positive, got {self.ramp_per_s}")
        if self.processes < 0:
            raise ValueError(f"processes cannot be negative, got {self.processes}")
        if self.response_timeout_s <= 0:
            raise ValueError(
                f"the response timeout must be positive, got {self.response_timeout_s}"
            )

    @property
    def worker_count(self) -> int:
        return min(self.stations, self.processes or os.cpu_count() or 1)

    def cp_id(self, index: int) -> str:
        return f"{self.cp_id_prefix}{index + 1:05d}"

    def to_json(self) -> dict[str, Any]:
        return {
            "stations": self.stations,
            "duration_s": self.duration_s,
            "ramp_up_per_s": self.ramp_per_s,
            "processes": self.worker_count,
            "response_timeout_s": self.response_timeout_s,
            "cp_id_prefix": self.cp_id_prefix,
            "mix": self.mix.to_json(),
            "basic_auth": self.basic_auth_password is not None,
            "tls_verify": self.tls_verify,
            "event_loop": resolve_loop(self.event_loop).value,
            # The embedded reference CSMS is a ws:// one.
            "arrival_stamp": arrival_stamp_for(self.csms_url or "ws://").value,
        }


@dataclass(frozen=True)
class TimelinePoint:
    elapsed_s: float
    connected: int
    calls: int  # CALLs answered or ended since the previous point
    p50_s: float | None = None  # response times of the answers since the previous point
    p99_s: float | None = None
    max_s: float | None = None
    generator: Mapping[str, float | int | None] = field(default_factory=dict)  # HealthBook.point

    def to_json(self) -> dict[str, float | int | None]:
        return {
            "t_s": round(self.elapsed_s, 1),
            "connected": self.connected,
            "calls": self.calls,
            "p50_s": _maybe_round6(self.p50_s),
            "p99_s": _maybe_round6(self.p99_s),
            "max_s": _maybe_round6(self.max_s),
            **self.generator,
        }


def _maybe_round6(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass(frozen=True)
class Progress:
    elapsed_s: float
    connected: int
    peak_connected: int
    calls_per_s: float
    actions: tuple[ActionSummary, ...]
    stations: int


@dataclass(frozen=True)
class LoadResult:
    run_id: str
    started_at: str
    finished_at: str
    duration_s: float
    settings: LoadSettings
    csms_url: str
    csms: CsmsProcessInfo | None  # the embedded reference CSMS's process, if it ran one
    workers: tuple[WorkerInfo, ...]
    peak_connected: int
    actions: tuple[ActionSummary, ...]
    csms_calls: dict[str, dict[str, int]]
    rules: dict[str, int]
    examples: tuple[FindingExample, ...]
    connections: dict[str, int]
    connect_failures: dict[str, int]
    timeline: tuple[TimelinePoint, ...]
    failures: tuple[str, ...] = ()  # workers that could not run
    interrupted: bool = False
    generator: Mapping[str, Any] = field(default_factory=dict)  # HealthBook.summary
    steady_state: Mapping[str, Any] | None = None  # SteadyState.to_json

    @property
    def generator_warnings(self) -> tuple[str, ...]:
        """Why the load generator, not the CSMS, may have set the figures (none: it did not)."""
        return tuple(self.generator.get("warnings", ()))

    @property
    def memory_per_station(self) -> float | None:
        """Bytes of the load generator's resident memory per connected station."""
        grown = sum(max(0, w.peak_rss - w.baseline_rss) for w in self.workers)
        stations = sum(w.open_at_peak for w in self.workers)
        return grown / stations if stations else None

    @property
    def csms_memory_per_station(self) -> float | None:
        """Bytes of the embedded CSMS's memory per connected station (peak over baseline)."""
        if self.csms is None or self.csms.peak_rss is None or not self.peak_connected:
            return None
        return max(0, self.csms.peak_rss - self.csms.baseline_rss) / self.peak_connected

    @property
    def complete(self) -> bool:
        """Every station was connected at once, no worker failed, no octt-side error."""
        own = sum(w.own_error_count for w in self.workers)
        return self.peak_connected >= self.settings.stations and not self.failures and not own

    def to_json(self) -> dict[str, Any]:
        per_station = self.memory_per_station
        csms_per_station = self.csms_memory_per_station
        return {
            "schema_version": "1.0",
            "tool": {"name": "octt", "version": __version__},
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": round(self.duration_s, 3),
            "interrupted": self.interrupted,
            "complete": self.complete,
            "csms_url": self.csms_url,
            "csms": {
                "embedded": self.csms is not None,
                "process": self.csms.to_json() if self.csms is not None else None,
                "memory_per_station_bytes": _maybe_round(csms_per_station),
            },
            "settings": self.settings.to_json(),
            "machine": machine(),
            "stations": {
                "target": self.settings.stations,
                "peak_connected": self.peak_connected,
                "memory_per_station_bytes": _maybe_round(per_station),
            },
            "connections": {**self.connections, "failed": dict(self.connect_failures)},
            "actions": [a.to_json() for a in self.actions],
            "steady_state": self.steady_state,
            "csms_calls": [
                {
                    "action": action,
                    "count": counts.get("count", 0),
                    "callerrors": counts.get("callerrors", 0),
                    "schema_failures": counts.get("schema_failures", 0),
                    "findings": counts.get("findings", 0),
                }
                for action, counts in sorted(self.csms_calls.items())
            ],
            "findings": {
                "by_rule": dict(sorted(self.rules.items())),
                "examples": [e.to_json() for e in self.examples],
            },
            "workers": [
                {
                    "pid": w.pid,
                    "stations": w.stations,
                    "peak_connected": w.peak_open,
                    "baseline_rss_bytes": w.baseline_rss,
                    "peak_rss_bytes": w.peak_rss,
                    "connected_at_peak_rss": w.open_at_peak,
                    "cpu_s": round(w.cpu_s, 2),
                    "gc": dict(w.gc),
                    "fd_limit": w.fd.to_json(),
                    "octt_errors": w.own_error_count,
                    "octt_error_examples": list(w.own_errors),
                }
                for w in self.workers
            ],
            "generator": dict(self.generator),
            "timeline": [p.to_json() for p in self.timeline],
            "failures": list(self.failures),
        }


def _maybe_round(value: float | None) -> int | None:
    return None if value is None else round(value)


def machine() -> dict[str, Any]:
    total = None
    with contextlib.suppress(OSError, ValueError):
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_bytes": total,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
    }


class LoadRun:
    """The processes of one load, and what they report."""

    def __init__(self, settings: LoadSettings) -> None:
        self.settings = settings
        self.run_id = uuid.uuid4().hex[:12]
        self._book = StatsBook()
        self._health = HealthBook()
        self._lock = threading.Lock()
        self._csms: ReferenceProcess | None = None
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._conns: dict[Connection, int] = {}
        self._open: dict[int, int] = {}
        self._infos: dict[int, WorkerInfo] = {}
        self._failures: list[str] = []
        self._timeline: list[TimelinePoint] = []
        self._window: list[int] = []  # response times (ns) since the last timeline point
        self._steady = SteadyState(settings.stations)
        self._peak_connected = 0
        self._collector: threading.Thread | None = None
        self._stop: Any = None
        self._start_mono = 0.0
        self._started_at = ""
        self._result: LoadResult | None = None
        self.csms_url = settings.csms_url or ""
        self.control_url: str | None = None

    # -- starting ------------------------------------------------------------------------------

    def start(self) -> None:
        settings = self.settings
        if settings.csms_url is None:
            self._csms = ReferenceProcess(
                settings.pics, connections=settings.stations + 1, cpus=settings.csms_cpus
            )
            self._csms.start()
            self.csms_url = self._csms.ocpp_url
            self.control_url = self._csms.control_url
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        count = settings.worker_count
        start_line = StartLine(context, count)
        # A provisional start (the collector's clock); the ramp starts when every worker is
        # ready (spawn, imports, schemas), which `release` below waits for.
        self._start_mono = time.monotonic() + START_S
        self._started_at = rfc3339(datetime.now(UTC))
        for index in range(count):
            mine = range(index, settings.stations, count)
            spec = WorkerSpec(
                index=index,
                csms_url=self.csms_url,
                cp_ids=tuple(settings.cp_id(i) for i in mine),
                start_offsets_s=tuple(i / settings.ramp_per_s for i in mine),
                start_mono=self._start_mono,
                duration_s=settings.duration_s,
                mix=settings.mix,
                response_timeout_s=settings.response_timeout_s,
                seed=settings.seed * 1000 + index,
                report_interval_s=settings.report_interval_s,
                basic_auth_password=settings.basic_auth_password,
                tls_verify=settings.tls_verify,
                event_loop=resolve_loop(settings.event_loop),
                workers=count,
            )
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=worker_main,
                args=(spec, send, self._stop, start_line),
                name=f"octt-load-{index}",
            )
            process.start()
            send.close()
            self._processes.append(process)
            self._conns[receive] = index
            self._open[index] = 0
        self._start_mono = start_line.release(START_S, START_LEAD_S)
        self._started_at = rfc3339(datetime.now(UTC))
        self._collector = threading.Thread(target=self._collect, name="octt-load-collector")
        self._collector.start()

    # -- collecting ----------------------------------------------------------------------------

    def _collect(self) -> None:
        last_point = time.monotonic()
        last_calls = 0
        duration = self.settings.duration_s
        while True:
            with self._lock:
                pending = [c for c in self._conns if self._conns[c] not in self._infos]
            if not pending:
                break
            if duration is not None and time.monotonic() > (
                self._start_mono + duration + DRAIN_S + GRACE_S
            ):
                with self._lock:
                    self._failures.append("some workers did not finish in time; stopped")
                break
            for conn in wait(pending, timeout=0.5):
                assert isinstance(conn, Connection)
                try:
                    report = conn.recv()
                except (EOFError, OSError):
                    self._lost(self._conns[conn])
                    continue
                self._take(report)
            now = time.monotonic()
            if now - last_point >= 1.0 and now >= self._start_mono:
                with self._lock:
                    calls = self._calls_ended()
                    connected = sum(self._open.values())
                    window = sorted(self._window)
                    self._window = []
                    self._timeline.append(
                        TimelinePoint(
                            now - self._start_mono,
                            connected,
                            calls - last_calls,
                            percentile(window, 0.5) / 1e9 if window else None,
                            percentile(window, 0.99) / 1e9 if window else None,
                            window[-1] / 1e9 if window else None,
                            self._health.point(),
                        )
                    )
                last_point, last_calls = now, calls

    def _lost(self, index: int) -> None:
        with self._lock:
            if index not in self._infos:
                self._failures.append(f"worker {index} ended without its final report")
                self._infos[index] = _empty_info()
                self._open[index] = 0

    def _take(self, report: WorkerReport) -> None:
        with self._lock:
            self._book.merge(report.delta)
            for times in report.delta.latencies_ns.values():
                self._window.extend(times)
            self._open[report.index] = report.open_now
            self._steady.note(
                time.monotonic() - self._start_mono,
                sum(self._open.values()),
                (t for times in report.delta.latencies_ns.values() for t in times),
            )
            if report.health is not None:
                self._health.add(report.index, report.health, time.monotonic())
            self._peak_connected = max(self._peak_connected, sum(self._open.values()))
            if report.failure is not None:
                self._failures.append(f"worker {report.index}: {report.failure}")
            if report.final:
                self._infos[report.index] = report.info or _empty_info()

    def _calls_ended(self) -> int:
        return sum(
            c["answered"] + c["callerrors"] + c["timeouts"] + c["closed"] + c["malformed"]
            for c in self._book.calls.values()
        )

    # -- watching ------------------------------------------------------------------------------

    def progress(self) -> Progress:
        with self._lock:
            elapsed = max(0.0, time.monotonic() - self._start_mono)
            recent = self._timeline[-5:]
            rate = sum(p.calls for p in recent) / len(recent) if recent else 0.0
            return Progress(
                elapsed,
                sum(self._open.values()),
                self._peak_connected,
                rate,
                self._book.summary(),
                self.settings.stations,
            )

    def wait_connected(self, count: int, timeout_s: float) -> bool:
        """Wait (bounded) until `count` stations are connected at once."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if self._peak_connected >= count:
                    return True
                if len(self._infos) == len(self._processes):
                    return False
            assert self._collector is not None
            self._collector.join(0.2)
        return False

    def wait(
        self,
        on_progress: Callable[[Progress], None] | None = None,
        interval_s: float = 1.0,
    ) -> LoadResult:
        """Wait for a timed load to end (calling `on_progress` meanwhile); its result."""
        collector = self._collector
        assert collector is not None, "start() first"
        interrupted = False
        try:
            while collector.is_alive():
                collector.join(interval_s)
                if on_progress is not None:
                    on_progress(self.progress())
        except KeyboardInterrupt:
            interrupted = True
            self._stop.set()
            collector.join(DRAIN_S + GRACE_S)
        result = self._finish()
        return replace(result, interrupted=interrupted) if interrupted else result

    def stop(self) -> LoadResult:
        """End the load now (stations finish their outstanding CALL, bounded); its result."""
        if self._stop is not None:
            self._stop.set()
        if self._collector is not None:
            self._collector.join(DRAIN_S + GRACE_S)
        return self._finish()

    def _finish(self) -> LoadResult:
        if self._result is not None:
            return self._result
        for process in self._processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        for conn in self._conns:
            conn.close()
        csms_info = None
        if self._csms is not None:
            self._csms.stop()
            csms_info = self._csms.info
        finished = time.monotonic()
        with self._lock:
            workers = tuple(self._infos[i] for i in sorted(self._infos))
            duration = max(0.0, finished - self._start_mono)
            generator = self._health.summary(
                duration,
                {i: info.cpu_s for i, info in sorted(self._infos.items())},
                arrival_stamp_for(self.csms_url),
            )
            self._result = LoadResult(
                run_id=self.run_id,
                started_at=self._started_at,
                finished_at=rfc3339(datetime.now(UTC)),
                duration_s=duration,
                settings=self.settings,
                csms_url=self.csms_url,
                csms=csms_info,
                workers=workers,
                peak_connected=self._peak_connected,
                actions=self._book.summary(),
                csms_calls={a: dict(c) for a, c in self._book.csms_calls.items()},
                rules=dict(self._book.rules),
                examples=tuple(self._book.examples),
                connections=dict(self._book.connections),
                connect_failures=dict(self._book.connect_failures),
                timeline=tuple(self._timeline),
                failures=tuple(self._failures),
                generator=generator,
                steady_state=self._steady.to_json(),
            )
            return self._result

    def __enter__(self) -> LoadRun:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._result is None and (self._processes or self._csms is not None):
            self.stop()


def _empty_info() -> WorkerInfo:
    return WorkerInfo(0, 0, 0, 0, 0, 0, FdLimit(0, 0, 0, 0), 0.0)
