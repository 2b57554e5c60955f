"""Payload faults on the CALLs of the Local Auth List Management, Reservation and Remote Trigger
profiles (and ChangeAvailability, which the Reservation cases use): each rewrites the outgoing
CALL so that one checked behaviour breaks. `octt.reference.wire` applies them with its own table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from octt.clock import rfc3339
from octt.reference.faults import Fault

Payload = dict[str, Any]
Mutation = Callable[[Payload], None]

#: How much later Fault.RESERVE_NOW_LATE_EXPIRY makes a reservation expire.
LATE_EXPIRY = timedelta(minutes=10)
#: The property added by Fault.GET_LOCAL_LIST_VERSION_EXTRA_FIELD.
EXTRA_PROPERTY = "octtUnexpectedProperty"

# requestedMessage under Fault.TRIGGER_MESSAGE_WRONG_MESSAGE: each one becomes another.
_OTHER_MESSAGE = {
    "MeterValues": "Heartbeat",
    "Heartbeat": "StatusNotification",
    "StatusNotification": "MeterValues",
    "DiagnosticsStatusNotification": "FirmwareStatusNotification",
    "FirmwareStatusNotification": "DiagnosticsStatusNotification",
    "BootNotification": "Heartbeat",
}


def _extra_property(payload: Payload) -> None:
    payload[EXTRA_PROPERTY] = True


def _full_as_differential(payload: Payload) -> None:
    if payload.get("updateType") == "Full":
        payload["updateType"] = "Differential"


def _drop_id_tag_info(payload: Payload) -> None:
    for entry in payload.get("localAuthorizationList") or []:
        if isinstance(entry, dict):
            entry.pop("idTagInfo", None)


def _stale_version(payload: Payload) -> None:
    # The CSMS numbers an update one above the installed list; this keeps the installed number.
    if payload.get("updateType") == "Differential" and isinstance(payload.get("listVersion"), int):
        payload["listVersion"] -= 1


def _connector_plus_one(payload: Payload) -> None:
    if isinstance(payload.get("connectorId"), int):
        payload["connectorId"] += 1


def _any_connector(payload: Payload) -> None:
    payload["connectorId"] = 0


def _backwards_id_tag(payload: Payload) -> None:
    if isinstance(payload.get("idTag"), str):
        payload["idTag"] = payload["idTag"][::-1]


def _late_expiry(payload: Payload) -> None:
    try:
        expiry = datetime.fromisoformat(str(payload.get("expiryDate")))
    except ValueError:
        return
    payload["expiryDate"] = rfc3339(expiry + LATE_EXPIRY)


def _reservation_plus_1000(payload: Payload) -> None:
    if isinstance(payload.get("reservationId"), int):
        payload["reservationId"] += 1000


def _reservation_as_string(payload: Payload) -> None:
    if "reservationId" in payload:
        payload["reservationId"] = str(payload["reservationId"])


def _swap_availability(payload: Payload) -> None:
    swapped = {"Inoperative": "Operative", "Operative": "Inoperative"}
    kind = payload.get("type")
    if isinstance(kind, str) and kind in swapped:
        payload["type"] = swapped[kind]


def _other_message(payload: Payload) -> None:
    message = payload.get("requestedMessage")
    if isinstance(message, str) and message in _OTHER_MESSAGE:
        payload["requestedMessage"] = _OTHER_MESSAGE[message]


# (fault, action, mutation), applied in this order when several faults touch the same action.
CALL_MUTATIONS: tuple[tuple[Fault, str, Mutation], ...] = (
    (Fault.GET_LOCAL_LIST_VERSION_EXTRA_FIELD, "GetLocalListVersion", _extra_property),
    (Fault.SEND_LOCAL_LIST_WRONG_TYPE, "SendLocalList", _full_as_differential),
    (Fault.SEND_LOCAL_LIST_NO_ID_TAG_INFO, "SendLocalList", _drop_id_tag_info),
    (Fault.SEND_LOCAL_LIST_STALE_VERSION, "SendLocalList", _stale_version),
    (Fault.RESERVE_NOW_WRONG_CONNECTOR, "ReserveNow", _connector_plus_one),
    (Fault.RESERVE_NOW_ANY_CONNECTOR, "ReserveNow", _any_connector),
    (Fault.RESERVE_NOW_WRONG_ID_TAG, "ReserveNow", _backwards_id_tag),
    (Fault.RESERVE_NOW_LATE_EXPIRY, "ReserveNow", _late_expiry),
    (Fault.CANCEL_RESERVATION_WRONG_ID, "CancelReservation", _reservation_plus_1000),
    (Fault.CANCEL_RESERVATION_STRING_ID, "CancelReservation", _reservation_as_string),
    (Fault.CHANGE_AVAILABILITY_OPERATIVE, "ChangeAvailability", _swap_availability),
    (Fault.CHANGE_AVAILABILITY_WRONG_CONNECTOR, "ChangeAvailability", _connector_plus_one),
    (Fault.TRIGGER_MESSAGE_WRONG_MESSAGE, "TriggerMessage", _other_message),
    (Fault.TRIGGER_MESSAGE_WRONG_CONNECTOR, "TriggerMessage", _connector_plus_one),
)
