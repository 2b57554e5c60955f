"""The load stations' lean WebSocket client against small loopback servers: the upgrade (id in
the path, subprotocol, Basic credentials), stamps, fragmented messages, pings, failures by
kind, and how a close is reported."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
import websockets.frames as frames_module
from net_support import unbound_ports
from security_support import session_pki
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from octt.clock import SystemClock
from octt.load import wire as wire_module
from octt.load.ports import SourcePorts
from octt.load.stamped import ReadDelays, StampedConnector, kernel_stamps_available
from octt.load.tcp import TcpConnector
from octt.load.wire import WireConnection, open_wire
from octt.pki.layout import Item
from octt.transport.websocket import (
    ConnectFailure,
    ConnectFailureKind,
    TransportClosed,
    TransportOptions,
)

Handler = Callable[[ServerConnection], Awaitable[None]]


@dataclass(frozen=True)
class Way:
    """How `open_wire` reaches the socket."""

    stamped: StampedConnector | None = None
    tcp: TcpConnector | None = None


@pytest.fixture(params=["event loop", "kernel", "own socket"])
def way(request: pytest.FixtureRequest) -> Way:
    """Each test over every way to the socket: the loop's transport, the stream that reads the
    kernel's arrival stamps (where the system has them), and the loop's transport on a socket
    the worker connected itself, bound to one of its ports."""
    if request.param == "event loop":
        return Way()
    if request.param == "own socket":
        return Way(tcp=TcpConnector(SourcePorts(unbound_ports(4))))
    if not kernel_stamps_available():
        pytest.skip("this system does not stamp received TCP data")
    return Way(stamped=StampedConnector(SystemClock(), ReadDelays()))


async def _with_server(
    handler: Handler,
    scenario: Callable[[str], Awaitable[None]],
    process_request: Callable[[ServerConnection, Request], Response | None] | None = None,
) -> None:
    async with serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        process_request=process_request,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        await scenario(f"ws://127.0.0.1:{port}/ocpp")


def test_a_message_goes_out_and_the_answer_comes_back_stamped(
    way: Way,
) -> None:
    seen: dict[str, object] = {}

    async def echo(ws: ServerConnection) -> None:
        seen["path"] = ws.request.path if ws.request else None
        seen["auth"] = ws.request.headers.get("Authorization") if ws.request else None
        async for message in ws:
            await ws.send(f"echo {message}")

    async def scenario(url: str) -> None:
        clock = SystemClock()
        wire = await open_wire(
            TransportOptions(url, "CP-1", basic_auth_password="pw"),
            clock,
            None,
            way.stamped,
            way.tcp,
        )
        got: asyncio.Queue[tuple[str | bytes, int]] = asyncio.Queue()
        wire.attach(lambda message, stamp: got.put_nowait((message, stamp)), lambda closed: None)
        sent = wire.send('[2,"1","Heartbeat",{}]')
        message, arrived = await asyncio.wait_for(got.get(), 5)
        assert message == 'echo [2,"1","Heartbeat",{}]'
        assert sent <= arrived <= clock.monotonic_ns()
        assert wire.subprotocol == "ocpp1.6"
        await wire.close()
        if way.stamped is not None:  # one wait noted per message: not the upgrade, not the close
            assert way.stamped.delays is not None and len(way.stamped.delays.take()) == 1

    asyncio.run(_with_server(echo, scenario))
    assert seen["path"] == "/ocpp/CP-1"
    assert seen["auth"] == "Basic Q1AtMTpwdw=="  # CP-1:pw


def test_fragments_make_one_message_and_pings_are_answered(
    way: Way,
) -> None:
    async def fragments(ws: ServerConnection) -> None:
        await ws.ping()
        await ws.send(iter(["[3,", '"1",', "{}]"]))
        await ws.wait_closed()

    async def scenario(url: str) -> None:
        wire = await open_wire(
            TransportOptions(url, "CP-2"), SystemClock(), None, way.stamped, way.tcp
        )
        got: asyncio.Queue[str | bytes] = asyncio.Queue()
        wire.attach(lambda message, stamp: got.put_nowait(message), lambda closed: None)
        assert await asyncio.wait_for(got.get(), 5) == '[3,"1",{}]'
        await wire.close()

    asyncio.run(_with_server(fragments, scenario))


def test_a_close_from_the_csms_is_reported_once_with_its_code(
    way: Way,
) -> None:
    async def closer(ws: ServerConnection) -> None:
        await ws.close(4000, "replaced")

    async def scenario(url: str) -> None:
        wire = await open_wire(
            TransportOptions(url, "CP-3"), SystemClock(), None, way.stamped, way.tcp
        )
        lost: asyncio.Queue[TransportClosed] = asyncio.Queue()
        wire.attach(lambda message, stamp: None, lost.put_nowait)
        closed = await asyncio.wait_for(lost.get(), 5)
        assert (closed.code, closed.reason, closed.local_code) == (4000, "replaced", None)
        await wire.close()  # already gone: returns at once
        assert lost.empty()

    asyncio.run(_with_server(closer, scenario))


def test_a_refused_upgrade_is_an_http_status_failure(way: Way) -> None:
    def refuse(connection: ServerConnection, request: Request) -> Response:
        return Response(401, "Unauthorized", Headers(), b"")

    async def scenario(url: str) -> None:
        with pytest.raises(ConnectFailure) as failure:
            await open_wire(
                TransportOptions(url, "CP-4"), SystemClock(), None, way.stamped, way.tcp
            )
        assert (failure.value.kind, failure.value.status) == (ConnectFailureKind.HTTP_STATUS, 401)
        assert "HTTP 401" in failure.value.detail

    async def unused(ws: ServerConnection) -> None:
        raise AssertionError

    asyncio.run(_with_server(unused, scenario, refuse))


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("ws://127.0.0.1:9", ConnectFailureKind.REFUSED),  # the discard port: nobody listens
        ("http://127.0.0.1:9", ConnectFailureKind.INVALID_URL),
    ],
)
def test_failures_before_the_upgrade_have_their_kind(
    url: str, kind: ConnectFailureKind, way: Way
) -> None:
    async def scenario() -> ConnectFailure:
        with pytest.raises(ConnectFailure) as failure:
            await open_wire(
                TransportOptions(url, "CP-5", connect_timeout_s=2),
                SystemClock(),
                None,
                way.stamped,
                way.tcp,
            )
        return failure.value

    assert asyncio.run(scenario()).kind is kind


def test_a_csms_that_never_answers_the_upgrade_times_out(way: Way) -> None:
    async def scenario() -> ConnectFailure:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            with pytest.raises(ConnectFailure) as failure:
                options = TransportOptions(f"ws://127.0.0.1:{port}", "CP-6", connect_timeout_s=0.2)
                await open_wire(options, SystemClock(), None, way.stamped, way.tcp)
            return failure.value
        finally:
            server.close()

    assert asyncio.run(scenario()).kind is ConnectFailureKind.TIMEOUT


def test_the_connection_class_is_the_asyncio_protocol() -> None:
    assert issubclass(WireConnection, asyncio.Protocol)


@pytest.mark.parametrize("length", [0, 1, 125, 126, 65_535, 65_536, 100_000])
def test_a_text_frame_is_what_the_library_writes(
    length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = bytes(i % 251 for i in range(length))
    key = b"\x01\x82\x33\xf4"
    monkeypatch.setattr(wire_module.os, "urandom", lambda n: key[:n])
    monkeypatch.setattr(frames_module.secrets, "token_bytes", lambda n: key[:n])
    expected = frames_module.Frame(frames_module.Opcode.TEXT, payload).serialize(
        mask=True, extensions=[]
    )
    assert wire_module.text_frame(payload) == expected


def test_each_frame_has_its_own_masking_key() -> None:
    keys = {wire_module.text_frame(b"[2]")[2:6] for _ in range(50)}
    assert len(keys) > 45  # RFC 6455 §5.3: unpredictable, fresh for every frame


def test_the_stations_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    context = ssl.create_default_context()

    def client_tls(options: TransportOptions) -> tuple[None, ssl.SSLContext]:
        built.append(options.cp_id)
        if len(built) == 1:
            raise ConnectFailure(ConnectFailureKind.TLS, "cannot set up TLS")
        return None, context

    monkeypatch.setattr(wire_module, "client_tls", client_tls)
    shared = wire_module.TlsContext()
    options = [TransportOptions("wss://127.0.0.1:1/ocpp", f"CP-{n}") for n in range(4)]
    with pytest.raises(ConnectFailure):
        shared.get(options[0])  # a failure is not kept: the next station tries again
    assert [shared.get(o) for o in options[1:]] == [context] * 3
    assert built == ["CP-0", "CP-1"]


def _tls_server_context() -> ssl.SSLContext:
    pki = session_pki()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.certificate(Item.CSMS_SERVER_RSA), pki.key(Item.CSMS_SERVER_RSA))
    return context


def test_tls_runs_on_the_workers_own_socket_and_port() -> None:
    local, spare = unbound_ports(2)
    ports = SourcePorts([local, spare])
    seen: list[int] = []

    async def echo(ws: ServerConnection) -> None:
        seen.append(ws.remote_address[1])
        async for message in ws:
            await ws.send(f"echo {message}")

    async def scenario() -> None:
        async with serve(
            echo,
            "127.0.0.1",
            0,
            ssl=_tls_server_context(),
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        ) as server:
            port = server.sockets[0].getsockname()[1]
            options = TransportOptions(f"wss://127.0.0.1:{port}/ocpp", "CP-T", tls_verify=False)
            wire = await open_wire(options, SystemClock(), None, None, TcpConnector(ports))
            got: asyncio.Queue[str | bytes] = asyncio.Queue()
            wire.attach(lambda message, stamp: got.put_nowait(message), lambda closed: None)
            wire.send("[2]")
            assert await asyncio.wait_for(got.get(), 5) == "echo [2]"
            assert list(ports._free) == [spare]
            await wire.close()
            await asyncio.sleep(0)  # the port goes back on the iteration after the end

    asyncio.run(scenario())
    assert seen == [local]
    assert list(ports._free) == [spare, local]


def test_a_tls_connection_that_fails_gives_the_port_back() -> None:
    (local,) = unbound_ports(1)
    ports = SourcePorts([local])

    async def scenario() -> None:
        async with serve(echo_nothing, "127.0.0.1", 0) as server:  # plain TCP, no TLS
            port = server.sockets[0].getsockname()[1]
            options = TransportOptions(f"wss://127.0.0.1:{port}/ocpp", "CP-T", tls_verify=False)
            with pytest.raises(ConnectFailure):  # the server resets the TLS hello
                await open_wire(options, SystemClock(), None, None, TcpConnector(ports))

    asyncio.run(scenario())
    assert list(ports._free) == [local]


async def echo_nothing(ws: ServerConnection) -> None:
    await ws.wait_closed()
