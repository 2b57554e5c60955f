"""Typing at the terminal prompt, edited by octt so the countdown above it knows where it is.

With the terminal's own line editing (canonical mode, echo on) the program never sees a line
until Enter, so it cannot know how many rows a long answer takes once it wraps, and a countdown
redrawn "one row up" lands on the typing. While a prompt waits, the terminal is therefore put in
non-canonical mode without echo (`keystrokes`; signals such as Ctrl-C stay on), and octt edits
the line itself:

- `LineEditor` turns keystrokes into the line being typed: printable characters, Backspace,
  Ctrl-U (erase the line), Ctrl-W (erase a word), Enter (the line is done), Ctrl-D on an empty
  line (end of input); escape sequences such as arrow keys are ignored.
- `InputArea` draws it: "> " and the typing, wrapped at the terminal's width, and knows which
  row the cursor is on, so the countdown line just above the typing can be redrawn in place.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rich.cells import cell_len

if sys.platform != "win32":
    import termios

PROMPT = "> "
_ERASE_LINE = "\x1b[2K"


@contextlib.contextmanager
def keystrokes(fd: int | None) -> Iterator[bool]:
    """On a terminal: each keystroke delivered as typed and not echoed, until the block ends
    (then the terminal's settings are restored). Yields False where that is not possible."""
    if sys.platform == "win32" or fd is None or not os.isatty(fd):
        yield False
        return
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        yield False
        return
    changed = list(saved)
    changed[3] = saved[3] & ~(termios.ICANON | termios.ECHO)
    control = list(saved[6])
    control[termios.VMIN] = 1
    control[termios.VTIME] = 0
    changed[6] = control
    try:
        termios.tcsetattr(fd, termios.TCSANOW, changed)
    except termios.error:
        yield False
        return
    try:
        yield True
    finally:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, saved)


@dataclass(frozen=True)
class Edited:
    """What a run of keystrokes did: the line was entered (`line`), the input ended (`eof`), or
    neither; `rest` is what was typed after Enter (for the next line)."""

    line: str | None = None
    eof: bool = False
    rest: str = ""


class LineEditor:
    """The line being typed, edited key by key."""

    def __init__(self, on_change: Callable[[str], None] | None = None) -> None:
        self.pending = ""
        self._on_change = on_change
        self._escape = ""  # an escape sequence being skipped

    def clear(self) -> None:
        self.pending = ""
        self._escape = ""

    def feed(self, text: str) -> Edited:
        """Apply the keystrokes in `text` up to the first Enter (or end of input)."""
        before = self.pending
        result = Edited()
        for index, char in enumerate(text):
            if self._escape:
                # CSI: ESC [ parameters final-byte; SS3: ESC O x; other: ESC x.
                self._escape += char
                if _escape_done(self._escape):
                    self._escape = ""
                continue
            if char in "\r\n":
                self._changed(before)  # the whole line is shown before it is entered
                line, self.pending = self.pending, ""
                result = Edited(line=line, rest=text[index + 1 :].lstrip("\n"))
                break
            if char == "\x04" and not self.pending:
                result = Edited(eof=True)
                break
            if char in "\x7f\b":
                self.pending = self.pending[:-1]
            elif char == "\x15":
                self.pending = ""
            elif char == "\x17":
                self.pending = self.pending.rstrip()
                self.pending = self.pending[: self.pending.rfind(" ") + 1]
            elif char == "\x1b":
                self._escape = char
            elif char == "\t":
                self.pending += " "
            elif char >= " ":
                self.pending += char
        if result.line is None:
            self._changed(before)
        return result

    def _changed(self, before: str) -> None:
        if self.pending != before and self._on_change is not None:
            self._on_change(self.pending)


def _escape_done(sequence: str) -> bool:
    """Whether an escape sequence is complete: CSI (ESC [ parameters final byte), SS3 (ESC O
    and one character) or ESC and one other character."""
    if len(sequence) == 2:
        return sequence[1] not in "[O"
    return sequence.startswith("\x1bO") or "@" <= sequence[-1] <= "~"


class InputArea:
    """Where "> " and the typing are on the screen, `width` columns wide."""

    def __init__(self, width: int) -> None:
        self.width = max(width, 1)
        self.shown = ""

    def cursor_row(self, typed: str | None = None) -> int:
        """The row of the cursor below the first row of the typing. After the last column the
        cursor stays on that row until the next character (the terminal's pending wrap)."""
        cells = cell_len(PROMPT + (self.shown if typed is None else typed))
        return max(cells - 1, 0) // self.width

    def redraw(self, typed: str) -> str:
        """The output that turns what is shown into "> " + `typed`, the cursor at its end."""
        if typed.startswith(self.shown):
            added = typed[len(self.shown) :]
            self.shown = typed
            return added
        rows = self.cursor_row()
        self.shown = typed
        return self._to_start(rows) + self._erase_rows(rows) + PROMPT + typed

    def above(self) -> tuple[str, str]:
        """The output before and after a line that replaces the one just above the typing; the
        cursor ends where it was (DEC save/restore keep a pending wrap too)."""
        up = self.cursor_row() + 1
        return f"\x1b7\x1b[{up}A\r{_ERASE_LINE}", "\x1b8"

    def leave(self) -> tuple[str, str]:
        """The output before and after a line that replaces the one above the typing, which is
        then erased, the cursor left at the start of its first row."""
        rows = self.cursor_row()
        self.shown = ""
        return (
            self._to_start(rows) + f"\x1b[1A{_ERASE_LINE}",
            "\x1b[1B\r" + self._erase_rows(rows),
        )

    @staticmethod
    def _to_start(rows: int) -> str:
        return (f"\x1b[{rows}A" if rows else "") + "\r"

    @staticmethod
    def _erase_rows(rows: int) -> str:
        """Erase the first row of the typing and the `rows` below it; the cursor back on the
        first, at its start."""
        erase = _ERASE_LINE + f"\x1b[1B{_ERASE_LINE}" * rows
        return erase + (f"\x1b[{rows}A" if rows else "") + "\r"
