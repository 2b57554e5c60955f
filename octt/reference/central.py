"""The central-system side of one charge point's connection, on the `ocpp` library.

Owns `CentralSession`: the OCPP 1.6 Core and Firmware Management message handlers (CP→CSMS
CALLs, validated by the library's schemas before and after each handler), the behaviour faults
of layer HANDLER, and the sending of CSMS-initiated CALLs for the trigger API, one at a time
(OCPP-J 1.6 §4.1.1: at most one outstanding CALL per direction), with their answers reported
verbatim. The two directions are independent: an answer of the charge point is taken the moment
it arrives, while its CALLs are handled in order by a task of their own (`start`).

Before a CALL reaches the library, `_refusal` answers what OCPP-J 1.6 §4.2.3 asks for bad input
(the codes of `octt.robustness.classes`, which the library spells or picks differently): a unique
id too long or reused, a broken CALL frame, an action OCPP 1.6 does not define (NotImplemented)
or one only a Central System sends (NotSupported), a payload that breaks the action's schema
(the code of the failing keyword), a negative connectorId. A CALL whose unique id cannot be read
is not answered at all (a CALLERROR could not name it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar, cast

from ocpp.charge_point import snake_to_camel_case
from ocpp.exceptions import InternalError, NotImplementedError, OCPPError
from ocpp.messages import unpack
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call_result, datatypes
from ocpp.v16.enums import Action, DataTransferStatus, RegistrationStatus
from websockets.exceptions import ConnectionClosed

from octt.clock import Clock, rfc3339
from octt.ocppj.frames import MAX_UNIQUE_ID_LENGTH, ErrorCode
from octt.reference import reservations
from octt.reference.auth import INVALID, IdTagDecision, decide
from octt.reference.faults import Fault
from octt.reference.habits import HabitTasks
from octt.reference.link import OcppLink
from octt.reference.quirks import Quirk, current_time
from octt.reference.security import CsrSigner
from octt.reference.security_handlers import SecurityHandlers
from octt.reference.store import ReservationState, Store, TokenStatus, TransferKind
from octt.reference.wire import (
    CALL,
    CALL_ERROR,
    CALL_RESULT,
    dumps,
    redact,
    response_unique_id,
)
from octt.robustness.classes import code_for_keywords
from octt.validation.actions import CORE_CHARGE_POINT_INITIATED, SECURITY_CHARGE_POINT_INITIATED
from octt.validation.schemas import SchemaSet

_LOG = logging.getLogger("octt.reference.central")

#: How late Authorize.conf is under Fault.SLOW_AUTHORIZE.
SLOW_AUTHORIZE_DELAY_S = 0.5
#: How far in the past a StartTransaction timestamp may be under Fault.REJECT_PAST_TIMESTAMPS.
PAST_TIMESTAMP_LIMIT = timedelta(seconds=60)
#: How far behind the CSMS's clock is under Fault.CURRENT_TIME_STALE.
STALE_CLOCK = timedelta(seconds=80)
#: How many unique ids of the charge point's CALLs a connection remembers, to refuse a reuse.
REMEMBERED_UNIQUE_IDS = 4096
#: The actions a charge point may send (OCPP 1.6 §4, Security Whitepaper).
_CHARGE_POINT_ACTIONS = CORE_CHARGE_POINT_INITIATED | SECURITY_CHARGE_POINT_INITIATED

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


def _on(action: str) -> Callable[[_Handler], _Handler]:
    """`ocpp.routing.on`, typed."""
    return cast(Callable[[_Handler], _Handler], on(action))


def _after(action: str) -> Callable[[_Handler], _Handler]:
    """`ocpp.routing.after` (runs once the answer is sent), typed."""
    return cast(Callable[[_Handler], _Handler], after(action))


@dataclass(frozen=True)
class SessionContext:
    """What every session of one CSMS shares."""

    store: Store
    faults: frozenset[Fault]
    clock: Clock
    heartbeat_interval_s: int
    # The charge point CA that signs CSRs (security whitepaper A02); None: SignCertificate is
    # Rejected.
    signer: CsrSigner | None = None
    # Legal behaviours that differ from the defaults (octt.reference.quirks).
    quirks: frozenset[Quirk] = frozenset()


# -- outcomes of a CSMS-initiated call -------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """The charge point answered with a CALLRESULT; its payload as received."""

    payload: dict[str, Any]


@dataclass(frozen=True)
class AnsweredWithError:
    """The charge point answered with a CALLERROR."""

    code: str
    description: str
    details: Any


class NotAnsweredReason(StrEnum):
    TIMEOUT = "timeout"
    DISCONNECTED = "disconnected"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class NotAnswered:
    reason: NotAnsweredReason
    detail: str


CallOutcome = Answered | AnsweredWithError | NotAnswered


@dataclass(frozen=True)
class _PendingCall:
    unique_id: str
    action: str
    future: asyncio.Future[CallOutcome]


class _LibraryLog(logging.LoggerAdapter[logging.Logger]):
    """The logger handed to the ocpp library (which logs every frame at INFO).

    The library logs a traceback at ERROR whenever it answers a CALL with a CALLERROR; when the
    cause is an OCPP error (a bad request from the charge point, or a fault of ours) that is a
    one-line warning here, not a crash report.
    """

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OCPPError):
            kwargs.pop("exc_info", None)
            self.warning("%s: %s", str(msg) % args if args else msg, error, **kwargs)
        else:
            super().exception(msg, *args, **kwargs)


def _parse_timestamp(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class CentralSession(SecurityHandlers, ChargePoint):  # type: ignore[misc]
    """One charge point's connection, seen from the Central System."""

    def __init__(self, charge_point_id: str, link: OcppLink, context: SessionContext) -> None:
        library_log = _LibraryLog(logging.getLogger("octt.reference.ocpp"))
        super().__init__(charge_point_id, link, logger=library_log)
        self.charge_point_id = charge_point_id
        self._link = link
        self._ctx = context
        # idTags sent in an Authorize on this connection (Fault.START_REQUIRES_AUTHORIZE).
        self._authorized: set[str] = set()
        self._trigger_lock = asyncio.Lock()
        self._pending: _PendingCall | None = None
        self._gone = False
        self._schemas = SchemaSet.load()
        self._seen_ids: set[str] = set()
        self._seen_order: deque[str] = deque()
        self._call_count = 0
        self._boot_accepted = False
        self._started: int | None = None
        self._habits = HabitTasks(self)

    # -- lifecycle ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Handle the charge point's frames until the connection ends."""
        self._habits.start()
        try:
            await self.start()
        except ConnectionClosed:
            pass
        finally:
            self.connection_lost()
            await self._habits.stop()

    async def start(self) -> None:
        """Read the charge point's frames until the connection ends (raises ConnectionClosed).

        Replaces the library's loop, which handles one frame after the other: there an answer
        to a CALL of the CSMS waits until the CSMS has answered the charge point's CALL that
        arrived before it (its schema checks run in a thread, slow under load), and is lost
        when the charge point closes the connection meanwhile. A charge point that accepts a
        new AuthorizationKey answers, closes and reconnects with the new password (security
        whitepaper ed.3, use case A01): the CSMS must have taken the Accepted by then.
        OCPP-J 1.6 §4.1.1 gives each direction its own outstanding CALL, so the two streams
        are independent: answers are taken the moment they arrive; the charge point's CALLs
        are handled in their order by a task of their own, and those that arrived before the
        close are still handled (their answers can no longer be sent).
        """
        calls: asyncio.Queue[str | None] = asyncio.Queue()
        handler = asyncio.ensure_future(self._handle_calls(calls))
        try:
            while True:
                message = await self._link.recv()
                if response_unique_id(message) is not None:
                    await self.route_message(message)
                else:
                    calls.put_nowait(message)
        except ConnectionClosed:
            self.connection_lost()  # a CALL of the CSMS still waiting ends now, not after these
            calls.put_nowait(None)
            await handler
            raise
        finally:
            if not handler.done():
                handler.cancel()

    async def _handle_calls(self, calls: asyncio.Queue[str | None]) -> None:
        """Handle the charge point's CALLs (and frames that are no answer) one at a time."""
        while (message := await calls.get()) is not None:
            try:
                await self.route_message(message)
            except ConnectionClosed:
                pass  # handled, but the answer could not be sent: the charge point is gone
            except Exception:
                # A bug of the reference: end the connection (RFC 6455 §7.4.1: 1011, an
                # unexpected condition) so that the reader stops and `start` raises it.
                await self._link.close(1011, "internal error")
                raise

    def connection_lost(self) -> None:
        """The WebSocket is gone: a CSMS-initiated call still waiting will get no answer."""
        self._gone = True
        pending = self._pending
        if pending is not None and not pending.future.done():
            pending.future.set_result(
                NotAnswered(
                    NotAnsweredReason.DISCONNECTED,
                    f"charge point {self.charge_point_id} disconnected before answering",
                )
            )

    async def close(self, reason: str) -> None:
        await self._link.close(1000, reason)

    # -- incoming frames ---------------------------------------------------------------------------

    async def route_message(self, raw_msg: str) -> None:
        """Route one frame: answers to our CALLs are taken here, CALLs go to the ocpp library.

        Overrides the library, which would queue answers for its own `call()` and silently drop
        a malformed CALL; here a CALL with a readable unique id but a broken frame is answered
        with a CALLERROR (OCPP-J 1.6 §4.2.3).
        """
        refusal = self._refusal(raw_msg)
        if refusal is not None:
            if refusal:
                await self._send(dumps(refusal))
            return
        try:
            frame = unpack(raw_msg)
        except OCPPError as exc:
            await self._answer_malformed(raw_msg, exc)
            return
        if frame.message_type_id in (CALL_RESULT, CALL_ERROR):
            self._take_answer(frame)
            return
        await super().route_message(raw_msg)

    def _refusal(self, raw_msg: str) -> list[Any] | None:
        """The frame to answer a bad CALL with ([] for none at all), or None for a CALL (or
        an answer) to process as usual. See the module docstring."""
        try:
            message = json.loads(raw_msg)
        except ValueError:
            return None  # not JSON: the library's unpack reports it
        if not isinstance(message, list) or not message or message[0] != CALL:
            return None
        if isinstance(message[0], bool):
            return None
        unique_id = message[1] if len(message) > 1 else None
        if not isinstance(unique_id, str) or not unique_id:
            _LOG.warning("%s: ignored a CALL without a readable unique id", self.charge_point_id)
            return []

        def refuse(code: ErrorCode, description: str) -> list[Any]:
            _LOG.warning("%s: CALL %s refused: %s", self.charge_point_id, unique_id, description)
            return [CALL_ERROR, unique_id, code.value, description[:255], {}]

        if len(unique_id) > MAX_UNIQUE_ID_LENGTH:
            return refuse(
                ErrorCode.FORMATION_VIOLATION,
                f"the unique id has {len(unique_id)} characters, at most 36 (OCPP-J 1.6 §4.1.4)",
            )
        if unique_id in self._seen_ids:
            return refuse(
                ErrorCode.GENERIC_ERROR,
                "the unique id was used before on this connection (OCPP-J 1.6 §4.1.4)",
            )
        self._remember(unique_id)
        if len(message) != 4:
            return refuse(ErrorCode.PROTOCOL_ERROR, "a CALL has 4 elements (OCPP-J 1.6 §4.2.1)")
        action, payload = message[2], message[3]
        if not isinstance(action, str) or not isinstance(payload, dict):
            return refuse(
                ErrorCode.FORMATION_VIOLATION,
                "a CALL has a string Action and an object payload (OCPP-J 1.6 §4.2.1)",
            )
        if not self._schemas.has_action(action):
            return refuse(ErrorCode.NOT_IMPLEMENTED, f"{action} is not an OCPP 1.6 action")
        if action not in _CHARGE_POINT_ACTIONS:
            return refuse(
                ErrorCode.NOT_SUPPORTED, f"{action} is sent by a Central System, not to one"
            )
        violations = self._schemas.request_errors(action, payload)
        if violations:
            if action == "StartTransaction" and self._faulty(
                Fault.START_TRANSACTION_ACCEPTS_MALFORMED
            ):
                accepted = {"transactionId": 1, "idTagInfo": {"status": "Accepted"}}
                return [CALL_RESULT, unique_id, accepted]
            first = violations[0]
            code = code_for_keywords([v.keyword for v in violations])
            return refuse(code, f"{action}.req {first.path or 'payload'}: {first.message}")
        connector = payload.get("connectorId")
        if isinstance(connector, int) and connector < 0:
            return refuse(
                ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
                f"connectorId {connector} is negative (OCPP 1.6 §6: connectorId >= 0)",
            )
        return None

    def _remember(self, unique_id: str) -> None:
        self._seen_ids.add(unique_id)
        self._seen_order.append(unique_id)
        if len(self._seen_order) > REMEMBERED_UNIQUE_IDS:
            self._seen_ids.discard(self._seen_order.popleft())

    async def _answer_malformed(self, raw_msg: str, exc: OCPPError) -> None:
        head = _frame_head(raw_msg)
        pending = self._pending
        if (
            head is not None
            and head[0] in (CALL_RESULT, CALL_ERROR)
            and pending is not None
            and head[1] == pending.unique_id
            and not pending.future.done()
        ):
            pending.future.set_result(
                NotAnswered(
                    NotAnsweredReason.MALFORMED,
                    f"the answer to {pending.action} is not a well-formed OCPP-J frame:"
                    f" {exc.description}",
                )
            )
            return
        unique_id = head[1] if head is not None and head[0] == CALL else None
        if unique_id is None:
            _LOG.warning(
                "%s: ignored a frame that is not OCPP-J: %s", self.charge_point_id, exc.description
            )
            return
        _LOG.warning("%s: malformed CALL %s: %s", self.charge_point_id, unique_id, exc)
        details = exc.details if isinstance(exc.details, dict) else {}
        cause = {"cause": str(details.get("cause", exc.description))}
        await self._send(dumps([CALL_ERROR, unique_id, exc.code, exc.description, cause]))

    def _take_answer(self, frame: Any) -> None:
        pending = self._pending
        if pending is None or frame.unique_id != pending.unique_id or pending.future.done():
            _LOG.warning(
                "%s: ignored an answer with unique id %r that answers no outstanding CALL",
                self.charge_point_id,
                frame.unique_id,
            )
            return
        outcome: CallOutcome
        if frame.message_type_id == CALL_RESULT:
            if isinstance(frame.payload, dict):
                outcome = Answered(frame.payload)
            else:
                outcome = NotAnswered(
                    NotAnsweredReason.MALFORMED,
                    f"the CALLRESULT to {pending.action} has a payload that is not a JSON object",
                )
        else:
            outcome = AnsweredWithError(
                str(frame.error_code), str(frame.error_description), frame.error_details
            )
        pending.future.set_result(outcome)

    @property
    def quirks(self) -> frozenset[Quirk]:
        return self._ctx.quirks

    @property
    def heartbeat_interval_s(self) -> int:
        return self._ctx.heartbeat_interval_s

    # -- CSMS-initiated calls ----------------------------------------------------------------------

    async def send_call(
        self, action: str, payload: dict[str, Any], timeout_s: float
    ) -> CallOutcome:
        """Send one CALL and wait for its answer; calls queue up behind each other.

        `payload` must already be schema-valid (the trigger API checks); the frame is written
        from it verbatim (the link may still rewrite it when a fault says so). The timeout runs
        from the moment the CALL is sent.
        """
        async with self._trigger_lock:
            if self._gone:
                return NotAnswered(
                    NotAnsweredReason.DISCONNECTED,
                    f"charge point {self.charge_point_id} disconnected",
                )
            self._call_count += 1
            numeric = Quirk.NUMERIC_UNIQUE_IDS in self._ctx.quirks
            unique_id = str(self._call_count) if numeric else str(uuid.uuid4())
            future: asyncio.Future[CallOutcome] = asyncio.get_running_loop().create_future()
            self._pending = _PendingCall(unique_id, action, future)
            frame = dumps([CALL, unique_id, action, payload])
            try:
                _LOG.info("%s: sending %s", self.charge_point_id, redact(frame))
                try:
                    await self._link.send(frame)
                except ConnectionClosed:
                    self.connection_lost()
                try:
                    return await asyncio.wait_for(future, timeout_s)
                except TimeoutError:
                    return NotAnswered(
                        NotAnsweredReason.TIMEOUT,
                        f"charge point {self.charge_point_id} did not answer {action}"
                        f" within {timeout_s:g} s",
                    )
            finally:
                self._pending = None

    # -- helpers -----------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self._ctx.clock.utc_now()

    def _current_time(self) -> str:
        """currentTime of BootNotification.conf and Heartbeat.conf (§4.2, §4.6)."""
        now = self._now()
        if self._faulty(Fault.CURRENT_TIME_STALE):
            now -= STALE_CLOCK
        return current_time(now, self._ctx.quirks) or rfc3339(now)

    def _faulty(self, fault: Fault) -> bool:
        return fault in self._ctx.faults

    def _id_tag_info(self, decision: IdTagDecision) -> Any:
        expiry = rfc3339(decision.expiry_date) if decision.expiry_date is not None else None
        return datatypes.IdTagInfo(
            status=decision.status.value,
            parent_id_tag=decision.parent_id_tag,
            expiry_date=expiry,
        )

    def _decide(self, id_tag: str) -> IdTagDecision:
        return decide(self._ctx.store.token(id_tag), self._now(), self._ctx.faults)

    # -- CP→CSMS handlers (OCPP 1.6 §4, Core) ------------------------------------------------------

    @_on(Action.boot_notification)
    def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any
    ) -> Any:
        # §4.2: the CSMS accepts the charge point and tells it the heartbeat interval.
        now = self._now()
        self._ctx.store.record_boot(
            self.charge_point_id,
            vendor=charge_point_vendor,
            model=charge_point_model,
            serial_number=kwargs.get("charge_point_serial_number"),
            firmware_version=kwargs.get("firmware_version"),
            at=now,
        )
        status = RegistrationStatus.accepted
        if self._faulty(Fault.BOOT_REJECTED):
            status = RegistrationStatus.rejected
        self._boot_accepted = status == RegistrationStatus.accepted
        return call_result.BootNotification(
            current_time=self._current_time(),
            interval=self._ctx.heartbeat_interval_s,
            status=status,
        )

    @_after(Action.boot_notification)
    def after_boot_notification(self, **kwargs: Any) -> None:
        if self._boot_accepted:
            self._habits.booted()

    @_on(Action.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> Any:
        # §4.6: Heartbeat.conf carries the CSMS's current time, in UTC (§3 "Time zones").
        if self._faulty(Fault.HEARTBEAT_CALLERROR):
            raise InternalError(description="heartbeat-callerror fault switched on")
        now = self._now()
        self._ctx.store.record_heartbeat(self.charge_point_id, now)
        if self._faulty(Fault.HEARTBEAT_BAD_TIME):
            return call_result.Heartbeat(current_time=now.strftime("%Y-%m-%d %H:%M:%S"))
        return call_result.Heartbeat(current_time=self._current_time())

    @_on(Action.authorize)
    async def on_authorize(self, id_tag: str, **kwargs: Any) -> Any:
        # §4.1: idTagInfo from the CSMS's own list of identifiers.
        if self._faulty(Fault.SLOW_AUTHORIZE):
            await asyncio.sleep(SLOW_AUTHORIZE_DELAY_S)
        self._authorized.add(id_tag.casefold())
        rejects_all = self._faulty(Fault.AUTHORIZE_REJECTS_VALID)
        decision = INVALID if rejects_all else self._decide(id_tag)
        if decision.parent_id_tag is not None and self._faulty(Fault.AUTHORIZE_NO_PARENT):
            decision = replace(decision, parent_id_tag=None)
        if decision.parent_id_tag is not None and self._faulty(Fault.AUTHORIZE_WRONG_PARENT):
            decision = replace(decision, parent_id_tag=f"X{decision.parent_id_tag}"[:20])
        return call_result.Authorize(id_tag_info=self._id_tag_info(decision))

    @_on(Action.start_transaction)
    def on_start_transaction(
        self,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str,
        reservation_id: int | None = None,
        **kwargs: Any,
    ) -> Any:
        # §4.8: the CSMS checks the idTag and always returns a transactionId, even when the idTag
        # is not Accepted (the charge point may have started it offline; see TC_037_3).
        now = self._now()
        decision = self._decide(id_tag)
        unauthorized = id_tag.casefold() not in self._authorized
        started = _parse_timestamp(timestamp)
        in_the_past = started is not None and started < now - PAST_TIMESTAMP_LIMIT
        if (
            self._faulty(Fault.START_TRANSACTION_REJECTED)
            or (self._faulty(Fault.START_REQUIRES_AUTHORIZE) and unauthorized)
            or (self._faulty(Fault.REJECT_PAST_TIMESTAMPS) and in_the_past)
        ):
            decision = INVALID
        # §5.13: a transaction quoting a reservation of this CSMS uses it up.
        decision, reservation = reservations.honour(
            self._ctx.store,
            self.charge_point_id,
            reservation_id,
            id_tag,
            decision,
            self._ctx.faults,
        )
        transaction_id = self._ctx.store.start_transaction(
            self.charge_point_id,
            connector_id=connector_id,
            id_tag=id_tag,
            start_status=decision.status.value,
            meter_start=meter_start,
            timestamp=timestamp,
            reservation_id=reservation_id,
        )
        if reservation is not None and decision.status is TokenStatus.ACCEPTED:
            self._ctx.store.set_reservation_state(
                reservation.reservation_id, ReservationState.USED, transaction_id
            )
        self._started = transaction_id
        return call_result.StartTransaction(
            transaction_id=transaction_id, id_tag_info=self._id_tag_info(decision)
        )

    @_after(Action.start_transaction)
    def after_start_transaction(self, **kwargs: Any) -> None:
        if self._started is not None and self._faulty(Fault.INTERFERING_REMOTE_STOP):
            self._habits.remote_stop(self._started)

    @_on(Action.stop_transaction)
    def on_stop_transaction(
        self,
        meter_stop: int,
        timestamp: str,
        transaction_id: int,
        reason: str | None = None,
        id_tag: str | None = None,
        transaction_data: list[Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        # §4.10: store the stop data; StopTransaction.conf has idTagInfo only when the request
        # carries an idTag.
        known = self._ctx.store.stop_transaction(
            transaction_id,
            meter_stop=meter_stop,
            timestamp=timestamp,
            reason=reason,
            id_tag=id_tag,
            transaction_data=snake_to_camel_case(transaction_data)
            if transaction_data is not None
            else None,
        )
        if not known:
            _LOG.warning(
                "%s: StopTransaction for unknown transaction %s",
                self.charge_point_id,
                transaction_id,
            )
        if id_tag is None:
            return call_result.StopTransaction()
        return call_result.StopTransaction(id_tag_info=self._id_tag_info(self._decide(id_tag)))

    @_on(Action.status_notification)
    def on_status_notification(
        self,
        connector_id: int,
        error_code: str,
        status: str,
        info: str | None = None,
        timestamp: str | None = None,
        **kwargs: Any,
    ) -> Any:
        # §4.9: the CSMS stores the status; the confirmation is empty.
        if status == "Faulted" and self._faulty(Fault.STATUS_NOTIFICATION_CALLERROR):
            raise InternalError(description="status-notification-callerror fault switched on")
        self._ctx.store.record_status(
            self.charge_point_id,
            connector_id,
            status=status,
            error_code=error_code,
            info=info,
            timestamp=timestamp,
            at=self._now(),
        )
        return call_result.StatusNotification()

    @_on(Action.meter_values)
    def on_meter_values(
        self,
        connector_id: int,
        meter_value: list[Any],
        transaction_id: int | None = None,
        **kwargs: Any,
    ) -> Any:
        # §4.7: the confirmation is empty.
        self._ctx.store.record_meter_values(
            self.charge_point_id,
            connector_id=connector_id,
            transaction_id=transaction_id,
            meter_value=snake_to_camel_case(meter_value),
            at=self._now(),
        )
        return call_result.MeterValues()

    @_on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> Any:
        # §4.3: this CSMS implements no vendor-specific extension, so every vendorId is unknown.
        if self._faulty(Fault.DATA_TRANSFER_CALLERROR):
            raise NotImplementedError(description="data-transfer-callerror fault switched on")
        if self._faulty(Fault.DATA_TRANSFER_ACCEPTED):
            return call_result.DataTransfer(status=DataTransferStatus.accepted)
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)

    # -- CP→CSMS handlers (OCPP 1.6 §4, Firmware Management) ---------------------------------------

    @_on(Action.firmware_status_notification)
    def on_firmware_status_notification(self, status: str, **kwargs: Any) -> Any:
        # §4.5: the CSMS records the progress of a firmware update; the confirmation is empty.
        if status in _FIRMWARE_FAILURES and self._faulty(Fault.FIRMWARE_FAILURE_CALLERROR):
            raise InternalError(description="firmware-failure-status-callerror fault switched on")
        self._ctx.store.record_transfer_status(
            self.charge_point_id, TransferKind.FIRMWARE, status, self._now()
        )
        return call_result.FirmwareStatusNotification()

    @_on(Action.diagnostics_status_notification)
    def on_diagnostics_status_notification(self, status: str, **kwargs: Any) -> Any:
        # §4.4: the CSMS records the progress of a diagnostics upload; the confirmation is empty.
        if status == "UploadFailed" and self._faulty(Fault.DIAGNOSTICS_UPLOAD_FAILED_CALLERROR):
            raise InternalError(description="diagnostics-upload-failed-callerror fault switched on")
        self._ctx.store.record_transfer_status(
            self.charge_point_id, TransferKind.DIAGNOSTICS, status, self._now()
        )
        return call_result.DiagnosticsStatusNotification()


#: FirmwareStatus values that report a failed update (OCPP 1.6 §7.25).
_FIRMWARE_FAILURES = frozenset({"DownloadFailed", "InstallationFailed"})


def _frame_head(raw_msg: str) -> tuple[int, str] | None:
    """(message type, unique id) of something recognisably an OCPP-J frame, however broken."""
    try:
        frame = json.loads(raw_msg)
    except ValueError:
        return None
    if (
        isinstance(frame, list)
        and len(frame) >= 2
        and frame[0] in (CALL, CALL_RESULT, CALL_ERROR)
        and isinstance(frame[1], str)
        and frame[1]
    ):
        return int(frame[0]), frame[1]
    return None
