"""Judging whole OCPP-J frames: the raw text, a CALL, a CALLRESULT, a CALLERROR.

`FrameValidator` owns the order of checks and the shape of schema findings; the individual rules
beyond the schema live in ``octt.validation.rules`` and the schemas in
``octt.validation.schemas``. It judges frames from either side (`sender` "CSMS" or
"charge point"); which findings count against the CSMS is the engine's decision.

Rule ids produced here:

* ``schema.request`` (error) — a CALL payload breaks ``<Action>.json``. Message
  ``"<Action>.req <pointer>: <what>"``, spec ``"OCPP 1.6 JSON schema <Action>.json"``.
* ``schema.response`` (error) — a CALLRESULT payload breaks ``<Action>Response.json``. Message
  ``"<Action>.conf <pointer>: <what>"``.

  At most `MAX_SCHEMA_FINDINGS` violations of one payload become findings; one more finding
  with the same rule counts the rest.

* from ``octt.validation.rules``: ``ocppj.unknown-action``, ``ocppj.result-for-unknown-action``,
  ``ocppj.error-code-for-unknown-action``, ``ocppj.error-code``, ``ocppj.error-description``,
  ``ocppj.error-details``, ``ocpp.action-direction``, ``ocpp.timestamp-not-utc``,
  ``json.duplicate-key``, ``json.lone-surrogate``.

Not here: whether a text is a well-formed OCPP-J frame at all, unique-id bookkeeping, timing —
those are ``octt.ocppj`` (``ocppj.malformed-frame``, ``ocppj.unknown-unique-id``, ...).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from octt import findings as _findings
from octt.findings import Finding
from octt.ocppj.frames import Call, CallError, CallResult
from octt.validation import rules
from octt.validation.actions import SENDERS
from octt.validation.schemas import MAX_VIOLATIONS, SchemaSet, SchemaViolation

MAX_SCHEMA_FINDINGS: Final = 20


def _check_sender(sender: str) -> None:
    if sender not in SENDERS:
        raise ValueError(f"sender must be one of {sorted(SENDERS)}, got {sender!r}")


def _with_frames(findings: list[Finding], frames: tuple[int, ...]) -> list[Finding]:
    if not frames:
        return findings
    return [replace(f, frames=frames) for f in findings]


class FrameValidator:
    """Checks frames against the OCPP 1.6 schemas and the rules beyond them. Stateless apart
    from the (immutable) schema set; safe to share."""

    def __init__(self, schemas: SchemaSet) -> None:
        self._schemas = schemas

    @property
    def schemas(self) -> SchemaSet:
        return self._schemas

    def check_text(self, text: str, *, frames: tuple[int, ...] = ()) -> list[Finding]:
        """JSON-level rules on the raw text (duplicate keys, lone surrogates). Not-JSON gives
        nothing: that is the OCPP-J layer's malformed-frame finding."""
        return _with_frames(rules.json_text(text), frames)

    def read_text(self, text: str) -> tuple[list[Finding], Any]:
        """`check_text`'s findings and the decoded JSON (`rules.NOT_JSON` if it is not JSON),
        to hand to `octt.ocppj.frames.from_json` instead of decoding the text twice."""
        return rules.read_json(text)

    def own_request_errors(self, action: str, payload: dict[str, Any]) -> list[str]:
        """The schema alone on a CALL payload octt built (no findings, no rules beyond the
        schema: only whether octt is about to send something invalid). Messages; [] if valid."""
        if not self._schemas.has_action(action):
            return [f"{action}: not an OCPP 1.6 action"]
        where = f"{action}.req"
        return [_schema_message(where, v) for v in self._schemas.request_errors(action, payload)]

    def check_call(self, call: Call, *, sender: str, frames: tuple[int, ...] = ()) -> list[Finding]:
        """A CALL: known action, sent by the side that initiates it, payload valid, UTC times."""
        _check_sender(sender)
        if not self._schemas.has_action(call.action):
            found = [rules.unknown_action(call.action, self._schemas.actions(), sender=sender)]
            return _with_frames(found, frames)
        found = []
        direction = rules.action_direction(call.action, sender)
        if direction is not None:
            found.append(direction)
        found += self._payload(call.action, call.payload, response=False)
        return _with_frames(found, frames)

    def check_result(
        self, action: str, result: CallResult, *, sender: str, frames: tuple[int, ...] = ()
    ) -> list[Finding]:
        """A CALLRESULT answering a CALL with `action`: payload valid, UTC times."""
        _check_sender(sender)
        if not self._schemas.has_action(action):
            return _with_frames([rules.result_for_unknown_action(action, sender=sender)], frames)
        return _with_frames(self._payload(action, result.payload, response=True), frames)

    def check_error(
        self,
        action: str | None,
        error: CallError,
        *,
        sender: str,
        frames: tuple[int, ...] = (),
    ) -> list[Finding]:
        """A CALLERROR answering a CALL with `action` (None if that CALL is not known)."""
        _check_sender(sender)
        found = rules.error_envelope(error.error_code, error.error_description, error.error_details)
        if action is not None and not self._schemas.has_action(action):
            wrong_code = rules.error_code_for_unknown_action(
                action, error.error_code, sender=sender
            )
            if wrong_code is not None:
                found.append(wrong_code)
        return _with_frames(found, frames)

    # -- payloads ------------------------------------------------------------------------------

    def _payload(self, action: str, payload: dict[str, Any], *, response: bool) -> list[Finding]:
        schemas = self._schemas
        where = f"{action}.conf" if response else f"{action}.req"
        violations = (
            schemas.response_errors(action, payload)
            if response
            else schemas.request_errors(action, payload)
        )
        found: list[Finding] = []
        if violations:
            spec = schemas.spec_reference(action, response=response)
            rule = "schema.response" if response else "schema.request"
            found += [
                _findings.error(rule, _schema_message(where, v), spec=spec)
                for v in violations[:MAX_SCHEMA_FINDINGS]
            ]
            rest = len(violations) - MAX_SCHEMA_FINDINGS
            if rest > 0:
                at_least = "at least " if len(violations) >= MAX_VIOLATIONS else ""
                found.append(
                    _findings.error(
                        rule, f"{where}: {at_least}{rest} more schema violations", spec=spec
                    )
                )
        bad = {v.path for v in violations if v.keyword == "format"}
        for pointer, value in schemas.date_time_values(action, payload, response=response):
            if pointer not in bad:
                not_utc = rules.timestamp_not_utc(where, pointer, value)
                if not_utc is not None:
                    found.append(not_utc)
        return found


def _schema_message(where: str, violation: SchemaViolation) -> str:
    if violation.path:
        return f"{where} {violation.path}: {violation.message}"
    return f"{where}: {violation.message}"
