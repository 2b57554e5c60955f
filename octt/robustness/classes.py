"""The kinds of bad input the robustness profile sends, and what OCPP-J 1.6 asks in return.

OCPP-J 1.6 §4.2.3 says a CALL the receiver cannot process is answered with a CALLERROR, "missing
mandatory fields, an existing call with the same unique identifier is being handled already,
unique identifier too long, etc.", and defines the codes:

* NotImplemented — "Requested Action is not known by receiver"
* NotSupported — "Requested Action is recognized but not supported by the receiver"
* ProtocolError — "Payload for Action is incomplete"
* FormationViolation — "Payload for Action is syntactically incorrect or not conform the PDU
  structure for Action"
* PropertyConstraintViolation — "Payload is syntactically correct but at least one field
  contains an invalid value"
* OccurenceConstraintViolation — "Payload for Action is syntactically correct but at least one of
  the fields violates occurence constraints"
* TypeConstraintViolation — "Payload for Action is syntactically correct but at least one of the
  fields violates data type constraints (e.g. "somestring": 12)"
* InternalError, SecurityError, GenericError.

Each `InputClass` gets an `ExpectedAnswer` with the reasoning. Where one code matches the
definition unambiguously it is the only code listed (another code is a warning); where two fit
(a CiString that is too long is both a data type and an invalid value), both are listed.
`code_for_keyword` maps a JSON-schema keyword to the code for the class it stands for, for
receivers that validate with JSON schemas (the reference CSMS).
"""

from __future__ import annotations

from enum import StrEnum

from octt.catalog.model import ExpectedAnswer, RawAnswerKind
from octt.ocppj.frames import ErrorCode

SPEC = "OCPP-J 1.6 §4.2.3"


class InputClass(StrEnum):
    # Frame level: not an OCPP-J message, or one whose unique id cannot be read.
    NOT_JSON = "not-json"
    NOT_ARRAY = "not-array"
    BAD_MESSAGE_TYPE = "bad-message-type"
    UNIQUE_ID_UNREADABLE = "unique-id-unreadable"
    # Frame level, with a readable unique id.
    UNIQUE_ID_TOO_LONG = "unique-id-too-long"
    UNIQUE_ID_REUSED = "unique-id-reused"
    PAYLOAD_MISSING = "payload-missing"
    PAYLOAD_NOT_OBJECT = "payload-not-object"
    ACTION_NOT_STRING = "action-not-string"
    # Actions.
    UNKNOWN_ACTION = "unknown-action"
    WRONG_DIRECTION = "wrong-direction"
    # Payloads, derived from the JSON schema of each action a charge point sends.
    MISSING_REQUIRED = "missing-required"
    WRONG_TYPE = "wrong-type"
    OVER_LENGTH = "over-length"
    BAD_ENUM = "bad-enum"
    BAD_DATE_TIME = "bad-date-time"
    EXTRA_PROPERTY = "extra-property"
    TOO_FEW_ITEMS = "too-few-items"
    OUT_OF_RANGE = "out-of-range"
    # Semantics: well-formed, schema-valid messages that make no sense.
    UNKNOWN_TRANSACTION = "unknown-transaction"
    METER_STOP_BELOW_START = "meter-stop-below-start"
    UNKNOWN_CONNECTOR = "unknown-connector"
    FUTURE_TIMESTAMP = "future-timestamp"


_UNREADABLE = (
    "the unique id cannot be read from it, and a CALLERROR must carry the unique id of the CALL"
    " it answers (OCPP-J 1.6 §4.2.3), so no answer is possible; the CSMS must neither close the"
    " connection nor stop answering"
)


def _error(*codes: ErrorCode, because: str, strict: bool = True) -> ExpectedAnswer:
    return ExpectedAnswer(RawAnswerKind.CALLERROR, tuple(c.value for c in codes), because, strict)


def _result(*codes: ErrorCode, because: str) -> ExpectedAnswer:
    return ExpectedAnswer(RawAnswerKind.CALLRESULT, tuple(c.value for c in codes), because, False)


EXPECTED: dict[InputClass, ExpectedAnswer] = {
    InputClass.NOT_JSON: ExpectedAnswer(RawAnswerKind.ANY, because="not JSON: " + _UNREADABLE),
    InputClass.NOT_ARRAY: ExpectedAnswer(
        RawAnswerKind.ANY,
        because="not a JSON array (OCPP-J 1.6 §4.1.3): " + _UNREADABLE,
    ),
    InputClass.BAD_MESSAGE_TYPE: ExpectedAnswer(
        RawAnswerKind.ANY,
        because="MessageTypeId must be 2, 3 or 4 (OCPP-J 1.6 §4.1.3); OCPP-J 1.6 says nothing of"
        " answering another type, so no answer is required, only that the CSMS goes on",
    ),
    InputClass.UNIQUE_ID_UNREADABLE: ExpectedAnswer(
        RawAnswerKind.ANY,
        because="the UniqueId is missing, empty or not a string (OCPP-J 1.6 §4.1.4): "
        + _UNREADABLE,
    ),
    # One grading rule for every unique id the sender should not have used (too long, reused;
    # and the unreadable ones above): OCPP-J 1.6 §4.1.4 binds the sender, §4.2.3 only allows
    # the receiver a CALLERROR, so a CSMS that accepts the CALL gets a warning, not a failure.
    InputClass.UNIQUE_ID_TOO_LONG: _error(
        because="a unique id has at most 36 characters (OCPP-J 1.6 §4.1.4, a rule for the"
        " sender) and §4.2.3 names 'unique identifier too long' as a reason the receiver may"
        " answer with a CALLERROR (it names no code); accepting the CALL is only a warning",
        strict=False,
    ),
    InputClass.UNIQUE_ID_REUSED: _error(
        because="a CALL's unique id must differ from every one the sender used before on the"
        " connection (OCPP-J 1.6 §4.1.4, a rule for the sender) and §4.2.3 names a duplicate"
        " unique id as a reason the receiver may answer with a CALLERROR (it names no code);"
        " accepting the CALL is only a warning",
        strict=False,
    ),
    InputClass.PAYLOAD_MISSING: _error(
        ErrorCode.PROTOCOL_ERROR,
        ErrorCode.FORMATION_VIOLATION,
        because="a CALL has four elements (OCPP-J 1.6 §4.2.1): without its payload it is"
        " 'incomplete' (ProtocolError) or 'not conform the PDU structure' (FormationViolation)",
    ),
    InputClass.PAYLOAD_NOT_OBJECT: _error(
        ErrorCode.FORMATION_VIOLATION,
        because="the payload of a CALL is a JSON object (OCPP-J 1.6 §4.2.1); an array is"
        " 'syntactically incorrect or not conform the PDU structure' (FormationViolation)",
    ),
    InputClass.ACTION_NOT_STRING: _error(
        because="the Action of a CALL is a string (OCPP-J 1.6 §4.2.1); §4.2.3 names no code for"
        " a frame that is no proper CALL",
    ),
    InputClass.UNKNOWN_ACTION: _error(
        ErrorCode.NOT_IMPLEMENTED,
        because="an action OCPP 1.6 does not define: 'Requested Action is not known by"
        " receiver' is NotImplemented",
    ),
    InputClass.WRONG_DIRECTION: _error(
        ErrorCode.NOT_SUPPORTED,
        because="an OCPP 1.6 action that only the Central System sends (OCPP 1.6 §5): it is"
        " known to the CSMS but not one it accepts — 'Requested Action is recognized but not"
        " supported by the receiver' is NotSupported",
    ),
    InputClass.MISSING_REQUIRED: _error(
        ErrorCode.PROTOCOL_ERROR,
        because="a required field is missing: 'Payload for Action is incomplete' is ProtocolError",
    ),
    InputClass.WRONG_TYPE: _error(
        ErrorCode.TYPE_CONSTRAINT_VIOLATION,
        because="a field has the wrong JSON type: TypeConstraintViolation, whose definition"
        ' gives exactly this example ("somestring": 12)',
    ),
    InputClass.OVER_LENGTH: _error(
        ErrorCode.TYPE_CONSTRAINT_VIOLATION,
        ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        because="a string longer than its CiStringNType allows (OCPP 1.6 §7): the data type is"
        " violated (TypeConstraintViolation), and the value is invalid"
        " (PropertyConstraintViolation); both readings are common",
    ),
    InputClass.BAD_ENUM: _error(
        ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        ErrorCode.TYPE_CONSTRAINT_VIOLATION,
        because="a string that is not one of the enumeration's values: 'syntactically correct"
        " but at least one field contains an invalid value' (PropertyConstraintViolation); the"
        " enumeration is also the field's data type (TypeConstraintViolation)",
    ),
    InputClass.BAD_DATE_TIME: _error(
        ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        ErrorCode.TYPE_CONSTRAINT_VIOLATION,
        because="a string that is not a dateTime (RFC 3339 in OCPP-J, as the schemas say):"
        " an invalid value (PropertyConstraintViolation), or a violated dateTime data type"
        " (TypeConstraintViolation)",
    ),
    InputClass.EXTRA_PROPERTY: _error(
        ErrorCode.FORMATION_VIOLATION,
        because="a field the message does not define (the schema forbids additional"
        " properties): 'not conform the PDU structure for Action' is FormationViolation",
    ),
    InputClass.TOO_FEW_ITEMS: _error(
        ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
        because="an empty list where at least one element is required (cardinality 1..*):"
        " 'at least one of the fields violates occurence constraints' is"
        " OccurenceConstraintViolation",
    ),
    InputClass.OUT_OF_RANGE: _error(
        ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        because="connectorId is >= 0 (> 0 in StartTransaction) by the field tables of OCPP 1.6"
        " §6; a negative id is 'syntactically correct but ... an invalid value'"
        " (PropertyConstraintViolation)",
    ),
    InputClass.UNKNOWN_TRANSACTION: _result(
        because="OCPP 1.6 §4.10: 'a Central System cannot prevent a transaction from stopping',"
        " it may only acknowledge StopTransaction; a CALLERROR makes the charge point submit it"
        " again (configuration key TransactionMessageAttempts, OCPP 1.6 §9.1) — a CALLRESULT is"
        " expected, a CALLERROR is a warning",
    ),
    InputClass.METER_STOP_BELOW_START: _result(
        because="OCPP 1.6 §4.10: the CSMS cannot prevent a transaction from stopping; odd meter"
        " values are for it to flag, not to refuse — a CALLRESULT is expected, a CALLERROR is a"
        " warning",
    ),
    InputClass.UNKNOWN_CONNECTOR: _result(
        ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        because="a StartTransaction on a connector the charge point never reported: the CSMS"
        " may refuse the idTag in its StartTransaction.conf (OCPP 1.6 §4.8) or reject the"
        " value (PropertyConstraintViolation); another CALLERROR is a warning",
    ),
    InputClass.FUTURE_TIMESTAMP: _result(
        ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
        because="a timestamp ten years ahead is a valid dateTime: the CSMS processes the message"
        " (and may flag the clock) or rejects the value (PropertyConstraintViolation); another"
        " CALLERROR is a warning",
    ),
}

#: The code a JSON-schema validation failure stands for (see the classes above).
_KEYWORD_CODES: dict[str, ErrorCode] = {
    "required": ErrorCode.PROTOCOL_ERROR,
    "type": ErrorCode.TYPE_CONSTRAINT_VIOLATION,
    "maxLength": ErrorCode.TYPE_CONSTRAINT_VIOLATION,
    "enum": ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
    "format": ErrorCode.PROPERTY_CONSTRAINT_VIOLATION,
    "additionalProperties": ErrorCode.FORMATION_VIOLATION,
    "minItems": ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
    "maxItems": ErrorCode.OCCURENCE_CONSTRAINT_VIOLATION,
}
#: When one payload breaks several keywords, the most basic failure names the code.
_KEYWORD_ORDER = ("type", "required", "additionalProperties", "minItems", "maxItems")


def code_for_keyword(keyword: str) -> ErrorCode:
    """The CALLERROR code for a payload that fails JSON-schema keyword `keyword`."""
    return _KEYWORD_CODES.get(keyword, ErrorCode.PROPERTY_CONSTRAINT_VIOLATION)


def code_for_keywords(keywords: list[str]) -> ErrorCode:
    """The code for a payload failing all of `keywords` (the most basic failure first)."""
    for keyword in _KEYWORD_ORDER:
        if keyword in keywords:
            return code_for_keyword(keyword)
    return code_for_keyword(keywords[0]) if keywords else ErrorCode.FORMATION_VIOLATION
