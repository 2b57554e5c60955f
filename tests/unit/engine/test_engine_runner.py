"""The runner: verdict rules, events and checkpoints, skipping, tool errors, performance, and
the reachability probe. Small YAML cases run against the embedded reference CSMS on loopback;
the probe is also checked against a WebSocket server that refuses the upgrade."""

from __future__ import annotations

import asyncio
import io
import shutil
import socket
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any, cast

import pytest
from rich.console import Console
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from octt import __version__
from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.selection import PlanEntry, RunPlan, select
from octt.clock import SystemClock
from octt.config import RunConfig
from octt.engine.checks import CHECKS
from octt.engine.context import CaseContext
from octt.engine.runner import (
    CsmsUnreachable,
    Runner,
    RunSetup,
    _verdict,
    new_run_id,
)
from octt.findings import Finding, Severity
from octt.operator.base import (
    Operator,
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
)
from octt.operator.factory import make_operator
from octt.operator.none import NoOperator
from octt.pics.model import Pics, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.reference.store import seed_from_pics
from octt.resources import default_pics_path
from octt.resources import testcases_dir as packaged_testcases
from octt.result.events import (
    CaseFinished,
    CaseStarted,
    Event,
    EventBus,
    FindingRaised,
    Notice,
    RunCheckpoint,
    RunFinished,
    RunStarted,
    StepStarted,
)
from octt.result.model import ExchangeOutcome, LimitVerdict, RunResult, Verdict
from octt.validation.schemas import SchemaSet

PICS = load_pics(default_pics_path())
SCHEMAS = SchemaSet.load()

HEADER = """\
id: {id}
title: {id} for the runner tests
profile: core
reference: {{ocpp: "unit test of octt.engine.runner"}}
checks: [what the runner makes of it]
"""

CASES: dict[str, str] = {
    # Passes.
    "TC_920_CSMS": """\
before: [booted]
steps:
  - send: Authorize
    payload: {idTag: "{valid_id_tag}"}
    expect: {idTagInfo.status: Accepted}
  - send: Heartbeat
""",
    # Needs the CSMS to act.
    "TC_921_CSMS": """\
before: [booted]
steps:
  - operator: ClearCache
    say: Clear the cache of {cp_id}.
  - expect_call: ClearCache
""",
    # A placeholder that names nothing: the tool failed, not the CSMS.
    "TC_922_CSMS": """\
steps:
  - send: Authorize
    payload: {idTag: "{no_such_name}"}
""",
    # An error finding first, then the tool fails: still a fail.
    "TC_923_CSMS": """\
steps:
  - send: Authorize
    payload: {idTag: "{invalid_id_tag}"}
    expect: {idTagInfo.status: Accepted}
  - send: Authorize
    payload: {idTag: "{no_such_name}"}
""",
    # Not applicable under the reference PICS.
    "TC_924_CSMS": """\
requires: [{pics: features.teleportation}]
steps:
  - send: Heartbeat
""",
    # Only a warning: passes, with the warning as the reason.
    "TC_925_CSMS": """\
steps:
  - send: Authorize
    payload: {idTag: "{invalid_id_tag}"}
    expect: {idTagInfo.status: {equals: Accepted, tolerated: [Invalid]}}
""",
}


class Collector:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def handle(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class PassiveOperator:
    """Cannot act, and cannot provision the test data either."""

    @property
    def mode(self) -> str:
        return "passive"

    @property
    def can_act(self) -> bool:
        return False

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        return OperatorResult(OperatorOutcome.FAILED, f"cannot provision {request.cp_id}", 0.0)

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        return OperatorResult(OperatorOutcome.CANNOT, "passive", 0.0)

    async def aclose(self) -> None:
        return None


@dataclass(frozen=True)
class Outcome:
    result: RunResult
    events: Collector

    def case(self, case_id: str) -> Any:
        [case] = [c for c in self.result.cases if c.id == case_id]
        return case


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("catalog")
    shutil.copytree(packaged_testcases() / "_states", root / "_states")
    (root / "core").mkdir()
    for case_id, body in CASES.items():
        text = HEADER.format(id=case_id) + body
        (root / "core" / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    return load_catalog(root, known_checks=frozenset(CHECKS))


def make_setup(
    catalog: Catalog,
    csms_url: str,
    operator: Operator,
    *,
    pics: Pics = PICS,
    config: RunConfig | None = None,
    sinks: Sequence[Collector] = (),
) -> RunSetup:
    clock = SystemClock()
    return RunSetup(
        config or RunConfig(operator_timeout_s=3.0, reconnect_pause_s=0.001),
        pics,
        catalog,
        csms_url,
        operator,
        clock,
        EventBus(sinks),
        Recorder(clock, Redactor(), None),
        SCHEMAS,
    )


async def run_with_reference(
    catalog: Catalog,
    case_ids: Iterable[str],
    *,
    operator: Operator | None = None,
    pics: Pics = PICS,
    config: RunConfig | None = None,
) -> Outcome:
    reference = ReferenceCsms(
        ReferenceConfig(seed=seed_from_pics(default_pics_path()), call_timeout_s=5.0)
    )
    async with reference:
        chosen = operator or make_operator(
            reference.control_url, console=Console(file=io.StringIO()), input_stream=io.StringIO()
        )
        sink = Collector()
        setup = make_setup(
            catalog, reference.ocpp_url, chosen, pics=pics, config=config, sinks=[sink]
        )
        try:
            result = await Runner(setup, "run-under-test").run(
                select(catalog, pics, test_ids=list(case_ids))
            )
        finally:
            await chosen.aclose()
    return Outcome(result, sink)


TINY_AUTHORIZE_LIMIT = replace(
    PICS, limits=replace(PICS.limits, response_timeout_s=30.0, authorize_response_s=1e-9)
)


@pytest.fixture(scope="module")
def main_run(catalog: Catalog) -> Outcome:
    return asyncio.run(run_with_reference(catalog, CASES, pics=TINY_AUTHORIZE_LIMIT))


@pytest.fixture(scope="module")
def passive_run(catalog: Catalog) -> Outcome:
    return asyncio.run(
        run_with_reference(catalog, ["TC_920_CSMS", "TC_921_CSMS"], operator=PassiveOperator())
    )


# -- _verdict ----------------------------------------------------------------------------------


def ctx_with(*findings: Finding) -> CaseContext:
    return cast(CaseContext, SimpleNamespace(findings=list(findings)))


ERROR_1 = Finding("r.a", Severity.ERROR, "first problem")
ERROR_2 = Finding("r.b", Severity.ERROR, "second problem")
WARNING = Finding("r.w", Severity.WARNING, "a soft problem")


def test_verdict_without_findings_is_pass() -> None:
    assert _verdict(ctx_with(), None, None) == (Verdict.PASS, "")


def test_verdict_error_findings_fail_with_the_first_as_reason() -> None:
    assert _verdict(ctx_with(ERROR_1), None, None) == (Verdict.FAIL, "first problem")
    assert _verdict(ctx_with(WARNING, ERROR_1, ERROR_2), None, None) == (
        Verdict.FAIL,
        "first problem (+1 more)",
    )


def test_verdict_error_findings_win_over_a_tool_error_and_a_skip() -> None:
    verdict, reason = _verdict(ctx_with(ERROR_1), None, "TemplateError: {x}")
    assert verdict is Verdict.FAIL
    assert reason == "first problem; then the case stopped: TemplateError: {x}"
    assert _verdict(ctx_with(ERROR_1), "no operator", None)[0] is Verdict.FAIL


def test_verdict_skip_and_tool_error() -> None:
    assert _verdict(ctx_with(WARNING), "no operator", None) == (Verdict.SKIPPED, "no operator")
    assert _verdict(ctx_with(WARNING), None, "boom") == (Verdict.ERROR, "boom")
    assert _verdict(ctx_with(), "no operator", "boom") == (Verdict.SKIPPED, "no operator")


def test_verdict_warnings_only_pass_with_a_reason() -> None:
    assert _verdict(ctx_with(WARNING, WARNING), None, None) == (
        Verdict.PASS,
        "passed with 2 warning(s): a soft problem",
    )


# -- small pieces ------------------------------------------------------------------------------


def test_run_ids_are_short_and_unique() -> None:
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 12 and int(i, 16) >= 0 for i in ids)


def test_cp_id_comes_from_the_config_or_the_pics(catalog: Catalog) -> None:
    operator = PassiveOperator()
    setup = make_setup(catalog, "ws://127.0.0.1:9", operator)
    assert setup.cp_id == PICS.test_data.charge_point_id
    config = RunConfig(cp_id="OTHER-CP")
    assert make_setup(catalog, "ws://127.0.0.1:9", operator, config=config).cp_id == "OTHER-CP"


def test_result_before_any_case_is_an_interrupted_fail(catalog: Catalog) -> None:
    runner = Runner(make_setup(catalog, "ws://127.0.0.1:9", PassiveOperator()), "r1")
    result = runner.result(interrupted=True)
    assert (result.run_id, result.verdict, result.cases, result.interrupted) == (
        "r1",
        Verdict.FAIL,
        (),
        True,
    )
    assert result.performance.response_time.verdict is LimitVerdict.NO_DATA


# -- a run against the reference CSMS ----------------------------------------------------------


def test_case_verdicts(main_run: Outcome) -> None:
    verdicts = {c.id: (c.verdict, c.reason) for c in main_run.result.cases}
    assert verdicts["TC_920_CSMS"] == (Verdict.PASS, "")
    assert verdicts["TC_921_CSMS"] == (Verdict.PASS, "")
    assert verdicts["TC_924_CSMS"] == (
        Verdict.NOT_APPLICABLE,
        "requires PICS features.teleportation is true",
    )
    assert main_run.result.verdict is Verdict.FAIL
    assert [c.id for c in main_run.result.cases] == list(CASES)


def test_template_error_is_a_tool_error_not_a_fail(main_run: Outcome) -> None:
    case = main_run.case("TC_922_CSMS")
    assert case.verdict is Verdict.ERROR
    assert case.reason.startswith("TemplateError: ")
    assert "no_such_name" in case.reason
    assert case.findings == ()


def test_error_finding_then_tool_error_is_a_fail(main_run: Outcome) -> None:
    case = main_run.case("TC_923_CSMS")
    assert case.verdict is Verdict.FAIL
    assert [f.rule for f in case.findings] == ["expect.Authorize.idTagInfo.status"]
    assert "; then the case stopped: TemplateError: " in case.reason


def test_warning_only_case_passes_with_a_reason(main_run: Outcome) -> None:
    case = main_run.case("TC_925_CSMS")
    assert case.verdict is Verdict.PASS
    assert case.reason == (
        "passed with 1 warning(s): Authorize.conf idTagInfo.status is 'Invalid';"
        " tolerated, but expected 'Accepted'"
    )
    assert [f.severity for f in case.findings] == [Severity.WARNING]


def test_events_in_order_with_a_checkpoint_after_every_case(main_run: Outcome) -> None:
    events = main_run.events.events
    assert isinstance(events[0], RunStarted)
    assert events[0].operator_mode.startswith("http://127.0.0.1:")
    assert isinstance(events[-1], RunFinished)
    kinds = [type(e) for e in events if not isinstance(e, StepStarted | FindingRaised)]
    total = len(CASES)
    # A first checkpoint once the CSMS answered the probe: result.json exists from then on.
    assert kinds == [RunStarted, RunCheckpoint] + [
        CaseStarted,
        CaseFinished,
        RunCheckpoint,
    ] * total + [RunFinished]
    first, *checkpoints = main_run.events.of(RunCheckpoint)
    assert first.result.cases == () and first.result.interrupted
    for index, checkpoint in enumerate(checkpoints, start=1):
        assert checkpoint.result.interrupted
        assert checkpoint.result.verdict is Verdict.FAIL
        assert len(checkpoint.result.cases) == index
    started = main_run.events.of(CaseStarted)
    assert [(e.case_id, e.index, e.total) for e in started] == [
        (case_id, i, total) for i, case_id in enumerate(CASES, start=1)
    ]
    final = main_run.events.of(RunFinished)[0].result
    assert final is main_run.result
    assert not final.interrupted


def test_step_and_finding_events_carry_the_case(main_run: Outcome) -> None:
    steps = main_run.events.of(StepStarted)
    assert ("TC_920_CSMS", "before:booted/1") in [(e.case_id, e.path) for e in steps]
    findings = main_run.events.of(FindingRaised)
    assert {e.case_id for e in findings} == {"TC_923_CSMS", "TC_925_CSMS"}


def test_interrupted_checkpoint_never_passes_even_when_all_passed(catalog: Catalog) -> None:
    async def scenario() -> Outcome:
        return await run_with_reference(catalog, ["TC_920_CSMS"])

    outcome = asyncio.run(scenario())
    assert outcome.result.verdict is Verdict.PASS
    for checkpoint in outcome.events.of(RunCheckpoint):
        assert checkpoint.result.verdict is Verdict.FAIL and checkpoint.result.interrupted


def test_result_metadata(main_run: Outcome) -> None:
    result = main_run.result
    assert (result.run_id, result.tool_name, result.tool_version) == (
        "run-under-test",
        "octt",
        __version__,
    )
    assert result.csms_url.startswith("ws://127.0.0.1:")
    assert result.sut["product"] == "octt reference CSMS"
    assert result.schemas["sha256"] == SCHEMAS.sha256
    assert result.settings["cp_id"] == PICS.test_data.charge_point_id
    assert result.settings["operator_timeout_s"] == 3.0
    assert result.settings["operator"].startswith("http://")
    assert "basic_auth_password" not in result.settings
    [core] = result.profiles
    assert (core.name, core.passed, core.failed, core.errors, core.not_applicable) == (
        "core",
        3,
        1,
        1,
        1,
    )


def test_performance_figures_from_the_exchanges(main_run: Outcome) -> None:
    exchanges = [e for c in main_run.result.cases for e in c.exchanges]
    answered = [e for e in exchanges if e.outcome is ExchangeOutcome.RESULT]
    authorize = [e for e in answered if e.action == "Authorize"]
    performance = main_run.result.performance
    assert performance.response_time.count == len(answered) > 0
    assert performance.authorize.count == len(authorize) == 3  # TC_920, TC_923, TC_925
    assert all(e.response_s is not None and e.response_s > 0 for e in answered)
    times = sorted(e.response_s for e in answered if e.response_s is not None)
    assert performance.response_time.min_s == times[0]
    assert performance.response_time.max_s == times[-1]
    assert performance.response_time.limit_s == 30.0
    assert performance.response_time.verdict is LimitVerdict.PASS
    assert performance.authorize.limit_s == 1e-9
    assert performance.authorize.verdict is LimitVerdict.FAIL


# -- operators that cannot act -----------------------------------------------------------------


def test_operator_that_cannot_act_skips_the_case(passive_run: Outcome) -> None:
    case = passive_run.case("TC_921_CSMS")
    assert case.verdict is Verdict.SKIPPED
    assert case.reason == "needs the CSMS to act, and operator mode is 'passive'"
    assert case.steps == ()
    assert passive_run.case("TC_920_CSMS").verdict is Verdict.PASS
    assert passive_run.result.verdict is Verdict.FAIL  # a skipped case is not a pass


def test_failed_provisioning_is_a_notice(passive_run: Outcome) -> None:
    notices = [n.message for n in passive_run.events.of(Notice)]
    assert notices == [
        f"test data provisioning: failed: cannot provision {PICS.test_data.charge_point_id}"
    ]


def test_operator_step_without_an_operator_skips_inside_the_case(catalog: Catalog) -> None:
    async def scenario() -> Any:
        reference = ReferenceCsms(ReferenceConfig(seed=seed_from_pics(default_pics_path())))
        async with reference:
            setup = make_setup(catalog, reference.ocpp_url, NoOperator())
            return await Runner(setup).run_case(catalog.case("TC_921_CSMS"))

    case = asyncio.run(scenario())
    assert case.verdict is Verdict.SKIPPED
    assert case.reason == "operator mode 'none': nobody can make the CSMS send ClearCache"
    assert case.steps[-1].status.value == "aborted"


# -- the reachability probe --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        f"ws://127.0.0.1:{free_port()}",
        "ws://",
        "ws://127.0.0.1:not-a-port",
        "ws://127.0.0.1:99999",
    ],
    ids=["refused", "no-host", "port-not-a-number", "port-out-of-range"],
)
def test_unreachable_csms_raises(catalog: Catalog, url: str) -> None:
    sink = Collector()
    setup = make_setup(catalog, url, PassiveOperator(), sinks=[sink])
    plan = select(catalog, PICS, test_ids=["TC_920_CSMS"])
    with pytest.raises(CsmsUnreachable):
        asyncio.run(Runner(setup).run(plan))
    assert [type(e) for e in sink.events] == [RunStarted]


@asynccontextmanager
async def refusing_server(status: int) -> AsyncIterator[str]:
    def refuse(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(status, "no\n")

    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, process_request=refuse) as running:
        port = next(iter(running.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}"


def test_probe_rejected_with_an_http_status_is_a_notice_and_the_run_goes_on(
    catalog: Catalog,
) -> None:
    async def scenario() -> tuple[RunResult, Collector]:
        async with refusing_server(503) as url:
            sink = Collector()
            setup = make_setup(catalog, url, PassiveOperator(), sinks=[sink])
            entry = PlanEntry(catalog.case("TC_924_CSMS"), False, "not for this CSMS")
            return await Runner(setup).run(RunPlan((entry,))), sink

    result, sink = asyncio.run(scenario())
    assert [n.message for n in sink.of(Notice)] == [
        "reachability probe: the CSMS answered the WebSocket upgrade with HTTP 503"
    ]
    assert [(c.id, c.verdict, c.reason) for c in result.cases] == [
        ("TC_924_CSMS", Verdict.NOT_APPLICABLE, "not for this CSMS")
    ]
