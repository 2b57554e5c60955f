"""Which CALL an expect_call step judges when the operator caused it, and operator actions that
never overlap."""

from __future__ import annotations

import asyncio
from typing import Any

from test_engine_context import attach_link, make_ctx, run, sent_frames, settle

from octt.catalog.model import ExpectCallStep, Location
from octt.engine.context import CaseContext, OperatorTicket
from octt.engine.link import IncomingCall
from octt.engine.solicited import (
    BEFORE_TRIGGER,
    CANDIDATE_GRACE_S,
    SUPERSEDED,
    CausedCall,
    wait_for_previous_triggers,
)
from octt.findings import Severity
from octt.ocppj.frames import Call
from octt.operator.base import OperatorOutcome, OperatorRequest, OperatorResult

STEP = ExpectCallStep(
    Location("T.yaml", 1),
    "",
    "",
    action="GetConfiguration",
    expect={"key": {"equals": ["HeartbeatInterval"]}},
)


def call(frame: int, payload: dict[str, Any], unique_id: str) -> IncomingCall:
    return IncomingCall(Call(unique_id, "GetConfiguration", payload), frame, ())


def ticket(ctx: CaseContext, fired_seq: int) -> OperatorTicket:
    request = OperatorRequest("CP", "GetConfiguration", {}, "", 5.0)
    never: asyncio.Future[OperatorResult] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(never)
    return OperatorTicket(request, task, asyncio.Event(), fired_seq=fired_seq)


def test_a_call_from_before_the_trigger_is_unsolicited_even_if_it_satisfies() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        caused = CausedCall(ctx, STEP, ticket(ctx, fired_seq=10))
        early = call(5, {"key": ["HeartbeatInterval"]}, "early")
        late = call(12, {"key": ["HeartbeatInterval"]}, "late")
        ctx.inbox.extend([early, late])
        assert caused.pick() is late
        await settle(ctx)
        [note] = ctx.findings
        assert note.severity is Severity.INFO and BEFORE_TRIGGER in note.message
        assert [f[1] for f in sent_frames(transport)] == ["early"]  # answered at once

    run(scenario)


def test_a_call_that_does_not_satisfy_gives_way_to_a_later_one_that_does() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        caused = CausedCall(ctx, STEP, ticket(ctx, fired_seq=1))
        poll = call(5, {}, "poll")
        ctx.inbox.append(poll)
        assert caused.pick() is None  # a candidate: wait for a better one
        assert caused.wake_in_s() == float("inf")  # as long as the operator is at it
        wanted = call(6, {"key": ["HeartbeatInterval"]}, "wanted")
        ctx.inbox.append(wanted)
        assert caused.pick() is wanted
        await settle(ctx)
        [note] = ctx.findings
        assert note.severity is Severity.INFO and SUPERSEDED in note.message
        assert caused.answered(poll) is False  # no longer a candidate: it was settled

    run(scenario)


def test_without_a_better_one_the_last_candidate_is_judged() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        caused = CausedCall(ctx, STEP, ticket(ctx, fired_seq=1))
        poll = call(5, {}, "poll")
        ctx.inbox.append(poll)
        assert caused.pick() is None
        assert caused.last_chance() is poll  # at the step's deadline
        assert caused.answered(poll)  # the step must not answer it twice
        assert ctx.findings == []

    run(scenario)


def test_once_the_operator_is_done_the_candidate_is_judged_after_a_grace() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        done = ticket(ctx, fired_seq=1)
        caused = CausedCall(ctx, STEP, done)
        poll = call(5, {}, "poll")
        ctx.inbox.append(poll)
        assert caused.pick() is None
        done.task.cancel()  # the operator's action is over (here: ended)
        await asyncio.sleep(0)
        assert caused.wake_in_s() == CANDIDATE_GRACE_S
        assert caused.pick() is None
        clock: Any = ctx.clock
        clock.now += CANDIDATE_GRACE_S
        assert caused.pick() is poll

    run(scenario)


def test_without_an_operator_the_first_call_is_judged() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        caused = CausedCall(ctx, STEP, None)
        first = call(5, {}, "first")
        ctx.inbox.extend([first, call(6, {"key": ["HeartbeatInterval"]}, "second")])
        assert caused.pick() is first

    run(scenario)


def test_the_next_operator_action_waits_for_the_previous_one_to_finish() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        gate: asyncio.Future[OperatorResult] = asyncio.get_running_loop().create_future()
        request = OperatorRequest("CP", "SendLocalList", {}, "", 5.0)
        previous = OperatorTicket(
            request, asyncio.ensure_future(gate), asyncio.Event(), consumed=True
        )
        ctx.tickets.append(previous)
        waiting = asyncio.ensure_future(wait_for_previous_triggers(ctx))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the CSMS has not finished the previous request
        gate.set_result(OperatorResult(OperatorOutcome.DONE, "answered", 0.1))
        await asyncio.wait_for(waiting, 1)

    run(scenario)
