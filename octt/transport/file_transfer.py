"""HTTP(S) file transfers of the simulated charge point: downloading the firmware an
UpdateFirmware.req names and uploading the diagnostics file a GetDiagnostics.req asks for
(OCPP 1.6 §5.19, §5.9), with aiohttp's client, bounded in size and in time.

Only `http` and `https` locations are transferred; for any other scheme (ftp, ftps, sftp, ...)
nothing is attempted and the result says why. An upload is an HTTP PUT of the file to the
location, with the file name appended when the location ends with "/" (a directory URI, the
way `curl -T` uploads). TLS certificates are verified unless the run turned verification off.
Nothing here raises for a network or server problem: every outcome is a `TransferResult`.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote, urlsplit

import aiohttp

from octt.clock import Clock

_CHUNK = 64 * 1024
_SCHEMES = ("http", "https")


class TransferOutcome(StrEnum):
    DONE = "done"  # the whole file went over the network
    FAILED = "failed"  # it was attempted and did not succeed
    NOT_ATTEMPTED = "not_attempted"  # the location is not an http(s) URL


@dataclass(frozen=True)
class TransferResult:
    outcome: TransferOutcome
    url: str
    detail: str
    size: int | None = None  # bytes moved (DONE only)
    sha256: str | None = None  # of the bytes moved (DONE only)
    http_status: int | None = None
    duration_s: float = 0.0
    # The bytes downloaded, when the caller asked to keep them (a signed firmware's signature
    # is verified over them, security whitepaper use case L01).
    data: bytes | None = field(default=None, repr=False)


def unsupported_scheme(url: str) -> str | None:
    """Why `url` cannot be transferred here (None: it can)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        shown = parts.scheme or "no scheme"
        return f"{shown} is not a scheme the simulated charge point transfers (only http, https)"
    if not parts.hostname:
        return "the location has no host"
    return None


def upload_url(location: str, file_name: str) -> str:
    """Where the diagnostics file goes: `location` + the file name if it ends with "/"."""
    return location + quote(file_name) if location.endswith("/") else location


async def download(
    url: str,
    *,
    max_bytes: int,
    timeout_s: float,
    tls_verify: bool,
    clock: Clock,
    keep: bool = False,
) -> TransferResult:
    """GET `url`, reading at most `max_bytes` within `timeout_s` seconds (`keep`: return the
    bytes too)."""
    problem = unsupported_scheme(url)
    if problem is not None:
        return TransferResult(TransferOutcome.NOT_ATTEMPTED, url, problem)
    started = clock.monotonic()

    def took() -> float:
        return clock.monotonic() - started

    digest = hashlib.sha256()
    size = 0
    kept = bytearray()
    try:
        async with (
            asyncio.timeout(timeout_s),
            aiohttp.ClientSession() as session,
            session.get(url, ssl=tls_verify, allow_redirects=True) as response,
        ):
            if response.status != 200:
                return TransferResult(
                    TransferOutcome.FAILED,
                    url,
                    f"GET answered HTTP {response.status} {response.reason or ''}".rstrip(),
                    http_status=response.status,
                    duration_s=took(),
                )
            async for chunk in response.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    return TransferResult(
                        TransferOutcome.FAILED,
                        url,
                        f"the file is larger than the limit of {max_bytes} bytes",
                        http_status=response.status,
                        duration_s=took(),
                    )
                digest.update(chunk)
                if keep:
                    kept.extend(chunk)
            status = response.status
    except TimeoutError:
        return _failed(url, f"not complete within {timeout_s:g} s", took())
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return _failed(url, f"{type(exc).__name__}: {exc}", took())
    return TransferResult(
        TransferOutcome.DONE,
        url,
        f"downloaded {size} bytes",
        size=size,
        sha256=digest.hexdigest(),
        http_status=status,
        duration_s=took(),
        data=bytes(kept) if keep else None,
    )


async def upload(
    url: str, data: bytes, *, timeout_s: float, tls_verify: bool, clock: Clock
) -> TransferResult:
    """PUT `data` to `url` within `timeout_s` seconds; any 2xx answer is success."""
    problem = unsupported_scheme(url)
    if problem is not None:
        return TransferResult(TransferOutcome.NOT_ATTEMPTED, url, problem)
    started = clock.monotonic()
    try:
        async with (
            asyncio.timeout(timeout_s),
            aiohttp.ClientSession() as session,
            session.put(
                url,
                data=data,
                ssl=tls_verify,
                headers={"Content-Type": "text/plain; charset=utf-8"},
            ) as response,
        ):
            await response.read()
            status = response.status
            reason = response.reason or ""
    except TimeoutError:
        return _failed(url, f"not complete within {timeout_s:g} s", clock.monotonic() - started)
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return _failed(url, f"{type(exc).__name__}: {exc}", clock.monotonic() - started)
    took = clock.monotonic() - started
    if not 200 <= status < 300:
        detail = f"PUT answered HTTP {status} {reason}".rstrip()
        return TransferResult(
            TransferOutcome.FAILED, url, detail, http_status=status, duration_s=took
        )
    return TransferResult(
        TransferOutcome.DONE,
        url,
        f"uploaded {len(data)} bytes",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        http_status=status,
        duration_s=took,
    )


def _failed(url: str, detail: str, took: float) -> TransferResult:
    return TransferResult(TransferOutcome.FAILED, url, detail, duration_s=took)
