"""Running `octt` in-process for tests: one command line, its exit status and its output."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from octt.cli import main
from octt.cli.env import Environment


@dataclass(frozen=True)
class Cli:
    status: int
    stdout: str
    stderr: str


def run_octt(cwd: Path, *argv: str) -> Cli:
    """`octt ARGV` in `cwd` with an empty environment and no standard input."""
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ={})
    status = main(list(argv), env=env)
    return Cli(status, stdout.getvalue(), stderr.getvalue())
