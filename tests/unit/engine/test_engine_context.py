"""The per-case context: dispatch of incoming CALLs, CALLERROR mapping, answers, the template
scope, findings, and connecting (against local WebSocket servers on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from octt.catalog.model import Catalog, Location, TestCase
from octt.chargepoint import responder
from octt.chargepoint.model import ChargePointState
from octt.config import RunConfig
from octt.engine.context import CaseAborted, CaseContext, OperatorTicket
from octt.engine.link import IncomingCall, Link
from octt.engine.templating import TemplateError, render
from octt.findings import Finding, Severity
from octt.ocppj.frames import Call
from octt.ocppj.session import Session
from octt.operator.base import OperatorOutcome, OperatorRequest, OperatorResult
from octt.operator.none import NoOperator
from octt.pics.model import Pics, Profile, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.resources import default_pics_path
from octt.result.events import Event, EventBus, FindingRaised
from octt.transport.websocket import TransportClosed
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

SCHEMAS = SchemaSet.load()
PICS: Pics = load_pics(default_pics_path())
WAIT_S = 2.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 10.0

    def monotonic(self) -> float:
        return self.now

    def monotonic_ns(self) -> int:
        return round(self.now * 1e9)

    def utc_now(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.now)


class FakeTransport:
    subprotocol = "ocpp1.6"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.sent_changed = asyncio.Event()
        self.queue: asyncio.Queue[tuple[str | bytes, int] | TransportClosed] = asyncio.Queue()

    async def send(self, text: str) -> int:
        self.sent.append(text)
        self.sent_changed.set()
        return 0

    async def recv(self) -> tuple[str | bytes, int]:
        item = await self.queue.get()
        if isinstance(item, TransportClosed):
            raise item
        return item

    async def close(self) -> None:
        return None

    def abort(self) -> None:
        return None


class Collector:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def handle(self, event: Event) -> None:
        self.events.append(event)


CASE = TestCase(
    id="TC_900_CSMS",
    title="A case for the context",
    profile=Profile.CORE,
    reference={"oca": "[2024-04] T900 p.9; [2025-11] T905", "ocpp": "1.6 §4.1"},
    purpose="",
    checks=(),
    editions="",
    requires=(),
    before=(),
    steps=(),
    location=Location("TC_900_CSMS.yaml", 1),
)


CITED = "OCA Test case document OCTT for OCPP 1.6, edition 2025-11, T905; OCPP 1.6 §4.1"


def make_ctx(
    *, csms_url: str = "ws://127.0.0.1:9", config: RunConfig | None = None
) -> tuple[CaseContext, Collector]:
    clock = FakeClock()
    sink = Collector()
    data = PICS.test_data
    ctx = CaseContext(
        case=CASE,
        catalog=Catalog((CASE,), {}),
        pics=PICS,
        config=config or RunConfig(connect_timeout_s=2.0),
        csms_url=csms_url,
        operator=NoOperator(),
        operator_timeout_s=12.5,
        clock=clock,
        recorder=Recorder(clock, Redactor(), None),
        validator=FrameValidator(SCHEMAS),
        schemas=SCHEMAS,
        bus=EventBus([sink]),
        cp=ChargePointState.create(
            data.charge_point_id,
            data.charge_point_vendor,
            data.charge_point_model,
            data.number_of_connectors,
            default_id_tag=data.valid_id_tag,
            default_connector_id=data.connector_id,
        ),
    )
    return ctx, sink


def attach_link(ctx: CaseContext) -> FakeTransport:
    transport = FakeTransport()
    link = Link(
        transport,
        connection=ctx.recorder.new_connection(),
        recorder=ctx.recorder,
        validator=ctx.validator,
        session=Session(response_timeout_s=5.0),
        clock=ctx.clock,
        dispatch=ctx.dispatch,
        on_finding=ctx.add_finding,
    )
    ctx.link = link
    return transport


def incoming(action: str, payload: dict[str, Any], unique_id: str = "c-1") -> IncomingCall:
    call = Call(unique_id, action, payload)
    findings = tuple(FrameValidator(SCHEMAS).check_call(call, sender="CSMS", frames=(7,)))
    return IncomingCall(call, 7, findings)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 10))


async def settle(ctx: CaseContext) -> None:
    if ctx.background:
        await asyncio.wait(list(ctx.background), timeout=WAIT_S)


def sent_frames(transport: FakeTransport) -> list[list[Any]]:
    return [json.loads(text) for text in transport.sent]


# -- dispatch ----------------------------------------------------------------------------------


def test_awaited_call_goes_to_the_inbox_unanswered() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.awaited["ClearCache"] += 1
        call = incoming("ClearCache", {"extra": 1})
        ctx.dispatch(call)
        assert ctx.inbox == [call]
        assert ctx.inbox_changed.is_set()
        assert ctx.findings == []  # its findings are added when a step takes it
        assert not ctx.background
        assert transport.sent == []

    run(scenario)


def test_an_interfering_unexpected_call_fails_and_is_still_answered_and_acted_on() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.step_path = "4"
        ctx.dispatch(incoming("Reset", {"type": "Soft"}))
        await settle(ctx)
        [finding] = ctx.findings
        assert (finding.rule, finding.severity, finding.frames, finding.step) == (
            "unexpected-call.interfering",
            Severity.ERROR,
            (7,),
            "4",
        )
        assert "Reset" in finding.message and "reboots" in finding.message
        assert "What a CSMS may do beside the script" in finding.spec
        assert sent_frames(transport) == [[3, "c-1", {"status": "Accepted"}]]
        assert ctx.inbox == []

    run(scenario)


def test_a_harmless_unexpected_call_is_info_and_acted_on() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.dispatch(incoming("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "77"}))
        await settle(ctx)
        [finding] = ctx.findings
        assert (finding.rule, finding.severity) == ("unexpected-call", Severity.INFO)
        assert sent_frames(transport) == [[3, "c-1", {"status": "Accepted"}]]
        assert ctx.cp.config.get("HeartbeatInterval") == "77"  # acted on, not just answered

    run(scenario)


def test_strict_unexpected_calls_fail_even_a_harmless_one() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx(config=RunConfig(strict_unexpected_calls=True))
        attach_link(ctx)
        ctx.dispatch(incoming("GetConfiguration", {}))
        await settle(ctx)
        [finding] = ctx.findings
        assert (finding.rule, finding.severity) == ("unexpected-call", Severity.ERROR)
        assert "strict" in finding.message

    run(scenario)


def test_unexpected_call_adds_its_schema_findings() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.dispatch(incoming("ClearCache", {"extra": 1}))
        await settle(ctx)
        assert [f.rule for f in ctx.findings] == ["schema.request", "unexpected-call"]
        # A schema-invalid request is answered with the CALLERROR a receiver owes it.
        [[kind, unique_id, code, _, _]] = sent_frames(transport)
        assert (kind, unique_id, code) == (4, "c-1", "FormationViolation")

    run(scenario)


def test_tolerated_call_is_answered_without_a_warning() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.tolerated.add("ClearCache")
        ctx.dispatch(incoming("ClearCache", {}))
        await settle(ctx)
        assert ctx.findings == []
        assert sent_frames(transport) == [[3, "c-1", {"status": "Accepted"}]]

    run(scenario)


def test_forbidden_call_is_an_error_and_still_answered() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.forbidden.add("Reset")
        ctx.dispatch(incoming("Reset", {"type": "Hard"}))
        await settle(ctx)
        [error] = ctx.findings
        assert (error.rule, error.severity, error.frames) == ("forbid.Reset", Severity.ERROR, (7,))
        assert error.spec == CITED
        assert sent_frames(transport) == [[3, "c-1", {"status": "Accepted"}]]

    run(scenario)


def test_forbidden_and_awaited_call_is_an_error_and_goes_to_the_inbox() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        ctx.forbidden.add("Reset")
        ctx.awaited["Reset"] = 1
        call = incoming("Reset", {"type": "Hard"})
        ctx.dispatch(call)
        assert [f.rule for f in ctx.findings] == ["forbid.Reset"]
        assert ctx.inbox == [call]

    run(scenario)


def test_unknown_action_is_answered_not_implemented() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.dispatch(incoming("Frobnicate", {}))
        await settle(ctx)
        assert [f.rule for f in ctx.findings] == ["ocppj.unknown-action", "unexpected-call"]
        [[kind, _, code, _, _]] = sent_frames(transport)
        assert (kind, code) == (4, "NotImplemented")

    run(scenario)


# -- callerror_for -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "payload", "code", "where"),
    [
        ("Reset", {"type": 5}, "TypeConstraintViolation", "/type"),
        ("Reset", {}, "ProtocolError", "/type"),
        ("ClearCache", {"extra": 1}, "FormationViolation", "/extra"),
        ("Reset", {"type": "Medium"}, "PropertyConstraintViolation", "/type"),
        (
            "MeterValues",
            {"connectorId": 1, "meterValue": []},
            "OccurenceConstraintViolation",
            "/meterValue",
        ),
    ],
)
def test_callerror_for_maps_the_violation_to_its_code(
    action: str, payload: dict[str, Any], code: str, where: str
) -> None:
    ctx, _ = make_ctx()
    answer = ctx.callerror_for(incoming(action, payload))
    assert answer is not None
    assert answer[0] == code
    assert answer[1].startswith(f"{where}: ")


@pytest.mark.parametrize(
    ("action", "payload"),
    [("Reset", {"type": "Soft"}), ("Frobnicate", {"anything": 1}), ("ClearCache", {})],
)
def test_callerror_for_valid_or_unknown_is_none(action: str, payload: dict[str, Any]) -> None:
    ctx, _ = make_ctx()
    assert ctx.callerror_for(incoming(action, payload)) is None


def test_callerror_description_is_at_most_255_characters() -> None:
    ctx, _ = make_ctx()
    answer = ctx.callerror_for(incoming("GetConfiguration", {"key": ["k" * 400]}))
    assert answer is not None
    assert answer[0] == "PropertyConstraintViolation"
    assert len(answer[1]) <= 255


# -- answer ------------------------------------------------------------------------------------


def test_answer_with_override_merges_into_the_responder_reply() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        seq = await ctx.answer(incoming("ClearCache", {}), {"status": "Rejected"}, None)
        assert seq == 1
        assert sent_frames(transport) == [[3, "c-1", {"status": "Rejected"}]]

    run(scenario)


def test_answer_with_error() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        await ctx.answer(incoming("ClearCache", {}), None, ("InternalError", "on purpose"))
        assert sent_frames(transport) == [[4, "c-1", "InternalError", "on purpose", {}]]

    run(scenario)


def test_schema_invalid_request_gets_a_callerror_even_with_an_override() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        await ctx.answer(incoming("Reset", {"type": 5}), {"status": "Accepted"}, None)
        [[kind, _, code, _, _]] = sent_frames(transport)
        assert (kind, code) == (4, "TypeConstraintViolation")

    run(scenario)


def test_unsupported_action_is_not_supported_unless_the_step_replies() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        # A charge point's own action sent by the CSMS: known, but not supported.
        await ctx.answer(incoming("Heartbeat", {}, "c-1"), None, None)
        reply = {"currentTime": "2026-01-01T00:00:00Z"}
        await ctx.answer(incoming("Heartbeat", {}, "c-2"), reply, None)
        first, second = sent_frames(transport)
        assert (first[0], first[2]) == (4, "NotSupported")
        assert second == [3, "c-2", reply]

    run(scenario)


def test_answer_commits_the_state_change_of_the_final_reply() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        request = {"idTag": "TAG-1", "connectorId": 2}
        await ctx.answer(incoming("RemoteStartTransaction", request, "c-1"), None, None)
        assert ctx.cp.remote_start is not None
        assert ctx.cp.remote_start.id_tag == "TAG-1"
        ctx.cp.remote_start = None
        await ctx.answer(
            incoming("RemoteStartTransaction", request, "c-2"), {"status": "Rejected"}, None
        )
        assert ctx.cp.remote_start is None

    run(scenario)


def test_answer_without_a_live_link_sends_nothing() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        assert await ctx.answer(incoming("ClearCache", {}), None, None) is None
        transport = attach_link(ctx)
        assert ctx.link is not None
        ctx.link.start()
        transport.queue.put_nowait(TransportClosed(1000, ""))
        await asyncio.wait_for(ctx.link.closed.wait(), WAIT_S)
        assert await ctx.answer(incoming("ClearCache", {}), None, None) is None
        assert transport.sent == []

    run(scenario)


# -- scope -------------------------------------------------------------------------------------


def test_scope_holds_the_test_data_and_derived_names() -> None:
    ctx, _ = make_ctx()
    scope = ctx.scope()
    data = PICS.test_data
    assert scope.lookup("valid_id_tag") == data.valid_id_tag
    assert scope.lookup("cp_id") == data.charge_point_id
    assert scope.lookup("child_id_tag") == data.child_id_tags[0]
    assert scope.lookup("unknown_connector_id") == data.number_of_connectors + 1
    assert scope.lookup("connector_id") == data.connector_id


def test_saved_variables_shadow_the_test_data() -> None:
    ctx, _ = make_ctx()
    ctx.variables["valid_id_tag"] = "SAVED"
    ctx.variables["transaction_id"] = 42
    scope = ctx.scope()
    assert scope.lookup("valid_id_tag") == "SAVED"
    assert render("{transaction_id}", scope) == 42
    assert render("tx {transaction_id}", scope) == "tx 42"


def test_scope_cp_config_namespace() -> None:
    ctx, _ = make_ctx()
    scope = ctx.scope()
    assert scope.lookup("cp.config.ConnectionTimeOut") == ctx.cp.config.get("ConnectionTimeOut")
    with pytest.raises(TemplateError, match="NoSuchKey"):
        scope.lookup("cp.config.NoSuchKey")
    with pytest.raises(TemplateError):
        scope.lookup("cp.vendor")  # only cp.config.<Key> is offered


def test_scope_config_namespace() -> None:
    ctx, _ = make_ctx(config=RunConfig(time_scale=0.5))
    scope = ctx.scope()
    assert scope.lookup("config.operator_timeout_s") == 12.5
    assert scope.lookup("config.time_scale") == 0.5
    assert scope.lookup("config.ordering") == "documented"
    with pytest.raises(TemplateError):
        scope.lookup("config.basic_auth_password")  # secrets are not in the settings
    with pytest.raises(TemplateError):
        scope.lookup("config.nope")


def test_scope_pics_namespace() -> None:
    ctx, _ = make_ctx()
    scope = ctx.scope()
    assert scope.lookup("pics.limits.response_timeout_s") == PICS.limits.response_timeout_s
    with pytest.raises(TemplateError):
        scope.lookup("pics.limits.nope")


def test_scope_now_and_now_plus_are_the_charge_points_clock() -> None:
    ctx, _ = make_ctx()  # FakeClock: 2026-01-01T00:00:10Z
    scope = ctx.scope()
    assert scope.lookup("now") == "2026-01-01T00:00:10.000Z"
    assert scope.lookup("now_plus.3600") == "2026-01-01T01:00:10.000Z"
    assert scope.lookup("now_plus.-10") == "2026-01-01T00:00:00.000Z"
    assert render("from {now} to {now_plus.1.5}", scope) == (
        "from 2026-01-01T00:00:10.000Z to 2026-01-01T00:00:11.500Z"
    )
    with pytest.raises(TemplateError):
        scope.lookup("now_plus.soon")
    ctx.cp.go_offline(60)  # offline, the charge point's clock lags behind
    assert ctx.scope().lookup("now") == "2025-12-31T23:59:10.000Z"


def test_the_charge_points_clock_follows_the_runs_clock() -> None:
    ctx, _ = make_ctx()  # FakeClock: 2026-01-01T00:00:10Z
    assert ctx.cp.now() == datetime(2026, 1, 1, 0, 0, 10, tzinfo=UTC)
    ctx.clock.now += 5  # type: ignore[attr-defined]
    assert ctx.cp.now() == datetime(2026, 1, 1, 0, 0, 15, tzinfo=UTC)


def test_unknown_name_is_a_template_error() -> None:
    ctx, _ = make_ctx()
    with pytest.raises(TemplateError, match="nothing_like_this"):
        ctx.scope().lookup("nothing_like_this")


# -- findings ----------------------------------------------------------------------------------


def test_findings_get_the_step_and_go_out_as_events() -> None:
    ctx, sink = make_ctx()
    ctx.step_path = "before:booted/2"
    ctx.error("r.one", "bad", frames=(3,))
    ctx.warn("r.two", "meh", spec="somewhere")
    ctx.add_finding(Finding("r.three", Severity.ERROR, "x", step="9"))
    assert [(f.rule, f.severity, f.step) for f in ctx.findings] == [
        ("r.one", Severity.ERROR, "before:booted/2"),
        ("r.two", Severity.WARNING, "before:booted/2"),
        ("r.three", Severity.ERROR, "9"),
    ]
    assert ctx.findings[0].spec == ctx.spec == CITED
    assert ctx.findings[1].spec == "somewhere"
    assert sink.events == [FindingRaised("TC_900_CSMS", f) for f in ctx.findings]


def test_errors_of_an_advisory_step_are_advisories_citing_its_clause() -> None:
    ctx, sink = make_ctx()
    ctx.advisory = "security whitepaper ed.3, TLS"
    ctx.error("tls.version", "TLS 1.0 accepted")
    ctx.warn("r.warn", "meh")
    assert [(f.rule, f.severity, f.spec) for f in ctx.findings] == [
        ("tls.version", Severity.ADVISORY, "security whitepaper ed.3, TLS"),
        ("r.warn", Severity.WARNING, CITED),
    ]
    assert sink.events[0] == FindingRaised("TC_900_CSMS", ctx.findings[0])


def test_promoted_advisories_are_errors_citing_the_clause() -> None:
    ctx, _ = make_ctx(config=RunConfig(advisories_fail=True))
    ctx.advisory = "security whitepaper ed.3, TLS"
    ctx.error("tls.version", "TLS 1.0 accepted")
    [finding] = ctx.findings
    assert (finding.severity, finding.spec) == (Severity.ERROR, "security whitepaper ed.3, TLS")


def test_require_link_without_a_connection_aborts_with_a_finding() -> None:
    ctx, _ = make_ctx()
    with pytest.raises(CaseAborted):
        ctx.require_link()
    [finding] = ctx.findings
    assert finding.rule == "transport.closed"
    assert "no connection" in finding.message


# -- connecting --------------------------------------------------------------------------------


@asynccontextmanager
async def server(subprotocols: list[str] | None) -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with serve(
        handler,
        "127.0.0.1",
        0,
        subprotocols=subprotocols,  # type: ignore[arg-type]
    ) as running:
        port = next(iter(running.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}"


def test_connect_opens_a_link_and_records_the_open_event() -> None:
    async def scenario() -> None:
        async with server(["ocpp1.6"]) as url:
            ctx, _ = make_ctx(csms_url=url)
            link = await ctx.connect()
            assert ctx.link is link
            assert link.subprotocol == "ocpp1.6"
            assert ctx.findings == []
            assert ctx.require_link() is link
            await ctx.finish()
            assert link.closed.is_set() and link.closed_by_us

    run(scenario)


def test_connect_without_the_subprotocol_is_an_error_finding() -> None:
    async def scenario() -> None:
        async with server(None) as url:
            ctx, _ = make_ctx(csms_url=url)
            await ctx.connect()
            [finding] = ctx.findings
            assert finding.rule == "transport.subprotocol"
            assert finding.spec == "OCPP-J 1.6 §3.1.2"
            assert "got none" in finding.message
            assert finding.frames == (1,)  # the open event
            await ctx.finish()

    run(scenario)


def test_connect_failure_aborts_the_case_with_a_transport_finding() -> None:
    async def scenario() -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        ctx, _ = make_ctx(csms_url=f"ws://127.0.0.1:{port}")
        with pytest.raises(CaseAborted):
            await ctx.connect()
        [finding] = ctx.findings
        assert finding.rule == "transport.connect"
        assert finding.spec == "OCPP-J 1.6 §3.1"
        # A refused connection is retried with back-off until the connect timeout: the
        # finding points at the last attempt's event.
        [frame] = finding.frames
        assert frame >= 1
        assert ctx.link is None

    run(scenario)


def test_connection_lost_names_what_was_going_on() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        attach_link(ctx)
        assert ctx.link is not None
        ctx.link.close_detail = "connection closed (code 1006)"
        ctx.connection_lost(ctx.link, "the wait for Reset")
        [finding] = ctx.findings
        assert finding.rule == "transport.closed"
        assert finding.message == (
            "the connection closed during the wait for Reset (connection closed (code 1006))"
        )

    run(scenario)


# -- finish ------------------------------------------------------------------------------------


def test_finish_answers_leftovers_and_records_operator_outcomes() -> None:
    async def scenario() -> None:
        ctx, _ = make_ctx()
        transport = attach_link(ctx)
        ctx.inbox.append(incoming("ClearCache", {}))
        request = OperatorRequest("CP", "ClearCache", {}, "clear it", 5.0)

        async def done() -> OperatorResult:
            return OperatorResult(OperatorOutcome.DONE, "triggered", 0.25)

        async def broken() -> OperatorResult:
            raise RuntimeError("operator bug")

        for coro in (done(), broken()):
            task = asyncio.ensure_future(coro)
            ctx.tickets.append(OperatorTicket(request, task, asyncio.Event()))
        await asyncio.wait([t.task for t in ctx.tickets])
        await ctx.finish()
        assert sent_frames(transport) == [[3, "c-1", {"status": "Accepted"}]]
        assert ctx.inbox == []
        assert [(r.action, r.outcome, r.detail, r.elapsed_s) for r in ctx.operator_records] == [
            ("ClearCache", "done", "triggered", 0.25),
            ("ClearCache", "error", "RuntimeError('operator bug')", 0.0),
        ]
        assert ctx.link is not None and ctx.link.closed.is_set()

    run(scenario)


def test_now_plus_takes_a_number_or_the_name_of_one() -> None:
    ctx, _ = make_ctx()  # FakeClock: 2026-01-01T00:00:10Z; PICS reservation_expiry_offset_s 300
    scope = ctx.scope()
    assert scope.lookup("now_plus.reservation_expiry_offset_s") == "2026-01-01T00:05:10.000Z"
    ctx.variables["offset"] = 60
    assert ctx.scope().lookup("now_plus.offset") == "2026-01-01T00:01:10.000Z"
    ctx.variables["word"] = "soon"
    with pytest.raises(TemplateError):
        ctx.scope().lookup("now_plus.word")


def test_unique_id_is_a_positive_31_bit_integer_fresh_for_every_case() -> None:
    first, _ = make_ctx()
    second, _ = make_ctx()
    value = first.scope().lookup("unique_id")
    assert isinstance(value, int) and 0 < value <= 2_000_000_000
    assert first.scope().lookup("unique_id") == value  # stable within the case
    assert second.unique_id != value


def test_cp_reserved_connector_is_the_held_connector_of_the_latest_reservation() -> None:
    ctx, _ = make_ctx()
    with pytest.raises(TemplateError, match="reserved_connector"):
        ctx.scope().lookup("cp.reserved_connector")
    reserve = {"expiryDate": "2026-01-01T01:00:00Z", "idTag": "T", "reservationId": 1}
    responder.commit(ctx.cp, "ReserveNow", {**reserve, "connectorId": 0}, {"status": "Accepted"})
    assert ctx.scope().lookup("cp.reserved_connector") == ctx.cp.default_connector_id
    responder.commit(ctx.cp, "CancelReservation", {"reservationId": 1}, {"status": "Accepted"})
    assert ctx.scope().lookup("cp.reserved_connector") == ctx.cp.default_connector_id


def test_expectations_for_an_action_come_from_every_enclosing_state_step() -> None:
    ctx, _ = make_ctx()
    assert ctx.expectations_for("ReserveNow") == []
    ctx.state_expectations.append({"ReserveNow": {"connectorId": 1}})
    ctx.state_expectations.append({"Authorize": {"idTagInfo.status": "Accepted"}})
    ctx.state_expectations.append({"ReserveNow": {"idTag": "T"}})
    assert ctx.expectations_for("ReserveNow") == [{"connectorId": 1}, {"idTag": "T"}]


def test_an_unknown_vendor_id_is_the_pics_one_or_made_up() -> None:
    ctx, _ = make_ctx()
    assert ctx.scope().lookup("unknown_vendor_id") == PICS.test_data.unsupported_vendor_id
    pics = dataclasses.replace(
        PICS, test_data=dataclasses.replace(PICS.test_data, unsupported_vendor_id=None)
    )
    made_up = dataclasses.replace(ctx, pics=pics).scope().lookup("unknown_vendor_id")
    assert made_up == f"org.octt.unknown-vendor.{ctx.unique_id}"
    assert ctx.scope().lookup("other_unique_id") != ctx.unique_id


def test_add_offsets_an_integer_value() -> None:
    ctx, _ = make_ctx()
    ctx.variables["level"] = 3
    assert ctx.scope().lookup("add.level.2") == 5
    with pytest.raises(TemplateError):
        ctx.scope().lookup("add.level.x")
    with pytest.raises(TemplateError):
        ctx.scope().lookup("add.cp_id.1")
