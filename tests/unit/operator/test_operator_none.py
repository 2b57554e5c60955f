"""NoOperator: cannot act, assumes the test data is provisioned."""

from __future__ import annotations

import asyncio

from octt.operator.base import (
    OperatorOutcome,
    OperatorRequest,
    ProvisionRequest,
    TokenSpec,
)
from octt.operator.none import NoOperator


def test_mode_and_can_act() -> None:
    operator = NoOperator()
    assert operator.mode == "none"
    assert operator.can_act is False


def test_act_answers_cannot_at_once_even_when_never_arrived() -> None:
    request = OperatorRequest("CP-1", "RemoteStartTransaction", {"idTag": "T"}, "start", 30.0)

    async def scenario() -> None:
        operator = NoOperator()
        result = await asyncio.wait_for(operator.act(request, asyncio.Event()), 1.0)
        await operator.aclose()
        assert result.outcome is OperatorOutcome.CANNOT
        assert result.detail == (
            "operator mode 'none': nobody can make the CSMS send RemoteStartTransaction"
        )
        assert result.elapsed_s == 0.0
        assert result.response is None

    asyncio.run(scenario())


def test_provision_is_assumed_done_and_never_shows_the_password() -> None:
    request = ProvisionRequest(
        "CP-1",
        (TokenSpec("TAG-A", "Accepted"), TokenSpec("TAG-B", "Blocked", "TAG-A")),
        basic_auth_password="s3cret-pass",
    )
    result = asyncio.run(NoOperator().provision(request))
    assert result.outcome is OperatorOutcome.DONE
    assert "assumed provisioned" in result.detail
    assert "CP-1" in result.detail
    assert "s3cret-pass" not in result.detail
