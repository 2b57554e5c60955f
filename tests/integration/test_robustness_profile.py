"""`--profile robustness` end to end: the reference CSMS passes every case, a reference fault that
accepts a malformed StartTransaction fails exactly the matching cases, and a CSMS that stays
silent, answers another code, drops the connection or stops answering is graded in two levels.
The robustness cases stay out of the profiles, the verdict of a mixed run and the certificate.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.selection import select
from octt.cli import main
from octt.cli.env import Environment
from octt.clock import SystemClock
from octt.config import RunConfig
from octt.engine.checks import CHECKS
from octt.engine.runner import Runner, RunSetup
from octt.operator.none import NoOperator
from octt.pics.model import Limits, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.resources import default_pics_path
from octt.result.events import EventBus
from octt.result.model import CaseResult, RunResult, Verdict
from octt.result.scope import assess
from octt.robustness.generator import generate, with_robustness
from octt.validation.schemas import SchemaSet

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = SchemaSet.load()
OCPP16 = Subprotocol("ocpp1.6")
MISSING_ID_TAG = "RB.StartTransaction.missing-required.idTag"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return with_robustness(load_catalog(known_checks=frozenset(CHECKS)), SCHEMAS)


def test_the_reference_csms_passes_the_robustness_profile(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, cwd=tmp_path)
    status = main(
        ["run", "--profile", "robustness", "--reconnect-pause", "0.001", "--report-dir", "out"],
        env=env,
    )
    assert status == 4, stdout.getvalue()[-3000:] + stderr.getvalue()
    out = tmp_path / "out"
    result = json.loads((out / "result.json").read_text("utf-8"))
    schema = json.loads((REPO / "schemas" / "result.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(result)

    robustness = result["robustness"]
    assert robustness["verdict"] == "pass"
    assert (robustness["failed"], robustness["errors"], robustness["warned"]) == (0, 0, 0)
    assert robustness["total"] == len(generate(SCHEMAS))
    assert robustness["passed"] + robustness["not_applicable"] == robustness["total"]
    # Never mixed with the OCA cases: no profile, no case, no performance figures.
    assert result["profiles"] == [] and result["cases"] == []
    assert result["verdict"] == "pass"  # a robustness-only run: the robustness verdict
    for case in robustness["cases"]:
        if case["verdict"] == "pass":
            for raw in case["raw"]:
                assert raw["grade"] == "pass" and raw["connection_survived"], case["id"]
    [missing] = [c for c in robustness["cases"] if c["id"] == MISSING_ID_TAG]
    [raw] = missing["raw"]
    assert raw["expected"]["codes"] == ["ProtocolError"]
    assert raw["answer"]["kind"] == "callerror" and raw["answer"]["code"] == "ProtocolError"

    output = stdout.getvalue()
    assert "Robustness" in output
    # The exit status, the terminal's verdict and the document titles agree (reproduction 5:
    # this run said "Verdict: PASS", exit 0, while its certificate said "Not Passed").
    verdict = " ".join(output.split())
    assert (
        "Verdict: PARTIAL — partial test summary (every selected case passed, --profile"
        " robustness; 77 mandatory"
    ) in verdict
    title = "Partial Test Summary — Selected Cases Passed — Self-Test, No Laboratory"
    assert result["scope"]["title"] == title and result["scope"]["standing"] == "passed"
    assert 'testsuite name="robustness"' in (out / "junit.xml").read_text("utf-8")
    report = (out / "report.html").read_text("utf-8")
    assert 'id="profile-robustness"' in report and MISSING_ID_TAG in report
    certificate = (out / "certificate.html").read_text("utf-8")
    assert "RB." not in certificate  # the robustness cases are never on it; the selection is
    assert f"<h1>{title}</h1>" in certificate and f"<h1>{title}</h1>" in report
    assert "PARTIAL TEST SUMMARY — this document is not a certificate" in certificate
    assert "Certificate of Conformance" not in certificate


def test_a_reference_that_accepts_a_malformed_start_transaction_fails_those_cases(
    run_against_reference: Callable[..., RunResult], catalog: Catalog
) -> None:
    wrong_type = "RB.StartTransaction.wrong-type.meterStart"
    control = "RB.Authorize.missing-required.idTag"
    result = run_against_reference(
        [MISSING_ID_TAG, wrong_type, control],
        ["start-transaction-accepts-malformed"],
        catalog=catalog,
    )
    assert result.cases == ()  # all robustness
    by_id = {c.id: c for c in result.robustness}
    for case_id in (MISSING_ID_TAG, wrong_type):
        case = by_id[case_id]
        assert case.verdict is Verdict.FAIL, (case_id, case.reason)
        [accepted] = [f for f in case.findings if f.rule == "robustness.accepted"]
        assert accepted.severity.value == "error"
        assert "CALLRESULT" in accepted.message
        [raw] = case.raw
        assert (raw.answer, raw.grade.value, raw.connection_survived) == (
            "callresult",
            "fail",
            True,
        )
    assert by_id[control].verdict is Verdict.PASS, by_id[control].reason
    assert not result.passed


def test_a_mixed_run_keeps_the_oca_verdict_apart(
    run_against_reference: Callable[..., RunResult], catalog: Catalog
) -> None:
    result = run_against_reference(
        ["TC_001_CSMS", MISSING_ID_TAG], ["start-transaction-accepts-malformed"], catalog=catalog
    )
    [oca] = result.cases
    assert oca.id == "TC_001_CSMS" and oca.verdict is Verdict.PASS
    assert [p.name for p in result.profiles] == ["core"]
    assert result.verdict is Verdict.PASS  # the certificate's verdict: the OCA cases only
    [robust] = result.robustness
    assert robust.verdict is Verdict.FAIL
    assert not result.passed  # the exit status still says the run failed
    assert result.to_json()["robustness"]["verdict"] == "fail"
    scope = assess(result)  # and so do the terminal and the documents
    assert not scope.passed and scope.verdict_line.startswith("Verdict: FAIL")
    assert "1 robustness case(s) failed or could not be completed." in scope.reasons


# -- grading against a CSMS that misbehaves on bad input ----------------------------------------

RESPONSE_TIMEOUT_S = 0.5
ANSWER_TIMEOUT_S = 0.2
CASES = (MISSING_ID_TAG, "RB.Authorize.missing-required.idTag")
GOOD = {
    "BootNotification": {
        "status": "Accepted",
        "currentTime": "2026-01-01T00:00:00Z",
        "interval": 60,
    },
    "Heartbeat": {"currentTime": "2026-01-01T00:00:00Z"},
}


def good(action: str) -> dict[str, Any]:
    """GOOD[action], with the CSMS's currentTime now (octt checks the CSMS's clock)."""
    answer = dict(GOOD[action])
    if "currentTime" in answer:
        answer["currentTime"] = datetime.now(UTC).isoformat()
    return answer


# What the CSMS does with a CALL it has no good answer for (None: nothing).
Misbehaviour = Callable[[ServerConnection, str], Any]


async def _silent(ws: ServerConnection, uid: str) -> None:
    return None


async def _other_code(ws: ServerConnection, uid: str) -> None:
    await ws.send(json.dumps([4, uid, "GenericError", "no", {}]))


async def _closes(ws: ServerConnection, uid: str) -> None:
    await ws.close()


MISBEHAVIOURS: dict[str, tuple[Misbehaviour, Verdict, str]] = {
    "silent": (_silent, Verdict.FAIL, "robustness.no-answer"),
    "another-code": (_other_code, Verdict.PASS, "robustness.error-code"),
    "drops-the-connection": (_closes, Verdict.FAIL, "robustness.connection-dropped"),
    "stops-answering": (_other_code, Verdict.FAIL, "robustness.stopped-answering"),
}


def run_against(name: str, catalog: Catalog, tmp_path: Path) -> tuple[CaseResult, ...]:
    misbehave, _, _ = MISBEHAVIOURS[name]
    stop_after_bad_input = name == "stops-answering"

    async def handler(ws: ServerConnection) -> None:
        mute = False
        try:
            async for message in ws:
                frame = json.loads(message)
                if frame[0] != 2 or mute:
                    continue
                uid, action = frame[1], frame[2]
                if action in GOOD:
                    await ws.send(json.dumps([3, uid, good(action)]))
                    continue
                await misbehave(ws, uid)
                mute = stop_after_bad_input
        except ConnectionClosed:
            pass

    pics = dataclasses.replace(
        load_pics(default_pics_path()), limits=Limits(RESPONSE_TIMEOUT_S, RESPONSE_TIMEOUT_S)
    )

    async def scenario() -> RunResult:
        async with serve(
            handler, "127.0.0.1", 0, subprotocols=[OCPP16], ping_interval=None
        ) as server:
            url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            config = RunConfig(
                csms_url=url, operator="none", robustness_answer_timeout_s=ANSWER_TIMEOUT_S
            )
            clock = SystemClock()
            recorder = Recorder(clock, Redactor(()), tmp_path / "trace.jsonl")
            setup = RunSetup(
                config, pics, catalog, url, NoOperator(), clock, EventBus(), recorder, SCHEMAS
            )
            try:
                return await Runner(setup).run(select(catalog, pics, test_ids=list(CASES)))
            finally:
                recorder.close()

    result = asyncio.run(asyncio.wait_for(scenario(), 20))
    return result.robustness


@pytest.mark.parametrize("name", list(MISBEHAVIOURS))
def test_bad_input_is_graded_in_two_levels(name: str, catalog: Catalog, tmp_path: Path) -> None:
    _, verdict, rule = MISBEHAVIOURS[name]
    cases = run_against(name, catalog, tmp_path)
    assert [c.id for c in cases] == sorted(CASES), "the run goes on to the next case"
    for case in cases:
        assert case.verdict is verdict, (case.id, case.reason)
        assert rule in {f.rule for f in case.findings}, (case.id, case.findings)
        [raw] = case.raw
        assert raw.grade.value == {Verdict.PASS: "warning", Verdict.FAIL: "fail"}[verdict]
        assert raw.connection_survived is (name != "drops-the-connection")
    if name == "another-code":
        [warning] = cases[0].findings
        assert "GenericError" in warning.message and "ProtocolError" in warning.message
        assert cases[0].reason.startswith("passed with 1 warning(s)")


# -- inconclusive cases: no baseline Heartbeat, a failed set-up -----------------------------------


def run_scripted(
    answers: Callable[[str, str], list[Any] | None], case_ids: list[str], tmp_path: Path
) -> tuple[CaseResult, ...]:
    """The robustness cases against a CSMS that answers each CALL as `answers(uid, action)`
    says (None: the good answer, if there is one)."""

    async def handler(ws: ServerConnection) -> None:
        try:
            async for message in ws:
                frame = json.loads(message)
                if frame[0] != 2 or not isinstance(frame[1], str):
                    continue
                uid, action = frame[1], frame[2]
                reply = answers(uid, str(action))
                if reply is None and action in GOOD:
                    reply = [3, uid, good(action)]
                if reply is not None:
                    await ws.send(json.dumps(reply))
        except ConnectionClosed:
            pass

    pics = dataclasses.replace(
        load_pics(default_pics_path()), limits=Limits(RESPONSE_TIMEOUT_S, RESPONSE_TIMEOUT_S)
    )
    catalog = with_robustness(load_catalog(known_checks=frozenset(CHECKS)), SCHEMAS)

    async def scenario() -> RunResult:
        async with serve(
            handler, "127.0.0.1", 0, subprotocols=[OCPP16], ping_interval=None
        ) as server:
            url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            config = RunConfig(
                csms_url=url,
                operator="none",
                robustness_answer_timeout_s=ANSWER_TIMEOUT_S,
                reconnect_pause_s=0.001,
            )
            clock = SystemClock()
            recorder = Recorder(clock, Redactor(()), tmp_path / "trace.jsonl")
            setup = RunSetup(
                config, pics, catalog, url, NoOperator(), clock, EventBus(), recorder, SCHEMAS
            )
            try:
                return await Runner(setup).run(select(catalog, pics, test_ids=case_ids))
            finally:
                recorder.close()

    return asyncio.run(asyncio.wait_for(scenario(), 20)).robustness


def test_a_csms_without_heartbeat_makes_the_cases_inconclusive_not_failed(
    tmp_path: Path,
) -> None:
    def answers(uid: str, action: str) -> list[Any] | None:
        if action == "Heartbeat":
            return [4, uid, "NotImplemented", "no Heartbeat here", {}]
        if action == "StartTransaction":
            return [4, uid, "ProtocolError", "idTag missing", {}]  # the expected CALLERROR
        return None

    [case] = run_scripted(answers, [MISSING_ID_TAG], tmp_path)
    assert case.verdict is Verdict.ERROR, case.reason
    assert "inconclusive" in case.reason and "Heartbeat" in case.reason
    assert not [f for f in case.findings if f.severity.value == "error"]


def test_a_failed_set_up_says_which_step_and_what_the_csms_answered(tmp_path: Path) -> None:
    def answers(uid: str, action: str) -> list[Any] | None:
        if action == "StartTransaction":
            return [4, uid, "InternalError", "no transactions today", {}]
        return None

    case_id = "RB.StopTransaction.meter-stop-below-start"
    [case] = run_scripted(answers, [case_id], tmp_path)
    assert case.verdict is Verdict.ERROR, case.reason
    assert "TemplateError" not in case.reason
    assert "set-up step" in case.reason and "StartTransaction" in case.reason
    assert "InternalError" in case.reason
