"""Harmless requests for `octt operator check`: per CSMS-initiated action, a payload that asks
for little (from the PICS test data) and the answer the simulated charge point gives to it.

Wherever OCPP 1.6 lets a charge point refuse, the answer refuses (Rejected, NotSupported,
Failed), so that checking an operator leaves nothing changed at the CSMS or the charge point;
where it cannot refuse (UpdateFirmware, GetDiagnostics), the answer is the empty one. The
security actions get a throwaway self-signed certificate made for the check.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from octt.clock import rfc3339
from octt.pki import certs
from octt.pki.hashdata import HashAlgorithm, hash_data


@dataclass(frozen=True)
class Harmless:
    """What to ask the operator for, and what the charge point answers."""

    payload: dict[str, Any]
    reply: dict[str, Any]


@cache
def _throwaway_certificate() -> tuple[str, dict[str, str]]:
    """A self-signed certificate (PEM) and its SHA-256 certificateHashData."""
    issued = certs.create_ca("octt operator check", certs.generate_key(certs.KeyType.ECDSA))
    data = hash_data(issued.certificate, HashAlgorithm.SHA256).to_json()
    return certs.certificate_pem(issued.certificate), data


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) and value and "{" not in value else default


def _connector(data: Mapping[str, Any]) -> int:
    value = data.get("connector_id")
    return value if isinstance(value, int) and value > 0 else 1


def _later(seconds: int) -> str:
    return rfc3339(datetime.now(UTC) + timedelta(seconds=seconds))


def _requests(data: Mapping[str, Any]) -> dict[str, Callable[[], Harmless]]:
    c = _connector(data)
    tag = _text(data, "valid_id_tag", "OCTT-CHECK")
    url = "https://octt.invalid/"
    rejected = {"status": "Rejected"}

    def pem() -> str:
        return _throwaway_certificate()[0]

    def hashed() -> dict[str, str]:
        return _throwaway_certificate()[1]

    profile = {
        "chargingProfileId": 9999, "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}],
        },
    }  # fmt: skip
    return {
        "CancelReservation": lambda: Harmless({"reservationId": 9999}, rejected),
        "CertificateSigned": lambda: Harmless({"certificateChain": pem()}, rejected),
        "ChangeAvailability": lambda: Harmless({"connectorId": c, "type": "Operative"}, rejected),
        "ChangeConfiguration": lambda: Harmless(
            {"key": "MeterValueSampleInterval", "value": "60"}, rejected
        ),
        "ClearCache": lambda: Harmless({}, rejected),
        "ClearChargingProfile": lambda: Harmless({"id": 9999}, {"status": "Unknown"}),
        "DataTransfer": lambda: Harmless(
            {"vendorId": _text(data, "unsupported_vendor_id", "org.octt.check")},
            {"status": "UnknownVendorId"},
        ),
        "DeleteCertificate": lambda: Harmless(
            {"certificateHashData": hashed()}, {"status": "NotFound"}
        ),
        "ExtendedTriggerMessage": lambda: Harmless({"requestedMessage": "Heartbeat"}, rejected),
        "GetCompositeSchedule": lambda: Harmless({"connectorId": c, "duration": 60}, rejected),
        "GetConfiguration": lambda: Harmless(
            {"key": ["HeartbeatInterval"]}, {"unknownKey": ["HeartbeatInterval"]}
        ),
        "GetDiagnostics": lambda: Harmless(
            {"location": _text(data, "diagnostics_location", url)}, {}
        ),
        "GetInstalledCertificateIds": lambda: Harmless(
            {"certificateType": "CentralSystemRootCertificate"}, {"status": "NotFound"}
        ),
        "GetLocalListVersion": lambda: Harmless({}, {"listVersion": -1}),
        "GetLog": lambda: Harmless(
            {
                "logType": "DiagnosticsLog",
                "requestId": 9999,
                "log": {"remoteLocation": _text(data, "log_location", url)},
            },
            rejected,
        ),
        "InstallCertificate": lambda: Harmless(
            {"certificateType": "ManufacturerRootCertificate", "certificate": pem()}, rejected
        ),
        "RemoteStartTransaction": lambda: Harmless({"connectorId": c, "idTag": tag}, rejected),
        "RemoteStopTransaction": lambda: Harmless({"transactionId": 9999}, rejected),
        "ReserveNow": lambda: Harmless(
            {"connectorId": c, "expiryDate": _later(300), "idTag": tag, "reservationId": 9999},
            rejected,
        ),
        "Reset": lambda: Harmless({"type": "Soft"}, rejected),
        "SendLocalList": lambda: Harmless(
            {"listVersion": 1, "updateType": "Differential", "localAuthorizationList": []},
            {"status": "NotSupported"},
        ),
        "SetChargingProfile": lambda: Harmless(
            {"connectorId": c, "csChargingProfiles": profile}, rejected
        ),
        "SignedUpdateFirmware": lambda: Harmless(
            {
                "requestId": 9999,
                "firmware": {
                    "location": _text(data, "signed_firmware_url", url),
                    "retrieveDateTime": _later(86400),
                    "signingCertificate": pem(),
                    "signature": base64.b64encode(b"octt operator check").decode("ascii"),
                },
            },
            rejected,
        ),
        "TriggerMessage": lambda: Harmless({"requestedMessage": "Heartbeat"}, rejected),
        "UnlockConnector": lambda: Harmless({"connectorId": c}, {"status": "NotSupported"}),
        "UpdateFirmware": lambda: Harmless(
            {"location": _text(data, "firmware_url", url), "retrieveDate": _later(86400)}, {}
        ),
    }


def harmless(action: str, test_data: Mapping[str, Any]) -> Harmless | None:
    """The harmless request for `action` (None for an action octt has none for)."""
    make = _requests(test_data).get(action)
    return make() if make is not None else None


def known_actions() -> frozenset[str]:
    return frozenset(_requests({}))
