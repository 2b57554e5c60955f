"""report.html: failures first, per-case findings, steps and message sequences from the trace
(redacted again), the PICS, a verdict filter that needs no network, byte-identical output."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from report_samples import (
    SECRET,
    failing_result,
    passing_result,
    robustness_cases,
    trace_records,
)

from octt.findings import Finding, Severity
from octt.record.load import Trace, parse_trace
from octt.record.redact import MASK, Redactor
from octt.report.certificate import Standing
from octt.report.full_report import (
    FullReport,
    build_full_report,
    frame_rows,
    render_full_report,
    write_full_report,
)
from octt.result.coverage import OutsideCase, RunScope
from octt.result.model import CaseResult, Verdict


def trace() -> Trace:
    return parse_trace(json.dumps(r) for r in trace_records())


def report() -> FullReport:
    return build_full_report(failing_result(), trace())


def test_failures_come_first() -> None:
    r = report()
    assert [p.key for p in r.profiles] == ["core", "security", "smart-charging"]
    core = r.profiles[0]
    assert [v.case.id for v in core.cases] == [
        "TC_003_CSMS",  # fail
        "TC_010_CSMS",  # error
        "TC_013_CSMS",  # skipped
        "TC_001_CSMS",  # pass
        "TC_064_CSMS",  # not applicable
    ]
    assert [v.case.id for v in r.failures] == ["TC_003_CSMS", "TC_010_CSMS", "TC_074_CSMS"]
    assert r.standing is Standing.NOT_PASSED
    assert dict((k, n) for k, _, n in r.counts) == {
        "fail": 2,
        "error": 1,
        "skipped": 1,
        "pass": 4,
        "not_applicable": 1,
    }  # not_run is listed only when a case could not run for missing test data


def test_message_sequence_of_a_case() -> None:
    case = failing_result().cases[0]  # TC_001_CSMS
    rows = frame_rows(trace().for_case("TC_001_CSMS"), case, Redactor())
    assert [(r.seq, r.kind, r.action, r.response_ms) for r in rows] == [
        (2, "open", "", ""),
        (3, "CALL", "BootNotification", ""),
        (4, "CALLRESULT", "BootNotification", "4.0"),  # from result.json's exchange
        (5, "CALL", "Authorize", ""),
        (6, "CALLRESULT", "Authorize", "250.0"),
    ]
    assert [r.offset_ms for r in rows] == ["+0.0", "+1.0", "+5.0", "+10.0", "+260.0"]
    assert rows[1].direction == "cp->csms" and rows[2].direction == "csms->cp"


def test_answers_to_the_csms_errors_and_garbage() -> None:
    case = failing_result().cases[1]  # TC_003_CSMS
    rows = frame_rows(trace().for_case("TC_003_CSMS"), case, Redactor())
    kinds = [(r.seq, r.kind, r.action, r.response_ms, r.cited) for r in rows]
    assert kinds == [
        (7, "open", "", "", False),
        (8, "CALL", "ChangeConfiguration", "", False),
        (9, "CALLRESULT", "ChangeConfiguration", "1.0", True),  # timed from the trace stamps
        (10, "CALL", "Heartbeat", "", False),
        (11, "CALLERROR", "Heartbeat NotImplemented", "1.2", False),
        (12, "unparsable", "", "", False),
        (13, "close", "", "", False),
    ]


def test_secrets_are_redacted_again() -> None:
    html = render_full_report(report())
    assert SECRET not in html
    assert MASK in html


def test_html_has_navigation_filters_and_collapsible_frames() -> None:
    html = render_full_report(report())
    assert '<nav id="sidebar"' in html
    assert 'href="#TC_003_CSMS"' in html and 'id="TC_003_CSMS"' in html
    assert 'data-filter-button="fail"' in html
    assert '<article class="case" id="TC_001_CSMS" data-verdict="pass">' in html
    assert 'body[data-filter="fail"] [data-verdict]:not([data-verdict="fail"])' in html
    assert '<details class="frames" open>' in html  # a failed case's frames are open
    assert '<details class="frames">' in html  # a passed case's are collapsed
    assert 'href="#f-9"' in html and 'id="f-9"' in html  # a finding links to its frame
    assert "OCPP 1.6 §4.2 Authorize" in html  # the spec reference a finding cites
    assert "expect.Authorize.idTagInfo.status" in html
    assert "http://" not in html.split("<body", 1)[0]  # nothing loaded from the network
    assert "<script src" not in html


def test_html_escapes_text() -> None:
    html = render_full_report(report())
    assert "Regular Charging Session &lt;Plugin First&gt;" in html
    assert "<Plugin First>" not in html


def test_pics_as_declared() -> None:
    r = report()
    rows = {(row.key, row.depth): row.value for row in r.pics}
    assert rows[("profiles", 0)] == ""
    assert rows[("core", 1)] == "true"
    assert rows[("profiles", 1)] == "2, 3"  # security.profiles
    assert rows[("authorize_response_s", 1)] == "0.1"


def test_without_a_trace_the_report_still_renders() -> None:
    r = build_full_report(failing_result(), None)
    assert r.trace_note.startswith("trace.jsonl was not found")
    html = render_full_report(r)
    assert "trace.jsonl was not found" in html
    assert 'class="frames"' not in html.split("</style>", 1)[1]


def test_frames_outside_cases() -> None:
    r = report()
    assert [row.seq for row in r.outside] == [1]
    assert "Frames outside any case" in render_full_report(r)


def test_unreadable_trace_lines_are_noted() -> None:
    lines = [json.dumps(x) for x in trace_records()] + ['{"seq": 99, "ca']
    r = build_full_report(failing_result(), parse_trace(lines))
    assert r.trace_note == "1 line(s) of trace.jsonl could not be read."


def test_partial_result_is_marked_incomplete() -> None:
    r = build_full_report(replace(passing_result(), interrupted=True), trace())
    assert r.standing is Standing.INCOMPLETE
    html = render_full_report(r)
    assert "INCOMPLETE RUN" in html and "(interrupted: partial result)" in html


def test_passed_banner() -> None:
    html = render_full_report(build_full_report(passing_result(), trace()))
    assert "<strong>PASSED</strong>" in html
    assert 'id="failures"' not in html


def test_fixed_inputs_give_identical_bytes(tmp_path: Path) -> None:
    write_full_report(tmp_path / "a.html", report())
    write_full_report(tmp_path / "b.html", report())
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_robustness_has_its_own_section_apart_from_the_failures() -> None:
    result = replace(passing_result(), robustness=robustness_cases())
    r = build_full_report(result, trace())
    assert r.robustness is not None and r.robustness.summary is not None
    failed_first = r.robustness.cases[0].case.id
    assert failed_first == "RB.StartTransaction.missing-required.idTag"
    assert not [v for v in r.failures if v.case.id.startswith("RB.")]
    assert "robustness" not in [p.key for p in r.profiles]
    html = render_full_report(r)
    assert 'id="profile-robustness"' in html
    assert "Bad input sent, and how the CSMS took it" in html
    assert "&#39;Payload for Action is incomplete&#39; is ProtocolError" in html
    assert "PASSED" in html  # the OCA standing is untouched by the failed robustness case


def test_an_interrupted_case_is_labelled_so() -> None:
    [first, *rest] = failing_result().cases
    stopped = replace(first, verdict=Verdict.ERROR, reason="interrupted: ...", interrupted=True)
    r = build_full_report(replace(failing_result((stopped, *rest)), interrupted=True), trace())
    [view] = [v for p in r.profiles for v in p.cases if v.case.id == first.id]
    assert view.label == "interrupted" and view.verdict == "error"


def test_the_test_configuration_states_a_background_load() -> None:
    assert "Background load" not in render_full_report(report())
    load = {"stations": 50, "connected_before_cases": 50, "think_time_s": 2.0, "calls": 900}
    settings = {**passing_result().settings, "background_load": load}
    r = build_full_report(replace(passing_result(), settings=settings), trace())
    assert r.background_load.startswith("50 stations (50 connected before the first case")
    html = render_full_report(r)
    assert '<th scope="row">Background load</th><td>50 stations (50 connected' in html


def test_a_partial_run_is_titled_so_and_lists_the_cases_outside() -> None:
    scope = RunScope(
        profiles=("core",),
        outside=(
            OutsideCase("TC_056_CSMS", "smart-charging", "Stacking", True),
            OutsideCase("TC_046_CSMS", "reservation", "Reserve", False, "PICS says no"),
        ),
    )
    r = build_full_report(replace(passing_result(), scope=scope), trace())
    assert r.scope is not None and r.scope.partial and r.scope.passed
    html = render_full_report(r)
    assert "<h1>Partial Test Summary — Selected Cases Passed</h1>" in html
    assert "PARTIAL TEST SUMMARY — this document is not a certificate" in html
    assert 'id="outside"' in html and "yes — not run" in html and "no: PICS says no" in html
    assert "Not run — Smart Charging: TC_056_CSMS." in r.reasons


def test_a_rule_failed_in_several_cases_is_one_group_before_the_cases() -> None:
    finding = next(f for c in failing_result().cases for f in c.findings)
    first, second, *rest = failing_result().cases
    cases = (replace(first, findings=(finding,)), replace(second, findings=(finding,)), *rest)
    r = build_full_report(replace(failing_result(), cases=tuple(cases)), trace())
    [group] = [g for g in r.groups if g.rule == finding.rule]
    assert group.cases == (first.id, second.id)
    html = render_full_report(r)
    assert html.index('id="groups"') < html.index('id="failures"') < html.index('id="cases"')
    assert f'<td class="mono">{finding.rule}</td>' in html


def test_a_case_not_run_is_listed_with_its_reason_among_what_kept_the_run_from_passing() -> None:
    missing = CaseResult(
        "TC_064_CSMS", "Data transfer", "core", Verdict.NOT_RUN, "missing: unsupported_vendor_id"
    )
    r = build_full_report(failing_result((*passing_result().cases, missing)), trace())
    assert [v.case.id for v in r.failures] == ["TC_064_CSMS"]
    assert ("not_run", "not run", 1) in r.counts
    html = render_full_report(r)
    assert "missing: unsupported_vendor_id" in html and 'data-verdict="not_run"' in html
    assert ("not_run", "not run", 0) not in build_full_report(passing_result(), trace()).counts


def test_advisories_have_their_own_section_and_the_edition_is_shown() -> None:
    run = failing_result()
    advised = CaseResult(
        "TC_086_CSMS",
        "TLS",
        "security",
        Verdict.PASS,
        findings=(
            Finding("tls.version", Severity.ADVISORY, "the CSMS accepts TLSv1", "whitepaper TLS"),
        ),
    )
    run = replace(run, cases=(*run.cases, advised), settings={**run.settings, "edition": "2024-04"})
    html = render_full_report(build_full_report(run, trace()))
    assert '<section id="advisories">' in html
    assert "the CSMS accepts TLSv1" in html and "whitepaper TLS" in html
    assert "OCA Test case document OCTT for OCPP 1.6, edition 2024-04" in html


def test_info_findings_have_a_style_of_their_own() -> None:
    from octt.findings import info

    result = failing_result()
    first = result.cases[0]
    note = info("unexpected-call", "the CSMS sent GetConfiguration beside the scenario")
    cases = (replace(first, findings=(*first.findings, note)), *result.cases[1:])
    html = render_full_report(build_full_report(replace(result, cases=cases), trace()))
    assert '<td class="sev-info">info</td>' in html
    assert ".sev-info {" in html
