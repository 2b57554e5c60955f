"""The simulated charge point's state and its simulated physical events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from octt.chargepoint.model import (
    ChargePointState,
    ConnectorStatus,
    RemoteStart,
    Transaction,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def state(connectors: int = 2) -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "sim", connectors, default_id_tag="VALID")


def start(
    cp: ChargePointState, connector_id: int, transaction_id: int | None = None
) -> Transaction:
    tx = Transaction(connector_id, "VALID", 0, NOW, transaction_id)
    cp.connector(connector_id).transaction = tx
    cp.connector(connector_id).status = ConnectorStatus.CHARGING
    return tx


def test_create_makes_connector_zero_and_every_connector_available() -> None:
    cp = state(3)
    assert sorted(cp.connectors) == [0, 1, 2, 3]
    assert all(c.status is ConnectorStatus.AVAILABLE for c in cp.connectors.values())
    assert all(c.error_code == "NoError" and c.transaction is None for c in cp.connectors.values())
    assert cp.config.get("NumberOfConnectors") == "3"
    assert (cp.default_id_tag, cp.default_connector_id, cp.boot_count) == ("VALID", 1, 0)
    assert not cp.offline


def test_connector_statuses_are_the_16_charge_point_statuses() -> None:
    assert {s.value for s in ConnectorStatus} == {
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEVSE",
        "SuspendedEV",
        "Finishing",
        "Reserved",
        "Unavailable",
        "Faulted",
    }


def test_unknown_connector_raises_a_readable_key_error() -> None:
    with pytest.raises(KeyError, match="has no connector 9"):
        state().connector(9)


def test_has_connector_excludes_connector_zero() -> None:
    cp = state(2)
    assert [n for n in range(-1, 4) if cp.has_connector(n)] == [1, 2]


def test_transactions_are_found_by_id() -> None:
    cp = state()
    tx = start(cp, 2, transaction_id=77)
    start(cp, 1)  # not yet confirmed by the CSMS
    assert cp.transaction_by_id(77) is tx
    assert cp.transaction_by_id(78) is None
    assert len(cp.active_transactions()) == 2


def test_power_loss_finishes_running_transactions_and_frees_the_rest() -> None:
    cp = state(2)
    tx = start(cp, 1, 5)
    cp.connector(2).status = ConnectorStatus.PREPARING
    cp.connector(0).status = ConnectorStatus.UNAVAILABLE
    cp.remote_start = RemoteStart("VALID", 2)
    cp.power_loss()
    assert tx.stop_reason == "PowerLoss"
    assert cp.connector(1).status is ConnectorStatus.FINISHING
    assert cp.connector(1).transaction is tx  # still to be stopped by StopTransaction
    assert cp.connector(2).status is ConnectorStatus.AVAILABLE
    assert cp.connector(0).status is ConnectorStatus.AVAILABLE
    assert cp.remote_start is None


def test_power_loss_without_transactions_leaves_everything_available() -> None:
    cp = state(2)
    cp.power_loss()
    assert all(c.status is ConnectorStatus.AVAILABLE for c in cp.connectors.values())


def test_go_offline_puts_the_local_clock_behind_and_come_online_restores_it() -> None:
    cp = state()
    assert cp.local_time(NOW) == NOW
    cp.go_offline(90)
    assert cp.offline
    assert cp.clock_offset == timedelta(seconds=90)
    assert cp.local_time(NOW) == NOW - timedelta(seconds=90)
    cp.come_online()
    assert not cp.offline
    assert cp.local_time(NOW) == NOW


def test_go_offline_keeps_fractional_seconds() -> None:
    cp = state()
    cp.go_offline(0.25)
    assert cp.local_time(NOW) == NOW - timedelta(milliseconds=250)


def test_connection_timeout_makes_the_connector_available_and_drops_the_remote_start() -> None:
    cp = state()
    cp.connector(1).status = ConnectorStatus.PREPARING
    cp.remote_start = RemoteStart("VALID", 1)
    cp.connection_timeout(1)
    assert cp.connector(1).status is ConnectorStatus.AVAILABLE
    assert cp.remote_start is None
