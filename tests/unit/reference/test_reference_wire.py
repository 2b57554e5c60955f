"""Outgoing-frame rewriting: wire faults, payload faults on CSMS calls, 1.6 CALLERROR spellings."""

from __future__ import annotations

import json
from typing import Any

from octt.reference.faults import Fault
from octt.reference.wire import EXTRA_PROPERTY, GARBAGE_FRAME, redact, rewrite_outgoing

NONE: frozenset[Fault] = frozenset()


def _call(action: str, payload: dict[str, Any]) -> str:
    return json.dumps([2, "u1", action, payload], separators=(",", ":"))


def _rewritten_call(fault: Fault, action: str, payload: dict[str, Any]) -> Any:
    frames = rewrite_outgoing(_call(action, payload), None, frozenset({fault}))
    assert len(frames) == 1
    frame = json.loads(frames[0])
    assert frame[:3] == [2, "u1", action]
    return frame[3]


BOOT_CONF = '[3,"b1",{"currentTime":"2026-01-01T00:00:00.000Z","interval":300,"status":"Accepted"}]'


def test_untouched_frames_keep_their_exact_text() -> None:
    every_fault = frozenset(Fault)
    text = '[2, "x",  "Heartbeat", {}]'
    assert rewrite_outgoing(text, None, every_fault) == [text]
    assert rewrite_outgoing("not json", None, every_fault) == ["not json"]
    assert rewrite_outgoing(BOOT_CONF, "BootNotification", NONE) == [BOOT_CONF]
    clear = _call("ClearCache", {})
    assert rewrite_outgoing(clear, None, NONE) == [clear]


def test_call_error_codes_get_their_1_6_spelling() -> None:
    frame = '[4,"e1","FormatViolation","bad",{}]'
    assert json.loads(rewrite_outgoing(frame, "Heartbeat", NONE)[0])[2] == "FormationViolation"
    frame = '[4,"e1","OccurrenceConstraintViolation","bad",{}]'
    assert json.loads(rewrite_outgoing(frame, None, NONE)[0])[2] == "OccurenceConstraintViolation"
    frame = '[4,"e1","InternalError","bad",{}]'
    assert rewrite_outgoing(frame, None, NONE) == [frame]


def test_payload_faults_on_csms_calls() -> None:
    assert _rewritten_call(Fault.CLEAR_CACHE_EXTRA_FIELD, "ClearCache", {}) == {
        EXTRA_PROPERTY: True
    }
    assert _rewritten_call(
        Fault.REMOTE_START_MISSING_IDTAG, "RemoteStartTransaction", {"idTag": "A", "connectorId": 1}
    ) == {"connectorId": 1}
    assert _rewritten_call(
        Fault.REMOTE_STOP_WRONG_TRANSACTION, "RemoteStopTransaction", {"transactionId": 5}
    ) == {"transactionId": 1005}
    assert _rewritten_call(
        Fault.REMOTE_STOP_STRING_ID, "RemoteStopTransaction", {"transactionId": 5}
    ) == {"transactionId": "5"}
    assert _rewritten_call(Fault.RESET_WRONG_TYPE, "Reset", {"type": "Hard"}) == {"type": "Soft"}
    assert _rewritten_call(Fault.RESET_WRONG_TYPE, "Reset", {"type": "Soft"}) == {"type": "Hard"}
    assert _rewritten_call(
        Fault.UNLOCK_STRING_CONNECTOR, "UnlockConnector", {"connectorId": 1}
    ) == {"connectorId": "1"}
    assert _rewritten_call(Fault.GET_CONFIGURATION_WRONG_KEYS, "GetConfiguration", {}) == {
        "key": ["HeartbeatInterval"]
    }
    assert (
        _rewritten_call(
            Fault.GET_CONFIGURATION_WRONG_KEYS,
            "GetConfiguration",
            {"key": ["SupportedFeatureProfiles"]},
        )
        == {}
    )
    change = {"key": "MeterValueSampleInterval", "value": "60"}
    assert _rewritten_call(
        Fault.CHANGE_CONFIGURATION_WRONG_VALUE, "ChangeConfiguration", change
    ) == {"key": "MeterValueSampleInterval", "value": "600"}
    assert _rewritten_call(
        Fault.CHANGE_CONFIGURATION_NUMERIC_VALUE, "ChangeConfiguration", change
    ) == {"key": "MeterValueSampleInterval", "value": 60}
    text_value = {"key": "AuthorizeRemoteTxRequests", "value": "true"}
    assert (
        _rewritten_call(Fault.CHANGE_CONFIGURATION_NUMERIC_VALUE, "ChangeConfiguration", text_value)
        == text_value
    )


def test_payload_fault_only_touches_its_action() -> None:
    faults = frozenset({Fault.CLEAR_CACHE_EXTRA_FIELD})
    frames = rewrite_outgoing(_call("Reset", {"type": "Hard"}), None, faults)
    assert json.loads(frames[0])[3] == {"type": "Hard"}


def _boot(fault: Fault) -> list[str]:
    return rewrite_outgoing(BOOT_CONF, "BootNotification", frozenset({fault}))


def test_boot_notification_wire_faults() -> None:
    assert json.loads(_boot(Fault.BOOT_EXTRA_PROPERTY)[0])[2][EXTRA_PROPERTY] is True
    assert "interval" not in json.loads(_boot(Fault.BOOT_MISSING_INTERVAL)[0])[2]
    assert json.loads(_boot(Fault.BOOT_INTERVAL_STRING)[0])[2]["interval"] == "300"
    assert json.loads(_boot(Fault.BOOT_BAD_DATETIME)[0])[2]["currentTime"] == "yesterday"
    assert _boot(Fault.GARBAGE_AFTER_BOOT) == [BOOT_CONF, GARBAGE_FRAME]
    # The action is what decides: the same payload answering a Heartbeat is left alone.
    heartbeat = rewrite_outgoing(BOOT_CONF, "Heartbeat", frozenset({Fault.BOOT_BAD_DATETIME}))
    assert heartbeat == [BOOT_CONF]


def test_unknown_unique_id_and_stop_transaction_extra_field() -> None:
    frames = rewrite_outgoing(
        '[3,"s1",{}]', "StopTransaction", frozenset({Fault.UNKNOWN_UNIQUE_ID})
    )
    frame = json.loads(frames[0])
    assert frame[1] != "s1" and len(frame[1]) <= 36 and frame[2] == {}
    frames = rewrite_outgoing(
        '[3,"s1",{}]', "StopTransaction", frozenset({Fault.STOP_TRANSACTION_EXTRA_FIELD})
    )
    assert json.loads(frames[0]) == [3, "s1", {EXTRA_PROPERTY: True}]


def test_redact_hides_the_authorization_key() -> None:
    frame = _call("ChangeConfiguration", {"key": "AuthorizationKey", "value": "s3cr3t-p4ssw0rd!"})
    assert "s3cr3t" not in redact(frame)
    other = _call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"})
    assert redact(other) == other


# -- Firmware Management and Smart Charging payload faults ----------------------------------------

PROFILE: dict[str, Any] = {
    "connectorId": 1,
    "csChargingProfiles": {
        "chargingProfileId": 7,
        "stackLevel": 2,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "validFrom": "2026-01-01T00:00:00Z",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}],
        },
    },
}


def _profile_after(fault: Fault, payload: dict[str, Any] | None = None) -> Any:
    return _rewritten_call(fault, "SetChargingProfile", payload or PROFILE)["csChargingProfiles"]


def test_firmware_management_location_faults() -> None:
    location = "http://127.0.0.1:8/firmware/octt-firmware-2.0.bin"
    after = _rewritten_call(
        Fault.UPDATE_FIRMWARE_WRONG_LOCATION,
        "UpdateFirmware",
        {"location": location, "retrieveDate": "2026-01-01T00:00:00Z"},
    )
    assert after["location"] == "http://127.0.0.1:8/firmware/octt-wrong-firmware.bin"
    after = _rewritten_call(
        Fault.GET_DIAGNOSTICS_RELATIVE_LOCATION,
        "GetDiagnostics",
        {"location": "http://127.0.0.1:8/diagnostics/"},
    )
    assert after == {"location": "diagnostics/diagnostics"}


def test_set_charging_profile_faults() -> None:
    assert _profile_after(Fault.SET_PROFILE_WRONG_PURPOSE)["chargingProfilePurpose"] == "TxProfile"
    assert _profile_after(Fault.SET_PROFILE_WRONG_STACK_LEVEL)["stackLevel"] == 3
    recurring = _profile_after(Fault.SET_PROFILE_RECURRING)
    assert (recurring["chargingProfileKind"], recurring["recurrencyKind"]) == ("Recurring", "Daily")
    assert "validFrom" not in _profile_after(Fault.SET_PROFILE_MISSING_VALID_FROM)
    assert _profile_after(Fault.SET_PROFILE_STRAY_TRANSACTION_ID)["transactionId"] == 1
    with_tx = {"connectorId": 1, "csChargingProfiles": {"transactionId": 5}}
    assert _profile_after(Fault.SET_PROFILE_STRAY_TRANSACTION_ID, with_tx)["transactionId"] == 5
    assert _profile_after(Fault.SET_PROFILE_WRONG_TRANSACTION, with_tx)["transactionId"] == 1005
    periods = _profile_after(Fault.SET_PROFILE_SINGLE_PHASE)["chargingSchedule"]
    assert periods["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 6.0, "numberPhases": 1}
    ]


def test_clear_and_composite_faults() -> None:
    by_criteria = {"connectorId": 1, "chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 2}
    after = _rewritten_call(Fault.CLEAR_PROFILE_WRONG_CRITERIA, "ClearChargingProfile", by_criteria)
    assert after["stackLevel"] == 3
    by_id = {"id": 4, "stackLevel": 2}
    after = _rewritten_call(Fault.CLEAR_PROFILE_WRONG_CRITERIA, "ClearChargingProfile", by_id)
    assert after == by_id
    request = {"connectorId": 1, "duration": 300, "chargingRateUnit": "A"}
    after = _rewritten_call(Fault.GET_COMPOSITE_WRONG_DURATION, "GetCompositeSchedule", request)
    assert after["duration"] == 360
    after = _rewritten_call(Fault.GET_COMPOSITE_WRONG_UNIT, "GetCompositeSchedule", request)
    assert after["chargingRateUnit"] == "W"


def test_remote_start_profile_faults() -> None:
    relative = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": []},
    }
    request = {"idTag": "T", "connectorId": 1, "chargingProfile": relative}
    after = _rewritten_call(Fault.REMOTE_START_WITHOUT_PROFILE, "RemoteStartTransaction", request)
    assert after == {"idTag": "T", "connectorId": 1}
    after = _rewritten_call(
        Fault.REMOTE_START_RELATIVE_WITH_START, "RemoteStartTransaction", request
    )
    assert after["chargingProfile"]["chargingSchedule"]["startSchedule"] == (
        "2030-01-01T00:00:00.000Z"
    )
