"""How the simulated charge point answers the Smart Charging messages (OCPP 1.6 §5.5
ClearChargingProfile, §5.7 GetCompositeSchedule, §5.16 SetChargingProfile) and keeps the
chargingProfile of an accepted RemoteStartTransaction (§5.11) for the transaction it starts.

The rules and the composite calculation live in `octt.chargepoint.smart_charging`; this module
reads the requests, asks the charge point's `ProfileStore`, and applies the change once the
answer is final (`*_commit`), as the responder does for every feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from octt.chargepoint.smart_charging import (
    Capabilities,
    ChargingProfile,
    ProfileError,
    Purpose,
    RateUnit,
    RunningTransaction,
    SetStatus,
    composite_schedule,
)

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState, Transaction

#: ChargingScheduleAllowedChargingRateUnit values (§9.4) and the unit each allows.
_UNIT_NAMES = {"Current": RateUnit.AMPERE, "Power": RateUnit.WATT}


def capabilities(state: ChargePointState) -> Capabilities:
    """What the charge point accepts, from its Smart Charging configuration keys (§9.4)."""
    config = state.config
    allowed = {
        _UNIT_NAMES[name.strip()]
        for name in config.get("ChargingScheduleAllowedChargingRateUnit").split(",")
        if name.strip() in _UNIT_NAMES
    }
    return Capabilities(
        number_of_connectors=state.number_of_connectors,
        max_stack_level=config.get_int("ChargeProfileMaxStackLevel"),
        allowed_units=frozenset(allowed),
        max_periods=config.get_int("ChargingScheduleMaxPeriods"),
        max_profiles=config.get_int("MaxChargingProfilesInstalled"),
    )


def _running(tx: Transaction | None) -> RunningTransaction | None:
    return None if tx is None else RunningTransaction(tx.transaction_id, tx.started_at)


def running_transactions(state: ChargePointState) -> dict[int, RunningTransaction]:
    """Connector → its running transaction, as the composite schedule needs them."""
    return {
        connector_id: RunningTransaction(c.transaction.transaction_id, c.transaction.started_at)
        for connector_id, c in state.connectors.items()
        if c.transaction is not None
    }


# -- SetChargingProfile (§5.16) ----------------------------------------------------------------


def _requested(payload: Mapping[str, Any]) -> tuple[int, ChargingProfile] | None:
    connector_id = payload.get("connectorId")
    if not isinstance(connector_id, int) or isinstance(connector_id, bool):
        return None
    try:
        return connector_id, ChargingProfile.from_ocpp(payload.get("csChargingProfiles", {}))
    except ProfileError:
        return None


def set_charging_profile_reply(
    state: ChargePointState, payload: Mapping[str, Any]
) -> dict[str, Any]:
    requested = _requested(payload)
    if requested is None:
        return {"status": SetStatus.REJECTED.value}
    connector_id, profile = requested
    connector = state.connectors.get(connector_id)
    transaction = _running(connector.transaction if connector is not None else None)
    status, _ = state.charging_profiles.check(
        connector_id, profile, capabilities(state), transaction
    )
    return {"status": status.value}


def set_charging_profile_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    requested = _requested(payload)
    if reply.get("status") == SetStatus.ACCEPTED and requested is not None:
        state.charging_profiles.install(*requested, state.now())


# -- ClearChargingProfile (§5.5) ---------------------------------------------------------------


def _criteria(payload: Mapping[str, Any]) -> dict[str, Any]:
    purpose = payload.get("chargingProfilePurpose")
    return {
        "profile_id": payload.get("id"),
        "connector_id": payload.get("connectorId"),
        "purpose": Purpose(purpose) if purpose in set(Purpose) else None,
        "stack_level": payload.get("stackLevel"),
    }


def clear_charging_profile_reply(
    state: ChargePointState, payload: Mapping[str, Any]
) -> dict[str, Any]:
    found = state.charging_profiles.matching(**_criteria(payload))
    return {"status": "Accepted" if found else "Unknown"}


def clear_charging_profile_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    if reply.get("status") == "Accepted":
        state.charging_profiles.clear(**_criteria(payload))


# -- GetCompositeSchedule (§5.7) ---------------------------------------------------------------


def get_composite_schedule_reply(
    state: ChargePointState, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """The composite schedule, calculated (Rejected for a connector the charge point lacks)."""
    connector_id = payload.get("connectorId")
    duration = payload.get("duration")
    unit = payload.get("chargingRateUnit")
    if (
        not isinstance(connector_id, int)
        or connector_id not in state.connectors
        or not isinstance(duration, int)
        or duration < 0
    ):
        return {"status": "Rejected"}
    result = composite_schedule(
        state.charging_profiles.installed,
        connector_id,
        start=state.now(),
        duration=duration,
        unit=RateUnit(unit) if unit in set(RateUnit) else None,
        capabilities=capabilities(state),
        transactions=running_transactions(state),
    )
    return result.to_ocpp()


# -- RemoteStartTransaction with a chargingProfile (§5.11) -------------------------------------


def remote_start_profile_problem(state: ChargePointState, payload: Mapping[str, Any]) -> str:
    """Why the chargingProfile of a RemoteStartTransaction is unacceptable ("" if it is fine):
    its purpose SHALL be TxProfile (§5.11), and it must pass the checks of SetChargingProfile
    for the transaction about to start (so it has no transactionId yet)."""
    raw = payload.get("chargingProfile")
    if raw is None:
        return ""
    try:
        profile = ChargingProfile.from_ocpp(raw)
    except ProfileError as exc:
        return str(exc)
    if profile.purpose is not Purpose.TX:
        return (
            f"a RemoteStartTransaction's chargingProfile must be a TxProfile, not {profile.purpose}"
        )
    connector_id = payload.get("connectorId")
    if not isinstance(connector_id, int):
        connector_id = state.default_connector_id
    about_to_start = RunningTransaction(None, state.now())
    status, why = state.charging_profiles.check(
        connector_id, profile, capabilities(state), about_to_start
    )
    return "" if status is SetStatus.ACCEPTED else why


def start_transaction_profile(state: ChargePointState, tx: Transaction) -> None:
    """The transaction got its id: install the TxProfile its RemoteStartTransaction carried."""
    if tx.charging_profile is None or tx.transaction_id is None:
        return
    try:
        profile = ChargingProfile.from_ocpp(
            {**tx.charging_profile, "transactionId": tx.transaction_id}
        )
    except ProfileError:
        return
    state.charging_profiles.install(tx.connector_id, profile, state.now())
    tx.charging_profile = None
