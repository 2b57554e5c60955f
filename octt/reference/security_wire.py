"""Payload faults on the security whitepaper's CSMS-initiated CALLs ("Improved security for
OCPP 1.6-J", edition 3): each rewrites the outgoing CALL so that one checked behaviour breaks.
`octt.reference.wire` applies them with its own table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from octt.pki import firmware
from octt.reference.faults import Fault

Payload = dict[str, Any]
Mutation = Callable[[Payload], None]

_OTHER_TYPE = {
    "CentralSystemRootCertificate": "ManufacturerRootCertificate",
    "ManufacturerRootCertificate": "CentralSystemRootCertificate",
}


def _swap_certificate_type(payload: Payload) -> None:
    kind = payload.get("certificateType")
    if isinstance(kind, str) and kind in _OTHER_TYPE:
        payload["certificateType"] = _OTHER_TYPE[kind]


def _other_trigger(payload: Payload) -> None:
    if payload.get("requestedMessage") == "SignChargePointCertificate":
        payload["requestedMessage"] = "BootNotification"


def _trigger_with_connector(payload: Payload) -> None:
    payload["connectorId"] = 1


def _diagnostics_log(payload: Payload) -> None:
    if payload.get("logType") == "SecurityLog":
        payload["logType"] = "DiagnosticsLog"


def _corrupt_signature(payload: Payload) -> None:
    firmware_type = payload.get("firmware")
    if isinstance(firmware_type, dict) and isinstance(firmware_type.get("signature"), str):
        firmware_type["signature"] = firmware.corrupted(firmware_type["signature"])


# (fault, action, mutation), applied in this order when several faults touch the same action.
CALL_MUTATIONS: tuple[tuple[Fault, str, Mutation], ...] = (
    (Fault.INSTALL_CERTIFICATE_WRONG_TYPE, "InstallCertificate", _swap_certificate_type),
    (
        Fault.GET_INSTALLED_CERTIFICATE_IDS_WRONG_TYPE,
        "GetInstalledCertificateIds",
        _swap_certificate_type,
    ),
    (Fault.EXTENDED_TRIGGER_WRONG_MESSAGE, "ExtendedTriggerMessage", _other_trigger),
    (Fault.EXTENDED_TRIGGER_WITH_CONNECTOR, "ExtendedTriggerMessage", _trigger_with_connector),
    (Fault.GET_LOG_WRONG_TYPE, "GetLog", _diagnostics_log),
    (Fault.SIGNED_UPDATE_FIRMWARE_WRONG_SIGNATURE, "SignedUpdateFirmware", _corrupt_signature),
)
