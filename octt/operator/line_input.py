"""Reading the person's lines at the terminal prompt without blocking the event loop.

Owns `LineReader`: `loop.add_reader` on the stream's file descriptor when it has one that can be
polled, otherwise a daemon thread doing `readline` (for `io.StringIO` and the like). While a
prompt waits on a terminal, `editing` hands the keystrokes to octt's own line editing
(octt.operator.line_editor), so the prompt knows where the typing is on the screen.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import contextlib
import io
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from octt.operator.line_editor import LineEditor, keystrokes

if sys.platform != "win32":
    import termios


class _NoPolling(Exception):
    """The stream's file descriptor cannot be watched by the event loop."""


def _fd_of(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None


def _read_line_into(stream: TextIO, result: concurrent.futures.Future[str]) -> None:
    try:
        line = stream.readline()
    except BaseException as exc:  # handed to the reader, which treats it as end of input
        result.set_exception(exc)
    else:
        result.set_result(line)


class LineReader:
    """Lines from a text stream, read without blocking the event loop.

    Keeps what it has read but not yet returned across calls (and across event loops), so a
    cancelled read loses nothing. `readline` returns None at the end of the input.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._fd = _fd_of(stream)
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self._buffer = bytearray()
        self._eof = False
        self._thread_read: concurrent.futures.Future[str] | None = None
        self._editor: LineEditor | None = None
        self._decoder = codecs.getincrementaldecoder(self._encoding)(errors="replace")

    @property
    def at_eof(self) -> bool:
        return self._eof and not self._buffer

    @property
    def is_tty(self) -> bool:
        return self._fd is not None and os.isatty(self._fd)

    def discard_typeahead(self) -> None:
        """Forget keystrokes typed on a terminal that no one asked for yet."""
        if sys.platform != "win32" and self._fd is not None and os.isatty(self._fd):
            with contextlib.suppress(OSError, termios.error):
                termios.tcflush(self._fd, termios.TCIFLUSH)
            self._buffer.clear()
            if self._editor is not None:
                self._editor.clear()

    @contextlib.contextmanager
    def editing(self, on_change: Callable[[str], None]) -> Iterator[bool]:
        """On a terminal, octt edits the line itself while the block runs (see
        octt.operator.line_editor), calling `on_change` with the typing after each edit; yields
        False (and changes nothing) where the input is not a terminal."""
        with keystrokes(self._fd) as on:
            if on:
                self._editor = LineEditor(on_change)
            try:
                yield on
            finally:
                self._editor = None

    async def readline(self) -> str | None:
        if self._fd is not None:
            try:
                return await self._readline_fd(self._fd)
            except _NoPolling:
                self._fd = None  # e.g. a regular file or /dev/null: epoll refuses those
        return await self._readline_thread()

    async def _readline_fd(self, fd: int) -> str | None:
        while True:
            if self._editor is not None:
                if self._buffer:
                    edited = self._editor.feed(self._decoder.decode(bytes(self._buffer)))
                    self._buffer = bytearray(edited.rest.encode(self._encoding))
                    if edited.eof:
                        self._eof = True
                        return None
                    if edited.line is not None:
                        return edited.line
                if self._eof:
                    return None
                await self._read_some(fd)
                continue
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line.decode(self._encoding, errors="replace").rstrip("\r")
            if self._eof:
                if not self._buffer:
                    return None
                rest = bytes(self._buffer)
                self._buffer.clear()
                return rest.decode(self._encoding, errors="replace")
            await self._read_some(fd)

    async def _read_some(self, fd: int) -> None:
        await self._readable(fd)
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError:  # e.g. EIO when the terminal went away
            chunk = b""
        if chunk:
            self._buffer += chunk
        else:
            self._eof = True

    @staticmethod
    async def _readable(fd: int) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            loop.add_reader(fd, on_readable)
        except (OSError, NotImplementedError, ValueError) as exc:
            raise _NoPolling from exc
        try:
            await ready
        finally:
            loop.remove_reader(fd)

    async def _readline_thread(self) -> str | None:
        if self._eof:
            return None
        pending = self._thread_read
        if pending is None:
            # A read left running by a cancelled call is reused, so no line is lost.
            pending = concurrent.futures.Future()
            pending.set_running_or_notify_cancel()  # cannot be cancelled from now on
            self._thread_read = pending
            threading.Thread(
                target=_read_line_into,
                args=(self._stream, pending),
                name="octt-prompt-input",
                daemon=True,
            ).start()
        try:
            line = await asyncio.wrap_future(pending)
        except asyncio.CancelledError:
            raise
        except Exception:
            line = ""
        self._thread_read = None
        if not line:
            self._eof = True
            return None
        return line.rstrip("\n").rstrip("\r")
