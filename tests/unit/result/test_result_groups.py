"""Finding groups: a rule found in several cases is shown once, with the count and the cases."""

from __future__ import annotations

from octt.findings import Finding, Severity
from octt.result.groups import finding_groups
from octt.result.model import CaseResult, Verdict


def case(case_id: str, *findings: Finding) -> CaseResult:
    verdict = Verdict.FAIL if findings else Verdict.PASS
    return CaseResult(case_id, case_id, "robustness", verdict, findings=findings)


CODE = Finding("robustness.code", Severity.ERROR, "FormationViolation, expected TypeConstraint")
LATE = Finding("ocppj.late", Severity.WARNING, "late")
ONCE = Finding("expect.status", Severity.ERROR, "once")


def test_one_rule_in_many_cases_is_one_group() -> None:
    cases = [case(f"RB.{i}", CODE) for i in range(43)] + [case("RB.x", ONCE), case("RB.ok")]
    [group] = finding_groups(cases)
    assert (group.rule, group.severity, group.count, group.findings) == (
        "robustness.code",
        Severity.ERROR,
        43,
        43,
    )
    assert group.cases[:2] == ("RB.0", "RB.1") and group.example == CODE


def test_a_case_counts_once_and_errors_come_first() -> None:
    cases = [case("A", LATE, LATE), case("B", LATE), case("C", CODE), case("D", CODE)]
    groups = finding_groups(cases)
    assert [(g.rule, g.count, g.findings) for g in groups] == [
        ("robustness.code", 2, 2),
        ("ocppj.late", 2, 3),
    ]


def test_a_rule_in_one_case_is_no_group() -> None:
    assert finding_groups([case("A", ONCE, CODE)]) == ()
