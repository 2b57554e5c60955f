"""The OCPP 1.6 actions and who may initiate them.

This module owns the direction table: which side of the connection may send a CALL with a given
action. Sources: OCPP 1.6 edition 2 §4 "Operations Initiated by Charge Point" and §5 "Operations
Initiated by Central System" (28 actions, DataTransfer in both), and the OCPP 1.6 Security
Whitepaper edition 2 (11 actions). The schema set (``octt.validation.schemas``) is the authority on
which actions exist; a unit test keeps the two in agreement.
"""

from __future__ import annotations

from typing import Final

SENDER_CSMS: Final = "CSMS"
SENDER_CHARGE_POINT: Final = "charge point"
SENDERS: Final = frozenset({SENDER_CSMS, SENDER_CHARGE_POINT})

SPEC_CORE_DIRECTIONS: Final = (
    "OCPP 1.6 edition 2 §4 (operations initiated by Charge Point), "
    "§5 (operations initiated by Central System)"
)
SPEC_SECURITY_DIRECTIONS: Final = "OCPP 1.6 Security Whitepaper edition 2 (messages)"

# OCPP 1.6 edition 2 §4.
CORE_CHARGE_POINT_INITIATED: Final = frozenset(
    {
        "Authorize",
        "BootNotification",
        "DataTransfer",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
    }
)

# OCPP 1.6 edition 2 §5.
CORE_CSMS_INITIATED: Final = frozenset(
    {
        "CancelReservation",
        "ChangeAvailability",
        "ChangeConfiguration",
        "ClearCache",
        "ClearChargingProfile",
        "DataTransfer",
        "GetCompositeSchedule",
        "GetConfiguration",
        "GetDiagnostics",
        "GetLocalListVersion",
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "ReserveNow",
        "Reset",
        "SendLocalList",
        "SetChargingProfile",
        "TriggerMessage",
        "UnlockConnector",
        "UpdateFirmware",
    }
)

# OCPP 1.6 Security Whitepaper edition 2.
SECURITY_CHARGE_POINT_INITIATED: Final = frozenset(
    {
        "LogStatusNotification",
        "SecurityEventNotification",
        "SignCertificate",
        "SignedFirmwareStatusNotification",
    }
)
SECURITY_CSMS_INITIATED: Final = frozenset(
    {
        "CertificateSigned",
        "DeleteCertificate",
        "ExtendedTriggerMessage",
        "GetInstalledCertificateIds",
        "GetLog",
        "InstallCertificate",
        "SignedUpdateFirmware",
    }
)

CHARGE_POINT_INITIATED: Final = CORE_CHARGE_POINT_INITIATED | SECURITY_CHARGE_POINT_INITIATED
CSMS_INITIATED: Final = CORE_CSMS_INITIATED | SECURITY_CSMS_INITIATED
ALL_ACTIONS: Final = CHARGE_POINT_INITIATED | CSMS_INITIATED


def may_initiate(action: str, sender: str) -> bool | None:
    """Whether `sender` ("CSMS" or "charge point") may send a CALL with `action`; None when the
    action is not an OCPP 1.6 action at all."""
    if action not in ALL_ACTIONS:
        return None
    allowed = CSMS_INITIATED if sender == SENDER_CSMS else CHARGE_POINT_INITIATED
    return action in allowed


def direction_spec(action: str) -> str:
    """The spec sections that define who initiates `action`."""
    if action in SECURITY_CHARGE_POINT_INITIATED or action in SECURITY_CSMS_INITIATED:
        return SPEC_SECURITY_DIRECTIONS
    return SPEC_CORE_DIRECTIONS
