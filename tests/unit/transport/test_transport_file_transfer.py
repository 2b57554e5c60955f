"""HTTP file transfers of the simulated charge point against a local aiohttp server on
127.0.0.1: download and upload, size and time bounds, refused and unsupported locations."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.test_utils import TestServer

from octt.clock import SystemClock
from octt.transport.file_transfer import (
    TransferOutcome,
    download,
    unsupported_scheme,
    upload,
    upload_url,
)

FIRMWARE = b"firmware" * 1000
CLOCK = SystemClock()


def serve(scenario: Callable[[str, list[tuple[str, bytes]]], Awaitable[None]]) -> None:
    received: list[tuple[str, bytes]] = []

    async def firmware(_request: web.Request) -> web.Response:
        return web.Response(body=FIRMWARE)

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(body=b"late")

    async def store(request: web.Request) -> web.Response:
        received.append((request.match_info["name"], await request.read()))
        return web.Response(status=201)

    async def refuse(_request: web.Request) -> web.Response:
        return web.Response(status=500, reason="Broken")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/fw.bin", firmware)
        app.router.add_get("/slow.bin", slow)
        app.router.add_put("/up/{name}", store)
        app.router.add_put("/broken/{name}", refuse)
        async with TestServer(app, host="127.0.0.1") as server:
            await scenario(str(server.make_url("")).rstrip("/"), received)

    asyncio.run(asyncio.wait_for(main(), 15))


def test_download_reads_the_whole_file_and_hashes_it() -> None:
    async def scenario(base: str, _received: list[tuple[str, bytes]]) -> None:
        result = await download(
            f"{base}/fw.bin", max_bytes=1 << 20, timeout_s=5, tls_verify=True, clock=CLOCK
        )
        assert result.outcome is TransferOutcome.DONE, result.detail
        assert (result.size, result.http_status) == (len(FIRMWARE), 200)
        assert result.sha256 == hashlib.sha256(FIRMWARE).hexdigest()
        assert result.detail == f"downloaded {len(FIRMWARE)} bytes"

    serve(scenario)


def test_download_failures_are_results_not_exceptions() -> None:
    async def scenario(base: str, _received: list[tuple[str, bytes]]) -> None:
        missing = await download(
            f"{base}/nope.bin", max_bytes=1 << 20, timeout_s=5, tls_verify=True, clock=CLOCK
        )
        assert (missing.outcome, missing.http_status) == (TransferOutcome.FAILED, 404)
        assert "HTTP 404" in missing.detail
        too_big = await download(
            f"{base}/fw.bin", max_bytes=100, timeout_s=5, tls_verify=True, clock=CLOCK
        )
        assert too_big.outcome is TransferOutcome.FAILED
        assert "larger than the limit of 100 bytes" in too_big.detail
        slow = await download(
            f"{base}/slow.bin", max_bytes=100, timeout_s=0.2, tls_verify=True, clock=CLOCK
        )
        assert (slow.outcome, slow.detail) == (TransferOutcome.FAILED, "not complete within 0.2 s")

    serve(scenario)


def test_download_from_a_closed_port_fails() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario() -> None:
        result = await download(
            f"http://127.0.0.1:{port}/fw.bin",
            max_bytes=10,
            timeout_s=5,
            tls_verify=True,
            clock=CLOCK,
        )
        assert result.outcome is TransferOutcome.FAILED
        assert "ClientConnectorError" in result.detail

    asyncio.run(scenario())


def test_upload_puts_the_file_and_reports_what_went() -> None:
    async def scenario(base: str, received: list[tuple[str, bytes]]) -> None:
        result = await upload(
            upload_url(f"{base}/up/", "cp 1.log"),
            b"log\n",
            timeout_s=5,
            tls_verify=True,
            clock=CLOCK,
        )
        assert result.outcome is TransferOutcome.DONE, result.detail
        assert (result.size, result.http_status) == (4, 201)
        assert received == [("cp 1.log", b"log\n")]
        broken = await upload(
            f"{base}/broken/x.log", b"log\n", timeout_s=5, tls_verify=True, clock=CLOCK
        )
        assert (broken.outcome, broken.detail) == (
            TransferOutcome.FAILED,
            "PUT answered HTTP 500 Broken",
        )

    serve(scenario)


def test_locations_that_are_not_http_are_not_attempted() -> None:
    assert unsupported_scheme("http://127.0.0.1/x") is None
    assert unsupported_scheme("HTTPS://example.invalid/x") is None
    assert "ftp is not a scheme" in str(unsupported_scheme("ftp://127.0.0.1/x"))
    assert "no scheme" in str(unsupported_scheme("diagnostics/"))
    assert unsupported_scheme("http:///x") == "the location has no host"

    async def scenario() -> None:
        for call in (
            download("ftp://127.0.0.1/fw", max_bytes=1, timeout_s=1, tls_verify=True, clock=CLOCK),
            upload("ftp://127.0.0.1/d/", b"x", timeout_s=1, tls_verify=True, clock=CLOCK),
        ):
            result = await call
            assert result.outcome is TransferOutcome.NOT_ATTEMPTED
            assert result.size is None

    asyncio.run(scenario())


def test_upload_url_appends_the_file_name_to_a_directory() -> None:
    assert upload_url("http://h/diag/", "a b.log") == "http://h/diag/a%20b.log"
    assert upload_url("http://h/diag/upload", "a.log") == "http://h/diag/upload"
