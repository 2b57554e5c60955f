"""The environment a command runs in: streams, consoles, interactivity. Injectable for tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TextIO

from rich.console import Console


class ExitStatus(IntEnum):
    """Exit statuses are an API (DESIGN.md, command-line contract)."""

    OK = 0  # every applicable case passed
    FAILED = 1  # some case failed or errored (or the run was interrupted)
    USAGE = 2  # usage or configuration error; the message names the file:line or flag
    UNREACHABLE = 3  # the CSMS could not be reached
    # Every selected case passed, but the selection (--test, --profile) is narrower than what the
    # PICS claims: a partial test summary. Exit 0 is earned only by the full claimed scope.
    PARTIAL = 4


@dataclass
class Environment:
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    cwd: Path = field(default_factory=Path.cwd)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    force_terminal: bool | None = None

    def __post_init__(self) -> None:
        self.console = Console(
            file=self.stdout, force_terminal=self.force_terminal, highlight=False
        )
        self.error_console = Console(
            file=self.stderr, force_terminal=self.force_terminal, highlight=False
        )

    @property
    def interactive(self) -> bool:
        isatty = getattr(self.stdin, "isatty", None)
        return bool(isatty and isatty())

    def fail(self, message: str, status: ExitStatus = ExitStatus.USAGE) -> ExitStatus:
        """Report an error as one plain line (no wrapping, no markup: a file:line stays whole)."""
        self.stderr.write(f"octt: {message}\n")
        self.stderr.flush()
        return status
