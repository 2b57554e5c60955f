"""The operator port: the engine asks, an operator makes the CSMS act.

An `operator` step names the OCPP action the CSMS should send and the payload the test expects.
The engine starts `Operator.act` as a task and goes on to wait for the CALL itself; `arrived` is
set by the engine the moment the expected CALL reaches the charge point, so a prompt can stop
its countdown. `act` must never raise for a CSMS-side problem: it reports it in the result.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class OperatorOutcome(StrEnum):
    DONE = "done"  # the operator did it (or the trigger API accepted it)
    CANNOT = "cannot"  # the operator says the CSMS cannot do it (or there is no operator)
    FAILED = "failed"  # the trigger API refused or could not be reached
    TIMED_OUT = "timed-out"  # nobody answered the prompt in time


@dataclass(frozen=True)
class OperatorRequest:
    """Make the CSMS send `action` with (about) `payload` to charge point `cp_id`."""

    cp_id: str
    action: str
    payload: dict[str, Any]
    instruction: str
    timeout_s: float
    # The test case the request belongs to (shown with the prompt); empty when there is none.
    case_id: str = ""
    case_title: str = ""


@dataclass(frozen=True)
class TokenSpec:
    """An idTag the CSMS must hold with this status (Accepted, Blocked, Expired, Invalid)."""

    id_tag: str
    status: str
    parent_id_tag: str | None = None


@dataclass(frozen=True)
class ChargePointProvision:
    """A charge point identity the CSMS must hold at a security profile (security whitepaper
    ed.3), with its Basic-auth password for profiles 1 and 2."""

    cp_id: str
    security_profile: int
    basic_auth_password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ProvisionRequest:
    """Test data the CSMS operator provisions once, before the cases run."""

    cp_id: str
    tokens: tuple[TokenSpec, ...]
    basic_auth_password: str | None = field(default=None, repr=False)
    notes: tuple[str, ...] = field(default_factory=tuple)
    charge_points: tuple[ChargePointProvision, ...] = ()


@dataclass(frozen=True)
class OperatorResult:
    outcome: OperatorOutcome
    detail: str
    elapsed_s: float
    response: dict[str, Any] | None = None


class Operator(Protocol):
    @property
    def mode(self) -> str:
        """`prompt`, `none`, or the trigger API's base URL."""
        ...

    @property
    def can_act(self) -> bool:
        """False when no one can make the CSMS act (cases that need it are skipped)."""
        ...

    async def provision(self, request: ProvisionRequest) -> OperatorResult: ...

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult: ...

    async def aclose(self) -> None: ...
