"""The environment a command runs in: streams, consoles, interactivity, exit statuses."""

from __future__ import annotations

import io
import os
from pathlib import Path

from octt.cli.env import Environment, ExitStatus


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_exit_statuses_are_the_documented_numbers() -> None:
    assert [(s.name, int(s)) for s in ExitStatus] == [
        ("OK", 0),
        ("FAILED", 1),
        ("USAGE", 2),
        ("UNREACHABLE", 3),
        ("PARTIAL", 4),
    ]


def test_fail_writes_one_plain_line_and_returns_the_status() -> None:
    stderr = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=stderr)
    assert env.fail("bad [red]flag[/] " + "x" * 200) is ExitStatus.USAGE
    assert stderr.getvalue() == "octt: bad [red]flag[/] " + "x" * 200 + "\n"
    assert env.fail("gone", ExitStatus.UNREACHABLE) is ExitStatus.UNREACHABLE
    assert stderr.getvalue().endswith("octt: gone\n")


def test_consoles_write_to_the_given_streams() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr)
    env.console.print("to stdout")
    env.error_console.print("to stderr")
    assert stdout.getvalue() == "to stdout\n"
    assert stderr.getvalue() == "to stderr\n"
    assert not env.console.is_terminal


def test_force_terminal_reaches_the_consoles() -> None:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), force_terminal=True)
    assert env.console.is_terminal and env.error_console.is_terminal


def test_interactive_follows_stdin() -> None:
    assert not Environment(stdin=io.StringIO(), stdout=io.StringIO()).interactive
    assert Environment(stdin=Tty(), stdout=io.StringIO()).interactive


def test_defaults_come_from_the_process(tmp_path: Path) -> None:
    env = Environment(stdout=io.StringIO())
    assert env.cwd == Path.cwd()
    assert dict(env.environ) == dict(os.environ)
    assert env.environ is not os.environ  # a copy: commands cannot change the process env
    assert Environment(cwd=tmp_path, environ={"A": "1"}, stdout=io.StringIO()).environ == {"A": "1"}
