"""result.json read back into the model: round-trip equality and clear errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_samples import robustness_cases

from octt.config import LabInfo, Signatory
from octt.findings import Finding, Severity
from octt.resources import schema_path
from octt.result.coverage import OutsideCase, RunScope
from octt.result.load import ResultFileError, load_result, result_from_json
from octt.result.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    LimitVerdict,
    OperatorRecord,
    Performance,
    ProfileResult,
    ProfileVerdict,
    RunResult,
    StepRecord,
    StepStatus,
    TimingSummary,
    TlsOutcome,
    TlsRecord,
    Verdict,
)
from octt.result.result_json import write_result

_CERTIFICATE = {
    "subject": "CN=127.0.0.1",
    "common_name": "127.0.0.1",
    "issuer": "CN=root",
    "serial": "1a2b",
    "not_before": "2026-01-01T00:00:00+00:00",
    "not_after": "2028-01-01T00:00:00+00:00",
    "key_type": "EC",
    "key_bits": 256,
    "sha256": "ab" * 32,
}


def sample() -> RunResult:
    return RunResult(
        run_id="20260301-120000-abcd",
        tool_name="octt",
        tool_version="0.1.0",
        started_at="2026-03-01T12:00:00.000Z",
        finished_at="2026-03-01T12:01:30.250Z",
        sut={"vendor": "V", "product": "P", "ocpp_software_version": "1.0"},
        csms_url="ws://127.0.0.1:9000",
        security_profile=1,
        verdict=Verdict.FAIL,
        profiles=(
            ProfileResult("core", ProfileVerdict.FAIL, 1, 1, 3, 0, 0, 1),
            ProfileResult("reservation", ProfileVerdict.NOT_APPLICABLE, 0, 0, 0),
        ),
        cases=(
            CaseResult(
                "TC_001_CSMS",
                "Cold boot",
                "core",
                Verdict.PASS,
                duration_s=1.5,
                started_at="2026-03-01T12:00:00.000Z",
                steps=(
                    StepRecord(
                        "before:booted/1",
                        "send",
                        "send BootNotification",
                        "booted.yaml:5",
                        StepStatus.OK,
                        "2026-03-01T12:00:00.000Z",
                        0.125,
                        (1, 2),
                        "",
                    ),
                ),
                exchanges=(
                    ExchangeRecord("BootNotification", ExchangeOutcome.RESULT, 1, 2, 0.0625),
                    ExchangeRecord("Heartbeat", ExchangeOutcome.TIMEOUT, 3, None, None),
                ),
                location="TC_001_CSMS.yaml:1",
            ),
            CaseResult(
                "TC_003_CSMS",
                "Plugin first — ünïcode",
                "core",
                Verdict.FAIL,
                reason="1 error",
                duration_s=0.25,
                findings=(
                    Finding(
                        "expect.Authorize.idTagInfo.status",
                        Severity.ERROR,
                        "x",
                        "§4.2",
                        (3, 4),
                        "2",
                    ),
                    Finding("ocppj.late-response", Severity.WARNING, "late"),
                ),
                operator=(OperatorRecord("RemoteStartTransaction", "done", "via http", 0.5),),
            ),
            CaseResult("TC_046_CSMS", "Reserve", "core", Verdict.NOT_APPLICABLE, reason="n/a"),
            CaseResult(
                "TC_087_CSMS",
                "TLS client certificate",
                "security",
                Verdict.PASS,
                security_profile=3,
                tls=(
                    TlsRecord(
                        purpose="connection",
                        step="1",
                        url="wss://127.0.0.1:9443/CP",
                        security_profile=3,
                        outcome=TlsOutcome.ESTABLISHED,
                        detail="TLSv1.3 TLS_AES_256_GCM_SHA384",
                        version="TLSv1.3",
                        cipher="TLS_AES_256_GCM_SHA384",
                        server_certificates=(_CERTIFICATE,),
                        client_certificate=_CERTIFICATE,
                        connection=4,
                    ),
                    TlsRecord(
                        purpose="connection the CSMS must refuse",
                        step="4",
                        url="wss://127.0.0.1:9443/CP",
                        security_profile=3,
                        outcome=TlsOutcome.REFUSED,
                        detail="HTTP 403",
                    ),
                ),
            ),
        ),
        performance=Performance(
            TimingSummary(2, 0.0625, 0.09375, 0.125, 0.125, 30.0, LimitVerdict.FAIL, 1),
            TimingSummary(0, None, None, None, None, 5.0, LimitVerdict.NO_DATA, 0),
        ),
        schemas={"source": "ocpp 2.1.0", "sha256": "0" * 64},
        pics={"profiles": {"core": True}, "security": {"profiles": [1]}},
        settings={"time_scale": 0.001, "basic_auth": True},
        interrupted=True,
        lab=LabInfo(
            name="Lab",
            report_reference="R-7",
            lab_signatory=Signatory(name="Lars", date="2026-03-02"),
        ),
    )


def test_round_trip_equality() -> None:
    original = sample()
    assert result_from_json(original.to_json()) == original


def test_round_trip_through_json_text() -> None:
    original = sample()
    text = json.dumps(original.to_json())
    assert result_from_json(json.loads(text)) == original


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    write_result(path, sample())
    assert load_result(path) == sample()


def test_result_json_obeys_its_schema() -> None:
    schema = json.loads(schema_path("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(sample().to_json(), schema)


def test_missing_optional_fields_take_defaults() -> None:
    data = sample().to_json()
    for key in (
        "sut",
        "csms_url",
        "security_profile",
        "profiles",
        "cases",
        "schemas",
        "pics",
        "settings",
        "interrupted",
        "lab",
    ):
        del data[key]
    loaded = result_from_json(data)
    assert (loaded.sut, loaded.csms_url, loaded.security_profile) == ({}, "", 0)
    assert (loaded.profiles, loaded.cases, loaded.interrupted) == ((), (), False)
    assert loaded.lab == LabInfo()  # a result.json written before `lab` existed


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    with pytest.raises(ResultFileError) as info:
        load_result(path)
    assert str(info.value) == f"{path}: no such file"


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ResultFileError) as info:
        load_result(path)
    assert str(info.value).startswith(f"{path}: cannot read: ")


def test_a_folder_is_not_readable(tmp_path: Path) -> None:
    with pytest.raises(ResultFileError, match="cannot read"):
        load_result(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ResultFileError, match="cannot read"):
        load_result(path)


def mutated(**changes: Any) -> dict[str, Any]:
    data = sample().to_json()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([1, 2], "TypeError"),
        ("just text", "TypeError"),
        (None, "TypeError"),
        ({}, "KeyError: 'run_id'"),
        (mutated(verdict="great"), "ValueError: 'great' is not a valid Verdict"),
        (mutated(tool="octt"), "TypeError"),
        (mutated(performance={}), "KeyError: 'response_time'"),
        (mutated(cases=[{"id": "TC_001_CSMS"}]), "KeyError: 'title'"),
        (mutated(cases=["TC_001_CSMS"]), "TypeError"),
        (mutated(profiles=[{"name": "core", "verdict": "pass"}]), "KeyError: 'passed'"),
    ],
)
def test_not_an_octt_result(tmp_path: Path, document: object, fragment: str) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ResultFileError) as info:
        load_result(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not an octt result (")
    assert fragment in message


def test_bad_finding_severity_is_reported(tmp_path: Path) -> None:
    data = sample().to_json()
    data["cases"][1]["findings"][0]["severity"] = "fatal"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultFileError, match="'fatal' is not a valid Severity"):
        load_result(path)


def test_result_file_error_is_a_value_error() -> None:
    assert issubclass(ResultFileError, ValueError)


def test_robustness_and_an_interrupted_case_round_trip() -> None:
    stopped = CaseResult(
        "TC_010_CSMS", "Remote start", "core", Verdict.ERROR, "interrupted", interrupted=True
    )
    original = replace(sample(), cases=(*sample().cases, stopped), robustness=robustness_cases())
    data = original.to_json()
    assert data["cases"][-1]["interrupted"] is True
    assert "interrupted" not in data["cases"][0]
    section = data["robustness"]
    assert (section["verdict"], section["passed"], section["failed"], section["total"]) == (
        "fail",
        1,
        1,
        2,
    )
    assert section["cases"][1]["raw"][0]["expected"]["codes"] == ["ProtocolError"]
    assert result_from_json(json.loads(json.dumps(data))) == original
    schema = json.loads(schema_path("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert "robustness" not in sample().to_json()  # only when robustness cases ran


def test_a_stopped_run_and_a_not_run_case_round_trip() -> None:
    """Why a partial run stopped, and the test data a not-run case lacks, survive result.json
    (and obey its schema)."""
    not_run = CaseResult(
        "TC_023_2_CSMS",
        "Authorize expired",
        "core",
        Verdict.NOT_RUN,
        "missing PICS test data: test_data.expired_id_tag",
        missing_test_data=("test_data.expired_id_tag",),
    )
    original = replace(
        sample(),
        cases=(*sample().cases, not_run),
        interrupted=True,
        stop_reason="the CSMS could not be reached: refused",
    )
    document = json.loads(json.dumps(original.to_json()))
    assert document["stop_reason"] == "the CSMS could not be reached: refused"
    assert document["cases"][-1]["missing_test_data"] == ["test_data.expired_id_tag"]
    assert result_from_json(document) == original
    schema = json.loads(schema_path("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert "stop_reason" not in sample().to_json()


def test_scope_and_not_run_round_trip_and_obey_the_schema(tmp_path: Path) -> None:
    not_run = CaseResult(
        "TC_064_CSMS", "Data Transfer", "core", Verdict.NOT_RUN, "missing: unknown_vendor_id"
    )
    scope = RunScope(
        tests=("TC_001_CSMS",),
        outside=(OutsideCase("TC_003_CSMS", "core", "Regular session", True),),
    )
    original = replace(sample(), cases=(*sample().cases, not_run), scope=scope)
    path = tmp_path / "result.json"
    write_result(path, original)
    assert load_result(path) == original
    document = json.loads(path.read_text(encoding="utf-8"))
    # result.json says what the run may claim, beside the selection.
    assert document["scope"]["document"] == "partial test summary"
    assert document["scope"]["missing"] == ["TC_003_CSMS"]
    schema = json.loads(schema_path("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


def test_an_old_result_without_scope_still_loads() -> None:
    data = sample().to_json()
    data.pop("scope", None)
    assert result_from_json(data).scope is None
