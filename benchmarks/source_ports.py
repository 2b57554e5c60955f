"""What one connect(2) costs as a process holds more and more connections to one address: with
the local port left to the kernel, and with the port `octt.load.ports.SourcePorts` binds first.

A listener in a child process (pinned to ``--listener-cpu``) accepts and holds every connection;
this process (pinned to ``--cpu``) opens ``--connections`` blocking connections to it, one after
the other, and times each connect (with the bind before it, for octt's ports). It prints, for
each block of ``--block`` connections, the mean and the worst connect in microseconds, for both
ways. On Linux with the default ephemeral range (32768-60999) the kernel's search grows costly
once about 14,000 connections are held (one parity of the range is used up); the ports octt
hands out in turn stay flat. The figures are only meaningful on an otherwise quiet machine.

Usage::

    python benchmarks/source_ports.py [--connections 19000] [--block 1000] [--cpu 0]
        [--listener-cpu 1]

Each process needs one file descriptor per connection (``ulimit -Hn``, which bounds
``--connections``). Connections stay on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import socket
import struct
import sys
import time
from multiprocessing.connection import Connection

from octt.load.ports import PORT_RANGE_FILE, SourcePorts

_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close(2) sends a reset


def _listen(cpu: int, connections: int, report: Connection) -> None:
    os.sched_setaffinity(0, {cpu})
    _raise_fd_limit(connections)
    held: list[socket.socket] = []
    with socket.create_server(("127.0.0.1", 0), backlog=4096) as listener:
        report.send(listener.getsockname()[1])
        while len(held) < connections:
            conn, _ = listener.accept()
            held.append(conn)
        report.recv()  # until the parent is done with them
    for conn in held:
        conn.close()


def _raise_fd_limit(connections: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 100
    if hard != resource.RLIM_INFINITY and hard < wanted:
        sys.exit(f"need {wanted} file descriptors, the hard limit is {hard} (ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _run(connections: int, block: int, cpu: int, listener_cpu: int, ours: bool) -> list[str]:
    context = multiprocessing.get_context("spawn")
    parent_end, child_end = context.Pipe()
    listener = context.Process(target=_listen, args=(listener_cpu, connections, child_end))
    listener.start()
    port = parent_end.recv()
    ports = SourcePorts.for_this_machine() if ours else None
    if ours and ports is None:
        return ["(this system's port range cannot be read: octt leaves the choice to the kernel)"]
    held: list[socket.socket] = []
    lines = []
    times: list[int] = []
    try:
        for index in range(connections):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            started = time.perf_counter_ns()
            if ports is not None:
                ports.bind(sock)
            sock.connect(("127.0.0.1", port))
            times.append(time.perf_counter_ns() - started)
            held.append(sock)
            if (index + 1) % block == 0:
                mean = sum(times) / len(times) / 1000
                lines.append(f"{index + 1:>8,} {mean:>9.1f} {max(times) / 1000:>9.1f}")
                times = []
    finally:
        parent_end.send(None)
        for sock in held:  # reset, not closed: no TIME_WAIT holding ports for the next round
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
            sock.close()
        listener.join(30)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=19_000)
    parser.add_argument("--block", type=int, default=1_000)
    parser.add_argument("--cpu", type=int, default=0)
    parser.add_argument("--listener-cpu", type=int, default=1)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    _raise_fd_limit(args.connections)
    if PORT_RANGE_FILE.exists():
        print("ephemeral port range:", " - ".join(PORT_RANGE_FILE.read_text().split()))
    for ours, title in ((False, "the kernel chooses"), (True, "octt's ports")):
        print(f"{title}: connections held, connect us mean, max (per block of {args.block:,})")
        lines = _run(args.connections, args.block, args.cpu, args.listener_cpu, ours)
        for line in lines:
            print("  " + line)


if __name__ == "__main__":
    main()
