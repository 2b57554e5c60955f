"""Rules beyond the JSON schemas: small pure functions from values to findings.

Each function judges one thing and returns a `Finding` (or None / a list); none keeps state.
``octt.validation.frames.FrameValidator`` calls them for every frame; the engine may call them
directly. Findings carry no frame numbers here; the caller adds them.

Rule ids owned by this module (severity — source):

* ``ocppj.unknown-action`` (error) — a CALL whose action is not OCPP 1.6. OCPP-J 1.6 §4.2.3:
  its receiver answers CALLERROR NotImplemented ("Requested Action is not known by receiver").
* ``ocppj.result-for-unknown-action`` (error) — a CALLRESULT to such a CALL; OCPP-J 1.6 §4.2.3
  makes NotImplemented the answer.
* ``ocppj.error-code-for-unknown-action`` (error) — such a CALL answered with a CALLERROR code
  other than NotImplemented. OCPP-J 1.6 §4.2.3.
* ``ocppj.error-code`` (error) — an ErrorCode outside the ten OCPP-J 1.6 codes, with a hint for
  OCPP 2.0 spellings (FormatViolation, OccurrenceConstraintViolation). OCPP-J 1.6 §4.2.3.
* ``ocppj.error-description`` (error) — ErrorDescription not a string. OCPP-J 1.6 §4.2.3.
* ``ocppj.error-details`` (error) — ErrorDetails not a JSON object; "{}" when there are no
  details. OCPP-J 1.6 §4.2.3.
* ``ocpp.action-direction`` (error) — a CALL that the sender's role never initiates (e.g. the CSMS
  sending StartTransaction). OCPP 1.6 edition 2 §4, §5; Security Whitepaper edition 2.
* ``ocpp.timestamp-not-utc`` (warning) — a date-time with a non-UTC offset. OCPP 1.6 edition 2
  §3.14, informative: "it is strongly recommended to use UTC for all time values"; §3.15 makes
  receivers handle offsets, so this is never an error.
* ``json.duplicate-key`` (warning) — RFC 8259 §4: the names within an object SHOULD be unique.
* ``json.lone-surrogate`` (warning) — an escaped unpaired UTF-16 surrogate; RFC 8259 §8.2: the
  behaviour of software receiving it is unpredictable.

Deliberately absent: a UniqueId length rule (``octt.ocppj.frames.parse`` already rejects an id
over 36 characters as a malformed frame, OCPP-J 1.6 §4.1.4), and a milliseconds rule — a
date-time without a fraction is fine (OCPP 1.6 §3.15: senders MAY omit insignificant fractions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from decimal import Decimal
from typing import Any, Final

from octt.findings import Finding, error, warning
from octt.ocppj.frames import ErrorCode
from octt.validation import actions, formats

SPEC_CALLERROR: Final = "OCPP-J 1.6 §4.2.3"
SPEC_TIME_ZONES: Final = "OCPP 1.6 edition 2 §3.14 (time zones, informative)"
SPEC_DUPLICATE_KEYS: Final = "RFC 8259 §4"
SPEC_SURROGATES: Final = "RFC 8259 §8.2"

_ERROR_CODES: Final = frozenset(code.value for code in ErrorCode)
# OCPP 2.0.x RPC framework codes a 1.6 implementation may send by mistake.
_OCPP20_ERROR_CODES: Final = {
    "FormatViolation": "FormationViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    "MessageTypeNotSupported": None,
    "RpcFrameworkError": None,
}
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def who(sender: str) -> str:
    """The sender in a message: "the CSMS" or "the charge point"."""
    return f"the {sender}"


def _other(sender: str) -> str:
    return who(
        actions.SENDER_CHARGE_POINT if sender == actions.SENDER_CSMS else actions.SENDER_CSMS
    )


# -- actions -------------------------------------------------------------------------------------


def unknown_action(action: str, known: Collection[str], *, sender: str) -> Finding:
    """``ocppj.unknown-action``: a CALL whose action the 1.6 schema set does not know."""
    hint = ""
    near = [a for a in known if a.lower() == action.lower()]
    if near:
        hint = f" (actions are case-sensitive: did you mean {near[0]!r}?)"
    return error(
        "ocppj.unknown-action",
        f"{who(sender)} sent a CALL with action {action!r}, which is not an OCPP 1.6 action; "
        f"its receiver answers CALLERROR NotImplemented{hint}",
        spec=SPEC_CALLERROR,
    )


def result_for_unknown_action(action: str, *, sender: str) -> Finding:
    """``ocppj.result-for-unknown-action``: a CALLRESULT to a CALL whose action is not 1.6."""
    return error(
        "ocppj.result-for-unknown-action",
        f"{who(sender)} answered a CALL with action {action!r}, which is not an OCPP 1.6 action, "
        "with a CALLRESULT; CALLERROR NotImplemented was due",
        spec=SPEC_CALLERROR,
    )


def error_code_for_unknown_action(action: str, error_code: str, *, sender: str) -> Finding | None:
    """``ocppj.error-code-for-unknown-action``: an unknown action answered with another code."""
    if error_code == ErrorCode.NOT_IMPLEMENTED:
        return None
    return error(
        "ocppj.error-code-for-unknown-action",
        f"{who(sender)} answered a CALL with action {action!r}, which is not an OCPP 1.6 action, "
        f"with CALLERROR {error_code}; NotImplemented means 'Requested Action is not known by "
        "receiver'",
        spec=SPEC_CALLERROR,
    )


def action_direction(action: str, sender: str) -> Finding | None:
    """``ocpp.action-direction``: a CALL whose action only the other side initiates."""
    if actions.may_initiate(action, sender) is not False:
        return None
    return error(
        "ocpp.action-direction",
        f"{who(sender)} sent a {action} CALL, which only {_other(sender)} initiates",
        spec=actions.direction_spec(action),
    )


# -- CALLERROR envelope ------------------------------------------------------------------------


def error_code_hint(code: object) -> str:
    """Why `code` is not an OCPP-J 1.6 error code, in words ("" if it is one)."""
    if isinstance(code, str) and code in _ERROR_CODES:
        return ""
    if isinstance(code, str) and code in _OCPP20_ERROR_CODES:
        fix = _OCPP20_ERROR_CODES[code]
        instead = f"; OCPP-J 1.6 spells it {fix!r}" if fix else ""
        return f"{code!r} is an OCPP 2.0 error code{instead}"
    for known in _ERROR_CODES:
        if isinstance(code, str) and known.lower() == code.lower():
            return f"{code!r} is not an OCPP-J 1.6 error code (codes are case-sensitive: {known!r})"
    return f"{code!r} is not an OCPP-J 1.6 error code"


def error_envelope(error_code: object, description: object, details: object) -> list[Finding]:
    """``ocppj.error-code`` / ``-description`` / ``-details``: the CALLERROR fields' types."""
    found: list[Finding] = []
    hint = error_code_hint(error_code)
    if hint:
        found.append(error("ocppj.error-code", hint, spec=SPEC_CALLERROR))
    if not isinstance(description, str):
        found.append(
            error(
                "ocppj.error-description",
                f"ErrorDescription must be a string ('' if none), got {_kind(description)}",
                spec=SPEC_CALLERROR,
            )
        )
    if not isinstance(details, dict):
        found.append(
            error(
                "ocppj.error-details",
                f"ErrorDetails must be a JSON object ({{}} if none), got {_kind(details)}",
                spec=SPEC_CALLERROR,
            )
        )
    return found


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a number"


# -- time values ---------------------------------------------------------------------------------


def timestamp_not_utc(where: str, pointer: str, value: str) -> Finding | None:
    """``ocpp.timestamp-not-utc``: a valid date-time whose offset is not UTC.

    `where` names the message (e.g. "BootNotification.conf"). Z, +00:00 and -00:00 are UTC
    (RFC 3339 §4.3: -00:00 is UTC with the local offset unknown). Invalid date-times are the
    schema's business and give no finding here; so do missing fractions of seconds.
    """
    offset = formats.utc_offset_minutes(value)
    if not offset:  # None (not a date-time) or 0 (UTC)
        return None
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return warning(
        "ocpp.timestamp-not-utc",
        f"{where} {pointer}: {value!r} is in UTC{sign}{hours:02d}:{minutes:02d}; OCPP 1.6 "
        "strongly recommends UTC for all time values",
        spec=SPEC_TIME_ZONES,
    )


# -- JSON text -----------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _DuplicateKey(Exception):
    """An object repeats a key: decode again, the slow way, to name them."""


def _pairs_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


# Decoders built once (`json.loads` with options builds one per call). Their values are what
# `octt.ocppj.frames.load_json` makes of the same text: the last of repeated keys, fractions as
# Decimal, no NaN or Infinity.
_FAST_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs_without_duplicates,
    parse_float=Decimal,
    parse_constant=_reject_constant,
)

#: `read_json`'s value for a text that is not JSON.
NOT_JSON: Final = object()


def json_text(text: str) -> list[Finding]:
    """``json.duplicate-key`` and ``json.lone-surrogate`` on a frame's raw text.

    Text that is not JSON gives nothing here: the OCPP-J layer reports it as a malformed frame.
    """
    return read_json(text)[0]


def read_json(text: str) -> tuple[list[Finding], Any]:
    """`json_text`'s findings and the decoded value (`NOT_JSON` if the text is not JSON), for
    a caller that would decode the text again (`octt.ocppj.frames.from_json` takes it)."""
    duplicates: list[str] = []
    try:
        try:
            value = _FAST_DECODER.decode(text)
        except _DuplicateKey:
            value = _decode_naming_duplicates(text, duplicates)
    except (ValueError, RecursionError):
        return [], NOT_JSON
    found: list[Finding] = []
    if duplicates:
        names = ", ".join(repr(k) for k in duplicates[:5])
        more = f" and {len(duplicates) - 5} more" if len(duplicates) > 5 else ""
        found.append(
            warning(
                "json.duplicate-key",
                f"duplicate object key{'s' if len(duplicates) > 1 else ''} {names}{more}: "
                "receivers disagree on which value counts (octt judges the last one)",
                spec=SPEC_DUPLICATE_KEYS,
            )
        )
    if "\\u" in text and _has_lone_surrogate(value):
        found.append(
            warning(
                "json.lone-surrogate",
                "a string escapes an unpaired UTF-16 surrogate (\\uD800-\\uDFFF); receivers may "
                "reject or alter it",
                spec=SPEC_SURROGATES,
            )
        )
    return found, value


def _decode_naming_duplicates(text: str, duplicates: list[str]) -> Any:
    """Decode `text`, appending each key some object repeats to `duplicates` (once, in order)."""

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen and key not in duplicates:
                    duplicates.append(key)
                seen.add(key)
        return obj

    decoder = json.JSONDecoder(
        object_pairs_hook=pairs_hook, parse_float=Decimal, parse_constant=_reject_constant
    )
    return decoder.decode(text)


def _has_lone_surrogate(value: Any) -> bool:
    # The JSON decoder joins escaped surrogate pairs into one code point, so any surrogate code
    # point left in a decoded string was unpaired.
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False
