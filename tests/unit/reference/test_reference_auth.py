"""idTagInfo decisions of the reference CSMS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from octt.reference.auth import IdTagDecision, decide
from octt.reference.faults import Fault
from octt.reference.store import TokenRecord, TokenStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NONE: frozenset[Fault] = frozenset()


def test_unknown_tag_is_invalid() -> None:
    assert decide(None, NOW, NONE) == IdTagDecision(TokenStatus.INVALID)


def test_stored_status_parent_and_expiry_are_answered() -> None:
    later = NOW + timedelta(days=1)
    record = TokenRecord("C", TokenStatus.ACCEPTED, "P", later)
    assert decide(record, NOW, NONE) == IdTagDecision(TokenStatus.ACCEPTED, "P", later)
    for status in (TokenStatus.BLOCKED, TokenStatus.EXPIRED, TokenStatus.INVALID):
        assert decide(TokenRecord("T", status), NOW, NONE).status is status


def test_accepted_tag_past_its_expiry_date_is_expired() -> None:
    earlier = NOW - timedelta(seconds=1)
    decision = decide(TokenRecord("T", TokenStatus.ACCEPTED, None, earlier), NOW, NONE)
    assert decision == IdTagDecision(TokenStatus.EXPIRED, None, earlier)


def test_faults_on_the_decision() -> None:
    accepts_unknown = frozenset({Fault.AUTHORIZE_ACCEPTS_UNKNOWN})
    assert decide(None, NOW, accepts_unknown).status is TokenStatus.ACCEPTED
    ignore = frozenset({Fault.IGNORE_TAG_STATUS})
    for status in (TokenStatus.BLOCKED, TokenStatus.EXPIRED):
        assert decide(TokenRecord("T", status), NOW, ignore).status is TokenStatus.ACCEPTED
    assert decide(TokenRecord("T", TokenStatus.INVALID), NOW, ignore).status is TokenStatus.INVALID
