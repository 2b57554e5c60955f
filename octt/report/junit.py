"""junit.xml: one testsuite per profile, one testcase per case, for CI systems; the robustness
cases, when run, in a testsuite of their own.

Not-applicable and skipped cases are <skipped/>; failed cases carry their findings in the
failure message; errored cases are <error/>, and so are cases that could not run for missing
test data (type "not_run": octt's gap, never passed over as a skip). A run that stopped before
its end (interrupted, or the CSMS could not be reached) adds a testsuite "incomplete" whose one
testcase is an <error/> saying why, so a CI job never reads a partial run as green. The
<testsuites> element carries the certification scope as properties (octt.document, octt.title,
octt.standing, octt.coverage, octt.self_test, octt.selection, octt.missing), so a CI job sees
whether the run was a certificate-style report or a partial test summary.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from octt.findings import Severity
from octt.result.model import CaseResult, RunResult, Verdict
from octt.result.scope import assess


def _case_element(case: CaseResult) -> ET.Element:
    element = ET.Element(
        "testcase",
        {
            "classname": f"octt.{case.profile}",
            "name": f"{case.id} {case.title}",
            "time": f"{round(case.duration_s, 3):.3f}",
        },
    )
    findings = "\n".join(
        f"[{f.severity.value}] {f.rule} (step {f.step or '-'}): {f.message}"
        + (f" — {f.spec}" if f.spec else "")
        for f in case.findings
        if f.severity is not Severity.ADVISORY
    )
    if case.advisories:
        # Advisories are never failures: properties for CI, the text in system-out.
        properties = ET.SubElement(element, "properties")
        for index, f in enumerate(case.advisories, start=1):
            ET.SubElement(
                properties,
                "property",
                {"name": f"octt.advisory.{index}", "value": f"{f.rule}: {f.message} — {f.spec}"},
            )
    if case.verdict is Verdict.FAIL:
        failure = ET.SubElement(element, "failure", {"message": case.reason, "type": "fail"})
        failure.text = findings
    elif case.verdict in (Verdict.ERROR, Verdict.NOT_RUN):
        error = ET.SubElement(
            element, "error", {"message": case.reason, "type": case.verdict.value}
        )
        error.text = findings
    elif case.verdict in (Verdict.SKIPPED, Verdict.NOT_APPLICABLE):
        ET.SubElement(element, "skipped", {"message": f"{case.verdict.value}: {case.reason}"})
    elif findings:
        output = ET.SubElement(element, "system-out")
        output.text = findings
    if case.advisories:
        advice = "\n".join(
            f"[advisory] {f.rule} (step {f.step or '-'}): {f.message} — {f.spec}"
            for f in case.advisories
        )
        out = element.find("system-out")
        if out is None:
            out = ET.SubElement(element, "system-out")
            out.text = advice
        else:
            out.text = f"{out.text}\n{advice}"
    return element


def render_junit(result: RunResult) -> str:
    root = ET.Element("testsuites", {"name": f"octt run {result.run_id}"})
    scope = assess(result)
    properties = ET.SubElement(root, "properties")
    for name, value in (
        ("document", scope.kind),
        ("title", scope.title),
        ("standing", scope.standing.value),
        ("coverage", scope.coverage.value),
        ("self_test", "true" if scope.self_test else "false"),
        ("selection", scope.selection),
        ("missing", " ".join(scope.missing_or_profiles)),
        ("verdict", scope.verdict_text),
        ("edition", result.edition),
        ("advisories", str(len(result.advisories))),
    ):
        ET.SubElement(properties, "property", {"name": f"octt.{name}", "value": value})
    suites = [(p.name, [c for c in result.cases if c.profile == p.name]) for p in result.profiles]
    if result.robustness:  # its own suite, as in result.json
        suites.append(("robustness", list(result.robustness)))
    for name, cases in suites:
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": name,
                "tests": str(len(cases)),
                "failures": str(sum(c.verdict is Verdict.FAIL for c in cases)),
                "errors": str(sum(c.verdict in (Verdict.ERROR, Verdict.NOT_RUN) for c in cases)),
                "skipped": str(
                    sum(c.verdict in (Verdict.SKIPPED, Verdict.NOT_APPLICABLE) for c in cases)
                ),
                # Sum the durations as result.json stores them, so `octt report` re-renders
                # exactly what `octt run` wrote.
                "time": f"{sum(round(c.duration_s, 3) for c in cases):.3f}",
                "timestamp": result.started_at,
            },
        )
        for case in cases:
            suite.append(_case_element(case))
    if result.interrupted:
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": "incomplete", "tests": "1", "failures": "0", "errors": "1", "skipped": "0"},
        )
        run = ET.SubElement(suite, "testcase", {"classname": "octt.run", "name": "INCOMPLETE"})
        why = result.stop_reason or "the run was interrupted"
        ET.SubElement(run, "error", {"message": f"INCOMPLETE: {why}", "type": "incomplete"})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(path: Path, result: RunResult) -> None:
    path.write_text(render_junit(result), encoding="utf-8")
