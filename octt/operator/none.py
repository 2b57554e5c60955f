"""Operator mode `none`: nobody can make the CSMS act.

Owns `NoOperator`. Every `act` answers CANNOT at once, so the engine skips the cases that need
the CSMS to send something, with the reason in the detail. Test data is assumed to be
provisioned already (by whoever set up the CSMS), so `provision` answers DONE.
"""

from __future__ import annotations

import asyncio

from octt.operator.base import OperatorOutcome, OperatorRequest, OperatorResult, ProvisionRequest


class NoOperator:
    """An operator that cannot act."""

    @property
    def mode(self) -> str:
        return "none"

    @property
    def can_act(self) -> bool:
        return False

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        tokens = ", ".join(token.id_tag for token in request.tokens) or "none"
        return OperatorResult(
            outcome=OperatorOutcome.DONE,
            detail=(
                "operator mode 'none': the test data for charge point "
                f"{request.cp_id} (idTags: {tokens}) is assumed provisioned"
            ),
            elapsed_s=0.0,
        )

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        return OperatorResult(
            outcome=OperatorOutcome.CANNOT,
            detail=f"operator mode 'none': nobody can make the CSMS send {request.action}",
            elapsed_s=0.0,
        )

    async def aclose(self) -> None:
        return None
