"""Reading result.json back into the result model, so reports can be rendered again later."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from octt.config import lab_from_data
from octt.findings import Finding, Severity
from octt.result.coverage import scope_from_json
from octt.result.model import (
    CaseResult,
    ExchangeOutcome,
    ExchangeRecord,
    LimitVerdict,
    OperatorRecord,
    Performance,
    ProfileResult,
    ProfileVerdict,
    RawExchangeRecord,
    RawGrade,
    RunResult,
    StepRecord,
    StepStatus,
    TimingSummary,
    TlsOutcome,
    TlsRecord,
    TransferKind,
    TransferOutcome,
    TransferRecord,
    Verdict,
)


class ResultFileError(ValueError):
    """result.json is missing, unreadable or not a result of this octt."""


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(
        d["rule"],
        Severity(d["severity"]),
        d["message"],
        d.get("spec", ""),
        tuple(d.get("frames", ())),
        d.get("step", ""),
    )


def _raw(d: dict[str, Any]) -> RawExchangeRecord:
    expected = d.get("expected", {})
    answer = d.get("answer", {})
    return RawExchangeRecord(
        step=d.get("step", ""),
        input=d.get("input", ""),
        input_class=d.get("class", ""),
        request_frame=d["request_frame"],
        expected_answer=expected.get("answer", ""),
        expected_codes=tuple(expected.get("codes", ())),
        because=expected.get("because", ""),
        answer=answer.get("kind", "none"),
        grade=RawGrade(d["grade"]),
        answer_code=answer.get("code"),
        answer_description=answer.get("description", ""),
        response_frame=answer.get("frame"),
        response_s=answer.get("response_s"),
        connection_survived=d.get("connection_survived", True),
    )


def _case(d: dict[str, Any]) -> CaseResult:
    return CaseResult(
        id=d["id"],
        title=d["title"],
        profile=d["profile"],
        verdict=Verdict(d["verdict"]),
        reason=d.get("reason", ""),
        duration_s=d.get("duration_s", 0.0),
        started_at=d.get("started_at", ""),
        location=d.get("location", ""),
        findings=tuple(_finding(f) for f in d.get("findings", ())),
        steps=tuple(
            StepRecord(
                s["path"],
                s["kind"],
                s["description"],
                s["location"],
                StepStatus(s["status"]),
                s["started_at"],
                s["duration_s"],
                tuple(s.get("frames", ())),
                s.get("detail", ""),
            )
            for s in d.get("steps", ())
        ),
        exchanges=tuple(
            ExchangeRecord(
                e["action"],
                ExchangeOutcome(e["outcome"]),
                e["request_frame"],
                e.get("response_frame"),
                e.get("response_s"),
            )
            for e in d.get("exchanges", ())
        ),
        operator=tuple(
            OperatorRecord(o["action"], o["outcome"], o.get("detail", ""), o.get("elapsed_s", 0.0))
            for o in d.get("operator", ())
        ),
        transfers=tuple(
            TransferRecord(
                TransferKind(t["kind"]),
                t["url"],
                TransferOutcome(t["outcome"]),
                t.get("step", ""),
                t.get("detail", ""),
                t.get("size"),
                t.get("sha256"),
                t.get("duration_s", 0.0),
            )
            for t in d.get("transfers", ())
        ),
        raw=tuple(_raw(r) for r in d.get("raw", ())),
        interrupted=d.get("interrupted", False),
        security_profile=d.get("security_profile"),
        tls=tuple(_tls(t) for t in d.get("tls", ())),
        missing_test_data=tuple(d.get("missing_test_data", ())),
    )


def _tls(d: dict[str, Any]) -> TlsRecord:
    client = d.get("client_certificate")
    return TlsRecord(
        purpose=d["purpose"],
        step=d.get("step", ""),
        url=d.get("url", ""),
        security_profile=d.get("security_profile", 0),
        outcome=TlsOutcome(d["outcome"]),
        detail=d.get("detail", ""),
        version=d.get("version", ""),
        cipher=d.get("cipher", ""),
        server_certificates=tuple(dict(c) for c in d.get("server_certificates", ())),
        client_certificate=dict(client) if isinstance(client, dict) else None,
        verified=d.get("verified", True),
        connection=d.get("connection"),
    )


def _timing(d: dict[str, Any]) -> TimingSummary:
    return TimingSummary(
        d["count"],
        d.get("min_s"),
        d.get("avg_s"),
        d.get("max_s"),
        d.get("p95_s"),
        d["limit_s"],
        LimitVerdict(d["verdict"]),
        d.get("unanswered", 0),
    )


def result_from_json(d: dict[str, Any]) -> RunResult:
    return RunResult(
        run_id=d["run_id"],
        tool_name=d["tool"]["name"],
        tool_version=d["tool"]["version"],
        started_at=d["started_at"],
        finished_at=d["finished_at"],
        sut=d.get("sut", {}),
        csms_url=d.get("csms_url", ""),
        security_profile=d.get("security_profile", 0),
        verdict=Verdict(d["verdict"]),
        profiles=tuple(
            ProfileResult(
                p["name"],
                ProfileVerdict(p["verdict"]),
                p["passed"],
                p["failed"],
                p["total"],
                p.get("errors", 0),
                p.get("skipped", 0),
                p.get("not_applicable", 0),
                p.get("not_run", 0),
            )
            for p in d.get("profiles", ())
        ),
        cases=tuple(_case(c) for c in d.get("cases", ())),
        performance=Performance(
            _timing(d["performance"]["response_time"]), _timing(d["performance"]["authorize"])
        ),
        schemas=d.get("schemas", {}),
        pics=d.get("pics", {}),
        settings=d.get("settings", {}),
        interrupted=d.get("interrupted", False),
        lab=lab_from_data(d.get("lab") or {}),
        robustness=tuple(_case(c) for c in (d.get("robustness") or {}).get("cases", ())),
        stop_reason=d.get("stop_reason", ""),
        # Older result.json files have no selection recorded: octt.result.scope infers it.
        scope=scope_from_json(d["scope"]) if "selection" in d.get("scope", {}) else None,
    )


def load_result(path: Path) -> RunResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResultFileError(f"{path}: no such file") from exc
    except (OSError, ValueError) as exc:
        raise ResultFileError(f"{path}: cannot read: {exc}") from exc
    try:
        return result_from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultFileError(f"{path}: not an octt result ({type(exc).__name__}: {exc})") from exc
