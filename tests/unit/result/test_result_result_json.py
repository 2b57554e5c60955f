"""result.json is written atomically: the file on disk is always a complete JSON document."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from octt.result.events import CaseStarted, Notice, RunCheckpoint, RunFinished
from octt.result.model import LimitVerdict, Performance, RunResult, TimingSummary, Verdict
from octt.result.result_json import RESULT_FILE, ResultFileSink, write_json_atomically, write_result

NO_DATA = TimingSummary(0, None, None, None, None, 30, LimitVerdict.NO_DATA)


def result(run_id: str = "run-1", *, interrupted: bool = False) -> RunResult:
    return RunResult(
        run_id=run_id,
        tool_name="octt",
        tool_version="0.1.0",
        started_at="2026-03-01T12:00:00.000Z",
        finished_at="2026-03-01T12:00:01.000Z",
        sut={"vendor": "Vëndor"},
        csms_url="ws://127.0.0.1:1",
        security_profile=0,
        verdict=Verdict.PASS,
        profiles=(),
        cases=(),
        performance=Performance(NO_DATA, NO_DATA),
        schemas={},
        pics={},
        interrupted=interrupted,
    )


def test_file_name() -> None:
    assert RESULT_FILE == "result.json"


def test_write_json_atomically_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_json_atomically(path, {"a": [1, 2], "text": "ü"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": [1, 2], "text": "ü"}
    assert "ü" in path.read_text(encoding="utf-8")  # not \u-escaped
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert sorted(os.listdir(tmp_path)) == ["result.json"]


def test_overwrite_replaces_the_whole_document(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_json_atomically(path, {"long": "x" * 10_000})
    write_json_atomically(path, {"short": 1})
    assert json.loads(path.read_text(encoding="utf-8")) == {"short": 1}


def test_failed_write_keeps_the_previous_document(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_json_atomically(path, {"version": 1})
    with pytest.raises(TypeError):
        write_json_atomically(path, {"version": object()})
    assert json.loads(path.read_text(encoding="utf-8")) == {"version": 1}
    assert sorted(os.listdir(tmp_path)) == ["result.json"]


def test_rename_failure_keeps_the_previous_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "result.json"
    write_json_atomically(path, {"version": 1})

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk on fire"):
        write_json_atomically(path, {"version": 2})
    assert json.loads(path.read_text(encoding="utf-8")) == {"version": 1}


def test_write_result(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_result(path, result())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["run_id"] == "run-1"
    assert data["schema_version"] == "1.0"
    assert data["sut"] == {"vendor": "Vëndor"}


def test_sink_writes_on_checkpoint_and_finish_only(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    sink = ResultFileSink(path)
    sink.handle(Notice("hello"))
    sink.handle(CaseStarted("TC_001_CSMS", "Cold boot", 1, 1))
    assert not path.exists()
    sink.handle(RunCheckpoint(result("partial", interrupted=True)))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["run_id"], data["interrupted"]) == ("partial", True)
    sink.handle(RunFinished(result("final")))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["run_id"], data["interrupted"]) == ("final", False)
