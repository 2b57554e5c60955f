"""LineReader on a pseudo-terminal: lines as the terminal hands them, and octt's own editing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from octt.operator.line_input import LineReader

WAIT_S = 5.0


@contextmanager
def terminal() -> Iterator[tuple[TextIO, int]]:
    """The program's side of a pseudo-terminal as a text stream, and the keyboard's side."""
    master, slave = os.openpty()
    stream = os.fdopen(slave, "r", encoding="utf-8")
    try:
        yield stream, master
    finally:
        stream.close()
        os.close(master)


def test_canonical_lines_then_edited_lines() -> None:
    async def scenario() -> tuple[str | None, str | None, list[str]]:
        with terminal() as (stream, keyboard):
            reader = LineReader(stream)
            assert reader.is_tty
            os.write(keyboard, b"first\n")
            first = await asyncio.wait_for(reader.readline(), WAIT_S)
            shown: list[str] = []
            with reader.editing(shown.append) as on:
                assert on
                os.write(keyboard, "cannot xy\x7fz — ok\r".encode())
                edited = await asyncio.wait_for(reader.readline(), WAIT_S)
            return first, edited, shown

    first, edited, shown = asyncio.run(scenario())
    assert first == "first"
    assert edited == "cannot xz — ok"
    assert shown[-1] == "cannot xz — ok"


def test_ctrl_d_on_an_empty_edited_line_ends_the_input() -> None:
    async def scenario() -> tuple[str | None, bool]:
        with terminal() as (stream, keyboard):
            reader = LineReader(stream)
            with reader.editing(lambda _: None):
                os.write(keyboard, b"\x04")
                line = await asyncio.wait_for(reader.readline(), WAIT_S)
            return line, reader.at_eof

    assert asyncio.run(scenario()) == (None, True)
