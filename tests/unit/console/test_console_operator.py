"""BrowserOperator: the prompt in the page ends as the terminal prompt does."""

from __future__ import annotations

import asyncio
from typing import Any

from octt.console.live import LiveFeed
from octt.console.operator import BrowserOperator
from octt.operator.base import OperatorOutcome, OperatorRequest, ProvisionRequest, TokenSpec
from octt.operator.prompt import Answer, AnswerKind

WAIT_S = 5.0


def request(timeout_s: float = 30.0) -> OperatorRequest:
    return OperatorRequest(
        cp_id="CP-1",
        action="ChangeConfiguration",
        payload={"key": "AuthorizationKey", "value": "41" * 20},
        instruction="Set the AuthorizationKey.",
        timeout_s=timeout_s,
        case_id="TC_073_CSMS",
        case_title="Update Charge Point Password",
    )


async def prompted(feed: LiveFeed) -> dict[str, Any]:
    async for message in feed.follow():
        assert message is not None
        if message["kind"] == "prompt":
            return message
    raise AssertionError("no prompt")


def test_the_prompt_names_the_case_masks_the_password_and_takes_a_done() -> None:
    async def scenario() -> tuple[Any, dict[str, Any], list[Any]]:
        feed = LiveFeed()
        operator = BrowserOperator(feed)
        task = asyncio.create_task(operator.act(request(), asyncio.Event()))
        prompt = await asyncio.wait_for(prompted(feed), WAIT_S)
        assert operator.answer(prompt["id"], Answer(AnswerKind.DONE))
        result = await asyncio.wait_for(task, WAIT_S)
        assert not operator.answer(prompt["id"], Answer(AnswerKind.DONE))  # closed now
        return result, prompt, list(feed.messages)

    result, prompt, messages = asyncio.run(scenario())
    assert result.outcome is OperatorOutcome.DONE
    assert result.detail.startswith("operator reports ChangeConfiguration done")
    assert (prompt["case"], prompt["case_title"]) == ("TC_073_CSMS", "Update Charge Point Password")
    assert ["value", "(a new password, made by the CSMS, in hex)"] in prompt["rows"]
    assert "41" * 20 not in str(messages)
    assert messages[-1]["kind"] == "prompt-closed"
    assert messages[-1]["outcome"] == "done"


def test_cannot_with_a_reason_says_the_action_once() -> None:
    async def scenario() -> Any:
        feed = LiveFeed()
        operator = BrowserOperator(feed)
        task = asyncio.create_task(operator.act(request(), asyncio.Event()))
        prompt = await asyncio.wait_for(prompted(feed), WAIT_S)
        operator.answer(prompt["id"], Answer(AnswerKind.CANNOT, "no such button"))
        return await asyncio.wait_for(task, WAIT_S)

    result = asyncio.run(scenario())
    assert result.outcome is OperatorOutcome.CANNOT
    assert result.detail == "operator cannot make the CSMS send ChangeConfiguration: no such button"


def test_the_call_arriving_ends_the_prompt_and_the_deadline_times_it_out() -> None:
    async def scenario() -> tuple[Any, Any]:
        feed = LiveFeed()
        operator = BrowserOperator(feed)
        arrived = asyncio.Event()
        task = asyncio.create_task(operator.act(request(), arrived))
        await asyncio.wait_for(prompted(feed), WAIT_S)
        arrived.set()
        noticed = await asyncio.wait_for(task, WAIT_S)
        timed_out = await asyncio.wait_for(
            operator.act(request(timeout_s=0.01), asyncio.Event()), WAIT_S
        )
        return noticed, timed_out

    noticed, timed_out = asyncio.run(scenario())
    assert noticed.outcome is OperatorOutcome.DONE
    assert noticed.detail.startswith("received ChangeConfiguration from the CSMS")
    assert timed_out.outcome is OperatorOutcome.TIMED_OUT


def test_provisioning_lists_the_test_data_and_never_the_password() -> None:
    provision = ProvisionRequest(
        cp_id="CP-1",
        tokens=(TokenSpec("TAG-1", "Accepted"), TokenSpec("TAG-2", "Blocked", "TAG-P")),
        basic_auth_password="secret-password-9",
    )

    async def scenario() -> tuple[Any, dict[str, Any], Any]:
        feed = LiveFeed()
        operator = BrowserOperator(feed)
        task = asyncio.create_task(operator.provision(provision))
        prompt = await asyncio.wait_for(prompted(feed), WAIT_S)
        operator.answer(prompt["id"], Answer(AnswerKind.CANNOT, "read-only CSMS"))
        result = await asyncio.wait_for(task, WAIT_S)
        late = await asyncio.wait_for(
            BrowserOperator(LiveFeed(), provision_timeout_s=0.01).provision(provision), WAIT_S
        )
        return result, prompt, late

    result, prompt, late = asyncio.run(scenario())
    assert result.outcome is OperatorOutcome.CANNOT
    assert result.detail.endswith(": read-only CSMS")
    assert ["idTag", "TAG-2  status Blocked  parent TAG-P"] in prompt["rows"]
    assert "secret-password-9" not in str(prompt)
    assert late.outcome is OperatorOutcome.TIMED_OUT
