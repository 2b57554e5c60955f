"""The embedded reference CSMS over real sockets on 127.0.0.1: a raw websockets client plays the
charge point (exact OCPP-J frames), aiohttp drives the trigger API."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from octt.reference import (
    Fault,
    ReferenceConfig,
    ReferenceCsms,
    Seed,
    TokenRecord,
    TokenStatus,
    serve,
)
from octt.reference.faults import SECURITY_FAULTS
from octt.reference.link import OcppLink
from octt.reference.wire import EXTRA_PROPERTY, GARBAGE_FRAME, response_unique_id

CP_ID = "OCTT-CP-001"
#: Upper bound for any single wait in these tests (a deadline, never a sleep).
DEADLINE_S = 5.0
RFC3339_MS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
BOOT = {"chargePointVendor": "octt", "chargePointModel": "octt-sim"}


def run(test: Callable[[], Coroutine[Any, Any, None]], timeout_s: float = 10.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(test(), timeout_s)

    asyncio.run(bounded())


class RawCp:
    """A charge point that sends and reads exact OCPP-J frames."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._next_id = 0

    async def recv_text(self) -> str:
        message = await asyncio.wait_for(self.ws.recv(), DEADLINE_S)
        assert isinstance(message, str)
        return message

    async def recv(self) -> Any:
        return json.loads(await self.recv_text())

    async def call(self, action: str, payload: dict[str, Any]) -> Any:
        """Send a CALL and return the frame that answers it."""
        self._next_id += 1
        unique_id = f"cp-{self._next_id}"
        await self.ws.send(json.dumps([2, unique_id, action, payload]))
        frame = await self.recv()
        assert frame[1] == unique_id, frame
        return frame

    async def result(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        frame = await self.call(action, payload)
        assert frame[0] == 3, frame
        assert isinstance(frame[2], dict)
        return frame[2]

    async def boot(self) -> dict[str, Any]:
        return await self.result("BootNotification", BOOT)


@asynccontextmanager
async def csms_running(config: ReferenceConfig | None = None) -> AsyncIterator[ReferenceCsms]:
    async with ReferenceCsms(config or ReferenceConfig()) as csms:
        yield csms


@asynccontextmanager
async def charge_point(
    csms: ReferenceCsms,
    cp_id: str = CP_ID,
    *,
    password: str | bytes | None = None,
    subprotocols: list[str] | None = None,
) -> AsyncIterator[RawCp]:
    headers = {}
    if password is not None:
        secret = password if isinstance(password, bytes) else password.encode()
        token = base64.b64encode(f"{cp_id}:".encode() + secret).decode()
        headers["Authorization"] = f"Basic {token}"
    async with connect(
        f"{csms.ocpp_url}/ocpp/{cp_id}",
        subprotocols=[Subprotocol(name) for name in subprotocols or ["ocpp1.6"]],
        additional_headers=headers,
        open_timeout=DEADLINE_S,
    ) as ws:
        assert ws.subprotocol == "ocpp1.6"
        yield RawCp(ws)


async def post(
    http: aiohttp.ClientSession, url: str, body: Any = None, *, raw: bytes | None = None
) -> tuple[int, Any]:
    if raw is not None:
        response = await http.post(url, data=raw)
    else:
        response = await http.post(url, json=body if body is not None else {})
    async with response:
        return response.status, await response.json()


async def answer_next_call(cp: RawCp, answer: Callable[[list[Any]], list[Any]]) -> list[Any]:
    """Receive one CALL from the CSMS, send `answer(call)`, return the CALL."""
    frame = await cp.recv()
    assert frame[0] == 2, frame
    await cp.ws.send(json.dumps(answer(frame)))
    return list(frame)


def accepted(frame: list[Any]) -> list[Any]:
    return [3, frame[1], {"status": "Accepted"}]


def trigger_url(csms: ReferenceCsms, action: str, cp_id: str = CP_ID) -> str:
    return f"{csms.control_url}/api/octt/1.6/{cp_id}/{action}"


async def triggered(
    csms: ReferenceCsms,
    http: aiohttp.ClientSession,
    cp: RawCp,
    action: str,
    body: dict[str, Any],
    answer: Callable[[list[Any]], list[Any]] = accepted,
) -> tuple[list[Any], int, Any]:
    """Trigger `action`, let the charge point answer; (the CALL seen, HTTP status, HTTP body)."""
    request = asyncio.create_task(post(http, trigger_url(csms, action), body))
    call = await answer_next_call(cp, answer)
    status, reply = await asyncio.wait_for(request, DEADLINE_S)
    return call, status, reply


# -- OCPP behaviour ------------------------------------------------------------------------------


def test_boot_heartbeat_status_meter_values_and_data_transfer() -> None:
    async def scenario() -> None:
        async with csms_running() as csms, charge_point(csms) as cp:
            boot = await cp.boot()
            assert boot["status"] == "Accepted" and boot["interval"] == 300
            assert RFC3339_MS_UTC.fullmatch(boot["currentTime"])
            heartbeat = await cp.result("Heartbeat", {})
            assert RFC3339_MS_UTC.fullmatch(heartbeat["currentTime"])
            status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
            assert await cp.result("StatusNotification", status) == {}
            assert csms.store.connector_status(CP_ID, 1) == "Available"
            sample = {"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [{"value": "1"}]}
            meter = {"connectorId": 1, "meterValue": [sample]}
            assert await cp.result("MeterValues", meter) == {}
            assert csms.store.meter_value_count(CP_ID) == 1
            transfer = await cp.result("DataTransfer", {"vendorId": "org.octt.unsupported"})
            assert transfer == {"status": "UnknownVendorId"}
            stored = csms.store.charge_point(CP_ID)
            assert stored is not None and stored["vendor"] == "octt"

    run(scenario)


def test_authorize_answers_from_the_seeded_tags() -> None:
    async def scenario() -> None:
        async with csms_running() as csms, charge_point(csms) as cp:
            await cp.boot()

            async def info(tag: str) -> dict[str, Any]:
                answer = await cp.result("Authorize", {"idTag": tag})
                return dict(answer["idTagInfo"])

            assert await info("OCTT-VALID-01") == {"status": "Accepted"}
            assert await info("OCTT-UNKNOWN-99") == {"status": "Invalid"}
            assert await info("OCTT-BLOCKED-01") == {"status": "Blocked"}
            expired = await info("OCTT-EXPIRED-01")
            assert expired["status"] == "Expired"
            assert RFC3339_MS_UTC.fullmatch(expired["expiryDate"])
            child = await info("OCTT-CHILD-02")
            assert child == {"status": "Accepted", "parentIdTag": "OCTT-PARENT-01"}

    run(scenario)


def test_start_and_stop_transaction() -> None:
    async def scenario() -> None:
        async with csms_running() as csms, charge_point(csms) as cp:
            await cp.boot()
            start = {"connectorId": 1, "meterStart": 100, "timestamp": "2020-01-01T00:00:00Z"}
            first = await cp.result("StartTransaction", {**start, "idTag": "OCTT-VALID-01"})
            assert first["idTagInfo"] == {"status": "Accepted"}
            # An Invalid idTag (e.g. an offline start, TC_037_3) still gets a fresh transactionId.
            second = await cp.result("StartTransaction", {**start, "idTag": "OCTT-UNKNOWN-99"})
            assert second["idTagInfo"] == {"status": "Invalid"}
            assert isinstance(second["transactionId"], int)
            assert second["transactionId"] != first["transactionId"]

            stop = {"meterStop": 150, "timestamp": "2020-01-01T01:00:00Z", "reason": "Local"}
            with_tag = {**stop, "transactionId": first["transactionId"], "idTag": "OCTT-VALID-01"}
            assert await cp.result("StopTransaction", with_tag) == {
                "idTagInfo": {"status": "Accepted"}
            }
            without_tag = {**stop, "transactionId": second["transactionId"]}
            assert await cp.result("StopTransaction", without_tag) == {}
            record = csms.store.transaction(first["transactionId"])
            assert record is not None and record.meter_stop == 150 and record.stop_reason == "Local"
            # An unknown transaction is still answered.
            unknown = {**stop, "transactionId": 999_999}
            assert await cp.result("StopTransaction", unknown) == {}

    run(scenario)


def test_odd_input_is_answered_and_the_connection_survives() -> None:
    async def scenario() -> None:
        async with csms_running() as csms, charge_point(csms) as cp:
            extra = await cp.call("Heartbeat", {"unexpected": 1})
            assert extra[0] == 4 and extra[2] == "FormationViolation"  # the 1.6 spelling
            missing = await cp.call("Authorize", {})
            assert missing[0] == 4
            unknown = await cp.call("FlyToTheMoon", {})
            # OCPP-J 1.6 §4.2.3: "Requested Action is not known by receiver" is NotImplemented.
            assert unknown[0] == 4 and unknown[2] == "NotImplemented"
            wrong_way = await cp.call("Reset", {"type": "Soft"})  # known, but sent to a CP
            assert wrong_way[0] == 4 and wrong_way[2] == "NotSupported"
            await cp.ws.send('[2,"broken"]')
            broken = await cp.recv()
            assert broken[:3] == [4, "broken", "ProtocolError"]
            await cp.ws.send("this is not json")
            await cp.ws.send('[3,"nobody-asked",{}]')
            assert (await cp.boot())["status"] == "Accepted"

    run(scenario)


# -- handshake -----------------------------------------------------------------------------------


def test_handshake_requires_the_ocpp16_subprotocol_and_an_id() -> None:
    async def scenario() -> None:
        async with csms_running() as csms:
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"{csms.ocpp_url}/ocpp/{CP_ID}", open_timeout=DEADLINE_S):
                    pass
            assert refused.value.response.status_code == 400
            with pytest.raises(InvalidStatus) as refused:
                async with connect(
                    f"{csms.ocpp_url}/ocpp/{CP_ID}",
                    subprotocols=[Subprotocol("ocpp0.1")],
                    open_timeout=DEADLINE_S,
                ):
                    pass
            assert refused.value.response.status_code == 400
            async with charge_point(csms, subprotocols=["ocpp0.1", "ocpp1.6"]) as cp:
                assert (await cp.boot())["status"] == "Accepted"
            with pytest.raises(InvalidStatus) as refused:
                async with connect(
                    f"{csms.ocpp_url}/",
                    subprotocols=[Subprotocol("ocpp1.6")],
                    open_timeout=DEADLINE_S,
                ):
                    pass
            assert refused.value.response.status_code == 404

    run(scenario)


def test_basic_auth() -> None:
    async def scenario() -> None:
        seed = Seed(passwords={"SEEDED-CP": "seeded-password-1"})
        async with csms_running(ReferenceConfig(seed=seed)) as csms:
            async with aiohttp.ClientSession() as http:
                url = f"{csms.control_url}/api/octt/set-basic-auth-password"
                password = "0123456789abcdef"
                status, body = await post(http, url, {"station_id": CP_ID, "password": password})
                assert status == 200 and password not in json.dumps(body)
            for wrong in (None, "not-the-password"):
                with pytest.raises(InvalidStatus) as refused:
                    async with charge_point(csms, password=wrong):
                        pass
                assert refused.value.response.status_code == 401
                assert "Basic" in refused.value.response.headers["WWW-Authenticate"]
            async with charge_point(csms, password=password) as cp:
                assert (await cp.boot())["status"] == "Accepted"
            async with charge_point(csms, "SEEDED-CP", password="seeded-password-1") as cp:
                assert (await cp.boot())["status"] == "Accepted"
            # A station without a password connects without credentials.
            async with charge_point(csms, "OTHER-CP") as cp:
                assert (await cp.boot())["status"] == "Accepted"

    run(scenario)


def test_security_profile_set_through_the_trigger_api() -> None:
    async def scenario() -> None:
        async with csms_running() as csms, aiohttp.ClientSession() as http:
            url = f"{csms.control_url}/api/octt/set-security-profile"
            for bad in ({"station_id": CP_ID}, {"station_id": CP_ID, "security_profile": 4}):
                status, body = await post(http, url, bad)
                assert status == 400 and "security_profile" in body["error"]
            status, body = await post(http, url, {"station_id": CP_ID, "security_profile": 2})
            assert status == 200 and body["security_profile"] == 2
            assert csms.tls_url is None
            # Profile 2 needs TLS: a plain connection is refused, even with credentials.
            with pytest.raises(InvalidStatus) as refused:
                async with charge_point(csms, password="irrelevant-password"):
                    pass
            assert refused.value.response.status_code == 403

    run(scenario)


def test_a_new_connection_replaces_the_old_one() -> None:
    async def scenario() -> None:
        async with (
            csms_running() as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as old,
        ):
            await old.boot()
            async with charge_point(csms) as new:
                await new.boot()
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(old.ws.recv(), DEADLINE_S)
                call, status, _ = await triggered(csms, http, new, "clear-cache", {})
                assert call[2] == "ClearCache" and status == 200
                assert csms.connected() == [CP_ID]

    run(scenario)


def test_an_answer_is_taken_while_the_charge_points_call_is_still_being_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OCPP-J 1.6 §4.1.1: each direction has its own outstanding CALL. The charge point answers
    the CSMS's ChangeConfiguration(AuthorizationKey) while the CSMS still answers the charge
    point's StatusNotification, closes and reconnects with the new password (security
    whitepaper ed.3, A01): the CSMS has taken the Accepted and admits the new password. (The
    flake of the legal-behaviour matrix under load: periodic-housekeeping's
    TriggerMessage(StatusNotification) came just before TC_073's ChangeConfiguration.)"""
    answering = asyncio.Event()
    release = asyncio.Event()
    held_id = "cp-held"
    send = OcppLink.send

    async def held_send(link: OcppLink, message: str) -> None:
        # The CSMS is busy answering the charge point's CALL until the test lets it go.
        if response_unique_id(message) == held_id:
            answering.set()
            await release.wait()
        await send(link, message)

    monkeypatch.setattr(OcppLink, "send", held_send)
    status_notification = {"connectorId": 0, "errorCode": "NoError", "status": "Available"}

    async def scenario() -> None:
        async with csms_running() as csms, aiohttp.ClientSession() as http:
            try:
                url = f"{csms.control_url}/api/octt/set-basic-auth-password"
                body = {"station_id": CP_ID, "password": "old-password-0123"}
                assert (await post(http, url, body))[0] == 200
                async with charge_point(csms, password="old-password-0123") as cp:
                    await cp.boot()
                    frame = [2, held_id, "StatusNotification", status_notification]
                    await cp.ws.send(json.dumps(frame))
                    await asyncio.wait_for(answering.wait(), DEADLINE_S)
                    key = {"key": "AuthorizationKey", "value": "00" * 20}
                    url = trigger_url(csms, "change-configuration")
                    request = asyncio.create_task(post(http, url, key))
                    call = await answer_next_call(cp, accepted)
                    assert call[2:] == ["ChangeConfiguration", {**key, "value": call[3]["value"]}]
                # Closed at once, the StatusNotification still unanswered.
                status, reply = await asyncio.wait_for(request, DEADLINE_S)
                assert (status, reply) == (
                    200,
                    {"status": "answered", "response": accepted(call)[2]},
                )
                async with charge_point(csms, password=bytes.fromhex(call[3]["value"])) as cp:
                    assert (await cp.boot())["status"] == "Accepted"
            finally:
                release.set()

    run(scenario)


def test_calls_that_came_before_the_close_are_still_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The charge point's CALLs are handled in their order even when it is gone before the
    answers can be sent: the CSMS still records the status it was told."""
    answering, release, answered = asyncio.Event(), asyncio.Event(), asyncio.Event()
    send = OcppLink.send

    async def held_send(link: OcppLink, message: str) -> None:
        unique_id = response_unique_id(message)
        if unique_id == "cp-held":
            answering.set()
            await release.wait()
        elif unique_id == "cp-queued":
            answered.set()
        await send(link, message)

    monkeypatch.setattr(OcppLink, "send", held_send)

    def status(unique_id: str, connector_id: int, value: str) -> str:
        payload = {"connectorId": connector_id, "errorCode": "NoError", "status": value}
        return json.dumps([2, unique_id, "StatusNotification", payload])

    async def scenario() -> None:
        async with csms_running() as csms:
            try:
                async with charge_point(csms) as cp:
                    await cp.boot()
                    await cp.ws.send(status("cp-held", 1, "Available"))
                    await asyncio.wait_for(answering.wait(), DEADLINE_S)
                    await cp.ws.send(status("cp-queued", 2, "Unavailable"))
                release.set()
                await asyncio.wait_for(answered.wait(), DEADLINE_S)
                assert csms.store.connector_status(CP_ID, 2) == "Unavailable"
            finally:
                release.set()

    run(scenario)


# -- trigger API ---------------------------------------------------------------------------------


def test_trigger_remote_start_returns_the_charge_points_answer() -> None:
    async def scenario() -> None:
        async with (
            csms_running() as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as cp,
        ):
            await cp.boot()
            body = {"idTag": "OCTT-VALID-01", "connectorId": 1}
            call, status, reply = await triggered(csms, http, cp, "remote-start-transaction", body)
            assert call[2:] == ["RemoteStartTransaction", body]
            assert status == 200
            assert reply == {"status": "answered", "response": {"status": "Accepted"}}

            def rejected(frame: list[Any]) -> list[Any]:
                return [3, frame[1], {"status": "Rejected"}]

            _, status, reply = await triggered(
                csms, http, cp, "remote-stop-transaction", {"transactionId": 5}, rejected
            )
            assert (status, reply["response"]) == (200, {"status": "Rejected"})

            def call_error(frame: list[Any]) -> list[Any]:
                return [4, frame[1], "NotSupported", "not here", {}]

            _, status, reply = await triggered(csms, http, cp, "clear-cache", {}, call_error)
            assert status == 502
            assert reply["error_code"] == "NotSupported"
            assert reply["error_description"] == "not here"
            assert "NotSupported" in reply["error"]

    run(scenario)


def test_trigger_api_errors() -> None:
    async def scenario() -> None:
        async with (
            csms_running() as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as cp,
        ):
            await cp.boot()
            status, body = await post(http, trigger_url(csms, "clear-cache", "NOT-CONNECTED"))
            assert status == 404 and body == {
                "error": "charge point NOT-CONNECTED is not connected"
            }
            status, body = await post(http, trigger_url(csms, "fly-to-the-moon"))
            assert status == 400 and "fly-to-the-moon" in body["error"]
            status, body = await post(http, trigger_url(csms, "boot-notification"))
            assert status == 400 and "sent by a charge point" in body["error"]
            status, body = await post(http, trigger_url(csms, "reset"), {"type": "Medium"})
            assert status == 400 and "Medium" in body["error"]
            status, body = await post(http, trigger_url(csms, "reset"), [1, 2])
            assert status == 400 and "JSON object" in body["error"]
            status, body = await post(http, trigger_url(csms, "reset"), raw=b"{nope")
            assert status == 400 and "not JSON" in body["error"]
            async with http.get(f"{csms.control_url}/api/octt/health") as response:
                assert response.status == 200 and await response.json() == {"status": "ok"}
            async with http.get(f"{csms.control_url}/api/octt/nothing") as response:
                assert response.status == 404 and "error" in await response.json()

    run(scenario)


def test_trigger_timeout_and_one_call_at_a_time() -> None:
    async def scenario() -> None:
        config = ReferenceConfig(call_timeout_s=0.5)
        async with (
            csms_running(config) as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as cp,
        ):
            await cp.boot()
            status, body = await post(http, trigger_url(csms, "clear-cache"))
            assert status == 504 and body["status"] == "timeout"
            stale = await cp.recv()  # the unanswered ClearCache
            assert stale[2] == "ClearCache"

            first = asyncio.create_task(post(http, trigger_url(csms, "clear-cache")))
            second = asyncio.create_task(post(http, trigger_url(csms, "reset"), {"type": "Soft"}))
            call_one = await cp.recv()
            # OCPP-J §4.1.1: no second CALL while the first is unanswered.
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(cp.ws.recv(), 0.2)
            await cp.ws.send(json.dumps(accepted(call_one)))
            call_two = await answer_next_call(cp, accepted)
            assert {call_one[2], call_two[2]} == {"ClearCache", "Reset"}
            assert call_one[1] != call_two[1]
            results = await asyncio.gather(first, second)
            assert [status for status, _ in results] == [200, 200]
            # A late answer to the timed-out call is ignored, the connection goes on.
            await cp.ws.send(json.dumps(accepted(stale)))
            assert (await cp.result("Heartbeat", {}))["currentTime"]

    run(scenario)


def test_malformed_answer_and_disconnect_end_a_triggered_call() -> None:
    async def scenario() -> None:
        async with csms_running() as csms, aiohttp.ClientSession() as http:
            async with charge_point(csms) as cp:
                await cp.boot()

                def malformed(frame: list[Any]) -> list[Any]:
                    return [3, frame[1], "not an object"]

                _, status, reply = await triggered(csms, http, cp, "clear-cache", {}, malformed)
                assert (status, reply["status"]) == (502, "malformed")
                request = asyncio.create_task(post(http, trigger_url(csms, "clear-cache")))
                assert (await cp.recv())[2] == "ClearCache"
            # The charge point went away without answering.
            status, reply = await asyncio.wait_for(request, DEADLINE_S)
            assert (status, reply["status"]) == (502, "disconnected")

    run(scenario)


def test_create_token_is_seen_by_authorize() -> None:
    async def scenario() -> None:
        async with (
            csms_running() as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as cp,
        ):
            await cp.boot()
            url = f"{csms.control_url}/api/octt/create-token"
            assert (await post(http, url, {"token_id": "NEW-TAG", "status": "Accepted"}))[0] == 200
            answer = await cp.result("Authorize", {"idTag": "NEW-TAG"})
            assert answer["idTagInfo"] == {"status": "Accepted"}
            body = {"token_id": "NEW-TAG", "status": "Blocked", "parent_id_tag": "PARENT"}
            assert (await post(http, url, body))[0] == 200
            answer = await cp.result("Authorize", {"idTag": "NEW-TAG"})
            assert answer["idTagInfo"] == {"status": "Blocked", "parentIdTag": "PARENT"}
            status, error = await post(http, url, {"token_id": "X", "status": "Maybe"})
            assert status == 400 and "status" in error["error"]
            status, error = await post(http, url, {"token_id": "X" * 21, "status": "Accepted"})
            assert status == 400

    run(scenario)


# -- faults --------------------------------------------------------------------------------------


def faulty(*faults: Fault, **overrides: Any) -> ReferenceConfig:
    return ReferenceConfig(faults=frozenset(faults), **overrides)


def test_boot_faults_change_the_wire() -> None:
    async def scenario() -> None:
        config = faulty(Fault.BOOT_REJECTED, Fault.GARBAGE_AFTER_BOOT, Fault.BOOT_INTERVAL_STRING)
        async with csms_running(config) as csms, charge_point(csms) as cp:
            boot = await cp.boot()
            assert boot["status"] == "Rejected" and boot["interval"] == "300"
            assert await cp.recv_text() == GARBAGE_FRAME

    run(scenario)


def test_unknown_unique_id_fault() -> None:
    async def scenario() -> None:
        async with csms_running(faulty(Fault.UNKNOWN_UNIQUE_ID)) as csms, charge_point(csms) as cp:
            await cp.ws.send(json.dumps([2, "hb-1", "Heartbeat", {}]))
            frame = await cp.recv()
            assert frame[0] == 3 and frame[1] != "hb-1"

    run(scenario)


def test_handler_faults() -> None:
    async def scenario() -> None:
        config = faulty(
            Fault.AUTHORIZE_ACCEPTS_UNKNOWN,
            Fault.REJECT_PAST_TIMESTAMPS,
            Fault.STOP_TRANSACTION_EXTRA_FIELD,
            Fault.HEARTBEAT_CALLERROR,
            Fault.DATA_TRANSFER_ACCEPTED,
            Fault.SLOW_AUTHORIZE,
        )
        async with csms_running(config) as csms, charge_point(csms) as cp:
            started = time.monotonic()
            unknown = await cp.result("Authorize", {"idTag": "OCTT-UNKNOWN-99"})
            assert time.monotonic() - started >= 0.5
            assert unknown["idTagInfo"]["status"] == "Accepted"
            past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
            start = {"connectorId": 1, "idTag": "OCTT-VALID-01", "meterStart": 0}
            offline = await cp.result("StartTransaction", {**start, "timestamp": past})
            assert offline["idTagInfo"]["status"] == "Invalid"
            stop = {"transactionId": offline["transactionId"], "meterStop": 1, "timestamp": past}
            assert await cp.result("StopTransaction", stop) == {EXTRA_PROPERTY: True}
            heartbeat = await cp.call("Heartbeat", {})
            assert heartbeat[0] == 4 and heartbeat[2] == "InternalError"
            transfer = await cp.result("DataTransfer", {"vendorId": "x"})
            assert transfer["status"] == "Accepted"

    run(scenario)


def test_trigger_faults() -> None:
    async def scenario() -> None:
        config = faulty(Fault.REMOTE_START_MISSING_IDTAG, Fault.RESET_WRONG_TYPE)
        async with (
            csms_running(config) as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as cp,
        ):
            await cp.boot()
            body = {"idTag": "OCTT-VALID-01"}
            call, status, _ = await triggered(csms, http, cp, "remote-start-transaction", body)
            assert call[3] == {} and status == 200
            call, status, _ = await triggered(csms, http, cp, "reset", {"type": "Hard"})
            assert call[3] == {"type": "Soft"}

        async with (
            csms_running(faulty(Fault.DROP_TRIGGERED_CALLS)) as csms,
            aiohttp.ClientSession() as http,
            charge_point(csms) as cp,
        ):
            await cp.boot()
            status, reply = await post(http, trigger_url(csms, "clear-cache"))
            assert (status, reply) == (200, {"status": "dropped"})
            # Nothing was sent: the next frame the charge point sees answers its own Heartbeat.
            assert (await cp.call("Heartbeat", {}))[0] == 3

    run(scenario)


def test_serve_runs_until_cancelled() -> None:
    async def scenario() -> None:
        ready: asyncio.Future[ReferenceCsms] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(serve(ReferenceConfig(), ready.set_result))
        csms = await asyncio.wait_for(ready, DEADLINE_S)
        async with charge_point(csms) as cp:
            assert (await cp.boot())["status"] == "Accepted"
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(cp.ws.recv(), DEADLINE_S)
        await csms.stop()  # idempotent

    run(scenario)


def test_token_seed_by_config() -> None:
    async def scenario() -> None:
        seed = Seed(tokens=(TokenRecord("ONLY-ONE", TokenStatus.ACCEPTED),))
        async with csms_running(ReferenceConfig(seed=seed)) as csms, charge_point(csms) as cp:
            ok = await cp.result("Authorize", {"idTag": "ONLY-ONE"})
            assert ok["idTagInfo"]["status"] == "Accepted"
            valid = await cp.result("Authorize", {"idTag": "OCTT-VALID-01"})
            assert valid["idTagInfo"]["status"] == "Invalid"

    run(scenario)


# -- every fault is visible on the wire ----------------------------------------------------------

#: What a charge point sends, in order, in the probe (the last Authorize of a tag before a start
#: is deliberate: OCTT-CHILD-01 is never authorized on the connection).
_PROBE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("BootNotification", BOOT),
    ("Heartbeat", {}),
    ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Faulted"}),
    ("Authorize", {"idTag": "OCTT-VALID-01"}),
    ("Authorize", {"idTag": "OCTT-UNKNOWN-99"}),
    ("Authorize", {"idTag": "OCTT-BLOCKED-01"}),
    ("Authorize", {"idTag": "OCTT-CHILD-02"}),  # of a group: its parentIdTag
    ("DataTransfer", {"vendorId": "org.octt.unsupported"}),
    ("FirmwareStatusNotification", {"status": "DownloadFailed"}),
    ("DiagnosticsStatusNotification", {"status": "UploadFailed"}),
]
_PROBE_PROFILE: dict[str, Any] = {
    "chargingProfileId": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "validFrom": "2026-01-01T00:00:00Z",
    "chargingSchedule": {
        "startSchedule": "2026-01-01T00:00:00Z",
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}],
    },
}
_PROBE_TX_PROFILE: dict[str, Any] = {
    **_PROBE_PROFILE,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "transactionId": 5,
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}],
    },
}
_PROBE_TRIGGERS: list[tuple[str, dict[str, Any]]] = [
    ("clear-cache", {}),
    ("remote-start-transaction", {"idTag": "OCTT-VALID-01", "connectorId": 1}),
    ("remote-stop-transaction", {"transactionId": 5}),
    ("reset", {"type": "Hard"}),
    ("unlock-connector", {"connectorId": 1}),
    ("get-configuration", {}),
    ("get-configuration", {"key": ["SupportedFeatureProfiles"]}),
    ("change-configuration", {"key": "MeterValueSampleInterval", "value": "60"}),
    (
        "update-firmware",
        {"location": "http://127.0.0.1:1/firmware/fw.bin", "retrieveDate": "2026-01-01T00:00:00Z"},
    ),
    ("get-diagnostics", {"location": "http://127.0.0.1:1/diagnostics/"}),
    ("set-charging-profile", {"connectorId": 1, "csChargingProfiles": _PROBE_PROFILE}),
    ("set-charging-profile", {"connectorId": 1, "csChargingProfiles": _PROBE_TX_PROFILE}),
    (
        "clear-charging-profile",
        {"connectorId": 1, "chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 0},
    ),
    ("get-composite-schedule", {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}),
    (
        "remote-start-transaction",
        {
            "idTag": "OCTT-VALID-01",
            "connectorId": 1,
            "chargingProfile": {
                key: value for key, value in _PROBE_TX_PROFILE.items() if key != "transactionId"
            },
        },
    ),
    # Local Auth List Management, Reservation, Remote Trigger (and ChangeAvailability).
    ("get-local-list-version", {}),
    (
        "send-local-list",
        {
            "listVersion": 1,
            "updateType": "Full",
            "localAuthorizationList": [
                {"idTag": "OCTT-VALID-01", "idTagInfo": {"status": "Accepted"}}
            ],
        },
    ),
    (
        "send-local-list",
        {
            "listVersion": 2,
            "updateType": "Differential",
            "localAuthorizationList": [
                {"idTag": "OCTT-CHILD-02", "idTagInfo": {"status": "Accepted"}}
            ],
        },
    ),
    (
        "reserve-now",
        {
            "connectorId": 1,
            "expiryDate": "2030-01-01T00:00:00Z",
            "idTag": "OCTT-CHILD-01",
            "reservationId": 99,
        },
    ),
    ("cancel-reservation", {"reservationId": 2}),
    ("change-availability", {"connectorId": 1, "type": "Inoperative"}),
    ("trigger-message", {"requestedMessage": "MeterValues", "connectorId": 1}),
]


def _normalized(text: str) -> Any:
    try:
        frame = json.loads(text)
    except ValueError:
        return text
    if isinstance(frame, list) and len(frame) > 2 and isinstance(frame[2], dict):
        time_value = frame[2].get("currentTime")
        if isinstance(time_value, str) and RFC3339_MS_UTC.fullmatch(time_value):
            frame[2]["currentTime"] = "<now>"
    return frame


async def _answer_frames(cp: RawCp) -> list[Any]:
    """The frames up to and including the next CALLRESULT/CALLERROR (whatever its id)."""
    frames = []
    while True:
        frame = _normalized(await cp.recv_text())
        frames.append(frame)
        if isinstance(frame, list) and frame and frame[0] in (3, 4):
            return frames


async def _observe(config: ReferenceConfig) -> list[Any]:
    """Everything a charge point sees of the CSMS in a fixed probe, normalized for comparison."""
    seen: list[Any] = []
    async with (
        csms_running(config) as csms,
        aiohttp.ClientSession() as http,
        charge_point(csms) as cp,
    ):
        for number, (action, payload) in enumerate(_PROBE_CALLS):
            started = time.monotonic()
            await cp.ws.send(json.dumps([2, f"p{number}", action, payload]))
            seen.extend(await _answer_frames(cp))
            seen.append(("late", time.monotonic() - started >= 0.45))
        now = datetime.now(UTC)
        for number, timestamp in enumerate((now, now - timedelta(hours=1))):
            start: dict[str, Any] = {"connectorId": 1, "idTag": "OCTT-CHILD-01", "meterStart": 0}
            start["timestamp"] = timestamp.isoformat()
            await cp.ws.send(json.dumps([2, f"s{number}", "StartTransaction", start]))
            seen.extend(await _answer_frames(cp))
        stop = {"transactionId": 1, "meterStop": 1, "timestamp": now.isoformat()}
        await cp.ws.send(json.dumps([2, "stop", "StopTransaction", stop]))
        seen.extend(await _answer_frames(cp))
        # A schema-invalid StartTransaction (no idTag): a CALLERROR, unless a fault accepts it.
        malformed = {"connectorId": 1, "meterStart": 0, "timestamp": now.isoformat()}
        await cp.ws.send(json.dumps([2, "bad-start", "StartTransaction", malformed]))
        seen.extend(await _answer_frames(cp))
        for action, body in _PROBE_TRIGGERS:
            request = asyncio.create_task(post(http, trigger_url(csms, action), body))
            incoming = asyncio.create_task(cp.recv())
            done, _ = await asyncio.wait(
                {request, incoming}, timeout=DEADLINE_S, return_when=asyncio.FIRST_COMPLETED
            )
            if incoming in done:
                call = incoming.result()
                await cp.ws.send(json.dumps(accepted(call)))
                seen.append(call[2:])
                seen.append(await asyncio.wait_for(request, DEADLINE_S))
            else:
                incoming.cancel()
                seen.append(await asyncio.wait_for(request, DEADLINE_S))
        # Another idTag of the parent group uses the reservation the reserve-now probe made
        # (reservationId 1 in a fresh CSMS).
        reserved = {"connectorId": 1, "idTag": "OCTT-CHILD-02", "meterStart": 0, "reservationId": 1}
        reserved["timestamp"] = now.isoformat()
        await cp.ws.send(json.dumps([2, "r0", "StartTransaction", reserved]))
        seen.extend(await _answer_frames(cp))
    return seen


INTEROPERABILITY_FAULTS = {Fault.CURRENT_TIME_STALE, Fault.INTERFERING_REMOTE_STOP}


def test_every_fault_changes_what_the_wire_shows() -> None:
    async def scenario() -> None:
        baseline = await _observe(ReferenceConfig())
        assert ("late", True) not in baseline
        unchanged = []
        # The security whitepaper's faults need TLS and security profiles: each is shown to
        # fail a case in tests/integration/test_security_faults.py. The interoperability faults
        # (a stale clock: times are normalized here; a RemoteStopTransaction this probe does
        # not answer) fail cases in tests/integration/test_interoperability.py.
        for fault in sorted(set(Fault) - SECURITY_FAULTS - INTEROPERABILITY_FAULTS):
            if await _observe(faulty(fault)) == baseline:
                unchanged.append(fault.value)
        assert unchanged == [], unchanged

    run(scenario, timeout_s=30.0)
