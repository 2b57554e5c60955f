"""The simulated charge point's state: connectors, transactions, auth cache, offline period, and
the state of the optional feature profiles.

Pure state with small transition methods; no I/O. The engine decides what to send, the message
builders read this state, and the responder changes it when the CSMS asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from octt.chargepoint.config_keys import ConfigurationStore
from octt.chargepoint.firmware import FirmwareState
from octt.chargepoint.local_list import LocalAuthList
from octt.chargepoint.security import SecurityState
from octt.chargepoint.smart_charging import ProfileStore

if TYPE_CHECKING:
    from octt.chargepoint.reservations import Reservation
    from octt.chargepoint.triggers import PendingTrigger


class ConnectorStatus(StrEnum):
    """ChargePointStatus of OCPP 1.6 §7.7."""

    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EVSE = "SuspendedEVSE"
    SUSPENDED_EV = "SuspendedEV"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"


@dataclass
class Transaction:
    connector_id: int
    id_tag: str
    meter_start_wh: int
    started_at: datetime
    transaction_id: int | None = None  # assigned by the CSMS in StartTransaction.conf
    reservation_id: int | None = None
    stop_reason: str | None = None  # set when the transaction must end (e.g. PowerLoss)
    # The chargingProfile of the RemoteStartTransaction that started it: installed as its
    # TxProfile once the CSMS has given the transactionId (§5.11).
    charging_profile: dict[str, Any] | None = None


@dataclass
class Connector:
    connector_id: int
    status: ConnectorStatus = ConnectorStatus.AVAILABLE
    error_code: str = "NoError"
    meter_wh: int = 0
    transaction: Transaction | None = None
    reservation_id: int | None = None


@dataclass
class RemoteStart:
    """The last RemoteStartTransaction the charge point accepted (OCPP 1.6 §5.11)."""

    id_tag: str
    connector_id: int | None
    charging_profile: dict[str, Any] | None = None


@dataclass
class ChargePointState:
    """Everything the simulated charge point remembers between messages."""

    cp_id: str
    vendor: str
    model: str
    number_of_connectors: int
    config: ConfigurationStore
    connectors: dict[int, Connector] = field(default_factory=dict)
    auth_cache: dict[str, dict[str, Any]] = field(default_factory=dict)
    remote_start: RemoteStart | None = None
    offline: bool = False
    # While offline, the charge point's clock is this far behind the real clock: the messages it
    # queues then are stamped in the past, as a real charge point's queued messages would be.
    clock_offset: timedelta = timedelta()
    boot_count: int = 0
    default_id_tag: str = ""
    default_connector_id: int = 1
    # Optional feature profiles: the local list (§3.5.2), reservations by reservationId (§5.13;
    # the held connector also carries the id), messages promised to a TriggerMessage (§5.17).
    local_list: LocalAuthList = field(default_factory=LocalAuthList)
    reservations: dict[int, Reservation] = field(default_factory=dict)
    last_reservation: Reservation | None = None  # the one made last, kept after it ends
    triggers: list[PendingTrigger] = field(default_factory=list)
    # Smart Charging: the installed charging profiles (§3.13); Firmware Management: the update
    # and the diagnostics upload asked for, and the statuses reported (§5.19, §5.9).
    charging_profiles: ProfileStore = field(default_factory=ProfileStore)
    firmware: FirmwareState = field(default_factory=FirmwareState)
    # The security whitepaper: profile, AuthorizationKey, certificates, security log.
    security: SecurityState = field(default_factory=SecurityState)
    # The wall clock the charge point's own clock follows (the engine gives it the run's clock).
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)

    @classmethod
    def create(
        cls,
        cp_id: str,
        vendor: str,
        model: str,
        number_of_connectors: int,
        *,
        default_id_tag: str = "",
        default_connector_id: int = 1,
    ) -> ChargePointState:
        state = cls(
            cp_id=cp_id,
            vendor=vendor,
            model=model,
            number_of_connectors=number_of_connectors,
            config=ConfigurationStore(number_of_connectors=number_of_connectors),
            default_id_tag=default_id_tag,
            default_connector_id=default_connector_id,
        )
        for n in range(number_of_connectors + 1):
            state.connectors[n] = Connector(n)
        return state

    def connector(self, connector_id: int) -> Connector:
        try:
            return self.connectors[connector_id]
        except KeyError:
            raise KeyError(f"the simulated charge point has no connector {connector_id}") from None

    def has_connector(self, connector_id: int) -> bool:
        return connector_id in self.connectors and connector_id > 0

    def transaction_by_id(self, transaction_id: int) -> Transaction | None:
        for conn in self.connectors.values():
            tx = conn.transaction
            if tx is not None and tx.transaction_id == transaction_id:
                return tx
        return None

    def active_transactions(self) -> list[Transaction]:
        return [c.transaction for c in self.connectors.values() if c.transaction is not None]

    def local_time(self, now: datetime) -> datetime:
        return now - self.clock_offset

    def now(self) -> datetime:
        """The charge point's own clock (behind the wall clock while offline)."""
        return self.local_time(self.wall_clock())

    # -- simulated physical events -----------------------------------------------------

    def go_offline(self, duration_s: float) -> None:
        self.offline = True
        self.clock_offset = timedelta(seconds=duration_s)

    def come_online(self) -> None:
        self.offline = False
        self.clock_offset = timedelta()

    def power_loss(self) -> None:
        """Power is cut and comes back: running transactions must be stopped with PowerLoss
        (TC_032_1: the connector that had one reports Finishing, the others Available)."""
        for conn in self.connectors.values():
            if conn.transaction is not None:
                conn.transaction.stop_reason = "PowerLoss"
                conn.status = ConnectorStatus.FINISHING
            else:
                conn.status = ConnectorStatus.AVAILABLE
        self.remote_start = None

    def connection_timeout(self, connector_id: int) -> None:
        """ConnectionTimeOut expired without a cable (OCPP 1.6 §9.1.7): back to Available."""
        conn = self.connector(connector_id)
        conn.status = ConnectorStatus.AVAILABLE
        self.remote_start = None
