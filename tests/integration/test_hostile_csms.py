"""The engine against a misbehaving CSMS: a small WebSocket server on 127.0.0.1 that answers
like a Central System except for one deliberate fault. Every fault must end the case with verdict
``fail`` (not ``error``, not a crash, not a hang) and the finding that names it; the trace must
hold the offending frame.

The run is bounded by a deadline computed from the configured timeouts (connect timeout, PICS
response timeout shrunk to 0.5 s, the engine's closing budgets), never by sleeping.

`HOSTILE` adds the behaviours that try to break the harness itself (floods, pings, junk
forever, answers very late, frames of many megabytes, refused connections, TLS failures): each
must end every case of a two-case run with a verdict and a finding naming it, within the bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import json
import socket
import ssl
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
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
from octt.pics.model import Limits, Pics, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.resources import default_pics_path
from octt.result.events import EventBus
from octt.result.model import CaseResult, RunResult, Verdict
from octt.result.result_json import ResultFileSink
from octt.validation.schemas import SchemaSet

OCPP16 = Subprotocol("ocpp1.6")
RESPONSE_TIMEOUT_S = 0.5
CONNECT_TIMEOUT_S = 2.0
#: CALLs the charge point sends in TC_003_CSMS (Boot, 3 x Available, Preparing, Authorize,
#: StartTransaction, Charging): at most this many response timeouts can add up.
MAX_CALLS = 8
#: ctx.finish(): background answers (3 s) + closing handshake (3 s), plus slack for the loop.
CLOSING_BUDGET_S = 3.0 + 3.0 + 2.0
#: Upper bound for a whole run: reachability probe + the case's connection + every response.
RUN_DEADLINE_S = 2 * CONNECT_TIMEOUT_S + MAX_CALLS * RESPONSE_TIMEOUT_S + CLOSING_BUDGET_S

CLOSE = object()  # in a behaviour's frame list: close the connection (closing handshake)
ABORT = object()  # in a behaviour's frame list: drop the TCP connection (no handshake)
HOSTILE_CALL = '[2,"hostile-1","FrobnicateWidget",{}]'
INVALID_CALL = '[2,"hostile-2","Reset",{"type":"Sideways"}]'
WRONG_WAY_CALL = '[2,"hostile-3","Heartbeat",{}]'
CLEAR_CACHE = '[2,"hostile-4","ClearCache",{}]'


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def conformant(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a well-behaved Central System answers (enough for the Core cases used here)."""
    if action == "BootNotification":
        return {"status": "Accepted", "currentTime": now_rfc3339(), "interval": 300}
    if action == "Heartbeat":
        return {"currentTime": now_rfc3339()}
    if action in ("Authorize", "StartTransaction"):
        answer: dict[str, Any] = {"idTagInfo": {"status": "Accepted"}}
        if action == "StartTransaction":
            answer["transactionId"] = 1
        return answer
    if action == "DataTransfer":
        return {"status": "UnknownVendorId"}
    return {}  # StatusNotification, MeterValues, StopTransaction, DiagnosticsStatus...


def result_frame(unique_id: str, payload: dict[str, Any]) -> str:
    return json.dumps([3, unique_id, payload])


# What the hostile CSMS sends back for the CALL it misbehaves on: frames (text) or CLOSE.
Reply = Callable[[str, dict[str, Any]], list[Any]]


@dataclass(frozen=True)
class Behaviour:
    """One way to be non-conformant."""

    rules: frozenset[str]  # finding rules that must be present
    absent: frozenset[str] = frozenset()  # finding rules that must not be present
    # The outcome result.json records for the first `target` exchange (None: not checked).
    outcome: str | None = None
    target: str = "BootNotification"  # the action whose answer is broken
    reply: Reply | None = None  # None: answer `target` conformantly
    select_subprotocol: bool = True
    reject_status: HTTPStatus | None = None  # refuse the WebSocket upgrade with this status
    close_on_open: bool = False
    offending: Callable[[str], str] | None = None  # the exact frame text (from the CALL's id)
    # Frames to send when the charge point answers one of our CALLs: (its parsed answer, the
    # answers that came before it) -> frames.
    on_answer: Callable[[list[Any], list[list[Any]]], list[Any]] | None = None
    # Instead of answering `target`: act on the connection (may go on until it closes).
    act: Callable[[ServerConnection, str, dict[str, Any]], Awaitable[None]] | None = None
    subprotocol: str | None = None  # the subprotocol the server picks, offered or not
    max_connections: int | None = None  # stop listening after this many connections
    config: dict[str, Any] = field(default_factory=dict)  # RunConfig overrides


def _with(**changes: Any) -> Reply:
    def reply(uid: str, conf: dict[str, Any]) -> list[Any]:
        return [result_frame(uid, {**conf, **changes})]

    return reply


def _without(name: str) -> Reply:
    def reply(uid: str, conf: dict[str, Any]) -> list[Any]:
        return [result_frame(uid, {k: v for k, v in conf.items() if k != name})]

    return reply


def _fixed(text: str) -> Reply:
    return lambda uid, conf: [text]


GARBAGE = "this is {not JSON"
CALLERROR = '[4,"{uid}","InternalError","the database is on fire",{{}}]'

BEHAVIOURS: dict[str, Behaviour] = {
    "interval-as-string": Behaviour(frozenset({"schema.response"}), reply=_with(interval="300")),
    "extra-property": Behaviour(frozenset({"schema.response"}), reply=_with(colour="blue")),
    "bad-date-time": Behaviour(
        frozenset({"schema.response"}), reply=_with(currentTime="2024-13-45T25:61:00Z")
    ),
    "missing-required": Behaviour(frozenset({"schema.response"}), reply=_without("currentTime")),
    "unknown-unique-id": Behaviour(
        frozenset({"ocppj.unknown-unique-id", "response.timeout"}),
        # Another unique id of the same (UUID) length.
        reply=lambda uid, conf: [result_frame("x" + uid[1:], conf)],
        offending=lambda uid: json.dumps([3, "x" + uid[1:]])[:-1],
        outcome="timeout",
    ),
    "callerror": Behaviour(
        frozenset({"response.callerror"}),
        absent=frozenset({"response.timeout", "ocppj.error-code"}),
        reply=lambda uid, conf: [CALLERROR.format(uid=uid)],
        offending=lambda uid: CALLERROR.format(uid=uid),
        outcome="callerror",
    ),
    # Not a frame at all (no unique id to read): it answers nothing, so the CALL times out.
    "garbage": Behaviour(
        frozenset({"ocppj.malformed-frame", "response.timeout"}),
        reply=_fixed(GARBAGE),
        offending=lambda uid: GARBAGE,
        outcome="timeout",
    ),
    "never-answers": Behaviour(
        frozenset({"response.timeout"}), reply=lambda uid, conf: [], outcome="timeout"
    ),
    "closes-after-upgrade": Behaviour(frozenset({"transport.closed"}), close_on_open=True),
    "closes-mid-case": Behaviour(
        frozenset({"transport.closed"}), target="Authorize", reply=lambda uid, conf: [CLOSE]
    ),
    "rejects-upgrade": Behaviour(
        frozenset({"transport.connect"}), reject_status=HTTPStatus.SERVICE_UNAVAILABLE
    ),
    "no-subprotocol": Behaviour(frozenset({"transport.subprotocol"}), select_subprotocol=False),
    "duplicate-response": Behaviour(
        frozenset({"ocppj.duplicate-response"}),
        reply=lambda uid, conf: [result_frame(uid, conf)] * 2,
    ),
    "unknown-action-call": Behaviour(
        frozenset({"ocppj.unknown-action"}),
        reply=lambda uid, conf: [result_frame(uid, conf), HOSTILE_CALL],
        offending=lambda uid: HOSTILE_CALL,
    ),
    "schema-invalid-call": Behaviour(
        frozenset({"schema.request"}),
        reply=lambda uid, conf: [result_frame(uid, conf), INVALID_CALL],
        offending=lambda uid: INVALID_CALL,
    ),
    "wrong-direction-call": Behaviour(
        frozenset({"ocpp.action-direction"}),
        reply=lambda uid, conf: [result_frame(uid, conf), WRONG_WAY_CALL],
        offending=lambda uid: WRONG_WAY_CALL,
    ),
    "reused-unique-id": Behaviour(
        frozenset({"ocppj.reused-unique-id"}),
        reply=lambda uid, conf: [result_frame(uid, conf), CLEAR_CACHE],
        on_answer=lambda frame, before: (
            [CLEAR_CACHE] if frame[1] == "hostile-4" and not before else []
        ),
    ),
    "binary-frame": Behaviour(
        frozenset({"ocppj.binary-frame"}),
        reply=lambda uid, conf: [result_frame(uid, conf).encode()],
    ),
    "oversized-frame": Behaviour(
        frozenset({"transport.frame-too-large", "transport.closed"}),
        reply=lambda uid, conf: [result_frame(uid, {**conf, "pad": "x" * (1 << 20)})],
    ),
    # A CALLERROR with a code outside OCPP-J 1.6 still answers its CALL; validation names the code.
    "bad-error-code": Behaviour(
        frozenset({"ocppj.error-code", "response.callerror"}),
        absent=frozenset({"ocppj.malformed-frame", "response.timeout"}),
        reply=lambda uid, conf: [json.dumps([4, uid, "Bogus", "", {}])],
        offending=lambda uid: json.dumps([4, uid, "Bogus", "", {}]),
        outcome="callerror",
    ),
    # A broken CALLRESULT carrying the pending unique id: answered, badly; no timeout follows.
    "result-not-object": Behaviour(
        frozenset({"ocppj.malformed-frame"}),
        absent=frozenset({"response.timeout", "response.callerror"}),
        reply=lambda uid, conf: [json.dumps([3, uid, ["Accepted"]])],
        offending=lambda uid: json.dumps([3, uid, ["Accepted"]]),
        outcome="malformed",
    ),
    "tcp-reset-mid-case": Behaviour(
        frozenset({"transport.closed"}), target="Authorize", reply=lambda uid, conf: [ABORT]
    ),
}

#: Faults that OCPP only frowns upon: the case passes, with the warning in its reason.
WARNINGS: dict[str, Behaviour] = {
    "timestamp-not-utc": Behaviour(
        frozenset({"ocpp.timestamp-not-utc"}),
        # Now, written in +02:00 (the clock check takes any offset; UTC is only recommended).
        reply=lambda uid, conf: [
            result_frame(
                uid,
                {
                    **conf,
                    "currentTime": datetime.now(timezone(timedelta(hours=2))).isoformat(
                        timespec="milliseconds"
                    ),
                },
            )
        ],
    ),
    "duplicate-json-key": Behaviour(
        frozenset({"json.duplicate-key"}),
        reply=lambda uid, conf: [json.dumps([3, uid, conf])[:-2] + ', "interval": 300}]'],
    ),
}


@dataclass
class HostileCsms:
    behaviour: Behaviour | None
    received: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    connections: int = 0
    target_ids: list[str] = field(default_factory=list)
    answers: list[list[Any]] = field(default_factory=list)
    server: Any = None

    def select_subprotocol(self, connection: ServerConnection, offered: Any) -> Any:
        b = self.behaviour
        if b is not None and b.subprotocol is not None:
            return Subprotocol(b.subprotocol)
        return OCPP16 if OCPP16 in offered else None

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        b = self.behaviour
        if b is not None and b.reject_status is not None:
            return connection.respond(b.reject_status, "not today\n")
        return None

    async def handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        b = self.behaviour
        limit = b.max_connections if b is not None else None
        if limit is not None and self.server is not None and self.connections >= limit:
            self.server.close(close_connections=False)  # later connections are refused
        if b is not None and b.close_on_open:
            await ws.close()
            return
        try:
            async for message in ws:
                assert isinstance(message, str)
                self.received.append(message)
                frame = json.loads(message)
                if frame[0] != 2:  # the charge point's answer to a CALL of ours
                    outgoing = []
                    if b is not None and b.on_answer is not None:
                        outgoing = b.on_answer(frame, list(self.answers))
                    self.answers.append(frame)
                else:
                    _, uid, action, payload = frame
                    conf = conformant(action, payload)
                    if b is not None and action == b.target and b.act is not None:
                        self.target_ids.append(uid)
                        await b.act(ws, uid, conf)
                        outgoing = []
                    elif b is not None and action == b.target and b.reply is not None:
                        self.target_ids.append(uid)
                        outgoing = b.reply(uid, conf)
                    else:
                        outgoing = [result_frame(uid, conf)]
                for item in outgoing:
                    if item is CLOSE:
                        await ws.close()
                        return
                    if item is ABORT:
                        ws.transport.abort()
                        return
                    self.sent.append(item)
                    await ws.send(item)
        except ConnectionClosed:
            pass


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(known_checks=frozenset(CHECKS))


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet.load()


@pytest.fixture(scope="module")
def pics() -> Pics:
    loaded = load_pics(default_pics_path())
    return dataclasses.replace(loaded, limits=Limits(RESPONSE_TIMEOUT_S, RESPONSE_TIMEOUT_S))


@dataclass
class Outcome:
    run: RunResult
    case: CaseResult
    trace: list[dict[str, Any]]
    result_json: dict[str, Any]
    csms: HostileCsms
    elapsed_s: float

    def rules(self) -> set[str]:
        return {f.rule for f in self.case.findings}

    def frames_from_csms(self) -> list[str]:
        return [r["text"] for r in self.trace if r.get("dir") == "csms->cp"]

    def frames_to_csms(self) -> list[str]:
        return [r["text"] for r in self.trace if r.get("dir") == "cp->csms"]


async def _run_case(
    url: str, case_id: str, pics: Pics, catalog: Catalog, schemas: SchemaSet, out: Path
) -> RunResult:
    config = RunConfig(
        csms_url=url, operator="none", connect_timeout_s=CONNECT_TIMEOUT_S, test_ids=(case_id,)
    )
    clock = SystemClock()
    recorder = Recorder(clock, Redactor(()), out / "trace.jsonl")
    bus = EventBus([ResultFileSink(out / "result.json")])
    setup = RunSetup(config, pics, catalog, url, NoOperator(), clock, bus, recorder, schemas)
    plan = select(catalog, pics, test_ids=[case_id])
    try:
        return await Runner(setup).run(plan)
    finally:
        recorder.close()


def run_against(
    behaviour: Behaviour | None,
    tmp_path: Path,
    pics: Pics,
    catalog: Catalog,
    schemas: SchemaSet,
    case_id: str = "TC_003_CSMS",
) -> Outcome:
    csms = HostileCsms(behaviour)

    async def main() -> tuple[RunResult, float]:
        select_sub = behaviour is None or behaviour.select_subprotocol
        async with serve(
            csms.handler,
            "127.0.0.1",
            0,
            subprotocols=[OCPP16] if select_sub else None,
            process_request=csms.process_request,
            ping_interval=None,
        ) as server:
            port = server.sockets[0].getsockname()[1]
            loop = asyncio.get_running_loop()
            started = loop.time()
            result = await asyncio.wait_for(
                _run_case(f"ws://127.0.0.1:{port}", case_id, pics, catalog, schemas, tmp_path),
                RUN_DEADLINE_S,
            )
            return result, loop.time() - started

    run, elapsed = asyncio.run(main())
    trace_path = tmp_path / "trace.jsonl"
    trace = [json.loads(line) for line in trace_path.read_text("utf-8").splitlines()]
    result_json = json.loads((tmp_path / "result.json").read_text("utf-8"))
    assert [c.id for c in run.cases] == [case_id]
    return Outcome(run, run.cases[0], trace, result_json, csms, elapsed)


@pytest.mark.parametrize("case_id", ["TC_001_CSMS", "TC_003_CSMS"])
def test_conformant_baseline_passes(
    case_id: str, tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    """The hostile server without a fault is a conformant enough CSMS: the case passes, so every
    failure below is caused by the fault alone."""
    outcome = run_against(None, tmp_path, pics, catalog, schemas, case_id)
    assert outcome.case.verdict is Verdict.PASS, (outcome.case.reason, outcome.case.findings)
    assert outcome.run.verdict is Verdict.PASS


@pytest.mark.parametrize("name", list(BEHAVIOURS))
def test_fault_fails_the_case_with_its_finding(
    name: str, tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    behaviour = BEHAVIOURS[name]
    outcome = run_against(behaviour, tmp_path, pics, catalog, schemas)
    case = outcome.case

    assert case.verdict is Verdict.FAIL, (case.verdict, case.reason, case.findings)
    assert outcome.run.verdict is Verdict.FAIL
    missing = behaviour.rules - outcome.rules()
    assert not missing, f"missing {missing}; got {[(f.rule, f.message) for f in case.findings]}"
    unwanted = behaviour.absent & outcome.rules()
    assert not unwanted, f"unwanted {unwanted}; got {[(f.rule, f.message) for f in case.findings]}"
    assert case.reason, "a failed case names its reason"
    first_error = next(f for f in case.findings if f.severity.value == "error")
    assert case.reason.startswith(first_error.message)

    # result.json says the same.
    [written] = outcome.result_json["cases"]
    assert written["id"] == case.id
    assert written["verdict"] == "fail"
    assert behaviour.rules <= {f["rule"] for f in written["findings"]}
    assert not behaviour.absent & {f["rule"] for f in written["findings"]}
    if behaviour.outcome is not None:
        target = next(e for e in written["exchanges"] if e["action"] == behaviour.target)
        assert target["outcome"] == behaviour.outcome, target

    # Every frame a finding cites is in the trace.
    seqs = {r["seq"] for r in outcome.trace}
    for finding in case.findings:
        assert set(finding.frames) <= seqs, finding

    if behaviour.offending is not None:
        uid = outcome.csms.target_ids[0]
        offending = behaviour.offending(uid)
        assert any(t.startswith(offending) for t in outcome.frames_from_csms()), offending
    # Every frame the CSMS sent and the charge point could take in is in the trace.
    max_bytes = RunConfig().max_frame_bytes
    for item in outcome.csms.sent:
        text = item.decode() if isinstance(item, bytes) else item
        if len(text.encode()) <= max_bytes:
            assert text in outcome.frames_from_csms()


@pytest.mark.parametrize("name", list(WARNINGS))
def test_warning_only_fault_passes_with_the_warning(
    name: str, tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    behaviour = WARNINGS[name]
    outcome = run_against(behaviour, tmp_path, pics, catalog, schemas)
    case = outcome.case
    assert case.verdict is Verdict.PASS, (case.reason, case.findings)
    assert behaviour.rules <= outcome.rules()
    assert all(f.severity.value == "warning" for f in case.findings)
    assert case.reason.startswith("passed with")


def test_schema_finding_cites_the_broken_response(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_against(BEHAVIOURS["interval-as-string"], tmp_path, pics, catalog, schemas)
    [finding] = [f for f in outcome.case.findings if f.rule == "schema.response"]
    assert "BootNotification.conf" in finding.message
    assert "interval" in finding.message
    [seq] = finding.frames
    [record] = [r for r in outcome.trace if r["seq"] == seq]
    assert record["dir"] == "csms->cp"
    assert json.loads(record["text"])[2]["interval"] == "300"


def test_response_timeout_is_bounded_by_the_pics_limit(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_against(BEHAVIOURS["never-answers"], tmp_path, pics, catalog, schemas)
    [timeout] = [f for f in outcome.case.findings if f.rule == "response.timeout"]
    assert "BootNotification" in timeout.message
    assert "0.5 s" in timeout.message
    [seq] = timeout.frames
    [record] = [r for r in outcome.trace if r["seq"] == seq]
    assert record["dir"] == "cp->csms"
    assert json.loads(record["text"])[2] == "BootNotification"
    # The case stopped at the first timeout: one CALL, not MAX_CALLS.
    assert len(outcome.frames_to_csms()) == 1
    assert outcome.elapsed_s < RESPONSE_TIMEOUT_S + CLOSING_BUDGET_S


def test_unknown_action_is_answered_not_implemented(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_against(BEHAVIOURS["unknown-action-call"], tmp_path, pics, catalog, schemas)
    answers = [json.loads(t) for t in outcome.frames_to_csms() if t.startswith("[4,")]
    assert [a[:3] for a in answers] == [[4, "hostile-1", "NotImplemented"]]
    # ... and it reached the CSMS.
    assert any(
        json.loads(t)[:3] == [4, "hostile-1", "NotImplemented"] for t in outcome.csms.received
    )
    assert "unexpected-call" in outcome.rules()


def test_schema_invalid_call_is_answered_with_a_callerror(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_against(BEHAVIOURS["schema-invalid-call"], tmp_path, pics, catalog, schemas)
    [finding] = [f for f in outcome.case.findings if f.rule == "schema.request"]
    assert "Reset.req" in finding.message
    answers = [json.loads(t) for t in outcome.frames_to_csms() if t.startswith("[4,")]
    assert len(answers) == 1
    assert answers[0][1] == "hostile-2"
    # OCPP-J 1.6 §4.2.3: a payload that breaks the schema is not "NotImplemented".
    assert answers[0][2] in {"PropertyConstraintViolation", "TypeConstraintViolation",
                             "FormationViolation"}  # fmt: skip


def test_reused_unique_id_cites_the_second_call(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_against(BEHAVIOURS["reused-unique-id"], tmp_path, pics, catalog, schemas)
    [finding] = [f for f in outcome.case.findings if f.rule == "ocppj.reused-unique-id"]
    assert "hostile-4" in finding.message
    calls = [r for r in outcome.trace if r.get("text") == CLEAR_CACHE]
    assert len(calls) == 2
    assert finding.frames == (calls[1]["seq"],)


def test_duplicate_response_cites_the_second_frame(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_against(BEHAVIOURS["duplicate-response"], tmp_path, pics, catalog, schemas)
    [dup] = [f for f in outcome.case.findings if f.rule == "ocppj.duplicate-response"]
    [seq] = dup.frames
    records = {r["seq"]: r for r in outcome.trace}
    assert records[seq]["dir"] == "csms->cp"
    assert records[seq - 1]["text"] == records[seq]["text"]  # the first copy, just before


def test_callerror_with_an_ocpp20_error_code_answers_the_call(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    frame = '[4,"{uid}","OccurrenceConstraintViolation","spelt the 2.0 way",{{}}]'
    behaviour = Behaviour(
        frozenset({"ocppj.error-code"}), reply=lambda uid, conf: [frame.format(uid=uid)]
    )
    outcome = run_against(behaviour, tmp_path, pics, catalog, schemas)
    rules = outcome.rules()
    assert outcome.case.verdict is Verdict.FAIL
    assert "ocppj.error-code" in rules, rules
    assert "response.callerror" in rules, rules
    assert "response.timeout" not in rules, "the CSMS did answer, in time"
    assert "ocppj.malformed-frame" not in rules, "a CALLERROR with a string code is well-formed"
    [finding] = [f for f in outcome.case.findings if f.rule == "ocppj.error-code"]
    assert "OccurenceConstraintViolation" in finding.message  # the 1.6 spelling, as a hint
    assert "is an OCPP 2.0 error code" in finding.message
    [callerror] = [f for f in outcome.case.findings if f.rule == "response.callerror"]
    assert "CALLERROR OccurrenceConstraintViolation" in callerror.message
    [boot] = [e for e in outcome.result_json["cases"][0]["exchanges"]
              if e["action"] == "BootNotification"]  # fmt: skip
    assert boot["outcome"] == "callerror"


def test_broken_answer_ends_the_wait_and_cites_the_frame(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    """A CALLRESULT with the pending unique id but an array payload is the CSMS's answer: the
    exchange is "malformed", the finding cites that frame, and no response timeout is waited."""
    outcome = run_against(BEHAVIOURS["result-not-object"], tmp_path, pics, catalog, schemas)
    [finding] = [f for f in outcome.case.findings if f.rule == "ocppj.malformed-frame"]
    assert finding.message == "a CALLRESULT payload must be a JSON object, got array"
    [seq] = finding.frames
    [record] = [r for r in outcome.trace if r["seq"] == seq]
    assert record["dir"] == "csms->cp"
    assert json.loads(record["text"])[2] == ["Accepted"]
    [boot] = [e for e in outcome.result_json["cases"][0]["exchanges"]
              if e["action"] == "BootNotification"]  # fmt: skip
    assert boot["outcome"] == "malformed"
    assert boot["response_frame"] == seq
    assert boot["response_s"] is not None and boot["response_s"] < RESPONSE_TIMEOUT_S


def test_cli_against_a_hostile_csms_exits_1(tmp_path: Path) -> None:
    """`octt run --csms` against the hostile server: exit 1, the reports say why."""
    csms = HostileCsms(BEHAVIOURS["callerror"])
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, cwd=tmp_path)

    async def serve_and_run() -> int:
        async with serve(
            csms.handler, "127.0.0.1", 0, subprotocols=[OCPP16], ping_interval=None
        ) as server:
            port = server.sockets[0].getsockname()[1]
            argv = [
                "run", "--csms", f"ws://127.0.0.1:{port}", "--operator", "none",
                "--pics", str(default_pics_path()),
                "--test", "TC_003_CSMS", "--report-dir", "out",
            ]  # fmt: skip
            return await asyncio.to_thread(main, argv, env)

    status = asyncio.run(asyncio.wait_for(serve_and_run(), RUN_DEADLINE_S))
    assert status == 1, stdout.getvalue() + stderr.getvalue()
    result = json.loads((tmp_path / "out" / "result.json").read_text("utf-8"))
    [case] = result["cases"]
    assert case["verdict"] == "fail"
    assert "response.callerror" in {f["rule"] for f in case["findings"]}
    junit = (tmp_path / "out" / "junit.xml").read_text("utf-8")
    assert "response.callerror" in junit
    trace = (tmp_path / "out" / "trace.jsonl").read_text("utf-8")
    assert "the database is on fire" in trace


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nothing_listening_exits_3(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, cwd=tmp_path)
    port = _free_port()
    status = main(
        [
            "run", "--csms", f"ws://127.0.0.1:{port}", "--operator", "none",
            "--pics", str(default_pics_path()),
            "--test", "TC_003_CSMS", "--report-dir", "out",
        ],
        env=env,
    )  # fmt: skip
    assert status == 3, stderr.getvalue()
    assert "could not be reached" in stderr.getvalue()


# -- behaviours that try to break the harness itself -------------------------------------------

#: Two cases, so that every behaviour also shows the run going on to the next case.
TWO_CASES = ("TC_001_CSMS", "TC_003_CSMS")
#: Frames per second of the "slow junk" behaviour: under the flood bound (20 per second).
SLOW_JUNK_INTERVAL_S = 0.1
#: Pings, CALLs and junk frames the flooding behaviours send (far above every bound).
FLOOD = 400


async def _until_closed(ws: ServerConnection, timeout_s: float) -> bool:
    """Wait for the connection to close, at most `timeout_s`; True if it closed."""
    try:
        await asyncio.wait_for(ws.wait_closed(), timeout_s)
    except TimeoutError:
        return False
    return True


async def _answer_late(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    # Answers three response timeouts late (if the connection is still there by then).
    if not await _until_closed(ws, 3 * RESPONSE_TIMEOUT_S):
        await ws.send(result_frame(uid, conf))


async def _flood_calls(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    # One CALL after the other, each as soon as the charge point answered the one before: no
    # CALL is left unanswered, the rate alone is the flood.
    await ws.send(result_frame(uid, conf))
    for n in range(FLOOD):
        await ws.send(json.dumps([2, f"flood-{n}", "ClearCache", {}]))
        await ws.recv()


async def _burst_calls(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    # CALLs back to back, none waiting for its answer (OCPP-J 1.6 §4.1.1 allows one).
    await ws.send(result_frame(uid, conf))
    for n in range(FLOOD):
        await ws.send(json.dumps([2, f"burst-{n}", "ClearCache", {}]))


async def _flood_pings(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    await ws.send(result_frame(uid, conf))
    for n in range(FLOOD):
        await ws.ping(f"ping-{n}")


async def _junk_forever(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    while True:  # as fast as the socket takes it, until octt closes the connection
        await ws.send(GARBAGE)


async def _slow_junk_forever(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    # Junk below the flood bound, never an answer: the response timeout must still fire.
    while True:
        await ws.send(GARBAGE)
        if await _until_closed(ws, SLOW_JUNK_INTERVAL_S):
            return


def _megabytes(count: int) -> Iterator[str]:
    """A text message of `count` MiB in 64 KiB fragments (never held whole)."""
    chunk = "x" * (64 * 1024)
    yield '[3,"huge",{"pad":"'
    for _ in range(count * 16):
        yield chunk


async def _huge_message(ws: ServerConnection, uid: str, conf: dict[str, Any]) -> None:
    await ws.send(_megabytes(16))


HOSTILE: dict[str, Behaviour] = {
    "answers-very-late": Behaviour(frozenset({"response.timeout"}), act=_answer_late),
    "json-not-a-frame": Behaviour(
        frozenset({"ocppj.malformed-frame", "response.timeout"}),
        reply=_fixed('{"status": "Accepted", "interval": 300}'),
    ),
    "wrong-message-type-id": Behaviour(
        frozenset({"ocppj.malformed-frame", "response.timeout"}),
        reply=lambda uid, conf: [json.dumps([5, uid, conf])],
    ),
    "flood-of-calls": Behaviour(frozenset({"transport.flood"}), act=_flood_calls),
    "burst-of-unanswered-calls": Behaviour(frozenset({"ocppj.call-flood"}), act=_burst_calls),
    "ping-flood": Behaviour(frozenset({"transport.flood"}), act=_flood_pings),
    "junk-forever": Behaviour(frozenset({"transport.flood"}), act=_junk_forever),
    "slow-junk-forever": Behaviour(
        frozenset({"response.timeout", "ocppj.malformed-frame"}),
        absent=frozenset({"transport.flood"}),
        act=_slow_junk_forever,
    ),
    "many-megabytes": Behaviour(frozenset({"transport.frame-too-large"}), act=_huge_message),
    "wrong-subprotocol": Behaviour(frozenset({"transport.connect"}), subprotocol="ocpp2.0.1"),
    "refuses-connections": Behaviour(frozenset({"transport.connect"}), max_connections=1),
}


@dataclass
class PlanOutcome:
    run: RunResult
    result_json: dict[str, Any]
    elapsed_s: float
    peak_bytes: int


async def _run_plan(
    url: str,
    case_ids: tuple[str, ...],
    pics: Pics,
    catalog: Catalog,
    schemas: SchemaSet,
    out: Path,
    **config: Any,
) -> RunResult:
    run_config = RunConfig(
        csms_url=url,
        operator="none",
        connect_timeout_s=CONNECT_TIMEOUT_S,
        test_ids=case_ids,
        **config,
    )
    clock = SystemClock()
    recorder = Recorder(clock, Redactor(()), out / "trace.jsonl")
    bus = EventBus([ResultFileSink(out / "result.json")])
    setup = RunSetup(run_config, pics, catalog, url, NoOperator(), clock, bus, recorder, schemas)
    try:
        return await Runner(setup).run(select(catalog, pics, test_ids=list(case_ids)))
    finally:
        recorder.close()


def run_plan_against(
    behaviour: Behaviour,
    tmp_path: Path,
    pics: Pics,
    catalog: Catalog,
    schemas: SchemaSet,
    *,
    trace_memory: bool = False,
) -> PlanOutcome:
    csms = HostileCsms(behaviour)

    async def main() -> tuple[RunResult, float, int]:
        async with serve(
            csms.handler,
            "127.0.0.1",
            0,
            select_subprotocol=csms.select_subprotocol,
            ping_interval=None,
            max_size=None,
        ) as server:
            csms.server = server
            port = server.sockets[0].getsockname()[1]
            loop = asyncio.get_running_loop()
            started = loop.time()
            if trace_memory:
                tracemalloc.start()
            try:
                result = await asyncio.wait_for(
                    _run_plan(
                        f"ws://127.0.0.1:{port}",
                        TWO_CASES,
                        pics,
                        catalog,
                        schemas,
                        tmp_path,
                        **behaviour.config,
                    ),
                    len(TWO_CASES) * RUN_DEADLINE_S,
                )
                peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
            finally:
                if trace_memory:
                    tracemalloc.stop()
            return result, loop.time() - started, peak

    run, elapsed, peak = asyncio.run(main())
    result_json = json.loads((tmp_path / "result.json").read_text("utf-8"))
    return PlanOutcome(run, result_json, elapsed, peak)


def assert_every_case_ends_with(outcome: PlanOutcome, behaviour: Behaviour) -> None:
    """Both cases have a verdict naming the behaviour, and result.json says so."""
    assert [c.id for c in outcome.run.cases] == list(TWO_CASES), "the run went on"
    for case in outcome.run.cases:
        rules = {f.rule for f in case.findings}
        assert case.verdict in (Verdict.FAIL, Verdict.ERROR), (case.id, case.verdict, case.reason)
        assert behaviour.rules & rules, (case.id, sorted(rules), case.reason)
        assert not behaviour.absent & rules, (case.id, sorted(rules))
        assert case.reason
    written = outcome.result_json
    assert written["interrupted"] is False
    assert [c["verdict"] for c in written["cases"]] == [c.verdict.value for c in outcome.run.cases]
    assert outcome.elapsed_s < len(TWO_CASES) * RUN_DEADLINE_S


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_behaviour_ends_every_case_and_the_run_goes_on(
    name: str, tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    behaviour = HOSTILE[name]
    outcome = run_plan_against(behaviour, tmp_path, pics, catalog, schemas)
    assert_every_case_ends_with(outcome, behaviour)
    # The findings that matter are all present in the case that met the behaviour first.
    first = outcome.run.cases[0]
    missing = behaviour.rules - {f.rule for f in first.findings}
    assert not missing, (missing, [(f.rule, f.message) for f in first.findings])


def test_junk_does_not_move_the_response_deadline(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    """A CSMS that keeps the connection open and sends only junk (below the flood bound) ends
    each case at the response timeout: the junk never resets the deadline."""
    outcome = run_plan_against(HOSTILE["slow-junk-forever"], tmp_path, pics, catalog, schemas)
    for case in outcome.run.cases:
        [timeout] = [f for f in case.findings if f.rule == "response.timeout"]
        assert "BootNotification" in timeout.message
        # The case stopped at the first timeout (plus closing), not after the junk ended.
        assert case.duration_s < RESPONSE_TIMEOUT_S + CLOSING_BUDGET_S
        junk = [f for f in case.findings if f.rule == "ocppj.malformed-frame"]
        assert 1 <= len(junk) <= RESPONSE_TIMEOUT_S / SLOW_JUNK_INTERVAL_S + 2


def test_floods_are_cut_at_the_configured_bound(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    outcome = run_plan_against(HOSTILE["flood-of-calls"], tmp_path, pics, catalog, schemas)
    case = outcome.run.cases[0]
    [flood] = [f for f in case.findings if f.rule == "transport.flood"]
    assert "more than 20 unsolicited frames" in flood.message
    assert "within 1 s" in flood.message
    # octt answered no more CALLs than the bound let in.
    answered = [f for f in case.findings if f.rule == "unexpected-call"]
    assert len(answered) <= RunConfig().max_unsolicited_frames
    assert outcome.result_json["settings"]["max_unsolicited_frames"] == 20


def test_a_message_of_many_megabytes_is_refused_in_bounded_memory(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    """16 MiB from the CSMS: octt stops reading at max_frame_bytes (1 MiB), closes with 1009,
    and its peak memory stays a few times the frame bound, not the message size."""
    behaviour = HOSTILE["many-megabytes"]
    outcome = run_plan_against(behaviour, tmp_path, pics, catalog, schemas, trace_memory=True)
    assert_every_case_ends_with(outcome, behaviour)
    [finding] = [f for f in outcome.run.cases[0].findings if f.rule == "transport.frame-too-large"]
    assert "1048576 bytes" in finding.message
    assert "1009" in finding.message
    assert outcome.peak_bytes < 6 * RunConfig().max_frame_bytes, outcome.peak_bytes


# -- TLS failures --------------------------------------------------------------------------------

#: A failed TLS handshake is a connection failure (transport.connect), or with the security
#: profiles' TLS checks its own finding (transport.tls).
TLS_RULES = frozenset({"transport.connect", "transport.tls"})


def _self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a self-signed certificate for 127.0.0.1 (no CA knows it)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile.example")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def _read_result(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "result.json").read_text("utf-8"))


def test_self_signed_certificate_with_verification_on(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    context = _self_signed(tmp_path)
    csms = HostileCsms(None)

    async def main() -> tuple[RunResult, float]:
        async with serve(
            csms.handler, "127.0.0.1", 0, subprotocols=[OCPP16], ping_interval=None, ssl=context
        ) as server:
            port = server.sockets[0].getsockname()[1]
            loop = asyncio.get_running_loop()
            started = loop.time()
            result = await asyncio.wait_for(
                _run_plan(f"wss://127.0.0.1:{port}", TWO_CASES, pics, catalog, schemas, tmp_path),
                len(TWO_CASES) * RUN_DEADLINE_S,
            )
            return result, loop.time() - started

    run, elapsed = asyncio.run(main())
    outcome = PlanOutcome(run, _read_result(tmp_path), elapsed, 0)
    assert_every_case_ends_with(outcome, Behaviour(TLS_RULES))
    for case in run.cases:
        [finding] = [f for f in case.findings if f.rule in TLS_RULES]
        assert "certificate" in finding.message.lower() or "tls" in finding.message.lower()
    assert csms.connections == 0, "no WebSocket was opened over an unverified TLS connection"


def test_garbage_instead_of_tls(
    tmp_path: Path, pics: Pics, catalog: Catalog, schemas: SchemaSet
) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nthis is not TLS at all\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
            await reader.read(1024)  # until the client gives up
        writer.close()

    async def main() -> tuple[RunResult, float]:
        server = await asyncio.start_server(garbage, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            loop = asyncio.get_running_loop()
            started = loop.time()
            result = await asyncio.wait_for(
                _run_plan(f"wss://127.0.0.1:{port}", TWO_CASES, pics, catalog, schemas, tmp_path),
                len(TWO_CASES) * RUN_DEADLINE_S,
            )
            return result, loop.time() - started

    run, elapsed = asyncio.run(main())
    outcome = PlanOutcome(run, _read_result(tmp_path), elapsed, 0)
    assert_every_case_ends_with(outcome, Behaviour(TLS_RULES))
