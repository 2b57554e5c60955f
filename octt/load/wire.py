"""A lean WebSocket client connection for load stations: the `websockets` library's sans-I/O
client protocol under a plain `asyncio.Protocol`, with callbacks instead of tasks.

The conformance engine's transport (`octt.transport.websocket`) wraps the library's asyncio
connection: a reader task per connection, an awaited `recv` per message, a timeout context per
wait. That is right for one charge point and too much for twenty thousand: per CALL it costs
several task switches and timer objects. Here a message goes from `data_received` straight to
the station's handler, and sending is one `transport.write`. What stays the same as in the
engine's transport: the opening handshake (OCPP-J 1.6 §3.1: the charge point id as the last
path segment or in place of ``{cp_id}``, subprotocol ``ocpp1.6``, HTTP Basic credentials for
security profiles 1 and 2), TLS for ``wss://``, the failure kinds, and where the stamps are
taken: the hand-off stamp just before the frame is written to the socket, the arrival stamp
when the bytes come out of it, before the frame is parsed. Over plain TCP (``ws://``) a
connection can run on `octt.load.stamped`'s stream instead of the loop's transport: then the
arrival stamp is the kernel's receive time of the bytes, however late the loop read them.

Pings from the CSMS are answered by the sans-I/O protocol (RFC 6455 §5.5.2). Fragmented
messages (RFC 6455 §5.4) are assembled here, since the sans-I/O layer hands out frames.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import struct
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

try:  # the library's masking in C, as its own frames use it
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - a build without the C extension
    from websockets.utils import apply_mask

from octt.clock import Clock
from octt.load.stamped import ReadDelays, StampedConnector
from octt.load.tcp import TcpConnector
from octt.transport import tls
from octt.transport.websocket import (
    NO_UPGRADE_ANSWER,
    ConnectFailure,
    ConnectFailureKind,
    TransportClosed,
    TransportOptions,
    client_tls,
    credential_headers,
    refused_upgrade,
)

#: After octt started or answered a closing handshake, how long the CSMS has to close the TCP
#: connection before octt drops it (RFC 6455 §7.1.1: the server closes first).
CLOSE_WAIT_S = 2.0

MessageHandler = Callable[[str | bytes, int], None]
LostHandler = Callable[[TransportClosed], None]


class WireConnection(asyncio.Protocol):
    """One station's WebSocket connection. `attach` its handlers after `open_wire`: every
    complete message with its arrival stamp, and (once) the connection's end. What came before
    (a CALL right behind the handshake's answer, an early close) is handed over on `attach`."""

    def __init__(
        self,
        ws: ClientProtocol,
        clock: Clock,
        request_headers: dict[str, str],
        delays: ReadDelays | None = None,
    ) -> None:
        self._ws = ws
        self._clock = clock
        self._headers = request_headers
        self._transport: asyncio.Transport | None = None
        self._opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._parts: list[bytes] = []  # a fragmented message so far
        self._text = True  # the fragmented message's type
        self._arrival_ns = 0
        self._waited_ns = 0  # how long it waited in the socket (kernel stamps only)
        self._delays = delays
        self._abort_timer: asyncio.TimerHandle | None = None
        self._on_message: MessageHandler | None = None
        self._on_lost: LostHandler | None = None
        self._early: list[tuple[str | bytes, int]] = []  # messages before `attach`
        self._closed: TransportClosed | None = None
        self.subprotocol: str | None = None

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport: asyncio's own, or another loop's (uvloop's does not subclass
        # asyncio.Transport but has the same methods).
        self._transport = cast(asyncio.Transport, transport)
        request = self._ws.connect()
        for name, value in self._headers.items():
            request.headers[name] = value
        self._ws.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.data_arrived(data, self._clock.monotonic_ns())

    def data_arrived(self, data: bytes, arrival_ns: int, waited_ns: int = 0) -> None:
        """`data` came in at `arrival_ns` (monotonic): the kernel's stamp from a
        `octt.load.stamped.StampedStream` (it had waited `waited_ns` in the socket), or the
        loop's when it read them."""
        self._arrival_ns = arrival_ns
        self._waited_ns = waited_ns
        self._ws.receive_data(data)
        self._events()

    def eof_received(self) -> bool | None:
        self._ws.receive_eof()
        self._events()  # e.g. a refused upgrade's answer that ends at the close
        return None  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        if self._abort_timer is not None:
            self._abort_timer.cancel()
        if not self._opened.done():
            self._opened.set_exception(
                _handshake_failure(EOFError("connection closed during the handshake"))
            )
        if not self._gone.done():
            self._gone.set_result(None)
            received = self._ws.close_rcvd
            sent = self._ws.close_sent
            frame = received or sent
            local = sent if sent is not None and self._ws.close_rcvd_then_sent is not True else None
            self._closed = TransportClosed(
                frame.code if frame else None,
                frame.reason if frame else "",
                local.code if local is not None else None,
            )
            if self._on_lost is not None:
                self._on_lost(self._closed)

    # -- what the station does -------------------------------------------------------------

    def attach(self, on_message: MessageHandler, on_lost: LostHandler) -> None:
        """Hand messages and the end of the connection to these, starting with what came
        before."""
        self._on_message, self._on_lost = on_message, on_lost
        early, self._early = self._early, []
        for message, stamp in early:
            on_message(message, stamp)
        if self._closed is not None:
            on_lost(self._closed)

    def send(self, text: str) -> int:
        """Send one text frame; the monotonic ns at which it was handed to the socket."""
        stamp = self._clock.monotonic_ns()
        transport = self._transport
        if self._ws.state is State.OPEN and transport is not None and not transport.is_closing():
            # The library's state machine keeps nothing of a whole data frame it sends (only
            # of fragments and of the close): the frame is written here, in one piece.
            transport.write(text_frame(text.encode()))
        return stamp

    async def close(self) -> None:
        """Start the closing handshake (1000) and wait until the connection is gone."""
        if self._ws.state is State.OPEN:
            self._ws.send_close(1000)
            self._flush()
            self._close_soon()
        elif self._transport is not None and not self._gone.done():
            self._transport.abort()
        await asyncio.shield(self._gone)

    @property
    def transport(self) -> asyncio.Transport | None:
        return self._transport

    def when_gone(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the connection is gone (soon, if it is gone already)."""
        self._gone.add_done_callback(lambda _gone: callback())

    async def handshake_done(self) -> None:
        """Until the CSMS accepted the upgrade (`ConnectFailure` if it did not)."""
        await self._opened

    # -- inside ----------------------------------------------------------------------------

    def _events(self) -> None:
        self._flush()  # pongs, the answer to a close
        for event in self._ws.events_received():
            if isinstance(event, Frame):
                self._frame(event)
            elif isinstance(event, Response):
                self._handshake_answered(event)
        if self._ws.close_expected():
            self._close_soon()

    def _deliver(self, message: str | bytes) -> None:
        if self._delays is not None:
            self._delays.add(self._waited_ns)
        if self._on_message is not None:
            self._on_message(message, self._arrival_ns)
        else:
            self._early.append((message, self._arrival_ns))

    def _flush(self) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        for data in self._ws.data_to_send():
            if data:
                transport.write(data)
            elif transport.can_write_eof():  # RFC 6455 §7.1.1: half-close after the handshake
                transport.write_eof()

    def _close_soon(self) -> None:
        if self._abort_timer is None and self._transport is not None:
            self._abort_timer = asyncio.get_running_loop().call_later(
                CLOSE_WAIT_S, self._transport.abort
            )

    def _handshake_answered(self, response: Response) -> None:
        if self._opened.done():
            return
        failure = self._ws.handshake_exc
        if failure is not None:
            self._opened.set_exception(_handshake_failure(failure))
            if self._transport is not None:
                self._transport.abort()
            return
        self.subprotocol = self._ws.subprotocol
        self._opened.set_result(None)

    def _frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if frame.fin:
                data = frame.data
                self._deliver(str(data, "utf-8") if opcode is Opcode.TEXT else bytes(data))
                return
            self._parts = [bytes(frame.data)]
            self._text = opcode is Opcode.TEXT
        elif opcode is Opcode.CONT:
            self._parts.append(bytes(frame.data))
            if frame.fin:
                data = b"".join(self._parts)
                self._parts = []
                self._deliver(data.decode() if self._text else data)


class TlsContext:
    """The charge point's TLS context for ``wss://``, built on first use and then shared: the
    stations of one pool connect with the same settings, and building a context (loading the
    trusted certificates) costs far more than a handshake's share of it."""

    def __init__(self) -> None:
        self._built = False
        self._context: ssl.SSLContext | None = None

    def get(self, options: TransportOptions) -> ssl.SSLContext | None:
        """`ConnectFailure` (TLS) if it cannot be built (then it is tried again next time)."""
        if not self._built:
            _tls_options, self._context = client_tls(options)
            self._built = True
        return self._context


def text_frame(payload: bytes) -> bytes:
    """One whole text frame from a client: FIN and opcode 1 (RFC 6455 §5.2), the payload
    length in 7, 7+16 or 7+64 bits, and the payload masked with a fresh key from the
    system's random source (§5.3: every client frame, an unpredictable key each time).
    What `websockets`' ``Frame(OP_TEXT, payload).serialize(mask=True)`` writes, without its
    general path (extensions, fragments, control frames) on each of a station's CALLs."""
    length = len(payload)
    if length < 126:
        header = bytes((0x81, 0x80 | length))
    elif length < 1 << 16:
        header = _LENGTH_16.pack(0x81, 0x80 | 126, length)
    else:
        header = _LENGTH_64.pack(0x81, 0x80 | 127, length)
    mask = os.urandom(4)
    return header + mask + apply_mask(payload, mask)


_LENGTH_16 = struct.Struct("!BBH")
_LENGTH_64 = struct.Struct("!BBQ")


async def _over_socket(
    wire: WireConnection,
    tcp: TcpConnector,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None,
) -> None:
    """The loop's transport (and TLS) for `wire` on a socket `tcp` connects."""
    sock, bound = await tcp.open(host, port)
    try:
        await asyncio.get_running_loop().create_connection(
            lambda: wire,
            sock=sock,
            ssl=ssl_context,
            server_hostname=host if ssl_context is not None else None,
        )
    except BaseException:
        # The loop owns the socket from the call on and closes it when it fails (closing it
        # here too could close a descriptor already reused by another connection).
        if bound is not None:
            bound.give_back()
        raise
    if bound is not None:
        wire.when_gone(bound.give_back)


def _handshake_failure(exc: BaseException) -> ConnectFailure:
    if isinstance(exc, InvalidStatus):
        return refused_upgrade(exc.response.status_code)
    if isinstance(exc, EOFError):
        return ConnectFailure(ConnectFailureKind.HANDSHAKE, NO_UPGRADE_ANSWER)
    return ConnectFailure(ConnectFailureKind.HANDSHAKE, f"WebSocket handshake failed: {exc}")


async def open_wire(
    options: TransportOptions,
    clock: Clock,
    tls_context: TlsContext | None = None,
    stamped: StampedConnector | None = None,
    tcp: TcpConnector | None = None,
) -> WireConnection:
    """Open the connection (TCP, TLS for ``wss://``, the WebSocket upgrade) within the
    connect timeout; `ConnectFailure` with the same kinds as the engine's transport.
    `tls_context`: the stations' shared TLS set-up (`TlsContext`), instead of building one
    for this connection. `stamped`: plain TCP goes through it, so that arrivals carry the
    kernel's stamps (`octt.load.stamped`); without it, or for TLS, the loop's transport, on a
    socket `tcp` opens (`octt.load.tcp`: the worker's local ports) where it is given."""
    url = options.url
    try:
        uri = parse_uri(url)
    except (InvalidURI, ValueError) as exc:
        detail = str(exc) if isinstance(exc, InvalidURI) else f"{url}: {exc}"
        raise ConnectFailure(ConnectFailureKind.INVALID_URL, f"invalid URL: {detail}") from exc
    ssl_context = (tls_context or TlsContext()).get(options)
    headers = {"User-Agent": "octt", **credential_headers(options)}
    ws = ClientProtocol(
        uri,
        subprotocols=[Subprotocol(p) for p in options.subprotocols],
        max_size=options.max_frame_bytes,
    )
    loop = asyncio.get_running_loop()
    plain = stamped if ssl_context is None else None  # the kernel's stamps: plain TCP only
    wire = WireConnection(ws, clock, headers, plain.delays if plain is not None else None)
    try:
        async with asyncio.timeout(options.connect_timeout_s):
            try:
                if plain is not None:
                    await plain.connect(uri.host, uri.port, wire)
                elif tcp is not None:
                    await _over_socket(wire, tcp, uri.host, uri.port, ssl_context)
                else:
                    await loop.create_connection(
                        lambda: wire,
                        uri.host,
                        uri.port,
                        ssl=ssl_context,
                        server_hostname=uri.host if ssl_context is not None else None,
                    )
                await wire.handshake_done()
            except BaseException:
                if wire.transport is not None:
                    wire.transport.abort()
                raise
    except ConnectFailure:
        raise
    except ssl.SSLError as exc:
        host = urlsplit(url).hostname or ""
        raise ConnectFailure(ConnectFailureKind.TLS, tls.failure_detail(exc, host)) from exc
    except InvalidHandshake as exc:
        raise _handshake_failure(exc) from exc
    except TimeoutError as exc:
        raise ConnectFailure(
            ConnectFailureKind.TIMEOUT,
            f"no WebSocket connection within {options.connect_timeout_s:g} s",
        ) from exc
    except OSError as exc:
        raise ConnectFailure(
            ConnectFailureKind.REFUSED, f"cannot connect to {url}: {exc.strerror or exc}"
        ) from exc
    return wire
