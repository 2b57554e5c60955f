"""Grading what a CSMS answers to a frame sent exactly as written (the send_raw step)."""

from __future__ import annotations

import pytest

from octt.catalog.model import ExpectedAnswer, RawAnswerKind
from octt.engine.link import RawAnswer
from octt.engine.raw import describe_expected, judge
from octt.findings import Severity

ERROR = ExpectedAnswer(RawAnswerKind.CALLERROR, ("ProtocolError",), "a field is missing")
ANY_CODE = ExpectedAnswer(RawAnswerKind.CALLERROR, (), "no code is named")
SOFT = ExpectedAnswer(RawAnswerKind.CALLERROR, (), "harmless", strict=False)
RESULT = ExpectedAnswer(
    RawAnswerKind.CALLRESULT, ("PropertyConstraintViolation",), "valid", strict=False
)
NOTHING = ExpectedAnswer(RawAnswerKind.ANY, because="no unique id")


def callerror(code: str) -> RawAnswer:
    return RawAnswer("callerror", "rb-1", 7, 0, error_code=code, error_description="why")


CALLRESULT = RawAnswer("callresult", "rb-1", 7, 0, payload={})
BROKEN = RawAnswer("malformed", "rb-1", 7, 0)


@pytest.mark.parametrize(
    ("expected", "answer", "outcome"),
    [
        # A CALLERROR is due.
        (ERROR, callerror("ProtocolError"), []),
        (ERROR, callerror("FormationViolation"), [("robustness.error-code", Severity.WARNING)]),
        (ERROR, CALLRESULT, [("robustness.accepted", Severity.ERROR)]),
        (ERROR, None, [("robustness.no-answer", Severity.ERROR)]),
        (ERROR, BROKEN, [("robustness.malformed-answer", Severity.ERROR)]),
        (ANY_CODE, callerror("GenericError"), []),
        (SOFT, CALLRESULT, [("robustness.accepted", Severity.WARNING)]),
        # The message must be processed.
        (RESULT, CALLRESULT, []),
        (RESULT, callerror("PropertyConstraintViolation"), []),
        (RESULT, callerror("InternalError"), [("robustness.rejected", Severity.WARNING)]),
        (RESULT, None, [("robustness.no-answer", Severity.ERROR)]),
        # No answer is possible.
        (NOTHING, None, []),
        (NOTHING, callerror("FormationViolation"), []),
        (NOTHING, CALLRESULT, [("robustness.accepted", Severity.WARNING)]),
    ],
)
def test_grading(
    expected: ExpectedAnswer,
    answer: RawAnswer | None,
    outcome: list[tuple[str, Severity]],
) -> None:
    findings = judge("Authorize.req without idTag", expected, answer, 5.0)
    assert [(f.rule, f.severity) for f in findings] == outcome
    for finding in findings:
        assert finding.spec == "OCPP-J 1.6 §4.2.3"
        assert "Authorize.req without idTag" in finding.message
        if expected.because:
            assert expected.because in finding.message
        if answer is not None:
            assert finding.frames == (7,)


def test_the_warning_names_the_expected_and_the_given_code() -> None:
    [finding] = judge("x", ERROR, callerror("FormationViolation"), 5.0)
    assert "CALLERROR FormationViolation" in finding.message
    assert "the spec points to ProtocolError" in finding.message


def test_no_answer_names_the_wait() -> None:
    [finding] = judge("x", ERROR, None, 2.5)
    assert "within 2.5 s" in finding.message
    assert "expected a CALLERROR ProtocolError" in finding.message


def test_describe_expected() -> None:
    assert describe_expected(ERROR) == "a CALLERROR ProtocolError"
    assert describe_expected(ANY_CODE) == "a CALLERROR (any OCPP-J 1.6 code)"
    assert describe_expected(RESULT) == "a CALLRESULT (or a CALLERROR PropertyConstraintViolation)"
    assert "cannot be read" in describe_expected(NOTHING)
