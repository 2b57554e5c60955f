"""A TCP stream for load stations whose every read carries the kernel's arrival time.

A load worker times each answer from the moment its CALL was handed to the socket to the
moment the answer arrived. If the arrival is stamped when the event loop gets round to reading
the socket, a busy worker (a ramp-up of a thousand connections a second, a core shared by two
workers) adds its own delay to every figure, and the figures blame the CSMS for it. Linux stamps
every segment it receives (``SO_TIMESTAMPNS``, socket(7)) and hands the stamp of what a
``recvmsg`` returns over with the data. So this stream reads with ``recvmsg`` and reports the
arrival as the kernel saw it, moved onto the monotonic clock the hand-off stamp uses: now on the
monotonic clock minus how long ago, on the real-time clock the kernel stamps with, the data
came in. That wait is the worker's own delay: it goes with the data, and the stations note it
for each message in a `ReadDelays` sink, so the generator still reports it (and warns when it
was large), apart from the CSMS's figures.

The stream is the small part of an asyncio transport a `octt.load.wire.WireConnection` uses
(write, write_eof, close, abort), on a non-blocking socket watched with the loop's
``add_reader``/``add_writer``. It carries plain TCP only (``ws://``); a ``wss://`` station
keeps the loop's TLS transport and its arrival stamps are the loop's (`ArrivalStamp`).
Where the platform has no ``SO_TIMESTAMPNS``, `kernel_stamps_available` is False and the
stations use the loop's transport for plain TCP too. The socket is opened by
`octt.load.tcp` (bound to the worker's next local port, where it has them).
"""

from __future__ import annotations

import asyncio
import functools
import platform
import socket
import struct
import sys
import time
from array import array
from enum import StrEnum
from typing import Final, Protocol

from octt.clock import Clock
from octt.load.ports import BoundPort
from octt.load.tcp import TcpConnector
from octt.load.tcp import close as close_socket

#: Machines whose Linux takes its socket options' numbers from the generic header.
_GENERIC_SOCKET_NUMBERS: Final = frozenset(
    {"x86_64", "amd64", "i386", "i686", "aarch64", "arm64", "armv7l", "armv8l", "riscv64",
     "ppc64le", "ppc64", "s390x", "loongarch64"}
)  # fmt: skip
#: socket(7): receive a struct timespec (CLOCK_REALTIME) with each read. Python does not name
#: the option; 35 is its number in Linux's generic socket header (alpha, MIPS, PA-RISC and
#: SPARC number it otherwise: no kernel stamps there). `kernel_stamps_available` also checks
#: that the kernel takes it.
SO_TIMESTAMPNS: Final = (
    35
    if sys.platform == "linux" and platform.machine().lower() in _GENERIC_SOCKET_NUMBERS
    else None
)
_TIMESPEC: Final = struct.Struct("@qq")
_ANCILLARY_SIZE: Final = socket.CMSG_SPACE(_TIMESPEC.size) if SO_TIMESTAMPNS else 0
#: The most one read takes out of the socket (answers are a few hundred bytes; a large
#: CALL from the CSMS takes several reads, which the WebSocket parser joins).
READ_SIZE: Final = 256 * 1024


class ArrivalStamp(StrEnum):
    """Where a load run's arrival stamps come from (load.json ``settings.arrival_stamp``)."""

    KERNEL = "kernel"  # the kernel's receive time of the bytes (this module)
    EVENT_LOOP = "event loop"  # when the event loop read them (wss://, or no SO_TIMESTAMPNS)


@functools.cache
def kernel_stamps_available() -> bool:
    """Whether this system stamps received TCP data (asked once: a socket takes the option)."""
    if SO_TIMESTAMPNS is None or not hasattr(socket.socket, "recvmsg_into"):
        return False
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            return bool(probe.getsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS))
    except OSError:
        return False


def arrival_stamp_for(url: str) -> ArrivalStamp:
    """What a station connecting to `url` stamps arrivals with."""
    if url.lower().startswith("ws://") and kernel_stamps_available():
        return ArrivalStamp.KERNEL
    return ArrivalStamp.EVENT_LOOP


class ReadDelays:
    """How long the stations' messages waited in their sockets before the worker read them
    (ns each; the closing handshakes after the run are not messages, and do not count)."""

    def __init__(self) -> None:
        self._samples: array[int] = array("q")

    def add(self, delay_ns: int) -> None:
        self._samples.append(delay_ns)

    def take(self) -> tuple[int, ...]:
        taken = tuple(self._samples)
        self._samples = array("q")
        return taken


class StreamReceiver(Protocol):
    """What the stream drives (`octt.load.wire.WireConnection` is one)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None: ...

    def data_arrived(self, data: bytes, arrival_ns: int, waited_ns: int = 0) -> None: ...

    def eof_received(self) -> bool | None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...


class StampedStream(asyncio.Transport):
    """One connected, non-blocking TCP socket read with its kernel arrival stamps."""

    def __init__(
        self,
        sock: socket.socket,
        receiver: StreamReceiver,
        clock: Clock,
        read_buffer: bytearray,
        loop: asyncio.AbstractEventLoop,
        bound: BoundPort | None = None,
    ) -> None:
        """`bound`: the worker's local port the socket is bound to (free again once the
        socket is closed)."""
        super().__init__()
        self._loop = loop
        self._bound = bound
        self._sock: socket.socket | None = sock
        self._fd = sock.fileno()
        self._receiver = receiver
        self._clock = clock
        self._buffer = read_buffer  # shared by the streams of one loop: one read at a time
        self._view = memoryview(read_buffer)
        self._pending = bytearray()  # what the socket did not take yet
        self._closing = False
        self._eof_wanted = False
        self._loop.add_reader(self._fd, self._readable)
        receiver.connection_made(self)

    # -- what the receiver calls -----------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        sock = self._sock
        if sock is None or self._closing or self._eof_wanted:
            return
        if self._pending:  # the socket is full: keep the order
            self._pending += data
            return
        try:
            sent = sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            self._finish(exc)
            return
        if sent < len(data):
            self._pending += memoryview(data)[sent:]
            self._loop.add_writer(self._fd, self._writable)

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if self._sock is None or self._eof_wanted:
            return
        self._eof_wanted = True
        if not self._pending:
            self._shutdown_write()

    def is_closing(self) -> bool:
        return self._closing or self._sock is None

    def close(self) -> None:
        """Stop reading; close once what is written has gone out."""
        if self._closing or self._sock is None:
            return
        self._closing = True
        self._loop.remove_reader(self._fd)
        if not self._pending:
            self._finish(None)

    def abort(self) -> None:
        self._finish(None)

    # -- inside ----------------------------------------------------------------------------

    def _readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            size, ancillary, _flags, _address = sock.recvmsg_into([self._buffer], _ANCILLARY_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._finish(exc)
            return
        if not size:  # the peer closed its side
            self._loop.remove_reader(self._fd)
            if not self._receiver.eof_received():
                self.close()
            return
        now = self._clock.monotonic_ns()
        waited = 0
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = _TIMESPEC.unpack_from(payload)
                # The kernel stamps on the real-time clock; both clocks are read here, a few
                # microseconds apart, so only the difference crosses from one to the other.
                waited = max(0, time.time_ns() - (seconds * 1_000_000_000 + nanoseconds))
                break
        self._receiver.data_arrived(bytes(self._view[:size]), now - waited, waited)

    def _writable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            sent = sock.send(self._pending)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._finish(exc)
            return
        del self._pending[:sent]
        if self._pending:
            return
        self._loop.remove_writer(self._fd)
        if self._closing:
            self._finish(None)
        elif self._eof_wanted:
            self._shutdown_write()

    def _shutdown_write(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_WR)
            except OSError as exc:
                self._finish(exc)

    def _finish(self, exc: Exception | None) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        self._closing = True
        self._loop.remove_reader(self._fd)
        self._loop.remove_writer(self._fd)
        self._pending.clear()
        close_socket(sock, self._bound)
        # As asyncio's transports do: the receiver hears of the end on the next iteration,
        # not inside the call that ended it.
        self._loop.call_soon(self._receiver.connection_lost, exc)


class StampedConnector:
    """Opens `StampedStream`s for the stations of one worker: the read buffer they share, where
    their read delays go, and how their TCP connections are opened (`octt.load.tcp`: the CSMS's
    address looked up once, the worker's local ports)."""

    def __init__(
        self, clock: Clock, delays: ReadDelays | None = None, tcp: TcpConnector | None = None
    ) -> None:
        self._clock = clock
        self.delays = delays  # where the stations note how long their messages waited
        self._tcp = tcp or TcpConnector()
        self._buffer = bytearray(READ_SIZE)

    async def connect(self, host: str, port: int, receiver: StreamReceiver) -> StampedStream:
        """Connect, then hand the stream to `receiver` (`OSError` if no address answers)."""
        sock, bound = await self._tcp.open(host, port, _STAMPS)
        loop = asyncio.get_running_loop()
        return StampedStream(sock, receiver, self._clock, self._buffer, loop, bound)


#: The socket option that has the kernel stamp every read.
_STAMPS: Final = () if SO_TIMESTAMPNS is None else ((socket.SOL_SOCKET, SO_TIMESTAMPNS, 1),)
