"""Reservations on the simulated charge point: ReserveNow and CancelReservation answers, the held
connector, matching by idTag and parentIdTag, and the end of a reservation (OCPP 1.6 §5.1,
§5.13)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from octt.chargepoint import reservations
from octt.chargepoint.messages import build_request, on_sent
from octt.chargepoint.model import ChargePointState, ConnectorStatus, Transaction
from octt.chargepoint.reservations import Reservation
from octt.chargepoint.responder import commit, default_reply

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EXPIRY = "2026-03-01T12:05:00Z"


def state() -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")


def reserve_payload(connector: int = 1, rid: int = 7, **extra: Any) -> dict[str, Any]:
    return {
        "connectorId": connector,
        "expiryDate": EXPIRY,
        "idTag": "VALID",
        "reservationId": rid,
        **extra,
    }


def reserve(cp: ChargePointState, connector: int = 1, rid: int = 7, **extra: Any) -> Any:
    payload = reserve_payload(connector, rid, **extra)
    answer = default_reply(cp, "ReserveNow", payload, known_action=True)
    commit(cp, "ReserveNow", payload, answer)
    return answer["status"]


def cancel(cp: ChargePointState, rid: int) -> Any:
    payload = {"reservationId": rid}
    answer = default_reply(cp, "CancelReservation", payload, known_action=True)
    commit(cp, "CancelReservation", payload, answer)
    return answer["status"]


# -- ReserveNow (§5.13) ---------------------------------------------------------------------------


def test_accepted_reservation_holds_the_connector() -> None:
    cp = state()
    assert reserve(cp, parentIdTag="PARENT") == "Accepted"
    assert cp.reservations[7] == Reservation(
        7, 1, 1, "VALID", "PARENT", datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    )
    assert cp.connector(1).reservation_id == 7
    assert cp.connector(1).status is ConnectorStatus.RESERVED
    assert reservations.latest(cp) == cp.reservations[7]
    assert reservations.latest(state()) is None


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (ConnectorStatus.FAULTED, "Faulted"),
        (ConnectorStatus.UNAVAILABLE, "Unavailable"),
        (ConnectorStatus.PREPARING, "Occupied"),
        (ConnectorStatus.CHARGING, "Occupied"),
        (ConnectorStatus.FINISHING, "Occupied"),
    ],
)
def test_a_connector_that_is_not_free(status: ConnectorStatus, answer: str) -> None:
    cp = state()
    cp.connector(1).status = status
    assert reserve(cp) == answer
    assert cp.reservations == {}


def test_a_whole_charge_point_out_of_order() -> None:
    cp = state()
    cp.connector(0).status = ConnectorStatus.UNAVAILABLE
    assert reserve(cp) == "Unavailable"
    cp.connector(0).status = ConnectorStatus.FAULTED
    assert reserve(cp) == "Faulted"


def test_a_connector_with_a_transaction_is_occupied() -> None:
    cp = state()
    cp.connector(1).transaction = Transaction(1, "X", 0, NOW, 1)
    assert reserve(cp) == "Occupied"


def test_a_connector_reserved_for_another_reservation_is_occupied() -> None:
    cp = state()
    assert reserve(cp, rid=1) == "Accepted"
    assert reserve(cp, rid=2) == "Occupied"


def test_the_same_reservation_id_replaces_the_reservation() -> None:
    cp = state()
    reserve(cp, connector=1, rid=1)
    assert reserve(cp, connector=2, rid=1) == "Accepted"
    assert list(cp.reservations) == [1]
    assert cp.reservations[1].held_connector == 2
    assert cp.connector(1).status is ConnectorStatus.AVAILABLE
    assert cp.connector(1).reservation_id is None


@pytest.mark.parametrize("connector", [3, -1])
def test_an_unknown_connector_is_rejected(connector: int) -> None:
    assert reserve(state(), connector=connector) == "Rejected"


def test_connector_zero_holds_the_default_connector() -> None:
    cp = state()
    cp.default_connector_id = 2
    assert reserve(cp, connector=0) == "Accepted"
    assert (cp.reservations[7].connector_id, cp.reservations[7].held_connector) == (0, 2)
    assert cp.connector(2).status is ConnectorStatus.RESERVED


def test_connector_zero_takes_another_connector_when_the_default_is_busy() -> None:
    cp = state()
    cp.connector(1).status = ConnectorStatus.CHARGING
    reserve(cp, connector=0)
    assert cp.reservations[7].held_connector == 2


@pytest.mark.parametrize(
    ("statuses", "answer"),
    [
        ((ConnectorStatus.FAULTED, ConnectorStatus.FAULTED), "Faulted"),
        ((ConnectorStatus.UNAVAILABLE, ConnectorStatus.UNAVAILABLE), "Unavailable"),
        ((ConnectorStatus.FAULTED, ConnectorStatus.CHARGING), "Occupied"),
    ],
)
def test_connector_zero_without_a_free_connector(
    statuses: tuple[ConnectorStatus, ConnectorStatus], answer: str
) -> None:
    cp = state()
    cp.connector(1).status, cp.connector(2).status = statuses
    assert reserve(cp, connector=0) == answer


def test_connector_zero_needs_reserve_connector_zero_supported() -> None:
    cp = state()
    cp.config.force("ReserveConnectorZeroSupported", "false")
    assert reserve(cp, connector=0) == "Rejected"


def test_a_forced_accept_holds_the_connector_asked_or_the_default_one() -> None:
    cp = state()
    cp.connector(1).status = ConnectorStatus.FAULTED
    commit(cp, "ReserveNow", reserve_payload(1, 3), {"status": "Accepted"})
    assert cp.reservations[3].held_connector == 1
    commit(cp, "ReserveNow", reserve_payload(9, 4), {"status": "Accepted"})
    assert cp.reservations[4].held_connector == 1


def test_a_rejected_answer_reserves_nothing() -> None:
    cp = state()
    commit(cp, "ReserveNow", reserve_payload(), {"status": "Rejected"})
    assert cp.reservations == {}
    assert cp.connector(1).status is ConnectorStatus.AVAILABLE


def test_an_unreadable_expiry_date_is_kept_as_unknown() -> None:
    cp = state()
    commit(cp, "ReserveNow", reserve_payload(expiryDate="soon"), {"status": "Accepted"})
    assert cp.reservations[7].expiry_date is None


# -- CancelReservation (§5.1) ---------------------------------------------------------------------


def test_cancel_a_known_reservation() -> None:
    cp = state()
    reserve(cp)
    assert cancel(cp, 7) == "Accepted"
    assert cp.reservations == {}
    assert cp.connector(1).status is ConnectorStatus.AVAILABLE
    assert cp.connector(1).reservation_id is None


def test_cancel_an_unknown_reservation_is_rejected() -> None:
    cp = state()
    reserve(cp)
    assert cancel(cp, 8) == "Rejected"
    assert list(cp.reservations) == [7]


def test_a_forced_rejection_keeps_the_reservation() -> None:
    cp = state()
    reserve(cp)
    commit(cp, "CancelReservation", {"reservationId": 7}, {"status": "Rejected"})
    assert list(cp.reservations) == [7]


# -- matching a transaction to a reservation ------------------------------------------------------


def test_serves_the_idtag_and_its_parent_group() -> None:
    r = Reservation(1, 1, 1, "CHILD-1", "PARENT")
    assert r.serves("child-1", None)
    assert r.serves("CHILD-2", "parent")
    assert r.serves("PARENT", None)
    assert not r.serves("OTHER", None)
    assert not r.serves("OTHER", "OTHER-PARENT")
    assert Reservation(1, 1, 1, "PARENT").serves("CHILD", "PARENT")


def test_start_transaction_quotes_the_reservation_of_the_parent_group() -> None:
    cp = state()
    reserve(cp, idTag="CHILD-1", parentIdTag="PARENT")
    start = build_request(cp, "StartTransaction", 1, {"idTag": "CHILD-2"}, NOW)
    assert "reservationId" not in start  # the parent of CHILD-2 is not known yet
    cp.auth_cache["CHILD-2"] = {"status": "Accepted", "parentIdTag": "PARENT"}
    start = build_request(cp, "StartTransaction", 1, {"idTag": "CHILD-2"}, NOW)
    assert start["reservationId"] == 7


def test_the_local_list_tells_the_parent_too() -> None:
    cp = state()
    reserve(cp, idTag="CHILD-1", parentIdTag="PARENT")
    listed = {"idTag": "CHILD-3", "idTagInfo": {"status": "Accepted", "parentIdTag": "PARENT"}}
    commit(
        cp,
        "SendLocalList",
        {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [listed]},
        {"status": "Accepted"},
    )
    assert reservations.parent_of(cp, "CHILD-3") == "PARENT"
    assert reservations.matching(cp, 1, "CHILD-3") == cp.reservations[7]


def test_a_connector_zero_reservation_serves_any_connector() -> None:
    cp = state()
    reserve(cp, connector=0)
    assert build_request(cp, "StartTransaction", 2, {}, NOW)["reservationId"] == 7


def test_a_connector_reservation_does_not_serve_another_connector() -> None:
    cp = state()
    reserve(cp, connector=1)
    assert "reservationId" not in build_request(cp, "StartTransaction", 2, {}, NOW)


def test_the_transaction_ends_the_reservation() -> None:
    cp = state()
    reserve(cp, connector=0)
    payload = build_request(cp, "StartTransaction", 2, {}, NOW)
    on_sent(cp, "StartTransaction", payload, NOW)
    assert cp.reservations == {}
    assert cp.connector(1).status is ConnectorStatus.AVAILABLE  # the held connector is free


# -- which reservation a simulated expiry ends ----------------------------------------------------


def test_due_picks_the_connector_or_the_first_to_expire() -> None:
    cp = state()
    reserve(cp, connector=1, rid=1, expiryDate="2026-03-01T13:00:00Z")
    reserve(cp, connector=2, rid=2, expiryDate="2026-03-01T12:30:00Z")
    assert reservations.due(cp, None) == cp.reservations[2]
    assert reservations.due(cp, 1) == cp.reservations[1]
    assert reservations.due(cp, 0) is None
    reservations.release(cp, 1)
    reservations.release(cp, 2)
    assert reservations.due(cp, None) is None
    assert reservations.release(cp, 2) is None
    assert reservations.latest(cp) == Reservation(
        2, 2, 2, "VALID", None, datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    )


def test_due_without_expiry_dates() -> None:
    cp = state()
    commit(cp, "ReserveNow", reserve_payload(expiryDate="?"), {"status": "Accepted"})
    assert reservations.due(cp, None) == cp.reservations[7]


def test_release_on_a_connector_or_the_whole_charge_point() -> None:
    cp = state()
    reserve(cp, connector=1, rid=1)
    reserve(cp, connector=2, rid=2)
    reservations.release_on(cp, 2)
    assert list(cp.reservations) == [1]
    reservations.release_on(cp, 0)
    assert cp.reservations == {}


# -- who a reserved connector starts for (§5.13) -------------------------------------------------


def test_a_reserved_connector_is_kept_from_a_driver_the_reservation_does_not_cover() -> None:
    cp = state()
    reserve(cp, parentIdTag="PARENT")
    cp.auth_cache["CHILD-2"] = {"status": "Accepted"}  # the CSMS gave no parentIdTag
    held = reservations.outside(cp, 1, "CHILD-2")
    assert held is not None and held.reservation_id == 7
    cp.auth_cache["CHILD-2"] = {"status": "Accepted", "parentIdTag": "OTHER"}
    assert reservations.outside(cp, 1, "CHILD-2") is not None
    assert reservations.outside(cp, 2, "CHILD-2") is None  # another connector is not reserved


def test_a_reserved_connector_starts_for_its_idtag_and_for_its_group() -> None:
    cp = state()
    reserve(cp, parentIdTag="PARENT")
    assert reservations.outside(cp, 1, "valid") is None  # IdToken: case-insensitive
    cp.auth_cache["CHILD-2"] = {"status": "Accepted", "parentIdTag": "PARENT"}
    assert reservations.outside(cp, 1, "CHILD-2") is None


def test_a_connector_zero_reservation_lets_another_driver_in_while_a_connector_stays_free() -> None:
    cp = state()
    cp.config.force("ReserveConnectorZeroSupported", "true")
    reserve(cp, connector=0)
    assert cp.reservations[7].held_connector == 1
    assert reservations.outside(cp, 1, "SOMEONE") is None  # connector 2 stays free for VALID
    cp.connector(2).status = ConnectorStatus.FAULTED
    assert reservations.outside(cp, 1, "SOMEONE") is not None
