"""Opening a load station's TCP connection: the CSMS's address looked up once per host and port,
the socket bound to the worker's next local port (`octt.load.ports`), and a non-blocking
connect that needs no writer watch when the handshake is done at once.

Not `loop.sock_connect` or `loop.create_connection(host, port)`: uvloop's look the address up
again in its resolver's thread pool on every call, a tenth of a connection's cost in a
ramp-up, and neither binds a local port of the worker's choosing. The socket this opens goes to
`octt.load.stamped` (``ws://`` with the kernel's arrival stamps) or to the loop's transport
(``wss://``: ``create_connection(sock=...)``).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import socket
from collections.abc import Iterable
from typing import Final

from octt.load.ports import BoundPort, SourcePorts

#: connect(2) on a non-blocking socket: the handshake has started, or is still going.
_UNDER_WAY: Final = frozenset({errno.EINPROGRESS, errno.EALREADY, errno.EWOULDBLOCK, errno.EINTR})
#: connect(2): connected (EISCONN: by an earlier call).
_CONNECTED: Final = frozenset({0, errno.EISCONN})
#: Created non-blocking where the platform can (one system call less than `setblocking`).
_NONBLOCKING_STREAM: Final = socket.SOCK_STREAM | getattr(socket, "SOCK_NONBLOCK", 0)

#: A socket family and an address for `socket.connect`.
_Address = tuple[int, tuple[object, ...]]
#: A socket option: level, option, value.
SocketOption = tuple[int, int, int]


class TcpConnector:
    """Opens the TCP connections of one worker's stations (see the module)."""

    def __init__(self, ports: SourcePorts | None = None) -> None:
        """`ports`: the local ports to bind the connections to; without them, the kernel
        chooses on connect."""
        self._ports = ports
        self._addresses: dict[tuple[str, int], list[_Address]] = {}

    async def open(
        self, host: str, port: int, options: Iterable[SocketOption] = ()
    ) -> tuple[socket.socket, BoundPort | None]:
        """A connected, non-blocking socket with TCP_NODELAY and `options`, and the local port
        it is bound to (give it back once the socket is closed); `OSError` if no address of
        `host` answers."""
        loop = asyncio.get_running_loop()
        last: OSError | None = None
        for family, address in await self._resolve(host, port):
            sock = socket.socket(family, _NONBLOCKING_STREAM)
            bound: BoundPort | None = None
            try:
                if not _NONBLOCKING_STREAM & ~socket.SOCK_STREAM:
                    sock.setblocking(False)  # the platform has no SOCK_NONBLOCK
                # What asyncio does for its TCP transports: a frame goes out when written.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for level, option, value in options:
                    sock.setsockopt(level, option, value)
                if self._ports is not None:
                    bound = self._ports.bind(sock)
                await _connected(loop, sock, address)
            except OSError as exc:
                close(sock, bound)
                last = exc
                continue
            except BaseException:
                close(sock, bound)
                raise
            return sock, bound
        raise last or OSError(f"no address for {host}")

    async def _resolve(self, host: str, port: int) -> list[_Address]:
        key = (host, port)
        known = self._addresses.get(key)
        if known is not None:
            return known
        try:
            numeric = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
            found: list[_Address] = [
                (family, tuple(address)) for family, _t, _p, _c, address in infos
            ]
        else:
            family = socket.AF_INET6 if numeric.version == 6 else socket.AF_INET
            found = [(family, (str(numeric), port))]
        if found:
            self._addresses[key] = found
        return found


def close(sock: socket.socket, bound: BoundPort | None) -> None:
    """Close `sock`; the local port it was `bound` to is free again."""
    sock.close()
    if bound is not None:
        bound.give_back()


async def _connected(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, address: tuple[object, ...]
) -> None:
    """Connect the non-blocking `sock` (connect(2): EINPROGRESS, then writable, then the
    outcome in SO_ERROR)."""
    error = sock.connect_ex(address)
    if error in _UNDER_WAY:
        # Asking again is how connect(2) reports progress: 0 once the handshake is done (on
        # loopback, nearly always by now), EALREADY while it is not. Done at once, the
        # socket needs no writer watch added and removed (in uvloop, a poll handle each).
        error = sock.connect_ex(address)
    if error in _CONNECTED:
        return
    if error not in _UNDER_WAY:
        raise OSError(error, os.strerror(error))
    fd = sock.fileno()
    done: asyncio.Future[None] = loop.create_future()

    def writable() -> None:
        if not done.done():
            done.set_result(None)

    loop.add_writer(fd, writable)
    try:
        await done
    finally:
        loop.remove_writer(fd)
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error:
        raise OSError(error, os.strerror(error))
