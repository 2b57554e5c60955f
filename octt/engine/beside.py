"""What the simulated charge point does after answering a CALL beside the script.

A real charge point acts on every request it accepts. Most state changes happen when the answer
is committed (`octt.chargepoint.responder.commit`); a TriggerMessage the scenario does not
script asks for a message now (OCPP 1.6 §5.17: the response first, then the message), so the
charge point sends a requested Heartbeat or StatusNotification at once, after any CALL of its
own still waiting for an answer (one outstanding CALL, OCPP-J 1.6 §4.1.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from octt.chargepoint import messages
from octt.chargepoint.model import ChargePointState
from octt.clock import Clock
from octt.engine.link import Link

#: The messages sent at once when a TriggerMessage beside the script asks for them.
SENT_AT_ONCE = frozenset({"Heartbeat", "StatusNotification"})


def wants_message(action: str, payload: Mapping[str, Any], reply: Mapping[str, Any]) -> str:
    """The message an accepted TriggerMessage asks for now ("" for none)."""
    if action != "TriggerMessage" or reply.get("status") != "Accepted":
        return ""
    requested = str(payload.get("requestedMessage", ""))
    return requested if requested in SENT_AT_ONCE else ""


async def send_triggered(
    link: Link, cp: ChargePointState, clock: Clock, requested: str, connector_id: Any
) -> None:
    """Send the message the TriggerMessage asked for (its connector, else the whole charge
    point: connector 0)."""
    if link.closed.is_set():
        return
    connector = connector_id if isinstance(connector_id, int) else None
    now = clock.utc_now()
    payload = messages.build_request(cp, requested, connector, {}, now)
    messages.on_sent(cp, requested, payload, now)
    exchange = await link.call(requested, payload)
    if exchange.response is not None:
        messages.on_answered(cp, requested, payload, exchange.response)
