"""How the reference CSMS honours its reservations in StartTransaction (OCPP 1.6 §5.13)."""

from __future__ import annotations

from octt.reference.auth import INVALID, IdTagDecision
from octt.reference.faults import Fault
from octt.reference.reservations import honour, serves
from octt.reference.store import (
    ReservationRecord,
    ReservationState,
    Store,
    TokenRecord,
    TokenStatus,
)

OK = IdTagDecision(TokenStatus.ACCEPTED)


def store_with_reservation(state: ReservationState = ReservationState.ACTIVE) -> Store:
    db = Store()
    db.upsert_token(TokenRecord("CHILD-1", TokenStatus.ACCEPTED, parent_id_tag="PARENT"))
    db.upsert_token(TokenRecord("CHILD-2", TokenStatus.ACCEPTED, parent_id_tag="PARENT"))
    db.upsert_token(TokenRecord("OTHER", TokenStatus.ACCEPTED))
    rid = db.create_reservation(
        "CP", connector_id=1, id_tag="CHILD-1", parent_id_tag="PARENT", expiry_date="2030-01-01Z"
    )
    db.set_reservation_state(rid, state)
    return db


def test_serves_the_idtag_and_its_group() -> None:
    reservation = ReservationRecord(
        1, "CP", 1, "CHILD-1", "PARENT", "x", ReservationState.ACTIVE, None
    )
    assert serves(reservation, "child-1", None)
    assert serves(reservation, "CHILD-2", "parent")
    assert serves(reservation, "PARENT", None)
    assert not serves(reservation, "OTHER", None)


def test_no_reservation_quoted_changes_nothing() -> None:
    assert honour(Store(), "CP", None, "OTHER", OK, frozenset()) == (OK, None)


def test_the_reserved_idtag_and_its_group_use_the_reservation() -> None:
    db = store_with_reservation()
    for id_tag in ("CHILD-1", "CHILD-2"):
        decision, reservation = honour(db, "CP", 1, id_tag, OK, frozenset())
        assert decision == OK
        assert reservation is not None and reservation.reservation_id == 1


def test_a_quote_that_does_not_fit_is_ignored() -> None:
    db = store_with_reservation()
    assert honour(db, "CP", 1, "OTHER", OK, frozenset()) == (OK, None)
    assert honour(db, "ANOTHER-CP", 1, "CHILD-1", OK, frozenset()) == (OK, None)
    assert honour(db, "CP", 2, "CHILD-1", OK, frozenset()) == (OK, None)
    used = store_with_reservation(ReservationState.USED)
    assert honour(used, "CP", 1, "CHILD-1", OK, frozenset()) == (OK, None)


def test_faults() -> None:
    db = store_with_reservation()
    rejected = frozenset({Fault.RESERVED_START_REJECTED})
    assert honour(db, "CP", 1, "CHILD-1", OK, rejected) == (INVALID, None)
    assert honour(db, "CP", None, "CHILD-1", OK, rejected) == (OK, None)
    blind = frozenset({Fault.RESERVATION_IGNORES_PARENT})
    assert honour(db, "CP", 1, "CHILD-2", OK, blind) == (INVALID, None)
    decision, reservation = honour(db, "CP", 1, "CHILD-1", OK, blind)
    assert decision == OK and reservation is not None
