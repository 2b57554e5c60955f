"""Reconnecting like a charge point: the pause before a new connection and the retries.

A real charge point does not reconnect within milliseconds of its previous connection closing,
and a CSMS may still hold the charge point id for a moment (refusing a duplicate connection).
`ReconnectPacer` remembers, per charge point id, the connection the run last had and waits
until `reconnect_pause_s` has passed since it closed (time the scenario spent offline counts;
a reconnect the scenario prescribes waits the pause scaled by the time scale, as its other
simulated waits).
`open_paced` then opens the WebSocket; a refused or failed upgrade is retried with back-off
until the connect timeout, every attempt recorded in the trace (README, "What a CSMS may do
beside the script"). Also here: the transport options and link bounds a run configuration
gives a connection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from octt.clock import Clock
from octt.config import RunConfig
from octt.engine import security
from octt.engine.link import Link, LinkLimits
from octt.record.model import ConnectionEventKind
from octt.record.trace import Recorder
from octt.transport.tls import TlsOptions
from octt.transport.websocket import (
    OCPP16,
    ConnectFailure,
    ConnectFailureKind,
    TransportOptions,
    WebSocketTransport,
)

#: Failures worth another attempt: the CSMS (or its proxy) turned the upgrade down or dropped
#: it. A 401 asks for other credentials, which time does not change; TLS and URL problems stay.
_RETRIED = frozenset(
    {ConnectFailureKind.REFUSED, ConnectFailureKind.HTTP_STATUS, ConnectFailureKind.HANDSHAKE}
)
_UNAUTHORIZED = 401
#: The longest pause between two attempts.
MAX_BACKOFF_S = 2.0


@dataclass
class ReconnectPacer:
    """The run's last connection per charge point id, to pace the next one."""

    pause_s: float = 1.0
    _last: dict[str, Link | float] = field(default_factory=dict)

    def remember(self, cp_id: str, link: Link) -> None:
        """`link` is the charge point's connection now (paced from when it closes)."""
        self._last[cp_id] = link

    def closed(self, cp_id: str, at: float) -> None:
        """A connection without a Link (the reachability probe) closed at `at`."""
        self._last[cp_id] = at

    def remaining_s(self, cp_id: str, now: float, scale: float = 1.0) -> float:
        """How long the charge point still waits before connecting again (`scale`: the time
        scale, for a reconnect the scenario prescribes in simulated time)."""
        last = self._last.get(cp_id)
        closed_at = last if isinstance(last, float) else last.closed_at if last else None
        if closed_at is None:
            return 0.0
        return max(0.0, self.pause_s * scale - (now - closed_at))

    async def wait(self, cp_id: str, clock: Clock, *, scale: float = 1.0) -> None:
        remaining = self.remaining_s(cp_id, clock.monotonic(), scale)
        if remaining > 0:
            await asyncio.sleep(remaining)


def retried(failure: ConnectFailure) -> bool:
    """Whether another attempt may succeed where this one failed."""
    if failure.kind not in _RETRIED:
        return False
    return failure.status != _UNAUTHORIZED


async def open_paced(
    options: TransportOptions,
    clock: Clock,
    recorder: Recorder,
    connection: int,
    *,
    first_pause_s: float,
    budget_s: float,
) -> WebSocketTransport:
    """Open the connection; retry a refused upgrade with back-off (starting at `first_pause_s`,
    doubling, at most MAX_BACKOFF_S) until `budget_s` has passed. The failure of the last
    attempt is raised; the ones before it are recorded as CONNECT_FAILED events."""
    deadline = clock.monotonic() + budget_s
    backoff = max(first_pause_s, 0.01)
    attempt = 1
    while True:
        try:
            return await WebSocketTransport.open(options, clock)
        except ConnectFailure as exc:
            left = deadline - clock.monotonic()
            if not retried(exc) or left <= backoff:
                raise
            recorder.event(
                connection,
                ConnectionEventKind.CONNECT_FAILED,
                f"attempt {attempt}: {exc.detail}; retrying in {backoff:.3g} s",
            )
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF_S)
        attempt += 1


def transport_options(
    config: RunConfig,
    csms_url: str,
    cp_id: str,
    *,
    password: str | None = None,
    subprotocols: tuple[str, ...] | None = None,
) -> TransportOptions:
    """How the charge point connects under this run configuration (password: an override)."""
    return TransportOptions(
        csms_url=csms_url,
        cp_id=cp_id,
        subprotocols=subprotocols or (OCPP16,),
        basic_auth_password=password if password is not None else config.basic_auth_password,
        connect_timeout_s=config.connect_timeout_s,
        max_frame_bytes=config.max_frame_bytes,
        tls_verify=config.tls_verify,
        tls=TlsOptions(
            ca_file=config.with_pki_defaults().tls_ca_file,
            verify=config.tls_verify,
            client_certificate=security.configured_client_certificate(config)
            if config.security_profile == 3
            else None,
        ),
    )


def link_limits(config: RunConfig) -> LinkLimits:
    """The bounds of one connection under this run configuration."""
    return LinkLimits(
        max_unanswered_calls=config.max_unanswered_csms_calls,
        max_unsolicited=config.max_unsolicited_frames,
        window_s=config.unsolicited_window_s,
        max_frame_bytes=config.max_frame_bytes,
    )
