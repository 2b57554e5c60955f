"""report.html: the full test report of a run, from result.json and trace.jsonl.

Per profile and per case: the verdict and its reason, the findings with the rule and the spec
reference they cite, the steps as executed, the operator's actions, and the message sequence
(every frame of the case from the trace, with its time, its offset from the start of the case
and, for answers, the response time). Then the PICS as declared.

Failures come first (profiles with failures first, failed and errored cases first within a
profile); a sidebar lists every case, and a small inline script filters by verdict. The page
needs no network and is complete without the script. Frame texts are redacted again here, in
case a trace reached the report folder from elsewhere.

The page is titled by the certification scope (`octt.result.scope`): certificate-style
report, partial test summary (with every OCA case outside the selection listed, mandatory or
ruled out by the PICS item named), or test summary. A rule that failed in several cases is shown
once as a group, with the count and the cases, before the per-case detail.

Robustness cases (bad input, beyond the OCA cases) have a section of their own after the
profiles, with what was sent, the answer OCPP-J 1.6 asks for and why, what came back and whether
the connection lived; they are not among the failures or counts of the OCA cases.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octt.load.text import describe as describe_background_load
from octt.pics.model import Profile
from octt.record.load import Trace, TraceEntry
from octt.record.redact import Redactor
from octt.report.certificate import scope_lines
from octt.report.templates import render_template
from octt.result.groups import FindingGroup, finding_groups
from octt.result.model import (
    CaseResult,
    ProfileResult,
    RunResult,
    Verdict,
    summarise_robustness,
)
from octt.result.scope import Assessment, Standing, assess

# Failures first: the order cases are listed in within a profile.
_VERDICT_RANK = {
    Verdict.FAIL: 0,
    Verdict.ERROR: 1,
    Verdict.SKIPPED: 2,
    Verdict.NOT_RUN: 3,
    Verdict.PASS: 4,
    Verdict.NOT_APPLICABLE: 5,
}
VERDICT_LABELS: Mapping[Verdict, str] = {
    Verdict.FAIL: "fail",
    Verdict.ERROR: "error",
    Verdict.SKIPPED: "skipped",
    Verdict.NOT_RUN: "not run",
    Verdict.PASS: "pass",
    Verdict.NOT_APPLICABLE: "n/a",
}

_MESSAGE_TYPES = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}


@dataclass(frozen=True)
class FrameRow:
    seq: int
    utc: str
    offset_ms: str  # since the case's first trace entry
    connection: int
    direction: str  # "cp->csms" | "csms->cp" | "" for connection events
    kind: str  # CALL | CALLRESULT | CALLERROR | unparsable | open | close | connect-failed
    action: str  # the action of the CALL (or of the CALL an answer answers)
    response_ms: str  # for answers: time since their CALL
    text: str  # the frame text (redacted), or the event's detail
    cited: bool  # a finding of the case cites this frame


@dataclass(frozen=True)
class CaseView:
    case: CaseResult
    verdict: str  # the filter key: fail | error | skipped | pass | not_applicable
    label: str
    frames: tuple[FrameRow, ...]
    frames_note: str

    @property
    def anchor(self) -> str:
        return self.case.id


@dataclass(frozen=True)
class ProfileView:
    key: str
    title: str
    summary: ProfileResult | None
    cases: tuple[CaseView, ...]


@dataclass(frozen=True)
class PicsRow:
    key: str
    value: str
    depth: int


@dataclass(frozen=True)
class FullReport:
    result: RunResult
    standing: Standing
    reasons: tuple[str, ...]
    profiles: tuple[ProfileView, ...]
    failures: tuple[CaseView, ...]
    counts: tuple[tuple[str, str, int], ...]  # (filter key, label, number of cases)
    pics: tuple[PicsRow, ...]
    outside: tuple[FrameRow, ...]  # trace entries that belong to no case (reachability probe)
    trace_note: str
    scope: Assessment | None = None  # what the run may claim (title, coverage, left out)
    groups: tuple[FindingGroup, ...] = ()  # rules found in several cases, shown once each
    robustness: ProfileView | None = None  # the robustness cases, failures first
    robustness_warned: int = 0  # robustness cases passed with a warning
    background_load: str = ""  # the load the run ran under (octt run --background-load)


def _profile_title(name: str) -> str:
    try:
        return Profile(name).display_name
    except ValueError:
        return name


def _parse(text: str) -> tuple[str, str, str]:
    """(message type, unique id, action or error code) of a frame text; "unparsable" if none."""
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return "unparsable", "", ""
    if not isinstance(frame, list) or len(frame) < 3 or frame[0] not in _MESSAGE_TYPES:
        return "unparsable", "", ""
    kind = _MESSAGE_TYPES[frame[0]]
    unique_id = frame[1] if isinstance(frame[1], str) else json.dumps(frame[1])
    if kind == "CALL":
        return kind, unique_id, str(frame[2])
    if kind == "CALLERROR":
        return kind, unique_id, str(frame[2])
    return kind, unique_id, ""


def _ms(value_s: float) -> str:
    return f"{value_s * 1000:.1f}"


def frame_rows(
    entries: Sequence[TraceEntry],
    case: CaseResult | None,
    redactor: Redactor,
) -> tuple[FrameRow, ...]:
    """The message sequence of a case: each trace entry with what it is and its timing."""
    if not entries:
        return ()
    cited = {seq for f in case.findings for seq in f.frames} if case else set()
    measured = {
        e.response_frame: e.response_s
        for e in (case.exchanges if case else ())
        if e.response_frame is not None and e.response_s is not None
    }
    start = entries[0].mono_ns
    calls: dict[tuple[int, str, str], TraceEntry] = {}  # (connection, direction, id) -> CALL
    call_actions: dict[tuple[int, str, str], str] = {}
    rows = []
    for entry in entries:
        offset = f"+{(entry.mono_ns - start) / 1e6:.1f}"
        if not entry.is_frame:
            rows.append(
                FrameRow(
                    entry.seq,
                    entry.utc,
                    offset,
                    entry.connection,
                    "",
                    entry.event,
                    "",
                    "",
                    redactor(entry.detail),
                    entry.seq in cited,
                )
            )
            continue
        kind, unique_id, name = _parse(entry.text)
        action, response = "", ""
        if kind == "CALL":
            key = (entry.connection, entry.direction, unique_id)
            calls[key] = entry
            call_actions[key] = name
            action = name
        elif kind in ("CALLRESULT", "CALLERROR"):
            other = "cp->csms" if entry.direction == "csms->cp" else "csms->cp"
            key = (entry.connection, other, unique_id)
            action = call_actions.get(key, "")
            if kind == "CALLERROR":
                action = f"{action} {name}".strip()
            if entry.seq in measured:
                response = _ms(measured[entry.seq])
            elif key in calls:
                response = _ms((entry.mono_ns - calls[key].mono_ns) / 1e9)
        rows.append(
            FrameRow(
                entry.seq,
                entry.utc,
                offset,
                entry.connection,
                entry.direction,
                kind + (" (binary)" if entry.binary else ""),
                action,
                response,
                redactor(entry.text),
                entry.seq in cited,
            )
        )
    return tuple(rows)


def _case_view(case: CaseResult, trace: Trace | None, redactor: Redactor) -> CaseView:
    if trace is None:
        frames: tuple[FrameRow, ...] = ()
        note = "trace.jsonl was not found beside result.json: no message sequence."
    else:
        frames = frame_rows(trace.for_case(case.id), case, redactor)
        note = "" if frames else "No frames were exchanged in this case."
    label = "interrupted" if case.interrupted else VERDICT_LABELS[case.verdict]
    return CaseView(case, case.verdict.value, label, frames, note)


def _pics_rows(node: Any, depth: int = 0) -> list[PicsRow]:
    rows: list[PicsRow] = []
    if not isinstance(node, Mapping):
        return rows
    for key, value in node.items():
        if isinstance(value, Mapping):
            rows.append(PicsRow(str(key), "", depth))
            rows += _pics_rows(value, depth + 1)
        elif isinstance(value, list):
            rows.append(PicsRow(str(key), ", ".join(_scalar(v) for v in value) or "[]", depth))
        else:
            rows.append(PicsRow(str(key), _scalar(value), depth))
    return rows


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def build_full_report(result: RunResult, trace: Trace | None) -> FullReport:
    redactor = Redactor()
    views = {c.id: _case_view(c, trace, redactor) for c in result.cases}
    names = [p.name for p in result.profiles]
    names += [c.profile for c in result.cases if c.profile not in names]
    summaries = {p.name: p for p in result.profiles}
    profiles = []
    for name in dict.fromkeys(names):
        cases = [views[c.id] for c in result.cases if c.profile == name]
        cases.sort(key=lambda v: _VERDICT_RANK[v.case.verdict])  # stable: catalog order within
        profiles.append(ProfileView(name, _profile_title(name), summaries.get(name), tuple(cases)))

    def profile_rank(view: ProfileView) -> int:
        return min((_VERDICT_RANK[c.case.verdict] for c in view.cases), default=9)

    profiles.sort(key=profile_rank)
    failures = tuple(
        v
        for p in profiles
        for v in p.cases
        # A case that could not run for missing test data keeps the run from passing too.
        if v.case.verdict in (Verdict.FAIL, Verdict.ERROR, Verdict.NOT_RUN)
    )
    counts = tuple(
        (verdict.value, VERDICT_LABELS[verdict], n)
        for verdict in _VERDICT_RANK
        if (n := sum(c.verdict is verdict for c in result.cases)) or verdict is not Verdict.NOT_RUN
    )
    scope = assess(result)
    if trace is None:
        trace_note = "trace.jsonl was not found: the message sequences are missing."
    elif trace.unreadable_lines:
        trace_note = f"{trace.unreadable_lines} line(s) of trace.jsonl could not be read."
    else:
        trace_note = ""
    outside = frame_rows(trace.for_case(""), None, redactor) if trace else ()
    robustness: ProfileView | None = None
    warned = 0
    if result.robustness:
        summary = summarise_robustness(result.robustness)
        robust = [_case_view(c, trace, redactor) for c in result.robustness]
        robust.sort(key=lambda v: (_VERDICT_RANK[v.case.verdict], not v.case.warnings))
        robustness = ProfileView(
            "robustness", _profile_title("robustness"), summary.summary, tuple(robust)
        )
        warned = summary.warned
    return FullReport(
        result=result,
        standing=scope.standing,
        reasons=(*scope.reasons, *scope_lines(scope)),
        scope=scope,
        groups=finding_groups([*result.cases, *result.robustness]),
        profiles=tuple(profiles),
        failures=failures,
        counts=counts,
        pics=tuple(_pics_rows(result.pics)),
        outside=outside,
        trace_note=trace_note,
        robustness=robustness,
        robustness_warned=warned,
        background_load=(
            describe_background_load(load)
            if isinstance(load := result.settings.get("background_load"), Mapping)
            else ""
        ),
    )


def render_full_report(report: FullReport) -> str:
    return render_template("report.html.j2", r=report, res=report.result)


def write_full_report(path: Path, report: FullReport) -> None:
    path.write_text(render_full_report(report), encoding="utf-8")
