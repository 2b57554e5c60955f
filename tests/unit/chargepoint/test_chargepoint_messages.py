"""Request payloads built from the charge point's state, and the state changes around them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from octt.chargepoint.messages import (
    QUEUED_WHILE_OFFLINE,
    BuildError,
    apply_overrides,
    build_request,
    on_answered,
    on_sent,
)
from octt.chargepoint.model import ChargePointState, ConnectorStatus, RemoteStart, Transaction
from octt.chargepoint.responder import commit

NOW = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
STAMP = "2026-03-01T12:00:00.123Z"


def state() -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")


def build(
    cp: ChargePointState, action: str, connector: int | None = None, **over: Any
) -> dict[str, Any]:
    return build_request(cp, action, connector, over, NOW)


def running(
    cp: ChargePointState, connector_id: int = 1, transaction_id: int | None = 42
) -> Transaction:
    tx = Transaction(connector_id, "VALID", 1000, NOW, transaction_id)
    cp.connector(connector_id).transaction = tx
    cp.connector(connector_id).meter_wh = 1000
    return tx


# -- overrides ------------------------------------------------------------------------------------


def test_apply_overrides_replaces_adds_and_none_removes() -> None:
    base = {"a": 1, "b": 2}
    assert apply_overrides(base, {"a": 9, "c": 3, "b": None, "z": None}) == {"a": 9, "c": 3}
    assert base == {"a": 1, "b": 2}  # not mutated


def test_override_none_removes_a_built_field() -> None:
    payload = build(state(), "BootNotification", firmwareVersion=None, chargePointSerialNumber=None)
    assert payload == {"chargePointVendor": "octt", "chargePointModel": "octt-sim"}


def test_unknown_action_is_just_its_overrides() -> None:
    assert build(state(), "FooBar", x=1) == {"x": 1}
    assert build(state(), "Heartbeat") == {}


# -- builders -------------------------------------------------------------------------------------


def test_boot_notification_from_state() -> None:
    cp = ChargePointState.create("X" * 30, "Vendor", "Model", 1)
    assert build(cp, "BootNotification") == {
        "chargePointVendor": "Vendor",
        "chargePointModel": "Model",
        "chargePointSerialNumber": "X" * 25,  # CiString25
        "firmwareVersion": "octt-sim-1.0",
    }


def test_status_notification_default_status_comes_from_the_connector() -> None:
    cp = state()
    cp.connector(2).status = ConnectorStatus.SUSPENDED_EV
    cp.connector(2).error_code = "GroundFailure"
    assert build(cp, "StatusNotification", 2) == {
        "connectorId": 2,
        "status": "SuspendedEV",
        "errorCode": "GroundFailure",
        "timestamp": STAMP,
    }


def test_status_notification_without_connector_is_for_connector_zero() -> None:
    assert build(state(), "StatusNotification")["connectorId"] == 0


def test_status_notification_overrides_status_and_error_code() -> None:
    payload = build(
        state(), "StatusNotification", 1, status="Faulted", errorCode="ConnectorLockFailure"
    )
    assert (payload["status"], payload["errorCode"]) == ("Faulted", "ConnectorLockFailure")


def test_status_notification_for_an_unknown_connector_raises() -> None:
    with pytest.raises(KeyError):
        build(state(), "StatusNotification", 7)


def test_authorize_uses_the_default_tag_or_the_remote_start_tag() -> None:
    cp = state()
    assert build(cp, "Authorize") == {"idTag": "VALID"}
    cp.remote_start = RemoteStart("REMOTE", None)
    assert build(cp, "Authorize") == {"idTag": "REMOTE"}


def test_start_transaction_from_state() -> None:
    cp = state()
    cp.connector(2).meter_wh = 1500
    assert build(cp, "StartTransaction", 2) == {
        "connectorId": 2,
        "idTag": "VALID",
        "meterStart": 1500,
        "timestamp": STAMP,
    }


def test_start_transaction_follows_an_accepted_remote_start() -> None:
    cp = state()
    cp.remote_start = RemoteStart("REMOTE", 2)
    payload = build(cp, "StartTransaction")
    assert (payload["connectorId"], payload["idTag"]) == (2, "REMOTE")
    cp.remote_start = RemoteStart("REMOTE", None)
    assert build(cp, "StartTransaction")["connectorId"] == cp.default_connector_id


def test_start_transaction_carries_the_reservation() -> None:
    cp = state()
    reserve = {"connectorId": 1, "expiryDate": "2026-03-01T13:00:00Z", "reservationId": 12}
    commit(cp, "ReserveNow", {**reserve, "idTag": cp.default_id_tag}, {"status": "Accepted"})
    assert build(cp, "StartTransaction", 1)["reservationId"] == 12
    assert "reservationId" not in build(cp, "StartTransaction", 2)
    assert "reservationId" not in build(cp, "StartTransaction", 1, idTag="SOMEONE-ELSE")


def test_stop_transaction_from_state_with_reason() -> None:
    cp = state()
    tx = running(cp, 1, 42)
    tx.stop_reason = "PowerLoss"
    assert build(cp, "StopTransaction") == {
        "transactionId": 42,
        "meterStop": 1250,
        "timestamp": STAMP,
        "idTag": "VALID",
        "reason": "PowerLoss",
    }
    assert cp.connector(1).meter_wh == 1250


def test_stop_transaction_without_stop_reason_has_no_reason() -> None:
    cp = state()
    running(cp, 2, 7)
    payload = build(cp, "StopTransaction", 2)
    assert "reason" not in payload
    assert payload["transactionId"] == 7


def test_stop_transaction_overrides_win_and_none_removes() -> None:
    cp = state()
    running(cp).stop_reason = "Local"
    payload = build(cp, "StopTransaction", reason="EVDisconnected", idTag=None)
    assert payload["reason"] == "EVDisconnected"
    assert "idTag" not in payload


def test_stop_transaction_of_an_unconfirmed_transaction_uses_minus_one() -> None:
    cp = state()
    running(cp, 1, transaction_id=None)
    assert build(cp, "StopTransaction")["transactionId"] == -1


def test_stop_transaction_needs_a_transaction() -> None:
    with pytest.raises(BuildError, match="no transaction"):
        build(state(), "StopTransaction")
    with pytest.raises(BuildError, match="connector 2 has no transaction"):
        build(state(), "StopTransaction", 2)


def test_meter_values_during_a_transaction() -> None:
    cp = state()
    running(cp, 1, 42)
    payload = build(cp, "MeterValues", 1)
    assert payload == {
        "connectorId": 1,
        "transactionId": 42,
        "meterValue": [
            {
                "timestamp": STAMP,
                "sampledValue": [
                    {
                        "value": "1250",
                        "context": "Sample.Periodic",
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh",
                    }
                ],
            }
        ],
    }
    second = build(cp, "MeterValues", 1)
    assert second["meterValue"][0]["sampledValue"][0]["value"] == "1500"  # the meter only rises


def test_meter_values_without_a_transaction() -> None:
    payload = build(state(), "MeterValues")
    assert payload["connectorId"] == 1
    assert "transactionId" not in payload
    assert payload["meterValue"][0]["sampledValue"][0]["value"] == "0"


def test_data_transfer_default() -> None:
    assert build(state(), "DataTransfer", vendorId="x.y") == {
        "vendorId": "x.y",
        "messageId": "octt-test",
        "data": "octt",
    }


def test_offline_messages_are_stamped_with_the_local_clock() -> None:
    cp = state()
    cp.go_offline(60)
    assert build(cp, "StatusNotification", 1)["timestamp"] == "2026-03-01T11:59:00.123Z"


def test_transaction_messages_are_the_queued_ones() -> None:
    assert frozenset({"StartTransaction", "StopTransaction", "MeterValues"}) == QUEUED_WHILE_OFFLINE


# -- on_sent --------------------------------------------------------------------------------------


def test_sent_status_notification_updates_the_connector() -> None:
    cp = state()
    on_sent(
        cp,
        "StatusNotification",
        {"connectorId": 1, "status": "Faulted", "errorCode": "ConnectorLockFailure"},
        NOW,
    )
    assert cp.connector(1).status is ConnectorStatus.FAULTED
    assert cp.connector(1).error_code == "ConnectorLockFailure"


def test_sent_status_notification_with_a_bad_status_or_connector_changes_nothing() -> None:
    cp = state()
    on_sent(cp, "StatusNotification", {"connectorId": 1, "status": "Flying"}, NOW)
    on_sent(cp, "StatusNotification", {"connectorId": 9, "status": "Faulted"}, NOW)
    on_sent(cp, "StatusNotification", {"status": "Faulted"}, NOW)
    assert all(c.status is ConnectorStatus.AVAILABLE for c in cp.connectors.values())


def test_sent_start_transaction_opens_a_transaction() -> None:
    cp = state()
    cp.connector(2).reservation_id = 3
    cp.remote_start = RemoteStart("R", 2)
    payload = {
        "connectorId": 2,
        "idTag": "R",
        "meterStart": 10,
        "reservationId": 3,
        "timestamp": STAMP,
    }
    on_sent(cp, "StartTransaction", payload, NOW)
    tx = cp.connector(2).transaction
    assert tx == Transaction(2, "R", 10, NOW, None, 3, None)
    assert cp.connector(2).reservation_id is None
    assert cp.remote_start is None


def test_sent_start_transaction_for_an_unknown_connector_opens_nothing() -> None:
    cp = state()
    on_sent(cp, "StartTransaction", {"connectorId": 9, "idTag": "X", "meterStart": 0}, NOW)
    assert cp.active_transactions() == []


# -- on_answered ----------------------------------------------------------------------------------


def test_answered_id_tag_info_goes_to_the_auth_cache() -> None:
    cp = state()
    on_answered(cp, "Authorize", {"idTag": "T1"}, {"idTagInfo": {"status": "Blocked"}})
    assert cp.auth_cache == {"T1": {"status": "Blocked"}}
    on_answered(cp, "Authorize", {"idTag": "T1"}, {"idTagInfo": {"status": "Accepted"}})
    assert cp.auth_cache["T1"] == {"status": "Accepted"}


def test_answer_without_id_tag_info_leaves_the_cache_alone() -> None:
    cp = state()
    on_answered(cp, "Heartbeat", {}, {"currentTime": STAMP})
    on_answered(cp, "Authorize", {"idTag": "T1"}, {"idTagInfo": "Accepted"})
    assert cp.auth_cache == {}


def test_accepted_boot_sets_the_heartbeat_interval() -> None:
    cp = state()
    on_answered(
        cp, "BootNotification", {}, {"status": "Accepted", "interval": 60, "currentTime": STAMP}
    )
    assert cp.boot_count == 1
    assert cp.config.get("HeartbeatInterval") == "60"


@pytest.mark.parametrize(
    "response",
    [
        {"status": "Pending", "interval": 60},
        {"status": "Rejected", "interval": 60},
    ],
)
def test_boot_not_accepted_changes_nothing(response: dict[str, Any]) -> None:
    cp = state()
    on_answered(cp, "BootNotification", {}, response)
    assert cp.boot_count == 0
    assert cp.config.get("HeartbeatInterval") == "300"


@pytest.mark.parametrize("interval", [0, -5, "60", None])
def test_accepted_boot_with_an_unusable_interval_keeps_the_old_one(interval: object) -> None:
    cp = state()
    on_answered(cp, "BootNotification", {}, {"status": "Accepted", "interval": interval})
    assert cp.boot_count == 1
    assert cp.config.get("HeartbeatInterval") == "300"


@pytest.mark.parametrize("interval", [True, False])
def test_accepted_boot_with_a_boolean_interval_keeps_the_old_one(interval: bool) -> None:
    cp = state()
    on_answered(cp, "BootNotification", {}, {"status": "Accepted", "interval": interval})
    assert cp.boot_count == 1
    assert cp.config.get("HeartbeatInterval") == "300"


def start_and_answer(cp: ChargePointState, response: dict[str, Any]) -> Transaction:
    request = build(cp, "StartTransaction", 1)
    on_sent(cp, "StartTransaction", request, NOW)
    on_answered(cp, "StartTransaction", request, response)
    tx = cp.connector(1).transaction
    assert tx is not None
    return tx


def test_accepted_start_transaction_records_the_transaction_id() -> None:
    cp = state()
    tx = start_and_answer(cp, {"transactionId": 1234, "idTagInfo": {"status": "Accepted"}})
    assert tx.transaction_id == 1234
    assert tx.stop_reason is None
    assert cp.auth_cache["VALID"] == {"status": "Accepted"}
    assert cp.transaction_by_id(1234) is tx


@pytest.mark.parametrize("bad_id", [True, "1234", 12.5, None])
def test_start_transaction_id_must_be_an_integer(bad_id: object) -> None:
    tx = start_and_answer(state(), {"transactionId": bad_id, "idTagInfo": {"status": "Accepted"}})
    assert tx.transaction_id is None


@pytest.mark.parametrize("status", ["Invalid", "Blocked", "Expired", "ConcurrentTx"])
def test_unauthorised_start_is_deauthorized_when_stop_transaction_on_invalid_id(
    status: str,
) -> None:
    tx = start_and_answer(state(), {"transactionId": 5, "idTagInfo": {"status": status}})
    assert tx.transaction_id == 5
    assert tx.stop_reason == "DeAuthorized"


def test_unauthorised_start_keeps_running_without_stop_transaction_on_invalid_id() -> None:
    cp = state()
    assert cp.config.change("StopTransactionOnInvalidId", "false") == "Accepted"
    tx = start_and_answer(cp, {"transactionId": 5, "idTagInfo": {"status": "Invalid"}})
    assert tx.stop_reason is None


@pytest.mark.parametrize("connector_id", [9, "1", None])  # None: no connectorId at all
def test_answered_start_transaction_for_an_unknown_connector_changes_nothing(
    connector_id: object,
) -> None:
    cp = state()
    other = running(cp, 1, None)  # a transaction awaiting its id on another connector
    request: dict[str, Any] = {"idTag": "VALID", "meterStart": 0, "timestamp": STAMP}
    if connector_id is not None:
        request["connectorId"] = connector_id
    on_sent(cp, "StartTransaction", request, NOW)
    on_answered(
        cp, "StartTransaction", request, {"transactionId": 1, "idTagInfo": {"status": "Invalid"}}
    )
    assert cp.active_transactions() == [other]
    assert other.transaction_id is None
    assert other.stop_reason is None


def test_answered_stop_transaction_ends_the_transaction() -> None:
    cp = state()
    running(cp, 1, 42)
    running(cp, 2, 43)
    request = build(cp, "StopTransaction", 1)
    on_answered(cp, "StopTransaction", request, {})
    assert cp.connector(1).transaction is None
    assert cp.connector(2).transaction is not None
