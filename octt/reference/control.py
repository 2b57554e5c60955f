"""The trigger API of the reference CSMS: an aiohttp application (contract in DESIGN.md).

Owns the HTTP routes and their JSON bodies:

- `POST /api/octt/1.6/{cp_id}/{action}`: send the CALL `action` (kebab-case) with the JSON body as
  payload (completed by the CSMS where it owns a field: `octt.reference.operations`) to the
  connected charge point, and answer when it has answered: 200 `{"status":
  "answered", "response": {...}}`; 502 for a CALLERROR (code, description, details), a
  disconnect or a malformed answer; 504 when no answer came within the call timeout; 404 when
  the charge point is not connected; 400 for an unknown action or a body that is not a
  schema-valid JSON object.
- `POST /api/octt/create-token` `{"token_id", "status", "parent_id_tag"?, "expiry_date"?}`.
- `POST /api/octt/set-basic-auth-password` `{"station_id", "password"}`.
- `POST /api/octt/set-security-profile` `{"station_id", "security_profile"}` (0-3; an octt
  extension): the security profile the CSMS holds the charge point at (security whitepaper
  ed.3): 1 Basic authentication, 2 TLS and Basic authentication, 3 TLS with a client
  certificate; connections below it are refused.
- `GET /api/octt/charge-points` (the connected ids) and `GET /api/octt/health`.

Every error is JSON `{"error": "..."}`. Passwords are never logged nor echoed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from octt.clock import Clock, SystemClock
from octt.reference import operations
from octt.reference.actions import ActionError, action_from_kebab, schema_problem
from octt.reference.central import (
    Answered,
    AnsweredWithError,
    NotAnswered,
    NotAnsweredReason,
)
from octt.reference.faults import Fault
from octt.reference.quirks import Quirk
from octt.reference.registry import Registry
from octt.reference.store import Store, TokenRecord, TokenStatus

_LOG = logging.getLogger("octt.reference.control")

#: IdToken is a CiString20Type (OCPP 1.6 §7).
MAX_ID_TAG_LENGTH = 20

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A request the trigger API refuses with 400."""


def _error(http_status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=http_status)


@web.middleware
async def _json_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Errors as JSON, also aiohttp's own (unknown route, wrong method)."""
    try:
        return await handler(request)
    except BadRequest as exc:
        return _error(400, str(exc))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error(exc.status, f"{exc.reason}: {request.method} {request.path}")


async def _json_object(request: web.Request, *, empty_is_object: bool = False) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip() and empty_is_object:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest(f"the body must be a JSON object, got {type(body).__name__}")
    return body


def _string(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{key!r} must be a non-empty string")
    return value


#: Quirk.POLL_BEFORE_TRIGGERED: the triggered actions a GetConfiguration poll precedes.
_POLLED_BEFORE = frozenset({"GetConfiguration", "ChangeConfiguration"})


class ControlApi:
    """The trigger API of one reference CSMS."""

    def __init__(
        self,
        registry: Registry,
        store: Store,
        faults: frozenset[Fault],
        call_timeout_s: float,
        *,
        clock: Clock | None = None,
        quirks: frozenset[Quirk] = frozenset(),
    ) -> None:
        self._registry = registry
        self._quirks = quirks
        self._store = store
        self._faults = faults
        self._call_timeout_s = call_timeout_s
        self._clock: Clock = clock if clock is not None else SystemClock()

    def application(self) -> web.Application:
        app = web.Application(middlewares=[_json_errors])
        app.router.add_get("/api/octt/health", self._health)
        app.router.add_get("/api/octt/charge-points", self._charge_points)
        app.router.add_post("/api/octt/create-token", self._create_token)
        app.router.add_post("/api/octt/set-basic-auth-password", self._set_password)
        app.router.add_post("/api/octt/set-security-profile", self._set_security_profile)
        app.router.add_post("/api/octt/1.6/{cp_id}/{action}", self._trigger)
        return app

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _charge_points(self, request: web.Request) -> web.Response:
        return web.json_response({"connected": self._registry.connected()})

    async def _create_token(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        token_id = _string(body, "token_id")
        assert token_id is not None
        parent = _string(body, "parent_id_tag", required=False)
        for name, value in (("token_id", token_id), ("parent_id_tag", parent)):
            if value is not None and len(value) > MAX_ID_TAG_LENGTH:
                raise BadRequest(f"{name!r} is longer than {MAX_ID_TAG_LENGTH} characters")
        try:
            status = TokenStatus(str(body.get("status")))
        except ValueError:
            valid = ", ".join(s.value for s in TokenStatus)
            raise BadRequest(f"'status' must be one of {valid}") from None
        expiry = _string(body, "expiry_date", required=False)
        expiry_date = None
        if expiry is not None:
            try:
                expiry_date = datetime.fromisoformat(expiry)
            except ValueError:
                raise BadRequest("'expiry_date' must be an RFC 3339 date-time") from None
            if expiry_date.tzinfo is None:
                raise BadRequest("'expiry_date' must carry a time zone (e.g. Z)")
        self._store.upsert_token(TokenRecord(token_id, status, parent, expiry_date))
        _LOG.info("token %s stored with status %s", token_id, status.value)
        return web.json_response({"status": "ok", "token_id": token_id})

    async def _set_password(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        station_id = _string(body, "station_id")
        password = _string(body, "password")
        assert station_id is not None and password is not None
        self._store.set_password(station_id, password)
        _LOG.info("Basic-auth password of %s set", station_id)
        return web.json_response({"status": "ok", "station_id": station_id})

    async def _set_security_profile(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        station_id = _string(body, "station_id")
        assert station_id is not None
        profile = body.get("security_profile")
        if isinstance(profile, bool) or not isinstance(profile, int) or not 0 <= profile <= 3:
            raise BadRequest("'security_profile' must be an integer 0 to 3")
        self._store.set_security_profile(station_id, profile)
        _LOG.info("security profile of %s set to %d", station_id, profile)
        return web.json_response(
            {"status": "ok", "station_id": station_id, "security_profile": profile}
        )

    async def _trigger(self, request: web.Request) -> web.Response:
        cp_id = request.match_info["cp_id"]
        try:
            action = action_from_kebab(request.match_info["action"])
        except ActionError as exc:
            raise BadRequest(str(exc)) from None
        payload = await _json_object(request, empty_is_object=True)
        problem = schema_problem(action, payload)
        if problem is not None:
            raise BadRequest(f"the payload is not a valid {action}.req: {problem}")
        session = self._registry.get(cp_id)
        if session is None:
            return _error(404, f"charge point {cp_id} is not connected")
        if Fault.DROP_TRIGGERED_CALLS in self._faults:
            _LOG.info("%s: dropped %s (drop-triggered-calls fault)", cp_id, action)
            return web.json_response({"status": "dropped"})
        # The parts of the call the CSMS owns itself (reservationId, list version, idTagInfo).
        now = self._clock.utc_now()
        payload = operations.prepare(action, payload, self._store, cp_id, now, self._faults)
        if Quirk.POLL_BEFORE_TRIGGERED in self._quirks and action in _POLLED_BEFORE:
            # A legal habit of some CSMSs: refresh the configuration before touching it.
            await session.send_call("GetConfiguration", {}, self._call_timeout_s)
        outcome = await session.send_call(action, payload, self._call_timeout_s)
        answer = outcome.payload if isinstance(outcome, Answered) else None
        operations.record(action, payload, answer, self._store, cp_id, self._faults)
        if isinstance(outcome, Answered):
            return web.json_response({"status": "answered", "response": outcome.payload})
        if isinstance(outcome, AnsweredWithError):
            return _error(
                502,
                f"charge point {cp_id} answered {action} with CALLERROR {outcome.code}:"
                f" {outcome.description}",
                status="callerror",
                error_code=outcome.code,
                error_description=outcome.description,
                error_details=outcome.details,
            )
        assert isinstance(outcome, NotAnswered)
        http_status = 504 if outcome.reason is NotAnsweredReason.TIMEOUT else 502
        return _error(http_status, outcome.detail, status=outcome.reason.value)
