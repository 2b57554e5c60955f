"""Smart Charging in the simulated charge point (OCPP 1.6 edition 2, §3.13, §5.5, §5.7, §5.16).

Owns the charging-profile model (parsed from and written back to OCPP JSON), the profile store
with the charge point's acceptance, replacement and clearing rules, and the composite-schedule
calculation that answers GetCompositeSchedule. Pure: no I/O, the time is always passed in.

The rules, and the assumptions where OCPP 1.6 leaves a choice (each one stated once here):

* Purposes (§3.13.1): ChargePointMaxProfile only on connector 0; TxProfile only on a connector
  with a running transaction (and, if it names a transactionId, that transaction), and it is
  deleted when the transaction ends; transactionId is refused on the other purposes (§7.8:
  "only valid if ChargingProfilePurpose is set to TxProfile").
* Replacement (§5.16): a new profile replaces one with the same chargingProfileId, and one with
  the same stackLevel and purpose *on the same connector* (the connector scope is the reading
  OCPP 2.0.1 made explicit; without it a connector's TxDefaultProfile would evict another's).
* Clearing (§5.5): with an id, exactly that profile (the other fields are then ignored); without
  one, every profile matching all criteria given; with none, every profile. Accepted when at
  least one profile went, Unknown otherwise.
* Stacking (§3.13.2): within a purpose, at every instant the valid profile with the highest
  stackLevel whose schedule is running prevails; when its schedule ends (duration) or its
  validity ends, the next one down takes over. A TxDefaultProfile on the connector itself
  prevails over those on connector 0 (§3.13.1: connector 0 is the default "for all connectors").
* Combining (§3.13.3): TxProfile overrules TxDefaultProfile; the result is limited by the
  ChargePointMaxProfile: composite = min(ChargePointMax, TxProfile or else TxDefault). For
  connector 0 (§5.7: "the total expected consumption for the grid connection") the connectors'
  limits are added up, then capped by the ChargePointMaxProfile.
* Kinds (§7.9): Absolute runs from startSchedule (from the moment the profile was installed when
  it has none); Relative from the start of the transaction (from the schedule start of the
  composite when the connector has no transaction: charging would start now; a startSchedule is
  ignored); Recurring from startSchedule, repeated every day or week (no occurrence before it).
* Units: limits are compared in the unit the CSMS asked for (when it asked for none: the unit of
  the profile governing at the start, else A). A and W convert as P = U × I × n with U = 230 V
  (phase-to-neutral nominal voltage of a European grid) and n = numberPhases of the period
  (3 when absent, §7.14). W → A is rounded down to 0.1 A (the schema's multipleOf, never above
  the limit); A → W is exact.
* Where no profile limits a connector, its limit is the charge point's rating: 32 A on 3 phases
  (22080 W) per connector.
* Time: the composite samples the profiles at whole seconds from its start; a profile edge
  between two seconds takes effect at the next one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any, TypeVar

from octt.clock import rfc3339
from octt.validation.formats import parse_date_time

#: Nominal phase-to-neutral voltage used to convert between A and W.
VOLTAGE_V = Decimal(230)
#: Phases assumed when a period does not say (OCPP 1.6 §7.14, numberPhases default).
DEFAULT_PHASES = 3
#: What a connector can deliver when no profile limits it.
CONNECTOR_RATING_A = Decimal(32)
_TENTH = Decimal("0.1")
_E = TypeVar("_E", bound=StrEnum)
_DAY_S = 86_400
_WEEK_S = 7 * _DAY_S


class Purpose(StrEnum):
    """ChargingProfilePurposeType, OCPP 1.6 §7.10."""

    CHARGE_POINT_MAX = "ChargePointMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"


class Kind(StrEnum):
    """ChargingProfileKindType, OCPP 1.6 §7.9."""

    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(StrEnum):
    """RecurrencyKindType, OCPP 1.6 §7 (type definitions)."""

    DAILY = "Daily"
    WEEKLY = "Weekly"

    @property
    def seconds(self) -> int:
        return _DAY_S if self is Recurrency.DAILY else _WEEK_S


class RateUnit(StrEnum):
    """ChargingRateUnitType, OCPP 1.6 §7.12."""

    AMPERE = "A"
    WATT = "W"


class SetStatus(StrEnum):
    """ChargingProfileStatus, OCPP 1.6 §7.11."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    NOT_SUPPORTED = "NotSupported"


class ProfileError(ValueError):
    """A charging profile the charge point cannot read (its JSON has the wrong shape)."""


@dataclass(frozen=True)
class SchedulePeriod:
    """ChargingSchedulePeriod, OCPP 1.6 §7.14."""

    start_period: int
    limit: Decimal
    number_phases: int | None = None

    @property
    def phases(self) -> int:
        return self.number_phases if self.number_phases is not None else DEFAULT_PHASES


@dataclass(frozen=True)
class ChargingSchedule:
    """ChargingSchedule, OCPP 1.6 §7.13."""

    rate_unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    duration: int | None = None
    start_schedule: datetime | None = None
    min_charging_rate: Decimal | None = None


@dataclass(frozen=True)
class ChargingProfile:
    """ChargingProfile, OCPP 1.6 §7.8."""

    profile_id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedule: ChargingSchedule
    recurrency: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: int | None = None

    @classmethod
    def from_ocpp(cls, data: Mapping[str, Any]) -> ChargingProfile:
        """Read a csChargingProfiles / chargingProfile object; ProfileError if it is unreadable."""
        if not isinstance(data, Mapping):
            raise ProfileError("a charging profile must be an object")
        schedule = data.get("chargingSchedule")
        if not isinstance(schedule, Mapping):
            raise ProfileError("chargingSchedule must be an object")
        raw_periods = schedule.get("chargingSchedulePeriod")
        if not isinstance(raw_periods, list):
            raise ProfileError("chargingSchedulePeriod must be an array")
        periods = tuple(
            SchedulePeriod(
                _int(p, "startPeriod"),
                _decimal(p, "limit"),
                _int(p, "numberPhases") if "numberPhases" in p else None,
            )
            for p in (_object(p, "chargingSchedulePeriod item") for p in raw_periods)
        )
        recurrency = data.get("recurrencyKind")
        return cls(
            profile_id=_int(data, "chargingProfileId"),
            stack_level=_int(data, "stackLevel"),
            purpose=_enum(Purpose, data, "chargingProfilePurpose"),
            kind=_enum(Kind, data, "chargingProfileKind"),
            schedule=ChargingSchedule(
                rate_unit=_enum(RateUnit, schedule, "chargingRateUnit"),
                periods=periods,
                duration=_int(schedule, "duration") if "duration" in schedule else None,
                start_schedule=_time(schedule, "startSchedule"),
                min_charging_rate=(
                    _decimal(schedule, "minChargingRate") if "minChargingRate" in schedule else None
                ),
            ),
            recurrency=_enum(Recurrency, data, "recurrencyKind") if recurrency else None,
            valid_from=_time(data, "validFrom"),
            valid_to=_time(data, "validTo"),
            transaction_id=_int(data, "transactionId") if "transactionId" in data else None,
        )


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProfileError(f"{what} must be an object")
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProfileError(f"{key} must be an integer")
    return value


def _decimal(data: Mapping[str, Any], key: str) -> Decimal:
    value = data.get(key)
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        raise ProfileError(f"{key} must be a number")
    return Decimal(str(value))


def _enum(enum: type[_E], data: Mapping[str, Any], key: str) -> _E:
    try:
        return enum(str(data.get(key)))
    except ValueError:
        raise ProfileError(f"{key} must be one of {', '.join(enum)}") from None


def _time(data: Mapping[str, Any], key: str) -> datetime | None:
    if key not in data:
        return None
    value = data[key]
    moment = parse_date_time(value) if isinstance(value, str) else None
    if moment is None:
        raise ProfileError(f"{key} must be an RFC 3339 date-time")
    return moment


# -- the charge point's capabilities -----------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    """What the charge point accepts (its Smart Charging configuration keys, OCPP 1.6 §9.4) and
    what its connectors can deliver."""

    number_of_connectors: int
    max_stack_level: int = 10  # ChargeProfileMaxStackLevel
    allowed_units: frozenset[RateUnit] = frozenset(
        RateUnit
    )  # ChargingScheduleAllowedChargingRateUnit
    max_periods: int = 24  # ChargingScheduleMaxPeriods
    max_profiles: int = 10  # MaxChargingProfilesInstalled
    connector_rating_a: Decimal = CONNECTOR_RATING_A


@dataclass(frozen=True)
class InstalledProfile:
    connector_id: int
    profile: ChargingProfile
    installed_at: datetime  # the origin of an Absolute schedule without startSchedule


@dataclass(frozen=True)
class RunningTransaction:
    """What the composite needs to know of a transaction: its id and when it started."""

    transaction_id: int | None
    started_at: datetime


# -- the store ---------------------------------------------------------------------------------


@dataclass
class ProfileStore:
    """The charging profiles installed on the charge point."""

    installed: list[InstalledProfile] = field(default_factory=list)

    def check(
        self,
        connector_id: int,
        profile: ChargingProfile,
        capabilities: Capabilities,
        transaction: RunningTransaction | None,
    ) -> tuple[SetStatus, str]:
        """Whether SetChargingProfile (§5.16) for `connector_id` would be accepted, and why not.

        `transaction` is the one running on that connector, if any.
        """
        if not 0 <= connector_id <= capabilities.number_of_connectors:
            return SetStatus.REJECTED, f"there is no connector {connector_id}"
        if not 0 <= profile.stack_level <= capabilities.max_stack_level:
            return SetStatus.REJECTED, (
                f"stackLevel {profile.stack_level} is outside 0..{capabilities.max_stack_level}"
                " (ChargeProfileMaxStackLevel)"
            )
        schedule = profile.schedule
        if schedule.rate_unit not in capabilities.allowed_units:
            return SetStatus.REJECTED, f"chargingRateUnit {schedule.rate_unit} is not supported"
        if not 0 < len(schedule.periods) <= capabilities.max_periods:
            return SetStatus.REJECTED, (
                f"{len(schedule.periods)} periods; 1..{capabilities.max_periods} are supported"
                " (ChargingScheduleMaxPeriods)"
            )
        starts = [p.start_period for p in schedule.periods]
        if starts != sorted(set(starts)) or starts[0] < 0:
            return SetStatus.REJECTED, "the periods' startPeriod values must increase from >= 0"
        if profile.kind is Kind.RECURRING and (
            profile.recurrency is None or schedule.start_schedule is None
        ):
            return SetStatus.REJECTED, "a Recurring profile needs recurrencyKind and startSchedule"
        purpose_problem = _purpose_problem(connector_id, profile, transaction)
        if purpose_problem:
            return SetStatus.REJECTED, purpose_problem
        remaining = [i for i in self.installed if not _replaced_by(i, connector_id, profile)]
        if len(remaining) + 1 > capabilities.max_profiles:
            return SetStatus.REJECTED, (
                f"{capabilities.max_profiles} profiles are installed (MaxChargingProfilesInstalled)"
            )
        return SetStatus.ACCEPTED, ""

    def install(self, connector_id: int, profile: ChargingProfile, now: datetime) -> None:
        """Install `profile`, replacing what it replaces (§5.16)."""
        self.installed = [i for i in self.installed if not _replaced_by(i, connector_id, profile)]
        self.installed.append(InstalledProfile(connector_id, profile, now))

    def matching(
        self,
        *,
        profile_id: int | None = None,
        connector_id: int | None = None,
        purpose: Purpose | None = None,
        stack_level: int | None = None,
    ) -> list[InstalledProfile]:
        """What ClearChargingProfile (§5.5) with these fields would remove: with an id exactly
        that profile (the other fields are ignored), else every profile matching all criteria."""
        if profile_id is not None:
            return [i for i in self.installed if i.profile.profile_id == profile_id]
        return [
            i
            for i in self.installed
            if (connector_id is None or i.connector_id == connector_id)
            and (purpose is None or i.profile.purpose is purpose)
            and (stack_level is None or i.profile.stack_level == stack_level)
        ]

    def clear(
        self,
        *,
        profile_id: int | None = None,
        connector_id: int | None = None,
        purpose: Purpose | None = None,
        stack_level: int | None = None,
    ) -> int:
        """ClearChargingProfile (§5.5): remove what `matching` names; how many went."""
        doomed = self.matching(
            profile_id=profile_id,
            connector_id=connector_id,
            purpose=purpose,
            stack_level=stack_level,
        )
        self.installed = [i for i in self.installed if i not in doomed]
        return len(doomed)

    def end_transaction(self, connector_id: int) -> None:
        """The transaction on `connector_id` ended: its TxProfiles go (§3.13.1)."""
        self.installed = [
            i
            for i in self.installed
            if not (i.profile.purpose is Purpose.TX and i.connector_id == connector_id)
        ]


def _purpose_problem(
    connector_id: int, profile: ChargingProfile, transaction: RunningTransaction | None
) -> str:
    if profile.purpose is Purpose.CHARGE_POINT_MAX and connector_id != 0:
        return "a ChargePointMaxProfile can only be set on connector 0"
    if profile.purpose is not Purpose.TX:
        if profile.transaction_id is not None:
            return f"transactionId is only valid in a TxProfile, not a {profile.purpose}"
        return ""
    if connector_id == 0 or transaction is None:
        return f"a TxProfile needs a running transaction, and connector {connector_id} has none"
    if profile.transaction_id is not None and profile.transaction_id != transaction.transaction_id:
        return (
            f"transactionId {profile.transaction_id} is not the transaction on connector"
            f" {connector_id} ({transaction.transaction_id})"
        )
    return ""


def _replaced_by(existing: InstalledProfile, connector_id: int, new: ChargingProfile) -> bool:
    old = existing.profile
    if old.profile_id == new.profile_id:
        return True
    return (
        existing.connector_id == connector_id
        and old.stack_level == new.stack_level
        and old.purpose is new.purpose
    )


# -- the composite schedule --------------------------------------------------------------------


@dataclass(frozen=True)
class CompositeSchedule:
    """The answer to GetCompositeSchedule (§5.7): periods relative to `start`."""

    connector_id: int
    start: datetime
    duration: int
    rate_unit: RateUnit
    periods: tuple[SchedulePeriod, ...]

    def to_ocpp(self) -> dict[str, Any]:
        """GetCompositeSchedule.conf with status Accepted."""
        stamp = rfc3339(self.start)
        return {
            "status": "Accepted",
            "connectorId": self.connector_id,
            "scheduleStart": stamp,
            "chargingSchedule": {
                "duration": self.duration,
                "startSchedule": stamp,
                "chargingRateUnit": self.rate_unit.value,
                "chargingSchedulePeriod": [
                    {
                        "startPeriod": p.start_period,
                        "limit": p.limit,
                        "numberPhases": p.phases,
                    }
                    for p in self.periods
                ],
            },
        }


@dataclass(frozen=True)
class _Limit:
    """A limit in force: in its own unit, with its number of phases."""

    value: Decimal
    unit: RateUnit
    phases: int

    def to(self, unit: RateUnit) -> Decimal:
        """The limit in `unit` (P = U × I × n)."""
        if unit is self.unit:
            return self.value
        if unit is RateUnit.WATT:
            return self.value * VOLTAGE_V * self.phases
        return (self.value / (VOLTAGE_V * self.phases)).quantize(_TENTH, rounding=ROUND_FLOOR)


def composite_schedule(
    installed: Sequence[InstalledProfile],
    connector_id: int,
    *,
    start: datetime,
    duration: int,
    unit: RateUnit | None,
    capabilities: Capabilities,
    transactions: Mapping[int, RunningTransaction],
) -> CompositeSchedule:
    """The composite schedule of `connector_id` from `start` for `duration` seconds.

    `transactions` maps a connector to its running transaction. `start` is truncated to whole
    seconds (it is the composite's scheduleStart).
    """
    start = start.replace(microsecond=0)
    connectors = (
        list(range(1, capabilities.number_of_connectors + 1))
        if connector_id == 0
        else [connector_id]
    )
    # A connector without a transaction is judged as if charging started now (Relative kind).
    sessions = {c: transactions.get(c) or RunningTransaction(None, start) for c in (0, *connectors)}
    view = _View(
        [i for i in installed if i.connector_id == 0 or i.connector_id in connectors],
        transactions,
        sessions,
        capabilities,
    )
    if unit is None:
        unit = view.governing_unit(connectors[0], start)
    edges = {0} | {
        edge
        for i in view.installed
        for edge in view.edges(i, start, duration)
        if 0 < edge < duration
    }
    periods: list[SchedulePeriod] = []
    for offset in sorted(edges):
        limit = view.combined(connector_id, connectors, start + timedelta(seconds=offset), unit)
        value = limit.to(unit).quantize(_TENTH, rounding=ROUND_FLOOR)
        if periods and (periods[-1].limit, periods[-1].number_phases) == (value, limit.phases):
            continue
        periods.append(SchedulePeriod(offset, value, limit.phases))
    return CompositeSchedule(connector_id, start, duration, unit, tuple(periods))


def _smallest(unit: RateUnit, *limits: _Limit | None) -> _Limit:
    """The lowest limit in `unit`; on a tie the first one given."""
    present = [limit for limit in limits if limit is not None]
    return min(present, key=lambda limit: limit.to(unit))


@dataclass(frozen=True)
class _View:
    """The profiles, transactions and capabilities one composite is computed from."""

    installed: Sequence[InstalledProfile]
    transactions: Mapping[int, RunningTransaction]
    sessions: Mapping[int, RunningTransaction]  # every connector's (perhaps assumed) session
    capabilities: Capabilities

    def combined(
        self, connector_id: int, connectors: Sequence[int], moment: datetime, unit: RateUnit
    ) -> _Limit:
        """min(ChargePointMax, TxProfile else TxDefault, rating) at `moment`; for connector 0
        the connectors' limits added up first (§3.13.3, §5.7)."""
        per_connector = [self.connector_limit(c, moment, unit) for c in connectors]
        if connector_id == 0:
            total = sum((limit.to(unit) for limit in per_connector), Decimal(0))
            limit = _Limit(total, unit, max(limit.phases for limit in per_connector))
        else:
            limit = per_connector[0]
        cp_max = self.prevailing(
            [i for i in self.installed if i.profile.purpose is Purpose.CHARGE_POINT_MAX],
            moment,
            self.sessions[0],
        )
        return _smallest(unit, limit, cp_max)

    def connector_layer(self, connector_id: int, moment: datetime) -> _Limit | None:
        """TxProfile of the running transaction, else TxDefaultProfile (the connector's own
        before connector 0's), at `moment`."""
        transaction = self.transactions.get(connector_id)
        session = self.sessions[connector_id]
        if transaction is not None:
            tx_profiles = [
                i
                for i in self.installed
                if i.profile.purpose is Purpose.TX
                and i.connector_id == connector_id
                and i.profile.transaction_id in (None, transaction.transaction_id)
            ]
            layer = self.prevailing(tx_profiles, moment, session)
            if layer is not None:
                return layer
        for scope in (connector_id, 0):
            defaults = [
                i
                for i in self.installed
                if i.profile.purpose is Purpose.TX_DEFAULT and i.connector_id == scope
            ]
            layer = self.prevailing(defaults, moment, session)
            if layer is not None:
                return layer
        return None

    def connector_limit(self, connector_id: int, moment: datetime, unit: RateUnit) -> _Limit:
        rating = _Limit(self.capabilities.connector_rating_a, RateUnit.AMPERE, DEFAULT_PHASES)
        return _smallest(unit, self.connector_layer(connector_id, moment), rating)

    @staticmethod
    def prevailing(
        candidates: Sequence[InstalledProfile], moment: datetime, session: RunningTransaction
    ) -> _Limit | None:
        """The limit of the highest-stackLevel profile in force at `moment` (§3.13.2)."""
        for installed in sorted(candidates, key=lambda i: i.profile.stack_level, reverse=True):
            limit = _limit_at(installed, moment, session)
            if limit is not None:
                return limit
        return None

    def governing_unit(self, connector_id: int, start: datetime) -> RateUnit:
        """The unit of the profile governing `connector_id` at `start`, else A."""
        layer = self.connector_layer(connector_id, start)
        if layer is None:
            layer = self.prevailing(
                [i for i in self.installed if i.profile.purpose is Purpose.CHARGE_POINT_MAX],
                start,
                self.sessions[0],
            )
        return layer.unit if layer is not None else RateUnit.AMPERE

    def edges(self, installed: InstalledProfile, start: datetime, duration: int) -> set[int]:
        """Whole-second offsets from `start` at which the profile's limit may change."""
        profile = installed.profile
        schedule = profile.schedule
        moments = [m for m in (profile.valid_from, profile.valid_to) if m is not None]
        origins: list[datetime] = []
        if profile.kind is Kind.RECURRING and profile.recurrency is not None:
            every = timedelta(seconds=profile.recurrency.seconds)
            origin = _origin(installed, start, self.sessions[0]) or schedule.start_schedule
            while origin is not None and origin < start + timedelta(seconds=duration):
                origins.append(origin)
                origin += every
        elif profile.kind is Kind.RELATIVE:
            origins.extend({session.started_at for session in self.sessions.values()})
        else:
            origins.append(schedule.start_schedule or installed.installed_at)
        for origin in origins:
            moments.extend(origin + timedelta(seconds=p.start_period) for p in schedule.periods)
            if schedule.duration is not None:
                moments.append(origin + timedelta(seconds=schedule.duration))
        return {math.ceil((m - start).total_seconds()) for m in moments}


def _origin(
    installed: InstalledProfile, moment: datetime, session: RunningTransaction
) -> datetime | None:
    """When the occurrence of the profile's schedule that covers `moment` started (§7.9)."""
    profile = installed.profile
    schedule = profile.schedule
    if profile.kind is Kind.ABSOLUTE:
        return schedule.start_schedule or installed.installed_at
    if profile.kind is Kind.RELATIVE:
        return session.started_at
    anchor = schedule.start_schedule
    if anchor is None or profile.recurrency is None or moment < anchor:
        return None
    every = profile.recurrency.seconds
    count = math.floor((moment - anchor).total_seconds() / every)
    return anchor + timedelta(seconds=count * every)


def _limit_at(
    installed: InstalledProfile, moment: datetime, session: RunningTransaction
) -> _Limit | None:
    """The profile's limit at `moment`, or None when it is not in force then."""
    profile = installed.profile
    if profile.valid_from is not None and moment < profile.valid_from:
        return None
    if profile.valid_to is not None and moment >= profile.valid_to:
        return None
    origin = _origin(installed, moment, session)
    if origin is None or moment < origin:
        return None
    offset = (moment - origin).total_seconds()
    schedule = profile.schedule
    if schedule.duration is not None and offset >= schedule.duration:
        return None
    current = None
    for period in schedule.periods:
        if period.start_period <= offset:
            current = period
    if current is None:
        return None
    return _Limit(current.limit, schedule.rate_unit, current.phases)
