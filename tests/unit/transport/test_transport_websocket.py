"""The WebSocket client transport against local servers on 127.0.0.1: URL, subprotocol, Basic
auth, connect failures by kind, close codes, stamps from the injected clock, abort."""

from __future__ import annotations

import asyncio
import base64
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from octt.transport.websocket import (
    OCPP16,
    ConnectFailure,
    ConnectFailureKind,
    TransportClosed,
    TransportOptions,
    WebSocketTransport,
    basic_auth_header,
)

WAIT_S = 5.0


class StepClock:
    """monotonic_ns advances by 1 µs on every reading, so each stamp is identifiable."""

    def __init__(self) -> None:
        self.readings = 0

    def monotonic(self) -> float:
        return self.monotonic_ns() / 1e9

    def monotonic_ns(self) -> int:
        self.readings += 1
        return 1_000 * self.readings

    def utc_now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Seen:
    """What the server saw of each handshake and connection."""

    paths: list[str] = field(default_factory=list)
    headers: list[Headers] = field(default_factory=list)
    received: list[str | bytes] = field(default_factory=list)
    close_codes: list[int | None] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)


Behaviour = Callable[[ServerConnection, Seen], Awaitable[None]]


async def echo(ws: ServerConnection, seen: Seen) -> None:
    async for message in ws:
        seen.received.append(message)
        await ws.send(message)


@asynccontextmanager
async def server(
    behaviour: Behaviour = echo,
    *,
    subprotocols: list[str] | None = None,
    reject_with: int | None = None,
) -> AsyncIterator[tuple[str, Seen]]:
    seen = Seen()

    def process_request(connection: ServerConnection, request: Request) -> Response | None:
        seen.paths.append(request.path)
        seen.headers.append(request.headers)
        if reject_with is not None:
            return connection.respond(reject_with, "refused\n")
        return None

    async def handler(ws: ServerConnection) -> None:
        try:
            await behaviour(ws, seen)
        finally:
            await ws.wait_closed()
            seen.close_codes.append(ws.close_code)
            seen.done.set()

    async with serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=subprotocols if subprotocols is not None else [OCPP16],  # type: ignore[arg-type]
        process_request=process_request,
    ) as running:
        port = next(iter(running.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}", seen


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 10))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def open_transport(
    url: str, cp_id: str = "CP-1", **options: object
) -> tuple[WebSocketTransport, StepClock]:
    clock = StepClock()
    transport = await WebSocketTransport.open(TransportOptions(url, cp_id, **options), clock)  # type: ignore[arg-type]
    return transport, clock


async def failure(url: str, **options: object) -> ConnectFailure:
    with pytest.raises(ConnectFailure) as caught:
        await open_transport(url, **options)
    return caught.value


# -- options and headers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("ws://127.0.0.1:9000", "ws://127.0.0.1:9000/CP-1"),
        ("ws://127.0.0.1:9000/", "ws://127.0.0.1:9000/CP-1"),
        ("wss://csms.example/ocpp/1.6/", "wss://csms.example/ocpp/1.6/CP-1"),
    ],
)
def test_url_is_the_base_plus_the_charge_point_id(base: str, url: str) -> None:
    assert TransportOptions(base, "CP-1").url == url


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("ws://127.0.0.1:9000/ocpp/{cp_id}/", "ws://127.0.0.1:9000/ocpp/CP-1/"),
        ("wss://csms.example/{cp_id}?tenant=a", "wss://csms.example/CP-1?tenant=a"),
    ],
)
def test_cp_id_placeholder_places_the_id(base: str, url: str) -> None:
    assert TransportOptions(base, "CP-1").url == url


def test_option_defaults() -> None:
    options = TransportOptions("ws://x", "CP")
    assert options.subprotocols == (OCPP16,) == ("ocpp1.6",)
    assert options.basic_auth_password is None
    assert options.tls_verify is True


def test_basic_auth_header() -> None:
    header = basic_auth_header("CP-1", "s3cr:et")
    assert header.startswith("Basic ")
    assert base64.b64decode(header.removeprefix("Basic ")) == b"CP-1:s3cr:et"
    assert basic_auth_header("CP", "pässword") == "Basic " + base64.b64encode(
        "CP:pässword".encode()
    ).decode("ascii")


# -- a working connection ----------------------------------------------------------------------


def test_connects_to_base_plus_id_with_the_subprotocol_and_no_auth() -> None:
    async def scenario() -> None:
        async with server() as (url, seen):
            transport, _ = await open_transport(url + "/ocpp", "CP-7")
            assert transport.subprotocol == OCPP16
            await transport.close()
        assert seen.paths == ["/ocpp/CP-7"]
        [headers] = seen.headers
        assert headers["Sec-WebSocket-Protocol"] == "ocpp1.6"
        assert "Authorization" not in headers
        assert headers["User-Agent"] == "octt"

    run(scenario)


def test_basic_auth_is_sent_when_there_is_a_password() -> None:
    async def scenario() -> None:
        async with server() as (url, seen):
            transport, _ = await open_transport(url, "CP-1", basic_auth_password="pw-123")
            await transport.close()
        [headers] = seen.headers
        assert headers["Authorization"] == basic_auth_header("CP-1", "pw-123")

    run(scenario)


def test_offered_subprotocols_are_configurable() -> None:
    async def scenario() -> None:
        async with server(subprotocols=["ocpp2.0.1"]) as (url, seen):
            transport, _ = await open_transport(url, subprotocols=("ocpp2.0.1", "ocpp1.6"))
            assert transport.subprotocol == "ocpp2.0.1"
            await transport.close()
        assert seen.headers[0]["Sec-WebSocket-Protocol"] == "ocpp2.0.1, ocpp1.6"

    run(scenario)


def test_server_that_picks_no_subprotocol() -> None:
    async def scenario() -> None:
        async with server(subprotocols=[]) as (url, _):
            transport, _ = await open_transport(url)
            assert transport.subprotocol is None
            await transport.close()

    run(scenario)


def test_send_and_recv_are_stamped_with_the_injected_clock() -> None:
    async def scenario() -> None:
        async with server() as (url, seen):
            transport, clock = await open_transport(url)
            before = clock.readings
            sent_at = await transport.send('[2,"1","Heartbeat",{}]')
            assert sent_at == 1_000 * (before + 1)
            message, received_at = await asyncio.wait_for(transport.recv(), WAIT_S)
            assert message == '[2,"1","Heartbeat",{}]'
            assert received_at == 1_000 * (before + 2)
            await transport.close()
        assert seen.received == ['[2,"1","Heartbeat",{}]']

    run(scenario)


def test_a_message_is_stamped_when_it_came_out_of_the_socket_not_when_it_is_read() -> None:
    async def scenario() -> None:
        async with server() as (url, _):
            transport, clock = await open_transport(url)
            connection = transport._ws
            arrived = asyncio.Event()
            library_process_event = connection.process_event

            def spy(event: object) -> None:
                library_process_event(event)  # type: ignore[arg-type]
                arrived.set()

            connection.process_event = spy  # type: ignore[method-assign]
            await transport.send('[2,"1","Heartbeat",{}]')  # echoed by the server
            await asyncio.wait_for(arrived.wait(), WAIT_S)
            stamped_on_arrival = clock.readings
            clock.readings += 1000  # the reader gets to the message much later
            message, received_at = await asyncio.wait_for(transport.recv(), WAIT_S)
            assert message == '[2,"1","Heartbeat",{}]'
            assert received_at == 1_000 * stamped_on_arrival
            await transport.close()

    run(scenario)


def test_binary_messages_come_out_as_bytes() -> None:
    async def send_binary(ws: ServerConnection, _seen: Seen) -> None:
        await ws.send(b"\x00\x01binary")
        await ws.wait_closed()

    async def scenario() -> None:
        async with server(send_binary) as (url, _):
            transport, _ = await open_transport(url)
            message, _ = await asyncio.wait_for(transport.recv(), WAIT_S)
            assert message == b"\x00\x01binary"
            await transport.close()

    run(scenario)


# -- closing -----------------------------------------------------------------------------------


def test_server_close_gives_transport_closed_with_code_and_reason() -> None:
    async def close_at_once(ws: ServerConnection, _seen: Seen) -> None:
        await ws.close(4001, "go away")

    async def scenario() -> None:
        async with server(close_at_once) as (url, _):
            transport, _ = await open_transport(url)
            with pytest.raises(TransportClosed) as caught:
                await asyncio.wait_for(transport.recv(), WAIT_S)
            assert (caught.value.code, caught.value.reason) == (4001, "go away")
            assert str(caught.value) == "connection closed (code 4001: go away)"
            with pytest.raises(TransportClosed):
                await transport.send("[]")

    run(scenario)


def test_too_big_frame_closes_with_1009() -> None:
    async def flood(ws: ServerConnection, _seen: Seen) -> None:
        await ws.send("x" * 2048)
        await ws.wait_closed()

    async def scenario() -> None:
        async with server(flood) as (url, seen):
            transport, _ = await open_transport(url, max_frame_bytes=1024)
            with pytest.raises(TransportClosed) as caught:
                await asyncio.wait_for(transport.recv(), WAIT_S)
            assert caught.value.code == 1009
            await asyncio.wait_for(seen.done.wait(), WAIT_S)
        assert seen.close_codes == [1009]

    run(scenario)


def test_close_does_a_closing_handshake() -> None:
    async def scenario() -> None:
        async with server() as (url, seen):
            transport, _ = await open_transport(url)
            await transport.close()
            await asyncio.wait_for(seen.done.wait(), WAIT_S)
            with pytest.raises(TransportClosed) as caught:
                await transport.recv()
            assert caught.value.code == 1000
        assert seen.close_codes == [1000]

    run(scenario)


def test_abort_drops_the_connection_without_a_close_frame() -> None:
    async def scenario() -> None:
        async with server() as (url, seen):
            transport, _ = await open_transport(url)
            transport.abort()
            await asyncio.wait_for(seen.done.wait(), WAIT_S)
            with pytest.raises(TransportClosed) as caught:
                await asyncio.wait_for(transport.recv(), WAIT_S)
            assert caught.value.code is None
        assert seen.close_codes == [1006]  # abnormal closure: no close frame was exchanged

    run(scenario)


# -- connect failures --------------------------------------------------------------------------


def test_nothing_listening_is_refused() -> None:
    async def scenario() -> None:
        url = f"ws://127.0.0.1:{free_port()}"
        failed = await failure(url)
        assert failed.kind is ConnectFailureKind.REFUSED
        assert failed.status is None
        assert f"{url}/CP-1" in failed.detail

    run(scenario)


@pytest.mark.parametrize("status", [401, 403, 404, 503])
def test_http_status_rejection(status: int) -> None:
    async def scenario() -> None:
        async with server(reject_with=status) as (url, _):
            failed = await failure(url, basic_auth_password="wrong")
            assert failed.kind is ConnectFailureKind.HTTP_STATUS
            assert failed.status == status
            assert failed.detail == f"the CSMS answered the WebSocket upgrade with HTTP {status}"
            assert "wrong" not in failed.detail

    run(scenario)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "ws://", "ftp://x/y"])
def test_invalid_url(url: str) -> None:
    async def scenario() -> None:
        failed = await failure(url)
        assert failed.kind is ConnectFailureKind.INVALID_URL
        assert failed.detail.startswith("invalid URL: ")

    run(scenario)


@pytest.mark.parametrize("url", ["ws://127.0.0.1:99999", "ws://127.0.0.1:port", "ws://[::1"])
def test_invalid_port_or_host_is_an_invalid_url(url: str) -> None:
    async def scenario() -> None:
        failed = await failure(url)
        assert failed.kind is ConnectFailureKind.INVALID_URL

    run(scenario)


def test_silent_server_times_out() -> None:
    async def scenario() -> None:
        accepted = asyncio.Event()

        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.set()
            await reader.read()  # never answers the upgrade
            writer.close()

        silent = await asyncio.start_server(hold, "127.0.0.1", 0)
        async with silent:
            port = silent.sockets[0].getsockname()[1]
            failed = await failure(f"ws://127.0.0.1:{port}", connect_timeout_s=0.2)
        assert accepted.is_set()
        assert failed.kind is ConnectFailureKind.TIMEOUT
        assert failed.detail == "no WebSocket connection within 0.2 s"

    run(scenario)


def test_garbage_answer_is_a_handshake_failure() -> None:
    async def scenario() -> None:
        async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"this is not HTTP\r\n\r\n")
            await writer.drain()
            writer.close()

        raw = await asyncio.start_server(garbage, "127.0.0.1", 0)
        async with raw:
            port = raw.sockets[0].getsockname()[1]
            failed = await failure(f"ws://127.0.0.1:{port}")
        assert failed.kind is ConnectFailureKind.HANDSHAKE
        assert failed.detail.startswith("WebSocket handshake failed: ")

    run(scenario)


def test_tls_to_a_plain_server_is_a_tls_failure() -> None:
    async def scenario() -> None:
        async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(1)
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            await reader.read()
            writer.close()

        raw = await asyncio.start_server(plain, "127.0.0.1", 0)
        async with raw:
            port = raw.sockets[0].getsockname()[1]
            failed = await failure(f"wss://127.0.0.1:{port}", tls_verify=False)
        assert failed.kind is ConnectFailureKind.TLS
        assert failed.detail.startswith("TLS handshake failed: ")

    run(scenario)


# -- TLS (security profiles 2 and 3) ----------------------------------------------------------


def test_a_tls_connection_reports_its_facts_and_a_wrong_root_is_named() -> None:
    import ssl as ssl_module

    from security_support import HOST, session_pki

    from octt.pki.layout import Item
    from octt.transport.tls import TlsOptions

    pki = session_pki()
    context = ssl_module.SSLContext(ssl_module.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(
        pki.certificate(Item.CSMS_SERVER_ECDSA), pki.key(Item.CSMS_SERVER_ECDSA)
    )

    async def scenario() -> tuple[WebSocketTransport, ConnectFailure]:
        async with serve(echo_handler, HOST, 0, ssl=context, subprotocols=[OCPP16]) as srv:  # type: ignore[list-item]
            port = srv.sockets[0].getsockname()[1]
            url = f"wss://{HOST}:{port}/ocpp"
            good = TlsOptions(ca_file=pki.certificate(Item.CSMS_ROOT_CA))
            transport = await WebSocketTransport.open(
                TransportOptions(url, "CP-1", tls=good), StepClock()
            )
            facts = transport.tls_facts
            await transport.close()
            wrong = TlsOptions(ca_file=pki.certificate(Item.CP_CA))
            with pytest.raises(ConnectFailure) as info:
                await WebSocketTransport.open(TransportOptions(url, "CP-1", tls=wrong), StepClock())
            assert facts is not None and facts.version in ("TLSv1.2", "TLSv1.3")
            assert facts.server_leaf is not None and facts.server_leaf.common_name == HOST
            return transport, info.value

    _, failure = asyncio.run(scenario())
    assert failure.kind is ConnectFailureKind.TLS
    assert "does not verify against the configured CSMS root CA" in failure.detail


async def echo_handler(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


def test_plain_connections_have_no_tls_facts_and_passwords_can_be_bytes() -> None:
    async def scenario() -> tuple[str | None, bool]:
        async with server(subprotocols=[OCPP16]) as (url, seen):
            options = TransportOptions(url, "CP-1", basic_auth_password=b"\xff" * 16)
            transport = await WebSocketTransport.open(options, StepClock())
            facts = transport.tls_facts
            await transport.close()
            return seen.headers[0].get("Authorization"), facts is None

    header, plain = asyncio.run(scenario())
    assert plain and header == "Basic " + base64.b64encode(b"CP-1:" + b"\xff" * 16).decode()
    assert "\\xff" not in repr(TransportOptions("ws://x", "CP-1", basic_auth_password=b"\xff"))


def test_the_library_never_logs_credentials() -> None:
    import logging

    from octt.transport.credentials import RedactingLogger

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("octt.test.redacting")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Keep())
    adapter = RedactingLogger(logger, {})
    adapter.debug("> %s: %s", "Authorization", "Basic c2VjcmV0")
    adapter.debug("> %s: %s", "Host", "csms")
    assert [r.getMessage() for r in records] == ["> Authorization: ***redacted***", "> Host: csms"]
