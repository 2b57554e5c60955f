"""The tolerance policy: which CALLs beside the script are harmless and which interfere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from octt.catalog.loader import load_catalog
from octt.chargepoint.model import ChargePointState, Transaction
from octt.engine.checks import CHECKS
from octt.engine.tolerance import CaseSubject, case_subject, interference, judge
from octt.findings import Severity

CATALOG = load_catalog(known_checks=frozenset(CHECKS))
NOTHING = CaseSubject(frozenset(), "")


def cp_with_transaction(transaction_id: int = 42) -> ChargePointState:
    cp = ChargePointState.create("CP", "V", "M", 2, default_id_tag="T", default_connector_id=1)
    tx = Transaction(1, "T", 0, datetime(2026, 1, 1, tzinfo=UTC), transaction_id)
    cp.connector(1).transaction = tx
    return cp


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("GetConfiguration", {}),
        ("GetConfiguration", {"key": ["HeartbeatInterval"]}),
        ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "300"}),
        ("TriggerMessage", {"requestedMessage": "StatusNotification"}),
        ("TriggerMessage", {"requestedMessage": "Heartbeat"}),
        ("DataTransfer", {"vendorId": "x"}),
        ("GetDiagnostics", {"location": "ftp://x/"}),
        ("RemoteStopTransaction", {"transactionId": 7}),  # not a transaction of ours
        ("ChangeAvailability", {"connectorId": 1, "type": "Operative"}),
        ("ChangeAvailability", {"connectorId": 2, "type": "Inoperative"}),
    ],
)
def test_harmless(action: str, payload: dict[str, Any]) -> None:
    assert interference(action, payload, cp_with_transaction(), NOTHING) is None


@pytest.mark.parametrize(
    ("action", "payload", "words"),
    [
        ("RemoteStopTransaction", {"transactionId": 42}, "transaction under test"),
        ("Reset", {"type": "Soft"}, "reboots"),
        ("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}, "connector in use"),
        ("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, "whole charge point"),
        ("UnlockConnector", {"connectorId": 1}, "connector in use"),
        ("RemoteStartTransaction", {"idTag": "T"}, "starts a transaction"),
        ("ChangeConfiguration", {"key": "AuthorizationKey", "value": "00" * 20}, "uses"),
    ],
)
def test_interfering(action: str, payload: dict[str, Any], words: str) -> None:
    why = interference(action, payload, cp_with_transaction(), NOTHING)
    assert why is not None and words in why


def test_a_case_subject_is_what_its_scenario_scripts() -> None:
    reservation = case_subject(CATALOG.case("TC_046_CSMS"), CATALOG)
    assert "ReserveNow" in reservation.scripted
    cp = cp_with_transaction()
    why = interference("CancelReservation", {"reservationId": 1}, cp, reservation)
    assert why is None or "CancelReservation" in why
    assert interference("ReserveNow", {"connectorId": 2}, cp, reservation) is not None
    local_list = case_subject(CATALOG.case("TC_043_1_CSMS"), CATALOG)
    assert interference("SendLocalList", {"listVersion": 9}, cp, local_list) is not None
    assert interference("ClearCache", {}, cp, local_list) is not None
    core = case_subject(CATALOG.case("TC_001_CSMS"), CATALOG)
    assert interference("SendLocalList", {"listVersion": 9}, cp, core) is None


def test_a_key_the_case_uses_interferes_unless_set_to_what_it_is() -> None:
    subject = CaseSubject(frozenset(), "MeterValueSampleInterval")
    cp = cp_with_transaction()
    current = cp.config.get("MeterValueSampleInterval")
    same = {"key": "MeterValueSampleInterval", "value": current}
    assert interference("ChangeConfiguration", same, cp, subject) is None
    other = {"key": "MeterValueSampleInterval", "value": str(int(current) + 7)}
    assert interference("ChangeConfiguration", other, cp, subject) is not None


def test_judge_grades_info_error_and_strict() -> None:
    cp = cp_with_transaction()
    harmless = judge("GetConfiguration", {}, cp, NOTHING, strict=False, frames=(3,))
    assert (harmless.severity, harmless.rule, harmless.frames) == (
        Severity.INFO,
        "unexpected-call",
        (3,),
    )
    bad = judge("Reset", {"type": "Hard"}, cp, NOTHING, strict=False, frames=())
    assert (bad.severity, bad.rule) == (Severity.ERROR, "unexpected-call.interfering")
    strict = judge("GetConfiguration", {}, cp, NOTHING, strict=True, frames=())
    assert strict.severity is Severity.ERROR and "strict" in strict.message
