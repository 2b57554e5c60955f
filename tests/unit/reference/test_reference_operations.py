"""What the reference CSMS adds to triggered ReserveNow and SendLocalList calls, and what it keeps
from the answers (OCPP 1.6 §5.1, §5.13, §5.15)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from octt.reference.auth import IdTagDecision
from octt.reference.faults import Fault
from octt.reference.operations import id_tag_info, prepare, record
from octt.reference.store import ReservationState, Store, TokenRecord, TokenStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EXPIRY = "2026-03-01T12:05:00Z"


def store() -> Store:
    db = Store()
    db.upsert_token(TokenRecord("VALID", TokenStatus.ACCEPTED))
    db.upsert_token(TokenRecord("PARENT", TokenStatus.ACCEPTED))
    db.upsert_token(TokenRecord("CHILD", TokenStatus.ACCEPTED, parent_id_tag="PARENT"))
    db.upsert_token(TokenRecord("BLOCKED", TokenStatus.BLOCKED))
    return db


def ready(db: Store, action: str, payload: dict[str, Any], faults: Any = frozenset()) -> Any:
    return prepare(action, payload, db, "CP", NOW, faults)


def test_id_tag_info_as_json() -> None:
    assert id_tag_info(IdTagDecision(TokenStatus.ACCEPTED)) == {"status": "Accepted"}
    decision = IdTagDecision(TokenStatus.EXPIRED, "P", datetime(2020, 1, 1, tzinfo=UTC))
    assert id_tag_info(decision) == {
        "status": "Expired",
        "parentIdTag": "P",
        "expiryDate": "2020-01-01T00:00:00.000Z",
    }


def test_other_actions_pass_through() -> None:
    payload = {"type": "Hard"}
    assert ready(store(), "Reset", payload) == payload


# -- ReserveNow / CancelReservation --------------------------------------------------------------


def test_reserve_now_gets_the_csms_own_reservation_id() -> None:
    db = store()
    body = {"connectorId": 1, "expiryDate": EXPIRY, "idTag": "VALID", "reservationId": 99}
    first = ready(db, "ReserveNow", body)
    second = ready(db, "ReserveNow", body)
    assert (first["reservationId"], second["reservationId"]) == (1, 2)
    assert {k: v for k, v in first.items() if k != "reservationId"} == {
        k: v for k, v in body.items() if k != "reservationId"
    }
    reservation = db.reservation(1)
    assert reservation is not None
    assert (reservation.state, reservation.id_tag, reservation.connector_id) == (
        ReservationState.REQUESTED,
        "VALID",
        1,
    )


def test_reserve_now_adds_the_parent_of_the_idtag() -> None:
    db = store()
    body = {"connectorId": 1, "expiryDate": EXPIRY, "idTag": "CHILD", "reservationId": 1}
    assert ready(db, "ReserveNow", body)["parentIdTag"] == "PARENT"
    given = ready(db, "ReserveNow", {**body, "parentIdTag": "OTHER"})
    assert given["parentIdTag"] == "OTHER"
    reservation = db.reservation(given["reservationId"])
    assert reservation is not None and reservation.parent_id_tag == "OTHER"


def test_the_answer_makes_a_reservation_active_or_refused() -> None:
    db = store()
    body = {"connectorId": 1, "expiryDate": EXPIRY, "idTag": "VALID", "reservationId": 0}
    accepted = ready(db, "ReserveNow", body)
    refused = ready(db, "ReserveNow", body)
    unanswered = ready(db, "ReserveNow", body)
    record("ReserveNow", accepted, {"status": "Accepted"}, db, "CP")
    record("ReserveNow", refused, {"status": "Occupied"}, db, "CP")
    record("ReserveNow", unanswered, None, db, "CP")
    states = [db.reservation(n) for n in (1, 2, 3)]
    assert [r.state if r else None for r in states] == [
        ReservationState.ACTIVE,
        ReservationState.REFUSED,
        ReservationState.REFUSED,
    ]


def test_an_accepted_cancellation_cancels_the_stored_reservation() -> None:
    db = store()
    sent = ready(
        db,
        "ReserveNow",
        {"connectorId": 1, "expiryDate": EXPIRY, "idTag": "VALID", "reservationId": 0},
    )
    record("ReserveNow", sent, {"status": "Accepted"}, db, "CP")
    record("CancelReservation", {"reservationId": 1}, {"status": "Rejected"}, db, "CP")
    assert db.reservation(1).state is ReservationState.ACTIVE  # type: ignore[union-attr]
    record("CancelReservation", {"reservationId": 7}, {"status": "Accepted"}, db, "CP")
    record("CancelReservation", {"reservationId": 1}, {"status": "Accepted"}, db, "CP")
    assert db.reservation(1).state is ReservationState.CANCELLED  # type: ignore[union-attr]


# -- SendLocalList ---------------------------------------------------------------------------------


def test_full_list_entries_get_the_csms_idtaginfo_and_the_next_version() -> None:
    db = store()
    body = {
        "listVersion": 42,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idTag": "CHILD", "idTagInfo": {"status": "Accepted"}},
            {"idTag": "BLOCKED", "idTagInfo": {"status": "Accepted"}},
            {"idTag": "STRANGER", "idTagInfo": {"status": "Accepted"}},
        ],
    }
    sent = ready(db, "SendLocalList", body)
    assert sent == {
        "listVersion": 1,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idTag": "CHILD", "idTagInfo": {"status": "Accepted", "parentIdTag": "PARENT"}},
            {"idTag": "BLOCKED", "idTagInfo": {"status": "Blocked"}},
            {"idTag": "STRANGER", "idTagInfo": {"status": "Invalid"}},
        ],
    }
    record("SendLocalList", sent, {"status": "Accepted"}, db, "CP")
    assert db.local_list("CP") == (1, sent["localAuthorizationList"])
    assert ready(db, "SendLocalList", body)["listVersion"] == 2


def test_a_full_list_without_entries_lists_every_idtag_of_the_csms() -> None:
    sent = ready(store(), "SendLocalList", {"listVersion": 1, "updateType": "Full"})
    assert [e["idTag"] for e in sent["localAuthorizationList"]] == [
        "VALID",
        "PARENT",
        "CHILD",
        "BLOCKED",
    ]


def test_an_empty_differential_has_no_list() -> None:
    sent = ready(store(), "SendLocalList", {"listVersion": 1, "updateType": "Differential"})
    assert sent == {"listVersion": 1, "updateType": "Differential"}


def test_faults_that_corrupt_tag_decisions_reach_the_list() -> None:
    body = {
        "listVersion": 1,
        "updateType": "Full",
        "localAuthorizationList": [{"idTag": "BLOCKED", "idTagInfo": {"status": "Blocked"}}],
    }
    sent = ready(store(), "SendLocalList", body, frozenset({Fault.IGNORE_TAG_STATUS}))
    assert sent["localAuthorizationList"][0]["idTagInfo"] == {"status": "Accepted"}


def test_a_differential_update_merges_into_the_stored_list() -> None:
    db = store()
    full = {
        "listVersion": 1,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idTag": "VALID", "idTagInfo": {}},
            {"idTag": "CHILD", "idTagInfo": {}},
        ],
    }
    record("SendLocalList", ready(db, "SendLocalList", full), {"status": "Accepted"}, db, "CP")
    differential = {
        "listVersion": 1,
        "updateType": "Differential",
        "localAuthorizationList": [{"idTag": "child"}, {"idTag": "PARENT", "idTagInfo": {}}],
    }
    sent = ready(db, "SendLocalList", differential)
    assert sent["listVersion"] == 2
    assert sent["localAuthorizationList"] == [
        {"idTag": "child"},
        {"idTag": "PARENT", "idTagInfo": {"status": "Accepted"}},
    ]
    record("SendLocalList", sent, {"status": "VersionMismatch"}, db, "CP")
    assert db.local_list("CP")[0] == 1  # not accepted: nothing changes
    record("SendLocalList", sent, {"status": "Accepted"}, db, "CP")
    version, entries = db.local_list("CP")
    assert (version, [e["idTag"] for e in entries]) == (2, ["VALID", "PARENT"])


# -- the security whitepaper ---------------------------------------------------------------------


def test_a_new_authorization_key_is_made_by_the_csms_and_stored_when_accepted() -> None:
    from octt.transport.credentials import is_authorization_key

    db = store()
    sent = ready(db, "ChangeConfiguration", {"key": "AuthorizationKey", "value": "proposed"})
    assert sent["key"] == "AuthorizationKey" and is_authorization_key(sent["value"])
    record("ChangeConfiguration", sent, {"status": "Rejected"}, db, "CP")
    assert db.password("CP") is None
    record("ChangeConfiguration", sent, {"status": "Accepted"}, db, "CP")
    assert db.password("CP") == sent["value"]
    other = ready(db, "ChangeConfiguration", {"key": "AuthorizationKey", "value": "x"})
    record(
        "ChangeConfiguration",
        other,
        {"status": "Accepted"},
        db,
        "CP",
        frozenset({Fault.AUTHORIZATION_KEY_NOT_STORED}),
    )
    assert db.password("CP") == sent["value"]  # the old one stays in force


def test_an_accepted_security_profile_holds_the_charge_point_there() -> None:
    db = store()
    sent = ready(db, "ChangeConfiguration", {"key": "SecurityProfile", "value": "2"})
    assert sent == {"key": "SecurityProfile", "value": "2"}
    record("ChangeConfiguration", sent, {"status": "Accepted"}, db, "CP")
    assert db.security_profile("CP") == 2


def test_installed_roots_are_remembered_and_deleted_by_their_own_hash_data() -> None:
    from security_support import session_pki

    from octt.pki import certs
    from octt.pki.hashdata import HashAlgorithm, hash_data
    from octt.pki.layout import Item

    db = store()
    pem = session_pki().certificate(Item.CSMS_ROOT_CA_2).read_text()
    root = certs.load_certificates(pem)[0]
    install = {"certificateType": "CentralSystemRootCertificate", "certificate": pem}
    record(
        "InstallCertificate",
        ready(db, "InstallCertificate", install),
        {"status": "Accepted"},
        db,
        "CP",
    )
    assert list(db.installed_certificates("CP").values()) == [pem]
    asked = hash_data(root, HashAlgorithm.SHA512).to_json()
    stale = {**asked, "issuerKeyHash": "00"}  # the operator's copy: the CSMS computes its own
    sent = ready(db, "DeleteCertificate", {"certificateHashData": stale})
    assert sent == {"certificateHashData": asked}
    padded = ready(
        db,
        "DeleteCertificate",
        {"certificateHashData": stale},
        frozenset({Fault.DELETE_CERTIFICATE_PADDED_SERIAL}),
    )
    assert padded["certificateHashData"]["serialNumber"].startswith("00")
    record("DeleteCertificate", sent, {"status": "Accepted"}, db, "CP")
    assert db.installed_certificates("CP") == {}
    unknown = {"certificateHashData": {**asked, "serialNumber": "1"}}
    assert ready(db, "DeleteCertificate", unknown) == unknown
