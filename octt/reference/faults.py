"""Fault switches of the reference CSMS: each one breaks exactly one checked behaviour on purpose.

Owns the `Fault` enum (kebab-case names as given on the command line), the one-line description
of each fault, the layer that applies it, and parsing of fault names. The reference CSMS with no
fault switched on is meant to pass every applicable octt case; each fault exists so that at least
one case can be shown to FAIL against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class FaultLayer(StrEnum):
    """Where a fault is applied."""

    HANDLER = "handler"  # the OCPP message handlers decide differently
    TRIGGER = "trigger"  # the trigger API mishandles a CSMS-initiated call
    WIRE = "wire"  # an outgoing frame is rewritten after the ocpp library produced it
    HANDSHAKE = "handshake"  # the WebSocket upgrade admits what it must refuse
    TLS = "tls"  # the TLS server is weakened (certificate, versions, cipher suites)


class Fault(StrEnum):
    # Behaviour faults, applied by the message handlers.
    BOOT_REJECTED = "boot-rejected"
    HEARTBEAT_BAD_TIME = "heartbeat-bad-time"
    HEARTBEAT_CALLERROR = "heartbeat-callerror"
    AUTHORIZE_REJECTS_VALID = "authorize-rejects-valid"
    AUTHORIZE_ACCEPTS_UNKNOWN = "authorize-accepts-unknown"
    IGNORE_TAG_STATUS = "ignore-tag-status"
    START_TRANSACTION_REJECTED = "start-transaction-rejected"
    START_REQUIRES_AUTHORIZE = "start-requires-authorize"
    REJECT_PAST_TIMESTAMPS = "reject-past-timestamps"
    STATUS_NOTIFICATION_CALLERROR = "status-notification-callerror"
    DATA_TRANSFER_CALLERROR = "data-transfer-callerror"
    DATA_TRANSFER_ACCEPTED = "data-transfer-accepted"
    SLOW_AUTHORIZE = "slow-authorize"
    # Robustness: a malformed CALL taken as if it were valid.
    START_TRANSACTION_ACCEPTS_MALFORMED = "start-transaction-accepts-malformed"
    # Faults of the trigger API.
    DROP_TRIGGERED_CALLS = "drop-triggered-calls"
    # Payload faults on CSMS-initiated calls, applied to the outgoing CALL frame.
    CLEAR_CACHE_EXTRA_FIELD = "clear-cache-extra-field"
    REMOTE_START_MISSING_IDTAG = "remote-start-missing-idtag"
    REMOTE_STOP_WRONG_TRANSACTION = "remote-stop-wrong-transaction"
    REMOTE_STOP_STRING_ID = "remote-stop-string-id"
    RESET_WRONG_TYPE = "reset-wrong-type"
    UNLOCK_STRING_CONNECTOR = "unlock-string-connector"
    GET_CONFIGURATION_WRONG_KEYS = "get-configuration-wrong-keys"
    CHANGE_CONFIGURATION_WRONG_VALUE = "change-configuration-wrong-value"
    CHANGE_CONFIGURATION_NUMERIC_VALUE = "change-configuration-numeric-value"
    # Firmware Management (incl. diagnostics).
    FIRMWARE_FAILURE_CALLERROR = "firmware-failure-status-callerror"
    DIAGNOSTICS_UPLOAD_FAILED_CALLERROR = "diagnostics-upload-failed-callerror"
    UPDATE_FIRMWARE_WRONG_LOCATION = "update-firmware-wrong-location"
    GET_DIAGNOSTICS_RELATIVE_LOCATION = "get-diagnostics-relative-location"
    # Smart Charging: payload faults on SetChargingProfile, ClearChargingProfile,
    # GetCompositeSchedule and RemoteStartTransaction's chargingProfile.
    SET_PROFILE_WRONG_PURPOSE = "set-charging-profile-wrong-purpose"
    SET_PROFILE_WRONG_STACK_LEVEL = "set-charging-profile-wrong-stack-level"
    SET_PROFILE_RECURRING = "set-charging-profile-recurring"
    SET_PROFILE_MISSING_VALID_FROM = "set-charging-profile-missing-valid-from"
    SET_PROFILE_STRAY_TRANSACTION_ID = "set-charging-profile-stray-transaction-id"
    SET_PROFILE_WRONG_TRANSACTION = "set-charging-profile-wrong-transaction"
    SET_PROFILE_SINGLE_PHASE = "set-charging-profile-single-phase"
    CLEAR_PROFILE_WRONG_CRITERIA = "clear-charging-profile-wrong-criteria"
    GET_COMPOSITE_WRONG_DURATION = "get-composite-schedule-wrong-duration"
    GET_COMPOSITE_WRONG_UNIT = "get-composite-schedule-wrong-unit"
    REMOTE_START_WITHOUT_PROFILE = "remote-start-without-charging-profile"
    REMOTE_START_RELATIVE_WITH_START = "remote-start-relative-with-start-schedule"
    REMOTE_START_ABSOLUTE_PROFILE = "remote-start-absolute-charging-profile"
    # Local Auth List Management, Reservation and Remote Trigger: payload faults on the CALLs of
    # these profiles (octt.reference.profile_wire), and how reservations are honoured.
    GET_LOCAL_LIST_VERSION_EXTRA_FIELD = "get-local-list-version-extra-field"
    SEND_LOCAL_LIST_WRONG_TYPE = "send-local-list-wrong-type"
    SEND_LOCAL_LIST_NO_ID_TAG_INFO = "send-local-list-no-idtaginfo"
    SEND_LOCAL_LIST_STALE_VERSION = "send-local-list-stale-version"
    RESERVE_NOW_WRONG_CONNECTOR = "reserve-now-wrong-connector"
    RESERVE_NOW_ANY_CONNECTOR = "reserve-now-any-connector"
    RESERVE_NOW_WRONG_ID_TAG = "reserve-now-wrong-idtag"
    RESERVE_NOW_LATE_EXPIRY = "reserve-now-late-expiry"
    CANCEL_RESERVATION_WRONG_ID = "cancel-reservation-wrong-id"
    CANCEL_RESERVATION_STRING_ID = "cancel-reservation-string-id"
    CANCEL_RESERVATION_ACTIVE_ID = "cancel-reservation-active-id"
    CHANGE_AVAILABILITY_OPERATIVE = "change-availability-operative"
    CHANGE_AVAILABILITY_WRONG_CONNECTOR = "change-availability-wrong-connector"
    TRIGGER_MESSAGE_WRONG_MESSAGE = "trigger-message-wrong-message"
    TRIGGER_MESSAGE_WRONG_CONNECTOR = "trigger-message-wrong-connector"
    RESERVED_START_REJECTED = "reserved-start-rejected"
    RESERVATION_IGNORES_PARENT = "reservation-ignores-parent"
    AUTHORIZE_NO_PARENT = "authorize-no-parent-id-tag"
    AUTHORIZE_WRONG_PARENT = "authorize-wrong-parent-id-tag"
    # Wire faults on the CSMS's answers (schema or framing violations the ocpp library would
    # refuse to produce itself).
    STOP_TRANSACTION_EXTRA_FIELD = "stop-transaction-extra-field"
    UNKNOWN_UNIQUE_ID = "unknown-unique-id"
    GARBAGE_AFTER_BOOT = "garbage-after-boot"
    BOOT_EXTRA_PROPERTY = "boot-extra-property"
    BOOT_MISSING_INTERVAL = "boot-missing-interval"
    BOOT_INTERVAL_STRING = "boot-interval-string"
    BOOT_BAD_DATETIME = "boot-bad-datetime"
    # The security whitepaper (ed.3): connection security (handshake and TLS), the charge point
    # certificate, AuthorizationKey, root certificates, logs, signed firmware, security events.
    ACCEPTS_MISSING_CREDENTIALS = "accepts-missing-credentials"
    ACCEPTS_LOWER_SECURITY_PROFILE = "accepts-lower-security-profile"
    ACCEPTS_EXPIRED_CLIENT_CERTIFICATE = "accepts-expired-client-certificate"
    ACCEPTS_ANY_SUBPROTOCOL = "accepts-any-subprotocol"
    TLS_MISSING_CIPHER_SUITES = "tls-missing-cipher-suites"
    TLS_ALLOWS_LEGACY_VERSIONS = "tls-allows-legacy-versions"
    SERVER_CERTIFICATE_WRONG_CN = "server-certificate-wrong-cn"
    SERVER_CERTIFICATE_WRONG_HOST = "server-certificate-wrong-host"
    SERVER_CERTIFICATE_UNTRUSTED = "server-certificate-untrusted"
    SIGN_CERTIFICATE_REJECTED = "sign-certificate-rejected"
    CERTIFICATE_SIGNED_WRONG_KEY = "certificate-signed-wrong-key"
    CERTIFICATE_SIGNED_WRONG_CN = "certificate-signed-wrong-cn"
    CERTIFICATE_SIGNED_NOT_PEM = "certificate-signed-not-pem"
    AUTHORIZATION_KEY_TOO_SHORT = "authorization-key-too-short"
    AUTHORIZATION_KEY_NOT_HEX = "authorization-key-not-hex"
    AUTHORIZATION_KEY_NOT_STORED = "authorization-key-not-stored"
    DELETE_CERTIFICATE_SHA256_ONLY = "delete-certificate-sha256-only"
    DELETE_CERTIFICATE_SPKI_KEY_HASH = "delete-certificate-spki-key-hash"
    DELETE_CERTIFICATE_PADDED_SERIAL = "delete-certificate-padded-serial"
    SECURITY_EVENT_CALLERROR = "security-event-callerror"
    LOG_STATUS_CALLERROR = "log-status-callerror"
    SIGNED_FIRMWARE_STATUS_CALLERROR = "signed-firmware-status-callerror"
    INSTALL_CERTIFICATE_WRONG_TYPE = "install-certificate-wrong-type"
    GET_INSTALLED_CERTIFICATE_IDS_WRONG_TYPE = "get-installed-certificate-ids-wrong-type"
    EXTENDED_TRIGGER_WRONG_MESSAGE = "extended-trigger-message-wrong-message"
    EXTENDED_TRIGGER_WITH_CONNECTOR = "extended-trigger-message-with-connector"
    GET_LOG_WRONG_TYPE = "get-log-wrong-type"
    SIGNED_UPDATE_FIRMWARE_WRONG_SIGNATURE = "signed-update-firmware-wrong-signature"
    # Interoperability: a CSMS clock that is off, and a CALL beside the script that interferes.
    CURRENT_TIME_STALE = "current-time-stale"
    INTERFERING_REMOTE_STOP = "interfering-remote-stop"


_DESCRIPTIONS: dict[Fault, tuple[FaultLayer, str]] = {
    Fault.BOOT_REJECTED: (FaultLayer.HANDLER, "BootNotification.conf has status Rejected"),
    Fault.HEARTBEAT_BAD_TIME: (
        FaultLayer.HANDLER,
        "Heartbeat.conf currentTime is not RFC 3339 (e.g. '2026-01-01 10:00:00')",
    ),
    Fault.HEARTBEAT_CALLERROR: (
        FaultLayer.HANDLER,
        "Heartbeat is answered with CALLERROR InternalError",
    ),
    Fault.AUTHORIZE_REJECTS_VALID: (
        FaultLayer.HANDLER,
        "Authorize.conf idTagInfo.status is Invalid for every idTag",
    ),
    Fault.AUTHORIZE_ACCEPTS_UNKNOWN: (
        FaultLayer.HANDLER,
        "unknown idTags are Accepted (Authorize and StartTransaction)",
    ),
    Fault.IGNORE_TAG_STATUS: (
        FaultLayer.HANDLER,
        "Blocked and Expired idTags are answered Accepted",
    ),
    Fault.START_TRANSACTION_REJECTED: (
        FaultLayer.HANDLER,
        "StartTransaction.conf idTagInfo.status is Invalid always",
    ),
    Fault.START_REQUIRES_AUTHORIZE: (
        FaultLayer.HANDLER,
        "StartTransaction is Invalid unless the idTag was authorized earlier on the connection",
    ),
    Fault.REJECT_PAST_TIMESTAMPS: (
        FaultLayer.HANDLER,
        "StartTransaction with a timestamp more than 60 s in the past is answered Invalid",
    ),
    Fault.STATUS_NOTIFICATION_CALLERROR: (
        FaultLayer.HANDLER,
        "StatusNotification with status Faulted is answered with CALLERROR InternalError",
    ),
    Fault.DATA_TRANSFER_CALLERROR: (
        FaultLayer.HANDLER,
        "DataTransfer is answered with CALLERROR NotImplemented",
    ),
    Fault.DATA_TRANSFER_ACCEPTED: (
        FaultLayer.HANDLER,
        "DataTransfer.conf has status Accepted for any vendorId",
    ),
    Fault.SLOW_AUTHORIZE: (FaultLayer.HANDLER, "Authorize.conf is sent 0.5 s late"),
    Fault.START_TRANSACTION_ACCEPTS_MALFORMED: (
        FaultLayer.HANDLER,
        "a schema-invalid StartTransaction.req is answered with a CALLRESULT (Accepted) instead"
        " of a CALLERROR",
    ),
    Fault.DROP_TRIGGERED_CALLS: (
        FaultLayer.TRIGGER,
        "the trigger API answers 'dropped' and never sends the call",
    ),
    Fault.CLEAR_CACHE_EXTRA_FIELD: (
        FaultLayer.WIRE,
        "ClearCache.req carries an extra property",
    ),
    Fault.REMOTE_START_MISSING_IDTAG: (
        FaultLayer.WIRE,
        "RemoteStartTransaction.req is sent without idTag",
    ),
    Fault.REMOTE_STOP_WRONG_TRANSACTION: (
        FaultLayer.WIRE,
        "RemoteStopTransaction.req transactionId is the requested one + 1000",
    ),
    Fault.REMOTE_STOP_STRING_ID: (
        FaultLayer.WIRE,
        "RemoteStopTransaction.req transactionId is sent as a JSON string",
    ),
    Fault.RESET_WRONG_TYPE: (
        FaultLayer.WIRE,
        "Reset.req type is swapped (Hard sent as Soft, Soft as Hard)",
    ),
    Fault.UNLOCK_STRING_CONNECTOR: (
        FaultLayer.WIRE,
        "UnlockConnector.req connectorId is sent as a JSON string",
    ),
    Fault.GET_CONFIGURATION_WRONG_KEYS: (
        FaultLayer.WIRE,
        "GetConfiguration.req for all keys asks for HeartbeatInterval; for some keys, for all",
    ),
    Fault.CHANGE_CONFIGURATION_WRONG_VALUE: (
        FaultLayer.WIRE,
        "ChangeConfiguration.req value has a '0' appended",
    ),
    Fault.CHANGE_CONFIGURATION_NUMERIC_VALUE: (
        FaultLayer.WIRE,
        "ChangeConfiguration.req value is sent as a JSON number when it is numeric",
    ),
    Fault.FIRMWARE_FAILURE_CALLERROR: (
        FaultLayer.HANDLER,
        "FirmwareStatusNotification DownloadFailed/InstallationFailed gets CALLERROR InternalError",
    ),
    Fault.DIAGNOSTICS_UPLOAD_FAILED_CALLERROR: (
        FaultLayer.HANDLER,
        "DiagnosticsStatusNotification UploadFailed is answered with CALLERROR InternalError",
    ),
    Fault.UPDATE_FIRMWARE_WRONG_LOCATION: (
        FaultLayer.WIRE,
        "UpdateFirmware.req location names another file (octt-wrong-firmware.bin)",
    ),
    Fault.GET_DIAGNOSTICS_RELATIVE_LOCATION: (
        FaultLayer.WIRE,
        "GetDiagnostics.req location is a relative reference, not a URI",
    ),
    Fault.SET_PROFILE_WRONG_PURPOSE: (
        FaultLayer.WIRE,
        "SetChargingProfile.req purpose is swapped (TxDefaultProfile <-> TxProfile,"
        " ChargePointMaxProfile -> TxDefaultProfile)",
    ),
    Fault.SET_PROFILE_WRONG_STACK_LEVEL: (
        FaultLayer.WIRE,
        "SetChargingProfile.req stackLevel is the requested one + 1",
    ),
    Fault.SET_PROFILE_RECURRING: (
        FaultLayer.WIRE,
        "SetChargingProfile.req chargingProfileKind is Recurring with recurrencyKind Daily",
    ),
    Fault.SET_PROFILE_MISSING_VALID_FROM: (
        FaultLayer.WIRE,
        "SetChargingProfile.req has no validFrom",
    ),
    Fault.SET_PROFILE_STRAY_TRANSACTION_ID: (
        FaultLayer.WIRE,
        "SetChargingProfile.req without a transactionId gets transactionId 1",
    ),
    Fault.SET_PROFILE_WRONG_TRANSACTION: (
        FaultLayer.WIRE,
        "SetChargingProfile.req transactionId is the requested one + 1000",
    ),
    Fault.SET_PROFILE_SINGLE_PHASE: (
        FaultLayer.WIRE,
        "SetChargingProfile.req schedule periods say numberPhases 1",
    ),
    Fault.CLEAR_PROFILE_WRONG_CRITERIA: (
        FaultLayer.WIRE,
        "ClearChargingProfile.req by criteria has stackLevel + 1",
    ),
    Fault.GET_COMPOSITE_WRONG_DURATION: (
        FaultLayer.WIRE,
        "GetCompositeSchedule.req duration is the requested one + 60",
    ),
    Fault.GET_COMPOSITE_WRONG_UNIT: (
        FaultLayer.WIRE,
        "GetCompositeSchedule.req chargingRateUnit is swapped (A <-> W)",
    ),
    Fault.REMOTE_START_WITHOUT_PROFILE: (
        FaultLayer.WIRE,
        "RemoteStartTransaction.req is sent without its chargingProfile",
    ),
    Fault.REMOTE_START_ABSOLUTE_PROFILE: (
        FaultLayer.WIRE,
        "RemoteStartTransaction.req's chargingProfile is Absolute (with validFrom, validTo,"
        " startSchedule and duration) where a Relative one was asked for",
    ),
    Fault.REMOTE_START_RELATIVE_WITH_START: (
        FaultLayer.WIRE,
        "RemoteStartTransaction.req chargingProfile of kind Relative gets a startSchedule",
    ),
    Fault.STOP_TRANSACTION_EXTRA_FIELD: (
        FaultLayer.WIRE,
        "StopTransaction.conf carries an extra property",
    ),
    Fault.UNKNOWN_UNIQUE_ID: (
        FaultLayer.WIRE,
        "every CALLRESULT carries a unique id that answers no CALL",
    ),
    Fault.GARBAGE_AFTER_BOOT: (
        FaultLayer.WIRE,
        "the text frame 'this is not json' follows the BootNotification.conf",
    ),
    Fault.BOOT_EXTRA_PROPERTY: (
        FaultLayer.WIRE,
        "BootNotification.conf carries an extra property",
    ),
    Fault.BOOT_MISSING_INTERVAL: (
        FaultLayer.WIRE,
        "BootNotification.conf has no interval",
    ),
    Fault.BOOT_INTERVAL_STRING: (
        FaultLayer.WIRE,
        "BootNotification.conf interval is a JSON string",
    ),
    Fault.BOOT_BAD_DATETIME: (
        FaultLayer.WIRE,
        "BootNotification.conf currentTime is 'yesterday'",
    ),
    Fault.GET_LOCAL_LIST_VERSION_EXTRA_FIELD: (
        FaultLayer.WIRE,
        "GetLocalListVersion.req carries an extra property",
    ),
    Fault.SEND_LOCAL_LIST_WRONG_TYPE: (
        FaultLayer.WIRE,
        "SendLocalList.req asked as a Full update is sent with updateType Differential",
    ),
    Fault.SEND_LOCAL_LIST_NO_ID_TAG_INFO: (
        FaultLayer.WIRE,
        "SendLocalList.req entries carry no idTagInfo",
    ),
    Fault.SEND_LOCAL_LIST_STALE_VERSION: (
        FaultLayer.WIRE,
        "a Differential SendLocalList.req keeps the version of the list installed",
    ),
    Fault.RESERVE_NOW_WRONG_CONNECTOR: (
        FaultLayer.WIRE,
        "ReserveNow.req connectorId is the requested one + 1",
    ),
    Fault.RESERVE_NOW_ANY_CONNECTOR: (
        FaultLayer.WIRE,
        "ReserveNow.req connectorId is 0 (the charge point) whatever was requested",
    ),
    Fault.RESERVE_NOW_WRONG_ID_TAG: (
        FaultLayer.WIRE,
        "ReserveNow.req idTag is the requested one spelt backwards",
    ),
    Fault.RESERVE_NOW_LATE_EXPIRY: (
        FaultLayer.WIRE,
        "ReserveNow.req expiryDate is 10 minutes later than requested",
    ),
    Fault.CANCEL_RESERVATION_WRONG_ID: (
        FaultLayer.WIRE,
        "CancelReservation.req reservationId is the requested one + 1000",
    ),
    Fault.CANCEL_RESERVATION_STRING_ID: (
        FaultLayer.WIRE,
        "CancelReservation.req reservationId is sent as a JSON string",
    ),
    Fault.CHANGE_AVAILABILITY_OPERATIVE: (
        FaultLayer.WIRE,
        "ChangeAvailability.req type is swapped (Inoperative sent as Operative and back)",
    ),
    Fault.CHANGE_AVAILABILITY_WRONG_CONNECTOR: (
        FaultLayer.WIRE,
        "ChangeAvailability.req connectorId is the requested one + 1",
    ),
    Fault.TRIGGER_MESSAGE_WRONG_MESSAGE: (
        FaultLayer.WIRE,
        "TriggerMessage.req requestedMessage is another message than requested",
    ),
    Fault.TRIGGER_MESSAGE_WRONG_CONNECTOR: (
        FaultLayer.WIRE,
        "TriggerMessage.req connectorId is the requested one + 1",
    ),
    Fault.CANCEL_RESERVATION_ACTIVE_ID: (
        FaultLayer.TRIGGER,
        "CancelReservation.req names the charge point's active reservation, whatever"
        " reservationId the operator asked for",
    ),
    Fault.RESERVED_START_REJECTED: (
        FaultLayer.HANDLER,
        "StartTransaction.conf is Invalid when the request quotes a reservationId",
    ),
    Fault.RESERVATION_IGNORES_PARENT: (
        FaultLayer.HANDLER,
        "a reservation admits only its own idTag: another idTag of its parentIdTag group is"
        " answered Invalid in StartTransaction",
    ),
    Fault.AUTHORIZE_NO_PARENT: (
        FaultLayer.HANDLER,
        "Authorize.conf idTagInfo has no parentIdTag, even for an idTag of a group",
    ),
    Fault.AUTHORIZE_WRONG_PARENT: (
        FaultLayer.HANDLER,
        "Authorize.conf idTagInfo.parentIdTag is another group's than the idTag's",
    ),
}


_DESCRIPTIONS.update(
    {
        Fault.CURRENT_TIME_STALE: (
            FaultLayer.HANDLER,
            "currentTime of BootNotification.conf and Heartbeat.conf is 80 s old",
        ),
        Fault.INTERFERING_REMOTE_STOP: (
            FaultLayer.HANDLER,
            "right after accepting a StartTransaction the CSMS sends RemoteStopTransaction"
            " for it on its own",
        ),
        Fault.ACCEPTS_MISSING_CREDENTIALS: (
            FaultLayer.HANDSHAKE,
            "a security profile 1/2 charge point connecting without Basic credentials is accepted",
        ),
        Fault.ACCEPTS_LOWER_SECURITY_PROFILE: (
            FaultLayer.HANDSHAKE,
            "a charge point raised to a security profile is still accepted on the profile below",
        ),
        Fault.ACCEPTS_EXPIRED_CLIENT_CERTIFICATE: (
            FaultLayer.TLS,
            "client certificates are not checked against the clock (an expired one is accepted)",
        ),
        Fault.ACCEPTS_ANY_SUBPROTOCOL: (
            FaultLayer.HANDSHAKE,
            "a WebSocket upgrade that does not offer ocpp1.6 is accepted (without a subprotocol)",
        ),
        Fault.TLS_MISSING_CIPHER_SUITES: (
            FaultLayer.TLS,
            "TLS 1.2 offers only ECDHE-RSA-AES128-GCM-SHA256, none of the whitepaper's four suites",
        ),
        Fault.TLS_ALLOWS_LEGACY_VERSIONS: (
            FaultLayer.TLS,
            "TLS 1.0 and 1.1 are accepted (with legacy cipher suites)",
        ),
        Fault.SERVER_CERTIFICATE_WRONG_CN: (
            FaultLayer.TLS,
            "the server certificate's subject CN is another host (its subjectAltName still fits)",
        ),
        Fault.SERVER_CERTIFICATE_WRONG_HOST: (
            FaultLayer.TLS,
            "the server certificate is for another host (CN and subjectAltName)",
        ),
        Fault.SERVER_CERTIFICATE_UNTRUSTED: (
            FaultLayer.TLS,
            "the server certificate is signed by a CA that is not the CSMS root",
        ),
        Fault.SIGN_CERTIFICATE_REJECTED: (
            FaultLayer.HANDLER,
            "SignCertificate.conf is Rejected (and no CertificateSigned follows)",
        ),
        Fault.CERTIFICATE_SIGNED_WRONG_KEY: (
            FaultLayer.HANDLER,
            "the signed certificate carries a key the CSMS made, not the CSR's",
        ),
        Fault.CERTIFICATE_SIGNED_WRONG_CN: (
            FaultLayer.HANDLER,
            "the signed certificate's CN is OCTT-WRONG-CN, not the charge point id",
        ),
        Fault.CERTIFICATE_SIGNED_NOT_PEM: (
            FaultLayer.HANDLER,
            "CertificateSigned.req certificateChain is base64 DER without PEM armour",
        ),
        Fault.AUTHORIZATION_KEY_TOO_SHORT: (
            FaultLayer.HANDLER,
            "the new AuthorizationKey has 15 bytes (30 hex digits)",
        ),
        Fault.AUTHORIZATION_KEY_NOT_HEX: (
            FaultLayer.HANDLER,
            "the new AuthorizationKey is the password as text, not hex",
        ),
        Fault.AUTHORIZATION_KEY_NOT_STORED: (
            FaultLayer.HANDLER,
            "an accepted new AuthorizationKey is not stored: the old password stays in force",
        ),
        Fault.DELETE_CERTIFICATE_SHA256_ONLY: (
            FaultLayer.HANDLER,
            "DeleteCertificate.req hash data is SHA256 whatever algorithm the charge point used",
        ),
        Fault.DELETE_CERTIFICATE_SPKI_KEY_HASH: (
            FaultLayer.HANDLER,
            "DeleteCertificate.req issuerKeyHash hashes the whole SubjectPublicKeyInfo",
        ),
        Fault.DELETE_CERTIFICATE_PADDED_SERIAL: (
            FaultLayer.HANDLER,
            "DeleteCertificate.req serialNumber has leading zeroes",
        ),
        Fault.SECURITY_EVENT_CALLERROR: (
            FaultLayer.HANDLER,
            "SecurityEventNotification is answered with CALLERROR InternalError",
        ),
        Fault.LOG_STATUS_CALLERROR: (
            FaultLayer.HANDLER,
            "LogStatusNotification is answered with CALLERROR InternalError",
        ),
        Fault.SIGNED_FIRMWARE_STATUS_CALLERROR: (
            FaultLayer.HANDLER,
            "SignedFirmwareStatusNotification of a failure (InvalidSignature, ...) gets"
            " CALLERROR InternalError",
        ),
        Fault.INSTALL_CERTIFICATE_WRONG_TYPE: (
            FaultLayer.WIRE,
            "InstallCertificate.req certificateType is swapped (CentralSystem <-> Manufacturer)",
        ),
        Fault.GET_INSTALLED_CERTIFICATE_IDS_WRONG_TYPE: (
            FaultLayer.WIRE,
            "GetInstalledCertificateIds.req certificateType is swapped",
        ),
        Fault.EXTENDED_TRIGGER_WRONG_MESSAGE: (
            FaultLayer.WIRE,
            "ExtendedTriggerMessage.req asks for BootNotification instead of"
            " SignChargePointCertificate",
        ),
        Fault.EXTENDED_TRIGGER_WITH_CONNECTOR: (
            FaultLayer.WIRE,
            "ExtendedTriggerMessage.req carries connectorId 1",
        ),
        Fault.GET_LOG_WRONG_TYPE: (
            FaultLayer.WIRE,
            "GetLog.req asks for the DiagnosticsLog instead of the SecurityLog",
        ),
        Fault.SIGNED_UPDATE_FIRMWARE_WRONG_SIGNATURE: (
            FaultLayer.WIRE,
            "SignedUpdateFirmware.req firmware.signature has one byte changed",
        ),
    }
)


#: The faults of the security whitepaper (their cases: tests/integration/test_security_faults.py).
SECURITY_FAULTS: frozenset[Fault] = frozenset(
    {
        Fault.ACCEPTS_MISSING_CREDENTIALS,
        Fault.ACCEPTS_LOWER_SECURITY_PROFILE,
        Fault.ACCEPTS_EXPIRED_CLIENT_CERTIFICATE,
        Fault.ACCEPTS_ANY_SUBPROTOCOL,
        Fault.TLS_MISSING_CIPHER_SUITES,
        Fault.TLS_ALLOWS_LEGACY_VERSIONS,
        Fault.SERVER_CERTIFICATE_WRONG_CN,
        Fault.SERVER_CERTIFICATE_WRONG_HOST,
        Fault.SERVER_CERTIFICATE_UNTRUSTED,
        Fault.SIGN_CERTIFICATE_REJECTED,
        Fault.CERTIFICATE_SIGNED_WRONG_KEY,
        Fault.CERTIFICATE_SIGNED_WRONG_CN,
        Fault.CERTIFICATE_SIGNED_NOT_PEM,
        Fault.AUTHORIZATION_KEY_TOO_SHORT,
        Fault.AUTHORIZATION_KEY_NOT_HEX,
        Fault.AUTHORIZATION_KEY_NOT_STORED,
        Fault.DELETE_CERTIFICATE_SHA256_ONLY,
        Fault.DELETE_CERTIFICATE_SPKI_KEY_HASH,
        Fault.DELETE_CERTIFICATE_PADDED_SERIAL,
        Fault.SECURITY_EVENT_CALLERROR,
        Fault.LOG_STATUS_CALLERROR,
        Fault.SIGNED_FIRMWARE_STATUS_CALLERROR,
        Fault.INSTALL_CERTIFICATE_WRONG_TYPE,
        Fault.GET_INSTALLED_CERTIFICATE_IDS_WRONG_TYPE,
        Fault.EXTENDED_TRIGGER_WRONG_MESSAGE,
        Fault.EXTENDED_TRIGGER_WITH_CONNECTOR,
        Fault.GET_LOG_WRONG_TYPE,
        Fault.SIGNED_UPDATE_FIRMWARE_WRONG_SIGNATURE,
    }
)


def describe(fault: Fault) -> str:
    """One line saying what the fault breaks."""
    return _DESCRIPTIONS[fault][1]


def layer(fault: Fault) -> FaultLayer:
    """Where the fault is applied (handlers, trigger API or outgoing frames)."""
    return _DESCRIPTIONS[fault][0]


def parse_faults(names: Iterable[str]) -> frozenset[Fault]:
    """The faults named (kebab-case, surrounding blanks ignored).

    Raises ValueError naming the first unknown name and listing the valid ones.
    """
    faults: set[Fault] = set()
    for name in names:
        cleaned = name.strip()
        try:
            faults.add(Fault(cleaned))
        except ValueError:
            valid = ", ".join(fault.value for fault in Fault)
            raise ValueError(f"unknown fault {cleaned!r}; valid faults: {valid}") from None
    return frozenset(faults)
