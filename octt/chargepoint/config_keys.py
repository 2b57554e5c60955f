"""The charge point's configuration keys (OCPP 1.6 edition 2 §9), with read-only flags.

The key set and accessibility are those TC_019_1_CSMS expects (OCA test case document 2024-04,
T133 p.113): Core, Local Auth List Management, Reservation and Smart Charging keys. Values are
validated on ChangeConfiguration (§5.3): an unknown key is NotSupported, a read-only key or a
bad value is Rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

MEASURANDS = frozenset(
    {
        "Current.Export",
        "Current.Import",
        "Current.Offered",
        "Energy.Active.Export.Register",
        "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register",
        "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval",
        "Energy.Active.Import.Interval",
        "Energy.Reactive.Export.Interval",
        "Energy.Reactive.Import.Interval",
        "Frequency",
        "Power.Active.Export",
        "Power.Active.Import",
        "Power.Factor",
        "Power.Offered",
        "Power.Reactive.Export",
        "Power.Reactive.Import",
        "RPM",
        "SoC",
        "Temperature",
        "Voltage",
    }
)


def _is_uint(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _is_bool(value: str) -> bool:
    return value.lower() in {"true", "false"}


def _is_measurand_list(value: str) -> bool:
    items = [v.strip() for v in value.split(",")] if value else []
    return all(item in MEASURANDS for item in items)


def _is_phase_rotation(value: str) -> bool:
    rotations = {"NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR"}
    for item in (v.strip() for v in value.split(",")):
        parts = item.split(".", 1)
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in rotations:
            return False
    return True


def _any(value: str) -> bool:
    return True


class Access(StrEnum):
    READ_ONLY = "R"
    READ_WRITE = "RW"


@dataclass(frozen=True)
class KeySpec:
    name: str
    access: Access
    default: str
    valid: Callable[[str], bool] = _any


CORE_KEYS: tuple[KeySpec, ...] = (
    KeySpec("AuthorizeRemoteTxRequests", Access.READ_ONLY, "true", _is_bool),
    KeySpec("ClockAlignedDataInterval", Access.READ_WRITE, "0", _is_uint),
    KeySpec("ConnectionTimeOut", Access.READ_WRITE, "60", _is_uint),
    KeySpec("ConnectorPhaseRotation", Access.READ_WRITE, "0.RST,1.RST,2.RST", _is_phase_rotation),
    KeySpec("GetConfigurationMaxKeys", Access.READ_ONLY, "50", _is_uint),
    KeySpec("HeartbeatInterval", Access.READ_WRITE, "300", _is_uint),
    KeySpec("LocalAuthorizeOffline", Access.READ_WRITE, "true", _is_bool),
    KeySpec("LocalPreAuthorize", Access.READ_WRITE, "false", _is_bool),
    KeySpec(
        "MeterValuesAlignedData",
        Access.READ_WRITE,
        "Energy.Active.Import.Register",
        _is_measurand_list,
    ),
    KeySpec(
        "MeterValuesSampledData",
        Access.READ_WRITE,
        "Energy.Active.Import.Register",
        _is_measurand_list,
    ),
    KeySpec("MeterValueSampleInterval", Access.READ_WRITE, "0", _is_uint),
    KeySpec("NumberOfConnectors", Access.READ_ONLY, "2", _is_uint),
    KeySpec("ResetRetries", Access.READ_WRITE, "3", _is_uint),
    KeySpec("StopTransactionOnEVSideDisconnect", Access.READ_WRITE, "true", _is_bool),
    KeySpec("StopTransactionOnInvalidId", Access.READ_WRITE, "true", _is_bool),
    KeySpec("StopTxnAlignedData", Access.READ_WRITE, "", _is_measurand_list),
    KeySpec("StopTxnSampledData", Access.READ_WRITE, "", _is_measurand_list),
    KeySpec(
        "SupportedFeatureProfiles",
        Access.READ_ONLY,
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
    ),
    KeySpec("TransactionMessageAttempts", Access.READ_WRITE, "3", _is_uint),
    KeySpec("TransactionMessageRetryInterval", Access.READ_WRITE, "60", _is_uint),
    KeySpec("UnlockConnectorOnEVSideDisconnect", Access.READ_WRITE, "true", _is_bool),
)

LOCAL_AUTH_LIST_KEYS: tuple[KeySpec, ...] = (
    KeySpec("LocalAuthListEnabled", Access.READ_WRITE, "true", _is_bool),
    KeySpec("LocalAuthListMaxLength", Access.READ_ONLY, "100", _is_uint),
    KeySpec("SendLocalListMaxLength", Access.READ_ONLY, "20", _is_uint),
)

# Reservation profile (§9.3): reservations on connector 0 are accepted.
RESERVATION_KEYS: tuple[KeySpec, ...] = (
    KeySpec("ReserveConnectorZeroSupported", Access.READ_ONLY, "true", _is_bool),
)

SMART_CHARGING_KEYS: tuple[KeySpec, ...] = (
    KeySpec("ChargeProfileMaxStackLevel", Access.READ_ONLY, "10", _is_uint),
    KeySpec("ChargingScheduleAllowedChargingRateUnit", Access.READ_ONLY, "Current,Power"),
    KeySpec("ChargingScheduleMaxPeriods", Access.READ_ONLY, "24", _is_uint),
    KeySpec("MaxChargingProfilesInstalled", Access.READ_ONLY, "10", _is_uint),
)

ALL_KEYS: tuple[KeySpec, ...] = (
    CORE_KEYS + LOCAL_AUTH_LIST_KEYS + RESERVATION_KEYS + SMART_CHARGING_KEYS
)


class ChangeOutcome(StrEnum):
    """ChangeConfiguration.conf status values (OCPP 1.6 §7.9)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    REBOOT_REQUIRED = "RebootRequired"
    NOT_SUPPORTED = "NotSupported"


_ALL_SPECS: Final[dict[str, KeySpec]] = {spec.name: spec for spec in ALL_KEYS}
_ALL_DEFAULTS: Final[dict[str, str]] = {spec.name: spec.default for spec in ALL_KEYS}


@dataclass(frozen=True)
class KeyValue:
    key: str
    readonly: bool
    value: str


class ConfigurationStore:
    """Mutable key/value store of one simulated charge point."""

    def __init__(self, specs: Iterable[KeySpec] = ALL_KEYS, *, number_of_connectors: int = 2):
        # Only read after this: the table of the usual keys is shared (a load run builds a
        # store for each of thousands of stations).
        self._specs = _ALL_SPECS if specs is ALL_KEYS else {spec.name: spec for spec in specs}
        self._values = (
            dict(_ALL_DEFAULTS)
            if specs is ALL_KEYS
            else {spec.name: spec.default for spec in self._specs.values()}
        )
        self._values["NumberOfConnectors"] = str(number_of_connectors)
        self._values["ConnectorPhaseRotation"] = ",".join(
            f"{n}.RST" for n in range(number_of_connectors + 1)
        )

    def get(self, key: str) -> str:
        return self._values[key]

    def get_int(self, key: str) -> int:
        return int(self._values[key])

    def get_bool(self, key: str) -> bool:
        return self._values[key].lower() == "true"

    def known(self, key: str) -> bool:
        return key in self._specs

    def entry(self, key: str) -> KeyValue:
        spec = self._specs[key]
        return KeyValue(key, spec.access is Access.READ_ONLY, self._values[key])

    def entries(self, keys: Iterable[str] | None = None) -> tuple[list[KeyValue], list[str]]:
        """GetConfiguration (§5.8): the entries asked for (all when None), and unknown keys."""
        if keys is None:
            return [self.entry(k) for k in self._specs], []
        known = [self.entry(k) for k in keys if k in self._specs]
        unknown = [k for k in keys if k not in self._specs]
        return known, unknown

    def force(self, key: str, value: str) -> None:
        """Set a value the charge point decides itself (e.g. the heartbeat interval given)."""
        self._values[key] = value

    def would_accept(self, key: str, value: str) -> bool:
        """Whether ChangeConfiguration (§5.3) of a known key to `value` is acceptable."""
        spec = self._specs[key]
        return spec.access is Access.READ_WRITE and spec.valid(value)

    def change(self, key: str, value: str) -> ChangeOutcome:
        """ChangeConfiguration (§5.3)."""
        if key not in self._specs:
            return ChangeOutcome.NOT_SUPPORTED
        if not self.would_accept(key, value):
            return ChangeOutcome.REJECTED
        self._values[key] = value
        return ChangeOutcome.ACCEPTED
