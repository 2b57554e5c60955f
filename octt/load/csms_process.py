"""The embedded reference CSMS in a process of its own, for load.

Under load the reference CSMS must not share the load generator's event loop (its latency would
be the generator's), so `ReferenceProcess` runs it in a separate process (multiprocessing,
spawn): one asyncio loop, one core at most (CPython), free to run on any core the scheduler
picks unless `cpus` pins it. It raises its own file-descriptor limit for the connections to
come, reports its URLs once it listens, and on `stop` reports its peak resident memory and CPU
time before it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import resource
import signal
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path

from octt.load.worker import FD_MARGIN, FdLimit, GcWatch, raise_fd_limit, resident_bytes

#: How long the CSMS process may take to start listening.
START_TIMEOUT_S = 30.0
#: How long it may take to stop (closing every connection) before it is killed.
STOP_TIMEOUT_S = 15.0


class CsmsProcessError(Exception):
    """The reference CSMS process did not start."""


@dataclass(frozen=True)
class CsmsProcessInfo:
    pid: int
    cpus: tuple[int, ...]  # the cores it may run on
    fd: FdLimit
    baseline_rss: int  # bytes, listening, before any connection
    peak_rss: int | None = None  # bytes, the highest of the run (reported when it stopped)
    cpu_s: float | None = None
    gc: dict[str, float | int] | None = None  # its garbage collector's pauses (GcWatch)

    def to_json(self) -> dict[str, object]:
        return {
            "pid": self.pid,
            "cpus": list(self.cpus),
            "fd_limit": self.fd.to_json(),
            "baseline_rss_bytes": self.baseline_rss,
            "peak_rss_bytes": self.peak_rss,
            "cpu_s": None if self.cpu_s is None else round(self.cpu_s, 2),
            "gc": self.gc,
        }


def _serve(pics: str | None, connections: int, cpus: tuple[int, ...], conn: Connection) -> None:
    """Child process: serve the reference CSMS until SIGTERM."""
    from octt.reference.server import ReferenceConfig, serve
    from octt.reference.store import seed_from_pics
    from octt.resources import default_pics_path

    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)
    fd = raise_fd_limit(connections + FD_MARGIN)
    gc_watch = GcWatch().install()
    config = ReferenceConfig(seed=seed_from_pics(Path(pics) if pics else default_pics_path()))
    allowed = tuple(sorted(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else ()

    async def main() -> None:
        task = asyncio.create_task(
            serve(
                config,
                lambda csms: conn.send(
                    ("ready", csms.ocpp_url, csms.control_url, allowed, fd, resident_bytes())
                ),
            )
        )
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
    finally:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with contextlib.suppress(Exception):
            conn.send(
                (
                    "stopped",
                    usage.ru_maxrss * 1024,
                    usage.ru_utime + usage.ru_stime,
                    gc_watch.to_json(),
                )
            )
        conn.close()


class ReferenceProcess:
    """A reference CSMS in its own process; a context manager."""

    def __init__(
        self, pics: Path | None = None, *, connections: int = 0, cpus: tuple[int, ...] = ()
    ) -> None:
        self._pics = pics
        self._connections = connections
        self._cpus = cpus
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self.ocpp_url = ""
        self.control_url = ""
        self.info: CsmsProcessInfo | None = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        args = (str(self._pics) if self._pics else None, self._connections, self._cpus, send)
        process = context.Process(target=_serve, args=args, name="octt-reference-csms")
        process.start()
        send.close()
        self._process, self._conn = process, receive
        if not receive.poll(START_TIMEOUT_S):
            self.stop()
            raise CsmsProcessError(f"the reference CSMS did not start within {START_TIMEOUT_S} s")
        try:
            message = receive.recv()
        except EOFError:
            message = None
        if not (isinstance(message, tuple) and message[0] == "ready"):
            self.stop()
            raise CsmsProcessError(f"the reference CSMS process failed to start ({message!r})")
        _, self.ocpp_url, self.control_url, cpus, fd, baseline = message
        assert process.pid is not None
        self.info = CsmsProcessInfo(process.pid, tuple(cpus), fd, baseline)

    def stop(self) -> None:
        process, conn = self._process, self._conn
        if process is None:
            return
        self._process = None
        if process.is_alive():
            process.terminate()  # SIGTERM: the server closes its connections and stops
        stopped = None
        if conn is not None:
            with contextlib.suppress(EOFError, OSError):
                if conn.poll(STOP_TIMEOUT_S):
                    stopped = conn.recv()
            conn.close()
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            process.join(5)
        if self.info is not None and isinstance(stopped, tuple) and stopped[0] == "stopped":
            self.info = replace(
                self.info, peak_rss=int(stopped[1]), cpu_s=float(stopped[2]), gc=stopped[3]
            )

    def __enter__(self) -> ReferenceProcess:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
