"""The step kinds: what each kind of test step does, through the case context.

`run_steps` walks a list of steps (applying the OCTT ordering tolerance when the run asks for
the swapped order), records each step with its frames and outcome, and dispatches on the kind.
Findings go to the context; `CaseAborted` stops the case when going on makes no sense
(no answer, connection gone, expected CALL never came).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from octt.catalog.model import (
    CheckStep,
    DisconnectStep,
    EachConnector,
    ExpectCallStep,
    ForbidStep,
    OperatorStep,
    ReconnectStep,
    SendRawStep,
    SendStep,
    SimulatedEvent,
    SimulateStep,
    StateStep,
    Step,
    WaitStep,
    describe_step,
    step_kind,
)
from octt.chargepoint import messages, reservations
from octt.clock import rfc3339
from octt.config import Ordering
from octt.engine import security, solicited, transfers
from octt.engine.checks import CHECKS
from octt.engine.clock_check import clock_findings
from octt.engine.context import (
    CaseAborted,
    CaseContext,
    CaseSkipped,
    OperatorTicket,
    QueuedSend,
    ToolError,
)
from octt.engine.link import Exchange, IncomingCall
from octt.engine.matchers import evaluate
from octt.engine.raw import send_raw as _send_raw_step
from octt.engine.templating import TemplateError, dotted_get, render
from octt.findings import Severity
from octt.operator.base import OperatorOutcome, OperatorRequest
from octt.result.events import StepStarted
from octt.result.model import ExchangeOutcome, ExchangeRecord, StepRecord, StepStatus

SPEC_RESPONSE = "OCPP-J 1.6 §4.1.1"


_UNSET = object()


async def run_state(
    ctx: CaseContext, name: str, prefix: str, step: StateStep | None = None
) -> None:
    """Run a reusable state: bind its parameters, add the step's expectations, run its
    before-states and steps, then unbind (saved variables stay)."""
    state = ctx.catalog.states[name]
    arguments = step.arguments if step is not None else {}
    scope = ctx.scope()
    values: dict[str, Any] = {}
    for param, default in state.parameters.items():
        if param not in arguments and ctx.parameters[param] == 0:
            values[param] = render(default, scope)
        # else: given by the step, or bound by an enclosing state (inherited)
    for param, value in arguments.items():
        values[param] = render(value, scope)
    previous = {param: ctx.variables.get(param, _UNSET) for param in values}
    ctx.variables.update(values)
    ctx.parameters.update(values.keys())
    expectations = step.expect if step is not None else {}
    if expectations:
        ctx.state_expectations.append(expectations)
    try:
        for before in state.before:
            await run_state(ctx, before, f"{prefix}before:{before}/")
        await run_steps(ctx, state.steps, prefix)
        for name, saved in (step.save if step is not None else {}).items():
            if saved in ctx.variables:
                ctx.variables[name] = ctx.variables[saved]
    finally:
        if expectations:
            ctx.state_expectations.pop()
        ctx.parameters.subtract(values.keys())
        for param, old in previous.items():
            if old is _UNSET:
                ctx.variables.pop(param, None)
            else:
                ctx.variables[param] = old


def _ordered(steps: Sequence[Step], ordering: Ordering) -> list[tuple[int, Step]]:
    indexed = list(enumerate(steps, start=1))
    if ordering is not Ordering.SWAPPED:
        return indexed
    i = 0
    while i < len(indexed) - 1:
        step = indexed[i][1]
        if isinstance(step, SendStep) and step.swappable_with_next:
            indexed[i], indexed[i + 1] = indexed[i + 1], indexed[i]
            i += 2
        else:
            i += 1
    return indexed


async def run_steps(ctx: CaseContext, steps: Sequence[Step], prefix: str = "") -> None:
    for number, step in _ordered(steps, ctx.config.ordering):
        path = f"{prefix}{number}"
        previous_advisory = ctx.advisory
        ctx.advisory = step.advisory or previous_advisory
        try:
            if isinstance(step, StateStep):
                if step.when and not _holds(ctx, step.when):
                    continue
                await run_state(ctx, step.name, f"{path}:{step.name}/", step)
                continue
            await _run_one(ctx, step, path)
        finally:
            ctx.advisory = previous_advisory


def _holds(ctx: CaseContext, when: Mapping[str, Any]) -> bool:
    """Whether the variables named in a state step's `when` match (as an expect block would)."""
    scope = ctx.scope()
    values: dict[str, Any] = {}
    for name in when:
        try:
            values[name] = scope.lookup(name)
        except TemplateError:
            continue  # an unknown variable: judged absent
    problems = evaluate("when", values, when, scope, rule_prefix="when", spec="", frames=())
    return not problems


async def _run_one(ctx: CaseContext, step: Step, path: str) -> None:
    previous_path = ctx.step_path
    ctx.step_path = path
    description = describe_step(step)
    ctx.bus.emit(StepStarted(ctx.case.id, path, description))
    before_findings = len(ctx.findings)
    first_seq = ctx.recorder.peek_next_seq()
    started_utc = rfc3339(ctx.clock.utc_now())
    started = ctx.clock.monotonic()
    status = StepStatus.OK
    detail = ""
    try:
        detail = await _execute(ctx, step)
        if detail == "queued":
            status = StepStatus.QUEUED
    except CaseAborted:
        status = StepStatus.ABORTED
        raise
    except CaseSkipped as skipped:
        status = StepStatus.ABORTED
        detail = str(skipped)
        raise
    except asyncio.CancelledError:
        status = StepStatus.ABORTED
        detail = "interrupted"
        raise
    finally:
        new = ctx.findings[before_findings:]
        if status is StepStatus.OK and any(f.severity is Severity.ERROR for f in new):
            status = StepStatus.FAILED
        elif status is StepStatus.OK and new:
            status = StepStatus.WARNED
        frames = tuple(range(first_seq, ctx.recorder.peek_next_seq()))
        ctx.steps.append(
            StepRecord(
                path=path,
                kind=step_kind(step),
                description=description,
                location=str(step.location),
                status=status,
                started_utc=started_utc,
                duration_s=ctx.clock.monotonic() - started,
                frames=frames,
                detail=detail,
            )
        )
        ctx.step_path = previous_path


async def _execute(ctx: CaseContext, step: Step) -> str:
    if isinstance(step, SendStep):
        return await _send(ctx, step)
    if isinstance(step, SendRawStep):
        return await _send_raw_step(ctx, step)
    if isinstance(step, ExpectCallStep):
        return await _expect_call(ctx, step)
    if isinstance(step, OperatorStep):
        return await _operator(ctx, step)
    if isinstance(step, ReconnectStep):
        return await _reconnect(ctx, step)
    if isinstance(step, ForbidStep):
        return await _forbid(ctx, step)
    if isinstance(step, CheckStep):
        return await _check(ctx, step)
    if isinstance(step, WaitStep):
        return await _wait(ctx, step)
    if isinstance(step, SimulateStep):
        return await _simulate(ctx, step)
    if isinstance(step, DisconnectStep):
        return await _disconnect(ctx)
    raise AssertionError(f"unhandled step {step!r}")


# -- send ------------------------------------------------------------------------------------


def _targets(ctx: CaseContext, step: SendStep) -> list[int | None]:
    connector = render(step.connector, ctx.scope()) if step.connector is not None else None
    if connector is not None and not isinstance(connector, int):
        raise ValueError(f"{step.location}: connector must be an integer, got {connector!r}")
    count = ctx.cp.number_of_connectors
    if step.each_connector is EachConnector.ALL:
        return list(range(1, count + 1))
    if step.each_connector is EachConnector.ALL_AND_ZERO:
        return list(range(0, count + 1))
    if step.each_connector is EachConnector.OTHERS:
        return [n for n in range(1, count + 1) if n != connector]
    return [connector]


async def _send(ctx: CaseContext, step: SendStep) -> str:
    # CALLs the CSMS sends in reaction: kept for their expect_call step (see _expect_call).
    for action in step.followed_by:
        ctx.awaited[action] += 1
        ctx.announced[action] += 1
    queued = False
    for connector in _targets(ctx, step):
        if ctx.cp.offline:
            if step.action not in messages.QUEUED_WHILE_OFFLINE:
                raise ValueError(
                    f"{step.location}: {step.action} cannot be sent while the charge point is"
                    " offline (only transaction messages are queued)"
                )
            ctx.offline_queue.append(
                QueuedSend(step, connector, ctx.cp.local_time(ctx.clock.utc_now()), ctx.step_path)
            )
            queued = True
            continue
        await send_message(ctx, step, connector, ctx.clock.utc_now())
    return "queued" if queued else ""


def _honour_reservation(ctx: CaseContext, payload: Mapping[str, Any]) -> None:
    """A reserved connector is not started for a driver the reservation does not cover
    (OCPP 1.6 §5.13); the scenario cannot go on, because of what the CSMS answered."""
    connector_id, id_tag = payload.get("connectorId"), payload.get("idTag")
    if not isinstance(connector_id, int) or not isinstance(id_tag, str):
        return
    held = reservations.outside(ctx.cp, connector_id, id_tag)
    if held is None:
        return
    parent = reservations.parent_of(ctx.cp, id_tag)
    ctx.error(
        "reservation.driver-not-covered",
        f"connector {connector_id} is reserved (reservation {held.reservation_id} for idTag"
        f" {held.id_tag!r}, parentIdTag {held.parent_id_tag!r}); the CSMS gave idTag {id_tag!r}"
        + (f" the parentIdTag {parent!r}" if parent else " no parentIdTag")
        + ", so the charge point does not start a transaction for it there",
        spec="OCPP 1.6 §5.13 (ReserveNow), §7.15 (IdTagInfo.parentIdTag)",
    )
    raise CaseAborted


async def send_message(
    ctx: CaseContext, step: SendStep, connector: int | None, moment: datetime
) -> None:
    scope = ctx.scope()
    overrides = render(dict(step.payload), scope)
    payload = messages.build_request(ctx.cp, step.action, connector, overrides, moment)
    if step.action == "StartTransaction":
        _honour_reservation(ctx, payload)
    link = ctx.require_link()
    messages.on_sent(ctx.cp, step.action, payload, moment)
    timeout = step.timeout_s
    exchange = await link.call(step.action, payload, timeout)
    _record_exchange(ctx, exchange)
    for finding in exchange.findings:
        ctx.add_finding(finding)
    what = f"{step.action}.conf"
    if exchange.outcome is ExchangeOutcome.CLOSED:
        ctx.connection_lost(link, f"{step.action}")
        raise CaseAborted
    if exchange.outcome is ExchangeOutcome.TIMEOUT:
        limit = timeout if timeout is not None else ctx.pics.limits.response_timeout_s
        ctx.error(
            "response.timeout",
            f"no answer to {step.action} within {limit:g} s (the PICS response timeout)",
            spec=SPEC_RESPONSE,
            frames=(exchange.request_frame,),
        )
        raise CaseAborted
    frames = (exchange.request_frame, exchange.response_frame or exchange.request_frame)
    if exchange.outcome is ExchangeOutcome.MALFORMED:
        return  # the malformed-frame finding is already recorded; there is nothing to judge
    if exchange.outcome is ExchangeOutcome.ERROR:
        assert exchange.error is not None
        ctx.error(
            "response.callerror",
            f"the CSMS answered {step.action} with CALLERROR {exchange.error.error_code}:"
            f" {exchange.error.error_description!r} instead of a {what}",
            spec="OCPP-J 1.6 §4.2.3",
            frames=frames,
        )
        return
    response = exchange.response or {}
    messages.on_answered(ctx.cp, step.action, payload, response)
    limit = ctx.pics.limits.max_time_deviation_s
    for finding in clock_findings(step.action, response, ctx.clock.utc_now(), limit, frames):
        ctx.add_finding(finding)
    for expectations in (step.expect, *ctx.expectations_for(step.action)):
        for finding in evaluate(
            what,
            response,
            expectations,
            scope,
            rule_prefix=f"expect.{step.action}",
            spec=ctx.spec,
            frames=frames,
        ):
            ctx.add_finding(finding)
    _save(ctx, step.save, response)


def _record_exchange(ctx: CaseContext, exchange: Exchange) -> None:
    response_s = exchange.response_ns / 1e9 if exchange.response_ns is not None else None
    ctx.exchanges.append(
        ExchangeRecord(
            action=exchange.action,
            outcome=exchange.outcome,
            request_frame=exchange.request_frame,
            response_frame=exchange.response_frame,
            response_s=response_s,
        )
    )


def _save(ctx: CaseContext, save: Mapping[str, str], payload: Mapping[str, Any]) -> None:
    for name, path in save.items():
        try:
            ctx.variables[name] = dotted_get(payload, path)
        except KeyError:
            ctx.variables.pop(name, None)


# -- operator / expect_call -----------------------------------------------------------------


async def _operator(ctx: CaseContext, step: OperatorStep) -> str:
    if not ctx.operator.can_act:
        raise CaseSkipped(
            f"operator mode {ctx.operator.mode!r}: nobody can make the CSMS send {step.action}"
        )
    scope = ctx.scope()
    # A field whose value renders to null is left out (an optional field a parameter omits),
    # also inside objects (a charging profile's transactionId).
    payload = _without_nulls(render(dict(step.payload), scope))
    request = OperatorRequest(
        cp_id=ctx.cp.cp_id,
        action=step.action,
        payload=payload,
        instruction=str(render(step.say, scope)),
        timeout_s=ctx.operator_timeout_s,
        case_id=ctx.case.id,
        case_title=ctx.case.title,
    )
    await solicited.wait_for_previous_triggers(ctx)
    arrived = asyncio.Event()
    fired_seq = ctx.recorder.peek_next_seq()
    task = asyncio.ensure_future(ctx.operator.act(request, arrived))
    ctx.tickets.append(OperatorTicket(request, task, arrived, fired_seq=fired_seq))
    ctx.awaited[step.action] += 1
    return ""


def _without_nulls(payload: Mapping[str, Any]) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return {k: clean(v) for k, v in payload.items() if v is not None}


def _ticket_for(ctx: CaseContext, action: str) -> OperatorTicket | None:
    for ticket in ctx.tickets:
        if ticket.request.action == action and not ticket.consumed:
            return ticket
    return None


async def _wait_for_call(
    ctx: CaseContext, step: ExpectCallStep, within_s: float, caused: solicited.CausedCall
) -> IncomingCall:
    deadline = ctx.clock.monotonic() + within_s
    ticket = caused.ticket
    link = ctx.require_link()
    while True:
        incoming = caused.pick()
        if incoming is not None:
            return incoming
        if ticket is not None and ticket.task.done() and not caused.candidates:
            _operator_gave_up(ctx, step, ticket)
        if link.closed.is_set():
            ctx.connection_lost(link, f"the wait for {step.action}")
            raise CaseAborted
        remaining = deadline - ctx.clock.monotonic()
        if remaining <= 0 and (incoming := caused.last_chance()) is not None:
            return incoming
        if remaining <= 0:
            hint = ""
            if ticket is not None and ticket.task.done():
                hint = f" (operator: {ticket.task.result().detail})"
            ctx.error(
                "expect.call-timeout",
                f"the CSMS did not send {step.action} within {within_s:g} s{hint}",
            )
            raise CaseAborted
        ctx.inbox_changed.clear()
        waiters: set[asyncio.Future[Any]] = {
            asyncio.ensure_future(ctx.inbox_changed.wait()),
            asyncio.ensure_future(link.closed.wait()),
        }
        if ticket is not None and not ticket.task.done():
            waiters.add(ticket.task)
        try:
            timeout = min(remaining, caused.wake_in_s())
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                if waiter is not (ticket.task if ticket else None):
                    waiter.cancel()


def _operator_gave_up(ctx: CaseContext, step: ExpectCallStep, ticket: OperatorTicket) -> None:
    result = ticket.task.result()
    if result.outcome is OperatorOutcome.CANNOT:
        raise CaseSkipped(skip_reason(step.action, result.detail))
    if result.outcome is OperatorOutcome.FAILED:
        raise ToolError(f"operator could not trigger {step.action}: {result.detail}")
    # DONE or TIMED_OUT: keep waiting for the CALL until the step's own deadline.


def skip_reason(action: str, detail: str) -> str:
    """Why a case is skipped when the operator could not make the CSMS send `action`: the
    operator's own words when they name the action ("operator cannot make the CSMS send Reset:
    …"), said once, otherwise with the action in front."""
    if action in detail:
        return detail
    return f"operator could not make the CSMS send {action}: {detail}"


async def _expect_call(ctx: CaseContext, step: ExpectCallStep) -> str:
    scope = ctx.scope()
    within = float(render(step.within_s, scope)) if step.within_s is not None else None
    within_s = within if within is not None else ctx.operator_timeout_s
    ctx.tolerated.update(step.tolerate)
    ctx.awaited[step.action] += 1
    caused = solicited.CausedCall(ctx, step, _ticket_for(ctx, step.action))
    try:
        incoming = await _wait_for_call(ctx, step, within_s, caused)
    finally:
        ctx.awaited[step.action] -= 1
        ctx.tolerated.difference_update(step.tolerate)
    ticket = _ticket_for(ctx, step.action)
    if ticket is not None:
        ticket.consumed = True
        ticket.arrived.set()
        ctx.awaited[step.action] -= 1
    if ctx.announced[step.action] > 0:  # a send step's followed_by
        ctx.announced[step.action] -= 1
        ctx.awaited[step.action] -= 1
    for finding in incoming.findings:
        ctx.add_finding(finding)
    request = incoming.call.payload
    for finding in solicited.judged_findings(ctx, step, incoming):
        ctx.add_finding(finding)
    _save(ctx, step.save, request)
    if caused.answered(incoming):
        return "answered before it was judged (a later CALL could have satisfied the step)"
    override = render(dict(step.reply), ctx.scope()) if step.reply is not None else None
    error = None
    if step.reply_error is not None:
        error = (step.reply_error["code"], step.reply_error.get("description", ""))
    await ctx.answer(incoming, override, error)
    return ""


# -- connection and time --------------------------------------------------------------------


async def _reconnect(ctx: CaseContext, step: ReconnectStep) -> str:
    if ctx.link is not None and not ctx.link.closed.is_set():
        await ctx.link.close()
    scope = ctx.scope()
    password = render(step.password, scope) if step.password is not None else None
    profile = render(step.security_profile, scope) if step.security_profile is not None else None
    if isinstance(profile, str) and profile.isdigit():
        profile = int(profile)  # {security_profile} is text, as ChangeConfiguration carries it
    if profile is not None and (not isinstance(profile, int) or not 0 <= profile <= 3):
        raise ValueError(f"{step.location}: security_profile must be 0..3, got {profile!r}")
    if step.refused:
        return await _reconnect_refused(ctx, step, password, profile)
    if not step.credentials:
        raise ValueError(f"{step.location}: a reconnect without credentials must be refused")
    await ctx.connect(
        password=password,
        subprotocols=step.subprotocols,
        security_profile=profile,
        client_certificate=step.client_certificate,
    )
    ctx.cp.come_online()
    tls = _tls_detail(ctx)
    queue, ctx.offline_queue = ctx.offline_queue, []
    for queued in queue:
        previous = ctx.step_path
        ctx.step_path = queued.path
        try:
            await send_message(ctx, queued.step, queued.connector, queued.local_time)
        finally:
            ctx.step_path = previous
    delivered = f"{len(queue)} queued message(s) delivered" if queue else ""
    return "; ".join(part for part in (tls, delivered) if part)


def _tls_detail(ctx: CaseContext) -> str:
    """The TLS of the connection the step just opened, for the step's detail (report.html)."""
    record = ctx.tls[-1] if ctx.tls else None
    if record is None or record.step != ctx.step_path or not record.server_certificates:
        return ""
    leaf = record.server_certificates[0]
    return (
        f"{record.version} {record.cipher}; server certificate CN {leaf.get('common_name')}"
        f" ({leaf.get('key_type')} {leaf.get('key_bits')} bits)"
    )


async def _reconnect_refused(
    ctx: CaseContext, step: ReconnectStep, password: str | None, profile: int | None
) -> str:
    """A connection the CSMS must refuse (security whitepaper ed.3; OCPP-J 1.6 §3.1.2)."""
    used = ctx.cp.security.profile if profile is None else profile
    try:
        options = security.transport_options_for(
            ctx.config,
            ctx.csms_url,
            ctx.cp,
            security_profile=used,
            password=password,
            with_credentials=step.credentials,
            client_certificate=step.client_certificate,
            subprotocols=step.subprotocols,
        )
    except security.NoTestMaterial as exc:
        ctx.warn(
            "security.not-checked",
            f"not checked: {exc}",
            spec=security.SPEC_PROFILES,
        )
        return "not checked (no test material)"
    return await security.connect_refused(ctx, options, used)


async def _disconnect(ctx: CaseContext) -> str:
    """The charge point closes its connection (e.g. before TC_085 to TC_087)."""
    if ctx.link is None or ctx.link.closed.is_set():
        return "no connection was open"
    await ctx.link.close()
    return "closed"


async def _forbid(ctx: CaseContext, step: ForbidStep) -> str:
    window = float(render(step.within_s, ctx.scope()))
    ctx.forbidden.update(step.actions)
    try:
        link = ctx.require_link()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(link.closed.wait(), timeout=window)
    finally:
        ctx.forbidden.difference_update(step.actions)
    return f"watched {window:g} s"


async def _check(ctx: CaseContext, step: CheckStep) -> str:
    helper = CHECKS[step.name]
    for finding in await helper(ctx, render(dict(step.args), ctx.scope())):
        ctx.add_finding(finding)
    return ""


async def _simulated_sleep(ctx: CaseContext, simulated_s: float) -> float:
    real = max(0.0, simulated_s * ctx.config.time_scale)
    await asyncio.sleep(real)
    return real


async def _wait(ctx: CaseContext, step: WaitStep) -> str:
    simulated = float(render(step.seconds, ctx.scope()))
    real = await _simulated_sleep(ctx, simulated)
    return f"{simulated:g} simulated s ({real:.3f} s real)"


async def _simulate(ctx: CaseContext, step: SimulateStep) -> str:
    scope = ctx.scope()
    if step.event is SimulatedEvent.POWER_LOSS:
        if ctx.link is not None:
            await ctx.link.abort("power loss (simulated)")
        ctx.cp.power_loss()
        return "power cut and restored"
    if step.event in (SimulatedEvent.CONNECTION_LOSS, SimulatedEvent.GO_OFFLINE):
        duration = float(render(step.duration_s, scope)) if step.duration_s is not None else 0.0
        if ctx.link is not None:
            await ctx.link.abort("network loss (simulated)")
        ctx.cp.go_offline(duration)
        return f"offline for {duration:g} simulated s"
    if step.event in transfers.TRANSFER_EVENTS:
        return await transfers.simulate_transfer(ctx, step)
    connector = render(step.connector, scope) if step.connector is not None else None
    if step.event is SimulatedEvent.RESERVATION_EXPIRY:
        limit = float(render(step.duration_s, scope)) if step.duration_s is not None else None
        return await _expire_reservation(ctx, step, connector, limit)
    connector_id = connector if isinstance(connector, int) else ctx.cp.default_connector_id
    timeout_s = ctx.cp.config.get_int("ConnectionTimeOut")
    real = await _simulated_sleep(ctx, timeout_s)
    ctx.cp.connection_timeout(connector_id)
    return f"ConnectionTimeOut {timeout_s} s expired ({real:.3f} s real)"


async def _expire_reservation(
    ctx: CaseContext, step: SimulateStep, connector: Any, limit_s: float | None
) -> str:
    """The driver never comes: the reservation (held on `connector`, else the one expiring
    first) reaches its expiryDate and ends (OCPP 1.6 §5.13). The wait is the time left until
    the expiryDate on the charge point's clock, in simulated seconds (so the run's time scale
    shortens it), at most `limit_s` simulated seconds."""
    reservation = reservations.due(ctx.cp, connector if isinstance(connector, int) else None)
    if reservation is None:
        raise ValueError(f"{step.location}: the charge point holds no reservation to expire")
    remaining = 0.0
    if reservation.expiry_date is not None:
        now = ctx.cp.local_time(ctx.clock.utc_now())
        remaining = max(0.0, (reservation.expiry_date - now).total_seconds())
    simulated = remaining if limit_s is None else min(remaining, limit_s)
    real = await _simulated_sleep(ctx, simulated)
    reservations.release(ctx.cp, reservation.reservation_id)
    capped = " (the step's limit; the expiryDate is later)" if simulated < remaining else ""
    return (
        f"reservation {reservation.reservation_id} expired after {simulated:g} simulated s"
        f" ({real:.3f} s real){capped}"
    )
