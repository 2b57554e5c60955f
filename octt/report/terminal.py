"""The terminal view: progress as cases finish, findings of failed cases, a final summary.

Rendered with rich. A spinner shows the running case and step when the console is a terminal
and no person is being prompted on it (the prompt owns the screen then).
"""

from __future__ import annotations

from rich.console import Console
from rich.status import Status
from rich.table import Table
from rich.text import Text

from octt.findings import Severity
from octt.result.events import (
    CaseFinished,
    CaseStarted,
    Event,
    Notice,
    RunFinished,
    RunStarted,
    StepStarted,
)
from octt.result.groups import finding_groups
from octt.result.model import LimitVerdict, ProfileVerdict, RunResult, TimingSummary, Verdict
from octt.result.scope import Standing, assess

_SEVERITY_STYLE = {
    Severity.ERROR: "red",
    Severity.WARNING: "yellow",
    Severity.ADVISORY: "magenta",
    Severity.INFO: "cyan",
}


def severity_style(severity: Severity) -> str:
    """A finding's colour: info is neutral (cyan), never the warning's yellow."""
    return _SEVERITY_STYLE[severity]


_VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.FAIL: "bold red",
    Verdict.ERROR: "bold magenta",
    Verdict.SKIPPED: "yellow",
    Verdict.NOT_APPLICABLE: "dim",
    Verdict.NOT_RUN: "yellow",
}
_STANDING_STYLE = {
    Standing.PASSED: "bold green",
    Standing.NOT_PASSED: "bold red",
    Standing.INCOMPLETE: "bold yellow",
}
_PROFILE_STYLE = {
    ProfileVerdict.PASS: "green",
    ProfileVerdict.FAIL: "red",
    ProfileVerdict.INCOMPLETE: "yellow",
    ProfileVerdict.NOT_APPLICABLE: "dim",
}


class TerminalSink:
    def __init__(self, console: Console, *, live: bool = True) -> None:
        self._console = console
        self._live = live and console.is_terminal
        self._status: Status | None = None
        self._current = ""

    def handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            applicable = len(event.plan.applicable)
            not_run = len(event.plan.not_run)
            missing = f", {not_run} not run (missing test data)" if not_run else ""
            self._console.print(
                f"[bold]octt[/] {len(event.plan.entries)} case(s), {applicable} applicable"
                f"{missing} —"
                f" CSMS {event.csms_url}, operator {event.operator_mode}"
                + (f", OCA test case document edition {event.edition}" if event.edition else "")
            )
        elif isinstance(event, CaseStarted):
            self._current = f"[{event.index}/{event.total}] {event.case_id} {event.title}"
            self._spin(self._current)
        elif isinstance(event, StepStarted):
            self._spin(f"{self._current} — step {event.path}: {event.description}")
        elif isinstance(event, CaseFinished):
            self._stop_spin()
            self._case_line(event)
        elif isinstance(event, Notice):
            self._console.print(f"[yellow]note:[/] {event.message}")
        elif isinstance(event, RunFinished):
            self._stop_spin()
            self.summary(event.result)

    def _spin(self, text: str) -> None:
        if not self._live:
            return
        if self._status is None:
            self._status = self._console.status(text)
            self._status.start()
        else:
            self._status.update(text)

    def _stop_spin(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _case_line(self, event: CaseFinished) -> None:
        result = event.result
        width = len(str(event.total))
        line = Text(f"[{event.index:>{width}}/{event.total}] ")
        label = {Verdict.NOT_APPLICABLE: "N/A", Verdict.NOT_RUN: "NOT RUN"}.get(
            result.verdict, result.verdict.value.upper()
        )
        line.append(f"{label:<8}", style=_VERDICT_STYLE[result.verdict])
        line.append(f"{result.id:<15}")
        duration = (
            ""
            if result.verdict in (Verdict.NOT_APPLICABLE, Verdict.SKIPPED, Verdict.NOT_RUN)
            else (f"{result.duration_s:.2f}s")
        )
        line.append(f"{duration:>7}  ", style="dim")
        line.append(result.title)
        self._console.print(line, overflow="ellipsis", no_wrap=True)
        if result.verdict in (
            Verdict.NOT_APPLICABLE,
            Verdict.SKIPPED,
            Verdict.ERROR,
            Verdict.NOT_RUN,
        ):
            self._console.print(Text(f"      {result.reason}", style="dim"))
        for finding in result.findings:
            if finding.severity is Severity.ADVISORY:
                continue  # in the advisories section of the summary
            style = severity_style(finding.severity)
            text = Text("      ")
            text.append(f"{finding.severity.value} ", style=style)
            text.append(f"{finding.rule} ", style="bold")
            text.append(f"(step {finding.step or '-'}, frames {list(finding.frames)}) ")
            text.append(finding.message)
            self._console.print(text)

    def summary(self, result: RunResult) -> None:
        self._groups(result)
        table = Table(title="Test result summary", title_justify="left")
        columns = ["Profile", "Result", "Passed", "Failed", "Error", "Skipped", "N/A", "Total"]
        not_run = any(p.not_run for p in result.profiles)
        if not_run:
            columns.insert(-1, "Not run")
        for column in columns:
            table.add_column(column)
        for p in result.profiles:
            row = [str(p.passed), str(p.failed), str(p.errors), str(p.skipped)]
            row += [str(p.not_applicable)] + ([str(p.not_run)] if not_run else [])
            table.add_row(
                p.name, Text(p.verdict.value, style=_PROFILE_STYLE[p.verdict]), *row, str(p.total)
            )
        self._console.print(table)
        self._robustness(result)
        perf = Table(title="Performance measurement", title_justify="left")
        for column in ("Name", "Limit", "Count", "Min", "Avg", "p95", "Max", "Result"):
            perf.add_column(column)
        self._timing_row(perf, "OCPP response time", result.performance.response_time)
        self._timing_row(perf, "Response time Authorize", result.performance.authorize)
        self._console.print(perf)
        self._advisories(result)
        assessment = assess(result)
        for reason in assessment.reasons:
            self._console.print(Text(f"  - {reason}", style="red"))
        self._console.print(
            Text(assessment.scope_note, style="yellow" if assessment.partial else "")
        )
        if assessment.missing:
            by_profile: dict[str, list[str]] = {}
            for case in assessment.missing:
                by_profile.setdefault(case.profile, []).append(case.id)
            for profile, ids in by_profile.items():
                shown = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
                self._console.print(
                    Text(f"  not run: {profile} ({len(ids)}): {shown}", style="dim")
                )
        self._console.print(
            Text(assessment.verdict_line, style=_STANDING_STYLE[assessment.standing])
        )

    def _advisories(self, result: RunResult) -> None:
        """Checks no edition lists that the CSMS did not meet: shown, never in the verdict."""
        if not result.advisories:
            return
        self._console.print(
            Text(
                f"Advisories ({len(result.advisories)}): beyond the OCA test case document"
                + (f" edition {result.edition}" if result.edition else "")
                + "; they do not change any verdict (--advisories-fail makes them failures)",
                style="bold cyan",
            )
        )
        for case_id, finding in result.advisories:
            text = Text(f"  {case_id} ", style="bold")
            text.append(f"{finding.rule}: {finding.message} ")
            text.append(f"({finding.spec})", style="dim")
            self._console.print(text)

    def _groups(self, result: RunResult) -> None:
        """One root cause, one line: a rule that failed in several cases, with the count and
        the cases (the per-case detail is above, as the cases finished)."""
        groups = finding_groups([*result.cases, *result.robustness])
        if not groups:
            return
        self._console.print(Text("Findings by rule (in several cases)", style="bold"))
        for group in groups:
            style = severity_style(group.severity)
            line = Text("  ")
            line.append(f"{group.severity.value} ", style=style)
            line.append(f"{group.rule} ", style="bold")
            line.append(f"in {group.count} case(s): ")
            ids = list(group.cases)
            line.append(", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else ""))
            line.append(f" — e.g. {group.example.message}", style="dim")
            self._console.print(line)

    def _robustness(self, result: RunResult) -> None:
        """The robustness cases' own summary (never part of the profiles or the verdict)."""
        robustness = result.robustness_result
        if robustness is None:
            return
        table = Table(
            title="Robustness — bad input, not on the certificate",
            title_justify="left",
        )
        for column in ("Result", "Passed", "with warning", "Failed", "Error", "N/A", "Total"):
            table.add_column(column)
        s = robustness.summary
        table.add_row(
            Text(s.verdict.value, style=_PROFILE_STYLE[s.verdict]),
            str(s.passed),
            str(robustness.warned),
            str(s.failed),
            str(s.errors),
            str(s.not_applicable),
            str(s.total),
        )
        self._console.print(table)

    @staticmethod
    def _timing_row(table: Table, name: str, timing: TimingSummary) -> None:
        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value * 1000:.1f} ms"

        verdict_style = {"pass": "green", "fail": "red"}.get(timing.verdict.value, "dim")
        count = str(timing.count) + (
            f" (+{timing.unanswered} unanswered)" if timing.unanswered else ""
        )
        table.add_row(
            name,
            f"{timing.limit_s:g} s",
            count,
            ms(timing.min_s),
            ms(timing.avg_s),
            ms(timing.p95_s),
            ms(timing.max_s),
            Text(
                timing.verdict.value if timing.verdict is not LimitVerdict.NO_DATA else "no data",
                style=verdict_style,
            ),
        )
