"""An octt operator adapter for the Acme CSMS: octt's operator port on Acme's management API.

Use it with ``octt run --operator python:acme_adapter:make_operator`` (this folder on
PYTHONPATH), the Acme management API's address in ``ACME_API_URL`` (default
``http://127.0.0.1:9280``). It is the whole adapter: octt asks for an OCPP action with an
OCPP-J (camelCase) payload, Acme's API takes the action name and snake_case arguments (the
`ocpp` library's spelling) and sends the CALL itself. The contract it implements is
``octt.operator.port`` (PORT_VERSION 1).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from typing import Any

import aiohttp

from octt.operator.port import (
    PORT_VERSION,
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
)

if PORT_VERSION != 1:
    raise RuntimeError(f"acme_adapter is written for octt operator port 1, not {PORT_VERSION}")

#: What the Acme product can send (its management API's commands); anything else is CANNOT.
ACME_COMMANDS = frozenset(
    {
        "ChangeAvailability", "ChangeConfiguration", "ClearCache", "DataTransfer",
        "GetConfiguration", "RemoteStartTransaction", "RemoteStopTransaction", "Reset",
        "UnlockConnector", "GetDiagnostics", "UpdateFirmware", "TriggerMessage",
    }
)  # fmt: skip

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake(value: Any) -> Any:
    """OCPP-J camelCase keys to the `ocpp` library's snake_case (values unchanged)."""
    if isinstance(value, dict):
        return {_CAMEL.sub("_", key).lower(): snake(item) for key, item in value.items()}
    if isinstance(value, list):
        return [snake(item) for item in value]
    return value


class AcmeOperator:
    """Makes the Acme CSMS act through its management API."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    @property
    def mode(self) -> str:
        return f"acme-adapter {self.api_url}"

    @property
    def can_act(self) -> bool:
        return True

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        start = time.monotonic()
        for token in request.tokens:
            url = f"{self.api_url}/acme/v1/id-tags/{token.id_tag}"
            body = {"status": token.status, "parent": token.parent_id_tag}
            try:
                async with self._http().put(url, json=body, timeout=_timeout(30)) as answer:
                    if answer.status >= 300:
                        return _result(OperatorOutcome.FAILED, f"PUT {url}: {answer.status}", start)
            except (aiohttp.ClientError, TimeoutError) as exc:
                return _result(OperatorOutcome.FAILED, f"PUT {url}: {exc!r}", start)
        note = "" if request.basic_auth_password is None else " (Acme has no Basic auth)"
        return _result(OperatorOutcome.DONE, f"{len(request.tokens)} idTags stored{note}", start)

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        start = time.monotonic()
        if request.action not in ACME_COMMANDS:
            return _result(OperatorOutcome.CANNOT, f"Acme cannot send {request.action}", start)
        url = f"{self.api_url}/acme/v1/charge-points/{request.cp_id}/commands"
        body = {"command": request.action, "arguments": snake(request.payload)}
        try:
            async with self._http().post(
                url, json=body, timeout=_timeout(request.timeout_s)
            ) as answer:
                reply = await answer.json(content_type=None)
                status = answer.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return _result(OperatorOutcome.FAILED, f"POST {url}: {exc!r}", start)
        if status != 200:
            reason = reply.get("reason") if isinstance(reply, dict) else reply
            return _result(OperatorOutcome.FAILED, f"Acme answered {status}: {reason}", start)
        return OperatorResult(
            OperatorOutcome.DONE,
            f"Acme sent {request.action}",
            time.monotonic() - start,
            reply.get("result"),
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds)


def _result(outcome: OperatorOutcome, detail: str, start: float) -> OperatorResult:
    return OperatorResult(outcome, detail, time.monotonic() - start)


def make_operator() -> AcmeOperator:
    """The factory octt calls (``--operator python:acme_adapter:make_operator``)."""
    return AcmeOperator(os.environ.get("ACME_API_URL", "http://127.0.0.1:9280"))
