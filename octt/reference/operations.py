"""What the reference CSMS adds to a call the trigger API asks for, and what it keeps from the
answer, for the Local Auth List Management and Reservation profiles.

The trigger API's body says what the operator wants (DESIGN.md: the payload the CSMS should
send); the parts a Central System owns, it decides itself, as a real CSMS behind a UI would:

- ReserveNow (OCPP 1.6 §5.13): the CSMS numbers its reservations (the body's reservationId is
  replaced by a fresh one from the store) and adds the idTag's parentIdTag when the operator
  gave none and the idTag has one; the answer makes the reservation active or refused.
- CancelReservation (§5.1): an Accepted answer cancels the stored reservation.
- SendLocalList (§5.15): the idTagInfo of every entry comes from the CSMS's own idTags (a Full
  update without entries lists all of them), the listVersion is one above the list the charge
  point last accepted; an Accepted answer stores the new list.
- The security whitepaper (ed.3): ChangeConfiguration of AuthorizationKey carries a password the
  CSMS makes itself (A01), stored when the charge point accepts it; an accepted SecurityProfile
  change holds the charge point at the new profile from then on (A05), refusing the old one;
  InstallCertificate remembers the root installed (M05), and DeleteCertificate's
  certificateHashData is the CSMS's own computation for a root it installed (M04).

Other actions pass through unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from octt.clock import rfc3339
from octt.pki import certs
from octt.pki.certs import CertificateError
from octt.pki.hashdata import HashAlgorithm
from octt.reference import security
from octt.reference.auth import IdTagDecision, decide
from octt.reference.faults import Fault
from octt.reference.store import ReservationState, Store

_LOG = logging.getLogger("octt.reference.operations")


def id_tag_info(decision: IdTagDecision) -> dict[str, Any]:
    """An IdTagInfo (§7.26) as JSON."""
    info: dict[str, Any] = {"status": decision.status.value}
    if decision.parent_id_tag is not None:
        info["parentIdTag"] = decision.parent_id_tag
    if decision.expiry_date is not None:
        info["expiryDate"] = rfc3339(decision.expiry_date)
    return info


def prepare(
    action: str,
    payload: Mapping[str, Any],
    store: Store,
    charge_point_id: str,
    now: datetime,
    faults: frozenset[Fault],
) -> dict[str, Any]:
    """The payload the CSMS sends for the operator's `payload` (already schema-valid)."""
    if action == "ReserveNow":
        return _prepare_reservation(payload, store, charge_point_id)
    if action == "SendLocalList":
        return _prepare_local_list(payload, store, charge_point_id, now, faults)
    if action == "ChangeConfiguration" and payload.get("key") == "AuthorizationKey":
        return {**payload, "value": security.new_authorization_key(faults)}
    if action == "DeleteCertificate":
        return _prepare_delete_certificate(payload, store, charge_point_id, faults)
    if action == "CancelReservation" and Fault.CANCEL_RESERVATION_ACTIVE_ID in faults:
        active = store.latest_active_reservation(charge_point_id)
        if active is not None:
            return {**payload, "reservationId": active}
    return dict(payload)


def record(
    action: str,
    sent: Mapping[str, Any],
    answer: Mapping[str, Any] | None,
    store: Store,
    charge_point_id: str,
    faults: frozenset[Fault] = frozenset(),
) -> None:
    """Keep what the charge point's answer (None: no CALLRESULT) means for the CSMS's state."""
    status = answer.get("status") if answer is not None else None
    if action == "ReserveNow":
        state = ReservationState.ACTIVE if status == "Accepted" else ReservationState.REFUSED
        store.set_reservation_state(int(sent["reservationId"]), state)
    elif action == "CancelReservation" and status == "Accepted":
        reservation_id = sent.get("reservationId")
        if isinstance(reservation_id, int) and store.reservation(reservation_id) is not None:
            store.set_reservation_state(reservation_id, ReservationState.CANCELLED)
    elif action == "SendLocalList" and status == "Accepted":
        _record_local_list(sent, store, charge_point_id)
    elif action == "ChangeConfiguration" and status == "Accepted":
        _record_security_configuration(sent, store, charge_point_id, faults)
    elif action == "InstallCertificate" and status == "Accepted":
        try:
            certificate = certs.load_certificates(str(sent.get("certificate", "")))[0]
        except CertificateError:
            return
        store.add_installed_certificate(
            charge_point_id,
            certs.serial_hex(certificate),
            str(sent.get("certificateType")),
            str(sent["certificate"]),
        )
    elif action == "DeleteCertificate" and status == "Accepted":
        data = sent.get("certificateHashData")
        serial = data.get("serialNumber") if isinstance(data, Mapping) else None
        if isinstance(serial, str):
            store.remove_installed_certificate(charge_point_id, serial.lower().lstrip("0"))


def _record_security_configuration(
    sent: Mapping[str, Any], store: Store, charge_point_id: str, faults: frozenset[Fault]
) -> None:
    key, value = sent.get("key"), sent.get("value")
    if not isinstance(value, str):
        return
    if key == "AuthorizationKey" and Fault.AUTHORIZATION_KEY_NOT_STORED not in faults:
        # A01: from now on the charge point authenticates with the new password.
        store.set_password(charge_point_id, value)
        _LOG.info("%s: new Basic-auth password stored", charge_point_id)
    elif key == "SecurityProfile" and value.isdigit():
        # A05: the charge point is held at the new profile; connections below it are refused.
        store.set_security_profile(charge_point_id, int(value))
        _LOG.info("%s: security profile %s", charge_point_id, value)


def _prepare_delete_certificate(
    payload: Mapping[str, Any], store: Store, charge_point_id: str, faults: frozenset[Fault]
) -> dict[str, Any]:
    data = payload.get("certificateHashData")
    if not isinstance(data, Mapping):
        return dict(payload)
    certificate = security.certificate_for(store.installed_certificates(charge_point_id), data)
    if certificate is None:
        return dict(payload)  # not a root this CSMS installed: sent as the operator gave it
    try:
        algorithm = HashAlgorithm(str(data.get("hashAlgorithm")))
    except ValueError:
        algorithm = HashAlgorithm.SHA256
    return {
        **payload,
        "certificateHashData": security.delete_hash_data(certificate, algorithm, faults),
    }


def _prepare_reservation(
    payload: Mapping[str, Any], store: Store, charge_point_id: str
) -> dict[str, Any]:
    prepared = dict(payload)
    id_tag = str(payload["idTag"])
    if "parentIdTag" not in prepared:
        token = store.token(id_tag)
        if token is not None and token.parent_id_tag is not None:
            prepared["parentIdTag"] = token.parent_id_tag
    prepared["reservationId"] = store.create_reservation(
        charge_point_id,
        connector_id=int(payload["connectorId"]),
        id_tag=id_tag,
        parent_id_tag=prepared.get("parentIdTag"),
        expiry_date=str(payload["expiryDate"]),
    )
    return prepared


def _prepare_local_list(
    payload: Mapping[str, Any],
    store: Store,
    charge_point_id: str,
    now: datetime,
    faults: frozenset[Fault],
) -> dict[str, Any]:
    asked = payload.get("localAuthorizationList")
    if asked is None and payload.get("updateType") == "Full":
        asked = [{"idTag": token.id_tag, "idTagInfo": {}} for token in store.tokens()]
    entries: list[dict[str, Any]] = []
    for entry in asked or []:
        id_tag = str(entry["idTag"])
        built: dict[str, Any] = {"idTag": id_tag}
        if "idTagInfo" in entry:  # without idTagInfo a Differential entry removes the idTag
            built["idTagInfo"] = id_tag_info(decide(store.token(id_tag), now, faults))
        entries.append(built)
    version, _ = store.local_list(charge_point_id)
    prepared = {**payload, "listVersion": version + 1, "localAuthorizationList": entries}
    if not entries:
        del prepared["localAuthorizationList"]
    return prepared


def _record_local_list(sent: Mapping[str, Any], store: Store, charge_point_id: str) -> None:
    _, installed = store.local_list(charge_point_id)
    sent_entries = [dict(e) for e in sent.get("localAuthorizationList") or []]
    if sent.get("updateType") == "Full":
        entries = sent_entries
    else:
        by_tag = {str(e["idTag"]).casefold(): e for e in installed}
        for entry in sent_entries:
            key = str(entry["idTag"]).casefold()
            if "idTagInfo" in entry:
                by_tag[key] = entry
            else:
                by_tag.pop(key, None)
        entries = list(by_tag.values())
    store.set_local_list(charge_point_id, int(sent["listVersion"]), entries)
    _LOG.info(
        "%s: local list version %s installed (%d idTags)",
        charge_point_id,
        sent["listVersion"],
        len(entries),
    )
