"""Payload faults on the Local Auth List, Reservation, Remote Trigger and ChangeAvailability
CALLs of the reference CSMS, applied through octt.reference.wire."""

from __future__ import annotations

import json
from typing import Any

import pytest

from octt.reference.faults import Fault
from octt.reference.profile_wire import CALL_MUTATIONS, EXTRA_PROPERTY
from octt.reference.wire import rewrite_outgoing


def sent(action: str, payload: dict[str, Any], fault: Fault) -> Any:
    [frame] = rewrite_outgoing(json.dumps([2, "u1", action, payload]), None, frozenset({fault}))
    return json.loads(frame)[3]


FULL = {
    "listVersion": 3,
    "updateType": "Full",
    "localAuthorizationList": [{"idTag": "A", "idTagInfo": {"status": "Accepted"}}],
}
RESERVE = {
    "connectorId": 1,
    "expiryDate": "2026-03-01T12:05:00.000Z",
    "idTag": "VALID-01",
    "reservationId": 7,
}


@pytest.mark.parametrize(
    ("fault", "action", "payload", "changed"),
    [
        (
            Fault.GET_LOCAL_LIST_VERSION_EXTRA_FIELD,
            "GetLocalListVersion",
            {},
            {EXTRA_PROPERTY: True},
        ),
        (Fault.SEND_LOCAL_LIST_WRONG_TYPE, "SendLocalList", FULL, {"updateType": "Differential"}),
        (
            Fault.SEND_LOCAL_LIST_NO_ID_TAG_INFO,
            "SendLocalList",
            FULL,
            {"localAuthorizationList": [{"idTag": "A"}]},
        ),
        (
            Fault.SEND_LOCAL_LIST_STALE_VERSION,
            "SendLocalList",
            {**FULL, "updateType": "Differential"},
            {"listVersion": 2},
        ),
        (Fault.RESERVE_NOW_WRONG_CONNECTOR, "ReserveNow", RESERVE, {"connectorId": 2}),
        (Fault.RESERVE_NOW_ANY_CONNECTOR, "ReserveNow", RESERVE, {"connectorId": 0}),
        (Fault.RESERVE_NOW_WRONG_ID_TAG, "ReserveNow", RESERVE, {"idTag": "10-DILAV"}),
        (
            Fault.RESERVE_NOW_LATE_EXPIRY,
            "ReserveNow",
            RESERVE,
            {"expiryDate": "2026-03-01T12:15:00.000Z"},
        ),
        (
            Fault.CANCEL_RESERVATION_WRONG_ID,
            "CancelReservation",
            {"reservationId": 7},
            {"reservationId": 1007},
        ),
        (
            Fault.CANCEL_RESERVATION_STRING_ID,
            "CancelReservation",
            {"reservationId": 7},
            {"reservationId": "7"},
        ),
        (
            Fault.CHANGE_AVAILABILITY_OPERATIVE,
            "ChangeAvailability",
            {"connectorId": 1, "type": "Inoperative"},
            {"type": "Operative"},
        ),
        (
            Fault.CHANGE_AVAILABILITY_WRONG_CONNECTOR,
            "ChangeAvailability",
            {"connectorId": 1, "type": "Inoperative"},
            {"connectorId": 2},
        ),
        (
            Fault.TRIGGER_MESSAGE_WRONG_MESSAGE,
            "TriggerMessage",
            {"requestedMessage": "MeterValues", "connectorId": 1},
            {"requestedMessage": "Heartbeat"},
        ),
        (
            Fault.TRIGGER_MESSAGE_WRONG_CONNECTOR,
            "TriggerMessage",
            {"requestedMessage": "MeterValues", "connectorId": 1},
            {"connectorId": 2},
        ),
    ],
)
def test_each_fault_changes_its_call(
    fault: Fault, action: str, payload: dict[str, Any], changed: dict[str, Any]
) -> None:
    assert sent(action, payload, fault) == {**payload, **changed}


def test_every_profile_fault_has_a_mutation_and_other_actions_pass() -> None:
    faults = {fault for fault, _, _ in CALL_MUTATIONS}
    assert len(faults) == len(CALL_MUTATIONS) == 14
    text = json.dumps([2, "u1", "Reset", {"type": "Hard"}])
    assert rewrite_outgoing(text, None, frozenset(faults)) == [text]


@pytest.mark.parametrize(
    ("fault", "action", "payload"),
    [
        (Fault.SEND_LOCAL_LIST_WRONG_TYPE, "SendLocalList", {**FULL, "updateType": "Differential"}),
        (Fault.SEND_LOCAL_LIST_STALE_VERSION, "SendLocalList", FULL),
        (Fault.RESERVE_NOW_LATE_EXPIRY, "ReserveNow", {**RESERVE, "expiryDate": "soon"}),
        (Fault.CHANGE_AVAILABILITY_OPERATIVE, "ChangeAvailability", {"connectorId": 1}),
        (
            Fault.TRIGGER_MESSAGE_WRONG_CONNECTOR,
            "TriggerMessage",
            {"requestedMessage": "Heartbeat"},
        ),
        (Fault.TRIGGER_MESSAGE_WRONG_MESSAGE, "TriggerMessage", {"requestedMessage": "Other"}),
    ],
)
def test_a_fault_leaves_what_it_does_not_concern(
    fault: Fault, action: str, payload: dict[str, Any]
) -> None:
    assert sent(action, payload, fault) == payload


@pytest.mark.parametrize(
    ("requested", "other"),
    [
        ("MeterValues", "Heartbeat"),
        ("Heartbeat", "StatusNotification"),
        ("StatusNotification", "MeterValues"),
        ("DiagnosticsStatusNotification", "FirmwareStatusNotification"),
        ("FirmwareStatusNotification", "DiagnosticsStatusNotification"),
        ("BootNotification", "Heartbeat"),
    ],
)
def test_wrong_message_names_another_message(requested: str, other: str) -> None:
    payload = {"requestedMessage": requested}
    assert sent("TriggerMessage", payload, Fault.TRIGGER_MESSAGE_WRONG_MESSAGE) == {
        "requestedMessage": other
    }
