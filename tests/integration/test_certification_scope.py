"""The certification scope end to end, as a new user meets it on the command line.

A narrower selection is a partial test summary everywhere (terminal, result.json, junit.xml,
certificate, report); a selection that leaves out only what the PICS rules out is full scope; an
exceeded PICS limit fails the run (exit 1) and every document says so.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from octt.cli import main
from octt.cli.env import Environment
from octt.resources import default_pics_path


def octt(cwd: Path, *argv: str) -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd)
    status = main(list(argv), env=env)
    return status, " ".join((stdout.getvalue() + stderr.getvalue()).split())


def pics(tmp_path: Path, **changes: Any) -> Path:
    """The reference CSMS's PICS with top-level sections replaced."""
    data = yaml.safe_load(default_pics_path().read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "pics.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def documents(out: Path) -> tuple[dict[str, Any], dict[str, str], str, str]:
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    root = ET.parse(out / "junit.xml").getroot()
    holder = root.find("properties")
    assert holder is not None
    props = {p.get("name", ""): p.get("value", "") for p in holder.iter("property")}
    certificate = (out / "certificate.html").read_text(encoding="utf-8")
    report = (out / "report.html").read_text(encoding="utf-8")
    return result, props, certificate, report


def h1(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html)
    assert match is not None
    return match.group(1)


def test_a_single_case_is_a_partial_test_summary_everywhere(tmp_path: Path) -> None:
    # Reproduction 1: `octt run --test TC_001_CSMS` was a "Certificate of Conformance — PASSED".
    status, output = octt(tmp_path, "run", "--test", "TC_001_CSMS", "--report-dir", "out")
    assert status == 4, output  # every selected case passed, but not the full claimed scope
    title = "Partial Test Summary — Selected Cases Passed — Self-Test, No Laboratory"
    assert (
        "Verdict: PARTIAL — partial test summary (every selected case passed, --test"
        " TC_001_CSMS; 76 mandatory case(s) not run) — not a certificate (self-test, no"
        " laboratory configured)"
    ) in output
    assert "not run: security (15): TC_073_CSMS" in output
    result, props, certificate, report = documents(tmp_path / "out")
    scope = result["scope"]
    assert (scope["document"], scope["title"], scope["coverage"]) == (
        "partial test summary",
        title,
        "partial",
    )
    assert scope["selection"] == {"profiles": [], "tests": ["TC_001_CSMS"]}
    assert len(scope["missing"]) == 76 and "TC_003_CSMS" in scope["missing"]
    assert (props["octt.document"], props["octt.title"]) == ("partial test summary", title)
    assert h1(certificate) == title == h1(report)
    assert "Certificate of Conformance" not in certificate
    assert "PARTIAL TEST SUMMARY — this document is not a certificate" in certificate
    assert "Not run — Security: TC_073_CSMS" in certificate
    assert "Not tested" in certificate  # the claimed profiles that did not run
    assert 'id="outside"' in report and "TC_088_CSMS" in report


def test_an_exceeded_limit_fails_the_run_and_every_document_says_so(tmp_path: Path) -> None:
    # Response time Authorize is measured only (the OCPP response timeout also bounds waits).
    limits = {"response_timeout_s": 30, "authorize_response_s": 0.000001}
    slow = pics(tmp_path, limits=limits)
    argv = ["run", "--pics", str(slow), "--test", "TC_023_1_CSMS", "--report-dir", "out"]
    status, output = octt(tmp_path, *argv)
    assert status == 1, output
    assert "Verdict: FAIL — partial test summary" in output
    assert "Response time Authorize exceeded the PICS limit of 1e-06 s" in output
    result, props, certificate, _ = documents(tmp_path / "out")
    assert result["verdict"] == "fail"
    assert [c["verdict"] for c in result["cases"]] == ["pass"]  # the case itself passed
    assert result["scope"]["standing"] == "not_passed"
    assert props["octt.title"].startswith("Partial Test Summary — Not Passed")
    assert h1(certificate).startswith("Partial Test Summary — Not Passed")


def test_leaving_out_only_what_the_pics_rules_out_is_a_certificate(tmp_path: Path) -> None:
    # The PICS decides the scope: claiming Core alone, `--profile core` covers all of it.
    claims = {
        "core": True,
        "firmware-management": False,
        "local-auth-list-management": False,
        "reservation": False,
        "smart-charging": False,
        "remote-trigger": False,
    }
    core_only = pics(tmp_path, profiles=claims, security={"profiles": []})
    argv = ["run", "--pics", str(core_only), "--profile", "core", "--report-dir", "out"]
    status, output = octt(tmp_path, *argv)
    assert status == 0, output
    assert output.endswith(
        "Verdict: PASS — certificate-style report of conformance (self-test, no laboratory"
        f" configured) reports: {tmp_path / 'out'}"
    )
    result, props, certificate, _ = documents(tmp_path / "out")
    assert result["scope"]["coverage"] == "full" and result["scope"]["missing"] == []
    outside = result["scope"]["outside"]
    assert outside and not any(c["mandatory"] for c in outside)
    assert {c["reason"] for c in outside if c["profile"] == "reservation"} == {
        "PICS profiles.reservation is not claimed"
    }
    assert props["octt.document"] == "certificate-style report of conformance"
    assert h1(certificate) == "Certificate of Conformance — Self-Test, No Laboratory"
