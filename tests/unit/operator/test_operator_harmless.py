"""The harmless requests of `octt operator check`: valid OCPP 1.6 both ways, refusing."""

from __future__ import annotations

import pytest

from octt.operator.harmless import harmless, known_actions
from octt.reference.actions import CENTRAL_SYSTEM_ACTIONS
from octt.validation.schemas import SchemaSet

DATA = {"connector_id": 2, "valid_id_tag": "TAG-1", "firmware_url": "{trigger_api}/fw.bin"}


def test_every_central_system_action_has_one() -> None:
    assert known_actions() == CENTRAL_SYSTEM_ACTIONS


@pytest.mark.parametrize("action", sorted(CENTRAL_SYSTEM_ACTIONS))
def test_request_and_reply_are_schema_valid(action: str) -> None:
    request = harmless(action, DATA)
    assert request is not None
    schemas = SchemaSet.load()
    assert schemas.request_errors(action, request.payload) == []
    assert schemas.response_errors(action, request.reply) == []
    # Refuse wherever the answer has a status to refuse with.
    assert request.reply.get("status") not in ("Accepted", "Unlocked")


def test_test_data_is_used_and_placeholders_are_not() -> None:
    start = harmless("RemoteStartTransaction", DATA)
    assert start is not None and start.payload == {"connectorId": 2, "idTag": "TAG-1"}
    firmware = harmless("UpdateFirmware", DATA)
    assert firmware is not None and firmware.payload["location"] == "https://octt.invalid/"
    assert harmless("BootNotification", DATA) is None
