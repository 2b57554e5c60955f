"""junit.xml: one testsuite per profile; skipped, failure and error elements (parsed back)."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

from octt.findings import Finding, Severity
from octt.report.junit import render_junit, write_junit
from octt.result.coverage import OutsideCase, RunScope
from octt.result.model import (
    CaseResult,
    LimitVerdict,
    Performance,
    ProfileResult,
    ProfileVerdict,
    RunResult,
    TimingSummary,
    Verdict,
)

NO_DATA = TimingSummary(0, None, None, None, None, 30, LimitVerdict.NO_DATA)

CASES = (
    CaseResult("TC_001_CSMS", "Cold boot", "core", Verdict.PASS, duration_s=1.5),
    CaseResult(
        "TC_003_CSMS",
        "Plugin first <&>",
        "core",
        Verdict.FAIL,
        reason="2 findings",
        duration_s=0.25,
        findings=(
            Finding(
                "expect.Authorize.idTagInfo.status",
                Severity.ERROR,
                "Authorize.conf idTagInfo.status is 'Invalid'; expected 'Accepted'",
                "OCPP 1.6 §4.2",
                (3, 4),
                "2 send Authorize",
            ),
            Finding("ocppj.late-response", Severity.WARNING, "late & slow"),
        ),
    ),
    CaseResult("TC_013_CSMS", "Hard reset", "core", Verdict.ERROR, reason="tool crashed: boom"),
    CaseResult("TC_019_1_CSMS", "Get all keys", "core", Verdict.SKIPPED, reason="no operator"),
    CaseResult(
        "TC_064_CSMS",
        "Data transfer",
        "core",
        Verdict.PASS,
        findings=(Finding("expect.DataTransfer.status", Severity.WARNING, "tolerated"),),
    ),
    CaseResult(
        "TC_046_CSMS",
        "Reserve",
        "reservation",
        Verdict.NOT_APPLICABLE,
        reason="PICS profiles.reservation is not claimed",
    ),
)


def result() -> RunResult:
    return RunResult(
        run_id="run-1",
        tool_name="octt",
        tool_version="0.1.0",
        started_at="2026-03-01T12:00:00.000Z",
        finished_at="2026-03-01T12:01:00.000Z",
        sut={},
        csms_url="ws://127.0.0.1:9000",
        security_profile=0,
        verdict=Verdict.FAIL,
        profiles=(
            ProfileResult("core", ProfileVerdict.FAIL, 2, 1, 5, 1, 1, 0),
            ProfileResult("reservation", ProfileVerdict.NOT_APPLICABLE, 0, 0, 1, 0, 0, 1),
        ),
        cases=CASES,
        performance=Performance(NO_DATA, NO_DATA),
        schemas={},
        pics={},
    )


def parse() -> ET.Element:
    return ET.fromstring(render_junit(result()))


def case_element(root: ET.Element, case_id: str) -> ET.Element:
    for element in root.iter("testcase"):
        if element.get("name", "").startswith(case_id + " "):
            return element
    raise AssertionError(case_id)


def test_document_is_well_formed_xml_with_a_declaration() -> None:
    text = render_junit(result())
    assert text.startswith("<?xml version")
    assert text.endswith("\n")
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    assert root.get("name") == "octt run run-1"


def test_one_testsuite_per_profile_with_counts() -> None:
    suites = parse().findall("testsuite")
    assert [s.get("name") for s in suites] == ["core", "reservation"]
    core, reservation = suites
    assert {k: core.get(k) for k in ("tests", "failures", "errors", "skipped", "time")} == {
        "tests": "5",
        "failures": "1",
        "errors": "1",
        "skipped": "1",
        "time": "1.750",
    }
    assert core.get("timestamp") == "2026-03-01T12:00:00.000Z"
    assert (reservation.get("tests"), reservation.get("skipped")) == ("1", "1")
    assert [c.get("name") for c in reservation.findall("testcase")] == ["TC_046_CSMS Reserve"]


def test_suite_time_sums_the_durations_rounded_as_result_json_stores_them() -> None:
    # Three cases of 0.4 ms: result.json stores 0.0 each, so the suite took 0.000 s, not 0.001.
    cases = tuple(
        CaseResult(f"TC_00{n}_CSMS", "x", "core", Verdict.PASS, duration_s=0.0004) for n in range(3)
    )
    run = dataclasses.replace(result(), cases=cases)
    [core, _] = ET.fromstring(render_junit(run)).findall("testsuite")
    assert core.get("time") == "0.000"
    assert [c.get("time") for c in core.findall("testcase")] == ["0.000"] * 3


def test_passed_case_has_no_child_elements() -> None:
    element = case_element(parse(), "TC_001_CSMS")
    assert list(element) == []
    assert element.get("classname") == "octt.core"
    assert element.get("name") == "TC_001_CSMS Cold boot"
    assert element.get("time") == "1.500"


def test_failed_case_carries_its_findings() -> None:
    element = case_element(parse(), "TC_003_CSMS")
    assert element.get("name") == "TC_003_CSMS Plugin first <&>"  # escaped and restored
    failure = element.find("failure")
    assert failure is not None
    assert failure.get("message") == "2 findings"
    assert failure.get("type") == "fail"
    assert failure.text == (
        "[error] expect.Authorize.idTagInfo.status (step 2 send Authorize): Authorize.conf"
        " idTagInfo.status is 'Invalid'; expected 'Accepted' — OCPP 1.6 §4.2\n"
        "[warning] ocppj.late-response (step -): late & slow"
    )


def test_errored_case_is_an_error_element() -> None:
    element = case_element(parse(), "TC_013_CSMS")
    error = element.find("error")
    assert error is not None
    assert error.get("message") == "tool crashed: boom"
    assert element.find("failure") is None


def test_skipped_and_not_applicable_cases_are_skipped() -> None:
    root = parse()
    skipped = case_element(root, "TC_019_1_CSMS").find("skipped")
    assert skipped is not None and skipped.get("message") == "skipped: no operator"
    na = case_element(root, "TC_046_CSMS").find("skipped")
    assert na is not None
    assert na.get("message") == "not_applicable: PICS profiles.reservation is not claimed"


def test_warnings_of_a_passed_case_go_to_system_out() -> None:
    element = case_element(parse(), "TC_064_CSMS")
    assert element.find("failure") is None
    out = element.find("system-out")
    assert (
        out is not None and out.text == "[warning] expect.DataTransfer.status (step -): tolerated"
    )


def test_cases_of_a_profile_without_summary_are_not_listed() -> None:
    # Suites follow result.profiles; every case belongs to one of them.
    names = [c.get("name") for c in parse().iter("testcase")]
    assert len(names) == len(CASES)


def test_write_junit(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(path, result())
    assert ET.parse(path).getroot().tag == "testsuites"
    assert "§4.2" in path.read_text(encoding="utf-8")


def test_robustness_cases_have_a_testsuite_of_their_own() -> None:
    from report_samples import passing_result, robustness_cases

    root = ET.fromstring(
        render_junit(dataclasses.replace(passing_result(), robustness=robustness_cases()))
    )
    [suite] = [s for s in root.iter("testsuite") if s.get("name") == "robustness"]
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    assert all(c.get("classname") == "octt.robustness" for c in suite.iter("testcase"))


def test_an_incomplete_run_has_an_error_no_ci_can_miss() -> None:
    assert [s.get("name") for s in parse().iter("testsuite")] == ["core", "reservation"]
    stopped = dataclasses.replace(
        result(), interrupted=True, stop_reason="the CSMS could not be reached: refused"
    )
    root = ET.fromstring(render_junit(stopped))
    suite = [s for s in root.iter("testsuite") if s.get("name") == "incomplete"]
    assert len(suite) == 1 and suite[0].get("errors") == "1"
    error = suite[0].find("testcase/error")
    assert error is not None
    assert error.get("message") == "INCOMPLETE: the CSMS could not be reached: refused"


def properties(root: ET.Element) -> dict[str, str]:
    holder = root.find("properties")
    assert holder is not None
    return {p.get("name", ""): p.get("value", "") for p in holder.iter("property")}


def test_the_scope_is_a_property_of_the_testsuites() -> None:
    props = properties(parse())
    assert props["octt.document"] == "test summary"
    assert props["octt.standing"] == "not_passed" and props["octt.coverage"] == "full"
    assert props["octt.self_test"] == "true" and props["octt.selection"] == "not recorded"
    assert props["octt.verdict"].startswith("FAIL — ")
    partial = dataclasses.replace(
        result(),
        scope=RunScope(
            tests=("TC_003_CSMS",),
            outside=(OutsideCase("TC_001_CSMS", "core", "Cold boot", True),),
        ),
    )
    props = properties(ET.fromstring(render_junit(partial)))
    assert props["octt.document"] == "partial test summary"
    assert props["octt.title"] == "Partial Test Summary — Not Passed — Self-Test, No Laboratory"
    assert (props["octt.selection"], props["octt.missing"]) == ("--test TC_003_CSMS", "TC_001_CSMS")


def test_a_case_not_run_is_an_error_of_its_own_type() -> None:
    missing = CaseResult("TC_023_2_CSMS", "Expired", "core", Verdict.NOT_RUN, "missing: x")
    data = dataclasses.replace(result(), cases=(*CASES, missing))
    root = ET.fromstring(render_junit(data))
    error = case_element(root, "TC_023_2_CSMS").find("error")
    assert error is not None and error.get("type") == "not_run"
    assert error.get("message") == "missing: x"
    [core] = [s for s in root.iter("testsuite") if s.get("name") == "core"]
    assert core.get("errors") == "2"


ADVISED = CaseResult(
    "TC_086_CSMS",
    "TLS",
    "core",
    Verdict.PASS,
    findings=(
        Finding(
            "tls.version",
            Severity.ADVISORY,
            "the CSMS accepts TLSv1",
            "security whitepaper ed.3, TLS 1.2 or higher only",
            (),
            "4",
        ),
    ),
)


def test_an_advisory_is_a_property_and_output_never_a_failure() -> None:
    advised = dataclasses.replace(
        result(), cases=(*CASES, ADVISED), settings={"edition": "2024-04"}
    )
    root = ET.fromstring(render_junit(advised))
    element = case_element(root, "TC_086_CSMS")
    assert element.find("failure") is None and element.find("error") is None
    [prop] = element.findall("properties/property")
    assert prop.get("name") == "octt.advisory.1"
    assert "tls.version: the CSMS accepts TLSv1" in (prop.get("value") or "")
    out = element.findtext("system-out") or ""
    assert "[advisory] tls.version" in out and "whitepaper" in out
    top = {p.get("name"): p.get("value") for p in root.findall("properties/property")}
    assert (top["octt.edition"], top["octt.advisories"]) == ("2024-04", "1")
