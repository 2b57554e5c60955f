"""A Locust user class: each Locust user is one octt load station (``pip install 'octt[load]'``).

Locust is the established engine for load spread over many machines: ``locust --master`` hands
users to ``locust --worker`` processes anywhere, and gathers their statistics. Each user here
drives the same sans-I/O station core as ``octt load`` (`StationBehaviour` decides what to send,
`StationProtocol` validates every frame from the CSMS and times every answer) over a blocking
WebSocket (`octt.load.sync_client`). Every CALL becomes one Locust request named after its
action (request type ``OCPP``), so Locust's per-name table is the per-action table; a CALL
fails when its answer is a CALLERROR, breaks the schema or another rule, is malformed, or does
not come. The response time is the transport's: the CALL handed to the socket to the answer's
arrival.

    LOCUSTFILE=$(octt load --locustfile)
    locust -f "$LOCUSTFILE" --master --headless -u 5000 -r 100 -t 60s --host ws://csms:9000/ocpp
    locust -f "$LOCUSTFILE" --worker --master-host <master>      # on every load machine

Options (also as environment variables): ``--ocpp-think-time`` (mean pause between a station's
CALLs, seconds), ``--ocpp-mix`` (activity weights, as ``octt load --mix``), ``--ocpp-pics``
(idTag, vendor, model, response timeout), ``--ocpp-cp-id-prefix``.

Each Locust process tunes its garbage collector as ``octt load``'s workers do: the schemas are
frozen out of its sight when the process starts, its young generation is larger
(`octt.load.health.GC_THRESHOLDS`), and the stations are frozen once every user is spawned.

This module imports Locust, which monkey-patches the standard library for gevent as it is
imported: load it only in a Locust process, never in one that runs asyncio.
"""

from __future__ import annotations

import functools
import random
import uuid
from argparse import ArgumentParser
from typing import Any

from locust import User, events, task

from octt.load.health import settle_gc, steady_gc
from octt.load.protocol import OwnFrameInvalid
from octt.load.sync_client import SyncConnectError, SyncStation, station_mix
from octt.transport.websocket import TransportOptions
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

REQUEST_TYPE = "OCPP"


class OcppAnswerProblem(Exception):
    """Why a CALL counts as failed in Locust's statistics (its message groups the failures)."""


def _options(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--ocpp-think-time",
        type=float,
        default=10.0,
        env_var="OCTT_THINK_TIME",
        help="mean pause between one station's CALLs, seconds (octt)",
    )
    parser.add_argument(
        "--ocpp-mix",
        default="",
        env_var="OCTT_MIX",
        help="activity weights, e.g. heartbeat=4,status=2,authorize=2,transaction=2 (octt)",
    )
    parser.add_argument(
        "--ocpp-pics",
        default="",
        env_var="OCTT_PICS",
        help="PICS file with the idTag, vendor, model and response timeout (octt)",
    )
    parser.add_argument(
        "--ocpp-cp-id-prefix",
        default="OCTT-LOCUST-",
        env_var="OCTT_CP_ID_PREFIX",
        help="charge point ids are this prefix plus a random suffix (octt)",
    )


events.init_command_line_parser.add_listener(_options)  # type: ignore[no-untyped-call, unused-ignore]


def _settle(**_kwargs: Any) -> None:
    """As `octt load`'s workers: the schemas loaded, then frozen out of the GC's sight."""
    _validator()
    settle_gc()


def _freeze_stations(**_kwargs: Any) -> None:
    """Every user spawned: the stations (and their connections) live until the end; a
    collection need not scan them (it would stall every answer this process is timing), and
    the steady state runs with `octt load`'s thresholds (`steady_gc`)."""
    steady_gc()


events.init.add_listener(_settle)  # type: ignore[no-untyped-call, unused-ignore]
events.spawning_complete.add_listener(_freeze_stations)  # type: ignore[no-untyped-call, unused-ignore]


@functools.cache
def _validator() -> FrameValidator:
    return FrameValidator(SchemaSet.load())


class OcppChargePoint(User):  # type: ignore[misc, unused-ignore]
    """One simulated charge point: boots, reports its connectors, then runs the mix."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        options = environment.parsed_options
        mix, timeout = station_mix(
            str(getattr(options, "ocpp_pics", "") or ""),
            think_time_s=float(getattr(options, "ocpp_think_time", 10.0)),
            weights=str(getattr(options, "ocpp_mix", "") or ""),
        )
        prefix = str(getattr(options, "ocpp_cp_id_prefix", "OCTT-LOCUST-"))
        host = str(self.host or "").rstrip("/")
        self.station = SyncStation(
            TransportOptions(host, f"{prefix}{uuid.uuid4().hex[:12]}"),
            mix,
            _validator(),
            response_timeout_s=timeout,
            rng=random.Random(),
        )

    def wait_time(self) -> float:
        return self.station.pause_s()

    def on_start(self) -> None:
        self._connect()

    def on_stop(self) -> None:
        self.station.close()

    def _connect(self) -> bool:
        try:
            self.station.connect()
        except SyncConnectError as exc:
            self._fire("connect", 0.0, 0, OcppAnswerProblem(str(exc)))
            return False
        return True

    @task  # type: ignore[untyped-decorator, unused-ignore]
    def next_call(self) -> None:
        """The station's next CALL (its script decides which), as one Locust request."""
        if not self.station.connected and not self._connect():
            return
        try:
            outcome = self.station.call_next()
        except OwnFrameInvalid as exc:  # a bug in octt, reported apart from the CSMS's
            self._fire("octt-error", 0.0, 0, exc)
            return
        failure = outcome.problem
        self._fire(
            outcome.ended.action,
            outcome.latency_ms,
            outcome.response_length,
            OcppAnswerProblem(failure) if failure is not None else None,
        )

    def _fire(self, name: str, ms: float, length: int, exception: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type=REQUEST_TYPE,
            name=name,
            response_time=ms,
            response_length=length,
            response=None,
            context={"cp_id": self.station.options.cp_id},
            exception=exception,
        )
