"""The trigger API contract (schemas/trigger-api.openapi.json, OpenAPI 3.1): the document is
valid, every request the HTTP operator sends matches it, and every answer of the reference
CSMS's trigger API (success and error alike) matches it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import jsonschema
import pytest
from aiohttp import web
from openapi_spec_validator import validate
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from octt.operator.base import ChargePointProvision, OperatorRequest, ProvisionRequest, TokenSpec
from octt.operator.http import HttpOperator, kebab_action
from octt.reference import ReferenceConfig, ReferenceCsms
from octt.reference.actions import CENTRAL_SYSTEM_ACTIONS
from octt.resources import schema_path

DOC: dict[str, Any] = json.loads(schema_path("trigger-api.openapi.json").read_text("utf-8"))
DEADLINE_S = 5.0


def _operation(method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The document's operation for a request: (template, operation, path parameters)."""
    for template, item in DOC["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        found = re.fullmatch(pattern, path)
        if found and method.lower() in item:
            return template, item[method.lower()], found.groupdict()
    raise AssertionError(f"{method} {path} is not an operation of the trigger API document")


def _check(schema: dict[str, Any], instance: Any, what: str) -> None:
    rooted = {**schema, "components": DOC["components"]}
    validator = jsonschema.Draft202012Validator(
        rooted, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(instance)]
    assert not errors, f"{what}: {errors}"


def check_request(method: str, path: str, body: Any) -> str:
    """Assert the request matches the document; its operationId."""
    template, operation, params = _operation(method, path)
    for parameter in operation.get("parameters", []):
        _check(parameter["schema"], params[parameter["name"]], f"{template} {parameter['name']}")
    request_body = operation.get("requestBody")
    if request_body is not None:
        schema = request_body["content"]["application/json"]["schema"]
        _check(schema, body, f"request body of {method} {template}")
    return str(operation["operationId"])


def check_response(method: str, path: str, status: int, body: Any) -> None:
    template, operation, _ = _operation(method, path)
    responses = operation["responses"]
    assert str(status) in responses, f"{method} {template} may not answer {status}: {body}"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    _check(schema, body, f"{status} answer of {method} {template}")


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOC)
    assert DOC["openapi"].startswith("3.1")
    kebab = {kebab_action(a) for a in CENTRAL_SYSTEM_ACTIONS}
    assert set(DOC["components"]["schemas"]["Action"]["enum"]) == kebab


def test_the_checks_catch_a_request_that_breaks_the_contract() -> None:
    with pytest.raises(AssertionError, match="token_id"):
        check_request("POST", "/api/octt/create-token", {"status": "Accepted"})
    with pytest.raises(AssertionError, match="not one of"):
        check_request("POST", "/api/octt/1.6/CP/boot-notification", {})
    with pytest.raises(AssertionError, match="may not answer 418"):
        check_response("POST", "/api/octt/create-token", 418, {"error": "teapot"})


# -- the HTTP operator's requests ------------------------------------------------------------


@asynccontextmanager
async def _recording_api(seen: list[tuple[str, str, Any]]) -> AsyncIterator[str]:
    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        seen.append((request.method, request.raw_path, json.loads(raw) if raw else None))
        return web.json_response({"status": "answered", "response": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def test_every_request_of_the_http_operator_matches_the_document() -> None:
    seen: list[tuple[str, str, Any]] = []

    async def scenario() -> None:
        async with _recording_api(seen) as base:
            operator = HttpOperator(base)
            try:
                for action in sorted(CENTRAL_SYSTEM_ACTIONS):
                    request = OperatorRequest("CP 1/a", action, {"connectorId": 1}, "", 2.0)
                    await operator.act(request, asyncio.Event())
                tokens = (
                    TokenSpec("VALID-1", "Accepted"),
                    TokenSpec("CHILD-1", "Accepted", parent_id_tag="PARENT-1"),
                    TokenSpec("BLOCKED-1", "Blocked"),
                )
                points = (ChargePointProvision("SP1", 1, "0123456789abcdef0123"),)
                provision = ProvisionRequest("CP 1/a", tokens, "fedcba9876543210fedc", (), points)
                await operator.provision(provision)
            finally:
                await operator.aclose()

    asyncio.run(asyncio.wait_for(scenario(), 20))
    operations = [check_request(method, path, body) for method, path, body in seen]
    assert operations.count("sendCall") == len(CENTRAL_SYSTEM_ACTIONS)
    assert operations.count("createToken") == 3
    assert operations.count("setBasicAuthPassword") == 2
    assert operations.count("setSecurityProfile") == 1


# -- the reference CSMS's answers ------------------------------------------------------------


def test_every_answer_of_the_reference_trigger_api_matches_the_document() -> None:
    checked: list[tuple[str, int]] = []

    async def scenario() -> None:
        config = ReferenceConfig(call_timeout_s=0.5)
        async with (
            ReferenceCsms(config) as csms,
            aiohttp.ClientSession() as http,
            connect(
                f"{csms.ocpp_url}/ocpp/CP-1",
                subprotocols=[Subprotocol("ocpp1.6")],
                open_timeout=DEADLINE_S,
            ) as ws,
        ):

            async def ask(method: str, path: str, body: Any = None) -> int:
                if body is not None:
                    check_request(method, path, body)
                url = f"{csms.control_url}{path}"
                async with http.request(method, url, json=body) as response:
                    answer = await response.json()
                    status = response.status
                check_response(method, path, status, answer)
                checked.append((path, status))
                return status

            async def answer_next(reply: Any) -> None:
                frame = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE_S))
                if reply is not None:
                    await ws.send(json.dumps(reply(frame)))

            await ws.send(json.dumps([2, "b1", "BootNotification", {
                "chargePointVendor": "octt", "chargePointModel": "octt-sim"}]))  # fmt: skip
            await asyncio.wait_for(ws.recv(), DEADLINE_S)
            assert await ask("GET", "/api/octt/health") == 200
            assert await ask("GET", "/api/octt/charge-points") == 200
            token = {"token_id": "T-1", "status": "Blocked", "parent_id_tag": "P-1"}
            assert await ask("POST", "/api/octt/create-token", token) == 200
            expiring = {
                "token_id": "T-2",
                "status": "Expired",
                "expiry_date": "2020-01-01T00:00:00Z",
            }
            assert await ask("POST", "/api/octt/create-token", expiring) == 200
            password = {"station_id": "CP-1", "password": "0123456789abcdef0123"}
            assert await ask("POST", "/api/octt/set-basic-auth-password", password) == 200
            profile = {"station_id": "CP-9", "security_profile": 1}
            assert await ask("POST", "/api/octt/set-security-profile", profile) == 200
            # Answered, answered with a CALLERROR, not answered in time.
            for reply, expected in (
                (lambda f: [3, f[1], {"status": "Accepted"}], 200),
                (lambda f: [4, f[1], "InternalError", "broken", {}], 502),
                (None, 504),
            ):
                sent = asyncio.create_task(ask("POST", "/api/octt/1.6/CP-1/clear-cache", {}))
                await answer_next(reply)
                assert await asyncio.wait_for(sent, DEADLINE_S) == expected
            # Errors: unknown action, bad body, charge point not connected.
            for path, body, expected in (
                ("/api/octt/1.6/CP-1/boot-notification", None, 400),
                ("/api/octt/1.6/CP-1/reset", {"type": "Sideways"}, 400),
                ("/api/octt/1.6/CP-404/clear-cache", {}, 404),
                ("/api/octt/create-token", {"token_id": "T-3", "status": "Maybe"}, 400),
                ("/api/octt/set-security-profile", {"station_id": "X", "security_profile": 7}, 400),
            ):
                async with http.post(f"{csms.control_url}{path}", json=body or {}) as response:
                    status, answer = response.status, await response.json()
                assert status == expected, (path, answer)
                check_response("POST", path, status, answer)
                checked.append((path, status))

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert {status for _, status in checked} == {200, 400, 404, 502, 504}
