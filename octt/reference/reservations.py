"""How the reference CSMS honours its reservations in StartTransaction (OCPP 1.6 §5.13, §4.8).

A StartTransaction that quotes a reservationId is judged by its idTag as any other; the
reservation it uses must be one this CSMS made for this charge point, still active, and for
the idTag or for another idTag of the same parentIdTag group. Such a reservation is then used
up. A quote that does not fit is logged and changes nothing (the charge point decides locally
whom it lets charge; the CSMS only authorises the idTag). Two faults break this on purpose.
"""

from __future__ import annotations

import logging

from octt.reference.auth import INVALID, IdTagDecision
from octt.reference.faults import Fault
from octt.reference.store import ReservationRecord, ReservationState, Store

_LOG = logging.getLogger("octt.reference.reservations")


def _same(a: str | None, b: str | None) -> bool:
    # IdToken is a CiString20Type: compared case-insensitively.
    return a is not None and b is not None and a.casefold() == b.casefold()


def serves(reservation: ReservationRecord, id_tag: str, parent_id_tag: str | None) -> bool:
    """The idTag or its parent matches the reservation's idTag or parentIdTag (§5.13)."""
    ours = (reservation.id_tag, reservation.parent_id_tag)
    return any(_same(a, b) for a in ours for b in (id_tag, parent_id_tag))


def honour(
    store: Store,
    charge_point_id: str,
    reservation_id: int | None,
    id_tag: str,
    decision: IdTagDecision,
    faults: frozenset[Fault],
) -> tuple[IdTagDecision, ReservationRecord | None]:
    """The idTagInfo decision for a StartTransaction quoting `reservation_id`, and the
    reservation it uses up (to be marked used once the transaction is stored)."""
    if reservation_id is None:
        return decision, None
    if Fault.RESERVED_START_REJECTED in faults:
        return INVALID, None
    reservation = store.reservation(reservation_id)
    if (
        reservation is None
        or reservation.charge_point_id != charge_point_id
        or reservation.state is not ReservationState.ACTIVE
    ):
        _LOG.warning(
            "%s: StartTransaction quotes reservation %s, which is not an active reservation of"
            " this charge point",
            charge_point_id,
            reservation_id,
        )
        return decision, None
    token = store.token(id_tag)
    parent = token.parent_id_tag if token is not None else None
    if Fault.RESERVATION_IGNORES_PARENT in faults and not _same(id_tag, reservation.id_tag):
        return INVALID, None
    if not serves(reservation, id_tag, parent):
        _LOG.warning(
            "%s: idTag %s does not hold reservation %s (made for %s)",
            charge_point_id,
            id_tag,
            reservation_id,
            reservation.id_tag,
        )
        return decision, None
    return decision, reservation
