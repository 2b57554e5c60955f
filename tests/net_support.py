"""Local ports for tests that bind explicitly: below Linux's default ephemeral range, so that no
other test's socket can be given one of them by the kernel between the check and the use."""

from __future__ import annotations

import random
import socket

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
