"""The prompt operator in the page: the person at the CSMS's UI, told what to do in the browser.

Owns `BrowserOperator`, an implementation of the operator port (octt.operator.base). `act`
publishes a prompt on the live feed (the case it belongs to, the instruction, the OCPP action,
the charge point, the payload rows with a password masked as the terminal prompt masks it, and
the deadline) and ends as the terminal prompt does: DONE when the engine sets `arrived` (the
CSMS's CALL reached the charge point) or the person clicks "done", CANNOT when they click
"cannot" (with their reason), TIMED_OUT at the deadline. `provision` shows the test data to set
up and waits for "done" or "cannot". Answers come in through `answer(prompt_id, …)`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from octt.clock import Clock, SystemClock
from octt.console.live import LiveFeed
from octt.operator.base import (
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
)
from octt.operator.prompt import Answer, AnswerKind, payload_rows


class BrowserOperator:
    """Operator mode `prompt`, with the person answering in the console's page."""

    def __init__(
        self,
        feed: LiveFeed,
        clock: Clock | None = None,
        provision_timeout_s: float | None = None,
    ) -> None:
        self._feed = feed
        self._clock = clock or SystemClock()
        self._provision_timeout_s = provision_timeout_s
        self._ids = itertools.count(1)
        self._open: dict[int, asyncio.Future[Answer]] = {}

    @property
    def mode(self) -> str:
        return "prompt"

    @property
    def can_act(self) -> bool:
        return True

    @property
    def open_prompts(self) -> tuple[int, ...]:
        return tuple(self._open)

    def answer(self, prompt_id: int, answer: Answer) -> bool:
        """The person's answer to prompt `prompt_id`; False when that prompt is not open."""
        future = self._open.get(prompt_id)
        if future is None or future.done():
            return False
        future.set_result(answer)
        return True

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        prompt_id = next(self._ids)
        start = self._clock.monotonic()
        self._feed.publish(
            {
                "kind": "prompt",
                "id": prompt_id,
                "purpose": "act",
                "case": request.case_id,
                "case_title": request.case_title,
                "instruction": request.instruction,
                "action": request.action,
                "cp_id": request.cp_id,
                "rows": [list(row) for row in payload_rows(request.payload)],
                "timeout_s": request.timeout_s,
                "deadline_ms": _wall_ms() + request.timeout_s * 1000,
            }
        )
        answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._open[prompt_id] = answered
        arrival: asyncio.Future[Any] = asyncio.ensure_future(arrived.wait())
        result: OperatorResult | None = None
        try:
            waiters: set[asyncio.Future[Any]] = {answered, arrival}
            await asyncio.wait(
                waiters,
                timeout=request.timeout_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            elapsed = self._clock.monotonic() - start
            if arrived.is_set():
                result = OperatorResult(
                    OperatorOutcome.DONE,
                    f"received {request.action} from the CSMS after {elapsed:.1f} s",
                    elapsed,
                )
            elif answered.done():
                result = _answered(request.action, answered.result(), elapsed)
            else:
                result = OperatorResult(
                    OperatorOutcome.TIMED_OUT,
                    f"nobody answered within {request.timeout_s:g} s and the CSMS sent no"
                    f" {request.action}",
                    elapsed,
                )
            return result
        finally:
            arrival.cancel()
            self._open.pop(prompt_id, None)
            self._feed.publish(_closed(prompt_id, result))

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        prompt_id = next(self._ids)
        start = self._clock.monotonic()
        rows: list[list[str]] = [["charge point", request.cp_id]]
        rows += [
            ["idTag", f"{t.id_tag}  status {t.status}"]
            + ([f"parent {t.parent_id_tag}"] if t.parent_id_tag else [])
            for t in request.tokens
        ]
        if request.basic_auth_password is not None:
            rows.append(["password", "the Basic-auth password of the run configuration"])
        rows += [
            ["charge point", f"{c.cp_id} at security profile {c.security_profile}"]
            for c in request.charge_points
        ]
        rows += [["note", note] for note in request.notes]
        timeout = self._provision_timeout_s
        self._feed.publish(
            {
                "kind": "prompt",
                "id": prompt_id,
                "purpose": "provision",
                "case": "",
                "case_title": "",
                "instruction": "Set up this test data in the CSMS before the test cases run.",
                "action": "",
                "cp_id": request.cp_id,
                "rows": [[row[0], "  ".join(row[1:])] for row in rows],
                "timeout_s": timeout,
                "deadline_ms": None if timeout is None else _wall_ms() + timeout * 1000,
            }
        )
        answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._open[prompt_id] = answered
        result: OperatorResult | None = None
        try:
            try:
                answer = await asyncio.wait_for(asyncio.shield(answered), timeout)
            except TimeoutError:
                elapsed = self._clock.monotonic() - start
                result = OperatorResult(
                    OperatorOutcome.TIMED_OUT,
                    f"nobody confirmed the test data within {timeout:g} s",
                    elapsed,
                )
                return result
            elapsed = self._clock.monotonic() - start
            if answer.kind is AnswerKind.DONE:
                result = OperatorResult(
                    OperatorOutcome.DONE,
                    f"operator confirmed the test data for {request.cp_id} after {elapsed:.1f} s",
                    elapsed,
                )
            else:
                because = f": {answer.reason}" if answer.reason else ""
                result = OperatorResult(
                    OperatorOutcome.CANNOT,
                    f"operator cannot provision the test data for {request.cp_id}{because}",
                    elapsed,
                )
            return result
        finally:
            self._open.pop(prompt_id, None)
            self._feed.publish(_closed(prompt_id, result))

    async def aclose(self) -> None:
        for future in self._open.values():
            future.cancel()
        self._open.clear()


def _answered(action: str, answer: Answer, elapsed: float) -> OperatorResult:
    if answer.kind is AnswerKind.DONE:
        return OperatorResult(
            OperatorOutcome.DONE,
            f"operator reports {action} done after {elapsed:.1f} s",
            elapsed,
        )
    because = f": {answer.reason}" if answer.reason else ""
    return OperatorResult(
        OperatorOutcome.CANNOT, f"operator cannot make the CSMS send {action}{because}", elapsed
    )


def _closed(prompt_id: int, result: OperatorResult | None) -> dict[str, Any]:
    if result is None:  # cancelled: the run was stopped
        return {"kind": "prompt-closed", "id": prompt_id, "outcome": "cancelled", "detail": ""}
    return {
        "kind": "prompt-closed",
        "id": prompt_id,
        "outcome": result.outcome.value,
        "detail": result.detail,
    }


def _wall_ms() -> float:
    """Milliseconds since the epoch: the browser counts down to a deadline on its own clock."""
    return time.time() * 1000
