"""How the simulated charge point answers the CSMS, and when the answer changes its state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from octt.chargepoint.model import ChargePointState, RemoteStart, Transaction
from octt.chargepoint.responder import ErrorReply, commit, default_reply
from octt.ocppj.frames import ErrorCode

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def state() -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")


def reply(cp: ChargePointState, action: str, payload: dict[str, Any]) -> Any:
    return default_reply(cp, action, payload, known_action=True)


def running(cp: ChargePointState, connector_id: int, transaction_id: int) -> Transaction:
    tx = Transaction(connector_id, "VALID", 0, NOW, transaction_id)
    cp.connector(connector_id).transaction = tx
    return tx


# -- unknown / unsupported actions ---------------------------------------------------------------


def test_known_action_without_a_handler_is_not_supported() -> None:
    # Every CSMS-initiated action has a handler; a CSMS sending a charge point's action does not.
    answer = default_reply(state(), "BootNotification", {}, known_action=True)
    assert answer == ErrorReply(
        ErrorCode.NOT_SUPPORTED, "BootNotification is not supported by this charge point"
    )


def test_unknown_action_is_not_implemented() -> None:
    answer = default_reply(state(), "MakeCoffee", {}, known_action=False)
    assert answer == ErrorReply(ErrorCode.NOT_IMPLEMENTED, "MakeCoffee is not an OCPP 1.6 action")


def test_error_reply_commits_nothing() -> None:
    cp = state()
    commit(cp, "ClearCache", {}, ErrorReply(ErrorCode.INTERNAL_ERROR, "x"))
    cp.auth_cache["T"] = {"status": "Accepted"}
    commit(cp, "ClearCache", {}, ErrorReply(ErrorCode.INTERNAL_ERROR, "x"))
    assert cp.auth_cache


# -- GetConfiguration -----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"key": []}])
def test_get_configuration_without_keys_returns_all_keys(payload: dict[str, Any]) -> None:
    cp = state()
    answer = reply(cp, "GetConfiguration", payload)
    assert "unknownKey" not in answer
    keys = answer["configurationKey"]
    # 29 keys of OCPP 1.6 §9 and the security whitepaper's 5 readable keys (AuthorizationKey
    # is write-only).
    assert len(keys) == 34
    assert {"key": "SecurityProfile", "readonly": False, "value": "0"} in keys
    assert "AuthorizationKey" not in {k["key"] for k in keys}
    assert {"key": "NumberOfConnectors", "readonly": True, "value": "2"} in keys
    assert {"key": "HeartbeatInterval", "readonly": False, "value": "300"} in keys


def test_get_configuration_of_one_key() -> None:
    answer = reply(state(), "GetConfiguration", {"key": ["SupportedFeatureProfiles"]})
    assert answer == {
        "configurationKey": [
            {
                "key": "SupportedFeatureProfiles",
                "readonly": True,
                "value": "Core,FirmwareManagement,LocalAuthListManagement,Reservation,"
                "SmartCharging,RemoteTrigger",
            }
        ]
    }


def test_get_configuration_reports_unknown_keys() -> None:
    answer = reply(state(), "GetConfiguration", {"key": ["Nope", "ResetRetries"]})
    assert answer == {
        "configurationKey": [{"key": "ResetRetries", "readonly": False, "value": "3"}],
        "unknownKey": ["Nope"],
    }


def test_get_configuration_of_only_unknown_keys() -> None:
    assert reply(state(), "GetConfiguration", {"key": ["A", "B"]}) == {
        "configurationKey": [],
        "unknownKey": ["A", "B"],
    }


# -- ChangeConfiguration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("MeterValueSampleInterval", "60", "Accepted"),
        ("MeterValueSampleInterval", "-1", "Rejected"),
        ("NoSuchKey", "1", "NotSupported"),
        ("NumberOfConnectors", "4", "Rejected"),
        ("GetConfigurationMaxKeys", "50", "Rejected"),
        ("SupportedFeatureProfiles", "Core", "Rejected"),
        ("LocalAuthListEnabled", "false", "Accepted"),
    ],
)
def test_change_configuration_outcomes(key: str, value: str, status: str) -> None:
    cp = state()
    before = cp.config.get(key) if cp.config.known(key) else None
    assert reply(cp, "ChangeConfiguration", {"key": key, "value": value}) == {"status": status}
    # The default reply alone never changes anything.
    if before is not None:
        assert cp.config.get(key) == before


@pytest.mark.parametrize(
    "payload", [{"key": "HeartbeatInterval"}, {"value": "1"}, {"key": 1, "value": "1"}]
)
def test_change_configuration_without_key_or_value_is_rejected(payload: dict[str, Any]) -> None:
    assert reply(state(), "ChangeConfiguration", payload) == {"status": "Rejected"}


def test_accepted_change_configuration_is_applied_on_commit() -> None:
    cp = state()
    payload = {"key": "MeterValueSampleInterval", "value": "60"}
    commit(cp, "ChangeConfiguration", payload, reply(cp, "ChangeConfiguration", payload))
    assert cp.config.get("MeterValueSampleInterval") == "60"


def test_rejected_change_configuration_changes_nothing() -> None:
    cp = state()
    payload = {"key": "MeterValueSampleInterval", "value": "-1"}
    commit(cp, "ChangeConfiguration", payload, reply(cp, "ChangeConfiguration", payload))
    assert cp.config.get("MeterValueSampleInterval") == "0"


def test_overridden_not_supported_answer_changes_nothing() -> None:
    # TC_040_1: the tool answers NotSupported whatever the key.
    cp = state()
    payload = {"key": "HeartbeatInterval", "value": "30"}
    commit(cp, "ChangeConfiguration", payload, {"status": "NotSupported"})
    assert cp.config.get("HeartbeatInterval") == "300"


def test_accepted_change_of_an_unknown_key_is_not_stored() -> None:
    cp = state()
    commit(cp, "ChangeConfiguration", {"key": "Invented", "value": "x"}, {"status": "Accepted"})
    assert not cp.config.known("Invented")


# -- RemoteStart / RemoteStop ---------------------------------------------------------------------


def test_remote_start_is_accepted_by_default_and_committed() -> None:
    cp = state()
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}],
        },
    }
    payload = {"idTag": "R1", "connectorId": 2, "chargingProfile": profile}
    answer = reply(cp, "RemoteStartTransaction", payload)
    assert answer == {"status": "Accepted"}
    assert cp.remote_start is None  # not before commit
    commit(cp, "RemoteStartTransaction", payload, answer)
    assert cp.remote_start == RemoteStart("R1", 2, profile)
    # §5.11: the profile of a RemoteStartTransaction must be a TxProfile.
    wrong = {
        **payload,
        "chargingProfile": {**profile, "chargingProfilePurpose": "TxDefaultProfile"},
    }
    assert reply(cp, "RemoteStartTransaction", wrong) == {"status": "Rejected"}


def test_rejected_remote_start_changes_nothing() -> None:
    # TC_026: the step overrides the answer with Rejected; the charge point must not start.
    cp = state()
    payload = {"idTag": "R1", "connectorId": 1}
    assert reply(cp, "RemoteStartTransaction", payload) == {"status": "Accepted"}
    commit(cp, "RemoteStartTransaction", payload, {"status": "Rejected"})
    assert cp.remote_start is None


@pytest.mark.parametrize("connector_id", [0, 3, -1, "1"])
def test_remote_start_on_a_connector_that_does_not_exist_is_rejected(connector_id: object) -> None:
    assert reply(
        state(), "RemoteStartTransaction", {"idTag": "R", "connectorId": connector_id}
    ) == {"status": "Rejected"}


def test_remote_start_on_a_busy_connector_is_rejected() -> None:
    cp = state()
    running(cp, 1, 9)
    assert reply(cp, "RemoteStartTransaction", {"idTag": "R", "connectorId": 1}) == {
        "status": "Rejected"
    }
    assert reply(cp, "RemoteStartTransaction", {"idTag": "R", "connectorId": 2}) == {
        "status": "Accepted"
    }


def test_remote_start_without_connector_is_accepted() -> None:
    cp = state()
    answer = reply(cp, "RemoteStartTransaction", {"idTag": "R"})
    commit(cp, "RemoteStartTransaction", {"idTag": "R"}, answer)
    assert cp.remote_start == RemoteStart("R", None, None)


def test_remote_stop_of_a_known_transaction() -> None:
    cp = state()
    tx = running(cp, 1, 77)
    answer = reply(cp, "RemoteStopTransaction", {"transactionId": 77})
    assert answer == {"status": "Accepted"}
    assert tx.stop_reason is None
    commit(cp, "RemoteStopTransaction", {"transactionId": 77}, answer)
    assert tx.stop_reason == "Remote"


def test_remote_stop_of_an_unknown_transaction_is_rejected() -> None:
    cp = state()
    tx = running(cp, 1, 77)
    answer = reply(cp, "RemoteStopTransaction", {"transactionId": 999999})
    assert answer == {"status": "Rejected"}
    commit(cp, "RemoteStopTransaction", {"transactionId": 999999}, answer)
    assert tx.stop_reason is None


def test_rejected_remote_stop_override_changes_nothing() -> None:
    # TC_028: the tool rejects whatever it receives.
    cp = state()
    tx = running(cp, 1, 77)
    commit(cp, "RemoteStopTransaction", {"transactionId": 77}, {"status": "Rejected"})
    assert tx.stop_reason is None


# -- Reset, UnlockConnector, ClearCache, DataTransfer, ChangeAvailability ------------------------


@pytest.mark.parametrize(("kind", "reason"), [("Hard", "HardReset"), ("Soft", "SoftReset")])
def test_accepted_reset_stops_every_transaction(kind: str, reason: str) -> None:
    cp = state()
    first, second = running(cp, 1, 1), running(cp, 2, 2)
    answer = reply(cp, "Reset", {"type": kind})
    assert answer == {"status": "Accepted"}
    commit(cp, "Reset", {"type": kind}, answer)
    assert (first.stop_reason, second.stop_reason) == (reason, reason)


def test_rejected_reset_changes_nothing() -> None:
    cp = state()
    tx = running(cp, 1, 1)
    commit(cp, "Reset", {"type": "Hard"}, {"status": "Rejected"})
    assert tx.stop_reason is None


def test_unlock_connector() -> None:
    cp = state()
    tx = running(cp, 1, 1)
    answer = reply(cp, "UnlockConnector", {"connectorId": 1})
    assert answer == {"status": "Unlocked"}
    commit(cp, "UnlockConnector", {"connectorId": 1}, answer)
    assert tx.stop_reason == "UnlockCommand"
    assert reply(cp, "UnlockConnector", {"connectorId": 0}) == {"status": "NotSupported"}
    assert reply(cp, "UnlockConnector", {"connectorId": 5}) == {"status": "NotSupported"}


@pytest.mark.parametrize("status", ["UnlockFailed", "NotSupported"])
def test_unlock_failure_override_changes_nothing(status: str) -> None:
    cp = state()
    tx = running(cp, 1, 1)
    commit(cp, "UnlockConnector", {"connectorId": 1}, {"status": status})
    assert tx.stop_reason is None


def test_clear_cache_empties_the_auth_cache_on_commit_only() -> None:
    cp = state()
    cp.auth_cache["T"] = {"status": "Accepted"}
    answer = reply(cp, "ClearCache", {})
    assert answer == {"status": "Accepted"}
    assert cp.auth_cache
    commit(cp, "ClearCache", {}, {"status": "Rejected"})
    assert cp.auth_cache
    commit(cp, "ClearCache", {}, answer)
    assert cp.auth_cache == {}


def test_data_transfer_is_unknown_vendor() -> None:
    assert reply(state(), "DataTransfer", {"vendorId": "x"}) == {"status": "UnknownVendorId"}


@pytest.mark.parametrize(
    ("connector_id", "status"),
    [(0, "Accepted"), (1, "Accepted"), (2, "Accepted"), (3, "Rejected"), (None, "Rejected")],
)
def test_change_availability(connector_id: object, status: str) -> None:
    payload = {"connectorId": connector_id, "type": "Inoperative"}
    assert reply(state(), "ChangeAvailability", payload) == {"status": status}
