"""Reservations of the simulated charge point (OCPP 1.6 §3.11, §5.13 ReserveNow,
§5.1 CancelReservation).

A reservation keeps one connector for an idTag — or for any idTag sharing its parentIdTag —
until a transaction uses it, the Central System cancels it, its expiryDate passes or the
connector becomes Unavailable or Faulted (§5.13). A reservation for connectorId 0 (accepted only
while ReserveConnectorZeroSupported is true, §9.3) is for no connector in particular; the
simulated charge point guarantees it by holding its default connector (the PICS connector_id),
or else the first free one, and reports that connector Reserved.

The state lives in `ChargePointState.reservations` (by reservationId) and in the held
connector's `reservation_id`. Replies are pure; the `*_commit` functions change the state once
the answer is final. The engine expires a reservation only when a scenario simulates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from octt.chargepoint.model import Connector, ConnectorStatus

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState


class ReservationStatus(StrEnum):
    """ReserveNow.conf status (§7.35)."""

    ACCEPTED = "Accepted"
    FAULTED = "Faulted"
    OCCUPIED = "Occupied"
    REJECTED = "Rejected"
    UNAVAILABLE = "Unavailable"


class CancelReservationStatus(StrEnum):
    """CancelReservation.conf status (§7.4)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


#: Connector states in which a connector is in use (§7.7): it cannot be reserved.
_IN_USE = frozenset(
    {
        ConnectorStatus.PREPARING,
        ConnectorStatus.CHARGING,
        ConnectorStatus.SUSPENDED_EV,
        ConnectorStatus.SUSPENDED_EVSE,
        ConnectorStatus.FINISHING,
    }
)


def _same_tag(a: str | None, b: str | None) -> bool:
    # IdToken is a CiString20Type: compared case-insensitively.
    return a is not None and b is not None and a.casefold() == b.casefold()


@dataclass(frozen=True)
class Reservation:
    reservation_id: int
    connector_id: int  # as the Central System asked: 0 = any connector
    held_connector: int  # the connector the charge point keeps for it
    id_tag: str
    parent_id_tag: str | None = None
    expiry_date: datetime | None = None

    def serves(self, id_tag: str, parent_id_tag: str | None) -> bool:
        """Whether a driver with `id_tag` (whose parent is `parent_id_tag`) may use it: the
        idTag or its parent matches the reservation's idTag or parentIdTag (§5.13)."""
        ours = (self.id_tag, self.parent_id_tag)
        theirs = (id_tag, parent_id_tag)
        return any(_same_tag(a, b) for a in ours for b in theirs)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- where a reservation can go ----------------------------------------------------------------


def _in_use(connector: Connector) -> bool:
    return connector.transaction is not None or connector.status in _IN_USE


def _free_for(connector: Connector, reservation_id: int | None) -> bool:
    return (
        connector.status not in (ConnectorStatus.FAULTED, ConnectorStatus.UNAVAILABLE)
        and not _in_use(connector)
        and connector.reservation_id in (None, reservation_id)
    )


def _blocked(connector: Connector) -> ReservationStatus:
    """Why a connector that is not free cannot be reserved."""
    if connector.status is ConnectorStatus.FAULTED:
        return ReservationStatus.FAULTED
    if connector.status is ConnectorStatus.UNAVAILABLE:
        return ReservationStatus.UNAVAILABLE
    return ReservationStatus.OCCUPIED


def place(
    state: ChargePointState, connector_id: Any, reservation_id: int | None
) -> tuple[ReservationStatus, int | None]:
    """The answer to a ReserveNow for `connector_id`, and the connector that would be held."""
    if not isinstance(connector_id, int) or isinstance(connector_id, bool):
        return ReservationStatus.REJECTED, None
    main = state.connector(0)
    if main.status in (ConnectorStatus.FAULTED, ConnectorStatus.UNAVAILABLE):
        # The whole charge point is out of order (§5.13: "the Charge Point or connector").
        return _blocked(main), None
    if connector_id == 0:
        if not state.config.get_bool("ReserveConnectorZeroSupported"):
            return ReservationStatus.REJECTED, None
        candidates = [state.connector(n) for n in _preference(state)]
        for connector in candidates:
            if _free_for(connector, reservation_id):
                return ReservationStatus.ACCEPTED, connector.connector_id
        reasons = {_blocked(c) for c in candidates}
        if len(reasons) == 1:
            return reasons.pop(), None
        return ReservationStatus.OCCUPIED, None
    if not state.has_connector(connector_id):
        return ReservationStatus.REJECTED, None
    connector = state.connector(connector_id)
    if _free_for(connector, reservation_id):
        return ReservationStatus.ACCEPTED, connector_id
    return _blocked(connector), None


def _preference(state: ChargePointState) -> list[int]:
    """The order in which the charge point picks a connector for a connector-0 reservation."""
    others = list(range(1, state.number_of_connectors + 1))
    default = state.default_connector_id
    return ([default] if default in others else []) + [n for n in others if n != default]


# -- changes ------------------------------------------------------------------------------------


def release(state: ChargePointState, reservation_id: int) -> Reservation | None:
    """End a reservation (used, cancelled, expired): its connector is free again."""
    reservation = state.reservations.pop(reservation_id, None)
    if reservation is None:
        return None
    connector = state.connectors.get(reservation.held_connector)
    if connector is not None and connector.reservation_id == reservation_id:
        connector.reservation_id = None
        if connector.status is ConnectorStatus.RESERVED:
            connector.status = ConnectorStatus.AVAILABLE
    return reservation


def release_on(state: ChargePointState, connector_id: int) -> None:
    """A connector (0: the whole charge point) became Unavailable or Faulted: its reservations
    end (§5.13)."""
    for reservation in list(state.reservations.values()):
        if connector_id in (0, reservation.held_connector):
            release(state, reservation.reservation_id)


def parent_of(state: ChargePointState, id_tag: str) -> str | None:
    """The parentIdTag the charge point knows for `id_tag` (cache, then local list)."""
    for info in (state.auth_cache.get(id_tag), state.local_list.lookup(id_tag)):
        if isinstance(info, Mapping) and isinstance(info.get("parentIdTag"), str):
            return str(info["parentIdTag"])
    return None


def matching(state: ChargePointState, connector_id: int, id_tag: str) -> Reservation | None:
    """The reservation a transaction for `id_tag` on `connector_id` uses, if any (§5.13)."""
    parent = parent_of(state, id_tag)
    for reservation in state.reservations.values():
        where = reservation.connector_id == 0 or reservation.held_connector == connector_id
        if where and reservation.serves(id_tag, parent):
            return reservation
    return None


def outside(state: ChargePointState, connector_id: int, id_tag: str) -> Reservation | None:
    """The reservation that keeps `connector_id` from a driver it does not cover (§5.13: a
    reserved connector starts a transaction only for the reservation's idTag or an idTag whose
    parentIdTag, as the Central System told it, is the reservation's), if any."""
    if not state.has_connector(connector_id):
        return None
    held = state.connector(connector_id).reservation_id
    reservation = state.reservations.get(held) if held is not None else None
    if reservation is None or reservation.serves(id_tag, parent_of(state, id_tag)):
        return None
    if reservation.connector_id == 0 and any(
        _free_for(state.connector(n), None) for n in _preference(state) if n != connector_id
    ):
        return None  # a connector-0 reservation only needs some connector kept free (§5.13)
    return reservation


def latest(state: ChargePointState) -> Reservation | None:
    """The reservation made last, even if it has ended since."""
    return state.last_reservation


def due(state: ChargePointState, connector_id: int | None) -> Reservation | None:
    """The reservation to expire: the one held on `connector_id`, else the one expiring first."""
    reservations = list(state.reservations.values())
    if connector_id is not None:
        reservations = [r for r in reservations if r.held_connector == connector_id]
    if not reservations:
        return None
    dated = [r for r in reservations if r.expiry_date is not None]
    if dated:
        return min(dated, key=lambda r: r.expiry_date or datetime.max)
    return reservations[0]


# -- the charge point's answers (registered in octt.chargepoint.responder) --------------------


def reserve_now_reply(state: ChargePointState, payload: Mapping[str, Any]) -> dict[str, Any]:
    """ReserveNow.conf (§5.13)."""
    status, _held = place(state, payload.get("connectorId"), _int(payload.get("reservationId")))
    return {"status": status.value}


def reserve_now_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    """Hold the connector once the answer is Accepted. A reservation with the id of an existing
    one replaces it (§5.13). When a test step forces Accepted where the charge point could not
    place the reservation, it holds the connector asked for (or its default one) anyway."""
    reservation_id = _int(payload.get("reservationId"))
    connector_id = payload.get("connectorId")
    id_tag = payload.get("idTag")
    if reply.get("status") != ReservationStatus.ACCEPTED or reservation_id is None:
        return
    if not isinstance(id_tag, str):
        return
    release(state, reservation_id)
    _status, held = place(state, connector_id, reservation_id)
    if held is None:
        asked = _int(connector_id)
        held = asked if asked is not None and state.has_connector(asked) else _preference(state)[0]
    parent = payload.get("parentIdTag")
    reservation = Reservation(
        reservation_id=reservation_id,
        connector_id=_int(connector_id) or 0,
        held_connector=held,
        id_tag=id_tag,
        parent_id_tag=parent if isinstance(parent, str) else None,
        expiry_date=_parse_time(payload.get("expiryDate")),
    )
    state.reservations[reservation_id] = reservation
    state.last_reservation = reservation
    connector = state.connector(held)
    connector.reservation_id = reservation_id
    connector.status = ConnectorStatus.RESERVED


def cancel_reservation_reply(state: ChargePointState, payload: Mapping[str, Any]) -> dict[str, Any]:
    """CancelReservation.conf (§5.1): Accepted for a reservation the charge point holds."""
    known = _int(payload.get("reservationId")) in state.reservations
    status = CancelReservationStatus.ACCEPTED if known else CancelReservationStatus.REJECTED
    return {"status": status.value}


def cancel_reservation_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    reservation_id = _int(payload.get("reservationId"))
    if reply.get("status") == CancelReservationStatus.ACCEPTED and reservation_id is not None:
        release(state, reservation_id)
