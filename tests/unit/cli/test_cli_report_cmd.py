"""`octt report DIR`: junit.xml and the terminal summary again from DIR/result.json."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

from octt.cli import main
from octt.cli.env import Environment
from octt.findings import Finding, Severity
from octt.report.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    RunResult,
    Verdict,
    summarise_profile,
)
from octt.report.performance import performance
from octt.report.result_json import write_result

CASES = (
    CaseResult(
        "TC_001_CSMS",
        "Cold boot",
        "core",
        Verdict.PASS,
        duration_s=0.5,
        exchanges=(ExchangeRecord("BootNotification", ExchangeOutcome.RESULT, 1, 2, 0.004),),
    ),
    CaseResult(
        "TC_003_CSMS",
        "Plugin first",
        "core",
        Verdict.FAIL,
        "no",
        0.25,
        findings=(Finding("expect.x", Severity.ERROR, "no", "spec", (3,), "1"),),
    ),
)


def result() -> RunResult:
    exchanges = [e for c in CASES for e in c.exchanges]
    return RunResult(
        run_id="abc",
        tool_name="octt",
        tool_version="0.1.0",
        started_at="2026-01-01T00:00:00.000Z",
        finished_at="2026-01-01T00:00:01.000Z",
        sut={"vendor": "V"},
        csms_url="ws://127.0.0.1:1",
        security_profile=0,
        verdict=Verdict.FAIL,
        profiles=(summarise_profile("core", CASES),),
        cases=CASES,
        performance=performance(exchanges, response_limit_s=30, authorize_limit_s=5),
        schemas={"source": "ocpp", "sha256": "0" * 64},
        pics={},
    )


def octt(cwd: Path, *argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ={})
    env.console.width = 160
    status = main(list(argv), env=env)
    return status, stdout.getvalue(), stderr.getvalue()


def test_report_writes_junit_and_prints_the_summary(tmp_path: Path) -> None:
    folder = tmp_path / "runs" / "one"
    folder.mkdir(parents=True)
    write_result(folder / "result.json", result())
    status, stdout, stderr = octt(tmp_path, "report", "runs/one")
    assert status == 0, stderr
    suite = ET.parse(folder / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("core", "2", "1")
    assert "Test result summary" in stdout
    assert "Performance measurement" in stdout
    assert stdout.rstrip().endswith(f"re-rendered: {folder / 'junit.xml'}")
    assert "Verdict: FAIL" in stdout
    assert stderr == ""


def test_report_replaces_an_old_junit(tmp_path: Path) -> None:
    write_result(tmp_path / "result.json", result())
    (tmp_path / "junit.xml").write_text("stale", encoding="utf-8")
    assert octt(tmp_path, "report", ".")[0] == 0
    assert ET.parse(tmp_path / "junit.xml").getroot().tag == "testsuites"


def test_corrupt_result_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text("{not json", encoding="utf-8")
    status, stdout, stderr = octt(tmp_path, "report", ".")
    assert status == 2
    assert str(tmp_path / "result.json") in stderr
    assert stdout == ""
    assert not (tmp_path / "junit.xml").exists()


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    status, _, stderr = octt(tmp_path, "report", "no-such-run")
    assert status == 2
    assert "no-such-run" in stderr
