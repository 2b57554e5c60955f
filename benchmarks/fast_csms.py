"""A minimal answering OCPP 1.6-J CSMS for load benchmarks: it is never the bottleneck.

Every CALL from a charge point is answered at once with a fixed, schema-valid CALLRESULT
(BootNotification Accepted, Authorize/StartTransaction idTag Accepted, ...); nothing is stored,
nothing is validated. It runs one asyncio loop in its own process, optionally pinned to cores
(``--cpus``), listens on 127.0.0.1 only, and measures what the load generator cannot see from
outside: its own *residence time* per CALL (from the frame's bytes arriving at its socket to its
answer being handed back to the socket, on the machine-wide monotonic clock), its CPU time and
its event-loop lag. On SIGTERM/SIGINT it writes those figures as JSON to ``--stats`` and exits.

Usage (the side-by-side benchmark starts it for you)::

    python benchmarks/fast_csms.py --cpus 1 --ready ready.txt --stats csms.json

It prints (and writes to ``--ready``) the OCPP URL once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import signal
import time
from array import array
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

#: Connections the server process raises its file-descriptor limit to (as root, also the hard one).
MAX_CONNECTIONS = 110_000


def _now() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_ACCEPTED_TAG = {"status": "Accepted"}


def answer(action: str, transaction_ids: list[int]) -> dict[str, Any]:
    """The CALLRESULT payload for a charge point's CALL (schema-valid, OCPP 1.6 §6)."""
    if action == "Heartbeat":
        return {"currentTime": _now()}
    if action == "BootNotification":
        return {"status": "Accepted", "currentTime": _now(), "interval": 300}
    if action == "Authorize":
        return {"idTagInfo": _ACCEPTED_TAG}
    if action == "StartTransaction":
        transaction_ids[0] += 1
        return {"transactionId": transaction_ids[0], "idTagInfo": _ACCEPTED_TAG}
    if action == "DataTransfer":
        return {"status": "Accepted"}
    return {}  # StatusNotification, MeterValues, StopTransaction, *StatusNotification


class _StampingConnection(ServerConnection):
    """Stamps when bytes last came out of the socket (a station has one CALL in flight, so
    that is its CALL's arrival)."""

    last_arrival = 0

    def data_received(self, data: bytes) -> None:
        self.last_arrival = time.monotonic_ns()
        super().data_received(data)


class _Figures:
    def __init__(self) -> None:
        self.residence_ns: array[int] = array("q")
        self.calls = 0
        self.connections = 0
        self.peak_connections = 0
        self.lag_ns: array[int] = array("q")


async def _watch_lag(figures: _Figures, interval_s: float = 0.1) -> None:
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval_s
        await asyncio.sleep(interval_s)
        figures.lag_ns.append(max(0, int((loop.time() - due) * 1e9)))


def _percentile(ordered: list[int], fraction: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1e6


def _summary(figures: _Figures, started: float) -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    residence = sorted(figures.residence_ns)
    lag = sorted(figures.lag_ns)
    wall = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "calls": figures.calls,
        "peak_connections": figures.peak_connections,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_share": round(cpu / wall, 3) if wall else None,
        "peak_rss_bytes": usage.ru_maxrss * 1024,
        "residence_ms": {
            "p50": _percentile(residence, 0.5),
            "p99": _percentile(residence, 0.99),
            "max": residence[-1] / 1e6 if residence else None,
        },
        "loop_lag_ms": {
            "p50": _percentile(lag, 0.5),
            "p99": _percentile(lag, 0.99),
            "max": lag[-1] / 1e6 if lag else None,
        },
        "cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [],
    }


async def _main(args: argparse.Namespace) -> None:
    figures = _Figures()
    started = time.monotonic()
    transaction_ids = [0]

    async def handle(ws: ServerConnection) -> None:
        assert isinstance(ws, _StampingConnection)
        figures.connections += 1
        figures.peak_connections = max(figures.peak_connections, figures.connections)
        try:
            async for message in ws:
                received = ws.last_arrival or time.monotonic_ns()
                frame = json.loads(message)
                if not isinstance(frame, list) or len(frame) != 4 or frame[0] != 2:
                    continue  # answers to our (never sent) CALLs, or junk: ignore
                reply = json.dumps(
                    [3, frame[1], answer(frame[2], transaction_ids)], separators=(",", ":")
                )
                figures.residence_ns.append(time.monotonic_ns() - received)
                figures.calls += 1
                await ws.send(reply)
        except Exception:  # a connection ending badly is the client's business
            pass
        finally:
            figures.connections -= 1

    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    lag_task = asyncio.create_task(_watch_lag(figures))
    async with serve(
        handle,
        "127.0.0.1",
        args.port,
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        create_connection=_StampingConnection,
        backlog=4096,
        reuse_port=args.reuse_port,
        ping_interval=None,
        compression=None,
        max_queue=4,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        url = f"ws://127.0.0.1:{port}/ocpp"
        print(url, flush=True)
        if args.ready:
            Path(args.ready).write_text(url + "\n", encoding="utf-8")
        await stop
        lag_task.cancel()
        summary = _summary(figures, started)
        if args.stats:
            Path(args.stats).write_text(json.dumps(summary, indent=2), encoding="utf-8")
        server.close(close_connections=False)


def _raise_fd_limit(needed: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for target in ((needed, max(hard, needed)), (min(needed, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, target)
            return
        except (ValueError, OSError):
            continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpus", help="pin to these cores, e.g. 1 or 2,3")
    parser.add_argument(
        "--reuse-port",
        action="store_true",
        help="SO_REUSEPORT: several processes share the port (past one process's fd limit)",
    )
    parser.add_argument("--ready", help="write the OCPP URL to this file once listening")
    parser.add_argument("--stats", help="write the figures as JSON here on SIGTERM")
    args = parser.parse_args()
    if args.cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})
    _raise_fd_limit(MAX_CONNECTIONS)
    # Never the bottleneck, so none of the pauses a busy Python server has: no garbage
    # collector (it stores nothing; a run's few garbage cycles fit in memory) and the libuv
    # event loop where installed (octt installs it).
    gc.disable()
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_main(args))


def _loop_factory() -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


if __name__ == "__main__":
    main()
