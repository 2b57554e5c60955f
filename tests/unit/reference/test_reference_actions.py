"""Trigger-API actions: kebab-case mapping and payload schema checks."""

from __future__ import annotations

import pytest

from octt.reference.actions import (
    CENTRAL_SYSTEM_ACTIONS,
    ActionError,
    action_from_kebab,
    library_actions,
    schema_problem,
)
from octt.reference.server import ReferenceConfig, charge_point_id_from_path


def test_every_central_system_action_is_known_to_the_ocpp_library() -> None:
    assert len(CENTRAL_SYSTEM_ACTIONS) == 26
    assert library_actions() >= CENTRAL_SYSTEM_ACTIONS
    for action in CENTRAL_SYSTEM_ACTIONS:
        # Every one has a request schema in the library (an empty payload is judged by it).
        schema_problem(action, {})


@pytest.mark.parametrize(
    ("kebab", "action"),
    [
        ("remote-start-transaction", "RemoteStartTransaction"),
        ("clear-cache", "ClearCache"),
        ("reset", "Reset"),
        ("get-installed-certificate-ids", "GetInstalledCertificateIds"),
        ("extended-trigger-message", "ExtendedTriggerMessage"),
        ("data-transfer", "DataTransfer"),
    ],
)
def test_kebab_to_action(kebab: str, action: str) -> None:
    assert action_from_kebab(kebab) == action


@pytest.mark.parametrize(
    ("kebab", "why"),
    [
        ("RemoteStartTransaction", "kebab-case"),
        ("remote_start", "kebab-case"),
        ("fly-to-the-moon", "not an OCPP 1.6 action"),
        ("boot-notification", "sent by a charge point"),
        ("start-transaction", "sent by a charge point"),
    ],
)
def test_refused_actions(kebab: str, why: str) -> None:
    with pytest.raises(ActionError, match=why):
        action_from_kebab(kebab)


def test_schema_problem() -> None:
    assert schema_problem("ClearCache", {}) is None
    assert schema_problem("RemoteStartTransaction", {"idTag": "A", "connectorId": 1}) is None
    assert "idTag" in (schema_problem("RemoteStartTransaction", {}) or "")
    assert "Medium" in (schema_problem("Reset", {"type": "Medium"}) or "")
    problem = schema_problem("UnlockConnector", {"connectorId": "1"})
    assert problem is not None and problem.startswith("connectorId")


def test_charge_point_id_from_path() -> None:
    assert charge_point_id_from_path("/OCTT-CP-001") == "OCTT-CP-001"
    assert charge_point_id_from_path("/ocpp/1.6/CP%201?token=x") == "CP 1"
    assert charge_point_id_from_path("/ocpp/") is None
    assert charge_point_id_from_path("/") is None


def test_reference_config_checks_its_values() -> None:
    config = ReferenceConfig()
    assert config.port == 0 and config.heartbeat_interval_s == 300
    assert any(token.id_tag == "OCTT-VALID-01" for token in config.seed.tokens)
    with pytest.raises(ValueError):
        ReferenceConfig(port=70000)
    with pytest.raises(ValueError):
        ReferenceConfig(call_timeout_s=0)
    with pytest.raises(ValueError):
        ReferenceConfig(faults=frozenset({"no-such-fault"}))  # type: ignore[arg-type]
