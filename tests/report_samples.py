"""Sample results and traces for the report tests: every verdict, several profiles, a security
profile, a performance limit exceeded, laboratory details, and a trace with a secret in it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from octt.config import LabInfo, Signatory
from octt.findings import Finding, Severity
from octt.result.coverage import RunScope
from octt.result.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    OperatorRecord,
    RawExchangeRecord,
    RawGrade,
    RunResult,
    StepRecord,
    StepStatus,
    Verdict,
    summarise_profile,
)
from octt.result.performance import performance
from octt.result.result_json import write_result

SECRET = "AuthKey-Very-Secret-0042"
SCHEMA_SHA = "ab" * 32
T0 = 1_000_000_000_000


def _step(path: str, description: str, frames: tuple[int, ...], status: StepStatus) -> StepRecord:
    return StepRecord(
        path, "send", description, "x.yaml:3", status, "2026-03-01T12:00:00.100Z", 0.0123, frames
    )


CASES: tuple[CaseResult, ...] = (
    CaseResult(
        "TC_001_CSMS",
        "Cold Boot Charge Point",
        "core",
        Verdict.PASS,
        duration_s=0.5,
        started_at="2026-03-01T12:00:00.000Z",
        steps=(_step("1", "send BootNotification", (3, 4), StepStatus.OK),),
        exchanges=(
            ExchangeRecord("BootNotification", ExchangeOutcome.RESULT, 3, 4, 0.004),
            ExchangeRecord("Authorize", ExchangeOutcome.RESULT, 5, 6, 0.25),
        ),
        location="testcases/core/TC_001_CSMS.yaml:1",
    ),
    CaseResult(
        "TC_003_CSMS",
        "Regular Charging Session <Plugin First>",
        "core",
        Verdict.FAIL,
        reason="Authorize.conf idTagInfo.status is 'Invalid'; expected 'Accepted'",
        duration_s=0.25,
        started_at="2026-03-01T12:00:01.000Z",
        findings=(
            Finding(
                "expect.Authorize.idTagInfo.status",
                Severity.ERROR,
                "Authorize.conf idTagInfo.status is 'Invalid'; expected 'Accepted'",
                "OCPP 1.6 §4.2 Authorize",
                (9,),
                "2",
            ),
            Finding("ocppj.late-response", Severity.WARNING, "late answer", "", (), "3"),
        ),
        steps=(
            _step("1", "expect ChangeConfiguration", (8, 9), StepStatus.OK),
            _step("2", "send Heartbeat", (10, 11), StepStatus.FAILED),
        ),
        exchanges=(ExchangeRecord("Heartbeat", ExchangeOutcome.ERROR, 10, 11, 0.0012),),
        operator=(OperatorRecord("Reset", "done", "trigger API: HTTP 200", 0.01),),
    ),
    CaseResult(
        "TC_010_CSMS",
        "Remote Start",
        "core",
        Verdict.ERROR,
        reason="the trigger API failed: HTTP 500",
    ),
    CaseResult(
        "TC_013_CSMS", "Hard Reset", "core", Verdict.SKIPPED, reason="no operator (--operator none)"
    ),
    CaseResult(
        "TC_064_CSMS",
        "Data Transfer",
        "core",
        Verdict.NOT_APPLICABLE,
        reason="PICS test_data.unsupported_vendor_id is not set",
    ),
    CaseResult("TC_056_CSMS", "Central Smart Charging", "smart-charging", Verdict.PASS),
    CaseResult("TC_073_CSMS", "Update Basic Auth password", "security", Verdict.PASS),
    CaseResult("TC_074_CSMS", "Client certificate", "security", Verdict.FAIL, reason="no"),
    CaseResult("TC_079_CSMS", "Get Security Log", "security", Verdict.PASS),
)

PICS: dict[str, Any] = {
    "sut": {
        "vendor": "Ünïcode Charging <GmbH> & Co",
        "product": "ExampleCSMS",
        "product_type": "Charging Station Management System",
        "ocpp_software_version": "4.2.0",
        "communication": "JSON",
    },
    "profiles": {
        "core": True,
        "firmware-management": True,
        "local-auth-list-management": False,
        "reservation": False,
        "smart-charging": True,
        "remote-trigger": False,
    },
    "security": {"profiles": [2, 3]},
    "additional_questions": {"AQ-1": True, "AQ-7": False},
    "features": {"milliseconds_in_timestamps": True},
    "limits": {"response_timeout_s": 30, "authorize_response_s": 0.1},
    "test_data": {"charge_point_id": "CP-1", "valid_id_tag": "VALID-1"},
}

LAB = LabInfo(
    name="Example Test Lab",
    location="Arnhem",
    report_reference="ETL-2026-7",
    certificate_number="OCA.0016.0099.CSMS",
    vendor_signatory=Signatory(name="Vera Vendor", position="Head of QA"),
    lab_signatory=Signatory(name="Lars Lab", department="E-Mobility", date="2026-03-02"),
)


def failing_result(cases: tuple[CaseResult, ...] = CASES) -> RunResult:
    exchanges = [e for c in cases for e in c.exchanges]
    profiles = []
    for name in dict.fromkeys(c.profile for c in cases):
        profiles.append(summarise_profile(name, [c for c in cases if c.profile == name]))
    applicable = [c for c in cases if c.verdict is not Verdict.NOT_APPLICABLE]
    passed = bool(applicable) and all(c.verdict is Verdict.PASS for c in applicable)
    return RunResult(
        run_id="abc123def456",
        tool_name="octt",
        tool_version="0.1.0",
        started_at="2026-03-01T12:00:00.000Z",
        finished_at="2026-03-01T12:01:30.250Z",
        sut=PICS["sut"],
        csms_url="wss://csms.example.com/ocpp",
        security_profile=2,
        verdict=Verdict.PASS if passed else Verdict.FAIL,
        profiles=tuple(profiles),
        cases=cases,
        performance=performance(exchanges, response_limit_s=30, authorize_limit_s=0.1),
        schemas={"source": "ocpp 2.1.0: ocpp/v16/schemas", "sha256": SCHEMA_SHA},
        pics=PICS,
        settings={
            "time_scale": 0.001,
            "tls_verify": False,
            "ordering": "documented",
            "operator": "http://127.0.0.1:9001",
            "operator_timeout_s": 30.0,
            "cp_id": "CP-1",
            "security_profile": 2,
        },
        lab=LAB,
        scope=RunScope(),  # every case the claimed profiles make mandatory was selected
    )


def passing_result() -> RunResult:
    """Every applicable case passed, within the limits (Authorize at 0.25 s < 5 s)."""
    cases = tuple(
        replace(c, verdict=Verdict.PASS, reason="", findings=())
        for c in CASES
        if c.verdict is not Verdict.NOT_APPLICABLE
    )
    result = failing_result(cases)
    return replace(
        result,
        performance=performance(
            [e for c in cases for e in c.exchanges], response_limit_s=30, authorize_limit_s=5
        ),
        settings={**result.settings, "tls_verify": True},
    )


def _frame(seq: int, case: str, direction: str, text: str, ms: float) -> dict[str, Any]:
    return {
        "seq": seq,
        "case": case,
        "conn": 1 if case == "" else 2,
        "dir": direction,
        "mono_ns": T0 + int(ms * 1e6),
        "utc": f"2026-03-01T12:00:{int(ms // 1000):02d}.{int(ms % 1000):03d}Z",
        "text": text,
    }


def _event(seq: int, case: str, kind: str, detail: str, ms: float) -> dict[str, Any]:
    return {
        "seq": seq,
        "case": case,
        "conn": 1 if case == "" else 2,
        "event": kind,
        "mono_ns": T0 + int(ms * 1e6),
        "utc": f"2026-03-01T12:00:{int(ms // 1000):02d}.{int(ms % 1000):03d}Z",
        "detail": detail,
    }


def trace_records() -> list[dict[str, Any]]:
    up, down = "cp->csms", "csms->cp"
    boot = '{"chargePointVendor":"octt","chargePointModel":"sim"}'
    change = '[2,"c1","ChangeConfiguration",{"key":"AuthorizationKey","value":"' + SECRET + '"}]'
    return [
        _event(1, "", "open", "reachability probe", 0),
        _event(2, "TC_001_CSMS", "open", "wss://csms.example.com/ocpp/CP-1", 10),
        _frame(3, "TC_001_CSMS", up, f'[2,"octt-1","BootNotification",{boot}]', 11),
        _frame(4, "TC_001_CSMS", down, '[3,"octt-1",{"status":"Accepted","interval":300}]', 15),
        _frame(5, "TC_001_CSMS", up, '[2,"octt-2","Authorize",{"idTag":"VALID-1"}]', 20),
        _frame(6, "TC_001_CSMS", down, '[3,"octt-2",{"idTagInfo":{"status":"Accepted"}}]', 270),
        _event(7, "TC_003_CSMS", "open", "wss://csms.example.com/ocpp/CP-1", 1000),
        _frame(8, "TC_003_CSMS", down, change, 1001),
        _frame(9, "TC_003_CSMS", up, '[3,"c1",{"status":"Accepted"}]', 1002),
        _frame(10, "TC_003_CSMS", up, '[2,"octt-3","Heartbeat",{}]', 1003),
        _frame(11, "TC_003_CSMS", down, '[4,"octt-3","NotImplemented","no",{}]', 1004),
        _frame(12, "TC_003_CSMS", down, "this is not json", 1005),
        _event(13, "TC_003_CSMS", "close", "closed by the charge point", 1006),
    ]


def write_trace(path: Path, *, truncated: bool = False) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in trace_records()]
    text = "\n".join(lines) + "\n"
    if truncated:
        text += '{"seq":14,"case":"TC_003_CSMS","conn":2,"dir":"cp->c'
    path.write_text(text, encoding="utf-8")


def write_run_folder(directory: Path, result: RunResult | None = None) -> Path:
    """A report folder as `octt run` leaves it before rendering: result.json and trace.jsonl."""
    directory.mkdir(parents=True, exist_ok=True)
    write_result(directory / "result.json", result or failing_result())
    write_trace(directory / "trace.jsonl")
    return directory


def robustness_cases() -> tuple[CaseResult, ...]:
    """Two robustness cases: one answered as OCPP-J 1.6 asks, one accepted (a failure)."""

    def raw(answer: str, code: str | None, grade: RawGrade) -> RawExchangeRecord:
        return RawExchangeRecord(
            step="2",
            input="StartTransaction.req without its required idTag",
            input_class="missing-required",
            request_frame=3,
            expected_answer="callerror",
            expected_codes=("ProtocolError",),
            because="'Payload for Action is incomplete' is ProtocolError",
            answer=answer,
            grade=grade,
            answer_code=code,
            response_frame=4,
            response_s=0.002,
        )

    return (
        CaseResult(
            "RB.Authorize.missing-required.idTag",
            "Authorize without its required idTag",
            "robustness",
            Verdict.PASS,
            raw=(raw("callerror", "ProtocolError", RawGrade.PASS),),
        ),
        CaseResult(
            "RB.StartTransaction.missing-required.idTag",
            "StartTransaction without its required idTag",
            "robustness",
            Verdict.FAIL,
            reason="the CSMS accepted StartTransaction.req without its required idTag",
            findings=(
                Finding("robustness.accepted", Severity.ERROR, "accepted", "OCPP-J 1.6 §4.2.3"),
            ),
            raw=(raw("callresult", None, RawGrade.FAIL),),
        ),
    )
