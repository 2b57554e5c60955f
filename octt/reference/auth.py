"""How the reference CSMS decides the idTagInfo of an idTag (OCPP 1.6 §7, type IdTagInfo).

Owns the mapping from what the store holds about an idTag to the status the CSMS answers,
including the faults that corrupt that decision for every message (unknown tags accepted,
Blocked/Expired ignored). Faults that concern one message only live in its handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from octt.reference.faults import Fault
from octt.reference.store import TokenRecord, TokenStatus


@dataclass(frozen=True)
class IdTagDecision:
    """The idTagInfo the CSMS answers: status, and parentIdTag / expiryDate when set."""

    status: TokenStatus
    parent_id_tag: str | None = None
    expiry_date: datetime | None = None


INVALID = IdTagDecision(TokenStatus.INVALID)


def decide(record: TokenRecord | None, now: datetime, faults: frozenset[Fault]) -> IdTagDecision:
    """The idTagInfo for an idTag the store returned as `record` (None: unknown to the CSMS)."""
    if record is None:
        # An idTag unknown to the Central System is Invalid (§4.1 Authorize; AuthorizationStatus).
        if Fault.AUTHORIZE_ACCEPTS_UNKNOWN in faults:
            return IdTagDecision(TokenStatus.ACCEPTED)
        return INVALID
    status = record.status
    if (
        status is TokenStatus.ACCEPTED
        and record.expiry_date is not None
        and record.expiry_date <= now
    ):
        # Past its expiryDate an idTag is no longer valid (IdTagInfo.expiryDate).
        status = TokenStatus.EXPIRED
    if status in (TokenStatus.BLOCKED, TokenStatus.EXPIRED) and Fault.IGNORE_TAG_STATUS in faults:
        return IdTagDecision(TokenStatus.ACCEPTED, record.parent_id_tag)
    return IdTagDecision(status, record.parent_id_tag, record.expiry_date)
