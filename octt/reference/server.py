"""Wiring of the reference CSMS: configuration, start and stop of its two servers.

Owns `ReferenceConfig` and `ReferenceCsms`: the OCPP-J WebSocket server (websockets), with the
handshake checks of OCPP-J 1.6 §3 (charge point id from the URL, subprotocol ocpp1.6) and of the
security profiles of the OCPP 1.6 security whitepaper ed.3 (`octt.reference.security`: HTTP
Basic authentication, TLS, client certificates, per charge point), a second, TLS server for
security profiles 2 and 3 when it has TLS files (`octt.reference.tls`), one `CentralSession` per
connection, and the trigger API (aiohttp) beside it, which also serves the firmware image and
receives diagnostics uploads. `serve()` runs one until it is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web
from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as websocket_serve
from websockets.datastructures import Headers
from websockets.exceptions import InvalidHeader
from websockets.headers import build_www_authenticate_basic, parse_subprotocol
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from octt.clock import Clock, SystemClock
from octt.reference.central import CentralSession, SessionContext
from octt.reference.control import ControlApi
from octt.reference.faults import Fault
from octt.reference.files import FileService
from octt.reference.link import OcppLink
from octt.reference.quirks import DUPLICATE_ID_HOLD_S, PING_INTERVAL_S, Quirk
from octt.reference.registry import Registry
from octt.reference.security import Peer, admission
from octt.reference.store import Seed, Store, seed_from_pics
from octt.reference.tls import ReferenceTls, server_context
from octt.resources import default_pics_path
from octt.transport.credentials import RedactingLogger

_LOG = logging.getLogger("octt.reference")
#: The WebSocket library's own ping interval (seconds), used unless Quirk.FREQUENT_PINGS.
_DEFAULT_PING_S = 20.0

#: The only WebSocket subprotocol this Central System speaks (OCPP-J 1.6 §3.1.2).
SUBPROTOCOL = Subprotocol("ocpp1.6")
#: Realm named in the 401 answer's WWW-Authenticate header.
BASIC_AUTH_REALM = "octt reference CSMS"
#: How long the trigger API waits for requests still in flight when it stops.
CONTROL_SHUTDOWN_TIMEOUT_S = 5.0


def default_seed() -> Seed:
    """The test data of the packaged PICS of the reference CSMS (pics/reference-csms.yaml)."""
    return seed_from_pics(default_pics_path())


@dataclass(frozen=True)
class ReferenceConfig:
    """How to run a reference CSMS.

    `host` should be an IP address: a name that resolves to several addresses (e.g. localhost
    as 127.0.0.1 and ::1) would bind several sockets, each with its own free port when port is 0.
    """

    host: str = "127.0.0.1"
    port: int = 0  # OCPP-J WebSocket port; 0 = a free port
    control_port: int = 0  # trigger API port; 0 = a free port
    db: str = ":memory:"  # SQLite file, or ":memory:"
    faults: frozenset[Fault] = frozenset()
    # Legal behaviours that differ from the defaults (octt.reference.quirks).
    quirks: frozenset[Quirk] = frozenset()
    seed: Seed = field(default_factory=default_seed)
    heartbeat_interval_s: int = 300
    call_timeout_s: float = 30.0  # how long a triggered CSMS->CP call waits for the answer
    # Security profiles 2 and 3: the TLS files (None: no TLS server) and the TLS server's port
    # (0 = a free port).
    tls: ReferenceTls | None = None
    tls_port: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "faults", frozenset(Fault(f) for f in self.faults))
        object.__setattr__(self, "quirks", frozenset(Quirk(q) for q in self.quirks))
        for name in ("port", "control_port", "tls_port"):
            value = getattr(self, name)
            if not 0 <= value <= 65535:
                raise ValueError(f"{name} must be 0..65535, got {value}")
        if self.heartbeat_interval_s <= 0:
            raise ValueError(
                f"heartbeat_interval_s must be positive, got {self.heartbeat_interval_s}"
            )
        if self.call_timeout_s <= 0:
            raise ValueError(f"call_timeout_s must be positive, got {self.call_timeout_s}")


def charge_point_id_from_path(path: str) -> str | None:
    """The charge point id: the last segment of the URL path (OCPP-J 1.6 §3.1.1), decoded."""
    segment = urlsplit(path).path.rsplit("/", 1)[-1]
    charge_point_id = unquote(segment)
    return charge_point_id or None


def _offered_subprotocols(headers: Headers) -> list[str]:
    offered: list[str] = []
    for value in headers.get_all("Sec-WebSocket-Protocol"):
        offered.extend(parse_subprotocol(value))
    return offered


def _select_subprotocol(
    connection: ServerConnection, subprotocols: Sequence[Subprotocol]
) -> Subprotocol | None:
    """ocpp1.6 when offered; else none (the handshake check has already refused such an upgrade,
    unless Fault.ACCEPTS_ANY_SUBPROTOCOL lets it through)."""
    return SUBPROTOCOL if SUBPROTOCOL in subprotocols else None


def _client_certificate_cn(ssl_object: Any) -> str | None:
    """The CN of the client certificate the TLS handshake verified, if any."""
    if ssl_object is None:
        return None
    certificate = ssl_object.getpeercert()
    if not certificate:
        return None
    for rdn in certificate.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class ReferenceCsms:
    """A running (or startable) reference Central System."""

    def __init__(self, config: ReferenceConfig, *, clock: Clock | None = None) -> None:
        self._config = config
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._registry = Registry()
        # When each charge point id's last connection closed (Quirk.DUPLICATE_ID_HOLD).
        self._closed_at: dict[str, float] = {}
        self._store: Store | None = None
        self._ws_server: Server | None = None
        self._tls_server: Server | None = None
        self._tls_port = 0
        self._runner: web.AppRunner | None = None
        self._context: SessionContext | None = None
        self._port = 0
        self._control_port = 0
        self._background: set[asyncio.Task[None]] = set()
        self._started = False
        self._stopped = False

    @property
    def config(self) -> ReferenceConfig:
        return self._config

    @property
    def ocpp_url(self) -> str:
        """`ws://host:port`; a charge point connects to `<ocpp_url>/<any path>/<its id>`."""
        self._require_started()
        return f"ws://{_url_host(self._config.host)}:{self._port}"

    @property
    def tls_url(self) -> str | None:
        """`wss://host:tls-port` (security profiles 2 and 3), or None without TLS."""
        self._require_started()
        if self._tls_server is None:
            return None
        return f"wss://{_url_host(self._config.host)}:{self._tls_port}"

    @property
    def control_url(self) -> str:
        """`http://host:control-port`, the base URL of the trigger API."""
        self._require_started()
        return f"http://{_url_host(self._config.host)}:{self._control_port}"

    @property
    def store(self) -> Store:
        """The CSMS's database (for inspection by tests and tools)."""
        if self._store is None:
            raise RuntimeError("the reference CSMS is not started")
        return self._store

    def connected(self) -> list[str]:
        """Ids of the charge points connected now."""
        return self._registry.connected()

    def _require_started(self) -> None:
        if not self._started:
            raise RuntimeError("the reference CSMS is not started")

    async def start(self) -> None:
        """Open the database and start both servers."""
        if self._started or self._stopped:
            raise RuntimeError("a ReferenceCsms can be started once")
        config = self._config
        self._started = True
        try:
            self._store = Store(config.db)
            self._store.apply_seed(config.seed)
            self._context = SessionContext(
                store=self._store,
                faults=config.faults,
                quirks=config.quirks,
                clock=self._clock,
                heartbeat_interval_s=config.heartbeat_interval_s,
                signer=config.tls.signer() if config.tls is not None else None,
            )
            ping_interval = (
                PING_INTERVAL_S if Quirk.FREQUENT_PINGS in config.quirks else _DEFAULT_PING_S
            )
            self._ws_server = await websocket_serve(
                self._handle_connection,
                config.host,
                config.port,
                subprotocols=[SUBPROTOCOL],
                select_subprotocol=_select_subprotocol,
                process_request=self._check_handshake,
                ping_interval=ping_interval,
                logger=RedactingLogger(logging.getLogger("octt.reference.websocket"), {}),
            )
            self._port = int(self._ws_server.sockets[0].getsockname()[1])
            if config.tls is not None:
                self._tls_server = await websocket_serve(
                    self._handle_connection,
                    config.host,
                    config.tls_port,
                    ssl=server_context(config.tls, config.faults),
                    subprotocols=[SUBPROTOCOL],
                    select_subprotocol=_select_subprotocol,
                    process_request=self._check_handshake,
                    ping_interval=ping_interval,
                    logger=RedactingLogger(logging.getLogger("octt.reference.websocket"), {}),
                )
                self._tls_port = int(self._tls_server.sockets[0].getsockname()[1])
            api = ControlApi(
                self._registry,
                self._store,
                config.faults,
                config.call_timeout_s,
                clock=self._clock,
                quirks=config.quirks,
            )
            application = api.application()
            # The firmware image and the diagnostics uploads share the trigger API's server.
            FileService(self._store, self._clock).add_routes(application)
            self._runner = web.AppRunner(application, shutdown_timeout=CONTROL_SHUTDOWN_TIMEOUT_S)
            await self._runner.setup()
            site = web.TCPSite(self._runner, config.host, config.control_port)
            await site.start()
            self._control_port = int(self._runner.addresses[0][1])
        except BaseException:
            await self.stop()
            raise
        if config.faults:
            names = ", ".join(sorted(config.faults))
            _LOG.warning("reference CSMS runs with faults switched on: %s", names)
        _LOG.info("reference CSMS: OCPP at %s, trigger API at %s", self.ocpp_url, self.control_url)

    async def stop(self) -> None:
        """Close every connection and both servers, then the database. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        for server in (self._ws_server, self._tls_server):
            if server is not None:
                # Closing the connections first ends the triggered calls still waiting for an
                # answer, so the trigger API has nothing in flight when it stops.
                server.close()
                await server.wait_closed()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
        if self._store is not None:
            self._store.close()

    async def __aenter__(self) -> ReferenceCsms:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- OCPP-J connections ------------------------------------------------------------------------

    def _check_handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse the WebSocket upgrade unless the request is one this CSMS accepts."""
        charge_point_id = charge_point_id_from_path(request.path)
        if charge_point_id is None:
            return connection.respond(
                HTTPStatus.NOT_FOUND,
                "The URL must end with the charge point id (OCPP-J 1.6 §3.1.1).\n",
            )
        closed_at = self._closed_at.get(charge_point_id)
        if (
            Quirk.DUPLICATE_ID_HOLD in self._config.quirks
            and closed_at is not None
            and self._clock.monotonic() - closed_at < DUPLICATE_ID_HOLD_S
        ):
            _LOG.info("%s: refused, the id is still held (duplicate-id-hold)", charge_point_id)
            return connection.respond(
                HTTPStatus.CONFLICT, f"Charge point {charge_point_id} is still connected.\n"
            )
        try:
            offered = _offered_subprotocols(request.headers)
        except InvalidHeader:
            offered = []
        if SUBPROTOCOL not in offered and Fault.ACCEPTS_ANY_SUBPROTOCOL not in self._config.faults:
            _LOG.info("%s: refused, subprotocol %s not offered", charge_point_id, SUBPROTOCOL)
            return connection.respond(
                HTTPStatus.BAD_REQUEST, f"The subprotocol {SUBPROTOCOL} must be offered.\n"
            )
        # The security profiles (OCPP 1.6 security whitepaper ed.3): Basic authentication with
        # the charge point id as user name (1, 2), TLS (2, 3), a client certificate (3).
        ssl_object = connection.transport.get_extra_info("ssl_object")
        refusal = admission(
            self.store.security_profile(charge_point_id),
            self.store.password(charge_point_id),
            Peer(
                charge_point_id,
                tls=ssl_object is not None,
                client_certificate_cn=_client_certificate_cn(ssl_object),
                authorization=request.headers.get("Authorization"),
            ),
            self._config.faults,
        )
        if refusal is None:
            return None
        _LOG.info("%s: refused, %s", charge_point_id, refusal.reason)
        response = connection.respond(
            HTTPStatus(refusal.status), f"{HTTPStatus(refusal.status).phrase}: {refusal.reason}.\n"
        )
        if refusal.status == HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = build_www_authenticate_basic(BASIC_AUTH_REALM)
        return response

    async def _handle_connection(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None and self._context is not None
        charge_point_id = charge_point_id_from_path(websocket.request.path)
        assert charge_point_id is not None  # checked in the handshake
        link = OcppLink(websocket, charge_point_id, self._config.faults, self._config.quirks)
        session = CentralSession(charge_point_id, link, self._context)
        previous = self._registry.attach(session)
        if previous is not None:
            _LOG.info("%s: new connection replaces the previous one", charge_point_id)
            self._spawn(previous.close("replaced by a new connection"))
        _LOG.info("%s: connected from %s", charge_point_id, websocket.remote_address)
        try:
            await session.run()
        finally:
            self._registry.detach(session)
            self._closed_at[charge_point_id] = self._clock.monotonic()
            _LOG.info("%s: disconnected", charge_point_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


async def serve(
    config: ReferenceConfig, ready: Callable[[ReferenceCsms], None] | None = None
) -> None:
    """Run a reference CSMS until cancelled: start it, call `ready(csms)`, then stop cleanly."""
    csms = ReferenceCsms(config)
    await csms.start()
    try:
        if ready is not None:
            ready(csms)
        await asyncio.get_running_loop().create_future()
    finally:
        await csms.stop()
