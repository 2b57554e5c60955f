"""The terminal prompt's own line editing: keystrokes, and where the wrapped typing is."""

from __future__ import annotations

import os
import termios

from octt.operator.line_editor import Edited, InputArea, LineEditor, keystrokes


def test_keys_edit_the_line_and_enter_ends_it() -> None:
    shown: list[str] = []
    editor = LineEditor(shown.append)
    assert editor.feed("cannot no") == Edited()
    assert editor.feed("x\x7f such\x1b[D\x1bOA") == Edited()  # arrows are ignored
    assert editor.pending == "cannot no such"
    assert editor.feed("\x17\x17") == Edited()  # Ctrl-W twice
    assert editor.pending == "cannot "
    assert editor.feed("\x15done\r\nnext") == Edited(line="done", rest="next")
    assert editor.pending == ""
    assert shown[-1] == "done"  # shown whole before it was entered
    assert editor.feed("\x04") == Edited(eof=True)


def test_ctrl_d_with_typing_is_not_the_end() -> None:
    editor = LineEditor()
    editor.feed("do")
    assert editor.feed("\x04") == Edited()
    assert editor.pending == "do"


def test_the_cursor_row_follows_the_wrapping() -> None:
    area = InputArea(10)
    assert area.redraw("abc") == "abc"
    assert area.cursor_row() == 0
    area.redraw("abcdefgh")  # "> " + 8 = 10 cells: on the last column, not wrapped yet
    assert area.cursor_row() == 0
    area.redraw("abcdefghi")
    assert area.cursor_row() == 1
    before, after = area.above()
    assert before == "\x1b7\x1b[2A\r\x1b[2K" and after == "\x1b8"
    # Erasing back over the wrap redraws the typing from its first row.
    assert area.redraw("abc") == "\x1b[1A\r\x1b[2K\x1b[1B\x1b[2K\x1b[1A\r> abc"
    assert area.cursor_row("界" * 5) == 1  # wide characters take two cells


def test_leaving_replaces_the_countdown_and_erases_the_typing() -> None:
    area = InputArea(10)
    area.redraw("x" * 20)  # three rows
    before, after = area.leave()
    assert before == "\x1b[2A\r\x1b[1A\x1b[2K"
    assert after == "\x1b[1B\r\x1b[2K\x1b[1B\x1b[2K\x1b[1B\x1b[2K\x1b[2A\r"
    assert area.shown == ""


def test_keystroke_mode_on_a_terminal_and_back() -> None:
    master, slave = os.openpty()
    try:
        before = termios.tcgetattr(slave)
        with keystrokes(slave) as on:
            assert on
            lflag = termios.tcgetattr(slave)[3]
            assert not lflag & termios.ICANON and not lflag & termios.ECHO
            assert lflag & termios.ISIG  # Ctrl-C still interrupts
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)
    read_end, write_end = os.pipe()
    try:
        with keystrokes(read_end) as on:
            assert not on
        with keystrokes(None) as on:
            assert not on
    finally:
        os.close(read_end)
        os.close(write_end)
