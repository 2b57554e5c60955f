"""The local (source) ports of a load worker's connections, handed out by the worker in turn
instead of searched for by the kernel on every connect.

Linux gives an unbound socket its local port in connect(2) by scanning the ephemeral range
(``net.ipv4.ip_local_port_range``, 32768-60999 unless configured) from a position it keeps per
destination: first the ports of one parity, then the others; a port some connection already
uses is taken only if the new connection's four addresses differ, which the kernel checks by
looking the connection up. Thousands of connections to one CSMS address all need different
ports, so this is cheap until one parity's ports are taken (14,116 of the default range), and
from then on every connect scans all of them: measured on a 2-core Linux 6.18 machine, beyond
about 14,000 connections a thousand connects a second took some 60 % of a core in the kernel,
and a ramp-up of a thousand stations a second fell to about 700.

So a worker keeps the range's ports in a queue (its own stretch of the range first, when
several workers share the machine), binds each new socket to the next one before it connects,
and puts the port back at the end of the queue when the connection is closed: each connect
costs one bind(2) whatever the number of connections. A port that another socket holds (another
program, a connection of this worker's in TIME_WAIT) fails with EADDRINUSE and goes to the end
of the queue. Where the range cannot be read (not Linux, no ``/proc``), or no port binds
within a few tries, the kernel chooses as usual.
"""

from __future__ import annotations

import errno
import socket
import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: Where Linux publishes the ephemeral range and the ports kept out of it (ip-sysctl).
PORT_RANGE_FILE: Final = Path("/proc/sys/net/ipv4/ip_local_port_range")
RESERVED_PORTS_FILE: Final = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")
#: Ports tried for one connection before the kernel is left to choose.
BIND_TRIES: Final = 16
#: bind(2) failures that mean "this port, not now": try the next.
_PORT_TAKEN: Final = frozenset({errno.EADDRINUSE, errno.EACCES})
_ANY_ADDRESS: Final = {socket.AF_INET: "0.0.0.0", socket.AF_INET6: "::"}


class SourcePorts:
    """The ports one worker binds its connections to, in turn (see the module)."""

    def __init__(self, ports: Iterable[int]) -> None:
        self._free: deque[int] = deque(ports)

    @classmethod
    def for_this_machine(cls, share: int = 0, shares: int = 1) -> SourcePorts | None:
        """The machine's ephemeral range without its reserved ports, starting with stretch
        `share` of `shares` (one per worker process); None where the range cannot be read."""
        if sys.platform != "linux":
            return None
        try:
            low, high = parse_port_range(PORT_RANGE_FILE.read_text())
            reserved = parse_reserved_ports(
                RESERVED_PORTS_FILE.read_text() if RESERVED_PORTS_FILE.exists() else ""
            )
        except (OSError, ValueError):
            return None
        ports = [port for port in range(low, high + 1) if port not in reserved]
        if not ports:
            return None
        start = len(ports) * (share % shares) // shares if shares > 0 else 0
        return cls(ports[start:] + ports[:start])

    def bind(self, sock: socket.socket) -> BoundPort | None:
        """Bind `sock` to the next free port (any local address); the port, or None if the
        kernel is to choose one on connect. Other bind errors are raised."""
        address = _ANY_ADDRESS.get(sock.family)
        if address is None:
            return None
        for _ in range(min(BIND_TRIES, len(self._free))):
            port = self._free.popleft()
            try:
                sock.bind((address, port))
            except OSError as exc:
                self._free.append(port)
                if exc.errno in _PORT_TAKEN:
                    continue
                raise
            return BoundPort(self, port)
        return None

    def give_back(self, port: int) -> None:
        """A connection bound to `port` is closed: the port is handed out again last."""
        self._free.append(port)


@dataclass(frozen=True, slots=True)
class BoundPort:
    """The local port a socket was bound to, and the ports it goes back to."""

    ports: SourcePorts
    port: int

    def give_back(self) -> None:
        """The socket is closed (or about to be, by its transport): the port is free."""
        self.ports.give_back(self.port)


def parse_port_range(text: str) -> tuple[int, int]:
    """``ip_local_port_range``: two numbers, the first and the last port (ValueError if not)."""
    fields = text.split()
    if len(fields) != 2:
        raise ValueError(f"expected two port numbers, got {text.strip()!r}")
    low, high = int(fields[0]), int(fields[1])
    if not 0 < low <= high <= 65535:
        raise ValueError(f"not a port range: {low} {high}")
    return low, high


def parse_reserved_ports(text: str) -> frozenset[int]:
    """``ip_local_reserved_ports``: a comma-separated list of ports and ``first-last`` ranges,
    possibly empty (ValueError if malformed)."""
    reserved: set[int] = set()
    for item in text.strip().split(","):
        item = item.strip()
        if not item:
            continue
        first, _dash, last = item.partition("-")
        reserved.update(range(int(first), int(last or first) + 1))
    return frozenset(reserved)
