"""`octt run --operator prompt` end to end in a real terminal, with nothing but the stdlib.

The tmux test (test_prompt_in_tmux.py) skips where tmux is not installed, as on CI machines
that only get pip-installable packages. This one needs no system package: `os.openpty()` gives
a pseudo-terminal (120x40, TERM=xterm-256color), `octt run` runs in it as its own session, and
the test plays the person at the terminal. The CSMS is a separately started
`octt reference-csms`; "operating the CSMS's UI" is a POST to its trigger API, which returns
once the charge point answered the CALL.

The test reads the terminal like pexpect does: it accumulates what the program wrote (and what
the terminal echoed of the typing), strips the ANSI escape sequences, and waits (polling with a
deadline, never a fixed sleep) for each expected piece of text after the previous one. To check
what a person actually sees, `Screen` replays the same bytes through just enough of a VT100
(cursor moves, save/restore, erase line, autowrap) to show the screen after redraws in place.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PICS = REPO / "pics" / "reference-csms.yaml"
CP_ID = "OCTT-CP-001"  # the charge point id in pics/reference-csms.yaml
ROWS, COLS = 40, 120
STEP_DEADLINE_S = 15.0  # for any one thing to show up on the screen or a process to finish
OPERATOR_TIMEOUT_S = 30  # long enough that no countdown runs out during the test

PROVISION_HINT = "type done when it is provisioned, or cannot, then Enter"
COUNTDOWN = re.compile(r"(\d+) s left — type done or cannot, then Enter")
INPUT_PROMPT = re.compile(r"\n> ")
PANEL_ACTION = re.compile(r"Make the CSMS act.*?action\s+([A-Za-z]+)", re.DOTALL)
# CSI (colours, cursor moves, erase), OSC (titles, hyperlinks), charset selection, and the
# two-byte escapes such as DEC save/restore cursor (ESC 7 / ESC 8).
ANSI = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()#][0-9A-Za-z]|[0-~])"
)
CSI = re.compile(r"\x1b\[([0-?]*)[ -/]*([@-~])")
OCTT = [sys.executable, "-m", "octt"]


def _environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TMUX", "TMUX_PANE"}
        and not k.startswith(("TTY_", "OCTT_"))
    }
    env["TERM"] = "xterm-256color"
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL if it is still there after a deadline."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


class Screen:
    """What a terminal shows after `data`: just enough of a VT100 for rich and the prompt.

    Handles printable characters with autowrap at `cols`, CR, LF, BS, DEC save/restore cursor
    (ESC 7 / ESC 8), cursor up/down/forward/back/column (CSI A B C D G) and erase in line
    (CSI K); colours and other sequences change nothing here. Keeps every line that scrolled
    off the top, so `lines` is the whole session; cursor-up stops at the top visible row.
    """

    def __init__(self, data: str, rows: int = ROWS, cols: int = COLS) -> None:
        self._rows, self._cols = rows, cols
        self._lines: list[list[str]] = [[]]
        self._row = self._col = 0
        saved = (0, 0)
        index = 0
        while index < len(data):
            char = data[index]
            if char == "\x1b":
                found = ANSI.match(data, index)
                if found is None:
                    break  # an escape sequence still being written
                index = found.end()
                sequence = found.group()
                if sequence == "\x1b7":
                    saved = (self._row, self._col)
                elif sequence == "\x1b8":
                    self._row, self._col = saved
                elif (csi := CSI.fullmatch(sequence)) is not None:
                    self._csi(csi.group(1), csi.group(2))
                continue
            index += 1
            if char == "\r":
                self._col = 0
            elif char == "\n":
                self._down()
            elif char == "\b":
                self._col = max(self._col - 1, 0)
            elif char >= " ":
                if self._col >= self._cols:
                    self._col = 0
                    self._down()
                line = self._lines[self._row]
                line.extend(" " * (self._col + 1 - len(line)))
                line[self._col] = char
                self._col += 1

    def _down(self) -> None:
        self._row += 1
        while self._row >= len(self._lines):
            self._lines.append([])

    def _csi(self, parameters: str, final: str) -> None:
        if parameters.startswith("?"):
            return
        first = parameters.split(";")[0]
        count = int(first) if first.isdigit() else None
        line = self._lines[self._row]
        if final == "A":
            top = max(len(self._lines) - self._rows, 0)
            self._row = max(self._row - (count or 1), top)
        elif final == "B":
            for _ in range(count or 1):
                self._down()
        elif final == "C":
            self._col = min(self._col + (count or 1), self._cols - 1)
        elif final == "D":
            self._col = max(self._col - (count or 1), 0)
        elif final == "G":
            self._col = min((count or 1) - 1, self._cols - 1)
        elif final == "K":
            if count in (None, 0):
                del line[self._col :]
            elif count == 1:
                line[: self._col + 1] = " " * min(self._col + 1, len(line))
            else:
                line.clear()

    @property
    def lines(self) -> list[str]:
        return ["".join(line).rstrip() for line in self._lines]

    def __str__(self) -> str:
        return "\n".join(self.lines).rstrip("\n")


class ReferenceCsms:
    """`octt reference-csms` on free ports, its stdout and stderr on one pipe."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [*OCTT, "reference-csms", "--port", "0", "--control-port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env=_environment(),
            start_new_session=True,
        )
        self._output = bytearray()
        self._drain: threading.Thread | None = None
        self.ocpp_url, self.control_url = self._read_urls()
        # From now on nobody waits for its output: a thread keeps the pipe from filling up.
        self._drain = threading.Thread(target=self._drain_pipe, daemon=True)
        self._drain.start()

    @property
    def output(self) -> str:
        return self._output.decode("utf-8", errors="replace")

    def _read_urls(self) -> tuple[str, str]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + STEP_DEADLINE_S
        pattern = re.compile(r"(ws://[\d.]+:\d+)/.*?(http://[\d.]+:\d+)/api/octt/", re.DOTALL)
        while (found := pattern.search(self.output)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"octt reference-csms did not start:\n{self.output}")
            ready, _, _ = select.select([fd], [], [], min(remaining, 0.2))
            if ready:
                self._output += os.read(fd, 65536)
        return found.group(1), found.group(2)

    def _drain_pipe(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        with contextlib.suppress(OSError, ValueError):
            while chunk := os.read(fd, 65536):
                self._output += chunk

    def trigger(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """What a person does in the CSMS's UI: returns when the charge point answered."""
        request = urllib.request.Request(
            f"{self.control_url}/api/octt/1.6/{CP_ID}/{action}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=STEP_DEADLINE_S) as response:
            reply: dict[str, Any] = json.loads(response.read())
        return reply

    def close(self) -> None:
        _stop(self.process)
        if self._drain is not None:
            self._drain.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Terminal:
    """A program in a pseudo-terminal, and the person reading and typing at it."""

    def __init__(self, argv: list[str]) -> None:
        master, slave = os.openpty()
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            self.process = subprocess.Popen(
                argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=REPO,
                env=_environment(),
                start_new_session=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self._master: int | None = master
        self._raw = bytearray()
        self._closed = False  # the program's side of the terminal is gone
        self.position = 0  # in `text`: where the next `expect` starts looking

    @property
    def raw(self) -> str:
        return self._raw.decode("utf-8", errors="replace")

    @property
    def screen(self) -> Screen:
        return Screen(self.raw)

    @property
    def text(self) -> str:
        """Everything written so far, without escape sequences and carriage returns."""
        return ANSI.sub("", self.raw).replace("\r", "")

    def pump(self, timeout: float) -> None:
        """Read whatever the program wrote, waiting at most `timeout` for something."""
        if self._closed or self._master is None:
            return
        ready, _, _ = select.select([self._master], [], [], max(timeout, 0))
        if not ready:
            return
        try:
            chunk = os.read(self._master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: every process on the other side has closed the terminal
            chunk = b""
        if chunk:
            self._raw += chunk
        else:
            self._closed = True

    def expect(self, pattern: str | re.Pattern[str], what: str = "") -> re.Match[str]:
        """Wait until `pattern` shows up after `position`; move `position` past it."""
        regex = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + STEP_DEADLINE_S
        while True:
            found = regex.search(self.text, self.position)
            if found is not None:
                self.position = found.end()
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed:
                raise AssertionError(
                    f"gave up waiting for {what or regex.pattern!r}"
                    f" (program exit status {self.process.poll()}); the terminal showed:\n"
                    + self.text[-4000:]
                )
            self.pump(min(remaining, 0.1))

    def type(self, keys: str) -> None:
        assert self._master is not None
        os.write(self._master, keys.encode())

    def while_reading(self, future: concurrent.futures.Future[Any]) -> Any:
        """Keep reading the screen (so the program never blocks on output) until `future` is
        done; its result."""
        deadline = time.monotonic() + STEP_DEADLINE_S
        while not future.done():
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out; the terminal showed:\n{self.text[-4000:]}")
            self.pump(0.05)
        return future.result()

    def wait_exit(self) -> int:
        """Read until the program has exited and its output is drained; the exit status."""
        deadline = time.monotonic() + STEP_DEADLINE_S
        while self.process.poll() is None:
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"octt run did not exit; the terminal showed:\n{self.text[-4000:]}"
                )
            self.pump(0.05)
        drained = time.monotonic() + 2
        while not self._closed and time.monotonic() < drained:
            self.pump(0.05)
        return self.process.returncode

    def close(self) -> None:
        _stop(self.process)
        if self._master is not None:
            os.close(self._master)
            self._master = None


@pytest.fixture
def csms() -> Iterator[ReferenceCsms]:
    server = ReferenceCsms()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def person() -> Iterator[concurrent.futures.ThreadPoolExecutor]:
    """The person's hands on the CSMS's UI: trigger API calls run while the test reads."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


@contextlib.contextmanager
def octt_run(csms: ReferenceCsms, report_dir: Path, *cases: str) -> Iterator[Terminal]:
    argv = [
        *OCTT,
        "run",
        "--csms",
        csms.ocpp_url,
        "--operator",
        "prompt",
        "--operator-timeout",
        str(OPERATOR_TIMEOUT_S),
        "--reconnect-pause",
        "0.001",
        *(arg for case in cases for arg in ("--test", case)),
        "--report-dir",
        str(report_dir),
        "--pics",
        str(PICS),
    ]
    terminal = Terminal(argv)
    try:
        yield terminal
    except BaseException:
        sys.stderr.write(f"--- octt reference-csms output ---\n{csms.output}\n")
        raise
    finally:
        terminal.close()


def confirm_provisioning(terminal: Terminal) -> None:
    terminal.expect("Provision the CSMS")
    terminal.expect(f"charge point  {CP_ID}")
    terminal.expect(PROVISION_HINT)  # printed after the panel dropped any typeahead
    terminal.expect(INPUT_PROMPT, "the input prompt")
    terminal.type("done\r")


def next_panel(terminal: Terminal) -> tuple[str, int]:
    """Wait for the next "Make the CSMS act" panel and its countdown: (action, seconds left).

    Typing is safe from then on: the prompt drops typeahead right after drawing the panel."""
    start = terminal.position
    action = terminal.expect(PANEL_ACTION, "a 'Make the CSMS act' panel").group(1)
    countdown = terminal.expect(COUNTDOWN, f"the countdown under the {action} panel")
    seconds = int(countdown.group(1))
    assert 0 < seconds <= OPERATOR_TIMEOUT_S
    # The "> " comes in a write of its own after the countdown: typing before it would be
    # echoed in front of it.
    terminal.expect(INPUT_PROMPT, "the input prompt under the countdown")
    panel = terminal.text[start : terminal.position]
    assert f"charge point  {CP_ID}" in panel, panel
    return action, seconds


def wait_for_a_tick(terminal: Terminal, shown: int) -> int:
    """Wait until the countdown is redrawn with fewer seconds than `shown`; the new value."""
    while (seconds := int(terminal.expect(COUNTDOWN, "a countdown redraw").group(1))) >= shown:
        pass
    return seconds


def below_panel(screen: Screen, action: str) -> list[str]:
    """The screen lines under the last panel for `action`, up to the next panel if any."""
    lines = screen.lines
    row = max(i for i, line in enumerate(lines) if re.match(rf"│ action\s+{action} ", line))
    bottom = next(i for i in range(row, len(lines)) if lines[i].startswith("╰"))
    end = next((i for i in range(bottom, len(lines)) if lines[i].startswith("╭")), len(lines))
    return lines[bottom + 1 : end]


def case(result: dict[str, Any], case_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in result["cases"] if c["id"] == case_id]
    assert len(found) == 1, result["cases"]
    return found[0]


def read_result(report_dir: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((report_dir / "result.json").read_text(encoding="utf-8"))
    return result


def test_the_person_makes_the_csms_act_and_the_prompt_notices(
    csms: ReferenceCsms, person: concurrent.futures.ThreadPoolExecutor, tmp_path: Path
) -> None:
    report_dir = tmp_path / "report"
    with octt_run(csms, report_dir, "TC_061_CSMS", "TC_021_CSMS") as terminal:
        confirm_provisioning(terminal)
        seen: list[str] = []
        for _ in range(2):  # the cases run in catalog order, whatever the --test order
            start = terminal.position
            action, _ = next_panel(terminal)
            panel = terminal.text[start : terminal.position]
            seen.append(action)
            if action == "ClearCache":
                assert "clear the authorization cache" in panel, panel
                assert "(no fields)" in panel, panel
                reply = terminal.while_reading(person.submit(csms.trigger, "clear-cache", {}))
                assert reply == {"status": "answered", "response": {"status": "Accepted"}}
                # Nobody types: the prompt sees the CALL arrive by itself.
                terminal.expect(re.compile(r"received ClearCache ✓ after \d+\.\d s"))
                screen = below_panel(terminal.screen, "ClearCache")
                # The message took the countdown's place; the input line is gone.
                assert screen[0].startswith("received ClearCache ✓ after"), "\n".join(screen)
                assert not any(COUNTDOWN.search(line) for line in screen), "\n".join(screen)
            else:
                assert action == "ChangeConfiguration", panel
                assert re.search(r"key\s+MeterValueSampleInterval", panel), panel
                assert re.search(r"value\s+60\b", panel), panel
                # The person confirms first and then makes the CSMS send it (the opposite
                # order is test_a_done_typed_after_the_call_arrived_is_harmless).
                terminal.type("done\r")
                terminal.expect(
                    re.compile(
                        r"done after \d+\.\d s — waiting for the CSMS to send ChangeConfiguration"
                    )
                )
                body = {"key": "MeterValueSampleInterval", "value": "60"}
                reply = terminal.while_reading(
                    person.submit(csms.trigger, "change-configuration", body)
                )
                assert reply == {"status": "answered", "response": {"status": "Accepted"}}
                screen = below_panel(terminal.screen, "ChangeConfiguration")
                assert COUNTDOWN.search(screen[0]), "\n".join(screen)
                assert screen[1] == "> done", "\n".join(screen)
                assert screen[2].startswith("done after"), "\n".join(screen)
        assert sorted(seen) == ["ChangeConfiguration", "ClearCache"]
        status = terminal.wait_exit()
        screen_text = str(terminal.screen)
    assert status == 4, screen_text  # one case: a partial selection that passed
    assert re.search(r"PASS\s+TC_061_CSMS", screen_text), screen_text
    assert re.search(r"PASS\s+TC_021_CSMS", screen_text), screen_text
    assert "Verdict: PARTIAL" in screen_text, screen_text

    result = read_result(report_dir)
    assert result["verdict"] == "pass"
    for case_id, action, detail in (
        ("TC_061_CSMS", "ClearCache", "received ClearCache from the CSMS"),
        ("TC_021_CSMS", "ChangeConfiguration", "operator reports ChangeConfiguration done"),
    ):
        entry = case(result, case_id)
        assert entry["verdict"] == "pass", entry
        records = entry["operator"]
        assert [r["action"] for r in records] == [action], records
        assert records[0]["outcome"] == "done", records
        assert records[0]["detail"].startswith(detail), records
        assert isinstance(records[0]["elapsed_s"], int | float), records
        assert 0 <= records[0]["elapsed_s"] < OPERATOR_TIMEOUT_S, records


def test_a_done_typed_after_the_call_arrived_is_harmless(
    csms: ReferenceCsms, person: concurrent.futures.ThreadPoolExecutor, tmp_path: Path
) -> None:
    """The other order: the CSMS sends the CALL, then the person (late) types done too."""
    report_dir = tmp_path / "report"
    with octt_run(csms, report_dir, "TC_021_CSMS") as terminal:
        confirm_provisioning(terminal)
        action, _ = next_panel(terminal)
        assert action == "ChangeConfiguration"
        body = {"key": "MeterValueSampleInterval", "value": "60"}
        reply = terminal.while_reading(person.submit(csms.trigger, "change-configuration", body))
        assert reply == {"status": "answered", "response": {"status": "Accepted"}}
        terminal.expect(re.compile(r"received ChangeConfiguration ✓ after \d+\.\d s"))
        terminal.type("done\r")
        status = terminal.wait_exit()
        screen_text = str(terminal.screen)
    assert status == 4, screen_text  # one case: a partial selection that passed
    assert "Verdict: PARTIAL" in screen_text, screen_text
    entry = case(read_result(report_dir), "TC_021_CSMS")
    assert entry["verdict"] == "pass", entry
    [record] = entry["operator"]
    assert record["outcome"] == "done", record
    assert record["detail"].startswith("received ChangeConfiguration from the CSMS"), record
    assert 0 <= record["elapsed_s"] < OPERATOR_TIMEOUT_S, record


def test_the_person_cannot_and_the_case_is_skipped(csms: ReferenceCsms, tmp_path: Path) -> None:
    report_dir = tmp_path / "report"
    with octt_run(csms, report_dir, "TC_061_CSMS") as terminal:
        confirm_provisioning(terminal)
        action, shown = next_panel(terminal)
        assert action == "ClearCache"
        # Half an answer, then a countdown redraw: it ticks in place and keeps the typing.
        terminal.type("cannot no such")
        ticked = wait_for_a_tick(terminal, shown)
        screen = below_panel(terminal.screen, "ClearCache")
        assert screen[0].startswith(f"{ticked} s left — "), "\n".join(screen)
        assert screen[1] == "> cannot no such", "\n".join(screen)
        assert len(screen) == 2, "\n".join(screen)
        terminal.type(" button\r")
        terminal.expect("ClearCache skipped: no such button")
        status = terminal.wait_exit()
        screen_text = str(terminal.screen)
    assert status == 1, screen_text
    assert re.search(r"SKIPPED\s+TC_061_CSMS", screen_text), screen_text
    assert "Verdict: FAIL" in screen_text, screen_text
    entry = case(read_result(report_dir), "TC_061_CSMS")
    assert entry["verdict"] == "skipped", entry
    assert "no such button" in entry["reason"], entry
    [record] = entry["operator"]
    assert record["outcome"] == "cannot", record
    assert "no such button" in record["detail"], record


LONG_REASON = (
    "our CSMS has no clear-cache button anywhere, only a full reset of the charge point"
    " from the admin page, which would also end every session"
)


def test_a_long_answer_survives_the_countdown(csms: ReferenceCsms, tmp_path: Path) -> None:
    answer = f"cannot {LONG_REASON}"
    assert len("> " + answer) > COLS  # the typing wraps onto a second row
    report_dir = tmp_path / "report"
    with octt_run(csms, report_dir, "TC_061_CSMS") as terminal:
        confirm_provisioning(terminal)
        _, shown = next_panel(terminal)
        terminal.type(answer)
        wait_for_a_tick(terminal, shown)
        while_typing = below_panel(terminal.screen, "ClearCache")
        terminal.type("\r")
        terminal.expect("ClearCache skipped")
        status = terminal.wait_exit()
    # The answer itself arrives whole: the terminal's line buffer holds it, not the screen.
    assert status == 1
    entry = case(read_result(report_dir), "TC_061_CSMS")
    assert entry["verdict"] == "skipped", entry
    assert LONG_REASON in entry["reason"], entry
    # What the person saw while typing: one countdown line, then all of their typing.
    shown_lines = "\n".join(while_typing)
    assert sum(bool(COUNTDOWN.search(line)) for line in while_typing) == 1, shown_lines
    assert "".join(while_typing[1:]) == "> " + answer, shown_lines
