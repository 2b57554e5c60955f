"""octt's Locust user class, distributed: one `locust --master` and two `locust --worker`
processes on loopback drive stations against the reference CSMS (its own process) for a few
seconds; the master's per-action statistics (from both workers) have every action of the
station script, and no failures. Skipped without Locust (pip install 'octt[load]')."""

from __future__ import annotations

import csv
import importlib.util
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import TextIO

import pytest

from octt.cli.load_cmd import locustfile_path

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="Locust is not installed (octt[load])"
)

USERS = 8
#: Each process may take this long to start (Python, gevent and Locust imports).
STARTUP_DEADLINE_S = 20.0
MASTER_DEADLINE_S = 60.0
OCPP_LINE = re.compile(r"OCPP:\s+(ws://127\.0\.0\.1:\d+)/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def first_match(stream: TextIO, pattern: re.Pattern[str]) -> str:
    """The first group of the first line matching `pattern` (bounded by the deadline)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    while True:
        line = lines.get(timeout=STARTUP_DEADLINE_S)
        assert line is not None, "the process ended before printing its URL"
        found = pattern.search(line)
        if found:
            return found.group(1)


def locust(*argv: str, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(locustfile_path()), *argv],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def test_master_and_two_workers_report_per_action_statistics(tmp_path: Path) -> None:
    octt = Path(sys.executable).parent / "octt"
    command = [str(octt)] if octt.is_file() else [sys.executable, "-m", "octt"]
    csms = subprocess.Popen(
        [*command, "reference-csms", "--port", "0", "--control-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    processes = [csms]
    try:
        assert csms.stdout is not None
        url = first_match(csms.stdout, OCPP_LINE)
        port = str(free_port())
        for n in (1, 2):
            processes.append(
                locust("--worker", "--master-port", port, log=tmp_path / f"worker{n}.log")
            )
        master = locust(
            "--master",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            port,
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            "100",  # every user at once: each boots well within the run time
            "--run-time",
            "4s",
            "--expect-workers",
            "2",
            "--expect-workers-max-wait",
            str(int(STARTUP_DEADLINE_S)),
            "--host",
            url,
            "--ocpp-think-time",
            "0.1",
            "--csv",
            str(tmp_path / "octt"),
            "--only-summary",
            log=tmp_path / "master.log",
        )
        processes.append(master)
        status = master.wait(MASTER_DEADLINE_S)
        log = (tmp_path / "master.log").read_text()
        assert status == 0, log
    finally:
        for process in reversed(processes):
            stop(process)
    assert "2 workers connected" in log or "workers ready" in log
    with (tmp_path / "octt_stats.csv").open(newline="") as table:
        rows = {row["Name"]: row for row in csv.DictReader(table)}
    actions = set(rows) - {"Aggregated"}
    assert {"BootNotification", "StatusNotification"} <= actions
    assert actions <= {
        "BootNotification",
        "StatusNotification",
        "Heartbeat",
        "Authorize",
        "StartTransaction",
        "MeterValues",
        "StopTransaction",
    }
    assert int(rows["BootNotification"]["Request Count"]) == USERS
    assert int(rows["StatusNotification"]["Request Count"]) >= 3 * USERS
    assert int(rows["Aggregated"]["Failure Count"]) == 0
    for name in actions:
        assert float(rows[name]["99%"]) > 0 and float(rows[name]["Max Response Time"]) > 0
    worker_logs = [(tmp_path / f"worker{n}.log").read_text() for n in (1, 2)]
    assert all("Traceback" not in text for text in worker_logs), worker_logs
