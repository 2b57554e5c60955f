"""Turns the `--operator` value into an `Operator`: `prompt`, `none` or a trigger-API URL.

Owns the mapping from the command-line spelling to an implementation; a value that is none of
them is a ValueError whose message the CLI shows as a usage error.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console

from octt.operator.base import Operator


def make_operator(mode: str, *, console: Console, input_stream: TextIO) -> Operator:
    """`prompt` → PromptOperator, `none` → NoOperator, `http(s)://…` → HttpOperator."""
    value = mode.strip()
    if value == "prompt":
        from octt.operator.prompt import PromptOperator

        return PromptOperator(console, input_stream)
    if value == "none":
        from octt.operator.none import NoOperator

        return NoOperator()
    if value.lower().startswith(("http://", "https://")):
        from octt.operator.http import HttpOperator

        return HttpOperator(value)
    raise ValueError(f"--operator must be prompt, none or an http(s) URL, got {mode!r}")
