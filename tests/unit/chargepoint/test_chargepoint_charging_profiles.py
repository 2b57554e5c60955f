"""The charge point answering SetChargingProfile, ClearChargingProfile and GetCompositeSchedule,
and the TxProfile a RemoteStartTransaction brings along."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from octt.chargepoint import charging_profiles
from octt.chargepoint.messages import on_answered, on_sent
from octt.chargepoint.model import ChargePointState, RemoteStart, Transaction
from octt.chargepoint.responder import commit, default_reply
from octt.chargepoint.smart_charging import Purpose, RateUnit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def state() -> ChargePointState:
    cp = ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")
    cp.wall_clock = lambda: NOW
    return cp


def answer(cp: ChargePointState, action: str, payload: dict[str, Any]) -> Any:
    reply = default_reply(cp, action, payload, known_action=True)
    commit(cp, action, payload, reply)
    return reply


def profile(profile_id: int, purpose: str = "TxDefaultProfile", **extra: Any) -> dict[str, Any]:
    return {
        "chargingProfileId": profile_id,
        "stackLevel": extra.pop("stackLevel", 0),
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": extra.pop("kind", "Absolute"),
        "chargingSchedule": {
            "startSchedule": "2026-03-01T12:00:00Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": extra.pop("limit", 6.0)}],
        },
        **extra,
    }


def set_profile(cp: ChargePointState, connector_id: int, data: dict[str, Any]) -> str:
    request = {"connectorId": connector_id, "csChargingProfiles": data}
    return str(answer(cp, "SetChargingProfile", request)["status"])


def test_capabilities_follow_the_configuration_keys() -> None:
    cp = state()
    caps = charging_profiles.capabilities(cp)
    assert (caps.max_stack_level, caps.max_periods, caps.max_profiles) == (10, 24, 10)
    assert caps.allowed_units == {RateUnit.AMPERE, RateUnit.WATT}
    cp.config.force("ChargingScheduleAllowedChargingRateUnit", "Current")
    assert charging_profiles.capabilities(cp).allowed_units == {RateUnit.AMPERE}


def test_set_charging_profile_installs_only_what_it_accepts() -> None:
    cp = state()
    assert set_profile(cp, 1, profile(1)) == "Accepted"
    assert set_profile(cp, 1, profile(2, "TxProfile")) == "Rejected"  # no transaction
    assert set_profile(cp, 1, {"chargingProfileId": 3}) == "Rejected"  # unreadable
    installed = cp.charging_profiles.installed
    assert [(i.connector_id, i.profile.profile_id, i.installed_at) for i in installed] == [
        (1, 1, NOW)
    ]


def test_set_charging_profile_override_to_rejected_installs_nothing() -> None:
    cp = state()
    request = {"connectorId": 1, "csChargingProfiles": profile(1)}
    commit(cp, "SetChargingProfile", request, {"status": "Rejected"})
    assert cp.charging_profiles.installed == []


def test_clear_charging_profile_accepted_when_something_matches_else_unknown() -> None:
    cp = state()
    set_profile(cp, 1, profile(1, stackLevel=0))
    set_profile(cp, 1, profile(2, stackLevel=1))
    set_profile(cp, 0, profile(3, "ChargePointMaxProfile"))
    assert answer(cp, "ClearChargingProfile", {"id": 3}) == {"status": "Accepted"}
    assert answer(cp, "ClearChargingProfile", {"id": 3}) == {"status": "Unknown"}
    by_criteria = {"connectorId": 1, "chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 1}
    assert answer(cp, "ClearChargingProfile", by_criteria) == {"status": "Accepted"}
    assert [i.profile.profile_id for i in cp.charging_profiles.installed] == [1]
    assert answer(cp, "ClearChargingProfile", {"chargingProfilePurpose": "TxProfile"}) == {
        "status": "Unknown"
    }
    assert answer(cp, "ClearChargingProfile", {}) == {"status": "Accepted"}
    assert cp.charging_profiles.installed == []


def test_get_composite_schedule_is_calculated() -> None:
    cp = state()
    # ChargePointMax 10 A; TxDefault 6 A on connector 1 -> min(10, 6) = 6 A, i.e.
    # 6 × 230 V × 3 = 4140 W when asked in W.
    set_profile(cp, 0, profile(1, "ChargePointMaxProfile", limit=10.0))
    set_profile(cp, 1, profile(2, limit=6.0))
    request = {"connectorId": 1, "duration": 600, "chargingRateUnit": "W"}
    reply = default_reply(cp, "GetCompositeSchedule", request, known_action=True)
    assert reply == {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-03-01T12:00:00.000Z",
        "chargingSchedule": {
            "duration": 600,
            "startSchedule": "2026-03-01T12:00:00.000Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": Decimal("4140.0"), "numberPhases": 3}
            ],
        },
    }
    # Connector 2 has only the ChargePointMax: 10 A.
    other = default_reply(
        cp, "GetCompositeSchedule", {"connectorId": 2, "duration": 60}, known_action=True
    )
    assert other["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == Decimal("10.0")
    assert other["chargingSchedule"]["chargingRateUnit"] == "A"
    for bad in ({"connectorId": 3, "duration": 60}, {"connectorId": 1, "duration": -1}):
        assert default_reply(cp, "GetCompositeSchedule", bad, known_action=True) == {
            "status": "Rejected"
        }


def test_remote_start_profile_becomes_the_transactions_tx_profile() -> None:
    cp = state()
    tx_profile = profile(5, "TxProfile", kind="Relative", limit=16.0)
    del tx_profile["chargingSchedule"]["startSchedule"]
    request = {"idTag": "VALID", "connectorId": 1, "chargingProfile": tx_profile}
    assert answer(cp, "RemoteStartTransaction", request) == {"status": "Accepted"}
    assert cp.remote_start == RemoteStart("VALID", 1, tx_profile)
    start = {"connectorId": 1, "idTag": "VALID", "meterStart": 0, "timestamp": "x"}
    on_sent(cp, "StartTransaction", start, NOW - timedelta(seconds=60))
    tx = cp.connector(1).transaction
    assert isinstance(tx, Transaction) and tx.charging_profile == tx_profile
    assert cp.charging_profiles.installed == []  # not before the transactionId is known
    on_answered(
        cp, "StartTransaction", start, {"transactionId": 77, "idTagInfo": {"status": "Accepted"}}
    )
    [installed] = cp.charging_profiles.installed
    assert (installed.connector_id, installed.profile.transaction_id) == (1, 77)
    assert installed.profile.purpose is Purpose.TX
    # The composite now follows the TxProfile: 16 A.
    reply = default_reply(
        cp, "GetCompositeSchedule", {"connectorId": 1, "duration": 60}, known_action=True
    )
    assert reply["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == Decimal("16.0")
    # The transaction ends: so does its TxProfile (§3.13.1).
    stop = {"transactionId": 77, "meterStop": 10, "timestamp": "x"}
    on_answered(cp, "StopTransaction", stop, {})
    assert cp.charging_profiles.installed == []


def test_remote_start_profile_problems() -> None:
    cp = state()
    good = profile(5, "TxProfile")
    assert charging_profiles.remote_start_profile_problem(cp, {"idTag": "V"}) == ""
    assert charging_profiles.remote_start_profile_problem(cp, {"chargingProfile": good}) == ""
    wrong_purpose = {"chargingProfile": profile(5)}
    assert "must be a TxProfile" in charging_profiles.remote_start_profile_problem(
        cp, wrong_purpose
    )
    with_tx = {"chargingProfile": profile(5, "TxProfile", transactionId=9)}
    assert "transactionId 9" in charging_profiles.remote_start_profile_problem(cp, with_tx)
    unreadable = {"chargingProfile": {"chargingProfileId": 5}}
    assert charging_profiles.remote_start_profile_problem(cp, unreadable)
