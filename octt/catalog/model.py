"""Test cases and reusable states as typed, immutable data.

Values inside steps may still hold ``{placeholders}``; the engine renders them when it runs the
step. Every step remembers the file and line it came from, so errors and reports can point there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from octt.pics.model import Profile


@dataclass(frozen=True)
class Location:
    """Where a case, state or step is written. `file` is catalog-relative
    (``testcases/core/TC_001_CSMS.yaml``): it is what results and reports show, the same on
    every machine. `source` is the file on this machine, for load errors a user can open."""

    file: str
    line: int
    source: str = field(default="", compare=False)

    @property
    def source_file(self) -> str:
        return self.source or self.file

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class EachConnector(StrEnum):
    ALL = "all"
    ALL_AND_ZERO = "all_and_zero"
    OTHERS = "others"


class SimulatedEvent(StrEnum):
    POWER_LOSS = "power_loss"  # power cut and restart: the connection drops without a close
    CONNECTION_LOSS = "connection_loss"  # the network drops; the charge point keeps running
    GO_OFFLINE = "go_offline"  # connection lost for duration_s; transaction messages queue up
    CONNECTION_TIMEOUT = "connection_timeout"  # ConnectionTimeOut expires without a cable
    RESERVATION_EXPIRY = "reservation_expiry"  # a reservation's expiryDate passes (OCPP 1.6 §5.13)
    # The file transfers of Firmware Management (OCPP 1.6 §5.19, §5.9), real or simulated.
    FIRMWARE_DOWNLOAD = "firmware_download"
    FIRMWARE_DOWNLOAD_FAILS = "firmware_download_fails"
    DIAGNOSTICS_UPLOAD = "diagnostics_upload"
    DIAGNOSTICS_UPLOAD_FAILS = "diagnostics_upload_fails"
    # GetLog of the security whitepaper (use case N01): the log file's upload, real or simulated.
    LOG_UPLOAD = "log_upload"
    LOG_UPLOAD_FAILS = "log_upload_fails"


@dataclass(frozen=True)
class StepBase:
    location: Location
    label: str
    note: str
    # The editions of the OCA test case document that have this step (empty: all of them).
    editions: tuple[str, ...] = field(default=(), kw_only=True)
    # The OCPP / security-whitepaper clause of a check no edition lists: its error findings
    # are advisories (they never change the verdict unless the run promotes them).
    advisory: str = field(default="", kw_only=True)
    # The editions in which the step is only an advisory (empty: all); in the others its
    # findings count as the edition's checks.
    advisory_in: tuple[str, ...] = field(default=(), kw_only=True)
    # Expectations only an edition has, added to the step's `expect` for that edition (a state
    # step: action -> expect block, as its `expect`).
    edition_expect: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, kw_only=True)


@dataclass(frozen=True)
class SendStep(StepBase):
    action: str
    connector: Any = None
    each_connector: EachConnector | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    expect: Mapping[str, Any] = field(default_factory=dict)
    save: Mapping[str, str] = field(default_factory=dict)
    swappable_with_next: bool = False
    timeout_s: float | None = None
    # CALLs the CSMS sends in reaction to this message (CertificateSigned after SignCertificate):
    # kept for the expect_call step that waits for them even if they come before it.
    followed_by: tuple[str, ...] = ()


class RawAnswerKind(StrEnum):
    """What OCPP-J 1.6 asks the CSMS to answer to a frame sent exactly as written."""

    CALLERROR = "callerror"  # §4.2.3: the CALL cannot be processed: a CALLERROR
    CALLRESULT = "callresult"  # a well-formed CALL the CSMS must process (a semantic oddity)
    ANY = "any"  # no readable unique id: no answer is possible; the CSMS must just go on


@dataclass(frozen=True)
class ExpectedAnswer:
    """The answer a raw frame calls for, and why (graded by `octt.engine.raw`)."""

    answer: RawAnswerKind
    # CALLERROR codes that fit (the first is the one the spec points to): with CALLERROR, any
    # other code is a warning (empty: any OCPP-J 1.6 code); with CALLRESULT, these CALLERRORs
    # are accepted too.
    codes: tuple[str, ...] = ()
    because: str = ""  # the reasoning from the spec, shown with every finding
    # An answer of the other kind (a CALLRESULT where a CALLERROR is due, or the reverse) is
    # an error when strict, a warning otherwise.
    strict: bool = True


@dataclass(frozen=True)
class SendRawStep(StepBase):
    """Send a frame exactly as written, bypassing octt's own validation (bad input on purpose):
    `text` verbatim, or a CALL of `action` with `payload` (templates rendered) and `unique_id`
    (None: a fresh one). `unique_id` of a `text` frame is the id its answer would carry. Then a
    Heartbeat shows whether the CSMS still answers on the connection."""

    input: str  # what is wrong with the frame, in words
    input_class: str  # the kind of bad input (octt.robustness.classes.InputClass)
    expected: ExpectedAnswer
    text: str | None = None
    action: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    unique_id: Any = None


@dataclass(frozen=True)
class ExpectCallStep(StepBase):
    action: str
    within_s: Any = None
    expect: Mapping[str, Any] = field(default_factory=dict)
    save: Mapping[str, str] = field(default_factory=dict)
    reply: Mapping[str, Any] | None = None
    reply_error: Mapping[str, str] | None = None
    tolerate: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperatorStep(StepBase):
    action: str
    payload: Mapping[str, Any]
    say: str


@dataclass(frozen=True)
class StateStep(StepBase):
    name: str
    # Values for the state's parameters (templates, rendered when the state starts).
    arguments: Mapping[str, Any] = field(default_factory=dict)
    # Extra expectations on the messages exchanged inside the state: action -> expect block
    # (on the CSMS's request for a CALL it sends, on its answer for a CALL the CP sends).
    expect: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # What the state saved, kept under another name once it ends: case variable -> the state's
    # variable (e.g. the ids of three profiles set by the same state).
    save: Mapping[str, str] = field(default_factory=dict)
    # Run the state only when these variables match (variable -> value or matcher), e.g. a
    # memory state that depends on the security profile the case started on (TC_083).
    when: Mapping[str, Any] = field(default_factory=dict)


class ClientCertificateChoice(StrEnum):
    """Which client certificate a reconnect presents (security profile 3)."""

    OWN = "own"  # the charge point's current one (configured, or renewed by CertificateSigned)
    NONE = "none"
    EXPIRED = "expired"  # from the run's test PKI
    WRONG_CA = "wrong_ca"  # from the run's test PKI: issued by a CA the CSMS does not trust


@dataclass(frozen=True)
class ReconnectStep(StepBase):
    password: str | None = None
    subprotocols: tuple[str, ...] | None = None
    # The security profile to connect with (a template: "{security_profile}"); None: the
    # charge point's current profile (which a SecurityProfile change raises).
    security_profile: Any = None
    # False: no Basic credentials and no client certificate ("credentials: none").
    credentials: bool = True
    client_certificate: ClientCertificateChoice = ClientCertificateChoice.OWN
    # The CSMS must refuse this connection (HTTP error, TLS failure, or an immediate close); an
    # accepted connection is an error finding, and is closed again.
    refused: bool = False


@dataclass(frozen=True)
class DisconnectStep(StepBase):
    """The charge point closes its connection (close frame), e.g. "the tool closes the
    connection" before TC_085–TC_087."""


@dataclass(frozen=True)
class ForbidStep(StepBase):
    actions: tuple[str, ...]
    within_s: Any


@dataclass(frozen=True)
class CheckStep(StepBase):
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitStep(StepBase):
    seconds: Any


@dataclass(frozen=True)
class SimulateStep(StepBase):
    event: SimulatedEvent
    connector: Any = None
    duration_s: Any = None


Step = (
    SendStep
    | SendRawStep
    | ExpectCallStep
    | OperatorStep
    | StateStep
    | ReconnectStep
    | ForbidStep
    | CheckStep
    | WaitStep
    | SimulateStep
    | DisconnectStep
)


def step_kind(step: Step) -> str:
    return {
        SendStep: "send",
        SendRawStep: "send_raw",
        ExpectCallStep: "expect_call",
        OperatorStep: "operator",
        StateStep: "state",
        ReconnectStep: "reconnect",
        ForbidStep: "forbid",
        CheckStep: "check",
        WaitStep: "wait",
        SimulateStep: "simulate",
        DisconnectStep: "disconnect",
    }[type(step)]


def describe_step(step: Step) -> str:
    """A short human description: the label, or one made from the step."""
    if step.label:
        return step.label
    match step:
        case SendStep(action=action):
            return f"send {action}"
        case SendRawStep(input=what):
            return f"send {what}"
        case ExpectCallStep(action=action):
            return f"expect {action} from the CSMS"
        case OperatorStep(action=action):
            return f"operator: make the CSMS send {action}"
        case StateStep(name=name, arguments=arguments):
            given = ", ".join(f"{k}={v}" for k, v in arguments.items())
            return f"reusable state {name}" + (f" ({given})" if given else "")
        case ReconnectStep():
            how = [] if step.credentials else ["without credentials"]
            if step.security_profile is not None:
                how.append(f"with security profile {step.security_profile}")
            if step.client_certificate not in (
                ClientCertificateChoice.OWN,
                ClientCertificateChoice.NONE,
            ):
                how.append(f"with the {step.client_certificate.value} client certificate")
            if step.subprotocols:
                how.append(f"offering {', '.join(step.subprotocols)}")
            text = "reconnect" + (" " + ", ".join(how) if how else "")
            return text + (" (the CSMS must refuse)" if step.refused else "")
        case DisconnectStep():
            return "the charge point closes the connection"
        case ForbidStep(actions=actions):
            return f"the CSMS must not send {', '.join(actions)}"
        case CheckStep(name=name):
            return f"check {name}"
        case WaitStep():
            return "wait"
        case SimulateStep(event=event):
            return f"simulate {event.value.replace('_', ' ')}"
    raise AssertionError(step)


@dataclass(frozen=True)
class Requirement:
    """A PICS item that must hold for the case to apply."""

    pics: str
    contains_any: tuple[Any, ...] = ()

    def describe(self) -> str:
        if self.contains_any:
            return f"PICS {self.pics} contains any of {list(self.contains_any)}"
        return f"PICS {self.pics} is true"


@dataclass(frozen=True)
class ReusableState:
    name: str
    title: str
    purpose: str
    before: tuple[str, ...]
    steps: tuple[Step, ...]
    location: Location
    before_location: Location | None = None
    # Parameter -> default (a template rendered when the state starts). A parameter already
    # bound by an enclosing state keeps that value; a state step's `with` overrides both.
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TestCase:
    id: str
    title: str
    profile: Profile
    reference: Mapping[str, str]
    purpose: str
    checks: tuple[str, ...]
    editions: str
    requires: tuple[Requirement, ...]
    before: tuple[str, ...]
    steps: tuple[Step, ...]
    location: Location
    needs_operator: bool = False
    # The security whitepaper: the case connects with the first of these security profiles the
    # PICS claims (as the charge point identity provisioned for it); empty: the run's profile.
    security_profiles: tuple[int, ...] = ()
    # The charge point identity (a template over the PICS test data); None: the identity of the
    # security profile the case runs on.
    charge_point_id: str | None = None
    # The edition of the OCA document the case was taken from (octt.catalog.editions); empty:
    # the catalog as written, every edition's steps together.
    edition: str = ""

    __test__ = False  # not a pytest class


@dataclass(frozen=True)
class Catalog:
    cases: tuple[TestCase, ...]
    states: Mapping[str, ReusableState]

    def case(self, case_id: str) -> TestCase:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)
