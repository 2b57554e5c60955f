"""One load station over a blocking WebSocket (``websockets.sync``), for load tools that run
stations as threads or greenlets, such as the Locust user class in `octt.load.locustfile`.

It drives the same sans-I/O core as the asyncio stations (`StationBehaviour` decides what to
send, `StationProtocol` validates, times and counts), so a station behaves and is judged the
same whichever engine runs it. `call_next` sends the next CALL and blocks until it ends
(answered, CALLERROR, timed out, or the connection lost), answering the CSMS's own CALLs
meanwhile. The hand-off stamp is taken just before the frame is given to the socket, the
arrival stamp as soon as ``recv`` returns it, before any parsing.
"""

from __future__ import annotations

import contextlib
import random
import ssl
from dataclasses import dataclass
from pathlib import Path

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from octt.clock import Clock, SystemClock
from octt.load.behaviour import LoadMix, StationBehaviour, parse_weights
from octt.load.protocol import CallEnded, StationProtocol
from octt.load.stats import CallOutcome, StatsBook
from octt.pics.model import load_pics
from octt.resources import default_pics_path
from octt.transport.websocket import OCPP16, TransportOptions, basic_auth_header
from octt.validation.frames import FrameValidator


class SyncConnectError(Exception):
    """The WebSocket connection could not be opened (refused, timeout, HTTP status, TLS)."""


@dataclass(frozen=True)
class SyncOutcome:
    """A finished CALL as a load tool reports it."""

    ended: CallEnded
    response_length: int  # characters of the answer frame (0 without one)

    @property
    def latency_ms(self) -> float:
        return (self.ended.latency_ns or 0) / 1e6

    @property
    def problem(self) -> str | None:
        """Why this CALL counts as failed (a CALLERROR, no usable answer, a finding), or None."""
        ended = self.ended
        if ended.outcome is CallOutcome.CALLERROR:
            return f"CALLERROR {ended.error_code}"
        if ended.outcome is not CallOutcome.RESULT:
            return f"no answer: {ended.outcome.value}"
        if ended.findings:
            return "finding " + ", ".join(sorted(set(ended.findings)))
        return None


def station_mix(pics_path: str, *, think_time_s: float, weights: str = "") -> tuple[LoadMix, float]:
    """The station mix (idTag, vendor, model from the PICS; default PICS: the reference CSMS's)
    and the response timeout, for load tools configured by strings."""
    pics = load_pics(Path(pics_path) if pics_path else default_pics_path())
    data = pics.test_data
    mix = LoadMix(
        think_time_s=think_time_s,
        weights=parse_weights(weights) if weights else LoadMix().weights,
        connectors=data.number_of_connectors,
        id_tag=data.valid_id_tag,
        vendor=data.charge_point_vendor,
        model=data.charge_point_model,
    )
    return mix, pics.limits.response_timeout_s


class SyncStation:
    """A station on a blocking socket; not thread-safe (one thread or greenlet drives it)."""

    def __init__(
        self,
        options: TransportOptions,
        mix: LoadMix,
        validator: FrameValidator,
        *,
        response_timeout_s: float = 30.0,
        book: StatsBook | None = None,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.options = options
        self.book = book if book is not None else StatsBook()
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._ended: list[CallEnded] = []
        self.protocol = StationProtocol(
            StationBehaviour(options.cp_id, mix, rng or random.Random()),
            validator,
            self.book,
            self._clock,
            response_timeout_s=response_timeout_s,
            on_call_ended=self._ended.append,
        )
        self._ws: ClientConnection | None = None
        self._stack = contextlib.ExitStack()

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def pause_s(self) -> float:
        """The station's pause before its next CALL (exponential around the think time)."""
        return self.protocol.behaviour.pause_s()

    def connect(self) -> None:
        options = self.options
        headers: dict[str, str] = {}
        if options.basic_auth_password is not None:
            headers["Authorization"] = basic_auth_header(options.cp_id, options.basic_auth_password)
        context: ssl.SSLContext | None = None
        if options.csms_url.startswith("wss://"):
            context = ssl.create_default_context()
            if not options.tls_verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        self.book.connection("attempts")
        stack = contextlib.ExitStack()
        try:
            # Entered as a context manager (what websockets asks of connect()); closed by close().
            self._ws = stack.enter_context(
                connect(
                    options.url,
                    subprotocols=[websockets.Subprotocol(p) for p in options.subprotocols],
                    additional_headers=headers,
                    open_timeout=options.connect_timeout_s,
                    max_size=options.max_frame_bytes,
                    compression=None,
                    proxy=None,
                    ping_interval=None,
                    close_timeout=2,
                    ssl=context,
                    user_agent_header="octt",
                )
            )
        except (InvalidURI, InvalidHandshake, OSError, TimeoutError, ValueError) as exc:
            kind = type(exc).__name__
            self.book.connection("failed", kind)
            raise SyncConnectError(f"cannot connect to {options.url}: {exc}") from exc
        self._stack = stack
        if self._ws.subprotocol != OCPP16:
            self.book.connection("opened")
            self.close()
            raise SyncConnectError(f"the CSMS did not agree to subprotocol {OCPP16}")
        self.book.connection("opened")

    def call_next(self) -> SyncOutcome:
        """Send the station's next CALL and wait until it ends."""
        ws = self._ws
        if ws is None:
            raise SyncConnectError("not connected")
        protocol = self.protocol
        self._ended.clear()
        length = 0
        try:
            text = protocol.begin_call()
            stamp = self._clock.monotonic_ns()
            ws.send(text)
            protocol.handed_off(stamp)
            while not self._ended:
                deadline = protocol.deadline()
                wait = None if deadline is None else max(0.0, deadline - self._clock.monotonic())
                try:
                    message = ws.recv(timeout=wait)
                except TimeoutError:
                    protocol.expire(self._clock.monotonic())
                    continue
                arrived = self._clock.monotonic_ns()
                for reply in protocol.receive(message, arrived):
                    ws.send(reply)
                if self._ended:
                    length = len(message)
        except ConnectionClosed:
            self._lost()
        return SyncOutcome(self._ended[-1], length)

    def _lost(self) -> None:
        self.book.connection("lost")
        self.protocol.connection_lost()
        self._ws = None

    def close(self) -> None:
        self._ws = None
        stack, self._stack = self._stack, contextlib.ExitStack()
        stack.close()
