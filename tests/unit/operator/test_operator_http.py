"""HttpOperator against a real aiohttp server on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web

from octt.operator.base import (
    ChargePointProvision,
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
    TokenSpec,
)
from octt.operator.http import HttpOperator, kebab_action

# Every CSMS→charge-point action of OCPP 1.6 (core and feature profiles, then the security
# whitepaper), with the trigger-API spelling.
CSMS_TO_CP_ACTIONS = {
    "CancelReservation": "cancel-reservation",
    "ChangeAvailability": "change-availability",
    "ChangeConfiguration": "change-configuration",
    "ClearCache": "clear-cache",
    "ClearChargingProfile": "clear-charging-profile",
    "DataTransfer": "data-transfer",
    "GetCompositeSchedule": "get-composite-schedule",
    "GetConfiguration": "get-configuration",
    "GetDiagnostics": "get-diagnostics",
    "GetLocalListVersion": "get-local-list-version",
    "RemoteStartTransaction": "remote-start-transaction",
    "RemoteStopTransaction": "remote-stop-transaction",
    "ReserveNow": "reserve-now",
    "Reset": "reset",
    "SendLocalList": "send-local-list",
    "SetChargingProfile": "set-charging-profile",
    "TriggerMessage": "trigger-message",
    "UnlockConnector": "unlock-connector",
    "UpdateFirmware": "update-firmware",
    "CertificateSigned": "certificate-signed",
    "DeleteCertificate": "delete-certificate",
    "ExtendedTriggerMessage": "extended-trigger-message",
    "GetInstalledCertificateIds": "get-installed-certificate-ids",
    "GetLog": "get-log",
    "InstallCertificate": "install-certificate",
    "SignedUpdateFirmware": "signed-update-firmware",
}

PASSWORD = "0123456789abcdefPASS"

Reply = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Recorded:
    raw_path: str
    body: Any


@dataclass
class TriggerApi:
    """A stand-in trigger API: records every request, answers per path (default 200 JSON)."""

    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: dict[str, Reply] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode()
        self.requests.append(Recorded(request.raw_path, body))
        reply = self.replies.get(request.path)
        if reply is not None:
            return await reply(request)
        return web.json_response({"status": "Accepted"})


@asynccontextmanager
async def trigger_api(prefix: str = "") -> AsyncIterator[TriggerApi]:
    api = TriggerApi()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", api.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    api.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}{prefix}"
    try:
        yield api
    finally:
        await runner.cleanup()
        sock.close()


def reply(status: int, text: str, content_type: str = "text/plain") -> Reply:
    async def answer(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, text=text, content_type=content_type)

    return answer


def remote_start(cp_id: str = "CP-1", timeout_s: float = 5.0) -> OperatorRequest:
    return OperatorRequest(
        cp_id=cp_id,
        action="RemoteStartTransaction",
        payload={"connectorId": 1, "idTag": "TAG-1"},
        instruction="Start a transaction on connector 1 for idTag TAG-1.",
        timeout_s=timeout_s,
    )


@pytest.mark.parametrize(("action", "kebab"), sorted(CSMS_TO_CP_ACTIONS.items()))
def test_kebab_action_for_every_csms_to_cp_action(action: str, kebab: str) -> None:
    assert kebab_action(action) == kebab


@pytest.mark.parametrize("bad", ["", "remote start", "Remote-Start", "../x"])
def test_kebab_action_rejects_what_is_not_an_action(bad: str) -> None:
    with pytest.raises(ValueError):
        kebab_action(bad)


@pytest.mark.parametrize(
    "url", ["ws://127.0.0.1:9000", "ftp://host", "127.0.0.1:8080", "http://", "prompt"]
)
def test_base_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError) as raised:
        HttpOperator(url)
    assert repr(url) in str(raised.value)


def test_mode_is_the_base_url_without_trailing_slash() -> None:
    operator = HttpOperator("https://csms.example.com/control/")
    assert operator.mode == "https://csms.example.com/control"
    assert operator.can_act
    assert operator.action_url("CP 1/a", "GetCompositeSchedule") == (
        "https://csms.example.com/control/api/octt/1.6/CP%201%2Fa/get-composite-schedule"
    )


def test_act_posts_the_payload_to_the_action_url_and_parses_the_answer() -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.act(remote_start(), asyncio.Event())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert result.response == {"status": "Accepted"}
        assert "RemoteStartTransaction" in result.detail
        assert result.elapsed_s >= 0
        assert api.requests == [
            Recorded(
                "/api/octt/1.6/CP-1/remote-start-transaction", {"connectorId": 1, "idTag": "TAG-1"}
            )
        ]

    asyncio.run(scenario())


def test_act_under_a_path_prefix_and_with_an_odd_charge_point_id() -> None:
    async def scenario() -> None:
        async with trigger_api("/csms/") as api:
            operator = HttpOperator(api.base_url)
            try:
                request = OperatorRequest("CP/1 ä", "ClearCache", {}, "clear the cache", 5.0)
                result = await operator.act(request, asyncio.Event())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert [r.raw_path for r in api.requests] == [
            "/csms/api/octt/1.6/CP%2F1%20%C3%A4/clear-cache"
        ]
        assert api.requests[0].body == {}

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("status", "text", "content_type", "response"),
    [
        (200, "ok", "text/plain", None),
        (200, "[1, 2]", "application/json", None),
        (201, '{"queued": true}', "application/json", {"queued": True}),
        (202, "", "text/plain", None),
    ],
)
def test_any_2xx_is_done(
    status: int, text: str, content_type: str, response: dict[str, Any] | None
) -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            path = "/api/octt/1.6/CP-1/remote-start-transaction"
            api.replies[path] = reply(status, text, content_type)
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.act(remote_start(), asyncio.Event())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert result.response == response
        assert f"HTTP {status}" in result.detail

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("status", "text"),
    [(400, "unknown charge point CP-1"), (404, "no such route"), (500, "x" * 1000)],
)
def test_non_2xx_is_failed_with_url_status_and_body_start(status: int, text: str) -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            path = "/api/octt/1.6/CP-1/remote-start-transaction"
            api.replies[path] = reply(status, text)
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.act(remote_start(), asyncio.Event())
            finally:
                await operator.aclose()
            url = api.base_url + path
        assert result.outcome is OperatorOutcome.FAILED
        assert url in result.detail
        assert f"HTTP {status}" in result.detail
        assert text[:100] in result.detail
        assert len(result.detail) < len(url) + 300  # only the start of a long body
        assert result.response is None

    asyncio.run(scenario())


def test_connection_refused_is_failed() -> None:
    # A bound socket that does not listen: connecting to it is refused, deterministically.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"

        async def scenario() -> None:
            operator = HttpOperator(base)
            try:
                result = await operator.act(remote_start(), asyncio.Event())
            finally:
                await operator.aclose()
            assert result.outcome is OperatorOutcome.FAILED
            assert "refused" in result.detail
            assert f"{base}/api/octt/1.6/CP-1/remote-start-transaction" in result.detail

        asyncio.run(scenario())


def test_unresolvable_host_is_failed() -> None:
    async def scenario() -> None:
        operator = HttpOperator("http://no-such-host.invalid:8180", grace_s=1.0)
        try:
            result = await operator.act(remote_start(timeout_s=0.5), asyncio.Event())
        finally:
            await operator.aclose()
        assert result.outcome is OperatorOutcome.FAILED
        assert "no-such-host.invalid" in result.detail

    asyncio.run(scenario())


def test_no_answer_within_timeout_plus_grace_is_failed() -> None:
    async def scenario() -> None:
        release = asyncio.Event()

        async def never_answers(request: web.Request) -> web.StreamResponse:
            await release.wait()
            return web.Response(text="too late")

        async with trigger_api() as api:
            api.replies["/api/octt/1.6/CP-1/remote-start-transaction"] = never_answers
            operator = HttpOperator(api.base_url, grace_s=0.2)
            try:
                result = await operator.act(remote_start(timeout_s=0.1), asyncio.Event())
            finally:
                release.set()
                await operator.aclose()
        assert result.outcome is OperatorOutcome.FAILED
        assert "no answer within 0.3 s" in result.detail
        assert 0.25 <= result.elapsed_s < 5.0

    asyncio.run(scenario())


def test_the_request_may_take_timeout_plus_grace() -> None:
    """The CSMS may hold the request while it waits for the charge point's answer."""

    async def scenario() -> None:
        async def slow(request: web.Request) -> web.StreamResponse:
            # A CSMS that needs 0.3 s: longer than timeout_s alone, within timeout_s + grace.
            await asyncio.sleep(0.3)
            return web.json_response({"status": "Accepted"})

        async with trigger_api() as api:
            api.replies["/api/octt/1.6/CP-1/remote-start-transaction"] = slow
            operator = HttpOperator(api.base_url)  # default grace: 5 s
            try:
                result = await operator.act(remote_start(timeout_s=0.1), asyncio.Event())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert result.elapsed_s >= 0.3

    asyncio.run(scenario())


def test_session_is_lazy_closed_by_aclose_and_reopened_on_demand() -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            operator = HttpOperator(api.base_url)
            await operator.aclose()  # nothing opened yet: fine
            first = await operator.act(remote_start(), asyncio.Event())
            await operator.aclose()
            await operator.aclose()
            second = await operator.act(remote_start(), asyncio.Event())
            await operator.aclose()
        assert first.outcome is second.outcome is OperatorOutcome.DONE
        assert len(api.requests) == 2

    asyncio.run(scenario())


def provision_request(password: str | None = PASSWORD) -> ProvisionRequest:
    return ProvisionRequest(
        cp_id="CP-1",
        tokens=(TokenSpec("TAG-OK", "Accepted"), TokenSpec("TAG-CHILD", "Blocked", "TAG-OK")),
        basic_auth_password=password,
        notes=("a note that the HTTP operator ignores",),
    )


def test_provision_posts_each_token_then_the_password() -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.provision(provision_request())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert PASSWORD not in result.detail
        assert "TAG-OK" in result.detail and "TAG-CHILD" in result.detail
        assert api.requests == [
            Recorded("/api/octt/create-token", {"token_id": "TAG-OK", "status": "Accepted"}),
            Recorded(
                "/api/octt/create-token",
                {"token_id": "TAG-CHILD", "status": "Blocked", "parent_id_tag": "TAG-OK"},
            ),
            Recorded(
                "/api/octt/set-basic-auth-password", {"station_id": "CP-1", "password": PASSWORD}
            ),
        ]

    asyncio.run(scenario())


def test_provision_of_the_security_profiles_charge_points() -> None:
    async def scenario() -> None:
        request = replace(
            provision_request(password=None),
            charge_points=(
                ChargePointProvision("CP-SP1", 1, PASSWORD),
                ChargePointProvision("CP-SP3", 3),
            ),
        )
        async with trigger_api() as api:
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.provision(request)
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert PASSWORD not in result.detail and "security profile 3 for CP-SP3" in result.detail
        assert api.requests[2:] == [
            Recorded(
                "/api/octt/set-basic-auth-password", {"station_id": "CP-SP1", "password": PASSWORD}
            ),
            Recorded(
                "/api/octt/set-security-profile", {"station_id": "CP-SP1", "security_profile": 1}
            ),
            Recorded(
                "/api/octt/set-security-profile", {"station_id": "CP-SP3", "security_profile": 3}
            ),
        ]
        assert PASSWORD not in repr(request)

    asyncio.run(scenario())


def test_provision_without_password_does_not_set_one() -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.provision(provision_request(password=None))
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE
        assert [r.raw_path for r in api.requests] == ["/api/octt/create-token"] * 2

    asyncio.run(scenario())


def test_provision_stops_at_the_first_refusal() -> None:
    async def scenario() -> None:
        async with trigger_api() as api:
            api.replies["/api/octt/create-token"] = reply(422, "status must be Accepted")
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.provision(provision_request())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.FAILED
        assert "HTTP 422" in result.detail
        assert f"{api.base_url}/api/octt/create-token" in result.detail
        assert "status must be Accepted" in result.detail
        assert len(api.requests) == 1

    asyncio.run(scenario())


def test_password_echoed_in_an_error_body_is_redacted() -> None:
    async def scenario() -> None:
        async def echo(request: web.Request) -> web.StreamResponse:
            return web.Response(status=500, text=f"cannot store {await request.text()}")

        async with trigger_api() as api:
            api.replies["/api/octt/set-basic-auth-password"] = echo
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.provision(provision_request())
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.FAILED
        assert "HTTP 500" in result.detail
        assert PASSWORD not in result.detail
        assert "***" in result.detail
        assert "already provisioned: token TAG-OK" in result.detail

    asyncio.run(scenario())


def test_provision_against_nothing_is_failed_not_raised() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"

        async def scenario() -> OperatorResult:
            operator = HttpOperator(base)
            try:
                return await operator.provision(provision_request())
            finally:
                await operator.aclose()

        result = asyncio.run(scenario())
        assert result.outcome is OperatorOutcome.FAILED
        assert "refused" in result.detail
        assert PASSWORD not in result.detail


def test_a_trigger_api_without_set_security_profile_is_a_note_not_a_failure() -> None:
    async def scenario() -> None:
        request = replace(
            provision_request(password=None),
            charge_points=(ChargePointProvision("CP-SP2", 2, PASSWORD),),
        )
        async with trigger_api() as api:
            api.replies["/api/octt/set-security-profile"] = reply(404, "no such route")
            operator = HttpOperator(api.base_url)
            try:
                result = await operator.provision(request)
            finally:
                await operator.aclose()
        assert result.outcome is OperatorOutcome.DONE, result.detail
        assert "set CP-SP2 to security profile 2 by hand" in result.detail

    asyncio.run(scenario())
