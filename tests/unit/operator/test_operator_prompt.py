"""PromptOperator: the dialogue, fed from io.StringIO, a pipe, a file or a blocking stream."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

import pytest
from rich.console import Console

from octt.operator.base import (
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
    TokenSpec,
)
from octt.operator.prompt import Answer, AnswerKind, PromptOperator, parse_answer, payload_rows

PASSWORD = "do-not-show-me-42"
WAIT_S = 5.0  # upper bound on any wait in these tests; they normally finish far sooner


class Screen(io.StringIO):
    """A console file a test can wait on: `await screen.shown("s left")`."""

    def __init__(self) -> None:
        super().__init__()
        self._waiters: list[tuple[str, asyncio.Event]] = []

    def write(self, text: str) -> int:
        written = super().write(text)
        self._wake()
        return written

    def _wake(self) -> None:
        value = self.getvalue()
        for needle, event in self._waiters:
            if needle in value:
                event.set()

    async def shown(self, needle: str) -> None:
        event = asyncio.Event()
        self._waiters.append((needle, event))
        self._wake()
        await asyncio.wait_for(event.wait(), WAIT_S)


def console(screen: Screen, *, terminal: bool = False) -> Console:
    return Console(
        file=screen,
        width=120,
        force_terminal=terminal,
        color_system="standard" if terminal else None,
        legacy_windows=False,
    )


@contextmanager
def pipe_input() -> Iterator[tuple[TextIO, int]]:
    """A text stream over a real pipe (so the operator uses loop.add_reader), and its write end."""
    read_fd, write_fd = os.pipe()
    stream = os.fdopen(read_fd, "r", encoding="utf-8")
    try:
        yield stream, write_fd
    finally:
        stream.close()
        with suppress(OSError):
            os.close(write_fd)


class BlockingStream:
    """A stream without a file descriptor whose readline blocks until a line is fed."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()

    def readline(self) -> str:
        return self.lines.get(timeout=WAIT_S)


def remote_start(timeout_s: float = 30.0) -> OperatorRequest:
    return OperatorRequest(
        cp_id="CP-PROMPT-1",
        action="RemoteStartTransaction",
        payload={"connectorId": 1, "idTag": "TAG-REMOTE"},
        instruction="In the CSMS UI, start a charging session remotely.",
        timeout_s=timeout_s,
    )


def provision_request() -> ProvisionRequest:
    return ProvisionRequest(
        cp_id="CP-PROMPT-1",
        tokens=(TokenSpec("TAG-OK", "Accepted"), TokenSpec("TAG-CHILD", "Blocked", "TAG-PARENT")),
        basic_auth_password=PASSWORD,
        notes=("Allow unknown charge points: off",),
    )


def act_with(text: str, request: OperatorRequest | None = None) -> tuple[OperatorResult, str]:
    screen = Screen()
    operator = PromptOperator(console(screen), io.StringIO(text))
    result = asyncio.run(operator.act(request or remote_start(), asyncio.Event()))
    return result, screen.getvalue()


def assert_no_reader(fd: int) -> None:
    """Nothing is left watching `fd` (remove_reader answers False when nothing was there)."""
    assert asyncio.get_running_loop().remove_reader(fd) is False


def assert_no_other_tasks() -> None:
    assert asyncio.all_tasks() == {asyncio.current_task()}


# -- answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("done", Answer(AnswerKind.DONE)),
        ("  DONE \n", Answer(AnswerKind.DONE)),
        ("done, it is sent", Answer(AnswerKind.DONE)),
        ("cannot", Answer(AnswerKind.CANNOT)),
        ("cannot no such button", Answer(AnswerKind.CANNOT, "no such button")),
        ("Cannot: not supported", Answer(AnswerKind.CANNOT, "not supported")),
        ("", None),
        ("d", None),
        ("doner", None),
        ("yes", None),
        ("can not", None),
    ],
)
def test_parse_answer(line: str, answer: Answer | None) -> None:
    assert parse_answer(line) == answer


def test_payload_rows_flatten_nested_fields_as_indented_rows() -> None:
    payload: dict[str, Any] = {
        "connectorId": 1,
        "csChargingProfiles": {"stackLevel": 0, "periods": [{"limit": 16.0}]},
        "flag": True,
        "none": None,
        "empty": [],
    }
    assert payload_rows(payload) == [
        ("connectorId", "1"),
        ("csChargingProfiles", ""),
        ("  stackLevel", "0"),
        ("  periods[0]", ""),
        ("    limit", "16.0"),
        ("flag", "true"),
        ("none", "null"),
        ("empty", "[]"),
    ]


def test_an_authorization_key_is_never_shown() -> None:
    rows = payload_rows({"key": "AuthorizationKey", "value": "41" * 20})
    assert rows == [
        ("key", "AuthorizationKey"),
        ("value", "(a new password, made by the CSMS, in hex)"),
    ]
    assert payload_rows({"key": "HeartbeatInterval", "value": "60"})[1] == ("value", "60")


def test_mode_and_can_act() -> None:
    operator = PromptOperator(console(Screen()), io.StringIO())
    assert operator.mode == "prompt"
    assert operator.can_act is True


# -- act, line by line (io.StringIO: the thread fallback) ----------------------------------------


def test_done_shows_the_request_and_finishes() -> None:
    result, shown = act_with("done\n")
    assert result.outcome is OperatorOutcome.DONE
    assert "RemoteStartTransaction" in result.detail
    assert result.elapsed_s >= 0
    for text in (
        "In the CSMS UI, start a charging session remotely.",
        "RemoteStartTransaction",
        "CP-PROMPT-1",
        "connectorId",
        "idTag",
        "TAG-REMOTE",
        "type done or cannot, then Enter",
        "waiting for the CSMS to send RemoteStartTransaction",
    ):
        assert text in shown
    # The countdown starts at the timeout (a loaded machine may draw it a second late).
    assert re.search(r"\b(30|29) s left", shown), shown


def test_the_panel_names_the_case() -> None:
    request = OperatorRequest(
        cp_id="CP-PROMPT-1",
        action="ClearCache",
        payload={},
        instruction="In the CSMS UI, clear the cache.",
        timeout_s=30.0,
        case_id="TC_061_CSMS",
        case_title="Clear Authorization Data in Authorization Cache",
    )
    _, shown = act_with("done\n", request)
    assert "Make the CSMS act — TC_061_CSMS" in shown
    assert re.search(
        r"test case\s+TC_061_CSMS  Clear Authorization Data in Authorization Cache", shown
    ), shown


@pytest.mark.parametrize("line", ["cannot no such button", "CANNOT: no such button"])
def test_cannot_with_a_reason(line: str) -> None:
    result, shown = act_with(line + "\n")
    assert result.outcome is OperatorOutcome.CANNOT
    assert result.detail.endswith("RemoteStartTransaction: no such button")
    assert "no such button" in shown


def test_cannot_without_a_reason() -> None:
    result, _ = act_with("cannot\n")
    assert result.outcome is OperatorOutcome.CANNOT
    assert result.detail == "operator cannot make the CSMS send RemoteStartTransaction"


def test_unknown_input_is_asked_again() -> None:
    result, shown = act_with("\nmaybe later\n   \nyes\ndone\n")
    assert result.outcome is OperatorOutcome.DONE
    assert "not understood: 'maybe later'" in shown
    assert "not understood: 'yes'" in shown
    assert shown.count("not understood") == 2  # empty lines are just asked again


def test_end_of_input_is_cannot_for_this_and_every_later_prompt() -> None:
    async def scenario() -> list[OperatorResult]:
        operator = PromptOperator(console(Screen()), io.StringIO("what\n"))
        return [
            await asyncio.wait_for(operator.act(remote_start(), asyncio.Event()), WAIT_S)
            for _ in range(2)
        ]

    for result in asyncio.run(scenario()):
        assert result.outcome is OperatorOutcome.CANNOT
        assert "EOF" in result.detail


def test_markup_in_the_instruction_is_shown_literally() -> None:
    request = OperatorRequest("CP-1", "Reset", {"type": "[Hard]"}, "Press [bold]Reset[/bold]", 9)
    result, shown = act_with("done\n", request)
    assert result.outcome is OperatorOutcome.DONE
    assert "Press [bold]Reset[/bold]" in shown
    assert "[Hard]" in shown


def test_a_regular_file_falls_back_to_the_thread_reader(tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("cannot from a file\n", encoding="utf-8")
    with answers.open(encoding="utf-8") as stream:
        operator = PromptOperator(console(Screen()), stream)
        result = asyncio.run(operator.act(remote_start(), asyncio.Event()))
    assert result.outcome is OperatorOutcome.CANNOT
    assert result.detail.endswith(": from a file")


# -- act over a real pipe (loop.add_reader) ------------------------------------------------------


def test_arrived_finishes_done_and_stops_reading() -> None:
    async def scenario() -> None:
        screen = Screen()
        with pipe_input() as (stream, _):
            operator = PromptOperator(console(screen), stream)
            arrived = asyncio.Event()
            task = asyncio.create_task(operator.act(remote_start(), arrived))
            await screen.shown("s left")
            arrived.set()
            result = await asyncio.wait_for(task, WAIT_S)
            assert_no_reader(stream.fileno())
            assert_no_other_tasks()
        assert result.outcome is OperatorOutcome.DONE
        assert result.detail.startswith("received RemoteStartTransaction")
        assert "received RemoteStartTransaction ✓ after" in screen.getvalue()

    asyncio.run(scenario())


def test_arrived_before_the_prompt_is_done_at_once() -> None:
    async def scenario() -> None:
        arrived = asyncio.Event()
        arrived.set()
        with pipe_input() as (stream, _):
            operator = PromptOperator(console(Screen()), stream)
            result = await asyncio.wait_for(operator.act(remote_start(), arrived), WAIT_S)
            assert_no_reader(stream.fileno())
        assert result.outcome is OperatorOutcome.DONE

    asyncio.run(scenario())


def test_typed_answer_through_a_pipe_in_pieces() -> None:
    async def scenario() -> None:
        screen = Screen()
        with pipe_input() as (stream, write_fd):
            operator = PromptOperator(console(screen), stream)
            task = asyncio.create_task(operator.act(remote_start(), asyncio.Event()))
            await screen.shown("s left")
            os.write(write_fd, b"cannot no ")
            os.write(write_fd, "button for that ✗\n".encode())
            result = await asyncio.wait_for(task, WAIT_S)
            assert_no_reader(stream.fileno())
        assert result.outcome is OperatorOutcome.CANNOT
        assert result.detail.endswith(": no button for that ✗")
        assert result.elapsed_s > 0

    asyncio.run(scenario())


def test_timeout_when_nobody_answers() -> None:
    async def scenario() -> None:
        screen = Screen()
        with pipe_input() as (stream, _):
            operator = PromptOperator(console(screen), stream)
            result = await asyncio.wait_for(
                operator.act(remote_start(timeout_s=0.3), asyncio.Event()), WAIT_S
            )
            assert_no_reader(stream.fileno())
            assert_no_other_tasks()
        assert result.outcome is OperatorOutcome.TIMED_OUT
        assert 0.3 <= result.elapsed_s < WAIT_S
        assert "0.3 s" in result.detail
        assert "time is up" in screen.getvalue()

    asyncio.run(scenario())


def test_cancellation_cleans_up_and_loses_no_input() -> None:
    async def scenario() -> None:
        screen = Screen()
        with pipe_input() as (stream, write_fd):
            operator = PromptOperator(console(screen), stream)
            task = asyncio.create_task(operator.act(remote_start(), asyncio.Event()))
            await screen.shown("s left")
            os.write(write_fd, b"do")  # half an answer, read before the cancellation
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert_no_reader(stream.fileno())
            assert_no_other_tasks()
            assert "prompt cancelled" in screen.getvalue()
            os.write(write_fd, b"ne\n")
            again = await asyncio.wait_for(operator.act(remote_start(), asyncio.Event()), WAIT_S)
            assert again.outcome is OperatorOutcome.DONE
            assert_no_reader(stream.fileno())

    asyncio.run(scenario())


def test_cancelling_a_blocked_thread_read_keeps_its_line_for_the_next_prompt() -> None:
    stream = BlockingStream()

    async def scenario() -> OperatorResult:
        screen = Screen()
        operator = PromptOperator(console(screen), stream)  # type: ignore[arg-type]
        task = asyncio.create_task(operator.act(remote_start(), asyncio.Event()))
        await screen.shown("s left")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert_no_other_tasks()
        stream.lines.put("done\n")  # answered by the read the first prompt started
        return await asyncio.wait_for(operator.act(remote_start(), asyncio.Event()), WAIT_S)

    assert asyncio.run(scenario()).outcome is OperatorOutcome.DONE


# -- what the countdown writes ------------------------------------------------------------------


def test_plain_output_prints_the_countdown_only_now_and_then() -> None:
    async def run(every_s: float, timeout_s: float) -> str:
        screen = Screen()
        with pipe_input() as (stream, _):
            operator = PromptOperator(console(screen), stream, plain_update_every_s=every_s)
            result = await operator.act(remote_start(timeout_s=timeout_s), asyncio.Event())
        assert result.outcome is OperatorOutcome.TIMED_OUT
        return screen.getvalue()

    quiet = asyncio.run(run(every_s=10.0, timeout_s=1.2))
    assert quiet.count("s left") == 1
    assert "\x1b" not in quiet
    frequent = asyncio.run(run(every_s=0.1, timeout_s=0.45))
    assert frequent.count("s left") >= 3


def test_terminal_output_redraws_the_countdown_in_place() -> None:
    async def scenario() -> str:
        screen = Screen()
        with pipe_input() as (stream, _):
            operator = PromptOperator(console(screen, terminal=True), stream)
            result = await operator.act(remote_start(timeout_s=1.5), asyncio.Event())
        assert result.outcome is OperatorOutcome.TIMED_OUT
        return screen.getvalue()

    shown = asyncio.run(scenario())
    assert "2 s left" in shown and "1 s left" in shown
    # Redraws go to the line above the input line and come back: save, up, erase ... restore.
    assert "\x1b7\x1b[1A\r\x1b[2K" in shown and "\x1b8" in shown
    lines_with_countdown = [line for line in shown.split("\n") if "s left" in line]
    assert len(lines_with_countdown) <= 2  # the first print, then in-place redraws only


# -- provision ----------------------------------------------------------------------------------


def provision_with(text: str) -> tuple[OperatorResult, str]:
    screen = Screen()
    operator = PromptOperator(console(screen), io.StringIO(text))
    result = asyncio.run(operator.provision(provision_request()))
    return result, screen.getvalue()


def test_provision_lists_the_test_data_but_not_the_password() -> None:
    result, shown = provision_with("done\n")
    assert result.outcome is OperatorOutcome.DONE
    assert "CP-PROMPT-1" in result.detail
    for text in (
        "CP-PROMPT-1",
        "TAG-OK",
        "Accepted",
        "TAG-CHILD",
        "Blocked",
        "parent TAG-PARENT",
        "a Basic-auth password is set",
        "Allow unknown charge points: off",
        "type done when it is provisioned, or cannot, then Enter",
    ):
        assert text in shown
    assert PASSWORD not in shown
    assert PASSWORD not in result.detail


def test_provision_cannot_with_reason_after_unknown_input() -> None:
    result, shown = provision_with("hm\ncannot no token UI\n")
    assert result.outcome is OperatorOutcome.CANNOT
    assert result.detail.endswith(": no token UI")
    assert "not understood: 'hm'" in shown


def test_provision_end_of_input_is_cannot() -> None:
    result, _ = provision_with("")
    assert result.outcome is OperatorOutcome.CANNOT
    assert "EOF" in result.detail


def test_provision_times_out_only_when_asked_to() -> None:
    async def scenario() -> None:
        with pipe_input() as (stream, _):
            operator = PromptOperator(console(Screen()), stream, provision_timeout_s=0.2)
            result = await asyncio.wait_for(operator.provision(provision_request()), WAIT_S)
            assert_no_reader(stream.fileno())
            assert_no_other_tasks()
        assert result.outcome is OperatorOutcome.TIMED_OUT
        assert result.elapsed_s >= 0.2

    asyncio.run(scenario())


def test_provision_without_timeout_waits_for_the_answer() -> None:
    async def scenario() -> None:
        screen = Screen()
        with pipe_input() as (stream, write_fd):
            operator = PromptOperator(console(screen), stream)
            task = asyncio.create_task(operator.provision(provision_request()))
            await screen.shown("then Enter")
            os.write(write_fd, b"done\n")
            result = await asyncio.wait_for(task, WAIT_S)
            assert_no_reader(stream.fileno())
        assert result.outcome is OperatorOutcome.DONE

    asyncio.run(scenario())
