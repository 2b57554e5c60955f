"""Payload faults on the security whitepaper's CSMS-initiated CALLs."""

from __future__ import annotations

import json

from octt.pki import firmware
from octt.reference.faults import Fault
from octt.reference.wire import rewrite_outgoing


def rewritten(fault: Fault, action: str, payload: dict[str, object]) -> object:
    [frame] = rewrite_outgoing(json.dumps([2, "u1", action, payload]), None, frozenset({fault}))
    return json.loads(frame)[3]


def test_each_security_wire_fault() -> None:
    assert rewritten(
        Fault.INSTALL_CERTIFICATE_WRONG_TYPE,
        "InstallCertificate",
        {"certificateType": "ManufacturerRootCertificate", "certificate": "x"},
    ) == {"certificateType": "CentralSystemRootCertificate", "certificate": "x"}
    assert rewritten(
        Fault.GET_INSTALLED_CERTIFICATE_IDS_WRONG_TYPE,
        "GetInstalledCertificateIds",
        {"certificateType": "CentralSystemRootCertificate"},
    ) == {"certificateType": "ManufacturerRootCertificate"}
    trigger = {"requestedMessage": "SignChargePointCertificate"}
    assert rewritten(Fault.EXTENDED_TRIGGER_WRONG_MESSAGE, "ExtendedTriggerMessage", trigger) == {
        "requestedMessage": "BootNotification"
    }
    assert rewritten(Fault.EXTENDED_TRIGGER_WITH_CONNECTOR, "ExtendedTriggerMessage", trigger) == {
        **trigger,
        "connectorId": 1,
    }
    log = {"logType": "SecurityLog", "requestId": 1, "log": {"remoteLocation": "x"}}
    assert rewritten(Fault.GET_LOG_WRONG_TYPE, "GetLog", log) == {
        **log,
        "logType": "DiagnosticsLog",
    }
    update = {"requestId": 1, "firmware": {"signature": "AAAA", "location": "x"}}
    assert rewritten(
        Fault.SIGNED_UPDATE_FIRMWARE_WRONG_SIGNATURE, "SignedUpdateFirmware", update
    ) == {
        "requestId": 1,
        "firmware": {"signature": firmware.corrupted("AAAA"), "location": "x"},
    }


def test_other_actions_pass_unchanged() -> None:
    text = json.dumps([2, "u1", "GetLog", {"logType": "SecurityLog"}])
    assert rewrite_outgoing(text, None, frozenset({Fault.INSTALL_CERTIFICATE_WRONG_TYPE})) == [text]
