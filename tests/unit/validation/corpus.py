"""Schema test corpus: OCPP 1.6 payloads as wire text, with the violations each must produce.

Data only, so the unit tests and the validation benchmark share it. Each `Sample` names an action,
whether it is the request (``req``) or the response (``conf``), the payload exactly as it would be
on the wire, and the expected violations as (JSON pointer, schema keyword) pairs; a sample with no
expected violations must validate. Payloads are parsed with ``octt.ocppj.frames.load_json`` so
fractions arrive as Decimal, as they do from a real frame.
"""

# ruff: noqa: UP031 — %-templates fill JSON text without doubling its braces.
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from octt.ocppj.frames import load_json

Kind = Literal["req", "conf"]


@dataclass(frozen=True)
class Sample:
    name: str
    action: str
    kind: Kind
    text: str  # the payload as JSON text
    errors: tuple[tuple[str, str], ...] = ()  # expected (pointer, keyword); () = valid

    @property
    def payload(self) -> dict[str, Any]:
        payload = load_json(self.text)
        assert isinstance(payload, dict)
        return payload

    @property
    def valid(self) -> bool:
        return not self.errors

    def frame_text(self, unique_id: str = "corpus-1") -> str:
        """The whole OCPP-J frame carrying this payload."""
        if self.kind == "req":
            return f'[2,"{unique_id}","{self.action}",{self.text}]'
        return f'[3,"{unique_id}",{self.text}]'


def _boot_conf(current_time: str, interval: str = "300", status: str = '"Accepted"') -> str:
    return f'{{"status":{status},"currentTime":{current_time},"interval":{interval}}}'


def _profile(limit: str, min_rate: str = "", start: str = "0") -> str:
    rate = f',"minChargingRate":{min_rate}' if min_rate else ""
    return (
        '{"connectorId":1,"csChargingProfiles":{"chargingProfileId":7,"stackLevel":0,'
        '"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",'
        '"validFrom":"2026-01-01T00:00:00Z","chargingSchedule":{"chargingRateUnit":"A",'
        f'"startSchedule":"2026-01-01T00:00:00Z","chargingSchedulePeriod":[{{"startPeriod":{start},'
        f'"limit":{limit}}},{{"startPeriod":3600,"limit":6}}]{rate}}}}}}}'
    )


def _meter_values(sampled: str, timestamp: str = '"2026-01-01T10:00:00Z"') -> str:
    return (
        f'{{"connectorId":1,"transactionId":42,"meterValue":[{{"timestamp":{timestamp},'
        f'"sampledValue":{sampled}}}]}}'
    )


_TS = '"2026-01-01T10:00:00.000Z"'
_ID20 = "A" * 20
_CERT_HASH = (
    '{"hashAlgorithm":"SHA256","issuerNameHash":"%s","issuerKeyHash":"%s","serialNumber":"%s"}'
)


def _hash_data(algorithm: str = "SHA256", serial: str = "0a1b2c") -> str:
    return (_CERT_HASH % ("ab" * 32, "cd" * 32, serial)).replace("SHA256", algorithm)


VALID: tuple[Sample, ...] = (
    Sample(
        "boot-notification-req-minimal",
        "BootNotification",
        "req",
        '{"chargePointVendor":"octt","chargePointModel":"Sim-1"}',
    ),
    Sample(
        "boot-notification-req-full-at-max-lengths",
        "BootNotification",
        "req",
        '{"chargePointVendor":"%s","chargePointModel":"%s","chargePointSerialNumber":"%s",'
        '"chargeBoxSerialNumber":"%s","firmwareVersion":"%s","iccid":"%s","imsi":"%s",'
        '"meterType":"%s","meterSerialNumber":"%s"}'
        % (
            "V" * 20,
            "M" * 20,
            "S" * 25,
            "B" * 25,
            "F" * 50,
            "8" * 20,
            "2" * 20,
            "T" * 25,
            "N" * 25,
        ),
    ),
    Sample("boot-notification-conf", "BootNotification", "conf", _boot_conf(_TS)),
    Sample(
        "boot-notification-conf-pending-interval-0",
        "BootNotification",
        "conf",
        _boot_conf('"2026-01-01T10:00:00Z"', "0", '"Pending"'),
    ),
    Sample(
        "date-time-without-fraction",
        "BootNotification",
        "conf",
        _boot_conf('"2026-01-01T10:00:00Z"'),
    ),
    Sample(
        "date-time-nanoseconds",
        "BootNotification",
        "conf",
        _boot_conf('"2026-01-01T10:00:00.123456789Z"'),
    ),
    Sample(
        "date-time-offset-valid-schema-wise",
        "BootNotification",
        "conf",
        _boot_conf('"2026-01-01T11:00:00+01:00"'),
    ),
    Sample(
        "date-time-minus-zero-offset",
        "BootNotification",
        "conf",
        _boot_conf('"2026-01-01T10:00:00-00:00"'),
    ),
    Sample(
        "date-time-lowercase-t-z",
        "BootNotification",
        "conf",
        _boot_conf('"2026-01-01t10:00:00z"'),
    ),
    Sample("date-time-leap-day", "BootNotification", "conf", _boot_conf('"2024-02-29T00:00:00Z"')),
    Sample(
        "date-time-leap-second", "BootNotification", "conf", _boot_conf('"2016-12-31T23:59:60Z"')
    ),
    Sample(
        "date-time-leap-second-with-offset",
        "BootNotification",
        "conf",
        _boot_conf('"2016-12-31T18:59:60-05:00"'),
    ),
    Sample("heartbeat-req", "Heartbeat", "req", "{}"),
    Sample("heartbeat-conf", "Heartbeat", "conf", f'{{"currentTime":{_TS}}}'),
    Sample("authorize-req-idtag-20", "Authorize", "req", f'{{"idTag":"{_ID20}"}}'),
    Sample(
        "authorize-conf-full",
        "Authorize",
        "conf",
        '{"idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00Z",'
        '"parentIdTag":"PARENT-1"}}',
    ),
    Sample(
        "start-transaction-req",
        "StartTransaction",
        "req",
        '{"connectorId":1,"idTag":"04E8960A3C2A80","meterStart":12345,'
        '"timestamp":"2026-01-01T10:00:00.000Z"}',
    ),
    Sample(
        "start-transaction-req-reservation",
        "StartTransaction",
        "req",
        '{"connectorId":2,"idTag":"TAG","meterStart":0,"reservationId":9,"timestamp":%s}' % _TS,
    ),
    Sample(
        "start-transaction-conf",
        "StartTransaction",
        "conf",
        '{"idTagInfo":{"status":"Accepted"},"transactionId":1001}',
    ),
    Sample(
        "status-notification-req",
        "StatusNotification",
        "req",
        '{"connectorId":1,"errorCode":"NoError","status":"Charging","timestamp":%s,'
        '"info":"ok","vendorId":"com.example","vendorErrorCode":"0"}' % _TS,
    ),
    Sample("status-notification-conf", "StatusNotification", "conf", "{}"),
    Sample(
        "meter-values-nested",
        "MeterValues",
        "req",
        _meter_values(
            '[{"value":"1234.5","context":"Sample.Periodic","format":"Raw",'
            '"measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"},'
            '{"value":"16.1","measurand":"Current.Import","phase":"L1","unit":"A"},'
            '{"value":"21","measurand":"Temperature","unit":"Celsius"},'
            '{"value":"21","measurand":"Temperature","unit":"Celcius"},'
            '{"value":"50","measurand":"Frequency","unit":"Hertz"},'
            '{"value":"0A1B","format":"SignedData"}]'
        ),
    ),
    Sample(
        "stop-transaction-req-hertz-erratum",
        "StopTransaction",
        "req",
        '{"meterStop":20000,"timestamp":%s,"transactionId":1001,"reason":"Local","idTag":"TAG",'
        '"transactionData":[{"timestamp":%s,"sampledValue":[{"value":"50",'
        '"measurand":"Frequency","unit":"Hertz"}]}]}' % (_TS, _TS),
    ),
    Sample("stop-transaction-conf-empty", "StopTransaction", "conf", "{}"),
    Sample("charging-profile-limit-one-decimal", "SetChargingProfile", "req", _profile("12.3")),
    Sample("charging-profile-limit-integer", "SetChargingProfile", "req", _profile("16")),
    Sample("charging-profile-limit-point-zero", "SetChargingProfile", "req", _profile("6.0")),
    Sample("charging-profile-limit-trailing-zero", "SetChargingProfile", "req", _profile("12.30")),
    Sample("charging-profile-limit-exponent", "SetChargingProfile", "req", _profile("1E+2")),
    Sample("charging-profile-limit-tenth", "SetChargingProfile", "req", _profile("1E-1")),
    Sample("charging-profile-limit-negative", "SetChargingProfile", "req", _profile("-6.1")),
    Sample(
        "charging-profile-min-rate", "SetChargingProfile", "req", _profile("32", min_rate="0.1")
    ),
    Sample(
        "composite-schedule-conf",
        "GetCompositeSchedule",
        "conf",
        '{"status":"Accepted","connectorId":1,"scheduleStart":%s,"chargingSchedule":{'
        '"duration":86400,"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,'
        '"limit":11000.0,"numberPhases":3},{"startPeriod":600,"limit":7.4}],'
        '"minChargingRate":1.5}}' % _TS,
    ),
    Sample(
        "remote-start-with-profile",
        "RemoteStartTransaction",
        "req",
        '{"connectorId":1,"idTag":"TAG","chargingProfile":{"chargingProfileId":1,"stackLevel":0,'
        '"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative",'
        '"chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":['
        '{"startPeriod":0,"limit":10.5}]}}}',
    ),
    Sample(
        "get-configuration-conf",
        "GetConfiguration",
        "conf",
        '{"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"},'
        '{"key":"NumberOfConnectors","readonly":true}],"unknownKey":["Foo"]}',
    ),
    Sample(
        "change-configuration-req-max-value",
        "ChangeConfiguration",
        "req",
        '{"key":"%s","value":"%s"}' % ("K" * 50, "v" * 500),
    ),
    Sample(
        "data-transfer-req",
        "DataTransfer",
        "req",
        '{"vendorId":"com.example","messageId":"Hello","data":"{\\"a\\":1}"}',
    ),
    Sample(
        "get-diagnostics-req",
        "GetDiagnostics",
        "req",
        '{"location":"ftp://user:secret@diag.example.com/uploads/","retries":3,'
        '"retryInterval":60,"startTime":"2026-01-01T00:00:00Z","stopTime":%s}' % _TS,
    ),
    Sample(
        "update-firmware-req",
        "UpdateFirmware",
        "req",
        '{"location":"https://fw.example.com/cp-1.2.3.bin","retrieveDate":%s}' % _TS,
    ),
    Sample(
        "send-local-list-req",
        "SendLocalList",
        "req",
        '{"listVersion":3,"updateType":"Full","localAuthorizationList":[{"idTag":"TAG-1",'
        '"idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00Z"}},{"idTag":"TAG-2"}]}',
    ),
    Sample(
        "reserve-now-req",
        "ReserveNow",
        "req",
        '{"connectorId":1,"expiryDate":%s,"idTag":"TAG","parentIdTag":"P","reservationId":5}' % _TS,
    ),
    Sample(
        "trigger-message-req",
        "TriggerMessage",
        "req",
        '{"requestedMessage":"StatusNotification","connectorId":1}',
    ),
    Sample(
        "get-log-req",
        "GetLog",
        "req",
        '{"log":{"remoteLocation":"https://logs.example.com/up","oldestTimestamp":%s},'
        '"logType":"SecurityLog","requestId":1,"retries":2}' % _TS,
    ),
    # The Security Whitepaper schemas declare draft-06, where 1.0 is an integer.
    Sample(
        "get-log-req-draft06-integral-decimal",
        "GetLog",
        "req",
        '{"log":{"remoteLocation":"https://logs.example.com/up"},"logType":"DiagnosticsLog",'
        '"requestId":1.0}',
    ),
    Sample(
        "delete-certificate-req",
        "DeleteCertificate",
        "req",
        '{"certificateHashData":%s}' % _hash_data(),
    ),
    Sample(
        "installed-certificate-ids-conf",
        "GetInstalledCertificateIds",
        "conf",
        '{"status":"Accepted","certificateHashData":[%s,%s]}'
        % (_hash_data(), _hash_data("SHA512", "ff")),
    ),
    Sample(
        "signed-update-firmware-req",
        "SignedUpdateFirmware",
        "req",
        '{"requestId":4,"firmware":{"location":"https://fw.example.com/f.bin",'
        '"retrieveDateTime":%s,"signingCertificate":"-----BEGIN CERTIFICATE-----",'
        '"signature":"c2ln"}}' % _TS,
    ),
    Sample(
        "security-event-notification-req",
        "SecurityEventNotification",
        "req",
        '{"type":"FirmwareUpdated","timestamp":%s,"techInfo":"v1.2.3"}' % _TS,
    ),
    Sample(
        "extended-trigger-message-req",
        "ExtendedTriggerMessage",
        "req",
        '{"requestedMessage":"SignChargePointCertificate"}',
    ),
    Sample("sign-certificate-conf", "SignCertificate", "conf", '{"status":"Accepted"}'),
)


INVALID: tuple[Sample, ...] = (
    # -- wrong types -----------------------------------------------------------------------------
    Sample(
        "integer-as-string",
        "BootNotification",
        "conf",
        _boot_conf(_TS, '"300"'),
        (("/interval", "type"),),
    ),
    Sample(
        "bool-as-integer",
        "BootNotification",
        "conf",
        _boot_conf(_TS, "true"),
        (("/interval", "type"),),
    ),
    Sample(
        "decimal-as-integer-draft04",
        "BootNotification",
        "conf",
        _boot_conf(_TS, "300.0"),
        (("/interval", "type"),),
    ),
    Sample(
        "exponent-as-integer-draft04",
        "BootNotification",
        "conf",
        _boot_conf(_TS, "3E2"),
        (("/interval", "type"),),
    ),
    Sample(
        "null-as-integer",
        "StartTransaction",
        "conf",
        '{"idTagInfo":{"status":"Accepted"},"transactionId":null}',
        (("/transactionId", "type"),),
    ),
    Sample(
        "date-time-as-number",
        "BootNotification",
        "conf",
        _boot_conf("1767261600"),
        (("/currentTime", "type"),),
    ),
    Sample(
        "idtag-as-number",
        "Authorize",
        "req",
        '{"idTag":12345}',
        (("/idTag", "type"),),
    ),
    Sample(
        "object-as-array",
        "Authorize",
        "conf",
        '{"idTagInfo":[{"status":"Accepted"}]}',
        (("/idTagInfo", "type"),),
    ),
    Sample(
        "meter-start-as-string",
        "StartTransaction",
        "req",
        '{"connectorId":1,"idTag":"TAG","meterStart":"0","timestamp":%s}' % _TS,
        (("/meterStart", "type"),),
    ),
    # -- extra / missing properties --------------------------------------------------------------
    Sample(
        "extra-property",
        "BootNotification",
        "conf",
        '{"status":"Accepted","currentTime":%s,"interval":300,"retry":1}' % _TS,
        (("/retry", "additionalProperties"),),
    ),
    Sample(
        "extra-nested-property",
        "Authorize",
        "conf",
        '{"idTagInfo":{"status":"Accepted","foo":1}}',
        (("/idTagInfo/foo", "additionalProperties"),),
    ),
    Sample(
        "missing-required",
        "BootNotification",
        "conf",
        '{"status":"Accepted","interval":300}',
        (("/currentTime", "required"),),
    ),
    Sample(
        "missing-nested-required",
        "Authorize",
        "conf",
        '{"idTagInfo":{}}',
        (("/idTagInfo/status", "required"),),
    ),
    Sample(
        "missing-all-required",
        "StartTransaction",
        "req",
        "{}",
        (
            ("/connectorId", "required"),
            ("/idTag", "required"),
            ("/meterStart", "required"),
            ("/timestamp", "required"),
        ),
    ),
    Sample(
        "wrong-case-property-name",
        "RemoteStartTransaction",
        "req",
        '{"connectorId":1,"idtag":"TAG"}',
        (("/idtag", "additionalProperties"), ("/idTag", "required")),
    ),
    # -- enums -----------------------------------------------------------------------------------
    Sample(
        "enum-wrong-case",
        "BootNotification",
        "conf",
        _boot_conf(_TS, "300", '"accepted"'),
        (("/status", "enum"),),
    ),
    Sample(
        "enum-nested-typo",
        "Authorize",
        "conf",
        '{"idTagInfo":{"status":"Acepted"}}',
        (("/idTagInfo/status", "enum"),),
    ),
    Sample(
        "enum-reset-type",
        "Reset",
        "req",
        '{"type":"Warm"}',
        (("/type", "enum"),),
    ),
    Sample(
        "enum-stop-reason",
        "StopTransaction",
        "req",
        '{"meterStop":1,"timestamp":%s,"transactionId":1,"reason":"UserStop"}' % _TS,
        (("/reason", "enum"),),
    ),
    Sample(
        "enum-via-ref-draft06",
        "GetLog",
        "req",
        '{"log":{"remoteLocation":"x"},"logType":"AuditLog","requestId":1}',
        (("/logType", "enum"),),
    ),
    Sample(
        "enum-in-definitions-draft06",
        "DeleteCertificate",
        "req",
        '{"certificateHashData":%s}' % _hash_data("MD5"),
        (("/certificateHashData/hashAlgorithm", "enum"),),
    ),
    # -- lengths ---------------------------------------------------------------------------------
    Sample(
        "cistring20-idtag-21",
        "Authorize",
        "req",
        '{"idTag":"%s"}' % ("A" * 21),
        (("/idTag", "maxLength"),),
    ),
    Sample(
        "cistring20-vendor-21",
        "BootNotification",
        "req",
        '{"chargePointVendor":"%s","chargePointModel":"M"}' % ("V" * 21),
        (("/chargePointVendor", "maxLength"),),
    ),
    Sample(
        "cistring20-parent-idtag-21",
        "StartTransaction",
        "conf",
        '{"idTagInfo":{"status":"Accepted","parentIdTag":"%s"},"transactionId":1}' % ("P" * 21),
        (("/idTagInfo/parentIdTag", "maxLength"),),
    ),
    Sample(
        "cistring255-vendor-id-256",
        "DataTransfer",
        "req",
        '{"vendorId":"%s"}' % ("v" * 256),
        (("/vendorId", "maxLength"),),
    ),
    Sample(
        "serial-number-41-draft06",
        "DeleteCertificate",
        "req",
        '{"certificateHashData":%s}' % _hash_data(serial="9" * 41),
        (("/certificateHashData/serialNumber", "maxLength"),),
    ),
    # -- date-time -------------------------------------------------------------------------------
    *(
        Sample(
            f"date-time-{label}",
            "BootNotification",
            "conf",
            _boot_conf(value),
            (("/currentTime", "format"),),
        )
        for label, value in (
            ("space-separator", '"2026-01-01 10:00:00"'),
            ("no-offset", '"2026-01-01T10:00:00"'),
            ("word", '"yesterday"'),
            ("empty", '""'),
            ("february-30", '"2026-02-30T10:00:00Z"'),
            ("february-29-non-leap", '"2023-02-29T10:00:00Z"'),
            ("month-13", '"2026-13-01T10:00:00Z"'),
            ("hour-24", '"2026-01-01T24:00:00Z"'),
            ("minute-60", '"2026-01-01T10:60:00Z"'),
            ("bad-leap-second", '"2026-01-01T10:00:60Z"'),
            ("no-seconds", '"2026-01-01T10:00Z"'),
            ("offset-without-colon", '"2026-01-01T10:00:00+0100"'),
            ("offset-hours-only", '"2026-01-01T10:00:00+01"'),
            ("offset-minute-60", '"2026-01-01T10:00:00+01:60"'),
            ("single-digit-month", '"2026-1-01T10:00:00Z"'),
            ("empty-fraction", '"2026-01-01T10:00:00.Z"'),
            ("comma-fraction", '"2026-01-01T10:00:00,5Z"'),
            ("date-only", '"2026-01-01"'),
            ("trailing-newline", '"2026-01-01T10:00:00Z\\n"'),
            ("non-ascii-digits", '"\u0662\u0660\u0662\u0666-01-01T10:00:00Z"'),
            ("utc-word", '"2026-01-01T10:00:00 UTC"'),
        )
    ),
    Sample(
        "date-time-nested-in-meter-values",
        "MeterValues",
        "req",
        _meter_values('[{"value":"1"}]', '"2026-01-01T10:00:00+25:00"'),
        (("/meterValue/0/timestamp", "format"),),
    ),
    # -- multipleOf on decimals ------------------------------------------------------------------
    Sample(
        "multiple-of-two-decimals",
        "SetChargingProfile",
        "req",
        _profile("12.34"),
        (("/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit", "multipleOf"),),
    ),
    Sample(
        "multiple-of-hundredth",
        "SetChargingProfile",
        "req",
        _profile("0.05"),
        (("/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit", "multipleOf"),),
    ),
    Sample(
        "multiple-of-min-charging-rate",
        "SetChargingProfile",
        "req",
        _profile("16", min_rate="1.25"),
        (("/csChargingProfiles/chargingSchedule/minChargingRate", "multipleOf"),),
    ),
    Sample(
        "multiple-of-composite-schedule-conf",
        "GetCompositeSchedule",
        "conf",
        '{"status":"Accepted","chargingSchedule":{"chargingRateUnit":"A",'
        '"chargingSchedulePeriod":[{"startPeriod":0,"limit":7.25}]}}',
        (("/chargingSchedule/chargingSchedulePeriod/0/limit", "multipleOf"),),
    ),
    Sample(
        "limit-as-string",
        "SetChargingProfile",
        "req",
        _profile('"16"'),
        (("/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit", "type"),),
    ),
    Sample(
        "limit-as-bool",
        "SetChargingProfile",
        "req",
        _profile("true"),
        (("/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/limit", "type"),),
    ),
    Sample(
        "start-period-fraction",
        "SetChargingProfile",
        "req",
        _profile("16", start="0.5"),
        (("/csChargingProfiles/chargingSchedule/chargingSchedulePeriod/0/startPeriod", "type"),),
    ),
    # -- nested meter values ---------------------------------------------------------------------
    Sample(
        "meter-value-as-number",
        "MeterValues",
        "req",
        _meter_values('[{"value":12}]'),
        (("/meterValue/0/sampledValue/0/value", "type"),),
    ),
    Sample(
        "meter-value-bad-measurand",
        "MeterValues",
        "req",
        _meter_values('[{"value":"1"},{"value":"2","measurand":"Energy.Active.Import"}]'),
        (("/meterValue/0/sampledValue/1/measurand", "enum"),),
    ),
    Sample(
        "meter-value-unit-lowercase",
        "MeterValues",
        "req",
        _meter_values('[{"value":"21","unit":"celsius"}]'),
        (("/meterValue/0/sampledValue/0/unit", "enum"),),
    ),
    Sample(
        "meter-value-missing-value",
        "MeterValues",
        "req",
        _meter_values('[{"unit":"Wh"}]'),
        (("/meterValue/0/sampledValue/0/value", "required"),),
    ),
    Sample(
        "meter-value-empty-samples",
        "MeterValues",
        "req",
        _meter_values("[]"),
        (("/meterValue/0/sampledValue", "minItems"),),
    ),
    Sample(
        "meter-value-empty-list",
        "MeterValues",
        "req",
        '{"connectorId":1,"meterValue":[]}',
        (("/meterValue", "minItems"),),
    ),
    # -- uri ---------------------------------------------------------------------------------------
    Sample(
        "uri-with-space",
        "GetDiagnostics",
        "req",
        '{"location":"ftp://diag.example.com/my uploads/"}',
        (("/location", "format"),),
    ),
    Sample(
        "uri-relative",
        "UpdateFirmware",
        "req",
        '{"location":"/firmware/cp.bin","retrieveDate":%s}' % _TS,
        (("/location", "format"),),
    ),
    # -- draft-06 integers -------------------------------------------------------------------------
    Sample(
        "draft06-integer-with-fraction",
        "GetLog",
        "req",
        '{"log":{"remoteLocation":"x"},"logType":"SecurityLog","requestId":1.5}',
        (("/requestId", "type"),),
    ),
    Sample(
        "draft06-missing-nested",
        "GetLog",
        "req",
        '{"log":{},"logType":"SecurityLog","requestId":"1"}',
        (("/log/remoteLocation", "required"), ("/requestId", "type")),
    ),
)

CORPUS: tuple[Sample, ...] = VALID + INVALID

# The two frames the per-frame cost budget is stated for.
TYPICAL: tuple[str, ...] = ("start-transaction-req", "boot-notification-conf")


def by_name(name: str) -> Sample:
    for sample in CORPUS:
        if sample.name == name:
            return sample
    raise KeyError(name)
