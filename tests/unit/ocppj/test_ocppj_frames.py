"""OCPP-J 1.6 framing: tolerant parsing (never raises), exact numbers, the 1.6 error codes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from octt.ocppj.frames import (
    MAX_UNIQUE_ID_LENGTH,
    Call,
    CallError,
    CallResult,
    ErrorCode,
    FrameProblem,
    Malformed,
    MessageTypeId,
    from_json,
    load_json,
    parse,
)
from octt.validation import FrameValidator, SchemaSet

# -- well-formed frames -------------------------------------------------------------------------


def test_call_is_parsed() -> None:
    frame = parse('[2,"19223201","BootNotification",{"chargePointVendor":"V"}]')
    assert frame == Call("19223201", "BootNotification", {"chargePointVendor": "V"})


def test_call_result_is_parsed() -> None:
    frame = parse('[3, "19223201", {"status": "Accepted", "interval": 300}]')
    assert frame == CallResult("19223201", {"status": "Accepted", "interval": 300})


def test_call_error_is_parsed() -> None:
    frame = parse('[4,"u1","NotImplemented","no such action",{"hint":"x"}]')
    assert frame == CallError("u1", "NotImplemented", "no such action", {"hint": "x"})


def test_empty_payloads_and_empty_description_are_well_formed() -> None:
    assert parse('[2,"a","Heartbeat",{}]') == Call("a", "Heartbeat", {})
    assert parse('[3,"a",{}]') == CallResult("a", {})
    assert parse('[4,"a","GenericError","",{}]') == CallError("a", "GenericError", "", {})


def test_message_type_ids_are_the_ocppj_numbers() -> None:
    assert (MessageTypeId.CALL, MessageTypeId.CALL_RESULT, MessageTypeId.CALL_ERROR) == (2, 3, 4)


# -- numbers --------------------------------------------------------------------------------------


def test_fractions_are_decimal_and_integers_stay_int() -> None:
    frame = parse('[3,"a",{"limit":0.1,"big":12345678901234567890.5,"n":7,"e":1E+2}]')
    assert isinstance(frame, CallResult)
    assert frame.payload["limit"] == Decimal("0.1")
    assert isinstance(frame.payload["limit"], Decimal)
    assert frame.payload["big"] == Decimal("12345678901234567890.5")
    assert frame.payload["n"] == 7 and type(frame.payload["n"]) is int
    assert frame.payload["e"] == Decimal("100")


def test_huge_exponent_is_not_infinity() -> None:
    frame = parse('[3,"a",{"v":1e400}]')
    assert isinstance(frame, CallResult)
    assert frame.payload["v"] == Decimal("1E+400")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    frame = parse(f'[3,"a",{{"v":{constant}}}]')
    assert isinstance(frame, Malformed)
    assert frame.problem is FrameProblem.NOT_JSON
    assert f"{constant} is not valid JSON" in frame.detail


def test_load_json_rejects_nan_with_value_error() -> None:
    with pytest.raises(ValueError, match="NaN is not valid JSON"):
        load_json('{"v": NaN}')


# -- every FrameProblem -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", FrameProblem.NOT_JSON),
        ("[2,", FrameProblem.NOT_JSON),
        ('[2,"a","Heartbeat",{}] trailing', FrameProblem.NOT_JSON),
        ('\ufeff[2,"a","Heartbeat",{}]', FrameProblem.NOT_JSON),
        ("{'single': 'quotes'}", FrameProblem.NOT_JSON),
        ('{"a": 1}', FrameProblem.NOT_ARRAY),
        ('"text"', FrameProblem.NOT_ARRAY),
        ("2", FrameProblem.NOT_ARRAY),
        ("null", FrameProblem.NOT_ARRAY),
        ("[]", FrameProblem.BAD_LENGTH),
        ('[5,"a",{}]', FrameProblem.BAD_MESSAGE_TYPE),
        ('[1,"a",{}]', FrameProblem.BAD_MESSAGE_TYPE),
        ('["2","a","Heartbeat",{}]', FrameProblem.BAD_MESSAGE_TYPE),
        ('[2.0,"a","Heartbeat",{}]', FrameProblem.BAD_MESSAGE_TYPE),
        ('[null,"a","Heartbeat",{}]', FrameProblem.BAD_MESSAGE_TYPE),
        ('[[2],"a","Heartbeat",{}]', FrameProblem.BAD_MESSAGE_TYPE),
        ("[2]", FrameProblem.BAD_UNIQUE_ID),
        ('[2,"","Heartbeat",{}]', FrameProblem.BAD_UNIQUE_ID),
        ('[2,17,"Heartbeat",{}]', FrameProblem.BAD_UNIQUE_ID),
        ('[2,null,"Heartbeat",{}]', FrameProblem.BAD_UNIQUE_ID),
        ('[2,"a","Heartbeat"]', FrameProblem.BAD_LENGTH),
        ('[2,"a","Heartbeat",{},{}]', FrameProblem.BAD_LENGTH),
        ('[3,"a"]', FrameProblem.BAD_LENGTH),
        ('[3,"a",{},{}]', FrameProblem.BAD_LENGTH),
        ('[4,"a","GenericError","x"]', FrameProblem.BAD_LENGTH),
        ('[4,"a","GenericError","x",{},1]', FrameProblem.BAD_LENGTH),
        ('[2,"a","",{}]', FrameProblem.BAD_ACTION),
        ('[2,"a",7,{}]', FrameProblem.BAD_ACTION),
        ('[2,"a",null,{}]', FrameProblem.BAD_ACTION),
        ('[2,"a","Heartbeat",[]]', FrameProblem.BAD_PAYLOAD),
        ('[2,"a","Heartbeat",null]', FrameProblem.BAD_PAYLOAD),
        ('[2,"a","Heartbeat","{}"]', FrameProblem.BAD_PAYLOAD),
        ('[3,"a",[]]', FrameProblem.BAD_PAYLOAD),
        ('[3,"a",null]', FrameProblem.BAD_PAYLOAD),
        ('[4,"a","","x",{}]', FrameProblem.BAD_ERROR_CODE),
        ('[4,"a",7,"x",{}]', FrameProblem.BAD_ERROR_CODE),
        ('[4,"a",null,"x",{}]', FrameProblem.BAD_ERROR_CODE),
        ('[4,"a",["GenericError"],"x",{}]', FrameProblem.BAD_ERROR_CODE),
        ('[4,"a","GenericError",null,{}]', FrameProblem.BAD_ERROR_DESCRIPTION),
        ('[4,"a","GenericError",5,{}]', FrameProblem.BAD_ERROR_DESCRIPTION),
        ('[4,"a","GenericError","x",null]', FrameProblem.BAD_ERROR_DETAILS),
        ('[4,"a","GenericError","x",[]]', FrameProblem.BAD_ERROR_DETAILS),
        ('[4,"a","GenericError","x","{}"]', FrameProblem.BAD_ERROR_DETAILS),
    ],
)
def test_every_frame_problem(text: str, problem: FrameProblem) -> None:
    frame = parse(text)
    assert isinstance(frame, Malformed)
    assert frame.problem is problem, frame.detail
    assert frame.detail


def test_every_frame_problem_is_covered_above() -> None:
    # Guard: a new FrameProblem needs a case in test_every_frame_problem.
    assert len(FrameProblem) == 10


@pytest.mark.parametrize("value", ["true", "false"])
def test_bool_message_type_id_is_rejected(value: str) -> None:
    # In Python True == 1, and isinstance(True, int); a JSON true must still not pass as a type id.
    frame = parse(f'[{value},"a","Heartbeat",{{}}]')
    assert isinstance(frame, Malformed)
    assert frame.problem is FrameProblem.BAD_MESSAGE_TYPE


def test_bad_message_type_keeps_the_unique_id_when_readable() -> None:
    frame = parse('[9,"abc",{}]')
    assert isinstance(frame, Malformed)
    assert frame.unique_id == "abc"
    assert "got 9" in frame.detail
    other = parse("[9,12,{}]")
    assert isinstance(other, Malformed) and other.unique_id is None


def test_malformed_frames_after_the_unique_id_carry_it() -> None:
    for text in ('[2,"u-7","Heartbeat",[]]', '[3,"u-7"]', '[4,"u-7","","",{}]'):
        frame = parse(text)
        assert isinstance(frame, Malformed)
        assert frame.unique_id == "u-7"


@pytest.mark.parametrize(
    ("text", "message_type"),
    [
        ('[3,"u-7",[]]', 3),
        ('[3,"u-7"]', 3),
        ('[3,"u-7",{},{}]', 3),
        ('[4,"u-7","","x",{}]', 4),
        ('[4,"u-7","GenericError",null,{}]', 4),
        ('[4,"u-7","GenericError","x",[]]', 4),
        ('[4,"u-7","GenericError","x"]', 4),
        # Not a broken answer: a broken CALL, or no valid MessageTypeId at all.
        ('[2,"u-7","Heartbeat",[]]', None),
        ('[2,"u-7","",{}]', None),
        ('[9,"u-7",{}]', None),
        ('[true,"u-7",{}]', None),
        ('{"a": 1}', None),
        ("[3,", None),
    ],
)
def test_malformed_frames_say_whether_they_were_a_broken_answer(
    text: str, message_type: int | None
) -> None:
    frame = parse(text)
    assert isinstance(frame, Malformed)
    assert frame.message_type == message_type


def test_malformed_detail_names_the_kind_of_value() -> None:
    frame = parse('[2,"a","Heartbeat",[1]]')
    assert isinstance(frame, Malformed)
    assert frame.detail == "a CALL payload must be a JSON object, got array"
    frame = parse('"x"')
    assert isinstance(frame, Malformed)
    assert frame.detail == "a frame must be a JSON array, got string"
    frame = parse('[4,"a","GenericError",true,{}]')
    assert isinstance(frame, Malformed)
    assert frame.detail == "ErrorDescription must be a string, got boolean"


def test_long_values_are_shortened_in_the_detail() -> None:
    frame = parse(json.dumps([2, "a", "Heartbeat", {}]).replace("2", '"' + "x" * 500 + '"', 1))
    assert isinstance(frame, Malformed)
    assert frame.problem is FrameProblem.BAD_MESSAGE_TYPE
    assert len(frame.detail) < 120
    assert frame.detail.endswith("...")


# -- unique id length -----------------------------------------------------------------------------


def test_unique_id_of_36_characters_is_accepted() -> None:
    unique_id = "u" * MAX_UNIQUE_ID_LENGTH
    assert MAX_UNIQUE_ID_LENGTH == 36
    assert parse(f'[2,"{unique_id}","Heartbeat",{{}}]') == Call(unique_id, "Heartbeat", {})


@pytest.mark.parametrize("kind", ['2,"{id}","Heartbeat",{{}}', '3,"{id}",{{}}'])
def test_unique_id_of_37_characters_is_rejected(kind: str) -> None:
    unique_id = "u" * 37
    frame = parse("[" + kind.format(id=unique_id) + "]")
    assert isinstance(frame, Malformed)
    assert frame.problem is FrameProblem.BAD_UNIQUE_ID
    assert frame.unique_id == unique_id
    assert "37 characters, at most 36" in frame.detail


def test_unique_id_length_counts_characters_not_bytes() -> None:
    unique_id = "é" * 36  # 72 UTF-8 bytes, 36 characters
    assert isinstance(parse(f'[2,"{unique_id}","Heartbeat",{{}}]'), Call)


# -- CALLERROR codes ----------------------------------------------------------------------------


def test_error_codes_are_exactly_the_ocppj_16_set() -> None:
    assert {c.value for c in ErrorCode} == {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
    }


@pytest.mark.parametrize("code", [c.value for c in ErrorCode])
def test_every_16_error_code_is_accepted(code: str) -> None:
    assert parse(f'[4,"a","{code}","",{{}}]') == CallError("a", code, "", {})


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("FormatViolation", "OCPP-J 1.6 spells it 'FormationViolation'"),  # OCPP 2.0 spelling
        # corrected spelling, not the 1.6 one
        ("OccurrenceConstraintViolation", "OCPP-J 1.6 spells it 'OccurenceConstraintViolation'"),
        ("MessageTypeNotSupported", "is an OCPP 2.0 error code"),  # OCPP 2.0 only
        ("RpcFrameworkError", "is an OCPP 2.0 error code"),  # OCPP 2.0 only
        ("genericerror", "codes are case-sensitive: 'GenericError'"),
        ("Bogus", "is not an OCPP-J 1.6 error code"),
    ],
)
def test_error_codes_of_other_versions_still_answer_but_fail_validation(
    code: str, hint: str
) -> None:
    # The frame is a CALLERROR (it answers its CALL); validation says the code is not 1.6.
    frame = parse(f'[4,"a","{code}","",{{}}]')
    assert frame == CallError("a", code, "", {})
    assert isinstance(frame, CallError)
    findings = FrameValidator(SchemaSet.load()).check_error("Reset", frame, sender="CSMS")
    assert [f.rule for f in findings] == ["ocppj.error-code"]
    assert code in findings[0].message
    assert hint in findings[0].message


@pytest.mark.parametrize("code", [c.value for c in ErrorCode])
def test_every_16_error_code_passes_validation(code: str) -> None:
    frame = parse(f'[4,"a","{code}","",{{}}]')
    assert isinstance(frame, CallError)
    assert FrameValidator(SchemaSet.load()).check_error("Reset", frame, sender="CSMS") == []


@pytest.mark.parametrize(("code", "shown"), [('""', "''"), ("7", "7"), ("null", "null")])
def test_only_a_non_string_or_empty_error_code_is_malformed(code: str, shown: str) -> None:
    frame = parse(f'[4,"a",{code},"",{{}}]')
    assert isinstance(frame, Malformed)
    assert frame.problem is FrameProblem.BAD_ERROR_CODE
    assert frame.detail.startswith("ErrorCode must be a non-empty string")


# -- parse never raises -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        '[2,"a","X",{"k":"\\ud800"}]',
        "[" + "1" * 5000 + "]",  # above Python's int digit limit
        '[2, "a", "X", {"a": 1, "a": 2}]',
        '[4,"a","GenericError","x",{}]' * 2,
        "   ",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    parse(text)


def test_deeply_nested_json_does_not_raise() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    frame = parse('[2,"a","DataTransfer",{"data":' + nested + "}]")
    assert frame == Malformed(FrameProblem.NOT_JSON, "JSON nested too deeply to be read")


# -- serialisation --------------------------------------------------------------------------------


def test_to_text_is_compact_json_in_ocppj_order() -> None:
    assert Call("a", "Heartbeat", {}).to_text() == '[2,"a","Heartbeat",{}]'
    assert CallResult("a", {"x": 1}).to_text() == '[3,"a",{"x":1}]'
    assert CallError("a", "GenericError", "d", {}).to_text() == '[4,"a","GenericError","d",{}]'


def test_to_text_keeps_non_ascii_characters() -> None:
    assert Call("a", "DataTransfer", {"data": "Grüße €"}).to_text().endswith('"Grüße €"}]')


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("5.000"), "5.000"),
        (Decimal("5"), "5"),
        (Decimal("0.25"), "0.25"),
        (Decimal("-0.10"), "-0.10"),
        (Decimal("1E+2"), "1e+2"),
        (Decimal("1E+400"), "1e+400"),
        (Decimal("3.14159265358979323846"), "3.14159265358979323846"),
    ],
)
def test_to_text_writes_a_decimal_with_exactly_its_own_digits(value: Decimal, text: str) -> None:
    assert CallResult("a", {"v": value}).to_text() == '[3,"a",{"v":' + text + "}]"


def test_to_text_writes_decimals_everywhere_in_the_payload() -> None:
    payload = {"a": [Decimal("1.50"), {"b": Decimal("2.0")}], "c": (Decimal("3.00"),), "s": "1.5"}
    assert CallResult("a", payload).to_text() == (
        '[3,"a",{"a":[1.50,{"b":2.0}],"c":[3.00],"s":"1.5"}]'
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_to_text_rejects_non_finite_decimals(value: str) -> None:
    with pytest.raises(ValueError, match="is not a JSON number"):
        CallResult("a", {"v": Decimal(value)}).to_text()


def test_to_text_rejects_unserialisable_values() -> None:
    with pytest.raises(TypeError, match=r"^Object of type object is not JSON serializable$"):
        CallResult("a", {"v": object()}).to_text()


@pytest.mark.parametrize(
    "frame",
    [
        Call("octt-1", "MeterValues", {"connectorId": 1, "v": [{"x": Decimal("12.5")}]}),
        CallResult("36-chars-" + "x" * 27, {"status": "Accepted", "ok": True, "n": None}),
        CallError("e", "OccurenceConstraintViolation", "missing", {"field": "idTag"}),
        CallError("e", "FormationViolation", "", {}),
    ],
)
def test_to_text_round_trips(frame: Call | CallResult | CallError) -> None:
    assert parse(frame.to_text()) == frame
    assert parse(frame.to_text()).to_text() == frame.to_text()  # type: ignore[union-attr]


def test_to_text_keeps_every_digit_of_a_decimal() -> None:
    frame = CallResult("a", {"v": Decimal("3.14159265358979323846")})
    assert frame.to_text() == '[3,"a",{"v":3.14159265358979323846}]'
    assert parse(frame.to_text()) == frame


@pytest.mark.parametrize(
    "text",
    ['\ufeff[2,"a","Heartbeat",{}]', "[2,", '[2,"a","X",{"v":NaN}]', '[2,"a"] x', ""],
)
def test_load_json_says_what_json_loads_says(text: str) -> None:
    """One decoder for every frame, and the same words for a text it refuses."""
    with pytest.raises(ValueError) as ours:
        load_json(text)
    with pytest.raises(ValueError) as reference:
        json.loads(text, parse_float=Decimal, parse_constant=_refuse)
    assert str(ours.value) == str(reference.value)


def _refuse(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


@pytest.mark.parametrize(
    "text",
    [
        '[2,"a","Heartbeat",{}]',
        '[3,"a",{"currentTime":"2026-01-01T00:00:00Z"}]',
        '[4,"a","NotSupported","",{}]',
        '[2,"a",7,{}]',
        '{"a":1}',
    ],
)
def test_from_json_is_parse_after_decoding(text: str) -> None:
    assert from_json(load_json(text)) == parse(text)
