"""Stopping `octt run` half-way, as separate processes over loopback.

`octt reference-csms --fault drop-triggered-calls` never sends the CALLs its trigger API is asked
for, so TC_010_CSMS waits for RemoteStartTransaction for the whole (long) operator timeout. A
SIGINT or SIGTERM sent while it waits must leave a result.json that is valid against
schemas/result.schema.json, holds the two cases done and TC_010_CSMS marked interrupted, with
junit.xml and the reports rendered from it by the run itself, marked INCOMPLETE (and the
--junit/--json copies CI asked for); `octt report DIR` renders it again. A CSMS that dies in
the middle of a run (SIGKILL) makes the remaining cases fail quickly; the run still finishes
with a complete result.

The waits are on process output and on the trace file (flushed per line) with deadlines.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_separate_processes import (
    CONTROL_LINE,
    OCPP_LINE,
    PICS,
    REPO,
    STARTUP_DEADLINE_S,
    child_env,
    octt_command,
    stop,
)

CASES = ("TC_001_CSMS", "TC_003_CSMS", "TC_010_CSMS")
#: Longer than the whole test: TC_010_CSMS never ends by itself.
OPERATOR_TIMEOUT_S = 120
#: How long the first two cases (and the start-up) may take before TC_010_CSMS runs.
REACH_DEADLINE_S = 30.0
#: How long octt may take to record the interrupted case and exit after the signal.
EXIT_DEADLINE_S = 15.0
#: How often the trace file is looked at while waiting for a line in it.
POLL_S = 0.02


def _lines(stream: Any, into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


class Reference:
    """`octt reference-csms` in a subprocess, with its URLs."""

    def __init__(self, *faults: str) -> None:
        arguments = [a for fault in faults for a in ("--fault", fault)]
        self.process = subprocess.Popen(
            [*octt_command(), "reference-csms", "--port", "0", "--control-port", "0", *arguments],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=child_env(),
        )
        assert self.process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_lines, args=(self.process.stdout, lines), daemon=True).start()
        ocpp = control = None
        until = time.monotonic() + STARTUP_DEADLINE_S
        while ocpp is None or control is None:
            try:
                line = lines.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"the reference CSMS printed no URLs within {STARTUP_DEADLINE_S} s")
            if line is None:
                pytest.fail("the reference CSMS exited at start-up")
            if match := OCPP_LINE.search(line):
                ocpp = match.group(1)
            if match := CONTROL_LINE.search(line):
                control = match.group(1)
        self.ocpp_url, self.control_url = ocpp, control


@pytest.fixture(scope="module")
def dropping_reference() -> Iterator[Reference]:
    reference = Reference("drop-triggered-calls")
    try:
        yield reference
    finally:
        stop(reference.process)


def start_run(reference: Reference, out: Path, *extra: str) -> subprocess.Popen[str]:
    tests = [a for case in CASES for a in ("--test", case)]
    return subprocess.Popen(
        [
            *octt_command(), "run",
            "--csms", reference.ocpp_url,
            "--operator", reference.control_url,
            "--operator-timeout", str(OPERATOR_TIMEOUT_S),
            "--pics", PICS,
            "--report-dir", str(out),
            "--reconnect-pause", "0.001",  # the reference frees a charge point id at once
            *tests,
            *extra,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=child_env(),
    )  # fmt: skip


def wait_for_trace(out: Path, wanted: Callable[[dict[str, Any]], bool], run: Any) -> None:
    """Until a line of out/trace.jsonl satisfies `wanted` (the run must still be going)."""
    trace = out / "trace.jsonl"
    until = time.monotonic() + REACH_DEADLINE_S
    seen = 0
    while time.monotonic() < until:
        assert run.poll() is None, f"octt run ended early: {run.communicate()[0]}"
        if trace.is_file():
            lines = trace.read_text("utf-8").splitlines()
            for line in lines[seen:]:
                if line.endswith("}") and wanted(json.loads(line)):
                    return
            seen = max(0, len(lines) - 1)  # the last line may still be incomplete
        time.sleep(POLL_S)  # no event to wait on: the trace is a file another process writes
    pytest.fail(f"the trace never showed what was awaited within {REACH_DEADLINE_S} s")


def in_tc_010_waiting(record: dict[str, Any]) -> bool:
    """TC_010_CSMS has sent its Preparing StatusNotification: it is on its way to the operator
    step, whose RemoteStartTransaction never comes."""
    return record.get("case") == "TC_010_CSMS" and '"Preparing"' in record.get("text", "")


def validate(result: dict[str, Any]) -> None:
    schema = json.loads((REPO / "schemas" / "result.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(result)


def render(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*octt_command(), "report", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_run_leaves_a_valid_result_with_the_interrupted_case(
    dropping_reference: Reference, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    out, ci = tmp_path / "out", tmp_path / "ci"
    run = start_run(
        dropping_reference, out, "--junit", str(ci / "j.xml"), "--json", str(ci / "r.json")
    )
    try:
        wait_for_trace(out, in_tc_010_waiting, run)
        run.send_signal(stop_signal)
        output, _ = run.communicate(timeout=EXIT_DEADLINE_S)
    finally:
        stop(run)
    assert run.returncode == 1, output
    assert "interrupted" in output

    result = json.loads((out / "result.json").read_text("utf-8"))
    validate(result)
    assert result["interrupted"] is True
    assert result["verdict"] == "fail"
    assert [(c["id"], c["verdict"]) for c in result["cases"]] == [
        ("TC_001_CSMS", "pass"),
        ("TC_003_CSMS", "pass"),
        ("TC_010_CSMS", "error"),
    ]
    interrupted = result["cases"][2]
    assert interrupted["interrupted"] is True
    assert interrupted["reason"].startswith("interrupted")
    assert interrupted["steps"][-1]["status"] == "aborted"
    assert not [c for c in result["cases"][:2] if c.get("interrupted")]
    # Every line of the trace is whole JSON: it was flushed line by line and closed.
    for line in (out / "trace.jsonl").read_text("utf-8").splitlines():
        json.loads(line)
    # Nothing lost for CI: the run itself rendered junit.xml and the reports, INCOMPLETE.
    assert result["stop_reason"] == "the run was stopped (Ctrl-C or SIGTERM)"
    junit = (out / "junit.xml").read_text("utf-8")
    assert 'type="incomplete"' in junit and 'name="TC_010_CSMS' in junit
    assert "INCOMPLETE" in (out / "certificate.html").read_text("utf-8")
    assert (out / "report.html").is_file() and (out / "certificate.pdf").is_file()
    assert (ci / "j.xml").read_text("utf-8") == junit
    assert json.loads((ci / "r.json").read_text("utf-8")) == result

    rendered = render(out)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    assert "interrupted" in rendered.stdout
    report = (out / "report.html").read_text("utf-8")
    assert "TC_010_CSMS" in report and "interrupted" in report
    certificate = (out / "certificate.html").read_text("utf-8")
    assert "INCOMPLETE" in certificate
    assert (out / "certificate.pdf").read_bytes().startswith(b"%PDF")


def test_a_csms_that_dies_mid_run_fails_the_rest_and_the_run_finishes(tmp_path: Path) -> None:
    reference = Reference("drop-triggered-calls")
    out = tmp_path / "out"
    try:
        run = start_run(reference, out)
        try:
            wait_for_trace(out, in_tc_010_waiting, run)
            reference.process.kill()  # a crash: no closing handshake, nothing listening after
            output, _ = run.communicate(timeout=EXIT_DEADLINE_S)
        finally:
            stop(run)
    finally:
        stop(reference.process)
    assert run.returncode == 1, output
    result = json.loads((out / "result.json").read_text("utf-8"))
    validate(result)
    assert result["interrupted"] is False
    verdicts = {c["id"]: c for c in result["cases"]}
    assert [verdicts[c]["verdict"] for c in CASES] == ["pass", "pass", "fail"]
    rules = {f["rule"] for f in verdicts["TC_010_CSMS"]["findings"]}
    assert "transport.closed" in rules, verdicts["TC_010_CSMS"]
    rendered = render(out)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
