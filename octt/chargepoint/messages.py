"""What the simulated charge point sends: request payloads built from its state, and the state
changes its requests and the CSMS's answers cause.

A test step names an action, optionally a connector, and payload overrides; the builder fills in
everything else from the charge point's state (OCPP 1.6 edition 2, §4 and §6). An override of
``None`` removes a field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from octt.chargepoint import charging_profiles, firmware, reservations, security, triggers
from octt.chargepoint.model import ChargePointState, ConnectorStatus, Transaction
from octt.clock import rfc3339

# Transaction-related messages, which a charge point queues while offline and delivers in order
# once connected again (OCPP 1.6 edition 2, "transaction-related messages").
QUEUED_WHILE_OFFLINE = frozenset({"StartTransaction", "StopTransaction", "MeterValues"})

# Energy the simulated EV draws between two transaction messages, in Wh.
_ENERGY_STEP_WH = 250


class BuildError(Exception):
    """The step asks for a message the charge point's state cannot produce."""


def apply_overrides(payload: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(payload)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def build_request(
    state: ChargePointState,
    action: str,
    connector_id: int | None,
    overrides: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The payload of a CALL the charge point sends, from its state plus `overrides`."""
    stamp = rfc3339(state.local_time(now))
    # A message a TriggerMessage asked for goes to the connector it named (§5.17).
    connector_id = triggers.connector_for(state, action, connector_id)
    builder = _BUILDERS.get(action)
    base = builder(state, connector_id, overrides, stamp) if builder else {}
    return apply_overrides(base, overrides)


def _boot(
    state: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    return {
        "chargePointVendor": state.vendor,
        "chargePointModel": state.model,
        "chargePointSerialNumber": state.cp_id[:25],
        "firmwareVersion": "octt-sim-1.0",
    }


def _status(
    state: ChargePointState, c: int | None, o: Mapping[str, Any], stamp: str
) -> dict[str, Any]:
    connector = state.connector(c if c is not None else 0)
    status = o.get("status", connector.status.value)
    return {
        "connectorId": connector.connector_id,
        "status": status,
        "errorCode": o.get("errorCode", connector.error_code),
        "timestamp": stamp,
    }


def _authorize(
    state: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    return {"idTag": _current_id_tag(state)}


def _current_id_tag(state: ChargePointState) -> str:
    if state.remote_start is not None:
        return state.remote_start.id_tag
    return state.default_id_tag


def _start(
    state: ChargePointState, c: int | None, o: Mapping[str, Any], stamp: str
) -> dict[str, Any]:
    connector_id = c if c is not None else _remote_connector(state)
    connector = state.connector(connector_id)
    payload: dict[str, Any] = {
        "connectorId": connector_id,
        "idTag": _current_id_tag(state),
        "meterStart": connector.meter_wh,
        "timestamp": stamp,
    }
    # A transaction for the reserved idTag (or its parent) quotes the reservation (§5.13).
    id_tag = o.get("idTag")
    id_tag = id_tag if isinstance(id_tag, str) else payload["idTag"]
    reservation = reservations.matching(state, connector_id, id_tag)
    if reservation is not None:
        payload["reservationId"] = reservation.reservation_id
    return payload


def _remote_connector(state: ChargePointState) -> int:
    if state.remote_start is not None and state.remote_start.connector_id:
        return state.remote_start.connector_id
    return state.default_connector_id


def _transaction_for(state: ChargePointState, c: int | None) -> Transaction:
    if c is not None:
        tx = state.connector(c).transaction
        if tx is None:
            raise BuildError(f"connector {c} has no transaction to refer to")
        return tx
    active = state.active_transactions()
    if not active:
        raise BuildError("the charge point has no transaction to refer to")
    return active[0]


def _stop(
    state: ChargePointState, c: int | None, o: Mapping[str, Any], stamp: str
) -> dict[str, Any]:
    tx = _transaction_for(state, c)
    connector = state.connector(tx.connector_id)
    connector.meter_wh += _ENERGY_STEP_WH
    payload: dict[str, Any] = {
        "transactionId": tx.transaction_id if tx.transaction_id is not None else -1,
        "meterStop": connector.meter_wh,
        "timestamp": stamp,
        "idTag": tx.id_tag,
    }
    if tx.stop_reason:
        payload["reason"] = tx.stop_reason
    return payload


def _meter_values(
    state: ChargePointState, c: int | None, _o: Mapping[str, Any], stamp: str
) -> dict[str, Any]:
    connector = state.connector(c if c is not None else state.default_connector_id)
    payload: dict[str, Any] = {"connectorId": connector.connector_id}
    if connector.transaction is not None:
        connector.meter_wh += _ENERGY_STEP_WH
        if connector.transaction.transaction_id is not None:
            payload["transactionId"] = connector.transaction.transaction_id
    payload["meterValue"] = [
        {
            "timestamp": stamp,
            "sampledValue": [
                {
                    "value": str(connector.meter_wh),
                    "context": _reading_context(state),
                    "measurand": "Energy.Active.Import.Register",
                    "unit": "Wh",
                }
            ],
        }
    ]
    return payload


def _reading_context(state: ChargePointState) -> str:
    """ReadingContext (§7.34): Trigger for meter values a TriggerMessage asked for."""
    return "Trigger" if triggers.pending(state, "MeterValues") else "Sample.Periodic"


def _data_transfer(
    _s: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    return {"vendorId": "org.octt", "messageId": "octt-test", "data": "octt"}


def _empty(_s: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str) -> dict[str, Any]:
    return {}


_BUILDERS = {
    "BootNotification": _boot,
    "StatusNotification": _status,
    "Heartbeat": _empty,
    "Authorize": _authorize,
    "StartTransaction": _start,
    "StopTransaction": _stop,
    "MeterValues": _meter_values,
    "DataTransfer": _data_transfer,
    "FirmwareStatusNotification": firmware.firmware_status_payload,
    "DiagnosticsStatusNotification": firmware.diagnostics_status_payload,
    # The security whitepaper.
    "SignCertificate": security.sign_certificate_payload,
    "SecurityEventNotification": security.security_event_payload,
    "LogStatusNotification": security.log_status_payload,
    "SignedFirmwareStatusNotification": security.signed_firmware_status_payload,
}


def on_sent(
    state: ChargePointState, action: str, payload: Mapping[str, Any], now: datetime
) -> None:
    """State changes caused by sending a request, before any answer."""
    triggers.fulfil(state, action)
    firmware.on_sent(state, action, payload)
    security.on_sent(state, action, payload)
    if action == "StatusNotification":
        connector = state.connectors.get(payload.get("connectorId", -1))
        if connector is not None and payload.get("status") in ConnectorStatus.__members__.values():
            connector.status = ConnectorStatus(payload["status"])
            connector.error_code = str(payload.get("errorCode", "NoError"))
    elif action == "StartTransaction":
        connector = state.connectors.get(payload.get("connectorId", -1))
        if connector is not None:
            connector.transaction = Transaction(
                connector_id=connector.connector_id,
                id_tag=str(payload.get("idTag", "")),
                meter_start_wh=int(payload.get("meterStart", connector.meter_wh)),
                started_at=now,
                reservation_id=payload.get("reservationId"),
                charging_profile=(
                    state.remote_start.charging_profile if state.remote_start is not None else None
                ),
            )
            connector.reservation_id = None
        # The transaction uses the reservation it quotes: the reservation ends (§5.13).
        reservation_id = payload.get("reservationId")
        if isinstance(reservation_id, int):
            reservations.release(state, reservation_id)
        state.remote_start = None


def on_answered(
    state: ChargePointState,
    action: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any],
) -> None:
    """State changes caused by the CSMS's CALLRESULT to one of our requests."""
    id_tag_info = response.get("idTagInfo")
    id_tag = request.get("idTag")
    if isinstance(id_tag_info, Mapping) and isinstance(id_tag, str):
        state.auth_cache[id_tag] = dict(id_tag_info)
    if action == "BootNotification" and response.get("status") == "Accepted":
        state.boot_count += 1
        interval = response.get("interval")
        if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
            state.config.force("HeartbeatInterval", str(interval))
    elif action == "StartTransaction":
        connector = state.connectors.get(request.get("connectorId", -1))
        tx = connector.transaction if connector is not None else None
        if tx is not None:
            transaction_id = response.get("transactionId")
            if isinstance(transaction_id, int) and not isinstance(transaction_id, bool):
                tx.transaction_id = transaction_id
                charging_profiles.start_transaction_profile(state, tx)
            accepted = isinstance(id_tag_info, Mapping) and id_tag_info.get("status") == "Accepted"
            # StopTransactionOnInvalidId (OCPP 1.6 §9.1): a transaction the CSMS did not authorise
            # is stopped with reason DeAuthorized.
            if not accepted and state.config.get_bool("StopTransactionOnInvalidId"):
                tx.stop_reason = "DeAuthorized"
    elif action == "StopTransaction":
        tx_id = request.get("transactionId")
        for connector in state.connectors.values():
            if connector.transaction is not None and connector.transaction.transaction_id == tx_id:
                connector.transaction = None
                # The transaction's TxProfiles end with it (§3.13.1).
                state.charging_profiles.end_transaction(connector.connector_id)
