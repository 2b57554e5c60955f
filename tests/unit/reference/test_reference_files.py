"""The reference CSMS's HTTP file routes: firmware image, diagnostics uploads, transfer log."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from octt.reference.files import (
    FIRMWARE_IMAGE,
    FIRMWARE_SIZE,
    MAX_UPLOAD_BYTES,
    FileService,
    firmware_image,
)
from octt.reference.store import Store


class FixedClock:
    def monotonic(self) -> float:
        return 1.0

    def monotonic_ns(self) -> int:
        return 1_000_000_000

    def utc_now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


def with_client(
    scenario: Callable[[TestClient[web.Request, web.Application], Store], Awaitable[None]],
) -> None:
    async def main() -> None:
        store = Store()
        app = web.Application()
        FileService(store, FixedClock()).add_routes(app)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await scenario(client, store)
        store.close()

    asyncio.run(asyncio.wait_for(main(), 10))


def test_firmware_image_is_deterministic_and_sized() -> None:
    image = firmware_image()
    assert len(image) == FIRMWARE_SIZE
    assert image == firmware_image()
    assert image.startswith(b"octt reference firmware image " + FIRMWARE_IMAGE.encode())


def test_the_firmware_image_is_served_and_logged() -> None:
    async def scenario(client: TestClient[web.Request, web.Application], store: Store) -> None:
        response = await client.get(f"/firmware/{FIRMWARE_IMAGE}")
        assert response.status == 200
        body = await response.read()
        assert body == firmware_image()
        missing = await client.get("/firmware/octt-wrong-firmware.bin")
        assert missing.status == 404
        log = await (await client.get("/api/octt/file-transfers")).json()
        assert log["transfers"] == [
            {
                "direction": "served",
                "name": FIRMWARE_IMAGE,
                "size": FIRMWARE_SIZE,
                "sha256": hashlib.sha256(body).hexdigest(),
                "at": "2026-01-01T00:00:00+00:00",
            }
        ]

    with_client(scenario)


def test_diagnostics_uploads_are_received_bounded_and_named_safely() -> None:
    async def scenario(client: TestClient[web.Request, web.Application], store: Store) -> None:
        response = await client.put("/diagnostics/cp1-diag.log", data=b"log line\n")
        assert response.status == 201
        assert (await response.json())["sha256"] == hashlib.sha256(b"log line\n").hexdigest()
        posted = await client.post("/diagnostics/second.log", data=b"x")
        assert posted.status == 201
        too_big = await client.put("/diagnostics/big.log", data=b"0" * (MAX_UPLOAD_BYTES + 1))
        assert too_big.status == 413
        bad_name = await client.put("/diagnostics/.hidden", data=b"x")
        assert bad_name.status == 400
        received = [(t["name"], t["size"]) for t in store.file_transfers()]
        assert received == [("cp1-diag.log", 9), ("second.log", 1)]

    with_client(scenario)
