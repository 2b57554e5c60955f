"""The per-case context: everything one test case's steps share while it runs.

`CaseContext` owns the simulated charge point state, the current connection (`Link`), saved
variables, findings, the step and exchange records, operator tickets, and the dispatch of CALLs
that arrive from the CSMS. The step kinds (`octt.engine.steps`) act through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from octt.catalog.editions import case_citation
from octt.catalog.model import Catalog, ClientCertificateChoice, TestCase
from octt.chargepoint import reservations, responder
from octt.chargepoint import security as cp_security
from octt.chargepoint.model import ChargePointState
from octt.clock import Clock, rfc3339
from octt.config import RunConfig
from octt.engine import beside, security
from octt.engine.link import IncomingCall, Link
from octt.engine.pacing import ReconnectPacer, link_limits, open_paced
from octt.engine.pacing import transport_options as transport_options
from octt.engine.templating import Scope
from octt.engine.tickets import OperatorTicket as OperatorTicket
from octt.engine.tickets import QueuedSend as QueuedSend
from octt.engine.tolerance import CaseSubject, case_subject, judge
from octt.findings import Finding, Severity
from octt.ocppj.frames import ErrorCode
from octt.ocppj.session import Session
from octt.operator.base import Operator
from octt.pics.model import Pics
from octt.record.model import ConnectionEventKind
from octt.record.trace import Recorder
from octt.result.events import EventBus, FindingRaised
from octt.result.model import (
    ExchangeRecord,
    OperatorRecord,
    RawExchangeRecord,
    StepRecord,
    TlsOutcome,
    TlsRecord,
    TransferRecord,
)
from octt.transport.websocket import (
    OCPP16,
    ConnectFailure,
    ConnectFailureKind,
)
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

SPEC_CONNECT = "OCPP-J 1.6 §3.1"
SPEC_SUBPROTOCOL = "OCPP-J 1.6 §3.1.2"

# OCPP-J 1.6 §4.2.3: which CALLERROR the receiver answers for which kind of schema violation.
_CALLERROR_FOR_KEYWORD = {
    "type": ErrorCode.TYPE_CONSTRAINT_VIOLATION,
    "required": ErrorCode.PROTOCOL_ERROR,
    "additionalProperties": ErrorCode.FORMATION_VIOLATION,
    "minItems": ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
    "maxItems": ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
}


class CaseAborted(Exception):
    """The case cannot go on; the reason is already among the findings."""


class CaseSkipped(Exception):
    """The case could not be run (e.g. nobody could make the CSMS act)."""


class ToolError(Exception):
    """octt itself could not do what the case needs (not a CSMS failure)."""


@dataclass
class CaseContext:
    case: TestCase
    catalog: Catalog
    pics: Pics
    config: RunConfig
    csms_url: str
    operator: Operator
    operator_timeout_s: float
    clock: Clock
    recorder: Recorder
    validator: FrameValidator
    schemas: SchemaSet
    bus: EventBus
    cp: ChargePointState
    variables: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # The clause of the advisory step now running (empty: none): its errors are advisories.
    advisory: str = ""
    steps: list[StepRecord] = field(default_factory=list)
    exchanges: list[ExchangeRecord] = field(default_factory=list)
    operator_records: list[OperatorRecord] = field(default_factory=list)
    tickets: list[OperatorTicket] = field(default_factory=list)
    offline_queue: list[QueuedSend] = field(default_factory=list)
    link: Link | None = None
    step_path: str = ""
    awaited: Counter[str] = field(default_factory=Counter)
    # CALLs a send step announced (followed_by) and no expect_call has taken yet.
    announced: Counter[str] = field(default_factory=Counter)
    tolerated: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)
    inbox: list[IncomingCall] = field(default_factory=list)
    inbox_changed: asyncio.Event = field(default_factory=asyncio.Event)
    background: set[asyncio.Task[None]] = field(default_factory=set)
    # Parameters bound by the reusable states running now (name -> depth of nesting), and the
    # extra expectations their state steps add (innermost last).
    parameters: Counter[str] = field(default_factory=Counter)
    state_expectations: list[Mapping[str, Mapping[str, Any]]] = field(default_factory=list)
    # {unique_id}: a positive 31-bit integer, fresh for every case, for identifiers the CSMS is
    # asked to use (a reservationId), so that runs and cases do not collide.
    unique_id: int = field(default_factory=lambda: uuid.uuid4().int % 2_000_000_000 + 1)
    # Files the charge point moved for the CSMS (firmware, diagnostics): evidence, not findings.
    transfers: list[TransferRecord] = field(default_factory=list)
    # Security whitepaper: the security profile the case started on, and the TLS facts of its
    # connections and probes.
    security_profile: int = 0
    tls: list[TlsRecord] = field(default_factory=list)
    # Deliberately broken frames sent (send_raw steps) and how the CSMS took them.
    raw: list[RawExchangeRecord] = field(default_factory=list)
    # The run's reconnect pacing (shared by its cases: a case's first connection waits too).
    pacer: ReconnectPacer = field(default_factory=ReconnectPacer)
    _subject: CaseSubject | None = None

    def __post_init__(self) -> None:
        # The charge point's own clock follows the run's clock (its offset while offline aside).
        self.cp.wall_clock = self.clock.utc_now

    @property
    def spec(self) -> str:
        return case_citation(self.case)

    # -- findings ----------------------------------------------------------------------------

    def add_finding(self, finding: Finding) -> None:
        finding = finding.at_step(self.step_path)
        if self.advisory and finding.severity is Severity.ERROR:
            # A check no edition lists: an advisory, or (--advisories-fail) an error that
            # cites the clause behind it.
            advisory = finding.as_advisory(self.advisory)
            if self.config.advisories_fail:
                advisory = replace(advisory, severity=Severity.ERROR)
            finding = advisory
        self.findings.append(finding)
        self.bus.emit(FindingRaised(self.case.id, finding))

    def error(
        self, rule: str, message: str, *, spec: str = "", frames: tuple[int, ...] = ()
    ) -> None:
        self.add_finding(Finding(rule, Severity.ERROR, message, spec or self.spec, frames))

    def warn(
        self, rule: str, message: str, *, spec: str = "", frames: tuple[int, ...] = ()
    ) -> None:
        self.add_finding(Finding(rule, Severity.WARNING, message, spec or self.spec, frames))

    # -- templating --------------------------------------------------------------------------

    def scope(self) -> Scope:
        data = self.pics.test_data
        base: dict[str, Any] = {name: getattr(data, name) for name in data.__dataclass_fields__}
        base["cp_id"] = self.cp.cp_id
        base["child_id_tag"] = data.child_id_tags[0] if data.child_id_tags else None
        base["unknown_connector_id"] = self.cp.number_of_connectors + 1
        base["unique_id"] = self.unique_id
        # Another fresh id, never {unique_id}: an identifier nothing of this case uses.
        base["other_unique_id"] = self.unique_id % 2_000_000_000 + 1
        # A vendorId the CSMS does not know: the PICS's, else one made up for the case.
        base["unknown_vendor_id"] = (
            data.unsupported_vendor_id or f"org.octt.unknown-vendor.{self.unique_id}"
        )
        now = self.cp.local_time(self.clock.utc_now())
        base["now"] = rfc3339(now)  # the charge point's clock, as it would stamp a message
        base.update(security.scope_values(self))
        base.update(self.variables)

        def now_plus(rest: str) -> Any:
            # {now_plus.3600}: an hour from now; {now_plus.-60}: a minute ago;
            # {now_plus.reservation_expiry_offset_s}: as many seconds as that value says.
            try:
                seconds = base.get(rest, rest)
                return rfc3339(now + timedelta(seconds=float(seconds)))
            except (TypeError, ValueError, OverflowError):
                raise KeyError(rest) from None

        def add(rest: str) -> Any:
            # {add.charging_profile_stack_level.1}: that value plus 1 (integers).
            name, _, amount = rest.rpartition(".")
            value = base.get(name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise KeyError(rest)
            try:
                return value + int(amount)
            except ValueError:
                raise KeyError(rest) from None

        def cp_namespace(rest: str) -> Any:
            prefix = "config."
            if rest.startswith(prefix) and self.cp.config.known(rest[len(prefix) :]):
                return self.cp.config.get(rest[len(prefix) :])
            if rest == "reserved_connector":
                # The connector the charge point holds (or held) for its latest reservation.
                latest = reservations.latest(self.cp)
                if latest is not None:
                    return latest.held_connector
            # {cp.certificate_hash_data.<type>.<algorithm>}, {cp.security_profile}
            return cp_security.lookup(self.cp, rest)

        def config_namespace(rest: str) -> Any:
            if rest == "operator_timeout_s":
                return self.operator_timeout_s
            if rest in self.config.settings():
                return self.config.settings()[rest]
            raise KeyError(rest)

        return Scope(
            base,
            {
                "pics": self.pics.lookup,
                "config": config_namespace,
                "cp": cp_namespace,
                "now_plus": now_plus,
                "add": add,
            },
        )

    def expectations_for(self, action: str) -> list[Mapping[str, Any]]:
        """The expect blocks that enclosing state steps add for `action` (outermost first)."""
        return [extra[action] for extra in self.state_expectations if action in extra]

    # -- connection --------------------------------------------------------------------------

    async def connect(
        self,
        *,
        password: str | None = None,
        subprotocols: tuple[str, ...] | None = None,
        security_profile: int | None = None,
        client_certificate: ClientCertificateChoice = ClientCertificateChoice.OWN,
    ) -> Link:
        """Connect as the charge point: with its current security profile and credentials
        unless the step names others (security whitepaper ed.3)."""
        profile = self.cp.security.profile if security_profile is None else security_profile
        try:
            options = security.transport_options_for(
                self.config,
                self.csms_url,
                self.cp,
                security_profile=profile,
                password=password,
                client_certificate=client_certificate,
                subprotocols=subprotocols,
            )
        except security.NoTestMaterial as exc:
            raise ToolError(str(exc)) from exc
        # A reconnect the scenario prescribes happens in simulated time (scaled); a case's first
        # connection after the previous case's close waits the full pause.
        scale = self.config.time_scale if self.link is not None else 1.0
        await self.pacer.wait(self.cp.cp_id, self.clock, scale=scale)
        connection = self.recorder.new_connection()
        encrypted = options.url.startswith("wss://")
        try:
            transport = await open_paced(
                options,
                self.clock,
                self.recorder,
                connection,
                first_pause_s=self.pacer.pause_s * scale,
                budget_s=self.config.connect_timeout_s,
            )
        except ConnectFailure as exc:
            event = self.recorder.event(connection, ConnectionEventKind.CONNECT_FAILED, exc.detail)
            tls_failed = exc.kind is ConnectFailureKind.TLS
            self.error(
                "transport.tls" if tls_failed else "transport.connect",
                exc.detail,
                spec=security.SPEC_PROFILES if tls_failed else SPEC_CONNECT,
                frames=(event.seq,),
            )
            if encrypted:
                self.tls.append(
                    security.tls_record(
                        purpose="connection",
                        step=self.step_path,
                        url=options.url,
                        security_profile=profile,
                        outcome=TlsOutcome.FAILED,
                        facts=None,
                        detail=exc.detail,
                        connection=connection,
                    )
                )
            raise CaseAborted from exc
        event = self.recorder.event(
            connection,
            ConnectionEventKind.OPEN,
            f"{options.url} subprotocol={transport.subprotocol or '-'}",
        )
        facts = transport.tls_facts
        if facts is not None:
            client = options.tls.client_certificate if options.tls is not None else None
            presented = f"; client certificate: {client.label}" if client is not None else ""
            self.tls.append(
                security.tls_record(
                    purpose="connection",
                    step=self.step_path,
                    url=options.url,
                    security_profile=profile,
                    outcome=TlsOutcome.ESTABLISHED,
                    facts=facts,
                    detail=f"{facts.version} {facts.cipher}{presented}",
                    connection=connection,
                )
            )
        if OCPP16 in options.subprotocols and transport.subprotocol != OCPP16:
            self.error(
                "transport.subprotocol",
                f"the CSMS accepted the WebSocket without agreeing to subprotocol {OCPP16}"
                f" (got {transport.subprotocol or 'none'})",
                spec=SPEC_SUBPROTOCOL,
                frames=(event.seq,),
            )
        session = Session(
            response_timeout_s=self.pics.limits.response_timeout_s,
            # Unique ids unique per run, as real charge points send them (UUIDs).
            id_factory=lambda: str(uuid.uuid4()),
        )
        link = Link(
            transport,
            connection=connection,
            recorder=self.recorder,
            validator=self.validator,
            session=session,
            clock=self.clock,
            dispatch=self.dispatch,
            on_finding=self.add_finding,
            limits=link_limits(self.config),
        )
        link.start()
        self.link = link
        self.pacer.remember(self.cp.cp_id, link)
        return link

    def require_link(self) -> Link:
        if self.link is None or self.link.closed.is_set():
            detail = self.link.close_detail if self.link else "no connection"
            self.error(
                "transport.closed",
                f"the connection to the CSMS is gone ({detail})",
                spec=SPEC_CONNECT,
            )
            raise CaseAborted
        return self.link

    def connection_lost(self, link: Link, during: str) -> None:
        """Report that the CSMS closed the connection (a CaseAborted follows)."""
        self.error(
            "transport.closed",
            f"the connection closed during {during} ({link.close_detail})",
            spec=SPEC_CONNECT,
        )

    # -- incoming CALLs --------------------------------------------------------------------

    def dispatch(self, incoming: IncomingCall) -> None:
        action = incoming.call.action
        if action in self.forbidden:
            self.error(
                "forbid." + action,
                f"the CSMS sent {action}, which it must not send at this point",
                frames=(incoming.frame,),
            )
        if self.awaited[action] > 0:
            self.inbox.append(incoming)
            self.inbox_changed.set()
            return
        for finding in incoming.findings:
            self.add_finding(finding)
        if action not in self.tolerated and action not in self.forbidden:
            self.unsolicited(incoming)
            return
        self.spawn(self.answer(incoming, None, None))

    def unsolicited(self, incoming: IncomingCall, note: str = "") -> None:
        """A CALL beside the script: judged (octt.engine.tolerance) before the simulated charge
        point answers and acts on it, as a real one would."""
        self.add_finding(self.beside_script(incoming, note))
        self.spawn(self._answer_beside(incoming))

    async def _answer_beside(self, incoming: IncomingCall) -> None:
        call, known = incoming.call, self.schemas.has_action(incoming.call.action)
        reply = responder.default_reply(self.cp, call.action, call.payload, known_action=known)
        await self.answer(incoming, None, None)
        if isinstance(reply, responder.ErrorReply):
            return
        wanted = beside.wants_message(call.action, call.payload, reply)
        if wanted and self.link is not None and self.callerror_for(incoming) is None:
            connector = call.payload.get("connectorId")
            await beside.send_triggered(self.link, self.cp, self.clock, wanted, connector)

    def beside_script(self, incoming: IncomingCall, note: str = "") -> Finding:
        """The tolerance policy's finding for a CALL beside the script (before it is answered:
        the judgement needs the charge point's state as the CALL found it)."""
        if self._subject is None:
            self._subject = case_subject(self.case, self.catalog)
        call = incoming.call
        finding = judge(
            call.action,
            call.payload,
            self.cp,
            self._subject,
            strict=self.config.strict_unexpected_calls,
            frames=(incoming.frame,),
        )
        if note:
            finding = replace(finding, message=f"{finding.message} ({note})")
        return replace(finding, spec=finding.spec or self.spec)

    def spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def callerror_for(self, incoming: IncomingCall) -> tuple[str, str] | None:
        """The CALLERROR a conformant receiver gives a schema-invalid request, if it is one."""
        call = incoming.call
        if not self.schemas.has_action(call.action):
            return None
        violations = self.schemas.request_errors(call.action, call.payload)
        if not violations:
            return None
        first = violations[0]
        code = _CALLERROR_FOR_KEYWORD.get(first.keyword, ErrorCode.PROPERTY_CONSTRAINT_VIOLATION)
        where = first.path or "payload"
        return code.value, f"{where}: {first.message}"[:255]

    async def answer(
        self,
        incoming: IncomingCall,
        override: dict[str, Any] | None,
        error: tuple[str, str] | None,
    ) -> int | None:
        """Answer an incoming CALL: schema-invalid → CALLERROR; else responder (+ override)."""
        link = self.link
        if link is None or link.closed.is_set():
            return None
        call = incoming.call
        invalid = self.callerror_for(incoming)
        if invalid is not None:
            return await link.reply_error(incoming, *invalid)
        if error is not None:
            return await link.reply_error(incoming, *error)
        reply = responder.default_reply(
            self.cp, call.action, call.payload, known_action=self.schemas.has_action(call.action)
        )
        if isinstance(reply, responder.ErrorReply):
            if not override:
                return await link.reply_error(incoming, reply.code.value, reply.description)
            reply = {}  # the step's reply is the whole answer
        if override:
            # A field the step's reply renders to null is left out (as in a send's payload).
            reply = {**reply, **override}
            reply = {k: v for k, v in reply.items() if v is not None}
        responder.commit(self.cp, call.action, call.payload, reply)
        return await link.reply(incoming, reply)

    # -- lifecycle ---------------------------------------------------------------------------

    async def finish(self) -> None:
        """Settle background work, answer leftovers, record operator outcomes, close."""
        for incoming in list(self.inbox):
            self.inbox.remove(incoming)
            with contextlib.suppress(Exception):
                await self.answer(incoming, None, None)
        if self.background:
            await asyncio.wait(list(self.background), timeout=3)
        for ticket in self.tickets:
            await self._settle_ticket(ticket)
        if self.link is not None:
            await self.link.close()

    async def _settle_ticket(self, ticket: OperatorTicket) -> None:
        task = ticket.task
        if not task.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait({task}, timeout=2)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            self.operator_records.append(
                OperatorRecord(ticket.request.action, "cancelled", "case ended first", 0.0)
            )
            return
        try:
            result = task.result()
        except Exception as exc:  # an operator must not raise; record it if it does
            self.operator_records.append(
                OperatorRecord(ticket.request.action, "error", repr(exc), 0.0)
            )
            return
        self.operator_records.append(
            OperatorRecord(
                ticket.request.action, result.outcome.value, result.detail, result.elapsed_s
            )
        )
