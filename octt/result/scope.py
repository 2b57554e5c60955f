"""The certification scope: the one rule that says what a run's documents may claim.

A run earns a *certificate-style report of conformance* only when

- its selection covered every OCA case the claimed profiles make mandatory (the PICS decides
  applicability, and only the PICS: a case outside the selection that the PICS makes applicable
  makes the run *partial*), and
- every case it judged passed (nothing failed, errored, was skipped, or could not run for
  missing test data), the response times stayed within the PICS limits, no robustness case run
  with it failed, and the run was not interrupted.

Any narrower selection (--test, --profile) is a *partial test summary*, titled and marked so,
listing the mandatory cases it left out. An interrupted run is INCOMPLETE. A run with no
laboratory configured (no `lab` section, so no laboratory name) is a self-test and its title
says so. The exit status, the terminal's verdict line and every document's title come from
`assess` and nowhere else, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from octt.pics.model import Profile
from octt.result.coverage import OutsideCase
from octt.result.model import (
    CaseResult,
    LimitVerdict,
    Performance,
    ProfileVerdict,
    RunResult,
    Verdict,
)

# The OCA profiles a PICS claims under `profiles:` (the security extension is claimed by
# `security.profiles`); robustness is never claimed, never mandatory.
_OCA_PROFILES = tuple(p.value for p in Profile if p not in (Profile.SECURITY, Profile.ROBUSTNESS))


class Standing(StrEnum):
    """Whether the cases a run judged passed (its coverage is a separate question)."""

    PASSED = "passed"
    NOT_PASSED = "not_passed"
    INCOMPLETE = "incomplete"


class Coverage(StrEnum):
    FULL = "full"  # every mandatory case of the claimed profiles was in the selection
    PARTIAL = "partial"  # --test / --profile left mandatory cases out


@dataclass(frozen=True)
class Assessment:
    """What a run may claim: the one answer the exit status, terminal and documents share."""

    standing: Standing
    coverage: Coverage
    self_test: bool  # no laboratory configured
    reasons: tuple[str, ...]  # why the run did not pass (empty when it passed)
    selection: str  # "all cases", or the --profile/--test flags
    missing: tuple[OutsideCase, ...]  # mandatory cases outside the selection
    missing_profiles: tuple[str, ...]  # claimed profiles with mandatory cases left out
    outside: tuple[OutsideCase, ...]  # every OCA case outside the selection

    @property
    def passed(self) -> bool:
        """Every case of the selection passed within the limits (a partial selection too: its
        exit status is then 4, its verdict PARTIAL, its documents partial test summaries)."""
        return self.standing is Standing.PASSED

    @property
    def certificate(self) -> bool:
        """A certificate-style report of conformance (full scope, passed)."""
        return self.passed and self.coverage is Coverage.FULL

    @property
    def partial(self) -> bool:
        return self.coverage is Coverage.PARTIAL

    @property
    def kind(self) -> str:
        """The document kind, in words."""
        if self.certificate:
            return "certificate-style report of conformance"
        return "partial test summary" if self.partial else "test summary"

    @property
    def title(self) -> str:
        """The title of certificate.html/pdf and report.html."""
        if self.certificate:
            title = "Certificate of Conformance"
        else:
            head = "Partial Test Summary" if self.partial else "Test Summary"
            tail = {
                Standing.PASSED: "Selected Cases Passed",
                Standing.NOT_PASSED: "Not Passed",
                Standing.INCOMPLETE: "Incomplete Run",
            }[self.standing]
            title = f"{head} — {tail}"
        return title + (" — Self-Test, No Laboratory" if self.self_test else "")

    @property
    def verdict_word(self) -> str:
        if self.standing is Standing.PASSED and self.partial:
            return "PARTIAL"  # PASS is earned only by the full claimed scope
        return {
            Standing.PASSED: "PASS",
            Standing.NOT_PASSED: "FAIL",
            Standing.INCOMPLETE: "INCOMPLETE",
        }[self.standing]

    @property
    def verdict_line(self) -> str:
        """The terminal's last line: the verdict and what kind of document the run earned."""
        return f"Verdict: {self.verdict_text}"

    @property
    def verdict_text(self) -> str:
        if self.certificate:
            what = "certificate-style report of conformance"
        elif self.partial:
            passed = "every selected case passed, " if self.standing is Standing.PASSED else ""
            what = (
                f"partial test summary ({passed}{self.selection}; {len(self.missing_or_profiles)}"
                f" mandatory {'case(s)' if self.missing else 'profile(s)'} not run)"
                " — not a certificate"
            )
        else:
            what = "test summary — not a certificate"
        return f"{self.verdict_word} — {what}" + (
            " (self-test, no laboratory configured)" if self.self_test else ""
        )

    @property
    def missing_or_profiles(self) -> tuple[str, ...]:
        """The mandatory cases left out by id, or (for a result.json that did not record its
        selection) the claimed profiles left out by name."""
        return tuple(c.id for c in self.missing) or self.missing_profiles

    @property
    def banner(self) -> str:
        """The warning printed at the top of every document ("" for a certificate)."""
        if self.certificate:
            return ""
        if self.standing is Standing.INCOMPLETE:
            head = "INCOMPLETE RUN"
        elif self.standing is Standing.NOT_PASSED:
            head = "NOT PASSED"
        else:
            head = "PARTIAL TEST SUMMARY"
        return f"{head} — this document is not a certificate"

    @property
    def scope_note(self) -> str:
        """One sentence on the scope (every document shows it)."""
        if not self.partial:
            return (
                "Full scope: the run's selection covered every test case the claimed profiles"
                " make mandatory."
            )
        left = self.missing_or_profiles
        return (
            f"Partial scope ({self.selection}): {len(left)} mandatory"
            f" {'case(s)' if self.missing else 'profile(s)'} of the claimed profiles"
            f" ({', '.join(self.missing_profiles)}) were not part of this run."
        )

    def to_json(self) -> dict[str, Any]:
        """The assessment as result.json's `scope` summary (and junit.xml's properties)."""
        return {
            "document": self.kind,
            "title": self.title,
            "standing": self.standing.value,
            "coverage": self.coverage.value,
            "self_test": self.self_test,
            "missing": list(self.missing_or_profiles),
        }


def judged_cases(result: RunResult) -> tuple[CaseResult, ...]:
    """The cases whose verdicts make the run's: the OCA cases, or the robustness cases of a run
    of robustness cases alone."""
    if result.profiles or result.cases or not result.robustness:
        return result.cases
    return result.robustness


def _list(ids: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _with(cases: Iterable[CaseResult], verdict: Verdict) -> list[CaseResult]:
    return [c for c in cases if c.verdict is verdict]


def limit_reasons(performance: Performance) -> list[str]:
    """One sentence per PICS performance limit the run exceeded (an exceeded limit fails it)."""
    reasons = []
    for name, timing in (
        ("OCPP response time", performance.response_time),
        ("Response time Authorize", performance.authorize),
    ):
        if timing.verdict is LimitVerdict.FAIL:
            worst = "" if timing.max_s is None else f" (maximum {timing.max_s:.4f} s)"
            unanswered = f", {timing.unanswered} unanswered" if timing.unanswered else ""
            reasons.append(
                f"{name} exceeded the PICS limit of {timing.limit_s:g} s{worst}{unanswered}."
            )
    return reasons


def run_verdict(
    cases: Sequence[CaseResult],
    robustness: Sequence[CaseResult],
    performance: Performance,
    *,
    interrupted: bool,
) -> Verdict:
    """result.json's `verdict`: pass only when every judged case that applies passed, at
    least one did, the PICS limits held and the run finished."""
    judged = cases if cases or not robustness else robustness
    applicable = [c for c in judged if c.verdict is not Verdict.NOT_APPLICABLE]
    passed = bool(applicable) and all(c.verdict is Verdict.PASS for c in applicable)
    within = not limit_reasons(performance)
    return Verdict.PASS if passed and within and not interrupted else Verdict.FAIL


def _reasons(result: RunResult) -> list[str]:
    judged = judged_cases(result)
    reasons: list[str] = []
    stopped = [c.id for c in (*result.cases, *result.robustness) if c.interrupted]
    if result.interrupted:
        during = f" during {_list(stopped)}" if stopped else ""
        during += f" ({result.stop_reason})" if result.stop_reason else ""
        reasons.append(
            f"The run was interrupted{during}: the result holds only the {len(judged)}"
            " case(s) run before it stopped."
        )
    failed = [c.id for c in _with(judged, Verdict.FAIL)]
    errored = [c.id for c in _with(judged, Verdict.ERROR) if c.id not in stopped]
    skipped = [c.id for c in _with(judged, Verdict.SKIPPED)]
    not_run = _with(judged, Verdict.NOT_RUN)
    if failed:
        reasons.append(f"{len(failed)} case(s) failed: {_list(failed)}.")
    if errored:
        reasons.append(
            f"{len(errored)} case(s) could not be completed (tool or trigger error):"
            f" {_list(errored)}."
        )
    if skipped:
        reasons.append(f"{len(skipped)} case(s) were skipped: {_list(skipped)}.")
    if not_run:
        reasons.append(
            f"{len(not_run)} case(s) could not run (octt's test data missing, not a CSMS"
            f" failure): {_list([c.id for c in not_run])}."
        )
    if not any(c.verdict is Verdict.PASS for c in judged):
        reasons.append("No applicable test case passed.")
    reasons += limit_reasons(result.performance)
    robust = result.robustness_result
    if judged is result.cases and robust is not None:
        bad = robust.summary.failed + robust.summary.errors
        if robust.summary.verdict not in (ProfileVerdict.PASS, ProfileVerdict.NOT_APPLICABLE):
            reasons.append(f"{bad} robustness case(s) failed or could not be completed.")
    return reasons


def _claimed(pics: Mapping[str, Any]) -> list[str]:
    profiles = pics.get("profiles", {})
    claims = profiles if isinstance(profiles, Mapping) else {}
    claimed = [p for p in _OCA_PROFILES if claims.get(p)]
    security = pics.get("security", {})
    if isinstance(security, Mapping) and security.get("profiles"):
        claimed.append(Profile.SECURITY.value)
    return claimed


def assess(result: RunResult) -> Assessment:
    """The rule: what this run may claim (see the module docstring)."""
    reasons = _reasons(result)
    if result.interrupted:
        standing = Standing.INCOMPLETE
    elif reasons or result.verdict is not Verdict.PASS:
        standing = Standing.NOT_PASSED
        if not reasons:
            reasons.append("The run's verdict is fail.")
    else:
        standing = Standing.PASSED
    if result.scope is not None:
        missing = result.scope.missing
        missing_profiles = tuple(dict.fromkeys(c.profile for c in missing))
        selection = result.scope.selection
        outside = result.scope.outside
    else:
        # A result.json from before the selection was recorded: a claimed profile with no case
        # in the run was left out.
        tested = {c.profile for c in result.cases}
        missing = ()
        missing_profiles = tuple(p for p in _claimed(result.pics) if p not in tested)
        selection = "not recorded"
        outside = ()
    coverage = Coverage.PARTIAL if missing or missing_profiles else Coverage.FULL
    if coverage is Coverage.PARTIAL and standing is Standing.PASSED:
        reasons = []
    return Assessment(
        standing=standing,
        coverage=coverage,
        self_test=not result.lab.name.strip(),
        reasons=tuple(reasons),
        selection=selection,
        missing=missing,
        missing_profiles=missing_profiles,
        outside=outside,
    )
