"""The certification scope: one rule for the exit status, the terminal verdict and the titles."""

from __future__ import annotations

from dataclasses import replace

import pytest
from report_samples import LAB, passing_result, robustness_cases

from octt.config import LabInfo
from octt.result.coverage import OutsideCase, RunScope
from octt.result.model import (
    CaseResult,
    LimitVerdict,
    ProfileVerdict,
    RunResult,
    Verdict,
    summarise_profile,
)
from octt.result.scope import Coverage, Standing, assess, run_verdict

LEFT_OUT = RunScope(
    tests=("TC_001_CSMS",),
    outside=(
        OutsideCase("TC_003_CSMS", "core", "Regular Charging Session", True),
        OutsideCase("TC_046_CSMS", "reservation", "Reserve", False, "PICS profiles.x"),
    ),
)
RULED_OUT = RunScope(
    profiles=("core",),
    outside=(OutsideCase("TC_046_CSMS", "reservation", "Reserve", False, "not claimed"),),
)


def slow(result: RunResult) -> RunResult:
    authorize = replace(result.performance.authorize, limit_s=0.1, verdict=LimitVerdict.FAIL)
    return replace(result, performance=replace(result.performance, authorize=authorize))


def test_full_scope_passed_is_a_certificate() -> None:
    scope = assess(passing_result())
    assert (scope.standing, scope.coverage, scope.self_test) == (
        Standing.PASSED,
        Coverage.FULL,
        False,
    )
    assert scope.certificate and scope.passed
    assert scope.title == "Certificate of Conformance" and scope.banner == ""
    assert scope.verdict_line == "Verdict: PASS — certificate-style report of conformance"
    assert scope.kind == "certificate-style report of conformance"


def test_a_self_test_says_so_in_its_title() -> None:
    scope = assess(replace(passing_result(), lab=LabInfo()))
    assert scope.certificate and scope.self_test
    assert scope.title == "Certificate of Conformance — Self-Test, No Laboratory"
    assert scope.verdict_line.endswith("(self-test, no laboratory configured)")


def test_a_narrower_selection_is_a_partial_test_summary() -> None:
    scope = assess(replace(passing_result(), scope=LEFT_OUT))
    assert scope.passed and not scope.certificate and scope.partial
    assert scope.title == "Partial Test Summary — Selected Cases Passed"
    assert scope.banner == "PARTIAL TEST SUMMARY — this document is not a certificate"
    assert [c.id for c in scope.missing] == ["TC_003_CSMS"]  # not the one the PICS rules out
    assert scope.selection == "--test TC_001_CSMS"
    assert scope.verdict_line == (
        "Verdict: PARTIAL — partial test summary (every selected case passed, --test"
        " TC_001_CSMS; 1 mandatory case(s) not run) — not a certificate"
    )
    assert scope.to_json()["missing"] == ["TC_003_CSMS"]


def test_leaving_out_only_what_the_pics_rules_out_is_full_scope() -> None:
    scope = assess(replace(passing_result(), scope=RULED_OUT))
    assert scope.certificate and scope.coverage is Coverage.FULL


def test_an_exceeded_limit_fails_the_run_everywhere() -> None:
    result = slow(passing_result())
    cases = result.cases
    assert run_verdict(cases, (), result.performance, interrupted=False) is Verdict.FAIL
    scope = assess(replace(result, verdict=Verdict.FAIL))
    assert scope.standing is Standing.NOT_PASSED and not scope.passed
    assert scope.title == "Test Summary — Not Passed"
    assert scope.verdict_line.startswith("Verdict: FAIL")
    assert scope.reasons == (
        "Response time Authorize exceeded the PICS limit of 0.1 s (maximum 0.2500 s).",
    )


def test_a_partial_failed_run_is_a_partial_summary_not_passed() -> None:
    scope = assess(replace(slow(passing_result()), scope=LEFT_OUT, verdict=Verdict.FAIL))
    assert scope.title == "Partial Test Summary — Not Passed"
    assert scope.banner == "NOT PASSED — this document is not a certificate"


def test_an_interrupted_run_is_incomplete() -> None:
    scope = assess(replace(passing_result(), interrupted=True, verdict=Verdict.FAIL))
    assert scope.standing is Standing.INCOMPLETE and not scope.passed
    assert scope.title == "Test Summary — Incomplete Run"
    assert scope.verdict_line.startswith("Verdict: INCOMPLETE")


def test_a_case_not_run_for_missing_data_keeps_its_profile_and_the_run_from_passing() -> None:
    result = passing_result()
    missing = CaseResult(
        "TC_023_2_CSMS", "x", "core", Verdict.NOT_RUN, "test data missing: expired_id_tag"
    )
    cases = (*result.cases, missing)
    core = summarise_profile("core", [c for c in cases if c.profile == "core"])
    assert core.verdict is ProfileVerdict.INCOMPLETE and core.not_run == 1
    assert core.to_json()["not_run"] == 1
    assert run_verdict(cases, (), result.performance, interrupted=False) is Verdict.FAIL
    scope = assess(replace(result, cases=cases, verdict=Verdict.FAIL))
    assert not scope.passed
    assert (
        "1 case(s) could not run (octt's test data missing, not a CSMS failure): TC_023_2_CSMS."
        in scope.reasons
    )


def test_a_robustness_only_run_takes_the_robustness_verdict_and_is_partial() -> None:
    passed = tuple(c for c in robustness_cases() if c.verdict is Verdict.PASS)
    outside = (OutsideCase("TC_001_CSMS", "core", "Cold Boot", True),)
    base = replace(passing_result(), cases=(), profiles=(), scope=RunScope(("robustness",)))
    result = replace(base, robustness=passed, scope=replace(base.scope, outside=outside))
    perf = result.performance
    assert run_verdict((), passed, perf, interrupted=False) is Verdict.PASS
    scope = assess(result)
    assert scope.passed and scope.partial
    assert scope.title == "Partial Test Summary — Selected Cases Passed"
    assert scope.verdict_line.startswith("Verdict: PARTIAL — partial test summary")
    failing = replace(result, robustness=robustness_cases(), verdict=Verdict.FAIL)
    assert run_verdict((), robustness_cases(), perf, interrupted=False) is Verdict.FAIL
    assert assess(failing).title == "Partial Test Summary — Not Passed"


def test_a_failed_robustness_case_beside_the_oca_cases_fails_the_run() -> None:
    scope = assess(replace(passing_result(), robustness=robustness_cases()))
    assert not scope.passed
    assert scope.reasons == ("1 robustness case(s) failed or could not be completed.",)


def test_an_old_result_without_a_recorded_scope_infers_it_from_the_claims() -> None:
    old = replace(passing_result(), scope=None)  # the PICS claims firmware-management too
    scope = assess(old)
    assert scope.partial and scope.missing == () and scope.selection == "not recorded"
    assert scope.missing_profiles == ("firmware-management",)
    assert scope.title == "Partial Test Summary — Selected Cases Passed"


# The README's table: selection × outcome → exit status, terminal verdict, document title.
@pytest.mark.parametrize(
    ("scope", "outcome", "exit_ok", "verdict", "title"),
    [
        (RunScope(), "pass", True, "PASS", "Certificate of Conformance"),
        (RunScope(), "fail", False, "FAIL", "Test Summary — Not Passed"),
        (RunScope(), "slow", False, "FAIL", "Test Summary — Not Passed"),
        (RunScope(), "stopped", False, "INCOMPLETE", "Test Summary — Incomplete Run"),
        (LEFT_OUT, "pass", True, "PARTIAL", "Partial Test Summary — Selected Cases Passed"),
        (LEFT_OUT, "fail", False, "FAIL", "Partial Test Summary — Not Passed"),
        (LEFT_OUT, "slow", False, "FAIL", "Partial Test Summary — Not Passed"),
        (LEFT_OUT, "stopped", False, "INCOMPLETE", "Partial Test Summary — Incomplete Run"),
    ],
)
def test_exit_status_terminal_verdict_and_title_agree(
    scope: RunScope, outcome: str, exit_ok: bool, verdict: str, title: str
) -> None:
    result = replace(passing_result(), scope=scope, lab=LAB)
    if outcome == "fail":
        failed = replace(result.cases[0], verdict=Verdict.FAIL, reason="x")
        result = replace(result, cases=(failed, *result.cases[1:]))
    elif outcome == "slow":
        result = slow(result)
    elif outcome == "stopped":
        result = replace(result, interrupted=True)
    result = replace(
        result,
        verdict=run_verdict(result.cases, (), result.performance, interrupted=result.interrupted),
    )
    assessment = assess(result)
    assert assessment.passed is exit_ok
    assert (result.verdict is Verdict.PASS) is exit_ok
    assert assessment.verdict_line.startswith(f"Verdict: {verdict} — ")
    assert assessment.title == title
