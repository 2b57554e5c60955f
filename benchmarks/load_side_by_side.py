"""`octt load` on one core against a CSMS that is never the bottleneck, on another core.

For each station count (default 5,000 / 10,000 / 20,000) this starts the minimal answering CSMS
(`benchmarks/fast_csms.py`) pinned to ``--csms-cpu``, runs ``octt load`` pinned to
``--generator-cpu`` (its worker processes inherit the pinning: every station shares that one
core), stops the CSMS, and prints one line:

* stations connected (peak at once) of the target, connection failures, CALL errors;
* CALL/s over the run; the generator's CPU (share of its one core); RSS per station;
* the response times octt measured (all CALLs, whole run, ramp-up included): p50 / p99 / max;
* the CSMS's own residence time p99 (its socket in to its socket out, measured in its process)
  and **octt's own share of the p99**: octt's p99 minus the CSMS's residence p99 — what the
  generator (its event loop, GC, CPU) and the loopback add; the generator's event-loop lag p99
  and longest GC pause (from load.json) say how much of that is octt's own pauses;
* ``wait99``: how long the answers waited in the generator's sockets before it read them (p99).
  octt stamps an answer's arrival with the kernel's receive time (load.json
  ``settings.arrival_stamp``, ``kernel`` for ws:// on Linux), so this wait is *not* in its
  response times; with the event loop's stamps (wss://, other systems) it would be;
* once every station is connected (``all at``, seconds into the run): the p99 of every answer
  from then on (``st. p99``, load.json's ``steady_state``) and the worst second's loop-lag p99
  (``st. lag``; the seconds wholly after that moment).

Both sides stay on 127.0.0.1. A process can hold only as many connections as its hard
file-descriptor limit allows (``ulimit -Hn``); where one process cannot hold every station, the
stations are split over several worker processes *on the same core* (and the CSMS over several
processes sharing its port with SO_REUSEPORT on its core), so the core budget is unchanged.

Usage::

    python benchmarks/load_side_by_side.py [--stations 5000,10000,20000] [--duration 60]
        [--ramp-up 1000] [--think-time 5] [--generator-cpu 0] [--csms-cpu 1] [--keep DIR]

Bounded: each run stops after its duration plus the drain and a grace period; the whole script
runs the counts one after the other. Figures are only meaningful on an otherwise quiet machine;
the script prints the load average before each run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: File descriptors a process keeps besides its connections.
FD_RESERVE = 200


def _pin(cpu: int) -> Any:
    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    return pin


def _processes_for(connections: int) -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        return 1
    return max(1, math.ceil(connections / (hard - FD_RESERVE)))


def _start_csms(count: int, cpu: int, work: Path) -> tuple[list[subprocess.Popen[bytes]], str]:
    processes: list[subprocess.Popen[bytes]] = []
    url = ""
    port = 0
    for index in range(count):
        ready = work / f"csms-{index}.ready"
        command = [
            sys.executable,
            str(HERE / "fast_csms.py"),
            "--port",
            str(port),
            "--cpus",
            str(cpu),
            "--ready",
            str(ready),
            "--stats",
            str(work / f"csms-{index}.json"),
        ]
        if count > 1:
            command.append("--reuse-port")
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while not ready.exists() or not ready.read_text().strip():
            if time.monotonic() > deadline or processes[-1].poll() is not None:
                raise SystemExit("the fast CSMS did not start")
            time.sleep(0.05)
        url = ready.read_text().strip()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
    return processes, url


def _stop_csms(processes: list[subprocess.Popen[bytes]], work: Path) -> dict[str, Any]:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    figures = [
        json.loads((work / f"csms-{i}.json").read_text())
        for i in range(len(processes))
        if (work / f"csms-{i}.json").exists()
    ]
    p99 = max((f["residence_ms"]["p99"] or 0.0 for f in figures), default=None)
    return {
        "processes": len(processes),
        "cpu_share": round(sum(f["cpu_share"] or 0.0 for f in figures), 3),
        "residence_p99_ms": p99,
        "residence_max_ms": max((f["residence_ms"]["max"] or 0.0 for f in figures), default=None),
        "calls": sum(f["calls"] for f in figures),
    }


def run_one(stations: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    workers = _processes_for(stations + FD_RESERVE)
    csms, url = _start_csms(_processes_for(stations + FD_RESERVE), args.csms_cpu, work)
    report_dir = work / "report"
    command = [
        sys.executable,
        "-m",
        "octt",
        "load",
        "--csms",
        url,
        "--stations",
        str(stations),
        "--duration",
        str(args.duration),
        "--ramp-up",
        str(args.ramp_up),
        "--think-time",
        str(args.think_time),
        "--processes",
        str(workers),
        "--report-dir",
        str(report_dir),
    ]
    started = time.monotonic()
    try:
        subprocess.run(
            command,
            preexec_fn=_pin(args.generator_cpu),
            stdout=subprocess.DEVNULL,
            timeout=args.duration + 120,
            check=False,
        )
    finally:
        csms_figures = _stop_csms(csms, work)
    wall = time.monotonic() - started
    load = json.loads((report_dir / "load.json").read_text())
    return _row(stations, workers, load, csms_figures, wall)


def _row(
    stations: int, workers: int, load: dict[str, Any], csms: dict[str, Any], wall: float
) -> dict[str, Any]:
    total = next((a for a in load["actions"] if a["action"] == "all"), None)
    latency = total["latency_s"] if total else {}
    duration = load["duration_s"] or 1.0
    cpu = sum(w["cpu_s"] for w in load["workers"])
    p99_ms = (latency.get("p99") or 0.0) * 1000
    residence = csms["residence_p99_ms"] or 0.0
    generator = load.get("generator") or {}
    lag = generator.get("loop_lag_s") or {}
    gc = generator.get("gc_pauses") or {}
    read_delay = generator.get("read_delay_s") or {}
    steady = _steady(load, stations)
    return {
        "stations": stations,
        "connected": load["stations"]["peak_connected"],
        "worker_processes": workers,
        "connect_failures": sum(load["connections"]["failed"].values()),
        "errors": total["errors"] if total else None,
        "calls": total["count"] if total else 0,
        "calls_per_s": round((total["count"] if total else 0) / duration, 1),
        "generator_cpu_share": round(cpu / duration, 3),
        "rss_per_station_bytes": load["stations"]["memory_per_station_bytes"],
        "p50_ms": (latency.get("p50") or 0.0) * 1000,
        "p99_ms": p99_ms,
        "max_ms": (latency.get("max") or 0.0) * 1000,
        "csms_residence_p99_ms": residence,
        "octt_share_p99_ms": max(0.0, p99_ms - residence),
        "loop_lag_p99_ms": (lag.get("p99") or 0.0) * 1000,
        "read_delay_p99_ms": (
            read_delay["p99"] * 1000 if read_delay.get("p99") is not None else None
        ),
        "arrival_stamp": load["settings"].get("arrival_stamp"),
        "gc_max_pause_ms": (gc.get("max_s") or 0.0) * 1000,
        **steady,
        "csms_cpu_share": csms["cpu_share"],
        "csms_processes": csms["processes"],
        "warnings": generator.get("warnings", []),
        "wall_s": round(wall, 1),
    }


def _steady(load: dict[str, Any], stations: int) -> dict[str, Any]:
    """The run once every station was connected: when (load.json's ``steady_state``), its p99
    over every answer from then on, and the worst second's loop-lag p99 until the end of the
    load (the timeline; not the closing of the connections after it)."""
    steady = load.get("steady_state")
    if not steady:
        return {"all_connected_s": None, "steady_p99_ms": None, "steady_lag_p99_ms": None}
    at = steady["since_s"]
    p99 = steady["latency_s"]["p99"]
    end = load["settings"]["duration_s"] or float("inf")
    lags = [
        p["loop_lag_p99_s"]
        for p in load.get("timeline") or []
        if at <= p["t_s"] - 1
        and p["t_s"] <= end
        and p["calls"]
        and p.get("loop_lag_p99_s") is not None
    ]
    return {
        "all_connected_s": at,
        "steady_p99_ms": p99 * 1000 if p99 is not None else None,
        "steady_lag_p99_ms": max(lags) * 1000 if lags else None,
    }


HEADINGS = (
    ("stations", "{:>8,}"),
    ("connected", "{:>9,}"),
    ("calls_per_s", "{:>7,.0f}"),
    ("generator_cpu_share", "{:>6.0%}"),
    ("rss_per_station_bytes", "{:>8}"),
    ("p50_ms", "{:>7.2f}"),
    ("p99_ms", "{:>7.1f}"),
    ("octt_share_p99_ms", "{:>7.1f}"),
    ("loop_lag_p99_ms", "{:>7.1f}"),
    ("read_delay_p99_ms", "{:>7.1f}"),
    ("gc_max_pause_ms", "{:>7.1f}"),
    ("errors", "{:>6}"),
    ("connect_failures", "{:>6}"),
    ("all_connected_s", "{:>6.1f}"),
    ("steady_p99_ms", "{:>8.1f}"),
    ("steady_lag_p99_ms", "{:>8.1f}"),
)
TITLES = (
    "stations",
    "connected",
    "CALL/s",
    "gen CPU",
    "RSS/stn",
    "p50 ms",
    "p99 ms",
    "octt ms",
    "lag p99",
    "wait99",
    "GC max",
    "errors",
    "c.fail",
    "all at",
    "st. p99",
    "st. lag",
)


def _line(row: dict[str, Any]) -> str:
    cells = []
    for (key, form), title in zip(HEADINGS, TITLES, strict=True):
        value = row[key]
        if key == "rss_per_station_bytes":
            text = "–" if value is None else f"{value / 1024:.1f}KiB"
            cells.append(f"{text:>{max(8, len(title))}}")
        else:
            text = form.format(value) if value is not None else "–"
            cells.append(f"{text:>{len(title)}}")
    return " ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", default="5000,10000,20000")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--ramp-up", type=float, default=1000.0)
    parser.add_argument("--think-time", type=float, default=5.0, help="0.2 CALL/s per station")
    parser.add_argument("--generator-cpu", type=int, default=0)
    parser.add_argument("--csms-cpu", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--keep", type=Path, help="keep each run's load.json/html under DIR")
    args = parser.parse_args()
    counts = [int(n) for n in args.stations.split(",")]
    print(
        f"octt load pinned to core {args.generator_cpu}, fast CSMS pinned to core"
        f" {args.csms_cpu}; ramp-up {args.ramp_up:g}/s, think time {args.think_time:g} s,"
        f" {args.duration:g} s per run, 127.0.0.1"
    )
    print(" ".join(f"{t:>{max(len(t), 8 if t in ('RSS/stn', 'stations') else 0)}}" for t in TITLES))
    rows = []
    for count in counts:
        load_average = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="octt-side-by-side-") as tmp:
            row = run_one(count, args, Path(tmp))
            if args.keep:
                target = args.keep / f"{count}"
                target.mkdir(parents=True, exist_ok=True)
                for name in ("load.json", "load.html"):
                    source = Path(tmp) / "report" / name
                    if source.exists():
                        (target / name).write_bytes(source.read_bytes())
        row["load_average_before"] = [round(x, 2) for x in load_average]
        rows.append(row)
        print(_line(row), flush=True)
        print(
            f"         load average before {row['load_average_before']}; worker processes"
            f" {row['worker_processes']} (one core); CSMS {row['csms_processes']} process(es),"
            f" {row['csms_cpu_share']:.0%} of its core, residence p99"
            f" {row['csms_residence_p99_ms']:.2f} ms; max {row['max_ms']:.0f} ms;"
            f" {row['calls']:,} CALLs; arrival stamps: {row['arrival_stamp']};"
            f" {row['wall_s']} s wall",
            flush=True,
        )
        for warning in row["warnings"]:
            print(f"         warning: {warning}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
