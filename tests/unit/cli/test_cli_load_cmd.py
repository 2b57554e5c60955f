"""`octt load`: flags into load settings (usage errors name the flag), the exit status from the
figures, and one short real load (a handful of stations for two seconds, worker processes and the
reference CSMS in its own process) whose load.json follows its schema."""

from __future__ import annotations

import importlib.util
import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from load_samples import result

from octt.cli import build_parser, main
from octt.cli.env import Environment, ExitStatus
from octt.cli.load_cmd import exit_status, settings_from_args
from octt.load import loops
from octt.load.loops import EventLoopKind
from octt.load.runner import LoadSettings
from octt.load.stats import CallOutcome, StatsBook

ROOT = Path(__file__).resolve().parents[3]


def settings(*argv: str, environ: dict[str, str] | None = None) -> LoadSettings:
    args = build_parser().parse_args(["load", *argv])
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ=environ or {})
    return settings_from_args(args, env)


def octt(cwd: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, cwd=cwd, environ={})
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


def test_defaults_come_from_the_pics() -> None:
    loaded = settings()
    assert (loaded.stations, loaded.duration_s, loaded.ramp_per_s) == (100, 60.0, 100.0)
    assert loaded.csms_url is None and loaded.response_timeout_s == 30
    assert (loaded.mix.id_tag, loaded.mix.connectors, loaded.mix.think_time_s) == (
        "OCTT-VALID-01",
        2,
        10.0,
    )
    assert loaded.basic_auth_password is None


def test_flags() -> None:
    loaded = settings(
        "--csms",
        "ws://10.0.0.1/ocpp",
        "--stations",
        "5000",
        "--duration",
        "30",
        "--ramp-up",
        "250",
        "--think-time",
        "2",
        "--mix",
        "heartbeat=1,transaction=3",
        "--meter-values",
        "5",
        "--processes",
        "3",
        "--response-timeout",
        "7",
        "--cp-id-prefix",
        "CP-",
        "--csms-cpus",
        "1,2",
        environ={"OCTT_BASIC_AUTH_PASSWORD": "pw"},
    )
    assert (loaded.csms_url, loaded.stations, loaded.duration_s) == ("ws://10.0.0.1/ocpp", 5000, 30)
    assert (loaded.ramp_per_s, loaded.processes, loaded.response_timeout_s) == (250, 3, 7)
    assert loaded.mix.weights["transaction"] == 3 and loaded.mix.weights["status"] == 0
    assert (loaded.mix.think_time_s, loaded.mix.meter_values) == (2, 5)
    assert (loaded.cp_id(0), loaded.csms_cpus, loaded.basic_auth_password) == (
        "CP-00001",
        (1, 2),
        "pw",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--csms", "http://x"], "--csms must be a ws:// or wss:// URL"),
        (["--stations", "0"], "--stations must be at least 1"),
        (["--duration", "0"], "--duration must be positive"),
        (["--ramp-up", "-1"], "--ramp-up must be positive"),
        (["--think-time", "0"], "--think-time must be positive"),
        (["--response-timeout", "0"], "--response-timeout must be positive"),
        (["--mix", "dance=1"], "expected <activity>=<weight>"),
        (["--csms-cpus", "a"], "--csms-cpus 'a'"),
        (["--processes", "-1"], "--processes must be 0"),
        (["--event-loop", "tokio"], "--event-loop: invalid choice: 'tokio'"),
        (["--pics", "missing.yaml"], "missing.yaml"),
    ],
)
def test_usage_errors_name_the_flag(tmp_path: Path, argv: list[str], message: str) -> None:
    status, _, err = octt(tmp_path, "load", *argv)
    assert status == ExitStatus.USAGE
    assert message in err
    assert not (tmp_path / "reports").exists()


def test_the_event_loop_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings("--event-loop", "asyncio").event_loop is EventLoopKind.ASYNCIO
    assert settings().event_loop is loops.resolve(EventLoopKind.AUTO)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        loops.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "uvloop" else real(name, *a),
    )
    assert settings().event_loop is EventLoopKind.ASYNCIO
    status, _, err = octt(tmp_path, "load", "--event-loop", "uvloop")
    assert status == ExitStatus.USAGE and "uvloop is not installed" in err
    assert not (tmp_path / "reports").exists()


def test_exit_status_from_the_figures() -> None:
    clean = result(rules={}, examples=())
    assert exit_status(clean) is ExitStatus.OK
    assert exit_status(result()) is ExitStatus.FAILED  # a finding
    assert exit_status(replace(clean, peak_connected=3)) is ExitStatus.FAILED
    assert exit_status(replace(clean, interrupted=True)) is ExitStatus.FAILED
    assert exit_status(replace(clean, connections={"opened": 0})) is ExitStatus.UNREACHABLE
    book = StatsBook()
    book.call_sent("Heartbeat")
    book.call_ended("Heartbeat", CallOutcome.TIMEOUT, None)
    assert exit_status(replace(clean, actions=book.summary())) is ExitStatus.FAILED


def test_a_short_load_against_the_reference_csms(tmp_path: Path) -> None:
    status, out, err = octt(
        tmp_path,
        "load",
        "--stations",
        "6",
        "--duration",
        "2",
        "--ramp-up",
        "30",
        "--think-time",
        "0.1",
        "--processes",
        "2",
        "--report-dir",
        "out",
    )
    assert status == ExitStatus.OK, out + err
    document = json.loads((tmp_path / "out" / "load.json").read_text("utf-8"))
    schema = json.loads((ROOT / "schemas" / "load.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["complete"] and document["stations"]["peak_connected"] == 6
    assert document["csms"]["embedded"] and document["csms"]["process"]["pid"] > 0
    assert len(document["workers"]) == 2
    assert document["settings"]["event_loop"] == loops.resolve(EventLoopKind.AUTO).value
    steady = document["steady_state"]
    assert steady["since_s"] > 0 and steady["calls"] > 0
    rows = {row["action"]: row for row in document["actions"]}
    assert steady["calls"] < rows["all"]["count"]  # the ramp-up's CALLs are not in it
    assert rows["BootNotification"]["answered"] == 6
    assert rows["all"]["errors"] == 0 and rows["all"]["latency_s"]["p99"] is not None
    assert document["stations"]["memory_per_station_bytes"] is not None
    assert (tmp_path / "out" / "load.html").is_file()
    assert "reference CSMS in its own process" in " ".join(out.split())


def test_locustfile_prints_the_path_of_the_user_class(tmp_path: Path) -> None:
    status, out, _ = octt(tmp_path, "load", "--locustfile")
    assert status == ExitStatus.OK
    path = Path(out.strip())
    assert path.name == "locustfile.py" and path.is_file()
    assert "class OcppChargePoint(User)" in path.read_text("utf-8")
