"""Running `octt` in-process for tests: one command line, its exit status and its output."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from octt.cli import main
from octt.cli.env import Environment


@dataclass(frozen=True)
class Cli:
    status: int
    stdout: str
    stderr: str


def run_octt(cwd: Path, *argv: str, environ: Mapping[str, str] | None = None) -> Cli:
    """`octt ARGV` in `cwd` with no standard input and the environment variables `environ`
    (none unless given)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ=environ or {}
    )
    status = main(list(argv), env=env)
    return Cli(status, stdout.getvalue(), stderr.getvalue())
