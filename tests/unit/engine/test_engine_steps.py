"""The step kinds, through small YAML cases run by the engine against the reference CSMS.

Each test module run writes a tiny catalog to a temporary folder (the real reusable states plus
cases made for these tests), runs it once against a fresh embedded reference CSMS over loopback
(driven through its trigger API), and the tests read the case results and the frame trace.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from octt.catalog.loader import load_catalog
from octt.catalog.selection import select
from octt.clock import SystemClock
from octt.config import Ordering, RunConfig
from octt.engine.checks import CHECKS
from octt.engine.runner import Runner, RunSetup
from octt.engine.steps import skip_reason
from octt.findings import Severity
from octt.operator.factory import make_operator
from octt.pics.model import load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.reference.store import seed_from_pics
from octt.resources import default_pics_path
from octt.resources import testcases_dir as packaged_testcases
from octt.result.events import EventBus
from octt.result.model import CaseResult, ExchangeOutcome, StepStatus, Verdict
from octt.validation.schemas import SchemaSet

HEADER = """\
id: {id}
title: {id} for the step tests
profile: core
reference: {{ocpp: "unit test of octt.engine.steps"}}
checks: [what the steps do]
"""

CASES: dict[str, str] = {
    # The OCTT ordering tolerance: StartTransaction may come after StatusNotification(Charging).
    "TC_901_CSMS": """\
before: [booted, authorized]
steps:
  - send: StatusNotification
    connector: "{connector_id}"
    payload: {status: Preparing}
  - send: StartTransaction
    connector: "{connector_id}"
    save: {transaction_id: transactionId}
    swappable_with_next: true
  - send: StatusNotification
    connector: "{connector_id}"
    payload: {status: Charging}
  - send: StopTransaction
    connector: "{connector_id}"
""",
    # State steps inside the steps, one of them with its own before-state.
    "TC_902_CSMS": """\
steps:
  - state: booted
  - state: charging
  - send: Heartbeat
""",
    # A forbidden CALL arriving inside the window.
    "TC_903_CSMS": """\
before: [booted]
steps:
  - operator: ClearCache
    say: Make the CSMS clear the cache of {cp_id}.
  - forbid: [ClearCache]
    within_s: 0.3
  - expect_call: ClearCache
""",
    # A quiet forbid window, and a wait of simulated seconds.
    "TC_904_CSMS": """\
before: [booted]
steps:
  - forbid: [Reset, ClearCache]
    within_s: 0.02
  - wait: 50
  - send: Heartbeat
""",
    # Offline: transaction messages queue up and go out, back-dated, on reconnect.
    "TC_905_CSMS": """\
before: [booted, authorized]
steps:
  - simulate: go_offline
    duration_s: 3600
  - send: StartTransaction
    connector: "{connector_id}"
    save: {transaction_id: transactionId}
  - reconnect:
  - send: Heartbeat
""",
    # Power loss during a transaction.
    "TC_906_CSMS": """\
before: [booted, charging]
steps:
  - simulate: power_loss
  - reconnect:
  - send: BootNotification
    expect: {status: Accepted}
  - send: StatusNotification
    each_connector: all_and_zero
  - send: StopTransaction
    connector: "{connector_id}"
""",
    # ConnectionTimeOut expires: the connector is Available again.
    "TC_907_CSMS": """\
before: [booted]
steps:
  - send: StatusNotification
    connector: "{connector_id}"
    payload: {status: Preparing}
  - simulate: connection_timeout
    connector: "{connector_id}"
  - send: StatusNotification
    connector: "{connector_id}"
""",
    # distinct_values: two transactions get different ids ...
    "TC_908_CSMS": """\
before: [booted, authorized]
steps:
  - send: StartTransaction
    connector: 1
    save: {first: transactionId}
  - send: StartTransaction
    connector: 2
    save: {second: transactionId}
  - check: distinct_values
    args: {variables: [first, second]}
""",
    # ... and the same value saved twice is a finding with the rule the step names.
    "TC_909_CSMS": """\
steps:
  - send: BootNotification
    save: {one: status, two: status}
  - check: distinct_values
    args: {variables: [one, two], rule: expect.distinct-status}
""",
    # A response the scenario does not like: expect mismatch on a send step.
    "TC_910_CSMS": """\
before: [booted]
steps:
  - send: Authorize
    payload: {idTag: "{invalid_id_tag}"}
    expect: {idTagInfo.status: Accepted}
  - send: Heartbeat
""",
    # A non-transaction message while offline is a tool error (octt cannot queue it).
    "TC_911_CSMS": """\
before: [booted]
steps:
  - simulate: connection_loss
  - send: Heartbeat
""",
    # Parametrised states: `with` reaches nested states; state-step expectations hold inside.
    "TC_912_CSMS": """\
before: [booted]
steps:
  - state: reserved
    with: {reserve_connector_id: 0}
    expect:
      ReserveNow: {connectorId: 0, idTag: "{valid_id_tag}"}
  - state: charging
    with: {driver_id_tag: "{child_id_tag}"}
    expect:
      Authorize: {idTagInfo.parentIdTag: "{parent_id_tag}"}
      StartTransaction: {idTagInfo.status: Accepted}
""",
    # A parameter is bound only while its state runs.
    "TC_913_CSMS": """\
before: [booted]
steps:
  - state: authorized
    with: {driver_id_tag: "{child_id_tag}"}
  - send: DataTransfer
    payload: {vendorId: "{driver_id_tag}"}
""",
    # A state-step expectation the CSMS does not meet is a finding at the step inside the state.
    "TC_914_CSMS": """\
before: [booted]
steps:
  - state: reserve_now
    with: {reservation_answer: Rejected}
    expect:
      ReserveNow: {connectorId: 2}
""",
    # A reservation expires on the run's time scale, at most duration_s simulated seconds.
    "TC_915_CSMS": """\
before: [booted]
steps:
  - state: reserved
  - simulate: reservation_expiry
    duration_s: 100
  - send: StatusNotification
    connector: "{connector_id}"
""",
    # Nothing to expire is octt's problem, not the CSMS's.
    "TC_916_CSMS": """\
before: [booted]
steps:
  - simulate: reservation_expiry
""",
    # A state step's save keeps what the state saved under another name, run after run; nulls
    # in an operator payload are left out, also inside objects (the profile's transactionId).
    "TC_917_CSMS": """\
before: [booted]
steps:
  - state: set_charging_profile
    with: {profile_id: 5}
    save: {first_id: charging_profile_id}
  - state: set_charging_profile
    with: {profile_id: 6, profile_stack_level: 2}
    save: {second_id: charging_profile_id}
  - check: distinct_values
    args: {variables: [first_id, second_id], rule: expect.distinct-profiles}
""",
    # A firmware download before any UpdateFirmware: the tool cannot do it.
    "TC_918_CSMS": """\
before: [booted]
steps:
  - simulate: firmware_download
""",
    # The download waits for the retrieveDate on the run's time scale, at most duration_s; an
    # ftp location is not transferred.
    "TC_919_CSMS": """\
before: [booted]
steps:
  - operator: UpdateFirmware
    payload: {location: "ftp://127.0.0.1/fw.bin", retrieveDate: "{now_plus.500}"}
    say: Update the firmware of {cp_id} in 500 s.
  - expect_call: UpdateFirmware
  - simulate: firmware_download
    duration_s: 100
""",
}


@dataclass(frozen=True)
class Run:
    cases: dict[str, CaseResult]
    trace: list[dict[str, Any]]

    def frames(self, case_id: str) -> list[dict[str, Any]]:
        return [r for r in self.trace if r["case"] == case_id and "dir" in r]

    def sent(self, case_id: str, action: str) -> list[dict[str, Any]]:
        """Payloads of the CALLs of `action` the charge point sent in `case_id`."""
        out = []
        for record in self.frames(case_id):
            message = json.loads(record["text"])
            if record["dir"] == "cp->csms" and message[0] == 2 and message[2] == action:
                out.append({"utc": record["utc"], **message[3]})
        return out

    def events(self, case_id: str) -> list[tuple[str, str]]:
        return [
            (r["event"], r["detail"]) for r in self.trace if r["case"] == case_id and "event" in r
        ]

    def step(self, case_id: str, path: str) -> Any:
        [step] = [s for s in self.cases[case_id].steps if s.path == path]
        return step


def write_catalog(root: Path) -> Path:
    shutil.copytree(packaged_testcases() / "_states", root / "_states")
    (root / "core").mkdir()
    for case_id, body in CASES.items():
        text = HEADER.format(id=case_id) + body
        (root / "core" / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    return root


async def run_catalog(root: Path, case_ids: Iterable[str], config: RunConfig, trace: Path) -> Run:
    pics = load_pics(default_pics_path())
    reference = ReferenceCsms(
        ReferenceConfig(seed=seed_from_pics(default_pics_path()), call_timeout_s=5.0)
    )
    async with reference:
        operator = make_operator(
            reference.control_url, console=Console(file=io.StringIO()), input_stream=io.StringIO()
        )
        catalog = load_catalog(root, known_checks=frozenset(CHECKS))
        plan = select(catalog, pics, test_ids=list(case_ids))
        clock = SystemClock()
        recorder = Recorder(clock, Redactor(), trace)
        setup = RunSetup(
            config,
            pics,
            catalog,
            reference.ocpp_url,
            operator,
            clock,
            EventBus(),
            recorder,
            SchemaSet.load(),
        )
        try:
            result = await Runner(setup).run(plan)
        finally:
            recorder.close()
            await operator.aclose()
    records = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    return Run({c.id: c for c in result.cases}, records)


@pytest.fixture(scope="module")
def catalog_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="module")
def documented(catalog_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    trace = tmp_path_factory.mktemp("documented") / "trace.jsonl"
    config = RunConfig(operator_timeout_s=3.0, time_scale=0.001, reconnect_pause_s=0.001)
    return asyncio.run(run_catalog(catalog_root, CASES, config, trace))


@pytest.fixture(scope="module")
def swapped(catalog_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    trace = tmp_path_factory.mktemp("swapped") / "trace.jsonl"
    config = RunConfig(operator_timeout_s=3.0, ordering=Ordering.SWAPPED, reconnect_pause_s=0.001)
    return asyncio.run(run_catalog(catalog_root, ["TC_901_CSMS", "TC_902_CSMS"], config, trace))


def actions(run: Run, case_id: str) -> list[str]:
    return [e.action for e in run.cases[case_id].exchanges]


def verdict(run: Run, case_id: str) -> tuple[Verdict, str, list[str]]:
    case = run.cases[case_id]
    return case.verdict, case.reason, [f.rule for f in case.findings]


# -- ordering ----------------------------------------------------------------------------------


def test_documented_order_sends_the_pair_as_written(documented: Run) -> None:
    assert verdict(documented, "TC_901_CSMS") == (Verdict.PASS, "", [])
    assert actions(documented, "TC_901_CSMS")[-4:] == [
        "StatusNotification",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
    ]
    paths = [s.path for s in documented.cases["TC_901_CSMS"].steps]
    assert paths[-4:] == ["1", "2", "3", "4"]


def test_swapped_order_sends_the_pair_reversed(swapped: Run) -> None:
    assert verdict(swapped, "TC_901_CSMS") == (Verdict.PASS, "", [])
    assert actions(swapped, "TC_901_CSMS")[-4:] == [
        "StatusNotification",
        "StatusNotification",
        "StartTransaction",
        "StopTransaction",
    ]
    statuses = [p["status"] for p in swapped.sent("TC_901_CSMS", "StatusNotification")]
    assert statuses[-2:] == ["Preparing", "Charging"]
    # Steps keep their numbers from the file; only the order of execution changes.
    paths = [s.path for s in swapped.cases["TC_901_CSMS"].steps]
    assert paths[-4:] == ["1", "3", "2", "4"]
    # The trace agrees with the recorded exchanges: Charging goes out before StartTransaction.
    calls = [
        json.loads(r["text"])[2]
        for r in swapped.frames("TC_901_CSMS")
        if r["dir"] == "cp->csms" and json.loads(r["text"])[0] == 2
    ]
    assert calls[-3:] == ["StatusNotification", "StartTransaction", "StopTransaction"]


def test_swapped_order_applies_inside_reusable_states(swapped: Run) -> None:
    paths = [s.path for s in swapped.cases["TC_902_CSMS"].steps]
    assert paths.index("2:charging/3") < paths.index("2:charging/2")


# -- state steps -------------------------------------------------------------------------------


def test_state_steps_are_recorded_under_their_own_paths(documented: Run) -> None:
    assert verdict(documented, "TC_902_CSMS") == (Verdict.PASS, "", [])
    paths = [s.path for s in documented.cases["TC_902_CSMS"].steps]
    assert paths == [
        "1:booted/1",
        "1:booted/2",
        "2:charging/before:authorized/1",
        "2:charging/1",
        "2:charging/2",
        "2:charging/3",
        "3",
    ]
    assert documented.step("TC_902_CSMS", "2:charging/2").kind == "send"
    assert documented.step("TC_902_CSMS", "2:charging/2").description == "send StartTransaction"


def test_step_records_cite_their_frames(documented: Run) -> None:
    step = documented.step("TC_902_CSMS", "3")
    assert step.status is StepStatus.OK
    assert len(step.frames) == 2
    texts = {r["seq"]: json.loads(r["text"]) for r in documented.frames("TC_902_CSMS")}
    request, response = (texts[seq] for seq in step.frames)
    assert request[0] == 2 and request[2] == "Heartbeat"
    assert response[0] == 3 and response[1] == request[1]


# -- forbid ------------------------------------------------------------------------------------


def test_forbidden_call_inside_the_window_fails_the_case(documented: Run) -> None:
    case = documented.cases["TC_903_CSMS"]
    assert case.verdict is Verdict.FAIL
    [finding] = case.findings
    assert (finding.rule, finding.severity, finding.step) == (
        "forbid.ClearCache",
        Severity.ERROR,
        "2",
    )
    assert finding.frames, "the finding cites the forbidden CALL's frame"
    [seq] = finding.frames
    [frame] = [r for r in documented.frames("TC_903_CSMS") if r["seq"] == seq]
    assert json.loads(frame["text"])[2] == "ClearCache"
    assert documented.step("TC_903_CSMS", "2").status is StepStatus.FAILED
    # The CALL was still handed to the expect_call step that waited for it, and answered.
    assert documented.step("TC_903_CSMS", "3").status is StepStatus.OK
    assert [o.outcome for o in case.operator] == ["done"]


def test_quiet_forbid_window_passes(documented: Run) -> None:
    assert verdict(documented, "TC_904_CSMS") == (Verdict.PASS, "", [])
    step = documented.step("TC_904_CSMS", "1")
    assert (step.kind, step.status, step.detail) == ("forbid", StepStatus.OK, "watched 0.02 s")
    assert step.description == "the CSMS must not send Reset, ClearCache"


# -- wait --------------------------------------------------------------------------------------


def test_wait_is_scaled_by_the_time_scale(documented: Run) -> None:
    step = documented.step("TC_904_CSMS", "2")
    assert step.kind == "wait"
    assert step.detail == "50 simulated s (0.050 s real)"
    assert step.duration_s >= 0.05


# -- offline and reconnect ---------------------------------------------------------------------


def test_queued_send_is_delivered_back_dated_on_reconnect(documented: Run) -> None:
    case_id = "TC_905_CSMS"
    assert verdict(documented, case_id) == (Verdict.PASS, "", [])
    assert documented.step(case_id, "2").status is StepStatus.QUEUED
    assert documented.step(case_id, "2").frames == ()
    reconnect = documented.step(case_id, "3")
    assert reconnect.detail == "1 queued message(s) delivered"
    [start] = documented.sent(case_id, "StartTransaction")
    produced = datetime.fromisoformat(start["timestamp"].replace("Z", "+00:00"))
    delivered = datetime.fromisoformat(start["utc"].replace("Z", "+00:00"))
    assert 3599 <= (delivered - produced).total_seconds() <= 3601
    # The message went out on the new connection, after the old one was dropped.
    events = documented.events(case_id)
    assert ("close", "network loss (simulated)") in events
    assert [kind for kind, _ in events].count("open") == 2
    assert actions(documented, case_id)[-2:] == ["StartTransaction", "Heartbeat"]


def test_other_messages_cannot_be_sent_offline(documented: Run) -> None:
    case = documented.cases["TC_911_CSMS"]
    assert case.verdict is Verdict.ERROR
    assert case.reason.startswith("ValueError: ")
    assert "Heartbeat cannot be sent while the charge point is offline" in case.reason


def test_power_loss_stops_the_transaction_with_reason_power_loss(documented: Run) -> None:
    case_id = "TC_906_CSMS"
    assert verdict(documented, case_id) == (Verdict.PASS, "", [])
    assert ("close", "power loss (simulated)") in documented.events(case_id)
    assert documented.step(case_id, "1").detail == "power cut and restored"
    statuses = {
        p["connectorId"]: p["status"] for p in documented.sent(case_id, "StatusNotification")[-3:]
    }
    assert statuses == {0: "Available", 1: "Finishing", 2: "Available"}
    [stop] = documented.sent(case_id, "StopTransaction")
    assert stop["reason"] == "PowerLoss"


def test_connection_timeout_makes_the_connector_available(documented: Run) -> None:
    case_id = "TC_907_CSMS"
    assert verdict(documented, case_id) == (Verdict.PASS, "", [])
    step = documented.step(case_id, "2")
    assert step.detail == "ConnectionTimeOut 60 s expired (0.060 s real)"
    assert step.duration_s >= 0.06
    last = documented.sent(case_id, "StatusNotification")[-1]
    assert (last["connectorId"], last["status"]) == (1, "Available")


# -- check -------------------------------------------------------------------------------------


def test_distinct_values_pass_for_distinct_transaction_ids(documented: Run) -> None:
    assert verdict(documented, "TC_908_CSMS") == (Verdict.PASS, "", [])
    ids = [
        json.loads(r["text"])[2]["transactionId"]
        for r in documented.frames("TC_908_CSMS")
        if r["dir"] == "csms->cp" and "transactionId" in json.loads(r["text"])[2]
    ]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_distinct_values_fail_for_equal_values(documented: Run) -> None:
    case = documented.cases["TC_909_CSMS"]
    assert case.verdict is Verdict.FAIL
    [finding] = case.findings
    assert (finding.rule, finding.step) == ("expect.distinct-status", "2")
    assert finding.message.startswith("two and one are both 'Accepted'")
    assert documented.step("TC_909_CSMS", "2").status is StepStatus.FAILED


# -- send: expectations ------------------------------------------------------------------------


def test_expect_mismatch_is_an_error_finding_and_the_case_goes_on(documented: Run) -> None:
    case = documented.cases["TC_910_CSMS"]
    assert case.verdict is Verdict.FAIL
    [finding] = case.findings
    assert finding.rule == "expect.Authorize.idTagInfo.status"
    assert finding.step == "1"
    assert len(finding.frames) == 2
    assert documented.step("TC_910_CSMS", "1").status is StepStatus.FAILED
    assert documented.step("TC_910_CSMS", "2").status is StepStatus.OK
    assert [e.outcome for e in case.exchanges][-2:] == [ExchangeOutcome.RESULT] * 2


# -- reusable states with parameters and expectations ------------------------------------------


def test_with_reaches_nested_states_and_state_expectations_hold(documented: Run) -> None:
    case_id = "TC_912_CSMS"
    assert verdict(documented, case_id) == (Verdict.PASS, "", [])
    [reserve] = [
        json.loads(r["text"])[3]
        for r in documented.frames(case_id)
        if r["dir"] == "csms->cp" and json.loads(r["text"])[2:3] == ["ReserveNow"]
    ]
    assert reserve["connectorId"] == 0
    assert "parentIdTag" not in reserve  # a null parameter leaves the optional field out
    [authorize] = documented.sent(case_id, "Authorize")
    [start] = documented.sent(case_id, "StartTransaction")
    assert authorize["idTag"] == start["idTag"] == "OCTT-CHILD-01"
    reserved = documented.sent(case_id, "StatusNotification")[-3]
    assert (reserved["connectorId"], reserved["status"]) == (1, "Reserved")
    description = documented.step(case_id, "1:reserved/1:reserve_now/1").description
    assert description == "operator: make the CSMS send ReserveNow"


def test_a_parameter_is_unbound_after_its_state(documented: Run) -> None:
    case = documented.cases["TC_913_CSMS"]
    assert case.verdict is Verdict.ERROR
    assert "driver_id_tag" in case.reason
    [authorize] = documented.sent("TC_913_CSMS", "Authorize")
    assert authorize["idTag"] == "OCTT-CHILD-01"


def test_a_state_step_expectation_is_judged_inside_the_state(documented: Run) -> None:
    case = documented.cases["TC_914_CSMS"]
    assert case.verdict is Verdict.FAIL
    [finding] = case.findings
    assert (finding.rule, finding.step) == ("expect.ReserveNow.connectorId", "1:reserve_now/2")
    assert finding.message == "ReserveNow.req connectorId is 1; expected 2"


def test_reservation_expiry_is_scaled_and_limited(documented: Run) -> None:
    case_id = "TC_915_CSMS"
    assert verdict(documented, case_id) == (Verdict.PASS, "", [])
    step = documented.step(case_id, "2")
    assert step.detail.startswith("reservation ")
    assert "expired after 100 simulated s (0.1" in step.detail
    assert step.detail.endswith("(the step's limit; the expiryDate is later)")
    assert 0.1 <= step.duration_s < 1.0
    last = documented.sent(case_id, "StatusNotification")[-1]
    assert (last["connectorId"], last["status"]) == (1, "Available")


def test_reservation_expiry_without_a_reservation_is_a_tool_error(documented: Run) -> None:
    case = documented.cases["TC_916_CSMS"]
    assert case.verdict is Verdict.ERROR
    assert case.reason.endswith("the charge point holds no reservation to expire")


def test_a_state_steps_save_keeps_each_runs_value(documented: Run) -> None:
    # Passing distinct_values shows both names were saved (two missing values would be equal).
    assert verdict(documented, "TC_917_CSMS") == (Verdict.PASS, "", [])
    [first, second] = [
        json.loads(r["text"])[3]
        for r in documented.frames("TC_917_CSMS")
        if r["dir"] == "csms->cp" and json.loads(r["text"])[2:3] == ["SetChargingProfile"]
    ]
    assert "transactionId" not in first["csChargingProfiles"]
    assert first["csChargingProfiles"]["chargingProfileId"] == 5
    assert second["csChargingProfiles"]["chargingProfileId"] == 6
    assert (
        first["csChargingProfiles"]["stackLevel"],
        second["csChargingProfiles"]["stackLevel"],
    ) == (
        1,
        2,
    )


def test_a_transfer_without_its_request_is_a_tool_error(documented: Run) -> None:
    case = documented.cases["TC_918_CSMS"]
    assert case.verdict is Verdict.ERROR
    assert case.reason.endswith("the charge point accepted no UpdateFirmware to act on")


def test_a_firmware_download_waits_for_the_retrieve_date_on_the_time_scale(
    documented: Run,
) -> None:
    assert verdict(documented, "TC_919_CSMS") == (Verdict.PASS, "", [])
    step = documented.step("TC_919_CSMS", "3")
    # 500 s ahead, capped at 100 simulated s: 0.1 s real at time scale 0.001.
    assert step.detail.startswith("waited 100 simulated s for the retrieveDate (0.1")
    assert step.detail.endswith(
        "download simulated: ftp://127.0.0.1/fw.bin: real transfers are off for this run"
        " (--real-transfers)"
    )
    assert 0.1 <= step.duration_s < 1.0


def test_a_skip_reason_names_the_action_once() -> None:
    own_words = "operator cannot make the CSMS send Reset: no such button"
    assert skip_reason("Reset", own_words) == own_words
    assert skip_reason("Reset", "the trigger API said 404") == (
        "operator could not make the CSMS send Reset: the trigger API said 404"
    )
