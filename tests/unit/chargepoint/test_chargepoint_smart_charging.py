"""Smart Charging: profile parsing, the store's rules, and composite schedules worked by hand.

Every composite example below writes its arithmetic out: T0 is the composite's start, offsets are
seconds from T0, U = 230 V, and n is numberPhases (3 when absent).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from octt.chargepoint.smart_charging import (
    Capabilities,
    ChargingProfile,
    InstalledProfile,
    Kind,
    ProfileError,
    ProfileStore,
    Purpose,
    RateUnit,
    Recurrency,
    RunningTransaction,
    SetStatus,
    composite_schedule,
)

T0 = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)
CAPS = Capabilities(number_of_connectors=2)


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def profile(
    profile_id: int = 1,
    *,
    stack: int = 0,
    purpose: str = "TxDefaultProfile",
    kind: str = "Absolute",
    unit: str = "A",
    periods: list[tuple[int, float] | tuple[int, float, int]] | None = None,
    start: datetime | None = T0,
    duration: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [
            {"startPeriod": p[0], "limit": p[1], **({"numberPhases": p[2]} if len(p) > 2 else {})}
            for p in (periods or [(0, 16.0)])
        ],
    }
    if start is not None:
        schedule["startSchedule"] = stamp(start)
    if duration is not None:
        schedule["duration"] = duration
    return {
        "chargingProfileId": profile_id,
        "stackLevel": stack,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": schedule,
        **extra,
    }


def installed(connector_id: int, data: dict[str, Any]) -> InstalledProfile:
    return InstalledProfile(connector_id, ChargingProfile.from_ocpp(data), T0)


def periods_of(
    profiles: list[InstalledProfile],
    connector_id: int = 1,
    *,
    duration: int = 3600,
    unit: RateUnit | None = RateUnit.AMPERE,
    transactions: dict[int, RunningTransaction] | None = None,
) -> list[tuple[int, Decimal]]:
    result = composite_schedule(
        profiles,
        connector_id,
        start=T0,
        duration=duration,
        unit=unit,
        capabilities=CAPS,
        transactions=transactions or {},
    )
    return [(p.start_period, p.limit) for p in result.periods]


def d(text: str) -> Decimal:
    return Decimal(text)


# -- parsing -----------------------------------------------------------------------------------


def test_profile_from_ocpp_reads_every_field() -> None:
    data = profile(
        7,
        stack=3,
        purpose="TxProfile",
        kind="Recurring",
        unit="W",
        periods=[(0, 6000.0, 1), (600, 3000.5)],
        duration=900,
        recurrencyKind="Daily",
        validFrom="2026-01-01T00:00:00Z",
        validTo="2026-02-01T00:00:00+01:00",
        transactionId=12,
    )
    data["chargingSchedule"]["minChargingRate"] = 1.5
    parsed = ChargingProfile.from_ocpp(data)
    assert (parsed.profile_id, parsed.stack_level, parsed.transaction_id) == (7, 3, 12)
    assert (parsed.purpose, parsed.kind, parsed.recurrency) == (
        Purpose.TX,
        Kind.RECURRING,
        Recurrency.DAILY,
    )
    assert parsed.valid_to == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    schedule = parsed.schedule
    assert (schedule.rate_unit, schedule.duration, schedule.start_schedule) == (
        RateUnit.WATT,
        900,
        T0,
    )
    assert schedule.min_charging_rate == d("1.5")
    assert [(p.start_period, p.limit, p.phases) for p in schedule.periods] == [
        (0, d("6000.0"), 1),
        (600, d("3000.5"), 3),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"chargingProfilePurpose": "Nope"}, "chargingProfilePurpose must be one of"),
        ({"stackLevel": "1"}, "stackLevel must be an integer"),
        ({"validFrom": "yesterday"}, "validFrom must be an RFC 3339 date-time"),
        ({"chargingSchedule": []}, "chargingSchedule must be an object"),
    ],
)
def test_unreadable_profiles_raise(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        ChargingProfile.from_ocpp({**profile(), **change})


# -- the store: acceptance -------------------------------------------------------------------------

TX = RunningTransaction(42, T0 - timedelta(seconds=300))


def check(
    connector_id: int, data: dict[str, Any], transaction: RunningTransaction | None = None
) -> tuple[SetStatus, str]:
    return ProfileStore().check(connector_id, ChargingProfile.from_ocpp(data), CAPS, transaction)


def test_conformant_profiles_are_accepted() -> None:
    assert check(1, profile())[0] is SetStatus.ACCEPTED
    assert check(0, profile(purpose="ChargePointMaxProfile"))[0] is SetStatus.ACCEPTED
    assert check(1, profile(purpose="TxProfile", transactionId=42), TX)[0] is SetStatus.ACCEPTED
    assert check(1, profile(purpose="TxProfile", kind="Relative", start=None), TX)[0] is (
        SetStatus.ACCEPTED
    )


@pytest.mark.parametrize(
    ("connector_id", "data", "transaction", "why"),
    [
        (3, profile(), None, "no connector 3"),
        (1, profile(stack=11), None, "stackLevel 11 is outside 0..10"),
        (1, profile(periods=[(0, 6.0)] * 25), None, "25 periods"),
        (1, profile(periods=[(60, 6.0), (0, 8.0)]), None, "must increase"),
        (1, profile(purpose="ChargePointMaxProfile"), None, "only be set on connector 0"),
        (1, profile(purpose="TxProfile"), None, "needs a running transaction"),
        (0, profile(purpose="TxProfile"), TX, "needs a running transaction"),
        (1, profile(purpose="TxProfile", transactionId=41), TX, "transactionId 41 is not"),
        (1, profile(transactionId=42), TX, "only valid in a TxProfile"),
        (1, profile(kind="Recurring"), None, "needs recurrencyKind"),
    ],
)
def test_profiles_the_charge_point_rejects(
    connector_id: int, data: dict[str, Any], transaction: RunningTransaction | None, why: str
) -> None:
    status, reason = check(connector_id, data, transaction)
    assert status is SetStatus.REJECTED
    assert why in reason


def test_unsupported_unit_and_full_store_are_rejected() -> None:
    store = ProfileStore()
    only_amps = Capabilities(2, allowed_units=frozenset({RateUnit.AMPERE}), max_profiles=2)
    watts = ChargingProfile.from_ocpp(profile(unit="W"))
    assert store.check(1, watts, only_amps, None)[0] is SetStatus.REJECTED
    for number in (1, 2):
        store.install(1, ChargingProfile.from_ocpp(profile(number, stack=number)), T0)
    third = ChargingProfile.from_ocpp(profile(3, stack=3))
    assert "MaxChargingProfilesInstalled" in store.check(1, third, only_amps, None)[1]
    same_id = ChargingProfile.from_ocpp(profile(2, stack=5))  # replaces profile 2: room enough
    assert store.check(1, same_id, only_amps, None)[0] is SetStatus.ACCEPTED


# -- the store: replacement and clearing ---------------------------------------------------------


def ids(store: ProfileStore) -> list[tuple[int, int]]:
    return [(i.connector_id, i.profile.profile_id) for i in store.installed]


def test_a_profile_replaces_the_same_id_and_the_same_stack_level_and_purpose() -> None:
    store = ProfileStore()
    store.install(1, ChargingProfile.from_ocpp(profile(1, stack=0)), T0)
    store.install(1, ChargingProfile.from_ocpp(profile(2, stack=1)), T0)
    store.install(2, ChargingProfile.from_ocpp(profile(3, stack=1)), T0)  # other connector
    assert ids(store) == [(1, 1), (1, 2), (2, 3)]
    store.install(2, ChargingProfile.from_ocpp(profile(1, stack=4)), T0)  # same id, moves
    assert ids(store) == [(1, 2), (2, 3), (2, 1)]
    store.install(1, ChargingProfile.from_ocpp(profile(9, stack=1)), T0)  # same stack+purpose
    assert ids(store) == [(2, 3), (2, 1), (1, 9)]
    other_purpose = profile(10, stack=1, purpose="TxProfile")
    store.install(1, ChargingProfile.from_ocpp(other_purpose), T0)
    assert ids(store) == [(2, 3), (2, 1), (1, 9), (1, 10)]


def test_clear_by_id_by_criteria_and_all() -> None:
    store = ProfileStore()
    store.install(0, ChargingProfile.from_ocpp(profile(1, purpose="ChargePointMaxProfile")), T0)
    store.install(1, ChargingProfile.from_ocpp(profile(2, stack=0)), T0)
    store.install(1, ChargingProfile.from_ocpp(profile(3, stack=1)), T0)
    store.install(1, ChargingProfile.from_ocpp(profile(4, purpose="TxProfile")), T0)
    # By id, the other fields are ignored (§5.5).
    assert store.clear(profile_id=1, connector_id=2, stack_level=7) == 1
    assert store.clear(profile_id=1) == 0
    # By criteria: all given must match.
    assert store.clear(connector_id=1, purpose=Purpose.TX_DEFAULT, stack_level=1) == 1
    assert ids(store) == [(1, 2), (1, 4)]
    assert store.clear(connector_id=2) == 0
    store.end_transaction(1)  # the TxProfile goes with its transaction (§3.13.1)
    assert ids(store) == [(1, 2)]
    assert store.clear() == 1
    assert store.installed == []


# -- composite schedules, worked by hand ---------------------------------------------------------


def test_no_profile_gives_the_connector_rating() -> None:
    # Rating 32 A per phase on 3 phases: in W 32 × 230 × 3 = 22080.
    assert periods_of([]) == [(0, d("32.0"))]
    assert periods_of([], unit=RateUnit.WATT) == [(0, d("22080.0"))]


def test_stacking_within_tx_default_the_highest_running_stack_level_wins() -> None:
    # stack 0: from T0, 16 A for ever.
    # stack 1: from T0+600, duration 1200: 10 A, then 8 A from its second 600.
    #   0..600     stack 1 has not started            -> 16 A (stack 0)
    #   600..1200  stack 1 period 0                   -> 10 A
    #   1200..1800 stack 1 period at 600 (600+600)    -> 8 A
    #   1800..     stack 1 over (600 + 1200 = 1800)   -> 16 A (stack 0 again)
    profiles = [
        installed(1, profile(1, stack=0, periods=[(0, 16.0)])),
        installed(
            1,
            profile(
                2,
                stack=1,
                periods=[(0, 10.0), (600, 8.0)],
                start=T0 + timedelta(seconds=600),
                duration=1200,
            ),
        ),
    ]
    assert periods_of(profiles) == [
        (0, d("16.0")),
        (600, d("10.0")),
        (1200, d("8.0")),
        (1800, d("16.0")),
    ]


def test_combining_purposes_charge_point_max_caps_the_tx_profile_in_watts() -> None:
    # ChargePointMax (connector 0): 15000 W from T0.
    # TxProfile, Relative to the transaction that started at T0-300: 16 A, 32 A from its 900.
    #   0..600  transaction second 300..900: 16 A × 230 V × 3 = 11040 W; min(15000, 11040) = 11040
    #   600..   transaction second 900..:    32 A × 230 V × 3 = 22080 W; min(15000, 22080) = 15000
    profiles = [
        installed(0, profile(1, purpose="ChargePointMaxProfile", unit="W", periods=[(0, 15000.0)])),
        installed(
            1,
            profile(
                2,
                purpose="TxProfile",
                kind="Relative",
                start=None,
                periods=[(0, 16.0), (900, 32.0)],
                transactionId=42,
            ),
        ),
    ]
    result = periods_of(profiles, duration=1800, unit=RateUnit.WATT, transactions={1: TX})
    assert result == [(0, d("11040.0")), (600, d("15000.0"))]


def test_tx_profile_overrules_tx_default_whatever_the_stack_levels() -> None:
    # TxDefault stack 9: 6 A. TxProfile stack 0: 16 A -> 16 A while the transaction runs;
    # without a transaction the TxDefault applies: 6 A.
    profiles = [
        installed(1, profile(1, stack=9, periods=[(0, 6.0)])),
        installed(1, profile(2, stack=0, purpose="TxProfile", periods=[(0, 16.0)])),
    ]
    assert periods_of(profiles, transactions={1: TX}) == [(0, d("16.0"))]
    assert periods_of(profiles) == [(0, d("6.0"))]


def test_units_convert_with_230_volts_and_the_number_of_phases() -> None:
    # 6000 W on 3 phases, asked in A: 6000 / (230 × 3) = 8.695… -> rounded down to 8.6 A.
    watts = [installed(1, profile(periods=[(0, 6000.0)], unit="W"))]
    assert periods_of(watts) == [(0, d("8.6"))]
    # 16 A on 1 phase, asked in W: 16 × 230 × 1 = 3680 W.
    single = [installed(1, profile(periods=[(0, 16.0, 1)]))]
    assert periods_of(single, unit=RateUnit.WATT) == [(0, d("3680.0"))]
    # Asked for no unit: the unit of the governing profile (W here).
    result = composite_schedule(
        watts, 1, start=T0, duration=60, unit=None, capabilities=CAPS, transactions={}
    )
    assert (result.rate_unit, result.periods[0].limit) == (RateUnit.WATT, d("6000.0"))


def test_validity_ends_a_profile_and_the_next_stack_level_takes_over() -> None:
    # stack 2: 6 A, validTo T0+900.  stack 1: 12 A, no validity bounds.
    #   0..900 -> 6 A (stack 2);  900.. -> 12 A (stack 2 no longer valid)
    # stack 3: 4 A, validFrom T0+3000 (after the composite's 1800 s): never in the window.
    profiles = [
        installed(
            1, profile(1, stack=2, periods=[(0, 6.0)], validTo=stamp(T0 + timedelta(seconds=900)))
        ),
        installed(1, profile(2, stack=1, periods=[(0, 12.0)])),
        installed(
            1,
            profile(3, stack=3, periods=[(0, 4.0)], validFrom=stamp(T0 + timedelta(seconds=3000))),
        ),
    ]
    assert periods_of(profiles, duration=1800) == [(0, d("6.0")), (900, d("12.0"))]


def test_recurring_daily_profile() -> None:
    # Daily from 2026-01-01T18:00Z, duration 6 h: 10 A from 18:00, 20 A from 22:00 (14400 s),
    # nothing from 00:00 (21600 s) until the next 18:00.  T0 = 2026-01-05T20:00Z, 24 h asked:
    #   T0 is 2 h (7200 s) into the 2026-01-05 occurrence          -> 10 A
    #   offset 7200  = 22:00 (occurrence second 14400)             -> 20 A
    #   offset 14400 = 00:00 (occurrence second 21600 = duration)  -> 32 A (rating)
    #   offset 79200 = 2026-01-06T18:00, the next occurrence        -> 10 A
    daily = profile(
        periods=[(0, 10.0), (14400, 20.0)],
        kind="Recurring",
        recurrencyKind="Daily",
        start=datetime(2026, 1, 1, 18, 0, tzinfo=UTC),
        duration=21600,
    )
    assert periods_of([installed(1, daily)], duration=86400) == [
        (0, d("10.0")),
        (7200, d("20.0")),
        (14400, d("32.0")),
        (79200, d("10.0")),
    ]


def test_recurring_weekly_profile_has_no_occurrence_before_its_start() -> None:
    # Weekly from T0+3600, 6 A for 600 s: nothing before its first occurrence.
    weekly = profile(
        periods=[(0, 6.0)],
        kind="Recurring",
        recurrencyKind="Weekly",
        start=T0 + timedelta(seconds=3600),
        duration=600,
    )
    assert periods_of([installed(1, weekly)], duration=7200) == [
        (0, d("32.0")),
        (3600, d("6.0")),
        (4200, d("32.0")),
    ]


def test_connector_specific_tx_default_prevails_and_connector_zero_adds_up() -> None:
    # TxDefault on connector 0, stack 5: 10 A (the default for every connector).
    # TxDefault on connector 1, stack 0: 20 A (prevails on connector 1 despite the lower stack).
    # ChargePointMax: 25 A.
    #   connector 1: min(25, 20) = 20 A;  connector 2: min(25, 10) = 10 A
    #   connector 0: min(25, 20 + 10 = 30) = 25 A
    profiles = [
        installed(0, profile(1, stack=5, periods=[(0, 10.0)])),
        installed(1, profile(2, stack=0, periods=[(0, 20.0)])),
        installed(0, profile(3, purpose="ChargePointMaxProfile", periods=[(0, 25.0)])),
    ]
    assert periods_of(profiles, 1) == [(0, d("20.0"))]
    assert periods_of(profiles, 2) == [(0, d("10.0"))]
    assert periods_of(profiles, 0) == [(0, d("25.0"))]


def test_relative_tx_default_without_transaction_starts_with_the_composite() -> None:
    # Relative TxDefault: 8 A, 16 A from second 600; no transaction -> charging would start at T0.
    relative = profile(kind="Relative", start=None, periods=[(0, 8.0), (600, 16.0)])
    assert periods_of([installed(1, relative)], duration=1200) == [(0, d("8.0")), (600, d("16.0"))]
    # With the transaction of T0-300 the step comes 300 s earlier.
    assert periods_of([installed(1, relative)], duration=1200, transactions={1: TX}) == [
        (0, d("8.0")),
        (300, d("16.0")),
    ]


def test_composite_to_ocpp_is_a_get_composite_schedule_conf() -> None:
    result = composite_schedule(
        [installed(1, profile(periods=[(0, 6.0)]))],
        1,
        start=T0 + timedelta(milliseconds=250),
        duration=300,
        unit=RateUnit.AMPERE,
        capabilities=CAPS,
        transactions={},
    )
    assert result.to_ocpp() == {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-01-05T20:00:00.000Z",
        "chargingSchedule": {
            "duration": 300,
            "startSchedule": "2026-01-05T20:00:00.000Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": d("6.0"), "numberPhases": 3}],
        },
    }
