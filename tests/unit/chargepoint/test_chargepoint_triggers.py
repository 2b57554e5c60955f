"""TriggerMessage on the simulated charge point: the answer, the promised message and the
builders that honour it (OCPP 1.6 §5.17)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from octt.chargepoint import triggers
from octt.chargepoint.messages import build_request, on_sent
from octt.chargepoint.model import ChargePointState
from octt.chargepoint.responder import commit, default_reply
from octt.chargepoint.triggers import MessageTrigger, PendingTrigger

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def state() -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")


def trigger(cp: ChargePointState, message: str, connector: int | None = None) -> str:
    payload: dict[str, Any] = {"requestedMessage": message}
    if connector is not None:
        payload["connectorId"] = connector
    answer = default_reply(cp, "TriggerMessage", payload, known_action=True)
    commit(cp, "TriggerMessage", payload, answer)
    return str(answer["status"])


@pytest.mark.parametrize("message", [m.value for m in MessageTrigger])
def test_every_requested_message_is_accepted(message: str) -> None:
    cp = state()
    assert trigger(cp, message) == "Accepted"
    assert cp.triggers == [PendingTrigger(MessageTrigger(message))]


def test_an_unknown_message_is_not_implemented() -> None:
    cp = state()
    assert trigger(cp, "SignCertificate") == "NotImplemented"
    assert cp.triggers == []


@pytest.mark.parametrize("connector", [3, -1])
def test_a_connector_the_charge_point_does_not_have_is_rejected(connector: int) -> None:
    cp = state()
    assert trigger(cp, "MeterValues", connector) == "Rejected"
    assert cp.triggers == []


def test_connector_zero_is_the_charge_point_itself() -> None:
    assert trigger(state(), "StatusNotification", 0) == "Accepted"


def test_connector_is_kept_only_for_connector_specific_messages() -> None:
    cp = state()
    trigger(cp, "Heartbeat", 2)
    trigger(cp, "MeterValues", 2)
    assert cp.triggers == [
        PendingTrigger(MessageTrigger.HEARTBEAT),
        PendingTrigger(MessageTrigger.METER_VALUES, 2),
    ]


def test_a_forced_rejection_promises_nothing() -> None:
    cp = state()
    commit(cp, "TriggerMessage", {"requestedMessage": "Heartbeat"}, {"status": "Rejected"})
    assert cp.triggers == []


def test_triggered_meter_values_go_to_the_named_connector_with_context_trigger() -> None:
    cp = state()
    trigger(cp, "MeterValues", 2)
    payload = build_request(cp, "MeterValues", None, {}, NOW)
    assert payload["connectorId"] == 2
    assert payload["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"
    on_sent(cp, "MeterValues", payload, NOW)
    assert cp.triggers == []
    again = build_request(cp, "MeterValues", None, {}, NOW)
    assert again["meterValue"][0]["sampledValue"][0]["context"] == "Sample.Periodic"
    assert again["connectorId"] == cp.default_connector_id


def test_triggered_status_notification_reports_the_named_connector() -> None:
    cp = state()
    trigger(cp, "StatusNotification", 2)
    payload = build_request(cp, "StatusNotification", None, {}, NOW)
    assert (payload["connectorId"], payload["status"]) == (2, "Available")


def test_the_step_connector_wins_over_the_trigger() -> None:
    cp = state()
    trigger(cp, "StatusNotification", 2)
    assert triggers.connector_for(cp, "StatusNotification", 1) == 1
    assert triggers.connector_for(cp, "Heartbeat", None) is None


def test_sending_fulfils_the_oldest_trigger_of_that_message() -> None:
    cp = state()
    trigger(cp, "StatusNotification", 1)
    trigger(cp, "StatusNotification", 2)
    on_sent(cp, "StatusNotification", {"connectorId": 1, "status": "Available"}, NOW)
    assert cp.triggers == [PendingTrigger(MessageTrigger.STATUS_NOTIFICATION, 2)]
    on_sent(cp, "Heartbeat", {}, NOW)
    assert len(cp.triggers) == 1
