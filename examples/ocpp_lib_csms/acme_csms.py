"""Acme CSMS: a small third-party-style Central System built on the `ocpp` library.

It stands for a vendor's product in octt's examples and tests: OCPP 1.6-J on a WebSocket server
(`ocpp.v16.ChargePoint` with `@on` handlers), an idTag table, and the product's own management
API, which knows nothing of octt (no trigger API):

- ``POST /acme/v1/charge-points/{id}/commands`` ``{"command": "<OCPP action>", "arguments":
  {<snake_case fields>}}``: the Central System sends the command through the `ocpp` library's
  ``ChargePoint.call`` and answers ``200 {"result": {<snake_case answer>}}``, ``409`` when the
  charge point is not connected, ``422`` for an unknown command or bad arguments, ``502`` when
  the charge point answered with a CALLERROR or not in time.
- ``PUT /acme/v1/id-tags/{id_tag}`` ``{"status": "Accepted", "parent": null}``: add or change
  an idTag.
- ``GET /acme/v1/health``.

Run it: ``python acme_csms.py --ocpp-port 9000 --api-port 9280`` (port 0 picks a free one); it
prints one line ``acme-csms ready ocpp=ws://… api=http://…`` when both servers listen.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import websockets
from aiohttp import web
from ocpp.exceptions import OCPPError
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, DataTransferStatus, RegistrationStatus
from websockets.typing import Subprotocol

LOG = logging.getLogger("acme")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class AcmeCentral:
    """The Central System's state: connected charge points, idTags, transaction numbers."""

    def __init__(self) -> None:
        self.stations: dict[str, AcmeStation] = {}
        self.id_tags: dict[str, tuple[str, str | None]] = {}  # id_tag -> (status, parent)
        self.transaction_ids = itertools.count(1)

    def id_tag_info(self, id_tag: str) -> dict[str, Any]:
        status, parent = self.id_tags.get(id_tag, (AuthorizationStatus.invalid.value, None))
        info: dict[str, Any] = {"status": status}
        if parent is not None:
            info["parent_id_tag"] = parent
        return info


class AcmeStation(ChargePoint):  # type: ignore[misc]
    """One connected charge point, answered by the `ocpp` library's routing."""

    def __init__(self, cp_id: str, connection: Any, central: AcmeCentral) -> None:
        super().__init__(cp_id, connection, response_timeout=30)
        self.central = central

    @on(Action.boot_notification)
    async def on_boot(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(
            current_time=_now(), interval=300, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_now())

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=self.central.id_tag_info(id_tag))

    @on(Action.start_transaction)
    async def on_start(self, id_tag: str, **_: Any) -> call_result.StartTransaction:
        return call_result.StartTransaction(
            transaction_id=next(self.central.transaction_ids),
            id_tag_info=self.central.id_tag_info(id_tag),
        )

    @on(Action.stop_transaction)
    async def on_stop(self, id_tag: str | None = None, **_: Any) -> call_result.StopTransaction:
        if id_tag is None:
            return call_result.StopTransaction()
        return call_result.StopTransaction(id_tag_info=self.central.id_tag_info(id_tag))

    @on(Action.status_notification)
    async def on_status(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on(Action.meter_values)
    async def on_meter_values(self, **_: Any) -> call_result.MeterValues:
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(self, **_: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)

    @on(Action.firmware_status_notification)
    async def on_firmware_status(self, **_: Any) -> call_result.FirmwareStatusNotification:
        return call_result.FirmwareStatusNotification()

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status(self, **_: Any) -> call_result.DiagnosticsStatusNotification:
        return call_result.DiagnosticsStatusNotification()


def management_api(central: AcmeCentral) -> web.Application:
    """The product's own management API (its shape is Acme's, not octt's)."""

    async def command(request: web.Request) -> web.Response:
        station = central.stations.get(request.match_info["cp_id"])
        if station is None:
            return web.json_response({"reason": "charge point not connected"}, status=409)
        body = await request.json()
        payload_class = getattr(call, str(body.get("command", "")), None)
        if not (isinstance(payload_class, type) and dataclasses.is_dataclass(payload_class)):
            return web.json_response(
                {"reason": f"unknown command {body.get('command')}"}, status=422
            )
        try:
            payload = payload_class(**body.get("arguments", {}))
        except TypeError as exc:
            return web.json_response({"reason": str(exc)}, status=422)
        try:
            answer = await station.call(payload, suppress=False)
        except OCPPError as exc:
            return web.json_response({"reason": f"CALLERROR {exc}"}, status=502)
        except TimeoutError:
            return web.json_response({"reason": "no answer from the charge point"}, status=502)
        return web.json_response({"result": dataclasses.asdict(answer)})

    async def id_tag(request: web.Request) -> web.Response:
        body = await request.json()
        central.id_tags[request.match_info["id_tag"]] = (str(body["status"]), body.get("parent"))
        return web.Response(status=204)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"stations": sorted(central.stations)})

    app = web.Application()
    app.router.add_post("/acme/v1/charge-points/{cp_id}/commands", command)
    app.router.add_put("/acme/v1/id-tags/{id_tag}", id_tag)
    app.router.add_get("/acme/v1/health", health)
    return app


async def serve(host: str, ocpp_port: int, api_port: int) -> None:
    central = AcmeCentral()

    async def on_connect(connection: Any) -> None:
        cp_id = connection.request.path.strip("/").split("/")[-1]
        station = AcmeStation(cp_id, connection, central)
        central.stations[cp_id] = station
        try:
            await station.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            if central.stations.get(cp_id) is station:
                del central.stations[cp_id]

    runner = web.AppRunner(management_api(central))
    await runner.setup()
    site = web.TCPSite(runner, host, api_port)
    await site.start()
    api = runner.addresses[0]
    async with websockets.serve(
        on_connect, host, ocpp_port, subprotocols=[Subprotocol("ocpp1.6")]
    ) as server:
        ws = next(iter(server.sockets)).getsockname()
        print(f"acme-csms ready ocpp=ws://{ws[0]}:{ws[1]} api=http://{api[0]}:{api[1]}")
        sys.stdout.flush()
        await asyncio.Future()  # until stopped


def main() -> None:
    parser = argparse.ArgumentParser(description="Acme CSMS (an ocpp-library example)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ocpp-port", type=int, default=9000)
    parser.add_argument("--api-port", type=int, default=9280)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.ocpp_port, args.api_port))


if __name__ == "__main__":
    main()
