"""The stations' TCP stream with the kernel's arrival stamps, on both event loops, against a
plain socket server in a thread (so that blocking the client's loop does not block the server):
the arrival is when the kernel got the data, not when the loop read it; writes the socket cannot
take yet keep their order; the ends of a connection reach the receiver once; the worker's local
port a connection was bound to comes back when it ends."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import pytest
from net_support import peer, unbound_ports

from octt.clock import SystemClock
from octt.load.ports import SourcePorts
from octt.load.stamped import (
    ArrivalStamp,
    ReadDelays,
    StampedConnector,
    arrival_stamp_for,
    kernel_stamps_available,
)
from octt.load.tcp import TcpConnector

pytestmark = pytest.mark.skipif(
    not kernel_stamps_available(), reason="this system does not stamp received TCP data"
)

MS = 1_000_000


class Receiver:
    """What a `WireConnection` would be told, in order."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.data: list[tuple[bytes, int, int]] = []
        self.lost = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.events.put_nowait(("made", transport))

    def data_arrived(self, data: bytes, arrival_ns: int, waited_ns: int = 0) -> None:
        self.data.append((data, arrival_ns, waited_ns))
        self.events.put_nowait(("data", data))

    def eof_received(self) -> bool | None:
        self.events.put_nowait(("eof", None))
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost += 1
        self.events.put_nowait(("lost", exc))

    async def next(self, kind: str) -> Any:
        while True:
            event, value = await asyncio.wait_for(self.events.get(), 5)
            if event == kind:
                return value


def test_the_arrival_is_the_kernels_even_when_the_loop_was_busy(run: Any) -> None:
    go, sent = threading.Event(), threading.Event()

    def answer_when_told(conn: socket.socket) -> None:
        go.wait(5)
        conn.sendall(b"answer")
        sent.set()
        conn.recv(1)  # until the client closes

    async def main() -> tuple[int, int, int]:
        receiver = Receiver()
        with peer(answer_when_told) as port:
            stream = await StampedConnector(SystemClock()).connect("127.0.0.1", port, receiver)
            before = time.monotonic_ns()
            go.set()
            assert sent.wait(5)  # the loop is blocked from here on ...
            seen_sent = time.monotonic_ns()
            time.sleep(0.05)  # ... for 50 ms more: a worker busy with other stations
            assert await receiver.next("data") == b"answer"
            stream.close()
            await receiver.next("lost")
        ((_data, arrival, waited),) = receiver.data
        assert before <= arrival <= seen_sent + 1 * MS
        return arrival, waited, seen_sent

    _arrival, waited, _seen = run(main())
    assert waited >= 50 * MS


def test_writes_the_socket_cannot_take_yet_go_out_in_order(run: Any) -> None:
    got = bytearray()
    reading = threading.Event()

    def read_later(conn: socket.socket) -> None:
        reading.wait(5)
        while chunk := conn.recv(1 << 16):
            got.extend(chunk)

    chunks = [bytes([n]) * 100_000 for n in range(64)]  # 6.4 MB: more than the buffers hold

    async def main() -> Receiver:
        receiver = Receiver()
        with peer(read_later) as port:
            stream = await StampedConnector(SystemClock()).connect("127.0.0.1", port, receiver)
            for chunk in chunks:
                stream.write(chunk)
            assert stream._pending  # the socket took only part of it
            reading.set()
            stream.close()  # once everything went out
            await receiver.next("lost")
            assert stream.is_closing()
            stream.write(b"too late")  # ignored
        return receiver

    receiver = run(main())
    assert bytes(got) == b"".join(chunks)
    assert receiver.lost == 1


def test_the_peer_closing_is_an_end_of_file_then_the_end(run: Any) -> None:
    def say_and_close(conn: socket.socket) -> None:
        conn.sendall(b"bye")

    async def main() -> list[str]:
        receiver = Receiver()
        with peer(say_and_close) as port:
            await StampedConnector(SystemClock()).connect("127.0.0.1", port, receiver)
            order: list[str] = []
            while not order or order[-1] != "lost":
                event, _value = await asyncio.wait_for(receiver.events.get(), 5)
                order.append(event)
        return order

    assert run(main()) == ["made", "data", "eof", "lost"]


def test_abort_ends_the_connection_once(run: Any) -> None:
    def wait_for_end(conn: socket.socket) -> None:
        conn.recv(1)

    async def main() -> Receiver:
        receiver = Receiver()
        with peer(wait_for_end) as port:
            stream = await StampedConnector(SystemClock()).connect("127.0.0.1", port, receiver)
            stream.abort()
            stream.abort()
            stream.close()
            assert await receiver.next("lost") is None
            await asyncio.sleep(0)  # a second report would come on this iteration
        return receiver

    assert run(main()).lost == 1


def test_no_listener_is_a_refused_connection(run: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]  # closed below: nobody listens there any more

    async def main() -> None:
        with pytest.raises(ConnectionRefusedError):
            await StampedConnector(SystemClock()).connect("127.0.0.1", port, Receiver())

    run(main())


def test_a_connection_is_bound_to_the_next_port_which_comes_back_at_its_end(run: Any) -> None:
    seen: list[int] = []

    def note_peer(conn: socket.socket) -> None:
        seen.append(conn.getpeername()[1])
        conn.recv(1)

    local, spare = unbound_ports(2)
    ports = SourcePorts([local, spare])

    async def main() -> None:
        receiver = Receiver()
        with peer(note_peer) as port:
            connector = StampedConnector(SystemClock(), tcp=TcpConnector(ports))
            stream = await connector.connect("127.0.0.1", port, receiver)
            assert list(ports._free) == [spare]
            stream.abort()
            await receiver.next("lost")

    run(main())
    assert seen == [local]
    assert list(ports._free) == [spare, local]


def test_plain_websocket_urls_get_the_kernels_stamps() -> None:
    assert arrival_stamp_for("ws://127.0.0.1:9000/ocpp") is ArrivalStamp.KERNEL
    assert arrival_stamp_for("WS://csms.example/ocpp") is ArrivalStamp.KERNEL
    assert arrival_stamp_for("wss://csms.example/ocpp") is ArrivalStamp.EVENT_LOOP


def test_read_delays_are_handed_over_once() -> None:
    delays = ReadDelays()
    delays.add(5)
    delays.add(7)
    assert delays.take() == (5, 7)
    assert delays.take() == ()
