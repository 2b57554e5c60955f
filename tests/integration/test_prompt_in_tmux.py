"""The prompt operator in a real terminal: tmux runs prompt_driver.py, the test reads the screen.

Each scenario starts a private tmux server (`tmux -L <unique socket>`, 120x40, a config that
keeps the pane after the driver exits), polls `tmux capture-pane -p -J` until what it expects is
on the screen (short interval, hard deadline), types with `tmux send-keys`, and finally reads
the driver's `OCTT-RESULT {json}` line off the screen. Skipped when tmux is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TMUX = shutil.which("tmux")
REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().with_name("prompt_driver.py")
SESSION = "octt-prompt"
POLL_S = 0.05
DEADLINE_S = 20.0
COUNTDOWN = re.compile(r"(\d+) s left — type done or cannot, then Enter")


class Tmux:
    """A private tmux server with one 120x40 session."""

    def __init__(self, tmux: str, workdir: Path) -> None:
        self._tmux = tmux
        self._socket = f"octt-test-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self._config = workdir / "tmux.conf"
        self._config.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"TMUX", "TMUX_PANE", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"}
            and not k.startswith("TTY_")
        }
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        env["LANG"] = env["LC_ALL"] = "C.UTF-8"
        self._env = env
        self._socket_path: Path | None = None

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [self._tmux, "-u", "-L", self._socket, "-f", str(self._config), *args],
            capture_output=True,
            text=True,
            env=self._env,
            timeout=10,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, command: str) -> None:
        self.run(
            "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", "-c", str(REPO), command
        )
        self._socket_path = Path(self.run("display-message", "-p", "#{socket_path}").strip())

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-J", "-t", SESSION)

    def type(self, text: str, *, enter: bool = True) -> None:
        self.run("send-keys", "-t", SESSION, "-l", text)
        if enter:
            self.run("send-keys", "-t", SESSION, "Enter")

    def wait_for(self, what: str, ready: Callable[[str], bool]) -> str:
        """Poll the screen until `ready(screen)`; fail with the last screen at the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")
            time.sleep(POLL_S)

    def kill(self) -> None:
        self.run("kill-server", check=False)
        if self._socket_path is not None:  # tmux leaves the socket file behind
            self._socket_path.unlink(missing_ok=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    server = Tmux(TMUX, tmp_path)
    try:
        yield server
    finally:
        server.kill()


def countdowns(screen: str) -> list[int]:
    return [int(m.group(1)) for m in COUNTDOWN.finditer(screen)]


def result_line(screen: str) -> dict[str, Any] | None:
    for line in screen.splitlines():
        if line.startswith("OCTT-RESULT "):
            value: dict[str, Any] = json.loads(line.removeprefix("OCTT-RESULT ").strip())
            return value
    return None


def start_driver(tmux: Tmux) -> str:
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(DRIVER))} --timeout 30"
    tmux.start(command)
    return tmux.wait_for("the prompt and its countdown", lambda s: bool(countdowns(s)))


def test_prompt_shows_the_request_and_takes_done(tmux: Tmux) -> None:
    screen = start_driver(tmux)
    for text in (
        "Make the CSMS act",
        "In the CSMS UI, start a charging session on connector 1 for idTag TAG-TMUX-42.",
        "RemoteStartTransaction",
        "CP-TMUX-7",
        "connectorId",
        "idTag",
        "TAG-TMUX-42",
    ):
        assert text in screen, f"{text!r} not on the screen:\n{screen}"
    assert re.search(r"charge point\s+CP-TMUX-7", screen)
    assert re.search(r"idTag\s+TAG-TMUX-42", screen)
    first = countdowns(screen)
    assert len(first) == 1 and 25 <= first[0] <= 30

    # Type without Enter: the typing stays visible while the countdown ticks in place above it.
    tmux.type("done", enter=False)
    tmux.wait_for("the typed answer", lambda s: "> done" in s)
    screen = tmux.wait_for(
        "the countdown to tick", lambda s: bool(countdowns(s)) and countdowns(s)[0] < first[0]
    )
    assert len(countdowns(screen)) == 1, f"the countdown was not redrawn in place:\n{screen}"
    assert "> done" in screen, f"the redraw erased the typing:\n{screen}"

    tmux.type("", enter=True)
    screen = tmux.wait_for("the result line", lambda s: result_line(s) is not None)
    result = result_line(screen)
    assert result is not None
    assert result["outcome"] == "done", screen
    assert "RemoteStartTransaction" in result["detail"]
    assert result["elapsed_s"] >= 1.0  # at least one tick went by before Enter
    assert "waiting for the CSMS to send RemoteStartTransaction" in screen


def test_prompt_asks_again_then_takes_cannot_with_a_reason(tmux: Tmux) -> None:
    start_driver(tmux)
    tmux.type("perhaps")
    screen = tmux.wait_for("the prompt to ask again", lambda s: "not understood" in s)
    assert "not understood: 'perhaps'" in screen
    tmux.wait_for("a fresh countdown", lambda s: len(countdowns(s)) == 2)

    tmux.type("cannot no button")
    screen = tmux.wait_for("the result line", lambda s: result_line(s) is not None)
    result = result_line(screen)
    assert result is not None
    assert result["outcome"] == "cannot", screen
    assert result["detail"].endswith("RemoteStartTransaction: no button")
    assert "RemoteStartTransaction skipped: no button" in screen
