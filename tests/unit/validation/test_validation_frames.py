"""FrameValidator: findings for raw text, CALL, CALLRESULT and CALLERROR frames."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from octt.findings import Severity
from octt.ocppj.frames import Call, CallError, CallResult, parse
from octt.validation import FrameValidator, SchemaSet
from octt.validation.frames import MAX_SCHEMA_FINDINGS


def _load_corpus() -> ModuleType:
    name = "octt_unit_validation_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("corpus.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


corpus = _load_corpus()

CSMS = "CSMS"
CP = "charge point"
BOOT_CONF = {"status": "Accepted", "currentTime": "2026-01-01T10:00:00Z", "interval": 300}


@pytest.fixture(scope="module")
def validator() -> FrameValidator:
    return FrameValidator(SchemaSet.load())


def _rules(findings: list[Any]) -> list[str]:
    return [f.rule for f in findings]


# -- CALLRESULT ------------------------------------------------------------------------------------


def test_valid_result_has_no_findings(validator: FrameValidator) -> None:
    assert validator.check_result("BootNotification", CallResult("1", BOOT_CONF), sender=CSMS) == []


def test_schema_response_finding(validator: FrameValidator) -> None:
    result = CallResult("1", {**BOOT_CONF, "interval": "300"})
    (finding,) = validator.check_result("BootNotification", result, sender=CSMS, frames=(7,))
    assert finding.rule == "schema.response"
    assert finding.severity is Severity.ERROR
    assert finding.message == "BootNotification.conf /interval: '300' is not of type 'integer'"
    assert finding.spec == "OCPP 1.6 JSON schema BootNotificationResponse.json"
    assert finding.frames == (7,)


def test_root_level_violation_has_no_pointer(validator: FrameValidator) -> None:
    (finding,) = validator.check_result("Heartbeat", CallResult("1", []), sender=CSMS)  # type: ignore[arg-type]
    assert finding.message == "Heartbeat.conf: [] is not of type 'object'"


def test_result_for_unknown_action(validator: FrameValidator) -> None:
    findings = validator.check_result("FooBar", CallResult("1", {}), sender=CSMS)
    assert _rules(findings) == ["ocppj.result-for-unknown-action"]
    assert "'FooBar'" in findings[0].message and "NotImplemented" in findings[0].message


def test_many_violations_are_summarised(validator: FrameValidator) -> None:
    payload = {
        "connectorId": 1,
        "meterValue": [{"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{}]}] * 30,
    }
    findings = validator.check_call(Call("1", "MeterValues", payload), sender=CP)
    assert len(findings) == MAX_SCHEMA_FINDINGS + 1
    assert findings[-1].message == "MeterValues.req: 10 more schema violations"
    assert all(f.rule == "schema.request" for f in findings)


# -- CALL ------------------------------------------------------------------------------------------


def test_schema_request_finding(validator: FrameValidator) -> None:
    call = Call("1", "RemoteStartTransaction", {"idTag": "A" * 21})
    (finding,) = validator.check_call(call, sender=CSMS)
    assert finding.rule == "schema.request"
    assert finding.message == (
        f"RemoteStartTransaction.req /idTag: '{'A' * 21}' is too long: 21 characters, at most 20"
    )
    assert finding.spec == "OCPP 1.6 JSON schema RemoteStartTransaction.json"


def test_unknown_action(validator: FrameValidator) -> None:
    (finding,) = validator.check_call(Call("1", "FooBar", {}), sender=CSMS, frames=(3,))
    assert finding.rule == "ocppj.unknown-action"
    assert finding.spec == "OCPP-J 1.6 §4.2.3"
    assert finding.frames == (3,)
    (cased,) = validator.check_call(Call("1", "remoteStartTransaction", {}), sender=CSMS)
    assert "did you mean 'RemoteStartTransaction'" in cased.message


@pytest.mark.parametrize(
    ("action", "payload", "sender", "expected"),
    [
        ("RemoteStopTransaction", {"transactionId": 1}, CSMS, []),
        ("DataTransfer", {"vendorId": "x"}, CSMS, []),
        ("DataTransfer", {"vendorId": "x"}, CP, []),
        ("Heartbeat", {}, CP, []),
        ("Heartbeat", {}, CSMS, ["ocpp.action-direction"]),
        ("RemoteStopTransaction", {"transactionId": 1}, CP, ["ocpp.action-direction"]),
        ("GetLog", corpus.by_name("get-log-req").payload, CP, ["ocpp.action-direction"]),
    ],
)
def test_direction(
    validator: FrameValidator,
    action: str,
    payload: dict[str, Any],
    sender: str,
    expected: list[str],
) -> None:
    assert _rules(validator.check_call(Call("1", action, payload), sender=sender)) == expected


def test_direction_and_schema_findings_together(validator: FrameValidator) -> None:
    findings = validator.check_call(Call("1", "StartTransaction", {}), sender=CSMS)
    assert _rules(findings) == ["ocpp.action-direction"] + ["schema.request"] * 4
    assert findings[0].message == (
        "the CSMS sent a StartTransaction CALL, which only the charge point initiates"
    )


def test_utc_warning_only_for_valid_non_utc_date_times(validator: FrameValidator) -> None:
    call = Call(
        "1",
        "MeterValues",
        {
            "connectorId": 1,
            "meterValue": [
                {"timestamp": "2026-01-01T11:00:00+01:00", "sampledValue": [{"value": "1"}]},
                {"timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{"value": "1"}]},
                {"timestamp": "2026-01-01 10:00:00+01:00", "sampledValue": [{"value": "1"}]},
            ],
        },
    )
    findings = validator.check_call(call, sender=CP)
    assert _rules(findings) == ["schema.request", "ocpp.timestamp-not-utc"]
    warning = findings[1]
    assert warning.severity is Severity.WARNING
    assert warning.message.startswith("MeterValues.req /meterValue/0/timestamp: ")
    assert "UTC+01:00" in warning.message


def test_utc_warning_on_a_response(validator: FrameValidator) -> None:
    result = CallResult("1", {"currentTime": "2026-01-01T05:00:00-05:00"})
    (finding,) = validator.check_result("Heartbeat", result, sender=CSMS)
    assert finding.rule == "ocpp.timestamp-not-utc"
    assert finding.spec == "OCPP 1.6 edition 2 §3.14 (time zones, informative)"


def test_bad_sender_is_a_programming_error(validator: FrameValidator) -> None:
    with pytest.raises(ValueError, match="sender"):
        validator.check_call(Call("1", "Heartbeat", {}), sender="cp")


# -- CALLERROR -------------------------------------------------------------------------------------


def test_callerror_for_known_action_is_fine(validator: FrameValidator) -> None:
    err = CallError("1", "NotSupported", "no reservations here", {})
    assert validator.check_error("ReserveNow", err, sender=CSMS) == []
    assert validator.check_error(None, err, sender=CSMS) == []


def test_callerror_for_unknown_action(validator: FrameValidator) -> None:
    good = CallError("1", "NotImplemented", "", {})
    assert validator.check_error("FooBar", good, sender=CSMS) == []
    bad = CallError("1", "NotSupported", "", {})
    (finding,) = validator.check_error("FooBar", bad, sender=CSMS, frames=(4, 5))
    assert finding.rule == "ocppj.error-code-for-unknown-action"
    assert finding.frames == (4, 5)


def test_callerror_envelope(validator: FrameValidator) -> None:
    err = CallError("1", "FormatViolation", None, [])  # type: ignore[arg-type]
    findings = validator.check_error("Reset", err, sender=CSMS)
    assert _rules(findings) == [
        "ocppj.error-code",
        "ocppj.error-description",
        "ocppj.error-details",
    ]
    assert "OCPP-J 1.6 spells it 'FormationViolation'" in findings[0].message


# -- raw text --------------------------------------------------------------------------------------


def test_check_text(validator: FrameValidator) -> None:
    assert validator.check_text('[2,"1","Heartbeat",{}]') == []
    assert validator.check_text("not json") == []
    (dup,) = validator.check_text('[3,"1",{"status":"Accepted","status":"Rejected"}]', frames=(9,))
    assert dup.rule == "json.duplicate-key"
    assert dup.severity is Severity.WARNING
    assert dup.frames == (9,)


# -- the corpus, as whole frames -------------------------------------------------------------------


@pytest.mark.parametrize("sample", corpus.CORPUS, ids=lambda s: s.name)
def test_corpus_frames(validator: FrameValidator, sample: Any) -> None:
    frame = parse(sample.frame_text())
    assert validator.check_text(sample.frame_text()) == []
    if sample.kind == "req":
        assert isinstance(frame, Call)
        findings = validator.check_call(frame, sender=_initiator(sample.action))
        rule = "schema.request"
    else:
        assert isinstance(frame, CallResult)
        findings = validator.check_result(sample.action, frame, sender=CSMS)
        rule = "schema.response"
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert len(errors) == len(sample.errors)
    assert all(f.rule == rule for f in errors)


def _initiator(action: str) -> str:
    from octt.validation.actions import CSMS_INITIATED

    return CSMS if action in CSMS_INITIATED else CP


def test_own_request_errors_is_the_schema_alone() -> None:
    validator = FrameValidator(SchemaSet.load())
    assert validator.own_request_errors("Heartbeat", {}) == []
    # A local time is valid for the schema: a warning for the CSMS, not octt's own error.
    good = {
        "connectorId": 1,
        "meterValue": [
            {"timestamp": "2026-01-01T01:00:00+01:00", "sampledValue": [{"value": "1"}]}
        ],
    }
    assert validator.own_request_errors("MeterValues", good) == []
    (error,) = validator.own_request_errors("Authorize", {})
    assert error.startswith("Authorize.req") and "idTag" in error
    assert validator.own_request_errors("Nope", {}) == ["Nope: not an OCPP 1.6 action"]
