"""`octt run --background-load N`: the cases run with one charge point while N other stations
(worker processes) keep the CSMS busy; result.json's settings state the load, the figures the
CSMS gave it, and the run's own response times were measured under it; re-rendering keeps it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema

from octt.cli import main
from octt.cli.env import Environment, ExitStatus
from octt.resources import schema_path
from octt.result.load import load_result


def octt(cwd: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, cwd=cwd, environ={})
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


def test_cases_run_under_a_background_load(tmp_path: Path) -> None:
    status, out, err = octt(
        tmp_path,
        "run",
        "--test",
        "TC_003_CSMS",
        "--test",
        "TC_001_CSMS",
        "--background-load",
        "6",
        "--background-think-time",
        "0.1",
        "--report-dir",
        "out",
    )
    assert status == ExitStatus.PARTIAL, out + err  # two cases passed; the PICS claims more
    document = json.loads((tmp_path / "out" / "result.json").read_text("utf-8"))
    schema = json.loads(schema_path("result.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    load = document["settings"]["background_load"]
    assert load["stations"] == 6 and load["connected_before_cases"] == 6
    assert load["calls"] >= 24 and load["errors"] == 0 and load["schema_failures"] == 0
    assert load["latency_s"]["p99"] is not None
    assert {a["action"] for a in load["actions"]} >= {"BootNotification", "StatusNotification"}
    assert document["performance"]["authorize"]["count"] >= 1  # measured under the load
    text = " ".join(out.split())
    assert "background load: 6 stations (6 connected before the first case" in text
    assert load_result(tmp_path / "out" / "result.json").settings["background_load"] == load


def test_usage_errors_name_the_flag(tmp_path: Path) -> None:
    for argv, message in (
        (["--background-load", "-1"], "--background-load must be 0 or more"),
        (["--background-think-time", "0"], "--background-think-time must be positive"),
    ):
        status, _, err = octt(tmp_path, "run", *argv)
        assert status == ExitStatus.USAGE and message in err
