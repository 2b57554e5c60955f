"""`octt report DIR`: every report again from DIR/result.json (and trace.jsonl), the terminal
summary, lab details replaced from --config, partial results, and a signature kept valid."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from report_samples import failing_result, passing_result, write_run_folder

from octt.cli import main
from octt.cli.env import Environment
from octt.findings import Finding, Severity
from octt.report.signature import generate_key_pair, verify_directory
from octt.result.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    RunResult,
    Verdict,
    summarise_profile,
)
from octt.result.performance import performance
from octt.result.result_json import write_result

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
    for name in ("junit.xml", "certificate.html", "certificate.pdf", "report.html"):
        assert f"re-rendered: {folder / name}" in stdout
        assert (folder / name).is_file()
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


RENDERED = ("junit.xml", "certificate.html", "certificate.pdf", "report.html")


def test_deleted_reports_come_back_identical(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    assert octt(tmp_path, "report", "run")[0] == 0
    first = {name: (folder / name).read_bytes() for name in RENDERED}
    for name in ("certificate.html", "certificate.pdf", "report.html"):
        (folder / name).unlink()
    assert octt(tmp_path, "report", "run")[0] == 0
    assert {name: (folder / name).read_bytes() for name in RENDERED} == first


def test_config_replaces_the_lab_details(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    (tmp_path / "lab.yaml").write_text(
        "lab:\n  name: Rebranded Lab\n  lab_signatory: {name: New Signer, date: '2026-04-01'}\n",
        encoding="utf-8",
    )
    status, stdout, stderr = octt(tmp_path, "report", "run", "--config", "lab.yaml")
    assert status == 0, stderr
    assert "lab details in" in stdout
    saved = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    assert saved["lab"]["name"] == "Rebranded Lab"
    assert saved["lab"]["lab_signatory"]["name"] == "New Signer"
    assert saved["cases"] == failing_result().to_json()["cases"]  # nothing else changed
    certificate = (folder / "certificate.html").read_text(encoding="utf-8")
    assert "Rebranded Lab" in certificate and "New Signer" in certificate
    assert "Example Test Lab" not in certificate
    # and a later plain re-render keeps the new details (they live in result.json now)
    assert octt(tmp_path, "report", "run")[0] == 0
    assert "New Signer" in (folder / "certificate.html").read_text(encoding="utf-8")


def test_a_bad_config_is_a_usage_error_and_changes_nothing(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    before = (folder / "result.json").read_bytes()
    (tmp_path / "lab.yaml").write_text("lab:\n  phone: 1\n", encoding="utf-8")
    status, _, stderr = octt(tmp_path, "report", "run", "--config", "lab.yaml")
    assert status == 2
    assert "lab.yaml:2" in stderr
    assert (folder / "result.json").read_bytes() == before


def test_a_partial_result_renders_marked_incomplete(tmp_path: Path) -> None:
    partial = replace(passing_result(), interrupted=True, verdict=Verdict.FAIL)
    folder = write_run_folder(tmp_path / "run", partial)
    (folder / "trace.jsonl").write_text('{"seq": 1, "case": "TC_001_CSMS", "conn', "utf-8")
    status, stdout, _ = octt(tmp_path, "report", "run")
    assert status == 0
    assert "the run was interrupted" in stdout
    assert "INCOMPLETE RUN" in (folder / "certificate.html").read_text(encoding="utf-8")
    assert "1 line(s) of trace.jsonl could not be read" in (folder / "report.html").read_text(
        encoding="utf-8"
    )


def test_a_signed_folder_stays_signed_when_nothing_changed(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    generate_key_pair(tmp_path / "lab.key", tmp_path / "lab.pub")
    assert octt(tmp_path, "sign", "run", "--key", "lab.key")[0] == 0
    (folder / "certificate.pdf").unlink()
    status, stdout, stderr = octt(tmp_path, "report", "run")
    assert status == 0
    assert "signature.json: still matches every file it covers" in stdout
    assert verify_directory(folder).intact
    (tmp_path / "lab.yaml").write_text("lab:\n  name: Other Lab\n", encoding="utf-8")
    status, stdout, stderr = octt(tmp_path, "report", "run", "--config", "lab.yaml")
    assert status == 0
    assert "signature.json no longer matches" in stderr
    assert "result.json" in stderr and "certificate.pdf" in stderr
