"""ChangeAvailability on the simulated charge point (OCPP 1.6 §5.2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from octt.chargepoint.model import ChargePointState, ConnectorStatus, Transaction
from octt.chargepoint.responder import commit, default_reply

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def state() -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")


def change(cp: ChargePointState, connector: Any, kind: str) -> str:
    payload = {"connectorId": connector, "type": kind}
    answer = default_reply(cp, "ChangeAvailability", payload, known_action=True)
    commit(cp, "ChangeAvailability", payload, answer)
    return str(answer["status"])


def test_inoperative_makes_the_connector_unavailable() -> None:
    cp = state()
    assert change(cp, 1, "Inoperative") == "Accepted"
    assert cp.connector(1).status is ConnectorStatus.UNAVAILABLE
    assert cp.connector(2).status is ConnectorStatus.AVAILABLE
    assert change(cp, 1, "Operative") == "Accepted"
    assert cp.connector(1).status is ConnectorStatus.AVAILABLE


def test_connector_zero_is_the_whole_charge_point() -> None:
    cp = state()
    assert change(cp, 0, "Inoperative") == "Accepted"
    assert {c.status for c in cp.connectors.values()} == {ConnectorStatus.UNAVAILABLE}


@pytest.mark.parametrize("connector", [3, -1, "1", True])
def test_an_unknown_connector_is_rejected(connector: Any) -> None:
    assert change(state(), connector, "Inoperative") == "Rejected"


def test_a_running_transaction_schedules_the_change() -> None:
    cp = state()
    cp.connector(1).transaction = Transaction(1, "VALID", 0, NOW, 5)
    cp.connector(1).status = ConnectorStatus.CHARGING
    assert change(cp, 1, "Inoperative") == "Scheduled"
    assert cp.connector(1).status is ConnectorStatus.CHARGING
    assert change(cp, 0, "Inoperative") == "Scheduled"
    assert change(cp, 1, "Operative") == "Accepted"
    assert cp.connector(1).status is ConnectorStatus.CHARGING


def test_unavailable_ends_the_reservation_of_the_connector() -> None:
    cp = state()
    reserve = {"connectorId": 1, "expiryDate": "2026-03-01T13:00:00Z", "idTag": "VALID"}
    commit(cp, "ReserveNow", {**reserve, "reservationId": 4}, {"status": "Accepted"})
    change(cp, 1, "Inoperative")
    assert cp.reservations == {}
    assert cp.connector(1).reservation_id is None
    assert cp.connector(1).status is ConnectorStatus.UNAVAILABLE
