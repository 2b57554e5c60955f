"""What OCPP-J 1.6 §4.2.3 asks of the CSMS for each kind of bad input, and the keyword → code
table the reference CSMS answers with."""

from __future__ import annotations

import pytest

from octt.catalog.model import RawAnswerKind
from octt.ocppj.frames import ErrorCode
from octt.robustness.classes import EXPECTED, InputClass, code_for_keyword, code_for_keywords

CODES = {c.value for c in ErrorCode}


@pytest.mark.parametrize("input_class", list(InputClass))
def test_every_class_has_a_reasoned_expectation(input_class: InputClass) -> None:
    expected = EXPECTED[input_class]
    assert expected.because
    assert set(expected.codes) <= CODES
    if expected.answer is RawAnswerKind.ANY:
        assert not expected.codes


@pytest.mark.parametrize(
    ("input_class", "code"),
    [
        (InputClass.MISSING_REQUIRED, "ProtocolError"),
        (InputClass.WRONG_TYPE, "TypeConstraintViolation"),
        (InputClass.EXTRA_PROPERTY, "FormationViolation"),
        (InputClass.TOO_FEW_ITEMS, "OccurenceConstraintViolation"),
        (InputClass.UNKNOWN_ACTION, "NotImplemented"),
        (InputClass.WRONG_DIRECTION, "NotSupported"),
        (InputClass.OUT_OF_RANGE, "PropertyConstraintViolation"),
    ],
)
def test_unambiguous_classes_name_one_code(input_class: InputClass, code: str) -> None:
    assert EXPECTED[input_class].codes == (code,)
    assert EXPECTED[input_class].answer is RawAnswerKind.CALLERROR


def test_ambiguous_classes_accept_both_readings() -> None:
    for input_class in (InputClass.OVER_LENGTH, InputClass.BAD_ENUM, InputClass.BAD_DATE_TIME):
        assert set(EXPECTED[input_class].codes) == {
            "TypeConstraintViolation",
            "PropertyConstraintViolation",
        }


def test_keyword_codes() -> None:
    assert code_for_keyword("required") is ErrorCode.PROTOCOL_ERROR
    assert code_for_keyword("additionalProperties") is ErrorCode.FORMATION_VIOLATION
    assert code_for_keyword("minItems") is ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION
    assert code_for_keyword("pattern") is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
    # A number for an enumerated string breaks type and enum: the type names the code.
    assert code_for_keywords(["enum", "type"]) is ErrorCode.TYPE_CONSTRAINT_VIOLATION
    assert code_for_keywords(["format"]) is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
