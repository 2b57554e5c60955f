"""The runner: executes a run plan case by case and produces the run result.

For every applicable case it creates a fresh simulated charge point and connection, runs the
before-states and the steps, and turns findings into a verdict. "The CSMS failed" (error
findings → ``fail``) is kept apart from "the tool failed" (an exception → ``error``).

A run that is cancelled (Ctrl-C, SIGTERM) records the case it was in with verdict ``error``,
marked interrupted, in a last checkpoint before the cancellation goes on; the robustness cases
(`Profile.ROBUSTNESS`) are kept apart from the OCA cases in the result.
"""

from __future__ import annotations

import asyncio
import traceback
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from octt import __version__
from octt.catalog.expansion import expanded
from octt.catalog.model import Catalog, ReusableState, TestCase
from octt.catalog.selection import RunPlan, applicability
from octt.chargepoint.messages import BuildError
from octt.chargepoint.model import ChargePointState
from octt.clock import Clock, rfc3339
from octt.config import RunConfig
from octt.engine import security
from octt.engine.context import (
    CaseAborted,
    CaseContext,
    CaseSkipped,
    ToolError,
    transport_options,
)
from octt.engine.link import OwnMessageInvalid
from octt.engine.pacing import ReconnectPacer
from octt.engine.steps import run_state, run_steps
from octt.engine.templating import TemplateError
from octt.findings import Severity
from octt.operator.base import (
    ChargePointProvision,
    Operator,
    OperatorOutcome,
    ProvisionRequest,
    TokenSpec,
)
from octt.pics.model import TRIGGER_API, Pics, Profile, placeholders, with_placeholders
from octt.pki.layout import PkiFiles
from octt.record.model import ConnectionEventKind
from octt.record.trace import Recorder
from octt.result.coverage import OutsideCase, RunScope
from octt.result.events import (
    CaseFinished,
    CaseStarted,
    EventBus,
    Notice,
    RunCheckpoint,
    RunFinished,
    RunStarted,
)
from octt.result.model import (
    CaseResult,
    RunResult,
    Verdict,
    summarise_profile,
)
from octt.result.performance import performance
from octt.result.scope import run_verdict
from octt.transport.credentials import password_bytes
from octt.transport.websocket import ConnectFailure, ConnectFailureKind, WebSocketTransport
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

TOOL_NAME = "octt"
# A safety net on top of every step's own deadline: no case may run longer than this.
CASE_BUDGET_S = 900.0


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


class CsmsUnreachable(Exception):
    """The CSMS could not be reached at all (exit status 3)."""


@dataclass(frozen=True)
class RunSetup:
    config: RunConfig
    pics: Pics
    catalog: Catalog
    csms_url: str
    operator: Operator
    clock: Clock
    bus: EventBus
    recorder: Recorder
    schemas: SchemaSet

    @property
    def cp_id(self) -> str:
        return self.config.cp_id or self.pics.test_data.charge_point_id


class Runner:
    def __init__(self, setup: RunSetup, run_id: str | None = None) -> None:
        self._setup = setup
        self._validator = FrameValidator(setup.schemas)
        self._operator_timeout_s = setup.config.effective_operator_timeout_s(setup.operator.mode)
        self.run_id = run_id or new_run_id()
        self._started_at = rfc3339(setup.clock.utc_now())
        self._results: list[CaseResult] = []
        self._robustness: list[CaseResult] = []
        self._plan: RunPlan | None = None
        self._scope: RunScope | None = None
        # The Basic-auth password each charge point identity holds now: a case that changes
        # the AuthorizationKey (TC_073) leaves the new one to the cases after it, as a real
        # charge point keeps it.
        self._passwords: dict[str, bytes] = {}
        self._pacer = ReconnectPacer(setup.config.reconnect_pause_s)

    # -- the run ---------------------------------------------------------------------------

    async def run(self, plan: RunPlan) -> RunResult:
        setup = self._setup
        self._plan = plan
        self._scope = self._scope_of(plan)
        setup.bus.emit(
            RunStarted(plan, setup.csms_url, setup.operator.mode, setup.config.edition.value)
        )
        self._fill_pics_placeholders(plan)
        await self.probe()
        # result.json exists from here on, even if the run is stopped before a case ends.
        setup.bus.emit(RunCheckpoint(self.result(interrupted=True)))
        if any(e.applicable for e in plan.entries):
            await self._provision()
        total = len(plan.entries)
        for index, entry in enumerate(plan.entries, start=1):
            case = entry.case
            setup.bus.emit(CaseStarted(case.id, case.title, index, total))
            if not entry.applicable:
                result = CaseResult(
                    case.id,
                    case.title,
                    case.profile.value,
                    Verdict.NOT_APPLICABLE,
                    entry.reason,
                    location=str(case.location),
                )
            elif entry.not_run:
                # Missing PICS test data is octt's configuration gap, not the CSMS's failure.
                result = CaseResult(
                    case.id,
                    case.title,
                    case.profile.value,
                    Verdict.NOT_RUN,
                    entry.not_run_reason,
                    location=str(case.location),
                    missing_test_data=entry.missing,
                )
            elif case.needs_operator and not setup.operator.can_act:
                result = CaseResult(
                    case.id,
                    case.title,
                    case.profile.value,
                    Verdict.SKIPPED,
                    f"needs the CSMS to act, and operator mode is {setup.operator.mode!r}",
                    location=str(case.location),
                )
            else:
                result = await self.run_case(case)
            if case.profile is Profile.ROBUSTNESS:
                self._robustness.append(result)
            else:
                self._results.append(result)
            setup.bus.emit(CaseFinished(result, index, total))
            setup.bus.emit(RunCheckpoint(self.result(interrupted=True)))
            if result.interrupted:
                raise asyncio.CancelledError  # the run was stopped: go on stopping
        final = self.result(interrupted=False)
        setup.bus.emit(RunFinished(final))
        return final

    def _fill_pics_placeholders(self, plan: RunPlan) -> None:
        """`{trigger_api}` in the PICS test data is the base URL of the operator's trigger API
        (the reference CSMS serves its firmware and takes diagnostics uploads there). A value
        left unfilled is a notice when an applicable case of the plan uses it."""
        setup = self._setup
        mode = setup.operator.mode
        values = {TRIGGER_API: mode} if mode.startswith(("http://", "https://")) else {}
        if setup.config.pki_dir is not None:
            # {pki.<name>}: certificates (and the firmware signature) of the run's test PKI.
            values.update(PkiFiles(setup.config.pki_dir).placeholder_values())
        self._setup = replace(setup, pics=with_placeholders(setup.pics, values))
        used = _mentioned(plan, setup.catalog)
        for name, names in placeholders(self._setup.pics).items():
            if "{" + name + "}" not in used:
                continue
            unknown = ", ".join("{" + n + "}" for n in sorted(names))
            setup.bus.emit(
                Notice(
                    f"PICS test_data.{name} refers to {unknown}, which this run cannot fill in"
                    " ({trigger_api} needs an http(s) --operator, {pki.<name>} a pki_dir);"
                    " it is used as written"
                )
            )

    async def probe(self) -> None:
        """Open and close one connection; CsmsUnreachable when nothing answers at all."""
        setup = self._setup
        options = transport_options(setup.config, setup.csms_url, setup.cp_id)
        connection = setup.recorder.new_connection()
        try:
            transport = await WebSocketTransport.open(options, setup.clock)
        except ConnectFailure as exc:
            setup.recorder.event(connection, ConnectionEventKind.CONNECT_FAILED, exc.detail)
            if exc.kind in (
                ConnectFailureKind.REFUSED,
                ConnectFailureKind.TIMEOUT,
                ConnectFailureKind.INVALID_URL,
            ):
                raise CsmsUnreachable(exc.detail) from exc
            setup.bus.emit(Notice(f"reachability probe: {exc.detail}"))
            return
        setup.recorder.event(connection, ConnectionEventKind.OPEN, "reachability probe")
        await transport.close()
        self._pacer.closed(setup.cp_id, setup.clock.monotonic())
        setup.recorder.event(connection, ConnectionEventKind.CLOSE, "reachability probe done")

    async def _provision(self) -> None:
        setup = self._setup
        data = setup.pics.test_data
        tokens = [TokenSpec(data.valid_id_tag, "Accepted")]
        if data.expired_id_tag:
            tokens.append(TokenSpec(data.expired_id_tag, "Expired"))
        if data.blocked_id_tag:
            tokens.append(TokenSpec(data.blocked_id_tag, "Blocked"))
        if data.parent_id_tag:
            tokens.append(TokenSpec(data.parent_id_tag, "Accepted"))
            tokens.extend(TokenSpec(c, "Accepted", data.parent_id_tag) for c in data.child_id_tags)
        if data.local_list_id_tag:
            tokens.append(TokenSpec(data.local_list_id_tag, "Accepted"))
        notes = [f"{data.invalid_id_tag} must be unknown to the CSMS (answered Invalid)"]
        if data.unsupported_vendor_id:
            notes.append(f"DataTransfer vendorId {data.unsupported_vendor_id} must be unsupported")
        # Security whitepaper: every identity the security cases connect as, at its profile.
        charge_points = tuple(
            ChargePointProvision(
                identity.cp_id,
                identity.security_profile,
                setup.config.basic_auth_password
                if identity.security_profile in security.BASIC_AUTH_PROFILES
                else None,
            )
            for identity in security.identities(self._plan or RunPlan(()), setup.pics, setup.config)
            if identity.cp_id != self._setup.cp_id or identity.security_profile
        )
        request = ProvisionRequest(
            cp_id=self._setup.cp_id,
            tokens=tuple(tokens),
            basic_auth_password=setup.config.basic_auth_password
            if setup.config.security_profile in security.BASIC_AUTH_PROFILES
            else None,
            notes=tuple(notes),
            charge_points=charge_points,
        )
        result = await setup.operator.provision(request)
        if result.outcome is not OperatorOutcome.DONE:
            setup.bus.emit(
                Notice(f"test data provisioning: {result.outcome.value}: {result.detail}")
            )

    # -- one case --------------------------------------------------------------------------

    def _context(self, case: TestCase) -> CaseContext:
        setup = self._setup
        data = setup.pics.test_data
        profile = security.case_security_profile(case, setup.pics, setup.config)
        cp = ChargePointState.create(
            security.case_cp_id(case, setup.pics, setup.config, profile),
            data.charge_point_vendor,
            data.charge_point_model,
            data.number_of_connectors,
            default_id_tag=data.valid_id_tag,
            default_connector_id=data.connector_id,
        )
        # What the charge point keeps across reboots: its profile, password and certificate.
        cp.security.profile = profile
        configured = setup.config.basic_auth_password
        if profile in security.BASIC_AUTH_PROFILES:  # profiles 1 and 2 authenticate with it
            cp.security.password = self._passwords.get(cp.cp_id) or (
                password_bytes(configured) if configured else None
            )
        cp.security.client_certificate = security.configured_client_certificate(setup.config)
        cp.security.cpo_name = data.cpo_name or ""
        return CaseContext(
            case=case,
            catalog=setup.catalog,
            pics=setup.pics,
            config=setup.config,
            csms_url=setup.csms_url,
            operator=setup.operator,
            operator_timeout_s=self._operator_timeout_s,
            clock=setup.clock,
            recorder=setup.recorder,
            validator=self._validator,
            schemas=setup.schemas,
            bus=setup.bus,
            cp=cp,
            security_profile=profile,
            pacer=self._pacer,
        )

    async def run_case(self, case: TestCase) -> CaseResult:
        ctx = self._context(case)
        self._setup.recorder.case_id = case.id
        started_utc = rfc3339(self._setup.clock.utc_now())
        started = self._setup.clock.monotonic()
        skipped: str | None = None
        tool_error: str | None = None
        interrupted = False
        try:
            await asyncio.wait_for(self._execute(ctx), timeout=CASE_BUDGET_S)
        except asyncio.CancelledError:
            # Ctrl-C or SIGTERM: finish the case's bookkeeping, report it as interrupted; the
            # caller (`run`) goes on with the cancellation once the case is recorded.
            interrupted = True
        except CaseAborted:
            pass
        except CaseSkipped as exc:
            skipped = str(exc)
        except TimeoutError:
            tool_error = f"the case exceeded its time budget of {CASE_BUDGET_S:g} s"
        except (ToolError, OwnMessageInvalid, BuildError, TemplateError, ValueError) as exc:
            tool_error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # a bug in octt: report it as the tool's failure
            tool_error = (
                "internal error: "
                + "".join(traceback.format_exception_only(type(exc), exc)).strip()
            )
        finally:
            try:
                await ctx.finish()
            finally:
                self._setup.recorder.case_id = ""
        if ctx.cp.security.password is not None:
            self._passwords[ctx.cp.cp_id] = ctx.cp.security.password
        verdict, reason = _verdict(ctx, skipped, tool_error)
        if interrupted:
            verdict = Verdict.ERROR
            at = f" at step {ctx.steps[-1].path}" if ctx.steps else ""
            found = len(ctx.findings)
            reason = f"interrupted: the run was stopped while this case ran{at}" + (
                f" ({found} finding(s) until then: {reason})" if found else ""
            )
        return CaseResult(
            id=case.id,
            title=case.title,
            profile=case.profile.value,
            verdict=verdict,
            reason=reason,
            duration_s=self._setup.clock.monotonic() - started,
            started_at=started_utc,
            findings=tuple(ctx.findings),
            steps=tuple(ctx.steps),
            exchanges=tuple(ctx.exchanges),
            operator=tuple(ctx.operator_records),
            location=str(case.location),
            transfers=tuple(ctx.transfers),
            raw=tuple(ctx.raw),
            interrupted=interrupted,
            security_profile=ctx.security_profile if case.profile is Profile.SECURITY else None,
            tls=tuple(ctx.tls),
        )

    async def _execute(self, ctx: CaseContext) -> None:
        await ctx.connect()
        for name in ctx.case.before:
            await run_state(ctx, name, f"before:{name}/")
        await run_steps(ctx, ctx.case.steps)
        link = ctx.link
        if link is not None and link.closed.is_set() and not link.closed_by_us:
            ctx.connection_lost(link, "the case")

    # -- the result ------------------------------------------------------------------------

    def result(self, *, interrupted: bool) -> RunResult:
        setup = self._setup
        cases = tuple(self._results)
        planned: Sequence[Profile] = []
        if self._plan is not None:
            planned = list(dict.fromkeys(e.case.profile for e in self._plan.entries))
        oca = [p for p in planned if p is not Profile.ROBUSTNESS]
        profiles = tuple(
            summarise_profile(p.value, [c for c in cases if c.profile == p.value]) for p in oca
        )
        exchanges = [e for c in cases for e in c.exchanges]
        limits = setup.pics.limits
        measured = performance(
            exchanges,
            response_limit_s=limits.response_timeout_s,
            authorize_limit_s=limits.authorize_response_s,
        )
        # The verdict is the OCA cases' (the certificate's) within the PICS limits; robustness
        # has its own. Only a run of robustness cases alone takes the robustness verdict.
        judged = cases if oca or not self._robustness else ()
        verdict = run_verdict(judged, self._robustness, measured, interrupted=interrupted)
        return RunResult(
            run_id=self.run_id,
            tool_name=TOOL_NAME,
            tool_version=__version__,
            started_at=self._started_at,
            finished_at=rfc3339(setup.clock.utc_now()),
            sut=dict(setup.pics.raw.get("sut", {})),
            csms_url=setup.csms_url,
            security_profile=setup.config.security_profile,
            verdict=verdict,
            profiles=profiles,
            cases=cases,
            performance=measured,
            schemas={
                "source": setup.schemas.source,
                "sha256": setup.schemas.sha256,
                "files": dict(setup.schemas.manifest),
            },
            pics=dict(setup.pics.raw),
            settings={
                **setup.config.settings(),
                "operator": setup.operator.mode,
                "operator_timeout_s": self._operator_timeout_s,
                "cp_id": self._setup.cp_id,
            },
            interrupted=interrupted,
            lab=setup.config.lab,
            robustness=tuple(self._robustness),
            scope=self._scope,
        )

    def _scope_of(self, plan: RunPlan) -> RunScope:
        """The run's selection and the OCA cases it leaves out, each with whether the PICS
        makes it mandatory (octt.result.scope decides from this what the documents claim)."""
        config, pics = self._setup.config, self._setup.pics
        planned = {e.case.id for e in plan.entries}
        outside = []
        for case in self._setup.catalog.cases:
            if case.profile is Profile.ROBUSTNESS or case.id in planned:
                continue
            mandatory, reason = applicability(case, pics)
            outside.append(OutsideCase(case.id, case.profile.value, case.title, mandatory, reason))
        return RunScope(
            profiles=tuple(p.value for p in config.profiles or ()),
            tests=tuple(config.test_ids or ()),
            outside=tuple(outside),
        )


def _mentioned(plan: RunPlan, catalog: Catalog) -> str:
    """Every string the applicable cases of `plan` (and the states they run) contain, joined:
    enough to tell whether a `{placeholder}` is used."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for item in expanded((entry.case for entry in plan.applicable), catalog):
        if isinstance(item, ReusableState):
            walk(dict(item.parameters))
        else:
            walk([getattr(item, f.name) for f in fields(item)])
    return "\n".join(texts)


def _verdict(ctx: CaseContext, skipped: str | None, tool_error: str | None) -> tuple[Verdict, str]:
    errors = [f for f in ctx.findings if f.severity is Severity.ERROR]
    if errors:
        reason = errors[0].message
        if len(errors) > 1:
            reason += f" (+{len(errors) - 1} more)"
        if tool_error:
            reason += f"; then the case stopped: {tool_error}"
        return Verdict.FAIL, reason
    if skipped is not None:
        return Verdict.SKIPPED, skipped
    if tool_error is not None:
        return Verdict.ERROR, tool_error
    warnings = [f for f in ctx.findings if f.severity is Severity.WARNING]
    if warnings:
        return Verdict.PASS, f"passed with {len(warnings)} warning(s): {warnings[0].message}"
    return Verdict.PASS, ""
