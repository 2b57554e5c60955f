"""Sockets for tests on loopback: local ports for tests that bind explicitly (below Linux's
default ephemeral range, so that no other test's socket can be given one of them by the kernel
between the check and the use), and a one-connection server in a thread."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Where the ports come from: under 32768, where the kernel does not pick ports (default range).
_FIRST, _LAST = 20_000, 32_000


def unbound_ports(count: int) -> list[int]:
    """`count` ports no socket is bound to right now (wildcard address, as the load binds)."""
    found: list[int] = []
    start = random.randrange(_FIRST, _LAST)
    for offset in range(_LAST - _FIRST):
        port = _FIRST + (start - _FIRST + offset) % (_LAST - _FIRST)
        with socket.socket() as probe:
            try:
                probe.bind(("0.0.0.0", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"fewer than {count} unbound ports in {_FIRST}-{_LAST}")


@contextmanager
def peer(script: Callable[[socket.socket], None]) -> Iterator[int]:
    """A one-connection TCP server on loopback (its port) that runs `script` on the accepted
    socket in a thread of its own, so that a blocked event loop does not block it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port: int = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                script(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        thread.join(10)
