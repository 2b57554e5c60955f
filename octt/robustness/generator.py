"""The robustness cases, derived from the OCPP 1.6 JSON schemas rather than written one by one.

For every action a charge point sends (OCPP 1.6 §4 and the Security Whitepaper), a complete
schema-valid payload is built from the action's schema (every optional field present, values
fitting each constraint); then each constraint the schema states yields one case that breaks
exactly that constraint: each required field left out, each field given a value of the wrong JSON
type, each string one character over its maxLength, each enumeration given a value outside it,
each date-time given a string that is none, each object given a property it does not define, each
list with a minimum number of items left empty, and each connectorId made negative (a range the
spec states in words, not in the schema). Every CALL of the charge point's side is covered this
way; frame-level inputs (not JSON, no readable unique id, bad MessageTypeId, ...), unknown actions,
actions sent in the wrong direction (generated from the CSMS-initiated actions), and a few
semantic errors complete the profile.

Every case is a `TestCase` of profile `robustness`: BootNotification (the connection is booted),
then a `send_raw` step carrying the input, its `InputClass` and the `ExpectedAnswer` with the
reasoning from OCPP-J 1.6 §4.2.3 (`octt.robustness.classes`). Case ids are stable:
``RB.<Action>.<class>[.<field path>]`` and ``RB.frame.<name>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from octt.catalog.model import (
    Catalog,
    ExpectedAnswer,
    Location,
    RawAnswerKind,
    Requirement,
    SendRawStep,
    SendStep,
    Step,
    TestCase,
)
from octt.pics.model import Profile
from octt.robustness.classes import EXPECTED, SPEC, InputClass
from octt.validation.actions import (
    CORE_CHARGE_POINT_INITIATED,
    CORE_CSMS_INITIATED,
    SECURITY_CHARGE_POINT_INITIATED,
    SECURITY_CSMS_INITIATED,
)
from octt.validation.schemas import SchemaSet

PREFIX = "RB."
LOCATION = Location("octt/robustness/generator.py", 0)
#: The date-time of generated payloads: the charge point's clock when the frame is sent.
NOW = "{now}"
#: Ten years ahead, for the "timestamp far in the future" inputs.
FAR_FUTURE = "{now_plus.315360000}"
#: The property added by the extra-property inputs.
EXTRA_PROPERTY = "octtUnexpectedProperty"
#: A string that is no date-time at all, though it looks like one.
BAD_DATE_TIME = "2024-13-45T25:61:00Z"
BAD_ENUM = "OcttNotAValue"

_FIRMWARE_MANAGEMENT = frozenset({"DiagnosticsStatusNotification", "FirmwareStatusNotification"})
# Sample values for fields whose name says what they hold (others get neutral values).
_STRINGS = {"idTag": "OCTT-ROBUST-01", "vendorId": "org.octt.robustness"}
_INTEGERS = {"connectorId": 1}
# Ranges the OCPP 1.6 field tables (§6) state in words: connectorId >= 0 (> 0 for a transaction).
_OUT_OF_RANGE = {"connectorId": -1}


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 32:
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node


def _kind(node: Mapping[str, Any]) -> str:
    kind = node.get("type", "string")
    return str(kind[0] if isinstance(kind, list) else kind)


def instance(node: Mapping[str, Any], root: Mapping[str, Any], name: str = "") -> Any:
    """A value valid for schema `node` with every optional property present."""
    node = _resolve(node, root)
    if "enum" in node:
        return node["enum"][0]
    kind = _kind(node)
    if kind == "object":
        return {k: instance(v, root, k) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        count = max(1, int(node.get("minItems", 1)))
        return [instance(node.get("items", {}), root, name) for _ in range(count)]
    if kind == "integer":
        return _INTEGERS.get(name, 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if node.get("format") == "date-time":
        return NOW
    if node.get("format") == "uri":
        return "https://octt.invalid/robustness"
    text = _STRINGS.get(name, "octt")
    return text[: int(node["maxLength"])] if "maxLength" in node else text


Path = tuple[str | int, ...]


def _walk(
    value: Any, node: Mapping[str, Any], root: Mapping[str, Any], path: Path = ()
) -> Iterator[tuple[Path, Mapping[str, Any], Any]]:
    """(path, schema, value) of `value` and everything in it."""
    node = _resolve(node, root)
    yield path, node, value
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for key, item in value.items():
            yield from _walk(item, properties.get(key, {}), root, (*path, key))
    elif isinstance(value, list) and value:
        yield from _walk(value[0], node.get("items", {}), root, (*path, 0))


def show_path(path: Path) -> str:
    """``meterValue[0].sampledValue[0].unit``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "payload"


def _id_path(path: Path) -> str:
    return ".".join(str(p) for p in path if isinstance(p, str)) or "payload"


def _set(payload: Any, path: Path, value: Any) -> Any:
    copy = json.loads(json.dumps(payload))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def _remove(payload: Any, path: Path) -> Any:
    copy = json.loads(json.dumps(payload))
    target = copy
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return copy


def _wrong_type(node: Mapping[str, Any]) -> tuple[Any, str]:
    """A value of another JSON type than `node` wants, and its type in words."""
    kind = _kind(node)
    if kind == "string":
        return 12345, "a number"
    if kind == "object":
        return "octt", "a string"
    if kind == "array":
        return {"octt": 1}, "an object"
    if kind == "boolean":
        return "true", "a string"
    return "1", "a string"  # integer, number


@dataclass(frozen=True)
class Mutation:
    """One way to break a payload: which class, where, the payload, and words for it."""

    input_class: InputClass
    path: Path
    payload: dict[str, Any]
    description: str
    keyword: str | None  # the JSON-schema keyword the payload breaks (None: schema-valid)


def mutations(schema: Mapping[str, Any]) -> list[Mutation]:
    """Every single-constraint break of the full payload of `schema`, in schema order."""
    base = instance(schema, schema)
    found: list[Mutation] = []
    for path, node, value in _walk(base, schema, schema):
        where = show_path(path)
        kind = _kind(node)
        if path:
            wrong, what = _wrong_type(node)
            found.append(
                Mutation(
                    InputClass.WRONG_TYPE,
                    path,
                    _set(base, path, wrong),
                    f"with {where} of the wrong type ({what})",
                    "type",
                )
            )
        if kind == "object" and isinstance(value, dict):
            for name in node.get("required", ()):
                at = (*path, name)
                found.append(
                    Mutation(
                        InputClass.MISSING_REQUIRED,
                        at,
                        _remove(base, at),
                        f"without its required {show_path(at)}",
                        "required",
                    )
                )
            if node.get("additionalProperties") is False:
                at = (*path, EXTRA_PROPERTY)
                found.append(
                    Mutation(
                        InputClass.EXTRA_PROPERTY,
                        path,
                        _set(base, at, True),
                        f"with {show_path(at)}, a property the message does not define",
                        "additionalProperties",
                    )
                )
        if kind == "array" and int(node.get("minItems", 0)) >= 1:
            found.append(
                Mutation(
                    InputClass.TOO_FEW_ITEMS,
                    path,
                    _set(base, path, []),
                    f"with {where} empty (at least {node['minItems']} item required)",
                    "minItems",
                )
            )
        if "enum" in node:
            found.append(
                Mutation(
                    InputClass.BAD_ENUM,
                    path,
                    _set(base, path, BAD_ENUM),
                    f"with {where} {BAD_ENUM!r}, not one of its values",
                    "enum",
                )
            )
        if kind == "string" and "maxLength" in node and "enum" not in node:
            limit = int(node["maxLength"])
            found.append(
                Mutation(
                    InputClass.OVER_LENGTH,
                    path,
                    _set(base, path, "x" * (limit + 1)),
                    f"with {where} of {limit + 1} characters (at most {limit})",
                    "maxLength",
                )
            )
        if kind == "string" and node.get("format") == "date-time":
            found.append(
                Mutation(
                    InputClass.BAD_DATE_TIME,
                    path,
                    _set(base, path, BAD_DATE_TIME),
                    f"with {where} {BAD_DATE_TIME!r}, not a date-time",
                    "format",
                )
            )
        name = path[-1] if path else ""
        if kind == "integer" and isinstance(name, str) and name in _OUT_OF_RANGE:
            bad = _OUT_OF_RANGE[name]
            found.append(
                Mutation(
                    InputClass.OUT_OF_RANGE,
                    path,
                    _set(base, path, bad),
                    f"with {where} {bad}, out of its range",
                    None,
                )
            )
    return found


# -- cases -------------------------------------------------------------------------------------


def _boot() -> SendStep:
    return SendStep(
        LOCATION,
        "the charge point boots (the connection is booted)",
        "",
        action="BootNotification",
        expect={"status": "Accepted"},
    )


def _raw(
    input_class: InputClass,
    what: str,
    *,
    text: str | None = None,
    action: str | None = None,
    payload: Mapping[str, Any] | None = None,
    unique_id: Any = None,
    label: str = "",
) -> SendRawStep:
    return SendRawStep(
        LOCATION,
        label,
        "",
        input=what,
        input_class=input_class.value,
        expected=EXPECTED[input_class],
        text=text,
        action=action,
        payload=dict(payload or {}),
        unique_id=unique_id,
    )


def _case(
    case_id: str,
    title: str,
    steps: Sequence[Step],
    input_class: InputClass,
    *,
    requires: tuple[Requirement, ...] = (),
    schema: str = "",
) -> TestCase:
    expected = EXPECTED[input_class]
    reference = {"ocpp-j": SPEC}
    if schema:
        reference["schema"] = f"OCPP 1.6 JSON schema {schema}"
    answer = {"callerror": "a CALLERROR", "callresult": "a CALLRESULT", "any": "no answer"}
    codes = f" ({' or '.join(expected.codes)})" if expected.codes else ""
    return TestCase(
        id=PREFIX + case_id,
        title=title,
        profile=Profile.ROBUSTNESS,
        reference=reference,
        purpose=expected.because,
        checks=(
            f"the CSMS answers {answer[expected.answer.value]}{codes}",
            "the connection stays open and the CSMS still answers a Heartbeat",
        ),
        editions="",
        requires=requires,
        before=(),
        steps=(_boot(), *steps),
        location=LOCATION,
    )


def _requirements(action: str) -> tuple[Requirement, ...]:
    if action in _FIRMWARE_MANAGEMENT:
        return (Requirement("profiles.firmware-management"),)
    if action in SECURITY_CHARGE_POINT_INITIATED | SECURITY_CSMS_INITIATED:
        return (Requirement("security.profiles"),)
    return ()


def payload_cases(schemas: SchemaSet, action: str) -> list[TestCase]:
    """The cases that break, one constraint at a time, the payload of `action`."""
    schema = schemas.request_schema(action)
    file = schemas.schema_file(action)
    cases = []
    seen: set[str] = set()
    for mutation in mutations(schema):
        case_id = f"{action}.{mutation.input_class.value}.{_id_path(mutation.path)}"
        if case_id in seen:
            continue
        seen.add(case_id)
        what = f"{action}.req {mutation.description}"
        step = _raw(mutation.input_class, what, action=action, payload=mutation.payload)
        cases.append(
            _case(
                case_id,
                f"{action} {mutation.description}",
                (step,),
                mutation.input_class,
                requires=_requirements(action),
                schema=file,
            )
        )
    return cases


def _frame(name: str, text: str, input_class: InputClass, what: str, unique_id: Any) -> TestCase:
    step = _raw(input_class, what, text=text, action="Heartbeat", unique_id=unique_id)
    return _case(f"frame.{name}", what[0].upper() + what[1:], (step,), input_class)


def frame_cases() -> list[TestCase]:
    long_id = "rb-" + "x" * 34  # 37 characters
    reused = "rb-reused-unique-id"
    heartbeat = "a Heartbeat CALL"
    cases = [
        _frame(
            "not-json",
            '[2,"rb-not-json","Heartbeat",{',
            InputClass.NOT_JSON,
            "a frame that is not JSON (a CALL cut short)",
            None,
        ),
        _frame(
            "not-array",
            '{"messageTypeId":2,"uniqueId":"rb-not-array","action":"Heartbeat","payload":{}}',
            InputClass.NOT_ARRAY,
            "a JSON object instead of an OCPP-J array",
            None,
        ),
        _frame("empty-array", "[]", InputClass.BAD_MESSAGE_TYPE, "an empty JSON array", None),
        _frame(
            "message-type-7",
            '[7,"rb-message-type","Heartbeat",{}]',
            InputClass.BAD_MESSAGE_TYPE,
            f"{heartbeat} with MessageTypeId 7",
            None,
        ),
        _frame(
            "message-type-string",
            '["2","rb-message-type-text","Heartbeat",{}]',
            InputClass.BAD_MESSAGE_TYPE,
            f'{heartbeat} with MessageTypeId "2" (a string)',
            None,
        ),
        _frame(
            "unique-id-missing",
            '[2,"Heartbeat",{}]',
            InputClass.UNIQUE_ID_UNREADABLE,
            f"{heartbeat} without a unique id",
            None,
        ),
        _frame(
            "unique-id-number",
            '[2,12345,"Heartbeat",{}]',
            InputClass.UNIQUE_ID_UNREADABLE,
            f"{heartbeat} whose unique id is a number",
            None,
        ),
        _frame(
            "unique-id-null",
            '[2,null,"Heartbeat",{}]',
            InputClass.UNIQUE_ID_UNREADABLE,
            f"{heartbeat} whose unique id is null",
            None,
        ),
        _frame(
            "unique-id-empty",
            '[2,"","Heartbeat",{}]',
            InputClass.UNIQUE_ID_UNREADABLE,
            f"{heartbeat} with an empty unique id",
            None,
        ),
        _frame(
            "unique-id-too-long",
            f'[2,"{long_id}","Heartbeat",{{}}]',
            InputClass.UNIQUE_ID_TOO_LONG,
            f"{heartbeat} with a unique id of 37 characters (at most 36)",
            long_id,
        ),
        _frame(
            "payload-missing",
            '[2,"rb-payload-missing","Heartbeat"]',
            InputClass.PAYLOAD_MISSING,
            f"{heartbeat} without its payload (3 elements)",
            "rb-payload-missing",
        ),
        _frame(
            "payload-array",
            '[2,"rb-payload-array","Heartbeat",[]]',
            InputClass.PAYLOAD_NOT_OBJECT,
            f"{heartbeat} whose payload is an array",
            "rb-payload-array",
        ),
        _frame(
            "action-number",
            '[2,"rb-action-number",42,{}]',
            InputClass.ACTION_NOT_STRING,
            "a CALL whose Action is a number",
            "rb-action-number",
        ),
    ]
    first = _raw(
        InputClass.UNIQUE_ID_REUSED,
        f"{heartbeat} with unique id {reused!r} (first use)",
        action="Heartbeat",
        unique_id=reused,
        label="a Heartbeat with a fixed unique id: a CALLRESULT is due",
    )
    first = replace(
        first,
        expected=ExpectedAnswer(
            RawAnswerKind.CALLRESULT,
            because="a Heartbeat with a fresh unique id is a normal CALL (OCPP 1.6 §4.6)",
        ),
    )
    again = _raw(
        InputClass.UNIQUE_ID_REUSED,
        f"{heartbeat} reusing unique id {reused!r} on the same connection",
        action="Heartbeat",
        unique_id=reused,
    )
    cases.append(
        _case(
            "frame.unique-id-reused",
            "A Heartbeat that reuses the unique id of an earlier CALL",
            (first, again),
            InputClass.UNIQUE_ID_REUSED,
        )
    )
    return cases


def action_cases(schemas: SchemaSet) -> list[TestCase]:
    """An action OCPP 1.6 does not know, and every CSMS-initiated action sent by the CP."""
    unknown = _raw(
        InputClass.UNKNOWN_ACTION,
        "a CALL of action 'OcttNoSuchAction', which OCPP 1.6 does not define",
        action="OcttNoSuchAction",
    )
    cases = [
        _case(
            "action.unknown",
            "A CALL of an action OCPP 1.6 does not define",
            (unknown,),
            InputClass.UNKNOWN_ACTION,
        )
    ]
    initiated = (CORE_CSMS_INITIATED | SECURITY_CSMS_INITIATED) - CORE_CHARGE_POINT_INITIATED
    for action in sorted(initiated):
        if not schemas.has_action(action):
            continue
        schema = schemas.request_schema(action)
        what = f"{action}.req sent by the charge point (the Central System sends it)"
        step = _raw(
            InputClass.WRONG_DIRECTION,
            what,
            action=action,
            payload=instance(schema, schema),
        )
        cases.append(
            _case(
                f"{action}.{InputClass.WRONG_DIRECTION.value}",
                f"{action} sent the wrong way, by the charge point",
                (step,),
                InputClass.WRONG_DIRECTION,
                requires=_requirements(action),
                schema=schemas.schema_file(action),
            )
        )
    return cases


def semantic_cases() -> list[TestCase]:
    start = {
        "connectorId": "{connector_id}",
        "idTag": "{valid_id_tag}",
        "meterStart": 0,
        "timestamp": NOW,
    }
    started = SendStep(
        LOCATION,
        "a transaction starts with meterStart 1000",
        "",
        action="StartTransaction",
        connector="{connector_id}",
        payload={"meterStart": 1000},
        save={"transaction_id": "transactionId"},
    )
    return [
        _case(
            "StopTransaction.unknown-transaction",
            "StopTransaction for a transaction the CSMS never started",
            (
                _raw(
                    InputClass.UNKNOWN_TRANSACTION,
                    "StopTransaction.req for an unknown transactionId",
                    action="StopTransaction",
                    payload={"transactionId": "{unique_id}", "meterStop": 100, "timestamp": NOW},
                ),
            ),
            InputClass.UNKNOWN_TRANSACTION,
        ),
        _case(
            "StopTransaction.meter-stop-below-start",
            "StopTransaction with meterStop below the transaction's meterStart",
            (
                started,
                _raw(
                    InputClass.METER_STOP_BELOW_START,
                    "StopTransaction.req with meterStop 999 below meterStart 1000",
                    action="StopTransaction",
                    payload={
                        "transactionId": "{transaction_id}",
                        "meterStop": 999,
                        "timestamp": NOW,
                    },
                ),
            ),
            InputClass.METER_STOP_BELOW_START,
        ),
        _case(
            "StartTransaction.unknown-connector",
            "StartTransaction on a connector the charge point does not have",
            (
                _raw(
                    InputClass.UNKNOWN_CONNECTOR,
                    "StartTransaction.req on connector {unknown_connector_id}, which the charge"
                    " point does not have",
                    action="StartTransaction",
                    payload={**start, "connectorId": "{unknown_connector_id}"},
                ),
            ),
            InputClass.UNKNOWN_CONNECTOR,
        ),
        _case(
            "StartTransaction.future-timestamp",
            "StartTransaction with a timestamp ten years ahead",
            (
                _raw(
                    InputClass.FUTURE_TIMESTAMP,
                    "StartTransaction.req with a timestamp ten years ahead",
                    action="StartTransaction",
                    payload={**start, "timestamp": FAR_FUTURE},
                ),
            ),
            InputClass.FUTURE_TIMESTAMP,
        ),
        _case(
            "StatusNotification.future-timestamp",
            "StatusNotification with a timestamp ten years ahead",
            (
                _raw(
                    InputClass.FUTURE_TIMESTAMP,
                    "StatusNotification.req with a timestamp ten years ahead",
                    action="StatusNotification",
                    payload={
                        "connectorId": "{connector_id}",
                        "errorCode": "NoError",
                        "status": "Available",
                        "timestamp": FAR_FUTURE,
                    },
                ),
            ),
            InputClass.FUTURE_TIMESTAMP,
        ),
    ]


def generate(schemas: SchemaSet) -> tuple[TestCase, ...]:
    """Every robustness case, sorted by id."""
    cases = frame_cases() + action_cases(schemas) + semantic_cases()
    initiated = CORE_CHARGE_POINT_INITIATED | SECURITY_CHARGE_POINT_INITIATED
    for action in sorted(initiated):
        if schemas.has_action(action):
            cases += payload_cases(schemas, action)
    return tuple(sorted(cases, key=lambda c: c.id))


def with_robustness(catalog: Catalog, schemas: SchemaSet) -> Catalog:
    """The catalog with the robustness cases added (selected only when asked for)."""
    return replace(catalog, cases=catalog.cases + generate(schemas))
