"""Files the reference CSMS moves over HTTP: the firmware image it offers in UpdateFirmware and
the diagnostics files charge points upload after GetDiagnostics (OCPP 1.6 §5.19, §5.9).

Owns three routes, added to the trigger API's aiohttp application (so they share its host and
port; the PICS refers to them through the `{trigger_api}` placeholder):

- `GET /firmware/{name}`: the firmware image `FIRMWARE_IMAGE` (deterministic bytes, see
  `firmware_image`); 404 for any other name.
- `PUT /diagnostics/{name}` (or `POST`): a diagnostics file, at most `MAX_UPLOAD_BYTES` (413
  beyond); answered 201 with its size and SHA-256.
- `GET /api/octt/file-transfers`: every file served or received, oldest first.
"""

from __future__ import annotations

import hashlib
import logging
import re

from aiohttp import web

from octt.clock import Clock
from octt.reference.store import FileDirection, Store

_LOG = logging.getLogger("octt.reference.files")

#: The one firmware image this CSMS offers (pics/reference-csms.yaml points at it).
FIRMWARE_IMAGE = "octt-firmware-2.0.bin"
#: Size of the firmware image in bytes.
FIRMWARE_SIZE = 64 * 1024
#: The largest diagnostics file accepted.
MAX_UPLOAD_BYTES = 1024 * 1024

_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
_CHUNK = 64 * 1024


def firmware_image() -> bytes:
    """The firmware image: a readable header, then a SHA-256 chain up to FIRMWARE_SIZE bytes."""
    data = bytearray(f"octt reference firmware image {FIRMWARE_IMAGE}\n".encode())
    block = hashlib.sha256(bytes(data)).digest()
    while len(data) < FIRMWARE_SIZE:
        data.extend(block)
        block = hashlib.sha256(block).digest()
    return bytes(data[:FIRMWARE_SIZE])


class FileService:
    """Serves the firmware image and receives diagnostics uploads."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._firmware = firmware_image()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/firmware/{name}", self._firmware_download)
        app.router.add_put("/diagnostics/{name}", self._diagnostics_upload)
        app.router.add_post("/diagnostics/{name}", self._diagnostics_upload)
        app.router.add_get("/api/octt/file-transfers", self._transfers)

    async def _firmware_download(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name != FIRMWARE_IMAGE:
            return web.json_response({"error": f"no firmware image {name!r}"}, status=404)
        digest = hashlib.sha256(self._firmware).hexdigest()
        self._store.record_file_transfer(
            FileDirection.SERVED, name, len(self._firmware), digest, self._clock.utc_now()
        )
        _LOG.info("served firmware image %s (%d bytes)", name, len(self._firmware))
        return web.Response(body=self._firmware, content_type="application/octet-stream")

    async def _diagnostics_upload(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not _FILE_NAME.fullmatch(name):
            return web.json_response(
                {"error": f"not an acceptable file name: {name!r}"}, status=400
            )
        body = bytearray()
        async for chunk in request.content.iter_chunked(_CHUNK):
            body.extend(chunk)
            if len(body) > MAX_UPLOAD_BYTES:
                return web.json_response(
                    {"error": f"a diagnostics file may have at most {MAX_UPLOAD_BYTES} bytes"},
                    status=413,
                )
        digest = hashlib.sha256(body).hexdigest()
        self._store.record_file_transfer(
            FileDirection.RECEIVED, name, len(body), digest, self._clock.utc_now()
        )
        _LOG.info("received diagnostics file %s (%d bytes)", name, len(body))
        return web.json_response(
            {"status": "stored", "name": name, "size": len(body), "sha256": digest}, status=201
        )

    async def _transfers(self, request: web.Request) -> web.Response:
        return web.json_response({"transfers": self._store.file_transfers()})
