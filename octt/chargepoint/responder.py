"""How the simulated charge point answers CALLs from the CSMS (OCPP 1.6 edition 2, §5).

`default_reply` decides what a well-behaved charge point with this state would answer;
a test step may override it (e.g. TC_026 answers RemoteStartTransaction with Rejected). Only
then does `commit` apply the state change that the *final* answer implies, so a rejected
request changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from octt.chargepoint import (
    availability,
    charging_profiles,
    firmware,
    local_list,
    reservations,
    security,
    triggers,
)
from octt.chargepoint.model import ChargePointState, RemoteStart
from octt.ocppj.frames import ErrorCode


@dataclass(frozen=True)
class ErrorReply:
    code: ErrorCode
    description: str


Reply = dict[str, Any] | ErrorReply


def default_reply(
    state: ChargePointState, action: str, payload: Mapping[str, Any], *, known_action: bool
) -> Reply:
    """The answer a conformant charge point in `state` gives to `action`."""
    handler = _HANDLERS.get(action)
    if handler is not None:
        return handler(state, payload)
    if known_action:
        # OCPP-J 1.6 §4.2.3: NotSupported = "recognized but not supported by the receiver".
        return ErrorReply(
            ErrorCode.NOT_SUPPORTED, f"{action} is not supported by this charge point"
        )
    return ErrorReply(ErrorCode.NOT_IMPLEMENTED, f"{action} is not an OCPP 1.6 action")


def commit(state: ChargePointState, action: str, payload: Mapping[str, Any], reply: Reply) -> None:
    """Apply the state change that answering `action` with `reply` implies."""
    if isinstance(reply, ErrorReply):
        return
    feature_commit = _COMMITS.get(action)
    if feature_commit is not None:
        feature_commit(state, payload, reply)
        return
    status = reply.get("status")
    if action == "RemoteStartTransaction" and status == "Accepted":
        state.remote_start = RemoteStart(
            id_tag=str(payload.get("idTag", "")),
            connector_id=payload.get("connectorId"),
            charging_profile=payload.get("chargingProfile"),
        )
    elif action == "RemoteStopTransaction" and status == "Accepted":
        tx = state.transaction_by_id(payload.get("transactionId", -1))
        if tx is not None:
            tx.stop_reason = "Remote"
    elif action == "UnlockConnector" and status == "Unlocked":
        connector = state.connectors.get(payload.get("connectorId", -1))
        if connector is not None and connector.transaction is not None:
            connector.transaction.stop_reason = "UnlockCommand"
    elif action == "Reset" and status == "Accepted":
        reason = "HardReset" if payload.get("type") == "Hard" else "SoftReset"
        for tx in state.active_transactions():
            tx.stop_reason = reason
    elif action == "ChangeConfiguration" and status == "Accepted":
        key, value = payload.get("key"), payload.get("value")
        if isinstance(key, str) and isinstance(value, str) and security.is_security_key(key):
            security.change_configuration_commit(state, key, value)
        elif isinstance(key, str) and isinstance(value, str) and state.config.known(key):
            state.config.force(key, value)
    elif action == "ClearCache" and status == "Accepted":
        state.auth_cache.clear()


def _remote_start(state: ChargePointState, p: Mapping[str, Any]) -> Reply:
    connector_id = p.get("connectorId")
    if connector_id is not None:
        if not isinstance(connector_id, int) or not state.has_connector(connector_id):
            return {"status": "Rejected"}
        if state.connector(connector_id).transaction is not None:
            return {"status": "Rejected"}
    # A chargingProfile must be a TxProfile the charge point can apply (§5.11).
    if charging_profiles.remote_start_profile_problem(state, p):
        return {"status": "Rejected"}
    return {"status": "Accepted"}


def _remote_stop(state: ChargePointState, p: Mapping[str, Any]) -> Reply:
    found = state.transaction_by_id(p.get("transactionId", -1)) is not None
    return {"status": "Accepted" if found else "Rejected"}


def _reset(_state: ChargePointState, _p: Mapping[str, Any]) -> Reply:
    return {"status": "Accepted"}


def _unlock(state: ChargePointState, p: Mapping[str, Any]) -> Reply:
    connector_id = p.get("connectorId")
    if isinstance(connector_id, int) and state.has_connector(connector_id):
        return {"status": "Unlocked"}
    return {"status": "NotSupported"}


def _get_configuration(state: ChargePointState, p: Mapping[str, Any]) -> Reply:
    keys = p.get("key")
    asked = None if not keys else [str(k) for k in keys]
    known, unknown = state.config.entries(asked)
    # The security whitepaper's keys (AuthorizationKey is write-only: never reported).
    extra, unknown = security.configuration_entries(state, None if asked is None else unknown)
    reply: dict[str, Any] = {
        "configurationKey": [
            {"key": e.key, "readonly": e.readonly, "value": e.value} for e in known
        ]
        + [{"key": key, "readonly": readonly, "value": value} for key, readonly, value in extra]
    }
    if unknown:
        reply["unknownKey"] = unknown
    return reply


def _change_configuration(state: ChargePointState, p: Mapping[str, Any]) -> Reply:
    key, value = p.get("key"), p.get("value")
    if not isinstance(key, str) or not isinstance(value, str):
        return {"status": "Rejected"}
    if security.is_security_key(key):
        return security.change_configuration_reply(state, key, value)
    if not state.config.known(key):
        return {"status": "NotSupported"}
    spec_ok = state.config.would_accept(key, value)
    return {"status": "Accepted" if spec_ok else "Rejected"}


def _clear_cache(_state: ChargePointState, _p: Mapping[str, Any]) -> Reply:
    return {"status": "Accepted"}


def _data_transfer(_state: ChargePointState, _p: Mapping[str, Any]) -> Reply:
    return {"status": "UnknownVendorId"}


_HANDLERS = {
    "RemoteStartTransaction": _remote_start,
    "RemoteStopTransaction": _remote_stop,
    "Reset": _reset,
    "UnlockConnector": _unlock,
    "GetConfiguration": _get_configuration,
    "ChangeConfiguration": _change_configuration,
    "ClearCache": _clear_cache,
    "DataTransfer": _data_transfer,
    "ChangeAvailability": availability.change_availability_reply,
    # Local Auth List Management, Reservation and Remote Trigger profiles.
    "GetLocalListVersion": local_list.get_local_list_version_reply,
    "SendLocalList": local_list.send_local_list_reply,
    "ReserveNow": reservations.reserve_now_reply,
    "CancelReservation": reservations.cancel_reservation_reply,
    "TriggerMessage": triggers.trigger_message_reply,
    # Smart Charging and Firmware Management profiles.
    "SetChargingProfile": charging_profiles.set_charging_profile_reply,
    "ClearChargingProfile": charging_profiles.clear_charging_profile_reply,
    "GetCompositeSchedule": charging_profiles.get_composite_schedule_reply,
    "UpdateFirmware": firmware.update_firmware_reply,
    "GetDiagnostics": firmware.get_diagnostics_reply,
    # The security whitepaper.
    "InstallCertificate": security.install_certificate_reply,
    "GetInstalledCertificateIds": security.get_installed_certificate_ids_reply,
    "DeleteCertificate": security.delete_certificate_reply,
    "ExtendedTriggerMessage": security.extended_trigger_message_reply,
    "CertificateSigned": security.certificate_signed_reply,
    "GetLog": security.get_log_reply,
    "SignedUpdateFirmware": security.signed_update_firmware_reply,
}

# State changes of actions whose logic lives in a feature module (applied by `commit`).
_COMMITS: dict[str, Callable[[ChargePointState, Mapping[str, Any], Mapping[str, Any]], None]] = {
    "ChangeAvailability": availability.change_availability_commit,
    "SendLocalList": local_list.send_local_list_commit,
    "ReserveNow": reservations.reserve_now_commit,
    "CancelReservation": reservations.cancel_reservation_commit,
    "TriggerMessage": triggers.trigger_message_commit,
    "SetChargingProfile": charging_profiles.set_charging_profile_commit,
    "ClearChargingProfile": charging_profiles.clear_charging_profile_commit,
    "UpdateFirmware": firmware.update_firmware_commit,
    "GetDiagnostics": firmware.get_diagnostics_commit,
    "InstallCertificate": security.install_certificate_commit,
    "DeleteCertificate": security.delete_certificate_commit,
    "ExtendedTriggerMessage": security.extended_trigger_message_commit,
    "CertificateSigned": security.certificate_signed_commit,
    "GetLog": security.get_log_commit,
    "SignedUpdateFirmware": security.signed_update_firmware_commit,
}
