"""Operator mode `prompt`: a person at the CSMS's UI, told what to do in the terminal.

Owns `PromptOperator` and its terminal dialogue:

- `act` shows a panel naming the test case, with the instruction, the OCPP action, the charge
  point and the payload fields, then a countdown with the hint "type done or cannot, then
  Enter". It ends DONE when the engine sets `arrived` (the CSMS's CALL reached the charge point)
  or when the person types `done`, CANNOT when they type `cannot [reason]` (or the input
  ends), TIMED_OUT at the deadline.
- `provision` lists the test data to set up in the CSMS (never the password itself) and waits
  for `done` or `cannot`.

Input is read without blocking the event loop (octt.operator.line_input). On a terminal the
countdown is redrawn in place, on the line above the typing, while octt edits the typed line
itself (octt.operator.line_editor) and so knows how many rows a long answer wraps onto: typing
is never erased. On anything else a countdown line is printed only every `plain_update_every_s`
seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from octt.clock import Clock, SystemClock
from octt.operator.base import OperatorOutcome, OperatorRequest, OperatorResult, ProvisionRequest
from octt.operator.line_editor import InputArea
from octt.operator.line_input import LineReader

if sys.platform != "win32":
    pass

HINT = "type done or cannot, then Enter"
PROVISION_HINT = "type done when it is provisioned, or cannot, then Enter"

# DEC save cursor, cursor up one line, carriage return, erase line / DEC restore cursor.
_TO_LINE_ABOVE = "\x1b7\x1b[1A\r\x1b[2K"
_BACK_TO_INPUT = "\x1b8"
_CLEAR_LINE = "\r\x1b[2K"


class AnswerKind(StrEnum):
    DONE = "done"
    CANNOT = "cannot"


@dataclass(frozen=True)
class Answer:
    """What the person typed, understood: `done`, or `cannot` with an optional reason."""

    kind: AnswerKind
    reason: str = ""


_ANSWER = re.compile(r"^(done|cannot)\b[\s:;,.\-–—]*(.*)$", re.IGNORECASE | re.DOTALL)


def parse_answer(line: str) -> Answer | None:
    """`done` / `cannot [reason]` (any case, reason after a space or colon); None otherwise."""
    match = _ANSWER.match(line.strip())
    if match is None:
        return None
    kind = AnswerKind(match.group(1).lower())
    reason = match.group(2).strip() if kind is AnswerKind.CANNOT else ""
    return Answer(kind, reason)


def payload_rows(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The payload as (field, value) rows; nested objects as indented rows under their name.

    `{"connectorId": 1, "csChargingProfiles": {"stackLevel": 0}}` gives `("connectorId", "1")`,
    `("csChargingProfiles", "")`, `("  stackLevel", "0")`; list items are named `field[i]`.
    """
    rows: list[tuple[str, str]] = []

    def walk(name: str, value: Any, depth: int) -> None:
        label = "  " * depth + name
        if isinstance(value, dict) and value:
            rows.append((label, ""))
            for key, item in value.items():
                walk(str(key), item, depth + 1)
        elif isinstance(value, list) and value:
            for index, item in enumerate(value):
                walk(f"{name}[{index}]", item, depth)
        else:
            rows.append((label, _scalar(value)))

    for key, value in payload.items():
        if key == "value" and payload.get("key") == "AuthorizationKey":
            # A password (security whitepaper A01): the CSMS makes its own; never on screen.
            rows.append(("value", "(a new password, made by the CSMS, in hex)"))
            continue
        walk(str(key), value, 0)
    return rows


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return str(value)


class _Countdown:
    """The countdown line: redrawn in place on a terminal, an occasional line elsewhere."""

    def __init__(self, console: Console, live: bool, plain_every_s: float, hint: str) -> None:
        self._console = console
        self._live = live
        self._plain_every_s = plain_every_s
        self._hint = hint
        self._shown: int | None = None
        self._last_plain: float | None = None
        self._on_input_line = False
        # Set while octt edits the typing itself (a terminal in keystroke mode): then it knows
        # how many rows the typing takes, and the countdown above it is redrawn there.
        self.area: InputArea | None = None

    def typed(self, text: str) -> None:
        """The typing changed (keystroke mode): show it."""
        if self.area is not None and self._on_input_line:
            self._raw(self.area.redraw(text))

    def _text(self, seconds: int) -> Text:
        text = Text.assemble((f"{seconds} s left", "bold yellow"), " — ", (self._hint, "dim"))
        text.truncate(max(self._console.width - 1, 10), overflow="ellipsis")
        return text

    def _raw(self, control: str) -> None:
        self._console.file.write(control)
        self._console.file.flush()

    def start(self, remaining: float, now: float) -> None:
        """Print the countdown line (and, on a terminal, the input line below it)."""
        seconds = max(math.ceil(remaining), 0)
        self._shown = seconds
        self._last_plain = now
        self._console.print(self._text(seconds), soft_wrap=True)
        if self._live:
            self._console.print("> ", end="", style="bold")
            self._on_input_line = True
            if self.area is not None:
                self.area.shown = ""

    def tick(self, remaining: float, now: float) -> None:
        seconds = max(math.ceil(remaining), 0)
        if self._live and self._on_input_line and seconds != self._shown:
            self._shown = seconds
            before, after = self.area.above() if self.area else (_TO_LINE_ABOVE, _BACK_TO_INPUT)
            self._raw(before)
            self._console.print(self._text(seconds), end="", soft_wrap=True)
            self._raw(after)
        elif not self._live and (
            self._last_plain is None or now - self._last_plain >= self._plain_every_s - 1e-3
        ):
            self._shown = seconds
            self._last_plain = now
            self._console.print(self._text(seconds), soft_wrap=True)

    def next_wait(self, remaining: float, now: float) -> float:
        """Seconds until the countdown needs attention (a redraw, a plain line or the deadline)."""
        if self._live:
            wait = remaining - (math.ceil(remaining) - 1)
        else:
            last = self._last_plain if self._last_plain is not None else now
            wait = last + self._plain_every_s - now
        return max(min(wait, remaining), 0.01)

    def line_entered(self, line: str, echoed: bool) -> None:
        """The person pressed Enter: the cursor is on a fresh line (echo it when no tty did)."""
        if self._live and self.area is not None:
            self._raw("\n")  # the typing is on the screen already; Enter was not echoed
            self.area.shown = ""
            self._on_input_line = False
            return
        if self._live and echoed:
            self._on_input_line = False
            return
        if self._live:
            self._raw(line + "\n")
        else:
            self._console.print(Text("> " + line))
        self._on_input_line = False

    def leave(self, final: Text) -> None:
        """Stop: on a terminal, `final` replaces the countdown line and the unanswered input
        line is cleared (the cursor stays at its start); elsewhere `final` is printed."""
        if self._live and self._on_input_line:
            before, after = (
                self.area.leave() if self.area else (_TO_LINE_ABOVE, _BACK_TO_INPUT + _CLEAR_LINE)
            )
            self._raw(before)
            self._console.print(final, end="", soft_wrap=True)
            self._raw(after)
            self._on_input_line = False
        else:
            self._console.print(final, soft_wrap=True)


async def _cancel_all(*tasks: asyncio.Task[Any] | None) -> None:
    live = [task for task in tasks if task is not None]
    for task in live:
        task.cancel()
    if live:
        await asyncio.wait(live)


class PromptOperator:
    """A person at the CSMS's UI, asked in the terminal to make the CSMS act."""

    def __init__(
        self,
        console: Console,
        input_stream: TextIO,
        *,
        provision_timeout_s: float | None = None,
        plain_update_every_s: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self._console = console
        self._reader = LineReader(input_stream)
        self._provision_timeout_s = provision_timeout_s
        self._plain_every_s = plain_update_every_s
        self._clock: Clock = clock if clock is not None else SystemClock()

    @property
    def mode(self) -> str:
        return "prompt"

    @property
    def can_act(self) -> bool:
        return True

    @property
    def _live(self) -> bool:
        return self._console.is_terminal and not self._console.is_dumb_terminal

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        start = self._clock.monotonic()
        deadline = start + request.timeout_s
        self._console.print(self._act_panel(request))
        self._reader.discard_typeahead()
        countdown = _Countdown(self._console, self._live, self._plain_every_s, HINT)
        if arrived.is_set():
            return self._received(request, countdown, start)
        terminal = contextlib.ExitStack()
        if self._live and terminal.enter_context(self._reader.editing(countdown.typed)):
            countdown.area = InputArea(self._console.width)
        countdown.start(deadline - start, start)
        finished = False
        arrived_task: asyncio.Task[Any] = asyncio.create_task(arrived.wait())
        read_task: asyncio.Task[str | None] | None = None
        try:
            while True:
                now = self._clock.monotonic()
                remaining = deadline - now
                if remaining <= 0:
                    finished = True
                    return self._timed_out(request, countdown, now - start)
                countdown.tick(remaining, now)
                if read_task is None:
                    read_task = asyncio.create_task(self._reader.readline())
                waiting: set[asyncio.Task[Any]] = {arrived_task}
                if read_task is not None:
                    waiting.add(read_task)
                done, _ = await asyncio.wait(
                    waiting,
                    timeout=countdown.next_wait(remaining, now),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if arrived_task in done:
                    finished = True
                    return self._received(request, countdown, start)
                if read_task is None or read_task not in done:
                    continue
                line = read_task.result()
                read_task = None
                elapsed = self._clock.monotonic() - start
                if line is None:
                    finished = True
                    countdown.leave(Text("input ended before an answer", style="red"))
                    return OperatorResult(
                        OperatorOutcome.CANNOT,
                        f"operator input ended (EOF) before an answer about {request.action}",
                        elapsed,
                    )
                countdown.line_entered(line, echoed=self._reader.is_tty)
                answer = parse_answer(line)
                if answer is None:
                    self._reask(line)
                    countdown.start(deadline - self._clock.monotonic(), self._clock.monotonic())
                    continue
                finished = True
                return self._answered(request, answer, elapsed)
        finally:
            await _cancel_all(read_task, arrived_task)
            if not finished:  # cancelled: leave the terminal tidy
                countdown.leave(Text("prompt cancelled", style="dim"))
            terminal.close()  # the terminal edits lines itself again

    def _reask(self, line: str) -> None:
        if line.strip():
            shown = Text.assemble(
                "not understood: ", (repr(line.strip()), "bold"), f" — {HINT}", style="red"
            )
            self._console.print(shown, soft_wrap=True)

    def _received(
        self, request: OperatorRequest, countdown: _Countdown, start: float
    ) -> OperatorResult:
        elapsed = self._clock.monotonic() - start
        message = Text.assemble(
            ("received ", "green"),
            (request.action, "bold green"),
            (" ✓", "bold green"),
            f" after {elapsed:.1f} s",
        )
        countdown.leave(message)
        self._reader.discard_typeahead()
        return OperatorResult(
            OperatorOutcome.DONE,
            f"received {request.action} from the CSMS after {elapsed:.1f} s",
            elapsed,
        )

    def _timed_out(
        self, request: OperatorRequest, countdown: _Countdown, elapsed: float
    ) -> OperatorResult:
        countdown.leave(
            Text(
                f"time is up: no answer and no {request.action} within {request.timeout_s:g} s",
                style="bold red",
            )
        )
        self._reader.discard_typeahead()
        return OperatorResult(
            OperatorOutcome.TIMED_OUT,
            f"nobody answered within {request.timeout_s:g} s and the CSMS sent no {request.action}",
            elapsed,
        )

    def _answered(self, request: OperatorRequest, answer: Answer, elapsed: float) -> OperatorResult:
        if answer.kind is AnswerKind.DONE:
            self._console.print(
                Text.assemble(
                    ("done", "bold green"),
                    f" after {elapsed:.1f} s — waiting for the CSMS to send {request.action}",
                ),
                soft_wrap=True,
            )
            return OperatorResult(
                OperatorOutcome.DONE,
                f"operator reports {request.action} done after {elapsed:.1f} s",
                elapsed,
            )
        because = f": {answer.reason}" if answer.reason else ""
        self._console.print(
            Text.assemble(("cannot", "bold red"), f" — {request.action} skipped{because}"),
            soft_wrap=True,
        )
        return OperatorResult(
            OperatorOutcome.CANNOT,
            f"operator cannot make the CSMS send {request.action}{because}",
            elapsed,
        )

    def _act_panel(self, request: OperatorRequest) -> Panel:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        if request.case_id:
            case = Text(request.case_id, style="bold")
            if request.case_title:
                case.append(f"  {request.case_title}", style="")
            grid.add_row("test case", case)
        grid.add_row("action", Text(request.action, style="bold cyan"))
        grid.add_row("charge point", Text(request.cp_id, style="bold"))
        rows = payload_rows(request.payload)
        if rows:
            for key, value in rows:
                grid.add_row(Text(key, style="cyan"), Text(value))
        else:
            grid.add_row(Text("payload", style="cyan"), Text("(no fields)", style="dim"))
        grid.add_row("time limit", Text(f"{request.timeout_s:g} s", style="dim"))
        return Panel(
            Group(Text(request.instruction), Text(""), grid),
            title=Text.assemble(
                ("Make the CSMS act", "bold"),
                f" — {request.case_id}" if request.case_id else "",
            ),
            title_align="left",
            border_style="yellow",
            expand=False,
        )

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        start = self._clock.monotonic()
        self._console.print(self._provision_panel(request))
        self._reader.discard_typeahead()
        self._console.print(Text(PROVISION_HINT, style="dim"))
        deadline = None if self._provision_timeout_s is None else start + self._provision_timeout_s
        while True:
            if self._live:
                self._console.print("> ", end="", style="bold")
            timeout = None if deadline is None else deadline - self._clock.monotonic()
            line: str | None = None
            timed_out = False
            if timeout is not None and timeout <= 0:
                timed_out = True
            else:
                try:
                    line = await asyncio.wait_for(self._reader.readline(), timeout)
                except TimeoutError:
                    timed_out = True
            elapsed = self._clock.monotonic() - start
            if timed_out:
                if self._live:
                    self._console.print()
                self._console.print(Text("time is up: no answer", style="bold red"))
                return OperatorResult(
                    OperatorOutcome.TIMED_OUT,
                    f"nobody confirmed the test data within {self._provision_timeout_s:g} s",
                    elapsed,
                )
            if line is None:
                if self._live:
                    self._console.print()
                return OperatorResult(
                    OperatorOutcome.CANNOT,
                    "operator input ended (EOF) before the test data was confirmed",
                    elapsed,
                )
            if not self._live or not self._reader.is_tty:
                self._console.print(Text(("" if self._live else "> ") + line))
            answer = parse_answer(line)
            if answer is None:
                self._reask(line)
                continue
            if answer.kind is AnswerKind.DONE:
                return OperatorResult(
                    OperatorOutcome.DONE,
                    f"operator confirmed the test data for {request.cp_id} after {elapsed:.1f} s",
                    elapsed,
                )
            because = f": {answer.reason}" if answer.reason else ""
            return OperatorResult(
                OperatorOutcome.CANNOT,
                f"operator cannot provision the test data for {request.cp_id}{because}",
                elapsed,
            )

    def _provision_panel(self, request: ProvisionRequest) -> Panel:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        grid.add_row("charge point", Text(request.cp_id, style="bold cyan"))
        for label, value in _token_lines(request):
            grid.add_row(label, value)
        if request.basic_auth_password is not None:
            grid.add_row(
                "password",
                Text(
                    "a Basic-auth password is set for this charge point "
                    "(the one in the run configuration)"
                ),
            )
        for charge_point in request.charge_points:
            secret = (
                ", Basic-auth password of the run configuration"
                if charge_point.basic_auth_password is not None
                else ""
            )
            grid.add_row(
                "charge point",
                Text(
                    f"{charge_point.cp_id} at security profile"
                    f" {charge_point.security_profile}{secret}"
                ),
            )
        for note in request.notes:
            grid.add_row("note", Text(note))
        return Panel(
            Group(
                Text("Set up this test data in the CSMS before the test cases run."), Text(""), grid
            ),
            title="[bold]Provision the CSMS[/bold]",
            title_align="left",
            border_style="yellow",
            expand=False,
        )

    async def aclose(self) -> None:
        return None


def _token_lines(request: ProvisionRequest) -> Iterator[tuple[str, Text]]:
    if not request.tokens:
        yield "idTags", Text("(none)", style="dim")
    for token in request.tokens:
        text = Text.assemble((token.id_tag, "bold"), "  status ", (token.status, "cyan"))
        if token.parent_id_tag is not None:
            text.append("  parent ")
            text.append(token.parent_id_tag, style="bold")
        yield "idTag", text
