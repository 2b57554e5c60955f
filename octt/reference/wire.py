"""Rewriting of the reference CSMS's outgoing OCPP-J frames, after the ocpp library made them.

Owns three things, all pure functions of the frame text:

- the payload and wire faults (`Fault` members of layer WIRE): the ocpp library validates what it
  sends, so faults that must produce schema-invalid or unanswerable frames are applied here, on
  the decoded OCPP-J array, and the frame is re-encoded;
- the OCPP 1.6 spelling of CALLERROR codes: the library uses the OCPP 2.0.1 spellings
  FormatViolation / OccurrenceConstraintViolation, OCPP-J 1.6 §4.2.3 (and its errata, "will not
  be fixed") spells them FormationViolation / OccurenceConstraintViolation;
- redaction of secrets before a frame is logged.

A frame no rule touches is passed on as the exact same text.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from octt.reference import profile_wire, security_wire
from octt.reference.faults import Fault

CALL, CALL_RESULT, CALL_ERROR = 2, 3, 4

#: The text frame sent after BootNotification.conf by Fault.GARBAGE_AFTER_BOOT.
GARBAGE_FRAME = "this is not json"
#: Name of the property added by the "extra property" faults.
EXTRA_PROPERTY = "octtUnexpectedProperty"

_CALL_ERROR_SPELLING_1_6 = {
    "FormatViolation": "FormationViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
}

_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+\.\d+")

Payload = dict[str, Any]
_Mutation = Callable[[Payload], None]


def dumps(value: object) -> str:
    """Compact JSON as OCPP-J frames are written."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def call_action(text: str) -> tuple[str, str] | None:
    """(unique id, action) if the text is a well-formed CALL frame, else None."""
    frame = _loads(text)
    if (
        isinstance(frame, list)
        and len(frame) == 4
        and frame[0] == CALL
        and isinstance(frame[1], str)
        and isinstance(frame[2], str)
        and isinstance(frame[3], dict)
    ):
        return frame[1], frame[2]
    return None


def response_unique_id(text: str) -> str | None:
    """The unique id of a CALLRESULT or CALLERROR frame, else None."""
    frame = _loads(text)
    if (
        isinstance(frame, list)
        and len(frame) >= 2
        and frame[0] in (CALL_RESULT, CALL_ERROR)
        and isinstance(frame[1], str)
    ):
        return frame[1]
    return None


# -- payload mutations of CSMS-initiated CALLs ---------------------------------------------------


def _clear_cache_extra(payload: Payload) -> None:
    payload[EXTRA_PROPERTY] = True


def _remote_start_missing_idtag(payload: Payload) -> None:
    payload.pop("idTag", None)


def _remote_stop_wrong_transaction(payload: Payload) -> None:
    if isinstance(payload.get("transactionId"), int):
        payload["transactionId"] += 1000


def _remote_stop_string_id(payload: Payload) -> None:
    if "transactionId" in payload:
        payload["transactionId"] = str(payload["transactionId"])


def _reset_wrong_type(payload: Payload) -> None:
    swapped = {"Hard": "Soft", "Soft": "Hard"}
    kind = payload.get("type")
    if isinstance(kind, str) and kind in swapped:
        payload["type"] = swapped[kind]


def _unlock_string_connector(payload: Payload) -> None:
    if "connectorId" in payload:
        payload["connectorId"] = str(payload["connectorId"])


def _get_configuration_wrong_keys(payload: Payload) -> None:
    if payload.get("key"):
        del payload["key"]
    else:
        payload["key"] = ["HeartbeatInterval"]


def _change_configuration_wrong_value(payload: Payload) -> None:
    if isinstance(payload.get("value"), str):
        payload["value"] += "0"


def _change_configuration_numeric_value(payload: Payload) -> None:
    value = payload.get("value")
    if isinstance(value, str):
        if _INTEGER.fullmatch(value):
            payload["value"] = int(value)
        elif _DECIMAL.fullmatch(value):
            payload["value"] = float(value)


#: The firmware file name Fault.UPDATE_FIRMWARE_WRONG_LOCATION puts in the location.
WRONG_FIRMWARE_NAME = "octt-wrong-firmware.bin"
#: The startSchedule Fault.REMOTE_START_RELATIVE_WITH_START gives a Relative profile.
STRAY_START_SCHEDULE = "2030-01-01T00:00:00.000Z"


def _wrong_firmware_location(payload: Payload) -> None:
    location = payload.get("location")
    if isinstance(location, str):
        head, _, _ = location.rpartition("/")
        payload["location"] = f"{head}/{WRONG_FIRMWARE_NAME}" if head else WRONG_FIRMWARE_NAME


def _relative_diagnostics_location(payload: Payload) -> None:
    location = payload.get("location")
    if isinstance(location, str):
        payload["location"] = "diagnostics/" + location.rstrip("/").rpartition("/")[2]


def _profile(payload: Payload, key: str) -> Payload | None:
    profile = payload.get(key)
    return profile if isinstance(profile, dict) else None


def _schedule_periods(profile: Payload) -> list[Payload]:
    schedule = profile.get("chargingSchedule")
    periods = schedule.get("chargingSchedulePeriod") if isinstance(schedule, dict) else None
    return [p for p in periods if isinstance(p, dict)] if isinstance(periods, list) else []


def _set_profile_wrong_purpose(payload: Payload) -> None:
    swapped = {
        "TxDefaultProfile": "TxProfile",
        "TxProfile": "TxDefaultProfile",
        "ChargePointMaxProfile": "TxDefaultProfile",
    }
    profile = _profile(payload, "csChargingProfiles")
    purpose = profile.get("chargingProfilePurpose") if profile else None
    if profile is not None and isinstance(purpose, str) and purpose in swapped:
        profile["chargingProfilePurpose"] = swapped[purpose]


def _set_profile_wrong_stack_level(payload: Payload) -> None:
    profile = _profile(payload, "csChargingProfiles")
    if profile is not None and isinstance(profile.get("stackLevel"), int):
        profile["stackLevel"] += 1


def _set_profile_recurring(payload: Payload) -> None:
    profile = _profile(payload, "csChargingProfiles")
    if profile is not None:
        profile["chargingProfileKind"] = "Recurring"
        profile["recurrencyKind"] = "Daily"


def _set_profile_missing_valid_from(payload: Payload) -> None:
    profile = _profile(payload, "csChargingProfiles")
    if profile is not None:
        profile.pop("validFrom", None)


def _set_profile_stray_transaction(payload: Payload) -> None:
    profile = _profile(payload, "csChargingProfiles")
    if profile is not None and "transactionId" not in profile:
        profile["transactionId"] = 1


def _set_profile_wrong_transaction(payload: Payload) -> None:
    profile = _profile(payload, "csChargingProfiles")
    if profile is not None and isinstance(profile.get("transactionId"), int):
        profile["transactionId"] += 1000


def _set_profile_single_phase(payload: Payload) -> None:
    profile = _profile(payload, "csChargingProfiles")
    for period in _schedule_periods(profile) if profile is not None else []:
        period["numberPhases"] = 1


def _clear_profile_wrong_criteria(payload: Payload) -> None:
    if "id" not in payload and isinstance(payload.get("stackLevel"), int):
        payload["stackLevel"] += 1


def _composite_wrong_duration(payload: Payload) -> None:
    if isinstance(payload.get("duration"), int):
        payload["duration"] += 60


def _composite_wrong_unit(payload: Payload) -> None:
    swapped = {"A": "W", "W": "A"}
    unit = payload.get("chargingRateUnit")
    if isinstance(unit, str) and unit in swapped:
        payload["chargingRateUnit"] = swapped[unit]


def _remote_start_without_profile(payload: Payload) -> None:
    payload.pop("chargingProfile", None)


def _remote_start_relative_with_start(payload: Payload) -> None:
    profile = _profile(payload, "chargingProfile")
    schedule = profile.get("chargingSchedule") if profile is not None else None
    relative = profile is not None and profile.get("chargingProfileKind") == "Relative"
    if relative and isinstance(schedule, dict):
        schedule["startSchedule"] = STRAY_START_SCHEDULE


def _remote_start_absolute(payload: Payload) -> None:
    profile = _profile(payload, "chargingProfile")
    schedule = profile.get("chargingSchedule") if profile is not None else None
    if profile is not None and isinstance(schedule, dict):
        profile["chargingProfileKind"] = "Absolute"
        profile["validFrom"] = STRAY_START_SCHEDULE
        profile["validTo"] = "2031-01-01T00:00:00.000Z"
        schedule["startSchedule"] = STRAY_START_SCHEDULE
        schedule.setdefault("duration", 3600)


# Applied in this order when several faults touch the same action.
_CALL_MUTATIONS: tuple[tuple[Fault, str, _Mutation], ...] = (
    (Fault.CLEAR_CACHE_EXTRA_FIELD, "ClearCache", _clear_cache_extra),
    (Fault.REMOTE_START_MISSING_IDTAG, "RemoteStartTransaction", _remote_start_missing_idtag),
    (
        Fault.REMOTE_STOP_WRONG_TRANSACTION,
        "RemoteStopTransaction",
        _remote_stop_wrong_transaction,
    ),
    (Fault.REMOTE_STOP_STRING_ID, "RemoteStopTransaction", _remote_stop_string_id),
    (Fault.RESET_WRONG_TYPE, "Reset", _reset_wrong_type),
    (Fault.UNLOCK_STRING_CONNECTOR, "UnlockConnector", _unlock_string_connector),
    (Fault.GET_CONFIGURATION_WRONG_KEYS, "GetConfiguration", _get_configuration_wrong_keys),
    (
        Fault.CHANGE_CONFIGURATION_WRONG_VALUE,
        "ChangeConfiguration",
        _change_configuration_wrong_value,
    ),
    (
        Fault.CHANGE_CONFIGURATION_NUMERIC_VALUE,
        "ChangeConfiguration",
        _change_configuration_numeric_value,
    ),
    (Fault.UPDATE_FIRMWARE_WRONG_LOCATION, "UpdateFirmware", _wrong_firmware_location),
    (Fault.GET_DIAGNOSTICS_RELATIVE_LOCATION, "GetDiagnostics", _relative_diagnostics_location),
    (Fault.SET_PROFILE_WRONG_PURPOSE, "SetChargingProfile", _set_profile_wrong_purpose),
    (Fault.SET_PROFILE_WRONG_STACK_LEVEL, "SetChargingProfile", _set_profile_wrong_stack_level),
    (Fault.SET_PROFILE_RECURRING, "SetChargingProfile", _set_profile_recurring),
    (Fault.SET_PROFILE_MISSING_VALID_FROM, "SetChargingProfile", _set_profile_missing_valid_from),
    (
        Fault.SET_PROFILE_STRAY_TRANSACTION_ID,
        "SetChargingProfile",
        _set_profile_stray_transaction,
    ),
    (Fault.SET_PROFILE_WRONG_TRANSACTION, "SetChargingProfile", _set_profile_wrong_transaction),
    (Fault.SET_PROFILE_SINGLE_PHASE, "SetChargingProfile", _set_profile_single_phase),
    (Fault.CLEAR_PROFILE_WRONG_CRITERIA, "ClearChargingProfile", _clear_profile_wrong_criteria),
    (Fault.GET_COMPOSITE_WRONG_DURATION, "GetCompositeSchedule", _composite_wrong_duration),
    (Fault.GET_COMPOSITE_WRONG_UNIT, "GetCompositeSchedule", _composite_wrong_unit),
    (
        Fault.REMOTE_START_WITHOUT_PROFILE,
        "RemoteStartTransaction",
        _remote_start_without_profile,
    ),
    (Fault.REMOTE_START_ABSOLUTE_PROFILE, "RemoteStartTransaction", _remote_start_absolute),
    (
        Fault.REMOTE_START_RELATIVE_WITH_START,
        "RemoteStartTransaction",
        _remote_start_relative_with_start,
    ),
)

# -- payload mutations of the CSMS's answers ----------------------------------------------------


def _add_extra_property(payload: Payload) -> None:
    payload[EXTRA_PROPERTY] = True


def _drop_interval(payload: Payload) -> None:
    payload.pop("interval", None)


def _interval_as_string(payload: Payload) -> None:
    if "interval" in payload:
        payload["interval"] = str(payload["interval"])


def _bad_current_time(payload: Payload) -> None:
    payload["currentTime"] = "yesterday"


_RESULT_MUTATIONS: tuple[tuple[Fault, str, _Mutation], ...] = (
    (Fault.BOOT_EXTRA_PROPERTY, "BootNotification", _add_extra_property),
    (Fault.BOOT_MISSING_INTERVAL, "BootNotification", _drop_interval),
    (Fault.BOOT_INTERVAL_STRING, "BootNotification", _interval_as_string),
    (Fault.BOOT_BAD_DATETIME, "BootNotification", _bad_current_time),
    (Fault.STOP_TRANSACTION_EXTRA_FIELD, "StopTransaction", _add_extra_property),
)


def rewrite_outgoing(text: str, answered_action: str | None, faults: frozenset[Fault]) -> list[str]:
    """The frames to put on the wire for one frame the CSMS wants to send.

    `answered_action` is the action of the CALL that a CALLRESULT/CALLERROR answers, if known.
    Normally a one-element list holding `text` itself (or its rewrite); Fault.GARBAGE_AFTER_BOOT
    adds a second frame.
    """
    frame = _loads(text)
    if (
        not isinstance(frame, list)
        or len(frame) < 3
        or frame[0] not in (CALL, CALL_RESULT, CALL_ERROR)
    ):
        return [text]
    changed = False
    extra: list[str] = []
    if frame[0] == CALL and len(frame) == 4 and isinstance(frame[3], dict):
        mutations = _CALL_MUTATIONS + profile_wire.CALL_MUTATIONS + security_wire.CALL_MUTATIONS
        for fault, action, mutate in mutations:
            if fault in faults and frame[2] == action:
                mutate(frame[3])
                changed = True
    elif frame[0] == CALL_RESULT and isinstance(frame[2], dict):
        for fault, action, mutate in _RESULT_MUTATIONS:
            if fault in faults and answered_action == action:
                mutate(frame[2])
                changed = True
        if Fault.UNKNOWN_UNIQUE_ID in faults:
            frame[1] = str(uuid.uuid4())
            changed = True
        if Fault.GARBAGE_AFTER_BOOT in faults and answered_action == "BootNotification":
            extra.append(GARBAGE_FRAME)
    elif frame[0] == CALL_ERROR and frame[2] in _CALL_ERROR_SPELLING_1_6:
        frame[2] = _CALL_ERROR_SPELLING_1_6[frame[2]]
        changed = True
    return [dumps(frame) if changed else text, *extra]


def redact(text: str) -> str:
    """The frame as it may be logged: the value of the AuthorizationKey configuration key (the
    Basic-auth password of the 1.6 security whitepaper) replaced by ***."""
    frame = _loads(text)
    if (
        isinstance(frame, list)
        and len(frame) == 4
        and frame[0] == CALL
        and frame[2] == "ChangeConfiguration"
        and isinstance(frame[3], dict)
        and str(frame[3].get("key", "")).lower() == "authorizationkey"
    ):
        frame[3]["value"] = "***"
        return dumps(frame)
    return text
