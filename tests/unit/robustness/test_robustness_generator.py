"""The robustness cases derived from the OCPP 1.6 schemas: every action a charge point sends is
covered, each generated payload breaks exactly the constraint its class names, ids are unique
and stable, and the cases are only chosen when asked for."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from octt.catalog.loader import load_catalog
from octt.catalog.model import RawAnswerKind, SendRawStep, SendStep
from octt.catalog.selection import select
from octt.engine.checks import CHECKS
from octt.pics.model import Profile, load_pics
from octt.resources import default_pics_path
from octt.robustness.classes import EXPECTED, InputClass
from octt.robustness.generator import (
    BAD_DATE_TIME,
    EXTRA_PROPERTY,
    PREFIX,
    generate,
    instance,
    mutations,
    show_path,
    with_robustness,
)
from octt.validation.actions import (
    CORE_CHARGE_POINT_INITIATED,
    CORE_CSMS_INITIATED,
    SECURITY_CHARGE_POINT_INITIATED,
)
from octt.validation.schemas import SchemaSet

SCHEMAS = SchemaSet.load()
CASES = generate(SCHEMAS)
CP_ACTIONS = sorted(CORE_CHARGE_POINT_INITIATED | SECURITY_CHARGE_POINT_INITIATED)
NOW = "2025-01-01T00:00:00Z"


def concrete(payload: Any) -> Any:
    """A generated payload as the engine sends it ({now} rendered)."""
    return json.loads(json.dumps(payload).replace('"{now}"', f'"{NOW}"'))


def raw_steps(case_id: str) -> list[SendRawStep]:
    [case] = [c for c in CASES if c.id == case_id]
    return [s for s in case.steps if isinstance(s, SendRawStep)]


@pytest.mark.parametrize("action", CP_ACTIONS)
def test_the_full_payload_of_every_charge_point_action_is_valid(action: str) -> None:
    schema = SCHEMAS.request_schema(action)
    assert SCHEMAS.request_errors(action, concrete(instance(schema, schema))) == []


@pytest.mark.parametrize("action", CP_ACTIONS)
def test_each_mutation_breaks_exactly_its_constraint(action: str) -> None:
    schema = SCHEMAS.request_schema(action)
    for mutation in mutations(schema):
        violations = SCHEMAS.request_errors(action, concrete(mutation.payload))
        keywords = {v.keyword for v in violations}
        if mutation.keyword is None:  # a range the spec states in words only
            assert violations == [], mutation
            continue
        assert mutation.keyword in keywords, (mutation, violations)
        # A value of the wrong type for an enumeration is outside it too; nothing else mixes.
        assert keywords <= {mutation.keyword, "enum"}, (mutation, violations)


@pytest.mark.parametrize("action", CP_ACTIONS)
def test_every_charge_point_action_has_cases(action: str) -> None:
    ids = [c.id for c in CASES if c.id.startswith(f"{PREFIX}{action}.")]
    assert f"{PREFIX}{action}.extra-property.payload" in ids
    required = SCHEMAS.request_schema(action).get("required", ())
    for name in required:
        assert f"{PREFIX}{action}.missing-required.{name}" in ids
        assert f"{PREFIX}{action}.wrong-type.{name}" in ids


def test_the_classes_of_a_schema_with_every_kind_of_constraint() -> None:
    by_id = {c.id: c for c in CASES}
    meter = "RB.MeterValues."
    for suffix in (
        "too-few-items.meterValue",
        "too-few-items.meterValue.sampledValue",
        "bad-enum.meterValue.sampledValue.unit",
        "bad-date-time.meterValue.timestamp",
        "wrong-type.meterValue.sampledValue.value",
        "missing-required.meterValue.sampledValue.value",
        "out-of-range.connectorId",
        "extra-property.meterValue.sampledValue",
    ):
        assert meter + suffix in by_id, suffix
    [step] = raw_steps("RB.StartTransaction.over-length.idTag")
    assert step.payload["idTag"] == "x" * 21
    assert step.input == "StartTransaction.req with idTag of 21 characters (at most 20)"
    [step] = raw_steps("RB.StatusNotification.bad-date-time.timestamp")
    assert step.payload["timestamp"] == BAD_DATE_TIME
    [step] = raw_steps("RB.Authorize.extra-property.payload")
    assert step.payload[EXTRA_PROPERTY] is True


def test_ids_are_unique_sorted_and_stable() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    assert [c.id for c in generate(SCHEMAS)] == ids
    assert all(c.id.startswith(PREFIX) and c.profile is Profile.ROBUSTNESS for c in CASES)


def test_every_case_boots_then_sends_bad_input_with_its_reasoning() -> None:
    for case in CASES:
        first, *rest = case.steps
        assert isinstance(first, SendStep) and first.action == "BootNotification"
        raws = [s for s in rest if isinstance(s, SendRawStep)]
        assert raws, case.id
        last = raws[-1]
        assert last.expected == EXPECTED[InputClass(last.input_class)]
        assert last.expected.because and case.purpose == last.expected.because
        assert case.reference["ocpp-j"] == "OCPP-J 1.6 §4.2.3"


def test_every_csms_initiated_action_is_sent_the_wrong_way() -> None:
    wrong_way = {c.id.split(".")[1] for c in CASES if c.id.endswith(".wrong-direction")}
    assert CORE_CSMS_INITIATED - {"DataTransfer"} <= wrong_way
    [step] = raw_steps("RB.Reset.wrong-direction")
    assert step.expected.codes == ("NotSupported",)
    assert SCHEMAS.request_errors("Reset", step.payload) == []


def test_frame_level_inputs() -> None:
    [not_json] = raw_steps("RB.frame.not-json")
    assert not_json.expected.answer is RawAnswerKind.ANY
    with pytest.raises(ValueError):
        json.loads(not_json.text or "")
    [too_long] = raw_steps("RB.frame.unique-id-too-long")
    assert too_long.unique_id is not None and len(too_long.unique_id) == 37
    assert too_long.expected.answer is RawAnswerKind.CALLERROR
    first, again = raw_steps("RB.frame.unique-id-reused")
    assert first.unique_id == again.unique_id
    assert first.expected.answer is RawAnswerKind.CALLRESULT
    assert again.expected.answer is RawAnswerKind.CALLERROR and not again.expected.strict
    [unknown] = raw_steps("RB.action.unknown")
    assert unknown.expected.codes == ("NotImplemented",)


def test_every_unique_id_the_sender_should_not_have_used_is_graded_alike() -> None:
    """Accepting a CALL with a too long, empty, null, numeric or reused unique id is a warning
    (OCPP-J 1.6 §4.1.4 binds the sender; §4.2.3 only allows the receiver a CALLERROR)."""
    from octt.engine.link import RawAnswer
    from octt.engine.raw import judge

    accepted = RawAnswer("callresult", "x", 9, 0, {})
    names = ["too-long", "empty", "null", "number", "reused"]
    for name in names:
        step = raw_steps(f"RB.frame.unique-id-{name}")[-1]
        findings = judge(step.input, step.expected, accepted, 1.0)
        assert [(f.rule, f.severity.value) for f in findings] == [
            ("robustness.accepted", "warning")
        ], name


def test_semantic_inputs_expect_the_message_processed() -> None:
    for case_id in (
        "RB.StopTransaction.unknown-transaction",
        "RB.StopTransaction.meter-stop-below-start",
        "RB.StartTransaction.future-timestamp",
    ):
        [step] = raw_steps(case_id)
        assert step.expected.answer is RawAnswerKind.CALLRESULT
        assert not step.expected.strict


def test_robustness_cases_run_only_when_asked_for() -> None:
    catalog = with_robustness(load_catalog(known_checks=frozenset(CHECKS)), SCHEMAS)
    claimed = load_pics(default_pics_path())
    # A CSMS that claims no security profile (whatever the reference's PICS claims).
    pics = replace(claimed, raw={**claimed.raw, "security": {"profiles": []}})
    everything = select(catalog, pics)
    assert not [e for e in everything.entries if e.case.profile is Profile.ROBUSTNESS]
    asked = select(catalog, pics, profiles=[Profile.ROBUSTNESS])
    assert {e.case.profile for e in asked.entries} == {Profile.ROBUSTNESS}
    assert len(asked.entries) == len(CASES)
    # Actions of profiles the PICS does not claim (security: none) do not apply.
    by_id = {e.case.id: e for e in asked.entries}
    security = by_id["RB.SignCertificate.missing-required.csr"]
    assert not security.applicable and "security.profiles" in security.reason
    assert by_id["RB.FirmwareStatusNotification.missing-required.status"].applicable
    one = select(catalog, pics, test_ids=["RB.frame.not-json"])
    assert [e.case.id for e in one.entries] == ["RB.frame.not-json"]


def test_show_path() -> None:
    assert show_path(("meterValue", 0, "sampledValue", 0, "unit")) == (
        "meterValue[0].sampledValue[0].unit"
    )
    assert show_path(()) == "payload"
