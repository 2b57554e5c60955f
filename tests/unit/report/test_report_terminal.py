"""The terminal view, rendered by a rich Console into a string (120 columns, not a terminal)."""

from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from octt.catalog.model import Location, TestCase
from octt.catalog.selection import PlanEntry, RunPlan
from octt.findings import Finding, Severity
from octt.pics.model import Profile
from octt.report.terminal import TerminalSink
from octt.result.coverage import OutsideCase, RunScope
from octt.result.events import (
    CaseFinished,
    CaseStarted,
    FindingRaised,
    Notice,
    RunCheckpoint,
    RunFinished,
    RunStarted,
    StepStarted,
)
from octt.result.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    RunResult,
    Verdict,
    summarise_profile,
)
from octt.result.performance import performance

WIDTH = 120


def console(*, terminal: bool = False) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return (
        Console(file=out, width=WIDTH, force_terminal=terminal, color_system=None, highlight=False),
        out,
    )


def case(case_id: str, profile: Profile = Profile.CORE) -> TestCase:
    return TestCase(
        id=case_id,
        title=f"title of {case_id}",
        profile=profile,
        reference={"ocpp": "x"},
        purpose="",
        checks=(),
        editions="",
        requires=(),
        before=(),
        steps=(),
        location=Location(f"{case_id}.yaml", 1),
    )


ERROR = Finding(
    "expect.Authorize.idTagInfo.status",
    Severity.ERROR,
    "Authorize.conf idTagInfo.status is 'Invalid'; expected 'Accepted'",
    "OCPP 1.6 §4.2",
    (12, 13),
    "2",
)
WARNING = Finding("unexpected-call", Severity.WARNING, "the CSMS sent Reset", "", (20,), "")

CASES = (
    CaseResult("TC_001_CSMS", "Cold boot", "core", Verdict.PASS, duration_s=1.234),
    CaseResult(
        "TC_003_CSMS",
        "Plugin first",
        "core",
        Verdict.FAIL,
        reason=ERROR.message,
        duration_s=0.5,
        findings=(ERROR, WARNING),
    ),
    CaseResult("TC_004_1_CSMS", "Remote start", "core", Verdict.ERROR, "TemplateError: {x}", 0.1),
    CaseResult("TC_010_CSMS", "Needs operator", "core", Verdict.SKIPPED, "operator mode 'none'"),
    CaseResult(
        "TC_046_CSMS",
        "Reserve",
        "reservation",
        Verdict.NOT_APPLICABLE,
        "PICS profiles.reservation is not claimed",
        duration_s=9.0,
    ),
)

EXCHANGES = (
    ExchangeRecord("Authorize", ExchangeOutcome.RESULT, 1, 2, 0.010),
    ExchangeRecord("Authorize", ExchangeOutcome.RESULT, 3, 4, 0.030),
    ExchangeRecord("Heartbeat", ExchangeOutcome.RESULT, 5, 6, 0.002),
    ExchangeRecord("StatusNotification", ExchangeOutcome.TIMEOUT, 7, None, None),
)


def run_result(verdict: Verdict = Verdict.FAIL) -> RunResult:
    return RunResult(
        run_id="r",
        tool_name="octt",
        tool_version="0.1.0",
        started_at="2026-01-01T00:00:00.000Z",
        finished_at="2026-01-01T00:00:01.000Z",
        sut={},
        csms_url="ws://127.0.0.1:1",
        security_profile=0,
        verdict=verdict,
        profiles=(
            summarise_profile("core", [c for c in CASES if c.profile == "core"]),
            summarise_profile("reservation", [c for c in CASES if c.profile == "reservation"]),
        ),
        cases=CASES,
        performance=performance(EXCHANGES, response_limit_s=30, authorize_limit_s=5),
        schemas={},
        pics={},
    )


def finished(result: CaseResult, index: int, total: int = 5) -> CaseFinished:
    return CaseFinished(result, index, total)


def render(*events: object, terminal: bool = False) -> str:
    con, out = console(terminal=terminal)
    sink = TerminalSink(con)
    for event in events:
        sink.handle(event)  # type: ignore[arg-type]
    return out.getvalue()


# -- progress ----------------------------------------------------------------------------------


def test_run_started_line() -> None:
    plan = RunPlan(
        (
            PlanEntry(case("TC_001_CSMS"), True),
            PlanEntry(case("TC_046_CSMS", Profile.RESERVATION), False, "not claimed"),
        )
    )
    text = render(RunStarted(plan, "ws://127.0.0.1:9000", "none"))
    assert text == "octt 2 case(s), 1 applicable — CSMS ws://127.0.0.1:9000, operator none\n"


def test_passed_case_line() -> None:
    text = render(finished(CASES[0], 1))
    assert text == "[1/5] PASS    TC_001_CSMS      1.23s  Cold boot\n"


def test_index_is_right_aligned_to_the_total() -> None:
    text = render(finished(CASES[0], 3, 12))
    assert text.startswith("[ 3/12] PASS    TC_001_CSMS")


def test_failed_case_lists_its_findings() -> None:
    text = render(finished(CASES[1], 2))
    lines = text.splitlines()
    assert lines[0] == "[2/5] FAIL    TC_003_CSMS      0.50s  Plugin first"
    # A long finding wraps at the console width; read it back as one text.
    flowing = " ".join(line.strip() for line in lines[1:])
    assert lines[1].startswith("      error expect.Authorize.idTagInfo.status (step 2,")
    assert flowing == (
        "error expect.Authorize.idTagInfo.status (step 2, frames [12, 13]) "
        "Authorize.conf idTagInfo.status is 'Invalid'; expected 'Accepted' "
        "warning unexpected-call (step -, frames [20]) the CSMS sent Reset"
    )
    assert lines[-1] == "      warning unexpected-call (step -, frames [20]) the CSMS sent Reset"
    assert all(len(line) <= WIDTH for line in lines)
    assert flowing.count(ERROR.message) == 1  # the reason of a failed case is not repeated


def test_error_skipped_and_not_applicable_show_their_reason() -> None:
    error, skipped, na = (
        render(finished(CASES[2], 3)),
        render(finished(CASES[3], 4)),
        render(finished(CASES[4], 5)),
    )
    assert error.splitlines() == [
        "[3/5] ERROR   TC_004_1_CSMS    0.10s  Remote start",
        "      TemplateError: {x}",
    ]
    # No duration for cases that did not run.
    assert skipped.splitlines() == [
        "[4/5] SKIPPED TC_010_CSMS             Needs operator",
        "      operator mode 'none'",
    ]
    assert na.splitlines()[1] == "      PICS profiles.reservation is not claimed"


def test_not_applicable_verdict_is_separated_from_the_case_id() -> None:
    first = render(finished(CASES[4], 5)).splitlines()[0]
    assert "N/A     TC_046_CSMS" in first


def test_long_title_is_cut_to_one_line() -> None:
    long = CaseResult("TC_001_CSMS", "word " * 60, "core", Verdict.PASS, duration_s=0.1)
    text = render(finished(long, 1))
    assert len(text.splitlines()) == 1
    assert len(text.splitlines()[0]) <= WIDTH
    assert text.rstrip().endswith("…")


def test_notice() -> None:
    assert render(Notice("provisioning failed")) == "note: provisioning failed\n"


def test_quiet_events_print_nothing_without_a_terminal() -> None:
    events = (
        CaseStarted("TC_001_CSMS", "Cold boot", 1, 5),
        StepStarted("TC_001_CSMS", "1", "send BootNotification"),
        FindingRaised("TC_001_CSMS", ERROR),
        RunCheckpoint(run_result()),
    )
    assert render(*events) == ""


def test_spinner_runs_only_on_a_live_terminal() -> None:
    con, _ = console(terminal=True)
    sink = TerminalSink(con)
    sink.handle(CaseStarted("TC_001_CSMS", "Cold boot", 1, 5))
    sink.handle(StepStarted("TC_001_CSMS", "1", "send BootNotification"))
    assert sink._status is not None
    sink.handle(finished(CASES[0], 1))
    assert sink._status is None
    quiet = TerminalSink(console(terminal=True)[0], live=False)
    quiet.handle(CaseStarted("TC_001_CSMS", "Cold boot", 1, 5))
    assert quiet._status is None


# -- summary -----------------------------------------------------------------------------------


def test_summary_tables_and_verdict() -> None:
    text = render(RunFinished(run_result()))
    lines = text.splitlines()
    assert lines[0].strip() == "Test result summary"
    header = next(line for line in lines if "Profile" in line)
    for column in ("Profile", "Result", "Passed", "Failed", "Error", "Skipped", "N/A", "Total"):
        assert column in header
    core = next(line for line in lines if "│ core" in line)
    assert [c.strip() for c in core.split("│")[1:-1]] == ["core", "fail", "1", "1", "1", "1",
                                                          "0", "4"]  # fmt: skip
    reservation = next(line for line in lines if "│ reservation" in line)
    assert "not_applicable" in reservation
    assert "Performance measurement" in text
    response = next(line for line in lines if "OCPP response time" in line)
    cells = [c.strip() for c in response.split("│")[1:-1]]
    assert cells == [
        "OCPP response time",
        "30 s",
        "3 (+1 unanswered)",
        "2.0 ms",
        "14.0 ms",
        "30.0 ms",
        "30.0 ms",
        "fail",
    ]
    authorize = next(line for line in lines if "Response time Authorize" in line)
    cells = [c.strip() for c in authorize.split("│")[1:-1]]
    assert cells == ["Response time Authorize", "5 s", "2", "10.0 ms", "20.0 ms", "30.0 ms",
                     "30.0 ms", "pass"]  # fmt: skip
    assert lines[-1] == (
        "Verdict: FAIL — test summary — not a certificate (self-test, no laboratory configured)"
    )


def test_summary_without_timings_says_no_data() -> None:
    result = run_result(Verdict.PASS)
    empty = performance((), response_limit_s=30, authorize_limit_s=5)
    con, out = console()
    TerminalSink(con).summary(
        RunResult(**{**result.__dict__, "performance": empty})  # type: ignore[arg-type]
    )
    text = out.getvalue()
    response = next(line for line in text.splitlines() if "OCPP response time" in line)
    cells = [c.strip() for c in response.split("│")[1:-1]]
    assert cells == ["OCPP response time", "30 s", "0", "-", "-", "-", "-", "no data"]
    assert text.splitlines()[-1].startswith("Verdict: ")


def test_the_summary_shows_robustness_apart() -> None:
    from report_samples import robustness_cases

    con, out = console()
    TerminalSink(con).summary(replace(run_result(), robustness=robustness_cases()))
    text = out.getvalue()
    assert "Robustness — bad input, not on the certificate" in text
    [row] = [line for line in text.splitlines() if line.startswith("│ fail")]
    assert row.split("│")[2:5] == [" 1      ", " 0            ", " 1      "]


def test_a_rule_failed_in_several_cases_is_shown_once_as_a_group() -> None:
    failed = [
        CaseResult(f"RB.x.{i}", "bad input", "robustness", Verdict.FAIL, findings=(ERROR,))
        for i in range(12)
    ]
    con, out = console()
    TerminalSink(con).summary(replace(run_result(), robustness=tuple(failed)))
    text = " ".join(out.getvalue().split())
    assert "error expect.Authorize.idTagInfo.status in 13 case(s): TC_003_CSMS, RB.x.0," in text
    assert "RB.x.6 and 5 more — e.g. Authorize.conf idTagInfo.status is 'Invalid'" in text
    assert text.count("expect.Authorize.idTagInfo.status") == 1
    assert text.index("Findings by rule") < text.index("Test result summary")


def test_a_partial_run_says_so_and_lists_what_it_left_out() -> None:
    scope = RunScope(
        tests=("TC_001_CSMS",),
        outside=(OutsideCase("TC_046_CSMS", "reservation", "Reserve", True),),
    )
    empty = performance((), response_limit_s=30, authorize_limit_s=5)
    passed = replace(run_result(Verdict.PASS), cases=CASES[:1], scope=scope, performance=empty)
    con, out = console()
    TerminalSink(con).summary(passed)
    assert "  not run: reservation (1): TC_046_CSMS" in out.getvalue().splitlines()
    assert " ".join(out.getvalue().split()).endswith(
        "Verdict: PARTIAL — partial test summary (every selected case passed, --test"
        " TC_001_CSMS; 1 mandatory case(s) not run) — not a certificate (self-test, no"
        " laboratory configured)"
    )


def test_a_case_not_run_shows_its_reason() -> None:
    missing = CaseResult("TC_064_CSMS", "Data", "core", Verdict.NOT_RUN, "missing: vendor_id")
    text = render(finished(missing, 1, 1))
    assert "NOT RUN" in text and "missing: vendor_id" in text


ADVISED = CaseResult(
    "TC_086_CSMS",
    "TLS",
    "core",
    Verdict.PASS,
    findings=(
        Finding("tls.version", Severity.ADVISORY, "the CSMS accepts TLSv1", "whitepaper TLS"),
    ),
)


def test_the_header_names_the_edition() -> None:
    plan = RunPlan((PlanEntry(case("TC_001_CSMS"), True),))
    text = render(RunStarted(plan, "ws://127.0.0.1:9000", "none", "2024-04"))
    assert "OCA test case document edition 2024-04" in " ".join(text.split())


def test_advisories_have_their_own_section_and_not_the_case_line() -> None:
    result = replace(run_result(), cases=(*CASES, ADVISED), settings={"edition": "2025-11"})
    line = render(finished(ADVISED, 5))
    assert "tls.version" not in line
    text = " ".join(render(RunFinished(result)).split())
    assert "Advisories (1): beyond the OCA test case document edition 2025-11" in text
    assert "TC_086_CSMS tls.version: the CSMS accepts TLSv1 (whitepaper TLS)" in text


def test_info_findings_have_a_neutral_colour() -> None:
    from octt.report.terminal import severity_style

    assert severity_style(Severity.INFO) not in (severity_style(Severity.WARNING), "red")
    assert severity_style(Severity.WARNING) == "yellow"
