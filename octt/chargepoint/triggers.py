"""TriggerMessage on the simulated charge point (OCPP 1.6 §5.17).

The Central System asks for one message; the charge point answers TriggerMessage.conf first and
then sends the message (§5.17: "the Charge Point SHALL first send the TriggerMessage response").
Here the answer records a `PendingTrigger`; the test case's next `send` step sends the message,
and the message builders consult the pending trigger: a connector-specific message goes to the
connector the Central System named, and meter values carry the reading context Trigger (§7.34).
Sending the message fulfils the trigger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState


class MessageTrigger(StrEnum):
    """TriggerMessage.req requestedMessage (§7.33)."""

    BOOT_NOTIFICATION = "BootNotification"
    DIAGNOSTICS_STATUS_NOTIFICATION = "DiagnosticsStatusNotification"
    FIRMWARE_STATUS_NOTIFICATION = "FirmwareStatusNotification"
    HEARTBEAT = "Heartbeat"
    METER_VALUES = "MeterValues"
    STATUS_NOTIFICATION = "StatusNotification"


class TriggerMessageStatus(StrEnum):
    """TriggerMessage.conf status (§7.46)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    NOT_IMPLEMENTED = "NotImplemented"


#: Messages that concern one connector: connectorId tells which (§5.17).
CONNECTOR_SPECIFIC = frozenset({MessageTrigger.METER_VALUES, MessageTrigger.STATUS_NOTIFICATION})


@dataclass(frozen=True)
class PendingTrigger:
    """A message the charge point promised to send."""

    message: MessageTrigger
    connector_id: int | None = None


def _requested(payload: Mapping[str, Any]) -> MessageTrigger | None:
    try:
        return MessageTrigger(str(payload.get("requestedMessage")))
    except ValueError:
        return None


def trigger_message_reply(state: ChargePointState, payload: Mapping[str, Any]) -> dict[str, Any]:
    """TriggerMessage.conf (§5.17): every message of §7.33 is implemented; a connectorId the
    charge point does not have is Rejected."""
    if _requested(payload) is None:
        return {"status": TriggerMessageStatus.NOT_IMPLEMENTED.value}
    connector_id = payload.get("connectorId")
    if connector_id is not None and connector_id not in state.connectors:
        return {"status": TriggerMessageStatus.REJECTED.value}
    return {"status": TriggerMessageStatus.ACCEPTED.value}


def trigger_message_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    """Remember the promised message once the answer is Accepted."""
    message = _requested(payload)
    if reply.get("status") != TriggerMessageStatus.ACCEPTED or message is None:
        return
    connector_id = payload.get("connectorId")
    if not isinstance(connector_id, int) or message not in CONNECTOR_SPECIFIC:
        connector_id = None
    state.triggers.append(PendingTrigger(message, connector_id))


def pending(state: ChargePointState, action: str) -> PendingTrigger | None:
    """The oldest trigger still waiting for `action`, if any."""
    for trigger in state.triggers:
        if trigger.message.value == action:
            return trigger
    return None


def connector_for(state: ChargePointState, action: str, connector_id: int | None) -> int | None:
    """The connector a message goes to: the step's own, else the one its trigger named."""
    if connector_id is not None:
        return connector_id
    trigger = pending(state, action)
    return trigger.connector_id if trigger is not None else None


def fulfil(state: ChargePointState, action: str) -> None:
    """The charge point sent `action`: its oldest pending trigger is done."""
    trigger = pending(state, action)
    if trigger is not None:
        state.triggers.remove(trigger)
