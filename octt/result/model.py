"""The result model: what a run found, as immutable data, and its JSON form (result.json).

Everything a report shows is derived from these values (and the frame trace); nothing else is
kept between running and rendering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from octt.config import LabInfo
from octt.findings import Finding, Severity
from octt.result.coverage import RunScope

RESULT_SCHEMA_VERSION = "1.0"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # the tool (not the CSMS) failed, or could not drive the CSMS
    SKIPPED = "skipped"  # could not be run (e.g. no operator to make the CSMS act)
    NOT_APPLICABLE = "not_applicable"
    NOT_RUN = "not_run"


class ProfileVerdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    INCOMPLETE = "incomplete"


class StepStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"  # produced error findings
    WARNED = "warned"  # produced warnings only
    ABORTED = "aborted"  # the case stopped here
    QUEUED = "queued"  # sent later (offline queue)


@dataclass(frozen=True)
class StepRecord:
    path: str  # "3", or "before:booted/2", or "state:charging/4" inside a state step
    kind: str
    description: str
    location: str
    status: StepStatus
    started_utc: str
    duration_s: float
    frames: tuple[int, ...] = ()
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "description": self.description,
            "location": self.location,
            "status": self.status.value,
            "started_at": self.started_utc,
            "duration_s": round(self.duration_s, 6),
            "frames": list(self.frames),
            "detail": self.detail,
        }


class ExchangeOutcome(StrEnum):
    RESULT = "result"
    ERROR = "callerror"
    MALFORMED = "malformed"  # answered with a frame that is not a valid CALLRESULT/CALLERROR
    TIMEOUT = "timeout"
    CLOSED = "closed"


@dataclass(frozen=True)
class ExchangeRecord:
    """One CALL the charge point sent and what came back; `response_s` from the trace stamps."""

    action: str
    outcome: ExchangeOutcome
    request_frame: int
    response_frame: int | None
    response_s: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "outcome": self.outcome.value,
            "request_frame": self.request_frame,
            "response_frame": self.response_frame,
            "response_s": None if self.response_s is None else round(self.response_s, 6),
        }


@dataclass(frozen=True)
class OperatorRecord:
    action: str
    outcome: str
    detail: str
    elapsed_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "outcome": self.outcome,
            "detail": self.detail,
            "elapsed_s": round(self.elapsed_s, 3),
        }


class TransferKind(StrEnum):
    FIRMWARE_DOWNLOAD = "firmware_download"  # UpdateFirmware (OCPP 1.6 §5.19)
    DIAGNOSTICS_UPLOAD = "diagnostics_upload"  # GetDiagnostics (OCPP 1.6 §5.9)
    LOG_UPLOAD = "log_upload"  # GetLog (security whitepaper ed.3, use case N01)


class TransferOutcome(StrEnum):
    TRANSFERRED = "transferred"  # the file really went over the network
    FAILED = "failed"  # a real transfer was attempted and did not succeed
    SIMULATED = "simulated"  # not attempted (real transfers off, or not an http(s) location)
    FAILURE_SIMULATED = "failure_simulated"  # the scenario makes it fail; nothing attempted


@dataclass(frozen=True)
class TransferRecord:
    """A file the simulated charge point moved (or only pretended to move) for the CSMS.

    Not a finding: whether the transfer really happened is evidence for the reader, the
    verdict rests on the OCPP messages."""

    kind: TransferKind
    url: str
    outcome: TransferOutcome
    step: str
    detail: str = ""
    size: int | None = None
    sha256: str | None = None
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "url": self.url,
            "outcome": self.outcome.value,
            "step": self.step,
            "detail": self.detail,
            "size": self.size,
            "sha256": self.sha256,
            "duration_s": round(self.duration_s, 6),
        }


class RawGrade(StrEnum):
    """How the CSMS took a deliberately broken message (robustness profile)."""

    PASS = "pass"  # the answer OCPP-J 1.6 asks for
    WARNING = "warning"  # an answer of the right kind, but not the code the spec points to
    FAIL = "fail"  # no answer, the message accepted, or the connection dropped


@dataclass(frozen=True)
class RawExchangeRecord:
    """A frame the charge point sent exactly as written (malformed on purpose), what OCPP-J
    1.6 asks the CSMS to answer and why, what it answered, and whether the connection lived."""

    step: str
    input: str  # what is wrong with the frame, in words
    input_class: str  # e.g. "missing-required" (see octt.robustness.classes)
    request_frame: int
    expected_answer: str  # "callerror" | "callresult" | "any"
    expected_codes: tuple[str, ...]  # CALLERROR codes that fit (empty: any OCPP-J 1.6 code)
    because: str  # the reasoning from the spec
    answer: str  # "callresult" | "callerror" | "malformed" | "none" | "not-sent"
    grade: RawGrade
    answer_code: str | None = None
    answer_description: str = ""
    response_frame: int | None = None
    response_s: float | None = None
    connection_survived: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "input": self.input,
            "class": self.input_class,
            "request_frame": self.request_frame,
            "expected": {
                "answer": self.expected_answer,
                "codes": list(self.expected_codes),
                "because": self.because,
            },
            "answer": {
                "kind": self.answer,
                "code": self.answer_code,
                "description": self.answer_description,
                "frame": self.response_frame,
                "response_s": None if self.response_s is None else round(self.response_s, 6),
            },
            "connection_survived": self.connection_survived,
            "grade": self.grade.value,
        }


class TlsOutcome(StrEnum):
    ESTABLISHED = "established"  # the handshake (and, for a connection, the upgrade) succeeded
    REFUSED = "refused"  # the CSMS refused, as the step expected
    FAILED = "failed"  # the connection or probe did not succeed


@dataclass(frozen=True)
class TlsRecord:
    """The TLS facts of one connection or probe of a case (security profiles 2 and 3): version,
    cipher suite, the server's chain and the client certificate presented, as certificate facts
    (subject, issuer, serial, validity, key type and size, SHA-256) — never a private key."""

    purpose: str  # "connection", or the probe ("cipher suite TLS_RSA_WITH_AES_128_GCM_SHA256")
    step: str
    url: str
    security_profile: int
    outcome: TlsOutcome
    detail: str = ""
    version: str = ""
    cipher: str = ""
    server_certificates: tuple[Mapping[str, Any], ...] = ()
    client_certificate: Mapping[str, Any] | None = None
    verified: bool = True  # the server certificate was verified (not --no-tls-verify)
    connection: int | None = None  # the trace's connection number

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "step": self.step,
            "url": self.url,
            "security_profile": self.security_profile,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "version": self.version,
            "cipher": self.cipher,
            "server_certificates": [dict(c) for c in self.server_certificates],
            "client_certificate": (
                dict(self.client_certificate) if self.client_certificate is not None else None
            ),
            "verified": self.verified,
            "connection": self.connection,
        }


@dataclass(frozen=True)
class CaseResult:
    id: str
    title: str
    profile: str
    verdict: Verdict
    reason: str = ""
    duration_s: float = 0.0
    started_at: str = ""
    findings: tuple[Finding, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    exchanges: tuple[ExchangeRecord, ...] = ()
    operator: tuple[OperatorRecord, ...] = ()
    location: str = ""
    transfers: tuple[TransferRecord, ...] = ()
    # Raw (deliberately broken) frames sent and how the CSMS took them: robustness cases.
    raw: tuple[RawExchangeRecord, ...] = ()
    # The run was stopped (Ctrl-C, SIGTERM) while this case ran: its verdict is `error`.
    interrupted: bool = False
    # Security whitepaper: the security profile the case connected with, and the TLS facts of
    # its connections and probes.
    security_profile: int | None = None
    tls: tuple[TlsRecord, ...] = ()
    # Verdict not_run: the PICS test data the case needs and the PICS lacks.
    missing_test_data: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def advisories(self) -> tuple[Finding, ...]:
        """Checks no edition lists that the CSMS did not meet (never part of the verdict)."""
        return tuple(f for f in self.findings if f.severity is Severity.ADVISORY)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "profile": self.profile,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "duration_s": round(self.duration_s, 3),
            "started_at": self.started_at,
            "location": self.location,
            "findings": [f.to_json() for f in self.findings],
            "steps": [s.to_json() for s in self.steps],
            "exchanges": [e.to_json() for e in self.exchanges],
            "operator": [o.to_json() for o in self.operator],
            "transfers": [t.to_json() for t in self.transfers],
            **({"raw": [r.to_json() for r in self.raw]} if self.raw else {}),
            **({"interrupted": True} if self.interrupted else {}),
            **(
                {"security_profile": self.security_profile}
                if self.security_profile is not None
                else {}
            ),
            **({"tls": [t.to_json() for t in self.tls]} if self.tls else {}),
            **(
                {"missing_test_data": list(self.missing_test_data)}
                if self.missing_test_data
                else {}
            ),
        }


@dataclass(frozen=True)
class ProfileResult:
    name: str
    verdict: ProfileVerdict
    passed: int
    failed: int
    total: int
    errors: int = 0
    skipped: int = 0
    not_applicable: int = 0
    not_run: int = 0  # could not run: test data missing (keeps the profile from passing)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "skipped": self.skipped,
            "not_applicable": self.not_applicable,
            **({"not_run": self.not_run} if self.not_run else {}),
            "total": self.total,
        }


def summarise_profile(name: str, cases: Sequence[CaseResult]) -> ProfileResult:
    count = {v: sum(1 for c in cases if c.verdict is v) for v in Verdict}
    if count[Verdict.FAIL]:
        verdict = ProfileVerdict.FAIL
    elif count[Verdict.ERROR] or count[Verdict.SKIPPED] or count[Verdict.NOT_RUN]:
        verdict = ProfileVerdict.INCOMPLETE
    elif count[Verdict.PASS] == 0:
        verdict = ProfileVerdict.NOT_APPLICABLE
    else:
        verdict = ProfileVerdict.PASS
    return ProfileResult(
        name=name,
        verdict=verdict,
        passed=count[Verdict.PASS],
        failed=count[Verdict.FAIL],
        total=len(cases),
        errors=count[Verdict.ERROR],
        skipped=count[Verdict.SKIPPED],
        not_applicable=count[Verdict.NOT_APPLICABLE],
        not_run=count[Verdict.NOT_RUN],
    )


@dataclass(frozen=True)
class RobustnessResult:
    """The robustness cases of a run (beyond the OCA cases): their own verdict, kept apart
    from the profiles and the certificate. `warned` counts passed cases with a warning."""

    summary: ProfileResult
    warned: int
    cases: tuple[CaseResult, ...]

    def to_json(self) -> dict[str, Any]:
        summary = self.summary.to_json()
        del summary["name"]
        return {**summary, "warned": self.warned, "cases": [c.to_json() for c in self.cases]}


def summarise_robustness(cases: Sequence[CaseResult]) -> RobustnessResult:
    warned = sum(1 for c in cases if c.verdict is Verdict.PASS and c.warnings)
    return RobustnessResult(summarise_profile("robustness", cases), warned, tuple(cases))


class LimitVerdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class TimingSummary:
    count: int
    min_s: float | None
    avg_s: float | None
    max_s: float | None
    p95_s: float | None
    limit_s: float
    verdict: LimitVerdict
    unanswered: int = 0

    def to_json(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 6)

        return {
            "count": self.count,
            "min_s": r(self.min_s),
            "avg_s": r(self.avg_s),
            "max_s": r(self.max_s),
            "p95_s": r(self.p95_s),
            "limit_s": self.limit_s,
            "unanswered": self.unanswered,
            "verdict": self.verdict.value,
        }


@dataclass(frozen=True)
class Performance:
    response_time: TimingSummary
    authorize: TimingSummary

    def to_json(self) -> dict[str, Any]:
        return {
            "response_time": self.response_time.to_json(),
            "authorize": self.authorize.to_json(),
        }


@dataclass(frozen=True)
class RunResult:
    run_id: str
    tool_name: str
    tool_version: str
    started_at: str
    finished_at: str
    sut: Mapping[str, Any]
    csms_url: str
    security_profile: int
    verdict: Verdict
    profiles: tuple[ProfileResult, ...]
    cases: tuple[CaseResult, ...]
    performance: Performance
    schemas: Mapping[str, Any]
    pics: Mapping[str, Any]
    settings: Mapping[str, Any] = field(default_factory=dict)
    interrupted: bool = False
    lab: LabInfo = field(default_factory=LabInfo)  # who issues the reports (from the run config)
    # Robustness cases (--profile robustness): never part of `profiles`, `cases` or the
    # certificate; their own section of result.json.
    robustness: tuple[CaseResult, ...] = ()
    # Why an interrupted (partial) run stopped before its end: stopped by Ctrl-C or SIGTERM, or
    # the CSMS could not be reached. Empty when the run ended by itself.
    stop_reason: str = ""
    # What the run's selection covered of what the claimed profiles make mandatory (None: a
    # result.json from before it was recorded; octt.result.scope infers it then).
    scope: RunScope | None = None

    @property
    def edition(self) -> str:
        """The edition of the OCA test case document the run followed (empty: not recorded,
        a result.json from before editions)."""
        return str(self.settings.get("edition", ""))

    @property
    def advisories(self) -> tuple[tuple[str, Finding], ...]:
        """(case id, advisory) of every case: reported on their own, never in a verdict."""
        return tuple((c.id, f) for c in self.cases for f in c.advisories)

    @property
    def robustness_result(self) -> RobustnessResult | None:
        return summarise_robustness(self.robustness) if self.robustness else None

    @property
    def passed(self) -> bool:
        """The verdict is pass, the run finished and no robustness case failed or errored
        (what exit status 0 says; octt.result.scope holds the whole rule)."""
        robustness = self.robustness_result
        robust = robustness is None or robustness.summary.verdict in (
            ProfileVerdict.PASS,
            ProfileVerdict.NOT_APPLICABLE,
        )
        return self.verdict is Verdict.PASS and robust and not self.interrupted

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "tool": {"name": self.tool_name, "version": self.tool_version},
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "sut": dict(self.sut),
            "csms_url": self.csms_url,
            "security_profile": self.security_profile,
            "verdict": self.verdict.value,
            **({"edition": self.edition} if self.edition else {}),
            "interrupted": self.interrupted,
            **({"stop_reason": self.stop_reason} if self.stop_reason else {}),
            "profiles": [p.to_json() for p in self.profiles],
            "cases": [c.to_json() for c in self.cases],
            "advisories": [{"case": case, **f.to_json()} for case, f in self.advisories],
            "performance": self.performance.to_json(),
            "schemas": dict(self.schemas),
            "settings": dict(self.settings),
            "lab": self.lab.to_json(),
            **(
                {"robustness": robustness.to_json()}
                if (robustness := self.robustness_result)
                else {}
            ),
            **({"scope": self.scope.to_json()} if self.scope is not None else {}),
            "pics": dict(self.pics),
        }
