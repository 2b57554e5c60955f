"""State of the reference CSMS in SQLite: idTags, Basic-auth passwords, charge points,
connector statuses, transactions, meter values, firmware/diagnostics status notifications, the
files served or received over HTTP, reservations and the local authorization lists sent, and
the security whitepaper's: each charge point's security profile, the root certificates the CSMS
installed on it, the certificates it signed, security events, log and signed-firmware status.

Owns the SQL schema, the seed (test data the operator "provisioned", read from a PICS file) and
every read and write of the database. A `Store` is used from one thread (the event loop's); it
is opened when the CSMS starts and closed when it stops. The path ":memory:" gives a fresh,
private database.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml


class TokenStatus(StrEnum):
    """Status an idTag is stored with (a subset of OCPP 1.6 AuthorizationStatus, §7)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"


class TransferKind(StrEnum):
    """Which status notification a charge point sent (OCPP 1.6 §4.4, §4.5)."""

    FIRMWARE = "firmware"
    DIAGNOSTICS = "diagnostics"


class FileDirection(StrEnum):
    """A file the CSMS served (firmware) or received (diagnostics) over HTTP."""

    SERVED = "served"
    RECEIVED = "received"


#: Expiry date given to the seeded expired idTag: fixed, and well in the past.
SEED_EXPIRY_DATE = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TokenRecord:
    """An idTag known to the CSMS."""

    id_tag: str
    status: TokenStatus
    parent_id_tag: str | None = None
    expiry_date: datetime | None = None

    def __post_init__(self) -> None:
        # Accept the plain strings too ("Accepted", ...): the enum validates them.
        object.__setattr__(self, "status", TokenStatus(self.status))
        if self.expiry_date is not None and self.expiry_date.tzinfo is None:
            raise ValueError(f"expiry_date of {self.id_tag} must be timezone-aware")


def _frozen_mapping(value: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Seed:
    """Test data the CSMS holds from its first start: idTags and Basic-auth passwords."""

    tokens: tuple[TokenRecord, ...] = ()
    # station id -> Basic-auth password (security profile 1); not part of the hash.
    passwords: Mapping[str, str] = field(default_factory=_frozen_mapping, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", tuple(self.tokens))
        object.__setattr__(self, "passwords", _frozen_mapping(self.passwords))


def seed_from_pics(path: Path) -> Seed:
    """The seed described by the `test_data` block of a PICS YAML file.

    valid_id_tag and parent_id_tag are Accepted, expired_id_tag is Expired (expiry date in the
    past), blocked_id_tag is Blocked, each of child_id_tags is Accepted with parent_id_tag as its
    parent, local_list_id_tag is Accepted. invalid_id_tag is deliberately not stored: unknown to
    the CSMS, it is Invalid. Raises ValueError if the file has no usable test_data block.
    """
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    if not isinstance(document, dict) or not isinstance(document.get("test_data"), dict):
        raise ValueError(f"{path}: no test_data block")
    data: dict[str, Any] = document["test_data"]

    def tag(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ValueError(f"{path}: test_data.{key} must be a non-empty string")
        return value

    tokens: dict[str, TokenRecord] = {}

    def add(record: TokenRecord) -> None:
        tokens[record.id_tag] = record

    valid, parent = tag("valid_id_tag"), tag("parent_id_tag")
    expired, blocked = tag("expired_id_tag"), tag("blocked_id_tag")
    if valid is not None:
        add(TokenRecord(valid, TokenStatus.ACCEPTED))
    if expired is not None:
        add(TokenRecord(expired, TokenStatus.EXPIRED, expiry_date=SEED_EXPIRY_DATE))
    if blocked is not None:
        add(TokenRecord(blocked, TokenStatus.BLOCKED))
    if parent is not None:
        add(TokenRecord(parent, TokenStatus.ACCEPTED))
    children = data.get("child_id_tags") or []
    if not isinstance(children, list) or not all(isinstance(c, str) and c for c in children):
        raise ValueError(f"{path}: test_data.child_id_tags must be a list of strings")
    for child in children:
        add(TokenRecord(child, TokenStatus.ACCEPTED, parent_id_tag=parent))
    local_list = tag("local_list_id_tag")
    if local_list is not None:
        add(TokenRecord(local_list, TokenStatus.ACCEPTED))
    return Seed(tokens=tuple(tokens.values()))


@dataclass(frozen=True)
class TransactionRecord:
    """A transaction as the CSMS knows it (start and stop data, OCPP 1.6 §4.8 / §4.10)."""

    transaction_id: int
    charge_point_id: str
    connector_id: int
    id_tag: str
    start_status: str
    meter_start: int
    start_timestamp: str
    reservation_id: int | None
    meter_stop: int | None
    stop_timestamp: str | None
    stop_reason: str | None
    stop_id_tag: str | None

    @property
    def stopped(self) -> bool:
        return self.stop_timestamp is not None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS id_tags (
    id_tag TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    parent_id_tag TEXT,
    expiry_date TEXT
);
CREATE TABLE IF NOT EXISTS basic_auth (
    station_id TEXT PRIMARY KEY,
    password TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS charge_points (
    charge_point_id TEXT PRIMARY KEY,
    vendor TEXT,
    model TEXT,
    serial_number TEXT,
    firmware_version TEXT,
    booted_at TEXT,
    last_heartbeat_at TEXT
);
CREATE TABLE IF NOT EXISTS connector_status (
    charge_point_id TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT NOT NULL,
    info TEXT,
    timestamp TEXT,
    received_at TEXT NOT NULL,
    PRIMARY KEY (charge_point_id, connector_id)
);
CREATE TABLE IF NOT EXISTS transactions (
    transaction_id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    id_tag TEXT NOT NULL,
    start_status TEXT NOT NULL,
    meter_start INTEGER NOT NULL,
    start_timestamp TEXT NOT NULL,
    reservation_id INTEGER,
    meter_stop INTEGER,
    stop_timestamp TEXT,
    stop_reason TEXT,
    stop_id_tag TEXT,
    transaction_data TEXT
);
CREATE TABLE IF NOT EXISTS meter_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    transaction_id INTEGER,
    meter_value TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS transfer_status (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS file_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    direction TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


# Reservations (OCPP 1.6 §5.13) and the local authorization list each charge point holds
# (§5.15), as this Central System sent them.
_OPTIONAL_PROFILES_SCHEMA = """
CREATE TABLE IF NOT EXISTS reservations (
    reservation_id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    id_tag TEXT NOT NULL,
    parent_id_tag TEXT,
    expiry_date TEXT NOT NULL,
    state TEXT NOT NULL,
    transaction_id INTEGER
);
CREATE TABLE IF NOT EXISTS local_lists (
    charge_point_id TEXT PRIMARY KEY,
    list_version INTEGER NOT NULL,
    entries TEXT NOT NULL
);
"""


# The security whitepaper (ed.3): security profile per charge point (A05), root certificates
# installed (M05), certificates issued for CSRs (A02), security events (A04), the status
# notifications of GetLog (N01) and SignedUpdateFirmware (L01).
_SECURITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS security_profiles (
    station_id TEXT PRIMARY KEY,
    security_profile INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS installed_certificates (
    charge_point_id TEXT NOT NULL,
    serial TEXT NOT NULL,
    certificate_type TEXT NOT NULL,
    pem TEXT NOT NULL,
    PRIMARY KEY (charge_point_id, serial)
);
CREATE TABLE IF NOT EXISTS issued_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    chain TEXT NOT NULL,
    answer TEXT,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS security_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    type TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    tech_info TEXT,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS security_status (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    request_id INTEGER,
    received_at TEXT NOT NULL
);
"""


class ReservationState(StrEnum):
    """Where a reservation the CSMS made stands."""

    REQUESTED = "requested"  # ReserveNow sent, no answer yet
    ACTIVE = "active"  # the charge point accepted it
    REFUSED = "refused"  # the charge point answered Faulted, Occupied, Rejected, Unavailable
    CANCELLED = "cancelled"  # CancelReservation accepted
    USED = "used"  # a transaction quoted it


@dataclass(frozen=True)
class ReservationRecord:
    reservation_id: int
    charge_point_id: str
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    expiry_date: str
    state: ReservationState
    transaction_id: int | None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class Store:
    """The CSMS's database. Every method commits before it returns."""

    def __init__(self, db: str = ":memory:") -> None:
        self._db = sqlite3.connect(db, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        self._db.executescript(_OPTIONAL_PROFILES_SCHEMA)
        self._db.executescript(_SECURITY_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- test data -----------------------------------------------------------------------------

    def apply_seed(self, seed: Seed) -> None:
        """Store the seed's tokens and passwords, overwriting what the database had for them:
        the seed is the test data the operator declared, so it holds on every start."""
        for token in seed.tokens:
            self.upsert_token(token)
        for station_id, password in seed.passwords.items():
            self.set_password(station_id, password)

    def upsert_token(self, token: TokenRecord) -> None:
        expiry = _iso(token.expiry_date) if token.expiry_date is not None else None
        self._db.execute(
            "INSERT INTO id_tags (id_tag, status, parent_id_tag, expiry_date)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (id_tag) DO UPDATE SET"
            " status = excluded.status, parent_id_tag = excluded.parent_id_tag,"
            " expiry_date = excluded.expiry_date",
            (token.id_tag, token.status.value, token.parent_id_tag, expiry),
        )

    def token(self, id_tag: str) -> TokenRecord | None:
        """The stored idTag. Matching is case-insensitive: IdToken is a CiString20Type (§7)."""
        row = self._db.execute(
            "SELECT * FROM id_tags WHERE id_tag = ? COLLATE NOCASE ORDER BY id_tag = ? DESC",
            (id_tag, id_tag),
        ).fetchone()
        if row is None:
            return None
        expiry = row["expiry_date"]
        return TokenRecord(
            id_tag=row["id_tag"],
            status=TokenStatus(row["status"]),
            parent_id_tag=row["parent_id_tag"],
            expiry_date=datetime.fromisoformat(expiry) if expiry else None,
        )

    def set_password(self, station_id: str, password: str) -> None:
        self._db.execute(
            "INSERT INTO basic_auth (station_id, password) VALUES (?, ?)"
            " ON CONFLICT (station_id) DO UPDATE SET password = excluded.password",
            (station_id, password),
        )

    def password(self, station_id: str) -> str | None:
        row = self._db.execute(
            "SELECT password FROM basic_auth WHERE station_id = ?", (station_id,)
        ).fetchone()
        return None if row is None else str(row["password"])

    # -- charge points -------------------------------------------------------------------------

    def record_boot(
        self,
        charge_point_id: str,
        *,
        vendor: str,
        model: str,
        serial_number: str | None,
        firmware_version: str | None,
        at: datetime,
    ) -> None:
        self._db.execute(
            "INSERT INTO charge_points (charge_point_id, vendor, model, serial_number,"
            " firmware_version, booted_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (charge_point_id) DO UPDATE SET vendor = excluded.vendor,"
            " model = excluded.model, serial_number = excluded.serial_number,"
            " firmware_version = excluded.firmware_version, booted_at = excluded.booted_at",
            (charge_point_id, vendor, model, serial_number, firmware_version, _iso(at)),
        )

    def record_heartbeat(self, charge_point_id: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO charge_points (charge_point_id, last_heartbeat_at) VALUES (?, ?)"
            " ON CONFLICT (charge_point_id) DO UPDATE SET"
            " last_heartbeat_at = excluded.last_heartbeat_at",
            (charge_point_id, _iso(at)),
        )

    def charge_point(self, charge_point_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT * FROM charge_points WHERE charge_point_id = ?", (charge_point_id,)
        ).fetchone()
        return None if row is None else dict(row)

    def record_status(
        self,
        charge_point_id: str,
        connector_id: int,
        *,
        status: str,
        error_code: str,
        info: str | None,
        timestamp: str | None,
        at: datetime,
    ) -> None:
        self._db.execute(
            "INSERT INTO connector_status (charge_point_id, connector_id, status, error_code,"
            " info, timestamp, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (charge_point_id, connector_id) DO UPDATE SET status = excluded.status,"
            " error_code = excluded.error_code, info = excluded.info,"
            " timestamp = excluded.timestamp, received_at = excluded.received_at",
            (charge_point_id, connector_id, status, error_code, info, timestamp, _iso(at)),
        )

    def connector_status(self, charge_point_id: str, connector_id: int) -> str | None:
        row = self._db.execute(
            "SELECT status FROM connector_status WHERE charge_point_id = ? AND connector_id = ?",
            (charge_point_id, connector_id),
        ).fetchone()
        return None if row is None else str(row["status"])

    # -- transactions --------------------------------------------------------------------------

    def start_transaction(
        self,
        charge_point_id: str,
        *,
        connector_id: int,
        id_tag: str,
        start_status: str,
        meter_start: int,
        timestamp: str,
        reservation_id: int | None,
    ) -> int:
        """Store a new transaction and return its fresh, never reused transactionId."""
        cursor = self._db.execute(
            "INSERT INTO transactions (charge_point_id, connector_id, id_tag, start_status,"
            " meter_start, start_timestamp, reservation_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                charge_point_id,
                connector_id,
                id_tag,
                start_status,
                meter_start,
                timestamp,
                reservation_id,
            ),
        )
        transaction_id = cursor.lastrowid
        assert transaction_id is not None
        return transaction_id

    def stop_transaction(
        self,
        transaction_id: int,
        *,
        meter_stop: int,
        timestamp: str,
        reason: str | None,
        id_tag: str | None,
        transaction_data: list[Any] | None,
    ) -> bool:
        """Store the stop data; False if the transactionId is unknown."""
        data = json.dumps(transaction_data) if transaction_data is not None else None
        cursor = self._db.execute(
            "UPDATE transactions SET meter_stop = ?, stop_timestamp = ?, stop_reason = ?,"
            " stop_id_tag = ?, transaction_data = ? WHERE transaction_id = ?",
            (meter_stop, timestamp, reason, id_tag, data, transaction_id),
        )
        return cursor.rowcount > 0

    def transaction(self, transaction_id: int) -> TransactionRecord | None:
        row = self._db.execute(
            "SELECT * FROM transactions WHERE transaction_id = ?", (transaction_id,)
        ).fetchone()
        if row is None:
            return None
        return TransactionRecord(
            transaction_id=row["transaction_id"],
            charge_point_id=row["charge_point_id"],
            connector_id=row["connector_id"],
            id_tag=row["id_tag"],
            start_status=row["start_status"],
            meter_start=row["meter_start"],
            start_timestamp=row["start_timestamp"],
            reservation_id=row["reservation_id"],
            meter_stop=row["meter_stop"],
            stop_timestamp=row["stop_timestamp"],
            stop_reason=row["stop_reason"],
            stop_id_tag=row["stop_id_tag"],
        )

    def record_meter_values(
        self,
        charge_point_id: str,
        *,
        connector_id: int,
        transaction_id: int | None,
        meter_value: list[Any],
        at: datetime,
    ) -> None:
        self._db.execute(
            "INSERT INTO meter_values (charge_point_id, connector_id, transaction_id,"
            " meter_value, received_at) VALUES (?, ?, ?, ?, ?)",
            (charge_point_id, connector_id, transaction_id, json.dumps(meter_value), _iso(at)),
        )

    def meter_value_count(self, charge_point_id: str) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) AS n FROM meter_values WHERE charge_point_id = ?", (charge_point_id,)
        ).fetchone()
        return int(row["n"])

    # -- firmware management: status notifications and file transfers ---------------------------

    def record_transfer_status(
        self, charge_point_id: str, kind: TransferKind, status: str, at: datetime
    ) -> None:
        """A FirmwareStatusNotification or DiagnosticsStatusNotification (OCPP 1.6 §4.4, §4.5)."""
        self._db.execute(
            "INSERT INTO transfer_status (charge_point_id, kind, status, received_at)"
            " VALUES (?, ?, ?, ?)",
            (charge_point_id, kind.value, status, _iso(at)),
        )

    def transfer_statuses(self, charge_point_id: str, kind: TransferKind) -> list[str]:
        """The statuses the charge point reported for `kind`, oldest first."""
        rows = self._db.execute(
            "SELECT status FROM transfer_status WHERE charge_point_id = ? AND kind = ? ORDER BY id",
            (charge_point_id, kind.value),
        ).fetchall()
        return [str(row["status"]) for row in rows]

    def record_file_transfer(
        self, direction: FileDirection, name: str, size: int, sha256: str, at: datetime
    ) -> None:
        """A firmware image served or a diagnostics file received over HTTP."""
        self._db.execute(
            "INSERT INTO file_transfers (direction, name, size, sha256, at) VALUES (?, ?, ?, ?, ?)",
            (direction.value, name, size, sha256, _iso(at)),
        )

    def file_transfers(self) -> list[dict[str, Any]]:
        """Every file transfer, oldest first: direction, name, size, sha256, at."""
        rows = self._db.execute(
            "SELECT direction, name, size, sha256, at FROM file_transfers ORDER BY id"
        ).fetchall()
        return [dict(row) for row in rows]

    # -- reservation and local authorization lists -----------------------------------------------

    def tokens(self) -> list[TokenRecord]:
        """Every idTag the CSMS holds, in the order they were stored."""
        rows = self._db.execute("SELECT id_tag FROM id_tags ORDER BY rowid").fetchall()
        found = (self.token(str(row["id_tag"])) for row in rows)
        return [token for token in found if token is not None]

    def create_reservation(
        self,
        charge_point_id: str,
        *,
        connector_id: int,
        id_tag: str,
        parent_id_tag: str | None,
        expiry_date: str,
    ) -> int:
        """A new reservation (state requested) and its fresh, never reused reservationId."""
        cursor = self._db.execute(
            "INSERT INTO reservations (charge_point_id, connector_id, id_tag, parent_id_tag,"
            " expiry_date, state) VALUES (?, ?, ?, ?, ?, ?)",
            (
                charge_point_id,
                connector_id,
                id_tag,
                parent_id_tag,
                expiry_date,
                ReservationState.REQUESTED.value,
            ),
        )
        reservation_id = cursor.lastrowid
        assert reservation_id is not None
        return reservation_id

    def set_reservation_state(
        self, reservation_id: int, state: ReservationState, transaction_id: int | None = None
    ) -> None:
        self._db.execute(
            "UPDATE reservations SET state = ?, transaction_id = COALESCE(?, transaction_id)"
            " WHERE reservation_id = ?",
            (state.value, transaction_id, reservation_id),
        )

    def latest_active_reservation(self, charge_point_id: str) -> int | None:
        """The reservationId of the charge point's newest active reservation, if any."""
        row = self._db.execute(
            "SELECT MAX(reservation_id) AS newest FROM reservations"
            " WHERE charge_point_id = ? AND state = ?",
            (charge_point_id, ReservationState.ACTIVE.value),
        ).fetchone()
        return int(row["newest"]) if row is not None and row["newest"] is not None else None

    def reservation(self, reservation_id: int) -> ReservationRecord | None:
        row = self._db.execute(
            "SELECT * FROM reservations WHERE reservation_id = ?", (reservation_id,)
        ).fetchone()
        if row is None:
            return None
        return ReservationRecord(
            reservation_id=row["reservation_id"],
            charge_point_id=row["charge_point_id"],
            connector_id=row["connector_id"],
            id_tag=row["id_tag"],
            parent_id_tag=row["parent_id_tag"],
            expiry_date=row["expiry_date"],
            state=ReservationState(row["state"]),
            transaction_id=row["transaction_id"],
        )

    def local_list(self, charge_point_id: str) -> tuple[int, list[dict[str, Any]]]:
        """(listVersion, entries) of the list the charge point accepted last; (0, []) if none."""
        row = self._db.execute(
            "SELECT list_version, entries FROM local_lists WHERE charge_point_id = ?",
            (charge_point_id,),
        ).fetchone()
        if row is None:
            return 0, []
        return int(row["list_version"]), list(json.loads(row["entries"]))

    def set_local_list(
        self, charge_point_id: str, list_version: int, entries: list[dict[str, Any]]
    ) -> None:
        self._db.execute(
            "INSERT INTO local_lists (charge_point_id, list_version, entries) VALUES (?, ?, ?)"
            " ON CONFLICT (charge_point_id) DO UPDATE SET list_version = excluded.list_version,"
            " entries = excluded.entries",
            (charge_point_id, list_version, json.dumps(entries)),
        )

    # -- security whitepaper ---------------------------------------------------------------------

    def set_security_profile(self, station_id: str, profile: int) -> None:
        self._db.execute(
            "INSERT INTO security_profiles (station_id, security_profile) VALUES (?, ?)"
            " ON CONFLICT (station_id) DO UPDATE SET security_profile = excluded.security_profile",
            (station_id, profile),
        )

    def security_profile(self, station_id: str) -> int | None:
        """The security profile the charge point is held at (None: never set)."""
        row = self._db.execute(
            "SELECT security_profile FROM security_profiles WHERE station_id = ?", (station_id,)
        ).fetchone()
        return int(row["security_profile"]) if row is not None else None

    def add_installed_certificate(
        self, charge_point_id: str, serial: str, certificate_type: str, pem: str
    ) -> None:
        self._db.execute(
            "INSERT INTO installed_certificates (charge_point_id, serial, certificate_type, pem)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (charge_point_id, serial) DO UPDATE SET"
            " certificate_type = excluded.certificate_type, pem = excluded.pem",
            (charge_point_id, serial, certificate_type, pem),
        )

    def remove_installed_certificate(self, charge_point_id: str, serial: str) -> None:
        self._db.execute(
            "DELETE FROM installed_certificates WHERE charge_point_id = ? AND serial = ?",
            (charge_point_id, serial),
        )

    def installed_certificates(self, charge_point_id: str) -> dict[str, str]:
        """serial -> PEM of the root certificates the CSMS installed on the charge point."""
        rows = self._db.execute(
            "SELECT serial, pem FROM installed_certificates WHERE charge_point_id = ?",
            (charge_point_id,),
        ).fetchall()
        return {str(row["serial"]): str(row["pem"]) for row in rows}

    def record_issued_certificate(
        self, charge_point_id: str, chain: str, answer: str | None, at: datetime
    ) -> None:
        self._db.execute(
            "INSERT INTO issued_certificates (charge_point_id, chain, answer, at)"
            " VALUES (?, ?, ?, ?)",
            (charge_point_id, chain, answer, _iso(at)),
        )

    def issued_certificates(self, charge_point_id: str) -> list[tuple[str, str | None]]:
        """(chain, the charge point's answer) of every certificate signed for it, oldest first."""
        rows = self._db.execute(
            "SELECT chain, answer FROM issued_certificates WHERE charge_point_id = ? ORDER BY id",
            (charge_point_id,),
        ).fetchall()
        return [(str(row["chain"]), row["answer"]) for row in rows]

    def record_security_event(
        self, charge_point_id: str, event: str, timestamp: str, tech_info: str | None, at: datetime
    ) -> None:
        self._db.execute(
            "INSERT INTO security_events (charge_point_id, type, timestamp, tech_info, received_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (charge_point_id, event, timestamp, tech_info, _iso(at)),
        )

    def security_events(self, charge_point_id: str) -> list[str]:
        rows = self._db.execute(
            "SELECT type FROM security_events WHERE charge_point_id = ? ORDER BY id",
            (charge_point_id,),
        ).fetchall()
        return [str(row["type"]) for row in rows]

    def record_security_status(
        self, charge_point_id: str, kind: str, status: str, request_id: int | None, at: datetime
    ) -> None:
        """A LogStatusNotification (kind 'log') or SignedFirmwareStatusNotification
        (kind 'signed-firmware')."""
        self._db.execute(
            "INSERT INTO security_status (charge_point_id, kind, status, request_id, received_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (charge_point_id, kind, status, request_id, _iso(at)),
        )

    def security_statuses(self, charge_point_id: str, kind: str) -> list[str]:
        rows = self._db.execute(
            "SELECT status FROM security_status WHERE charge_point_id = ? AND kind = ? ORDER BY id",
            (charge_point_id, kind),
        ).fetchall()
        return [str(row["status"]) for row in rows]
