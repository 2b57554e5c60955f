"""WebSocket client transport of the simulated charge point (OCPP-J 1.6 §3).

The connection URL is the CSMS endpoint with the charge point id as last path segment (§3.1.1);
the client offers subprotocol ``ocpp1.6`` (§3.1.2) and, for security profiles 1 and 2, sends
HTTP Basic credentials with the charge point id as username (`octt.transport.credentials`); a
``wss://`` endpoint gets TLS 1.2 or higher with the server verified, and for security profile 3
the client certificate (`octt.transport.tls`; OCPP 1.6 security whitepaper ed.3). Frames are
stamped with the monotonic clock at the moment they are handed to, or come out of, the socket;
nothing here parses them.

octt sends no WebSocket pings (OCPP-J 1.6 §5 leaves them to the WebSocketPingInterval key of
the charge point; every wait of octt has its own OCPP deadline, so a CSMS that never answers a
ping cannot stall a case). Pings from the CSMS are answered by the WebSocket library
(RFC 6455 §5.5.2) and reported to a listener, so the link can bound a ping flood.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from octt.clock import Clock
from octt.transport import credentials, tls

OCPP16 = "ocpp1.6"


class ConnectFailureKind(StrEnum):
    INVALID_URL = "invalid-url"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    HTTP_STATUS = "http-status"
    HANDSHAKE = "handshake"
    TLS = "tls"


class ConnectFailure(Exception):
    """The WebSocket connection could not be opened."""

    def __init__(self, kind: ConnectFailureKind, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status


class TransportClosed(Exception):
    """The connection is closed; `code`/`reason` from the close frame when there was one;
    `local_code` is the code of the close frame octt itself started the closing with (e.g. 1009
    when the CSMS sent a message larger than the maximum frame size), else None."""

    def __init__(self, code: int | None, reason: str, local_code: int | None = None) -> None:
        super().__init__(f"connection closed (code {code}{': ' + reason if reason else ''})")
        self.code = code
        self.reason = reason
        self.local_code = local_code


class _ClientConnection(ClientConnection):
    """The library's connection, telling a listener about every ping the CSMS sends, and noting
    when each message's last bytes came out of the socket: its arrival stamp is taken there,
    before the library has even assembled the message, not when a task gets to read it (on a
    busy event loop that can be much later)."""

    ping_listener: Callable[[], None] | None = None
    stamp_ns: Callable[[], int] = staticmethod(time.monotonic_ns)  # the transport's clock

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: deque[int] = deque()  # stamps of the messages not read yet, in order
        self._read_ns = 0

    def data_received(self, data: bytes) -> None:
        self._read_ns = self.stamp_ns()
        super().data_received(data)

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame) and event.fin and event.opcode in _MESSAGE_OPCODES:
            self.arrivals.append(self._read_ns)
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.PING and self.ping_listener:
            self.ping_listener()


# A frame with one of these opcodes and FIN set completes a message that recv() will return.
_MESSAGE_OPCODES = frozenset({Opcode.TEXT, Opcode.BINARY, Opcode.CONT})


@dataclass(frozen=True)
class TransportOptions:
    csms_url: str
    cp_id: str
    subprotocols: tuple[str, ...] = (OCPP16,)
    # A configured password (text, hex of 16-20 bytes) or the bytes of an AuthorizationKey.
    basic_auth_password: str | bytes | None = field(default=None, repr=False)
    connect_timeout_s: float = 10.0
    max_frame_bytes: int = 1 << 20
    tls_verify: bool = True
    tls: tls.TlsOptions | None = None  # None: TLS with verification as `tls_verify` says

    @property
    def url(self) -> str:
        return endpoint_url(self.csms_url, self.cp_id)


#: Where the charge point id goes in a CSMS URL; without it, the id is appended as the last
#: path segment (OCPP-J 1.6 §3.1.1).
CP_ID_PLACEHOLDER = "{cp_id}"


def endpoint_url(csms_url: str, cp_id: str) -> str:
    """The URL the charge point `cp_id` connects to: `{cp_id}` in `csms_url` is replaced by the
    id (a route like ``/ocpp/{cp_id}/``); a URL without it gets the id appended."""
    if CP_ID_PLACEHOLDER in csms_url:
        return csms_url.replace(CP_ID_PLACEHOLDER, cp_id)
    return f"{csms_url.rstrip('/')}/{cp_id}"


def basic_auth_header(username: str, password: str | bytes) -> str:
    return credentials.basic_auth_header(username, password)


def credential_headers(options: TransportOptions) -> dict[str, str]:
    """The upgrade request's Authorization header when a password is configured (HTTP Basic,
    the charge point id as username: security profiles 1 and 2)."""
    if options.basic_auth_password is None:
        return {}
    return {"Authorization": basic_auth_header(options.cp_id, options.basic_auth_password)}


def client_tls(options: TransportOptions) -> tuple[tls.TlsOptions | None, ssl.SSLContext | None]:
    """TLS options and context for a ``wss://`` endpoint, (None, None) for ``ws://``;
    `ConnectFailure` (TLS) when the charge point's side cannot be set up."""
    if not options.csms_url.startswith("wss://"):
        return None, None
    tls_options = options.tls or tls.TlsOptions(verify=options.tls_verify)
    try:
        return tls_options, tls.client_context(tls_options)
    except (ssl.SSLError, OSError) as exc:
        raise ConnectFailure(
            ConnectFailureKind.TLS, f"cannot set up TLS on the charge point: {exc}"
        ) from exc


#: The detail of a connection the CSMS closed before answering the upgrade.
NO_UPGRADE_ANSWER = "the CSMS closed the connection without answering the WebSocket upgrade"


def refused_upgrade(status: int) -> ConnectFailure:
    """The CSMS answered the WebSocket upgrade with another HTTP status than 101."""
    return ConnectFailure(
        ConnectFailureKind.HTTP_STATUS,
        f"the CSMS answered the WebSocket upgrade with HTTP {status}",
        status,
    )


class WebSocketTransport:
    """One open WebSocket connection."""

    def __init__(
        self, ws: ClientConnection, clock: Clock, tls_options: tls.TlsOptions | None = None
    ) -> None:
        self._ws = ws
        self._clock = clock
        if isinstance(ws, _ClientConnection):
            ws.stamp_ns = clock.monotonic_ns  # arrival stamps on the run's clock
        self._tls_options = tls_options

    @classmethod
    async def open(cls, options: TransportOptions, clock: Clock) -> WebSocketTransport:
        headers = credential_headers(options)
        tls_options, ssl_context = client_tls(options)
        try:
            ws = await connect(
                options.url,
                subprotocols=[websockets.Subprotocol(p) for p in options.subprotocols],
                additional_headers=headers,
                open_timeout=options.connect_timeout_s,
                max_size=options.max_frame_bytes,
                compression=None,
                proxy=None,
                ping_interval=None,
                close_timeout=2,
                ssl=ssl_context,
                user_agent_header="octt",
                create_connection=_ClientConnection,
                logger=credentials.RedactingLogger(logging.getLogger("websockets.client"), {}),
            )
        except ssl.SSLError as exc:  # first: a failed certificate check is a ValueError too
            host = urlsplit(options.url).hostname or ""
            raise ConnectFailure(ConnectFailureKind.TLS, tls.failure_detail(exc, host)) from exc
        except (InvalidURI, ValueError) as exc:  # ValueError: e.g. a port out of range
            detail = str(exc) if isinstance(exc, InvalidURI) else f"{options.url}: {exc}"
            raise ConnectFailure(ConnectFailureKind.INVALID_URL, f"invalid URL: {detail}") from exc
        except InvalidStatus as exc:
            raise refused_upgrade(exc.response.status_code) from exc
        except InvalidHandshake as exc:
            cause = exc.__cause__
            if isinstance(cause, ssl.SSLError):  # e.g. TLS 1.3: a client certificate refused
                host = urlsplit(options.url).hostname or ""
                raise ConnectFailure(
                    ConnectFailureKind.TLS, tls.failure_detail(cause, host)
                ) from exc
            detail = f"WebSocket handshake failed: {exc}"
            if isinstance(cause, EOFError):
                detail = NO_UPGRADE_ANSWER
                if tls_options is not None and tls_options.client_certificate is not None:
                    detail += " (with TLS 1.3, that is how a refused client certificate shows)"
            raise ConnectFailure(ConnectFailureKind.HANDSHAKE, detail) from exc
        except TimeoutError as exc:
            raise ConnectFailure(
                ConnectFailureKind.TIMEOUT,
                f"no WebSocket connection within {options.connect_timeout_s:g} s",
            ) from exc
        except (OSError, socket.gaierror) as exc:
            raise ConnectFailure(
                ConnectFailureKind.REFUSED,
                f"cannot connect to {options.url}: {exc.strerror or exc}",
            ) from exc
        return cls(ws, clock, tls_options)

    @property
    def subprotocol(self) -> str | None:
        return self._ws.subprotocol

    @property
    def tls_facts(self) -> tls.TlsFacts | None:
        """Version, cipher suite and certificates of the TLS connection (None: plain ws)."""
        if self._tls_options is None or self._ws.transport is None:
            return None
        return tls.facts_of(self._ws.transport.get_extra_info("ssl_object"), self._tls_options)

    def set_ping_listener(self, listener: Callable[[], None] | None) -> None:
        """Call `listener` for every WebSocket ping from the CSMS (the library answers it)."""
        if isinstance(self._ws, _ClientConnection):
            self._ws.ping_listener = listener

    async def send(self, text: str) -> int:
        """Send one text frame; return the monotonic ns at which it was handed to the socket."""
        stamp = self._clock.monotonic_ns()
        try:
            await self._ws.send(text)
        except ConnectionClosed as exc:
            raise self._closed(exc) from exc
        return stamp

    async def recv(self) -> tuple[str | bytes, int]:
        """The next message and the monotonic ns at which it came out of the socket."""
        try:
            message = await self._ws.recv()
        except ConnectionClosed as exc:
            raise self._closed(exc) from exc
        ws = self._ws
        if isinstance(ws, _ClientConnection) and ws.arrivals:
            return message, ws.arrivals.popleft()
        return message, self._clock.monotonic_ns()

    @staticmethod
    def _closed(exc: ConnectionClosed) -> TransportClosed:
        frame = exc.rcvd or exc.sent
        local = exc.sent if exc.sent is not None and exc.rcvd_then_sent is not True else None
        return TransportClosed(
            frame.code if frame else None,
            frame.reason if frame else "",
            local.code if local is not None else None,
        )

    async def close(self) -> None:
        await self._ws.close()

    def abort(self) -> None:
        """Drop the TCP connection without a closing handshake (power cut, network loss)."""
        transport = self._ws.transport
        if transport is not None:
            transport.abort()
