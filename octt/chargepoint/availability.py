"""ChangeAvailability on the simulated charge point (OCPP 1.6 §5.2).

Connector 0 means the whole charge point. Inoperative makes the connector(s) Unavailable and
ends their reservations (§5.13); Operative makes them Available again. A connector with a
transaction in progress answers Scheduled: the change happens after the transaction (§5.2).
The StatusNotification that reports the new status is sent by the test case's next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from octt.chargepoint import reservations
from octt.chargepoint.model import ConnectorStatus

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState, Connector


class AvailabilityType(StrEnum):
    """ChangeAvailability.req type (§7.3)."""

    INOPERATIVE = "Inoperative"
    OPERATIVE = "Operative"


class AvailabilityStatus(StrEnum):
    """ChangeAvailability.conf status (§7.2)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    SCHEDULED = "Scheduled"


def _targets(state: ChargePointState, connector_id: Any) -> list[Connector] | None:
    if isinstance(connector_id, bool) or not isinstance(connector_id, int):
        return None
    if connector_id == 0:
        return list(state.connectors.values())
    if not state.has_connector(connector_id):
        return None
    return [state.connector(connector_id)]


def change_availability_reply(
    state: ChargePointState, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """ChangeAvailability.conf (§5.2)."""
    targets = _targets(state, payload.get("connectorId"))
    if targets is None:
        return {"status": AvailabilityStatus.REJECTED.value}
    busy = any(c.transaction is not None for c in targets)
    if payload.get("type") == AvailabilityType.INOPERATIVE and busy:
        return {"status": AvailabilityStatus.SCHEDULED.value}
    return {"status": AvailabilityStatus.ACCEPTED.value}


def change_availability_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    """Change the connectors' status once the answer is Accepted."""
    targets = _targets(state, payload.get("connectorId"))
    if reply.get("status") != AvailabilityStatus.ACCEPTED or targets is None:
        return
    if payload.get("type") == AvailabilityType.INOPERATIVE:
        for connector in targets:
            reservations.release_on(state, connector.connector_id)
            connector.status = ConnectorStatus.UNAVAILABLE
    elif payload.get("type") == AvailabilityType.OPERATIVE:
        for connector in targets:
            if connector.status is ConnectorStatus.UNAVAILABLE:
                connector.status = ConnectorStatus.AVAILABLE
