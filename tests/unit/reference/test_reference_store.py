"""The reference CSMS's SQLite store and its seed from a PICS file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from octt.reference.store import (
    ReservationRecord,
    ReservationState,
    Seed,
    Store,
    TokenRecord,
    TokenStatus,
    seed_from_pics,
)
from octt.resources import default_pics_path


def test_seed_from_packaged_pics() -> None:
    seed = seed_from_pics(default_pics_path())
    tokens = {token.id_tag: token for token in seed.tokens}
    assert tokens["OCTT-VALID-01"] == TokenRecord("OCTT-VALID-01", TokenStatus.ACCEPTED)
    assert tokens["OCTT-BLOCKED-01"].status is TokenStatus.BLOCKED
    expired = tokens["OCTT-EXPIRED-01"]
    assert expired.status is TokenStatus.EXPIRED
    assert expired.expiry_date is not None and expired.expiry_date < datetime.now(UTC)
    assert tokens["OCTT-PARENT-01"].status is TokenStatus.ACCEPTED
    for child in ("OCTT-CHILD-01", "OCTT-CHILD-02"):
        assert tokens[child].status is TokenStatus.ACCEPTED
        assert tokens[child].parent_id_tag == "OCTT-PARENT-01"
    # The invalid tag must stay unknown to the CSMS.
    assert "OCTT-UNKNOWN-99" not in tokens
    assert dict(seed.passwords) == {}


def test_seed_from_pics_without_test_data(tmp_path: Path) -> None:
    pics = tmp_path / "pics.yaml"
    pics.write_text("sut: {vendor: x}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="test_data"):
        seed_from_pics(pics)


def test_seed_is_immutable_and_hashable() -> None:
    seed = Seed(tokens=(TokenRecord("A", TokenStatus.ACCEPTED),), passwords={"CP": "secret"})
    assert seed.passwords["CP"] == "secret"
    with pytest.raises(TypeError):
        seed.passwords["CP"] = "other"  # type: ignore[index]
    hash(seed)


def test_token_record_accepts_plain_status_strings() -> None:
    assert TokenRecord("A", "Blocked").status is TokenStatus.BLOCKED  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TokenRecord("A", "Maybe")  # type: ignore[arg-type]


def test_tokens_upsert_and_case_insensitive_lookup() -> None:
    store = Store()
    try:
        assert store.token("abc") is None
        store.upsert_token(TokenRecord("AbC", TokenStatus.ACCEPTED))
        assert store.token("abc") == TokenRecord("AbC", TokenStatus.ACCEPTED)
        expiry = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
        store.upsert_token(TokenRecord("AbC", TokenStatus.BLOCKED, "P", expiry))
        assert store.token("ABC") == TokenRecord("AbC", TokenStatus.BLOCKED, "P", expiry)
    finally:
        store.close()


def test_passwords() -> None:
    store = Store()
    try:
        assert store.password("CP1") is None
        store.apply_seed(Seed(passwords={"CP1": "first"}))
        assert store.password("CP1") == "first"
        store.set_password("CP1", "second")
        assert store.password("CP1") == "second"
    finally:
        store.close()


def test_transactions_get_fresh_ids_and_stop_data() -> None:
    store = Store()
    try:
        first = store.start_transaction(
            "CP1",
            connector_id=1,
            id_tag="A",
            start_status="Accepted",
            meter_start=10,
            timestamp="2026-01-01T00:00:00Z",
            reservation_id=None,
        )
        second = store.start_transaction(
            "CP1",
            connector_id=2,
            id_tag="B",
            start_status="Invalid",
            meter_start=0,
            timestamp="2026-01-01T00:00:00Z",
            reservation_id=7,
        )
        assert first != second
        stopped = store.stop_transaction(
            first,
            meter_stop=20,
            timestamp="2026-01-01T01:00:00Z",
            reason="Local",
            id_tag=None,
            transaction_data=None,
        )
        assert stopped
        record = store.transaction(first)
        assert record is not None and record.stopped
        assert (record.meter_start, record.meter_stop, record.stop_reason) == (10, 20, "Local")
        second_record = store.transaction(second)
        assert second_record is not None
        assert second_record.reservation_id == 7 and not second_record.stopped
        assert not store.stop_transaction(
            999,
            meter_stop=0,
            timestamp="2026-01-01T01:00:00Z",
            reason=None,
            id_tag=None,
            transaction_data=None,
        )
    finally:
        store.close()


def test_file_database_persists_and_seed_wins(tmp_path: Path) -> None:
    db = str(tmp_path / "csms.sqlite")
    store = Store(db)
    store.upsert_token(TokenRecord("T", TokenStatus.BLOCKED))
    store.upsert_token(TokenRecord("KEPT", TokenStatus.EXPIRED))
    tx = store.start_transaction(
        "CP",
        connector_id=1,
        id_tag="T",
        start_status="Accepted",
        meter_start=0,
        timestamp="2026-01-01T00:00:00Z",
        reservation_id=None,
    )
    store.close()
    store = Store(db)
    try:
        store.apply_seed(Seed(tokens=(TokenRecord("T", TokenStatus.ACCEPTED),)))
        assert store.token("T") == TokenRecord("T", TokenStatus.ACCEPTED)
        assert store.token("KEPT") == TokenRecord("KEPT", TokenStatus.EXPIRED)
        next_tx = store.start_transaction(
            "CP",
            connector_id=1,
            id_tag="T",
            start_status="Accepted",
            meter_start=0,
            timestamp="2026-01-01T00:00:00Z",
            reservation_id=None,
        )
        assert next_tx > tx
    finally:
        store.close()


def test_firmware_and_diagnostics_statuses_and_file_transfers() -> None:
    from octt.reference.store import FileDirection, TransferKind

    store = Store()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for status in ("Downloading", "Downloaded", "Installed"):
        store.record_transfer_status("CP1", TransferKind.FIRMWARE, status, at)
    store.record_transfer_status("CP1", TransferKind.DIAGNOSTICS, "Uploaded", at)
    store.record_transfer_status("CP2", TransferKind.FIRMWARE, "Idle", at)
    assert store.transfer_statuses("CP1", TransferKind.FIRMWARE) == [
        "Downloading",
        "Downloaded",
        "Installed",
    ]
    assert store.transfer_statuses("CP1", TransferKind.DIAGNOSTICS) == ["Uploaded"]
    store.record_file_transfer(FileDirection.SERVED, "fw.bin", 10, "ab" * 32, at)
    store.record_file_transfer(FileDirection.RECEIVED, "diag.log", 3, "cd" * 32, at)
    assert [(t["direction"], t["name"], t["size"]) for t in store.file_transfers()] == [
        ("served", "fw.bin", 10),
        ("received", "diag.log", 3),
    ]
    store.close()


def test_seed_holds_the_local_list_id_tag() -> None:
    tokens = {token.id_tag: token for token in seed_from_pics(default_pics_path()).tokens}
    assert tokens["OCTT-LOCAL-01"] == TokenRecord("OCTT-LOCAL-01", TokenStatus.ACCEPTED)


def test_tokens_in_the_order_stored() -> None:
    store = Store()
    store.upsert_token(TokenRecord("B", TokenStatus.ACCEPTED))
    store.upsert_token(TokenRecord("A", TokenStatus.BLOCKED, parent_id_tag="P"))
    assert store.tokens() == [
        TokenRecord("B", TokenStatus.ACCEPTED),
        TokenRecord("A", TokenStatus.BLOCKED, parent_id_tag="P"),
    ]


def test_reservations_get_fresh_ids_and_move_through_their_states() -> None:
    store = Store()
    first = store.create_reservation(
        "CP", connector_id=1, id_tag="T", parent_id_tag="P", expiry_date="2030-01-01T00:00:00Z"
    )
    second = store.create_reservation(
        "CP", connector_id=0, id_tag="U", parent_id_tag=None, expiry_date="2030-01-01T00:00:00Z"
    )
    assert second == first + 1
    assert store.reservation(first) == ReservationRecord(
        first, "CP", 1, "T", "P", "2030-01-01T00:00:00Z", ReservationState.REQUESTED, None
    )
    store.set_reservation_state(first, ReservationState.ACTIVE)
    store.set_reservation_state(first, ReservationState.USED, 42)
    store.set_reservation_state(first, ReservationState.USED)  # keeps the transaction
    record = store.reservation(first)
    assert record is not None
    assert (record.state, record.transaction_id) == (ReservationState.USED, 42)
    assert store.reservation(999) is None


def test_local_list_per_charge_point() -> None:
    store = Store()
    assert store.local_list("CP") == (0, [])
    entries = [{"idTag": "T", "idTagInfo": {"status": "Accepted"}}]
    store.set_local_list("CP", 3, entries)
    store.set_local_list("OTHER", 7, [])
    assert store.local_list("CP") == (3, entries)
    store.set_local_list("CP", 4, [])
    assert store.local_list("CP") == (4, [])


def test_the_security_whitepaper_tables() -> None:
    from datetime import UTC, datetime

    db = Store()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert db.security_profile("CP") is None
    db.set_security_profile("CP", 1)
    db.set_security_profile("CP", 2)
    assert db.security_profile("CP") == 2
    db.add_installed_certificate("CP", "1a", "CentralSystemRootCertificate", "PEM1")
    db.add_installed_certificate("CP", "1a", "CentralSystemRootCertificate", "PEM2")
    assert db.installed_certificates("CP") == {"1a": "PEM2"}
    db.remove_installed_certificate("CP", "1a")
    assert db.installed_certificates("CP") == {}
    db.record_issued_certificate("CP", "CHAIN", "Accepted", at)
    assert db.issued_certificates("CP") == [("CHAIN", "Accepted")]
    db.record_security_event("CP", "FirmwareUpdated", "2026-01-01T00:00:00Z", None, at)
    assert db.security_events("CP") == ["FirmwareUpdated"]
    db.record_security_status("CP", "log", "Uploading", 7, at)
    assert db.security_statuses("CP", "log") == ["Uploading"]
    assert db.security_statuses("CP", "signed-firmware") == []
