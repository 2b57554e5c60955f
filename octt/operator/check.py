"""`octt operator check`: can the operator make the CSMS send each action the PICS needs?

Owns the check itself: which CSMS-initiated actions the claimed profiles' cases ask the
operator for (`needed_actions`), and `check_operator`, which connects one simulated charge
point, boots it, then asks the operator for each action once with a harmless request
(`octt.operator.harmless`) and watches for the CALL: did it arrive, how long it took, and what
went wrong (the operator's own failure, no CALL in time, a CALL that breaks its OCPP 1.6
schema). The charge point answers every CALL at once, refusing where it may.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from octt.catalog.model import Catalog, OperatorStep, StateStep, Step
from octt.catalog.selection import RunPlan
from octt.clock import SystemClock
from octt.ocppj.frames import Call, CallError, CallResult, parse
from octt.operator.base import Operator, OperatorOutcome, OperatorRequest, OperatorResult
from octt.operator.harmless import harmless
from octt.transport.websocket import TransportClosed, TransportOptions, WebSocketTransport
from octt.validation.schemas import SchemaSet


def _operator_actions(steps: Sequence[Step], before: Iterable[str], catalog: Catalog) -> list[str]:
    found: list[str] = [s.action for s in steps if isinstance(s, OperatorStep)]
    names = [*before, *(s.name for s in steps if isinstance(s, StateStep))]
    for name in names:
        state = catalog.states.get(name)
        if state is not None:
            found += _operator_actions(state.steps, state.before, catalog)
    return found


def needed_actions(catalog: Catalog, plan: RunPlan) -> tuple[str, ...]:
    """The actions the applicable cases ask the operator for, in catalog order, once each."""
    found: dict[str, None] = {}
    for entry in plan.entries:
        if entry.applicable:
            for action in _operator_actions(entry.case.steps, entry.case.before, catalog):
                found.setdefault(action)
    return tuple(found)


@dataclass(frozen=True)
class ActionCheck:
    """What came of asking for one action."""

    action: str
    arrived: bool
    elapsed_s: float
    problem: str = ""  # empty: it works

    @property
    def works(self) -> bool:
        return self.arrived and not self.problem


class ChargePointGone(Exception):
    """The CSMS could not be reached or dropped the charge point."""


class _ChargePoint:
    """A minimal simulated charge point: sends CALLs, answers CALLs, keeps the ones asked for."""

    def __init__(self, transport: WebSocketTransport) -> None:
        self.transport = transport
        self.calls: asyncio.Queue[Call] = asyncio.Queue()
        self.answers: dict[str, asyncio.Future[Any]] = {}
        self.replies: dict[str, dict[str, Any]] = {}
        self.closed = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())
        self._next = 0

    async def _read(self) -> None:
        try:
            while True:
                text, _ = await self.transport.recv()
                frame = parse(text if isinstance(text, str) else text.decode("utf-8", "replace"))
                if isinstance(frame, Call):
                    reply = self.replies.get(frame.action)
                    answer: CallResult | CallError = (
                        CallResult(frame.unique_id, reply)
                        if reply is not None
                        else CallError(frame.unique_id, "NotSupported", "not now", {})
                    )
                    await self.transport.send(answer.to_text())
                    self.calls.put_nowait(frame)
                elif isinstance(frame, CallResult | CallError):
                    future = self.answers.pop(frame.unique_id, None)
                    if future is not None and not future.done():
                        future.set_result(frame)
        except (TransportClosed, OSError):
            pass
        finally:
            self.closed.set()

    async def call(self, action: str, payload: dict[str, Any], timeout_s: float) -> Any:
        self._next += 1
        unique_id = f"check-{self._next}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.answers[unique_id] = future
        await self.transport.send(Call(unique_id, action, payload).to_text())
        try:
            return await asyncio.wait_for(future, timeout_s)
        except TimeoutError as exc:
            raise ChargePointGone(
                f"the CSMS did not answer {action} within {timeout_s:g} s"
            ) from exc

    async def close(self) -> None:
        self._reader.cancel()
        await self.transport.close()


async def check_operator(
    options: TransportOptions,
    operator: Operator,
    actions: Sequence[str],
    test_data: Mapping[str, Any],
    *,
    timeout_s: float,
    vendor: str = "octt",
    model: str = "octt-sim",
) -> list[ActionCheck]:
    """Ask `operator` for each action once; ChargePointGone when the CSMS cannot be reached."""
    try:
        transport = await WebSocketTransport.open(options, SystemClock())
    except Exception as exc:
        raise ChargePointGone(str(exc)) from exc
    cp = _ChargePoint(transport)
    schemas = SchemaSet.load()
    try:
        boot = await cp.call(
            "BootNotification", {"chargePointVendor": vendor, "chargePointModel": model}, timeout_s
        )
        if not isinstance(boot, CallResult) or boot.payload.get("status") != "Accepted":
            raise ChargePointGone(f"the CSMS did not accept the BootNotification: {boot}")
        return [
            await _check_one(cp, operator, options.cp_id, action, test_data, timeout_s, schemas)
            for action in actions
        ]
    finally:
        await cp.close()


async def _check_one(
    cp: _ChargePoint,
    operator: Operator,
    cp_id: str,
    action: str,
    test_data: Mapping[str, Any],
    timeout_s: float,
    schemas: SchemaSet,
) -> ActionCheck:
    request = harmless(action, test_data)
    if request is None:
        return ActionCheck(action, False, 0.0, "octt has no harmless request for this action")
    cp.replies[action] = request.reply
    while not cp.calls.empty():  # CALLs nobody asked for are not this action's
        cp.calls.get_nowait()
    arrived = asyncio.Event()
    start = time.monotonic()
    asked = OperatorRequest(
        cp_id, action, request.payload, f"octt operator check: make the CSMS send {action}",
        timeout_s, case_id="operator-check",
    )  # fmt: skip
    task = asyncio.ensure_future(operator.act(asked, arrived))
    deadline = start + timeout_s
    call: Call | None = None
    try:
        while call is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or cp.closed.is_set():
                break
            getter = asyncio.ensure_future(cp.calls.get())
            waiters: set[asyncio.Future[Any]] = {getter, asyncio.ensure_future(cp.closed.wait())}
            if not task.done():
                waiters.add(task)
            done, _ = await asyncio.wait(
                waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waiters - {task}:
                waiter.cancel()
            if getter in done and getter.result().action == action:
                call = getter.result()
                arrived.set()
            elif task.done() and task.result().outcome is not OperatorOutcome.DONE:
                break
        elapsed = time.monotonic() - start
        result = await _outcome(task, timeout_s if call is None else 1.0)
    finally:
        if not task.done():
            task.cancel()
    if call is None:
        why = "the charge point lost its connection" if cp.closed.is_set() else ""
        if result is not None and result.outcome is not OperatorOutcome.DONE:
            why = f"operator {result.outcome.value}: {result.detail}"
        return ActionCheck(action, False, elapsed, why or f"no {action} within {timeout_s:g} s")
    errors = schemas.request_errors(action, call.payload)
    if errors:
        first = errors[0]
        where = f"{first.path}: " if first.path else ""
        return ActionCheck(
            action, True, elapsed, f"not a valid {action}.req: {where}{first.message}"
        )
    return ActionCheck(action, True, elapsed)


async def _outcome(task: asyncio.Future[OperatorResult], wait_s: float) -> OperatorResult | None:
    """The operator's result, if it comes within `wait_s`."""
    try:
        return await asyncio.wait_for(asyncio.shield(task), wait_s)
    except TimeoutError:
        return None
