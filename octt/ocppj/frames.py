"""OCPP-J 1.6 frames: the three message types, their serialisation, and tolerant parsing.

Parsing never raises: text that is not a well-formed OCPP-J frame becomes a `Malformed` value
naming what is wrong, so the caller can report it (OCPP-J 1.6 §4.1.2–§4.2.3). Numbers with a
fraction are parsed as `Decimal` so that `multipleOf` can be judged exactly.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

# OCPP-J 1.6 §4.1.4: "The message ID ... has a maximum of 36 characters".
MAX_UNIQUE_ID_LENGTH = 36


class MessageTypeId(IntEnum):
    """OCPP-J 1.6 §4.1.3."""

    CALL = 2
    CALL_RESULT = 3
    CALL_ERROR = 4


class ErrorCode(StrEnum):
    """CALLERROR codes of OCPP-J 1.6 §4.2.3, with the 1.6 spellings."""

    NOT_IMPLEMENTED = "NotImplemented"
    NOT_SUPPORTED = "NotSupported"
    INTERNAL_ERROR = "InternalError"
    PROTOCOL_ERROR = "ProtocolError"
    SECURITY_ERROR = "SecurityError"
    FORMATION_VIOLATION = "FormationViolation"
    PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
    OCCURENCE_CONSTRAINT_VIOLATION = "OccurenceConstraintViolation"
    TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"
    GENERIC_ERROR = "GenericError"


class FrameProblem(StrEnum):
    """Why a text is not a well-formed OCPP-J frame."""

    NOT_JSON = "not-json"
    NOT_ARRAY = "not-array"
    BAD_MESSAGE_TYPE = "bad-message-type"
    BAD_LENGTH = "bad-length"
    BAD_UNIQUE_ID = "bad-unique-id"
    BAD_ACTION = "bad-action"
    BAD_PAYLOAD = "bad-payload"
    BAD_ERROR_CODE = "bad-error-code"
    BAD_ERROR_DESCRIPTION = "bad-error-description"
    BAD_ERROR_DETAILS = "bad-error-details"


def _dumps(value: object) -> str:
    """Compact JSON; a Decimal is written with exactly its own digits (json cannot do that, so
    it goes through a placeholder string that is replaced in the text)."""
    decimals: list[str] = []
    nonce = uuid.uuid4().hex  # no string of the payload can be mistaken for a placeholder

    def swap(node: object) -> object:
        if isinstance(node, Decimal):
            decimals.append(_decimal_text(node))
            return f"{nonce}-{len(decimals) - 1}"
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [swap(v) for v in node]
        return node

    text = json.dumps(swap(value), separators=(",", ":"), ensure_ascii=False)
    for index, digits in enumerate(decimals):
        text = text.replace(f'"{nonce}-{index}"', digits, 1)
    return text


def _decimal_text(number: Decimal) -> str:
    if not number.is_finite():
        raise ValueError(f"{number} is not a JSON number")
    return str(number).replace("E", "e")  # Decimal's own text is a valid JSON number


@dataclass(frozen=True)
class Call:
    unique_id: str
    action: str
    payload: dict[str, Any]

    def to_text(self) -> str:
        return _dumps([int(MessageTypeId.CALL), self.unique_id, self.action, self.payload])


@dataclass(frozen=True)
class CallResult:
    unique_id: str
    payload: dict[str, Any]

    def to_text(self) -> str:
        return _dumps([int(MessageTypeId.CALL_RESULT), self.unique_id, self.payload])


@dataclass(frozen=True)
class CallError:
    unique_id: str
    error_code: str
    error_description: str
    error_details: dict[str, Any]

    def to_text(self) -> str:
        return _dumps(
            [
                int(MessageTypeId.CALL_ERROR),
                self.unique_id,
                self.error_code,
                self.error_description,
                self.error_details,
            ]
        )


@dataclass(frozen=True)
class Malformed:
    """A text that is not a well-formed OCPP-J frame; `unique_id` if one could be read."""

    problem: FrameProblem
    detail: str
    unique_id: str | None = None
    # The MessageTypeId when it was a valid one (3 or 4 mark a broken answer to a CALL).
    message_type: int | None = None


Frame = Call | CallResult | CallError
Parsed = Call | CallResult | CallError | Malformed


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


# One decoder for every frame: `json.loads` with options builds a new one on each call.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)


def load_json(text: str) -> Any:
    """Strict JSON (no NaN/Infinity), fractions as Decimal. Raises ValueError."""
    if text.startswith("\ufeff"):  # what json.loads says of it (the decoder alone does not)
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODER.decode(text)


def parse(text: str) -> Parsed:
    """Parse one OCPP-J frame. Never raises."""
    try:
        message = load_json(text)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        return Malformed(FrameProblem.NOT_JSON, f"not valid JSON: {exc}")
    except RecursionError:
        return Malformed(FrameProblem.NOT_JSON, "JSON nested too deeply to be read")
    return from_json(message)


def from_json(message: Any) -> Parsed:
    """The frame in an already decoded JSON text (as `load_json` decodes it). Never raises."""
    if not isinstance(message, list):
        return Malformed(
            FrameProblem.NOT_ARRAY, f"a frame must be a JSON array, got {_kind(message)}"
        )
    if not message:
        return Malformed(FrameProblem.BAD_LENGTH, "empty array")
    type_id = message[0]
    if isinstance(type_id, bool) or type_id not in (2, 3, 4) or not isinstance(type_id, int):
        return Malformed(
            FrameProblem.BAD_MESSAGE_TYPE,
            f"MessageTypeId must be 2, 3 or 4, got {_short(type_id)}",
            _maybe_id(message),
        )
    unique_id = message[1] if len(message) > 1 else None
    if not isinstance(unique_id, str) or not unique_id:
        return Malformed(
            FrameProblem.BAD_UNIQUE_ID,
            f"UniqueId must be a non-empty string, got {_short(unique_id)}",
        )
    if len(unique_id) > MAX_UNIQUE_ID_LENGTH:
        return Malformed(
            FrameProblem.BAD_UNIQUE_ID,
            f"UniqueId is {len(unique_id)} characters, at most {MAX_UNIQUE_ID_LENGTH} allowed",
            unique_id,
        )
    if type_id == MessageTypeId.CALL:
        return _parse_call(message, unique_id)
    if type_id == MessageTypeId.CALL_RESULT:
        parsed = _parse_call_result(message, unique_id)
    else:
        parsed = _parse_call_error(message, unique_id)
    if isinstance(parsed, Malformed):
        return replace(parsed, message_type=int(type_id))
    return parsed


def _parse_call(message: list[Any], unique_id: str) -> Parsed:
    if len(message) != 4:
        return Malformed(
            FrameProblem.BAD_LENGTH, f"a CALL has 4 elements, got {len(message)}", unique_id
        )
    _, _, action, payload = message
    if not isinstance(action, str) or not action:
        return Malformed(
            FrameProblem.BAD_ACTION, f"Action must be a string, got {_short(action)}", unique_id
        )
    if not isinstance(payload, dict):
        return Malformed(
            FrameProblem.BAD_PAYLOAD,
            f"a CALL payload must be a JSON object, got {_kind(payload)}",
            unique_id,
        )
    return Call(unique_id, action, payload)


def _parse_call_result(message: list[Any], unique_id: str) -> Parsed:
    if len(message) != 3:
        return Malformed(
            FrameProblem.BAD_LENGTH, f"a CALLRESULT has 3 elements, got {len(message)}", unique_id
        )
    payload = message[2]
    if not isinstance(payload, dict):
        return Malformed(
            FrameProblem.BAD_PAYLOAD,
            f"a CALLRESULT payload must be a JSON object, got {_kind(payload)}",
            unique_id,
        )
    return CallResult(unique_id, payload)


def _parse_call_error(message: list[Any], unique_id: str) -> Parsed:
    if len(message) != 5:
        return Malformed(
            FrameProblem.BAD_LENGTH, f"a CALLERROR has 5 elements, got {len(message)}", unique_id
        )
    _, _, code, description, details = message
    # Any string code still answers the CALL; whether it is an OCPP-J 1.6 code is judged by
    # validation (so "FormatViolation", the OCPP 2.0 spelling, is reported, not lost).
    if not isinstance(code, str) or not code:
        return Malformed(
            FrameProblem.BAD_ERROR_CODE,
            f"ErrorCode must be a non-empty string, got {_short(code)}",
            unique_id,
        )
    if not isinstance(description, str):
        return Malformed(
            FrameProblem.BAD_ERROR_DESCRIPTION,
            f"ErrorDescription must be a string, got {_kind(description)}",
            unique_id,
        )
    if not isinstance(details, dict):
        return Malformed(
            FrameProblem.BAD_ERROR_DETAILS,
            f"ErrorDetails must be a JSON object, got {_kind(details)}",
            unique_id,
        )
    return CallError(unique_id, code, description, details)


def _maybe_id(message: list[Any]) -> str | None:
    return message[1] if len(message) > 1 and isinstance(message[1], str) else None


def _kind(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "number"


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
