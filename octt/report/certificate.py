"""What the certificate says: the content of certificate.html and certificate.pdf, as data.

Built from a `RunResult` (result.json) alone, laid out like an OCA certificate for a CSMS
(header, abstract of the test report, result summary per functionality, security, additional
questions, performance, test configuration, statement of approval, disclaimer). Both renderers
draw this one value, so the HTML and the PDF cannot disagree.

The wording is the certification scope's (`octt.result.scope.assess`): only a run that covered
every case the claimed profiles make mandatory and passed them all within the PICS limits is a
certificate; a narrower selection is a partial test summary listing the mandatory cases it left
out, a failed or interrupted run a test summary with a "NOT PASSED" / "INCOMPLETE" banner and
the reasons, and a run with no laboratory configured says it is a self-test in its title.
Robustness cases (`RunResult.robustness`, beyond the OCA cases) never appear here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from octt.catalog.editions import DOCUMENT
from octt.load.text import describe as describe_background_load
from octt.pics.model import Profile
from octt.result.model import (
    CaseResult,
    LimitVerdict,
    ProfileResult,
    ProfileVerdict,
    RunResult,
    TimingSummary,
    Verdict,
    summarise_profile,
)
from octt.result.scope import Assessment, Standing, assess

__all__ = ["Standing", "build_certificate"]

REFERENCE_SPECIFICATION = (
    "OCPP 1.6 – Edition 2 with OCPP 1.6 Errata sheet (v4.0 Release, 2019-10-23)"
)
SECURITY_SPECIFICATION = "Improved security for OCPP 1.6-J, Edition 3 (2022-02-17)"
PRODUCT_TYPE = "Charging Station Management System"

# The certified functionalities, in the order of an OCA certificate, with what each covers.
FUNCTIONALITIES: tuple[tuple[Profile, str], ...] = (
    (
        Profile.CORE,
        "Booting, authorization (including the authorization cache), configuration,"
        " transactions and remote control",
    ),
    (Profile.FIRMWARE_MANAGEMENT, "Remote firmware update and diagnostics log upload"),
    (Profile.SMART_CHARGING, "Charging profiles of every purpose, including stacking"),
    (Profile.RESERVATION, "Reserving a connector for an idTag, and cancelling reservations"),
    (
        Profile.LOCAL_AUTH_LIST_MANAGEMENT,
        "Managing the charge point's local authorization list",
    ),
    (Profile.REMOTE_TRIGGER, "Triggering charge-point-initiated messages remotely"),
)

SECURITY_ITEMS: tuple[tuple[int, str], ...] = (
    (1, "Security Profile 1: unsecured transport with HTTP Basic authentication (optional)"),
    (2, "Security Profile 2: TLS (1.2 or higher) with HTTP Basic authentication"),
    (3, "Security Profile 3: TLS (1.2 or higher) with client-side certificates"),
)

# Each security case counts once on the certificate, for the security profile it ran on (the
# result's security_profile), so SEC-1..3 add up to the security cases run. Only a result that
# does not record that profile falls back on these prerequisites of the OCA test document: the
# first supported profile that names the case (a case named by none — certificate deletion,
# security log, signed firmware, profile upgrade, sub-protocol — counts for the lowest).
_SECURITY_CASES: Mapping[int, frozenset[str]] = {
    1: frozenset({"TC_073_CSMS", "TC_085_CSMS"}),
    2: frozenset(
        {
            "TC_073_CSMS",
            "TC_085_CSMS",
            "TC_075_1_CSMS",
            "TC_075_2_CSMS",
            "TC_078_CSMS",
            "TC_086_CSMS",
        }
    ),
    3: frozenset(
        {
            "TC_074_CSMS",
            "TC_077_CSMS",
            "TC_087_CSMS",
            "TC_075_1_CSMS",
            "TC_075_2_CSMS",
            "TC_078_CSMS",
            "TC_086_CSMS",
        }
    ),
}
_PROFILE_SPECIFIC_SECURITY_CASES = frozenset().union(*_SECURITY_CASES.values())

QUESTIONS: Mapping[str, str] = {
    "AQ-1": "Can the CSMS be configured to first respond to a BootNotification with status"
    " Pending or Rejected?",
}

FEATURES: Mapping[str, str] = {
    "milliseconds_in_timestamps": "Device supports sending milliseconds in timestamps",
}

_SECURITY_PROFILE_USED = {
    0: "0 (no security profile: plain WebSocket, no Basic authentication)",
    1: "1 (HTTP Basic authentication over an unsecured connection)",
    2: "2 (TLS with HTTP Basic authentication)",
    3: "3 (TLS with client-side certificates)",
}


class Outcome(StrEnum):
    """A result as the certificate prints it."""

    PASS = "Pass"
    FAIL = "Fail"
    NOT_APPLICABLE = "N/A"
    INCOMPLETE = "Incomplete"
    NO_DATA = "No data"
    NOT_TESTED = "Not tested"  # claimed, but outside this run's selection
    PARTIAL = "Partial"  # what ran passed, but mandatory cases of it were not selected


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    warn: bool = False  # draw attention (e.g. TLS verification off)
    mono: bool = False  # an identifier or digest, set in a fixed-width font


@dataclass(frozen=True)
class FunctionalityRow:
    name: str
    outcome: Outcome
    description: str
    detail: str


@dataclass(frozen=True)
class SecurityRow:
    id: str
    item: str
    supported: str  # "Yes" | "No"
    outcome: Outcome
    detail: str


@dataclass(frozen=True)
class QuestionRow:
    id: str
    question: str
    answer: str


@dataclass(frozen=True)
class PerformanceRow:
    name: str
    description: str
    limit: str
    count: str
    minimum: str
    average: str
    maximum: str
    p95: str
    unanswered: str
    unit: str
    outcome: Outcome


@dataclass(frozen=True)
class SignatureBlock:
    role: str
    name: str
    company: str
    department: str
    position: str
    location: str
    date: str


@dataclass(frozen=True)
class DigitalSignature:
    """The key the result and its evidence are (to be) signed with: known before signing."""

    algorithm: str
    fingerprint: str  # "sha256:<64 hex>" of the DER SubjectPublicKeyInfo
    subject: str = ""  # the X.509 certificate's subject, when signed with a certificate

    @property
    def fingerprint_grouped(self) -> str:
        """The hex digits in groups of four, as people compare them."""
        digits = self.fingerprint.split(":", 1)[-1]
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


@dataclass(frozen=True)
class Certificate:
    standing: Standing
    title: str
    subtitle: str
    banner: str  # empty when passed
    reasons: tuple[str, ...]
    header: tuple[Field, ...]
    applied_tests: str
    abstract: tuple[Field, ...]
    functionalities: tuple[FunctionalityRow, ...]
    security: tuple[SecurityRow, ...]
    security_note: str
    questions: tuple[QuestionRow, ...]
    performance: tuple[PerformanceRow, ...]
    performance_note: str
    configuration: tuple[Field, ...]
    approval: str
    vendor: SignatureBlock
    lab: SignatureBlock
    digital_signature: DigitalSignature | None
    disclaimer: tuple[str, ...]
    document_reference: str
    issue_date: str
    issue_timestamp: str  # the run's finish time (RFC 3339): the documents' creation date
    tool: str
    run_id: str

    certified: bool = False  # a certificate-style report of conformance (full scope, passed)

    @property
    def passed(self) -> bool:
        """Whether this document is a certificate (not only whether the selection passed)."""
        return self.certified

    @property
    def watermark(self) -> str:
        """The word across every page of a document that is not a certificate."""
        if self.certified:
            return ""
        if self.standing is Standing.INCOMPLETE:
            return "INCOMPLETE"
        return "NOT PASSED" if self.standing is Standing.NOT_PASSED else "PARTIAL"


# -- helpers -------------------------------------------------------------------------------


def _text(value: Any, default: str = "") -> str:
    if value is None:
        return default
    text = str(value).strip()
    return text or default


def _yes_no(value: Any) -> str:
    if value is None:
        return "not declared"
    return "Yes" if value else "No"


def _date(timestamp: str) -> str:
    return timestamp[:10] if len(timestamp) >= 10 else timestamp


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return _text(value, "–")


_PROFILE_OUTCOME = {
    ProfileVerdict.PASS: Outcome.PASS,
    ProfileVerdict.FAIL: Outcome.FAIL,
    ProfileVerdict.INCOMPLETE: Outcome.INCOMPLETE,
    ProfileVerdict.NOT_APPLICABLE: Outcome.NOT_APPLICABLE,
}


def _counts(summary: ProfileResult) -> str:
    parts = [f"{summary.passed} of {summary.total - summary.not_applicable} case(s) passed"]
    if summary.failed:
        parts.append(f"{summary.failed} failed")
    if summary.errors:
        parts.append(f"{summary.errors} error")
    if summary.skipped:
        parts.append(f"{summary.skipped} skipped")
    if summary.not_run:
        parts.append(f"{summary.not_run} not run (test data missing)")
    if summary.not_applicable:
        parts.append(f"{summary.not_applicable} not applicable")
    return ", ".join(parts)


def _outcome(summary: ProfileResult, interrupted: bool) -> Outcome:
    outcome = _PROFILE_OUTCOME[summary.verdict]
    # An interrupted run may have stopped in the middle of any profile: only a failure is final.
    if interrupted and outcome is not Outcome.FAIL and summary.total:
        return Outcome.INCOMPLETE
    return outcome


def _claims(pics: Mapping[str, Any]) -> Mapping[str, Any]:
    profiles = pics.get("profiles", {})
    return profiles if isinstance(profiles, Mapping) else {}


# -- sections ------------------------------------------------------------------------------


def _left_out(scope: Assessment, profile: str) -> int:
    return sum(1 for c in scope.missing if c.profile == profile)


def _partial(outcome: Outcome, left_out: int, detail: str) -> tuple[Outcome, str]:
    """A row whose mandatory cases were not all selected never reads Pass."""
    if not left_out:
        return outcome, detail
    detail += f"; {left_out} mandatory case(s) not in this run's selection"
    return (
        Outcome.PARTIAL if outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE) else outcome
    ), detail


def _functionalities(result: RunResult, scope: Assessment) -> tuple[FunctionalityRow, ...]:
    tested = {p.name: p for p in result.profiles}
    claims = _claims(result.pics)
    rows = []
    for profile, description in FUNCTIONALITIES:
        summary = tested.get(profile.value)
        claimed = bool(claims.get(profile.value, False))
        if summary is None or summary.total == 0:
            if claimed:
                row = (Outcome.NOT_TESTED, "claimed in the PICS; not in this run's selection")
            else:
                row = (Outcome.NOT_APPLICABLE, f"PICS profiles.{profile.value} is not claimed")
            rows.append(FunctionalityRow(profile.display_name, row[0], description, row[1]))
            continue
        outcome = _outcome(summary, result.interrupted)
        detail = _counts(summary)
        if outcome is Outcome.NOT_APPLICABLE and not claimed:
            detail = f"PICS profiles.{profile.value} is not claimed"
        outcome, detail = _partial(outcome, _left_out(scope, profile.value), detail)
        rows.append(FunctionalityRow(profile.display_name, outcome, description, detail))
    return tuple(rows)


def _security_profiles(pics: Mapping[str, Any]) -> frozenset[int]:
    security = pics.get("security", {})
    if not isinstance(security, Mapping):
        return frozenset()
    return frozenset(p for p in security.get("profiles", ()) if isinstance(p, int))


def _security(result: RunResult, scope: Assessment) -> tuple[SecurityRow, ...]:
    supported = _security_profiles(result.pics)
    cases = [c for c in result.cases if c.profile == Profile.SECURITY.value]
    left_out = _left_out(scope, Profile.SECURITY.value)
    rows = []
    for number, item in SECURITY_ITEMS:
        if number not in supported:
            rows.append(
                SecurityRow(
                    f"SEC-{number}",
                    item,
                    "No",
                    Outcome.NOT_APPLICABLE,
                    f"not supported (PICS security.profiles has no {number})",
                )
            )
            continue
        relevant = [c for c in cases if _counts_for(c, supported) == number]
        summary = summarise_profile(f"SEC-{number}", relevant)
        if not relevant or summary.total == summary.not_applicable:
            outcome = Outcome.NOT_TESTED if left_out else Outcome.NOT_APPLICABLE
            detail = (
                "supported; not in this run's selection"
                if left_out
                else "supported; no applicable case ran on it"
            )
            rows.append(SecurityRow(f"SEC-{number}", item, "Yes", outcome, detail))
            continue
        outcome, detail = _partial(
            _outcome(summary, result.interrupted), left_out, _counts(summary)
        )
        rows.append(SecurityRow(f"SEC-{number}", item, "Yes", outcome, detail))
    return tuple(rows)


def _counts_for(case: CaseResult, supported: frozenset[int]) -> int | None:
    """The one security profile (SEC-n) a security case counts for: the profile it ran on.
    A result from before that was recorded: the first supported profile the case's OCA
    prerequisites name, else the lowest supported profile."""
    if case.security_profile is not None:
        return case.security_profile
    for number in sorted(supported):
        if case.id in _SECURITY_CASES[number] or case.id not in _PROFILE_SPECIFIC_SECURITY_CASES:
            return number
    return None


def _questions(pics: Mapping[str, Any]) -> tuple[QuestionRow, ...]:
    answers = pics.get("additional_questions", {})
    if not isinstance(answers, Mapping):
        answers = {}
    ids = list(QUESTIONS) + [k for k in answers if k not in QUESTIONS]
    return tuple(
        QuestionRow(
            qid,
            QUESTIONS.get(qid, qid),
            _yes_no(answers.get(qid)) if qid in answers else "not declared",
        )
        for qid in ids
    )


_LIMIT_OUTCOME = {
    LimitVerdict.PASS: Outcome.PASS,
    LimitVerdict.FAIL: Outcome.FAIL,
    LimitVerdict.NO_DATA: Outcome.NO_DATA,
}


def _performance_row(name: str, description: str, timing: TimingSummary) -> PerformanceRow:
    return PerformanceRow(
        name=name,
        description=description,
        limit=f"{timing.limit_s:g}",
        count=str(timing.count),
        minimum=_seconds(timing.min_s),
        average=_seconds(timing.avg_s),
        maximum=_seconds(timing.max_s),
        p95=_seconds(timing.p95_s),
        unanswered=str(timing.unanswered),
        unit="s",
        outcome=_LIMIT_OUTCOME[timing.verdict],
    )


def _performance(result: RunResult) -> tuple[PerformanceRow, ...]:
    return (
        _performance_row(
            "OCPP response time",
            "From each CALL the charge point sent to the CSMS's answer",
            result.performance.response_time,
        ),
        _performance_row(
            "Response time Authorize",
            "From Authorize.req to Authorize.conf",
            result.performance.authorize,
        ),
    )


def _operator_mode(mode: Any) -> str:
    text = _text(mode)
    if not text:
        return "not recorded"
    if text == "prompt":
        return "prompt (a person at the CSMS's user interface)"
    if text == "none":
        return "none (cases that need the CSMS to act were skipped)"
    return f"trigger API at {text}"


def _profiles_exercised(result: RunResult) -> str:
    """ "1 (8 cases), 2 (4 cases), 3 (3 cases)": the profiles the security cases connected with."""
    counts: dict[int, int] = {}
    for case in result.cases:
        if case.security_profile is not None and case.verdict is not Verdict.NOT_APPLICABLE:
            counts[case.security_profile] = counts.get(case.security_profile, 0) + 1
    return ", ".join(f"{p} ({n} case{'s' if n != 1 else ''})" for p, n in sorted(counts.items()))


def _time_scale(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return "not recorded"
    if value == 1:
        return "1 (simulated waits in real time)"
    return f"{value:g} (simulated waits ran {1 / value:g}× faster than real time)"


def _configuration(result: RunResult) -> tuple[Field, ...]:
    settings = result.settings
    features = result.pics.get("features", {})
    if not isinstance(features, Mapping):
        features = {}
    tls = settings.get("tls_verify")
    tls_cases = [c for c in result.cases if c.tls]
    encrypted = result.csms_url.startswith("wss://") or bool(tls_cases)
    if tls is None:
        tls_text, tls_warn = "not recorded", False
    elif tls:
        tls_text = "On" if encrypted else "On (not used: the connection was not encrypted)"
        if tls_cases and not result.csms_url.startswith("wss://"):
            tls_text = f"On (the TLS connections of {len(tls_cases)} security case(s))"
        tls_warn = False
    else:
        tls_text, tls_warn = "OFF — the CSMS's server certificate was not verified", True
    fields = [
        Field("Test tool", f"{result.tool_name} {result.tool_version}"),
        Field("Test case document", _edition_text(result.edition)),
        Field("Test run", result.run_id, mono=True),
        Field("Test period (UTC)", f"{result.started_at} – {result.finished_at}"),
        Field("CSMS endpoint", result.csms_url or "not recorded", mono=True),
        Field("Charge point identity", _text(settings.get("cp_id"), "not recorded")),
        Field("OCPP schema set", _text(result.schemas.get("source"), "not recorded")),
        Field("Schema set SHA-256", _text(result.schemas.get("sha256"), "not recorded"), mono=True),
        Field(
            "Security profile used",
            _SECURITY_PROFILE_USED.get(result.security_profile, str(result.security_profile)),
        ),
        Field("TLS server certificate verification", tls_text, tls_warn),
    ]
    exercised = _profiles_exercised(result)
    if exercised:
        fields.append(Field("Security profiles of the security cases", exercised))
    for key, label in FEATURES.items():
        fields.append(Field(label, _yes_no(features.get(key))))
    for key, value in features.items():
        if key not in FEATURES:
            fields.append(Field(f"PICS feature {key}", _yes_no(value)))
    fields += [
        Field("Time scale", _time_scale(settings.get("time_scale"))),
        Field("Operator mode", _operator_mode(settings.get("operator"))),
        Field(
            "Operator timeout",
            f"{_number(settings['operator_timeout_s'])} s"
            if "operator_timeout_s" in settings
            else "not recorded",
        ),
        Field(
            "Message ordering",
            {
                "documented": "documented (as the test cases list them)",
                "swapped": "swapped (the order the test specification also allows)",
            }.get(_text(settings.get("ordering")), _text(settings.get("ordering"), "not recorded")),
        ),
    ]
    load = settings.get("background_load")
    if isinstance(load, Mapping):
        # octt run --background-load: the response times above were measured under this load.
        fields.append(Field("Background load", describe_background_load(load)))
    return tuple(fields)


def _scope(
    functionalities: Sequence[FunctionalityRow], security: Sequence[SecurityRow], passed: bool
) -> str:
    wanted = (
        (Outcome.PASS,)
        if passed
        else (Outcome.PASS, Outcome.FAIL, Outcome.INCOMPLETE, Outcome.PARTIAL)
    )
    names = [f.name for f in functionalities if f.outcome in wanted]
    sec = [s.id for s in security if s.outcome in wanted]
    if passed and len(names) == len(FUNCTIONALITIES):
        text = "OCPP 1.6 Full: Core and all five optional feature profiles"
    elif names:
        text = "OCPP 1.6: " + ", ".join(names)
    else:
        text = "none"
    if sec:
        text += " + Security extension (" + ", ".join(sec) + ")"
    return text


def _signature_block(role: str, signatory: Any, company: str, location: str) -> SignatureBlock:
    return SignatureBlock(
        role=role,
        name=signatory.name,
        company=signatory.company or company,
        department=signatory.department,
        position=signatory.position,
        location=signatory.location or location,
        date=signatory.date,
    )


DISCLAIMER: tuple[str, ...] = (
    "This document records the outcome of automated conformance tests that octt ran against the"
    " product named above, in the configuration and on the dates shown. It makes no statement"
    " about the product's quality, safety, security or fitness for any purpose beyond the"
    " behaviour the listed test cases check.",
    "It applies only to the product designation and OCPP software version named above. Another"
    " version, configuration or deployment of the product may behave differently.",
    "The abstract of the test report, the performance results and the test configuration are"
    " an integral part of this document; it is valid only as a whole, together with the test"
    " report it names.",
    "octt is an independent open-source test tool. It is not affiliated with or endorsed by the"
    " Open Charge Alliance, and this document is not an OCA certificate. Its authority rests"
    " with the laboratory that signs it.",
)


def build_certificate(result: RunResult, signature: DigitalSignature | None = None) -> Certificate:
    """The certificate of a run; `signature` names the key its evidence is signed with."""
    sut = result.sut
    lab = result.lab
    scope = assess(result)
    standing = scope.standing
    passed = scope.certificate
    reasons = (*scope.reasons, *scope_lines(scope))
    functionalities = _functionalities(result, scope)
    security = _security(result, scope)
    vendor = _text(sut.get("vendor"), "not declared")
    product = _text(sut.get("product"), "not declared")
    product_type = _text(sut.get("product_type"), PRODUCT_TYPE)
    version = _text(sut.get("ocpp_software_version"), "not declared")
    communication = _text(sut.get("communication"), "JSON")
    report_reference = lab.report_reference or f"octt-{result.run_id}"
    lab_name = lab.name or "none configured (self-test)"
    issue_date = _date(result.finished_at)
    if passed:
        certificate_number = lab.certificate_number or "not assigned (self-test)"
    else:
        certificate_number = "none: no certificate is issued for this run"
    header = (
        Field("Certificate holder", vendor),
        Field("Certificate number", certificate_number),
        Field("Test report number", report_reference),
        Field("Product type", product_type),
        Field("Product designation", product),
        Field("OCPP software version", version),
        Field("Certification date" if passed else "Date of test", issue_date),
        Field("Reference specification", REFERENCE_SPECIFICATION),
        Field("Security specification", SECURITY_SPECIFICATION),
        Field(
            "Scope of this certificate" if passed else "Scope of the tests",
            _scope(functionalities, security, passed),
        ),
    )
    applied_tests = (
        "Conformance testing of the OCPP 1.6-J Central System according to the OCA compliance"
        " test cases for a CSMS (TC_xxx_CSMS)"
        + (f" of the {DOCUMENT}, edition {result.edition}," if result.edition else "")
        + " performed by"
        f" {lab.name or 'the party that ran the tests'} from {_date(result.started_at)} to"
        f" {issue_date} with {result.tool_name} {result.tool_version};"
        f" documentary evidence: test report {report_reference}."
    )
    abstract = (
        Field("Test laboratory", lab_name),
        Field("Location", lab.location or "not stated"),
        Field("Test report reference", report_reference),
        Field("Vendor", vendor),
        Field("Device under test", f"{product} ({product_type})"),
        Field("Communication", f"{communication} (OCPP-J over WebSocket)"),
        Field("OCPP software version", version),
    )
    title, banner = scope.title, scope.banner
    if passed:
        approval = (
            "The test laboratory confirms that the product named above was tested with"
            f" {result.tool_name} as described in this document, that it passed every applicable"
            " test case of the scope above, and that its response times stayed within the limits"
            " its PICS declares. The vendor confirms that the product tested is the product named"
            " above and that its PICS describes it truthfully."
        )
    elif scope.passed:
        approval = (
            "The product named above was tested with"
            f" {result.tool_name} as described in this document on a partial selection"
            f" ({scope.selection}) only: every selected case passed, but the test cases listed"
            " above as not run were not part of it. Signatures on this document acknowledge the"
            " test record only; they do not certify conformance."
        )
    else:
        approval = (
            "The product named above was tested with"
            f" {result.tool_name} as described in this document and did NOT pass, for the"
            " reasons stated above. Signatures on this document acknowledge the test record"
            " only; they do not certify conformance."
        )
    security_supported = _security_profiles(result.pics)
    security_note = (
        "A CSMS that implements the security extension must support Security Profile 2 or 3"
        " or both."
        + (
            ""
            if not security_supported or security_supported & {2, 3}
            else " The PICS claims neither."
        )
    )
    return Certificate(
        standing=standing,
        title=title,
        subtitle="OCPP 1.6-J — Charging Station Management System (CSMS)",
        banner=banner,
        reasons=reasons,
        header=header,
        applied_tests=applied_tests,
        abstract=abstract,
        functionalities=functionalities,
        security=security,
        security_note=security_note,
        questions=_questions(result.pics),
        performance=_performance(result),
        performance_note=(
            "Response times are measured at the simulated charge point's WebSocket, between the"
            " moment a CALL was handed to the socket and the moment its answer came out of it,"
            f" over the connection to {result.csms_url or 'the CSMS'}. A CALL that received no"
            " answer counts against the limit."
        ),
        configuration=_configuration(result),
        approval=approval,
        vendor=_signature_block("Vendor", lab.vendor_signatory, vendor, ""),
        lab=_signature_block("Test laboratory", lab.lab_signatory, lab.name, lab.location),
        digital_signature=signature,
        disclaimer=DISCLAIMER,
        document_reference=(lab.certificate_number if passed else "") or report_reference,
        issue_date=issue_date,
        issue_timestamp=result.finished_at,
        tool=f"{result.tool_name} {result.tool_version}",
        run_id=result.run_id,
        certified=passed,
    )


def _edition_text(edition: str) -> str:
    """The OCA document and edition the verdict follows (a run from before editions: none)."""
    return f"{DOCUMENT}, edition {edition}" if edition else "not recorded"


def scope_lines(scope: Assessment) -> tuple[str, ...]:
    """For a partial run: the scope, and the mandatory cases it left out, profile by profile."""
    if not scope.partial:
        return ()
    lines = [scope.scope_note]
    by_profile: dict[str, list[str]] = {}
    for case in scope.missing:
        by_profile.setdefault(case.profile, []).append(case.id)
    for profile, ids in by_profile.items():
        lines.append(f"Not run — {_display(profile)}: {', '.join(ids)}.")
    return tuple(lines)


def _display(profile: str) -> str:
    try:
        return Profile(profile).display_name
    except ValueError:
        return profile
