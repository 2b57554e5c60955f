"""How a load station's TCP connection is opened, on both event loops: a socket with the
options asked for, bound to the worker's next local port (back when the socket is closed, or
when the connect fails), connected without a writer watch when that is done at once and with
one when it is not, and the CSMS's host looked up once."""

from __future__ import annotations

import asyncio
import socket
import sys
from typing import Any

import pytest
from net_support import peer, unbound_ports

from octt.load.ports import SourcePorts
from octt.load.tcp import TcpConnector, close


def hold(conn: socket.socket) -> None:
    conn.recv(1)  # until the client closes


def test_the_socket_is_connected_non_blocking_with_the_options_asked_for(run: Any) -> None:
    async def main() -> None:
        with peer(hold) as port:
            sock, bound = await TcpConnector().open(
                "127.0.0.1", port, [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
            )
            assert bound is None  # no ports of its own: the kernel chose
            assert sock.getpeername() == ("127.0.0.1", port)
            assert not sock.getblocking()
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
            close(sock, bound)

    run(main())


def test_the_socket_is_bound_to_the_next_port_which_comes_back_when_closed(run: Any) -> None:
    local, spare = unbound_ports(2)
    ports = SourcePorts([local, spare])

    async def main() -> None:
        with peer(hold) as port:
            sock, bound = await TcpConnector(ports).open("127.0.0.1", port)
            assert bound is not None and bound.port == local
            assert sock.getsockname()[1] == local
            assert list(ports._free) == [spare]
            close(sock, bound)
            assert sock.fileno() == -1

    run(main())
    assert list(ports._free) == [spare, local]


def test_a_failed_connect_gives_its_port_back(run: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]  # nobody listens there after this
    (local,) = unbound_ports(1)
    ports = SourcePorts([local])

    async def main() -> None:
        with pytest.raises(ConnectionRefusedError):
            await TcpConnector(ports).open("127.0.0.1", port)

    run(main())
    assert list(ports._free) == [local]


def test_a_connect_the_listener_does_not_take_at_once_is_waited_for(run: Any) -> None:
    async def main() -> bool:
        # A listener whose accept queue is full drops the SYN (Linux: until it is accepted
        # from and the client sends the SYN again, a second later): connect(2) stays under way.
        with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
            port = listener.getsockname()[1]
            filler = socket.create_connection(("127.0.0.1", port))
            connecting = asyncio.ensure_future(TcpConnector().open("127.0.0.1", port))
            for _ in range(3):
                await asyncio.sleep(0)
            under_way = not connecting.done()
            first, _ = listener.accept()  # room in the queue: the SYN sent again gets in
            sock, _bound = await asyncio.wait_for(connecting, 10)
            second, _ = listener.accept()
            second.sendall(b"in")
            assert await asyncio.get_running_loop().sock_recv(sock, 2) == b"in"
            for each in (sock, filler, first, second):
                each.close()
        return under_way

    under_way = run(main())
    if sys.platform == "linux":
        assert under_way


def test_a_host_is_looked_up_once(run: Any) -> None:
    async def main() -> None:
        with (
            socket.create_server(("127.0.0.1", 0)) as first,
            socket.create_server(("127.0.0.1", 0)) as second,
        ):
            port, other = first.getsockname()[1], second.getsockname()[1]
            connector = TcpConnector()
            sock, bound = await connector.open("localhost", port)
            close(sock, bound)
            assert list(connector._addresses) == [("localhost", port)]
            # What the lookup found is used from now on: shown by changing it.
            connector._addresses["localhost", port] = [(socket.AF_INET, ("127.0.0.1", other))]
            sock, bound = await connector.open("localhost", port)
            assert sock.getpeername() == ("127.0.0.1", other)
            close(sock, bound)

    run(main())
