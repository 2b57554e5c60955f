"""Operator mode `<base-url>`: the CSMS exposes a trigger API over HTTP.

Owns `HttpOperator` and the trigger-API requests (the contract, with response schemas and error
semantics: schemas/trigger-api.openapi.json, OpenAPI 3.1; the tests hold both sides to it):

- `POST <base>/api/octt/1.6/<cp-id>/<action>` with the JSON payload the CSMS should send, where
  `<action>` is the kebab-case OCPP action (`kebab_action`);
- `POST <base>/api/octt/create-token` `{"token_id", "status"[, "parent_id_tag"]}` per token;
- `POST <base>/api/octt/set-basic-auth-password` `{"station_id", "password"}`;
- `POST <base>/api/octt/set-security-profile` `{"station_id", "security_profile"}` for the
  charge point identities of the security cases (an octt extension of the convention: a trigger
  API that does not know it answers 404, and the profiles must then be set up by hand).

Any 2xx answer is DONE; everything else (non-2xx, connection refused, DNS failure, timeout) is
FAILED with a detail that names the URL. Nothing here raises for a CSMS-side problem, and the
Basic-auth password never appears in a detail.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

from octt.clock import Clock, SystemClock
from octt.operator.base import OperatorOutcome, OperatorRequest, OperatorResult, ProvisionRequest

#: How many characters of an error body go into a FAILED detail.
BODY_EXCERPT_CHARS = 200

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def kebab_action(action: str) -> str:
    """The trigger-API spelling of an action: `ClearCache` → `clear-cache`."""
    if not action or not action.isalnum():
        raise ValueError(f"not an OCPP action name: {action!r}")
    return _WORD_BOUNDARY.sub("-", action).lower()


def validate_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; ValueError unless it is an http(s) URL with a host."""
    parts = urlsplit(base_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"operator trigger API base URL must be an http(s) URL, got {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(
            f"operator trigger API base URL must not have a query or fragment, got {base_url!r}"
        )
    return base_url.strip().rstrip("/")


@dataclass(frozen=True)
class _Exchange:
    """What came of one POST: a result-ready outcome plus the parsed JSON object, if any."""

    ok: bool
    detail: str
    response: dict[str, Any] | None
    status: int | None = None  # the HTTP status, when there was an answer


class HttpOperator:
    """Makes the CSMS act by calling its trigger API."""

    def __init__(
        self,
        base_url: str,
        *,
        grace_s: float = 5.0,
        provision_timeout_s: float = 30.0,
        clock: Clock | None = None,
    ) -> None:
        self._base = validate_base_url(base_url)
        self._grace_s = grace_s
        self._provision_timeout_s = provision_timeout_s
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._session: aiohttp.ClientSession | None = None

    @property
    def mode(self) -> str:
        return self._base

    @property
    def can_act(self) -> bool:
        return True

    def action_url(self, cp_id: str, action: str) -> str:
        """`<base>/api/octt/1.6/<cp-id>/<action>`, with the charge point id percent-encoded."""
        return f"{self._base}/api/octt/1.6/{quote(cp_id, safe='')}/{kebab_action(action)}"

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        start = self._clock.monotonic()
        try:
            url = self.action_url(request.cp_id, request.action)
        except ValueError as exc:
            return OperatorResult(OperatorOutcome.FAILED, str(exc), 0.0)
        exchange = await self._post(url, request.payload, request.timeout_s + self._grace_s)
        elapsed = self._clock.monotonic() - start
        if not exchange.ok:
            return OperatorResult(OperatorOutcome.FAILED, exchange.detail, elapsed)
        return OperatorResult(
            OperatorOutcome.DONE,
            f"trigger API accepted {request.action} for {request.cp_id}: {exchange.detail}",
            elapsed,
            exchange.response,
        )

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        start = self._clock.monotonic()
        done: list[str] = []
        secret = request.basic_auth_password
        for token in request.tokens:
            body: dict[str, Any] = {"token_id": token.id_tag, "status": token.status}
            if token.parent_id_tag is not None:
                body["parent_id_tag"] = token.parent_id_tag
            url = f"{self._base}/api/octt/create-token"
            exchange = await self._post(url, body, self._provision_timeout_s, secret=secret)
            if not exchange.ok:
                return self._provision_failed(start, done, exchange.detail)
            done.append(f"token {token.id_tag} ({token.status})")
        if secret is not None:
            url = f"{self._base}/api/octt/set-basic-auth-password"
            body = {"station_id": request.cp_id, "password": secret}
            exchange = await self._post(url, body, self._provision_timeout_s, secret=secret)
            if not exchange.ok:
                return self._provision_failed(start, done, exchange.detail)
            done.append(f"Basic-auth password for {request.cp_id}")
        for charge_point in request.charge_points:
            cp_secret = charge_point.basic_auth_password
            if cp_secret is not None:
                url = f"{self._base}/api/octt/set-basic-auth-password"
                body = {"station_id": charge_point.cp_id, "password": cp_secret}
                exchange = await self._post(url, body, self._provision_timeout_s, secret=cp_secret)
                if not exchange.ok:
                    return self._provision_failed(start, done, exchange.detail)
                done.append(f"Basic-auth password for {charge_point.cp_id}")
            url = f"{self._base}/api/octt/set-security-profile"
            body = {
                "station_id": charge_point.cp_id,
                "security_profile": charge_point.security_profile,
            }
            exchange = await self._post(url, body, self._provision_timeout_s)
            if exchange.status == 404:
                # Not part of the trigger-API convention everywhere: the profiles are then the
                # operator's to set up by hand.
                done.append(
                    f"no set-security-profile (HTTP 404): set {charge_point.cp_id} to security"
                    f" profile {charge_point.security_profile} by hand"
                )
                continue
            if not exchange.ok:
                return self._provision_failed(start, done, exchange.detail)
            done.append(
                f"security profile {charge_point.security_profile} for {charge_point.cp_id}"
            )
        summary = ", ".join(done) if done else "nothing to provision"
        return OperatorResult(
            OperatorOutcome.DONE,
            f"provisioned via {self._base}: {summary}",
            self._clock.monotonic() - start,
        )

    def _provision_failed(self, start: float, done: list[str], detail: str) -> OperatorResult:
        before = f" (already provisioned: {', '.join(done)})" if done else ""
        return OperatorResult(
            OperatorOutcome.FAILED,
            f"provisioning failed: {detail}{before}",
            self._clock.monotonic() - start,
        )

    async def _post(
        self, url: str, body: dict[str, Any], timeout_s: float, *, secret: str | None = None
    ) -> _Exchange:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=max(timeout_s, 0.001))
        try:
            async with self._session.post(
                URL(url, encoded=True), json=body, timeout=timeout
            ) as response:
                raw = await response.read()
                status = response.status
                reason = response.reason or ""
        except TimeoutError:
            return _Exchange(False, f"POST {url}: no answer within {timeout_s:g} s", None)
        except aiohttp.ClientConnectorError as exc:
            return _Exchange(False, f"POST {url}: {_connect_failure(exc)}", None)
        except (aiohttp.ClientError, OSError) as exc:
            name = type(exc).__name__
            return _Exchange(False, f"POST {url}: {name}: {_redact(str(exc), secret)}", None)
        text = raw.decode("utf-8", errors="replace")
        if not 200 <= status < 300:
            excerpt = _redact(text.strip(), secret)
            if len(excerpt) > BODY_EXCERPT_CHARS:
                excerpt = excerpt[:BODY_EXCERPT_CHARS] + "…"
            shown = f": {excerpt}" if excerpt else " (empty body)"
            return _Exchange(
                False, f"POST {url} answered HTTP {status} {reason}{shown}", None, status
            )
        return _Exchange(True, f"HTTP {status}", _json_object(text), status)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


def _connect_failure(exc: aiohttp.ClientConnectorError) -> str:
    where = f"{exc.host}:{exc.port}"
    cause = exc.os_error
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve host {exc.host} ({cause.strerror or cause})"
    if isinstance(cause, ConnectionRefusedError):
        return f"connection refused by {where} (is the trigger API running?)"
    return f"cannot connect to {where}: {cause.strerror or cause}"


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text
