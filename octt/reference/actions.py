"""The CSMS-initiated OCPP 1.6 actions the trigger API can send, and the checks on a request.

Owns the mapping from the trigger API's kebab-case action (`remote-start-transaction`) to the
OCPP action (`RemoteStartTransaction`), the set of actions a Central System sends (OCPP 1.6 §5
and the 1.6 security whitepaper), and the schema check of a payload with the ocpp library's own
OCPP 1.6 schemas.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from ocpp.messages import MessageType, get_validator
from ocpp.v16.enums import Action

from octt.validation.actions import CSMS_INITIATED

#: Every action a Central System sends to a Charge Point in OCPP 1.6 (§5) and in the OCPP 1.6
#: security whitepaper: octt's one table of message directions.
CENTRAL_SYSTEM_ACTIONS: frozenset[str] = CSMS_INITIATED

_KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


class ActionError(ValueError):
    """The trigger API was asked for an action it cannot send."""


def library_actions() -> frozenset[str]:
    """The OCPP 1.6 actions the ocpp library knows (and has schemas for)."""
    return frozenset(str(action.value) for action in Action)


def action_from_kebab(kebab: str) -> str:
    """`remote-start-transaction` → `RemoteStartTransaction`; ActionError unless it names an
    action a Central System sends."""
    if not _KEBAB.fullmatch(kebab):
        raise ActionError(f"{kebab!r} is not a kebab-case OCPP action (e.g. 'clear-cache')")
    action = "".join(part.capitalize() for part in kebab.split("-"))
    known = library_actions()
    if action not in known:
        raise ActionError(f"unknown action {kebab!r}: {action} is not an OCPP 1.6 action")
    if action not in CENTRAL_SYSTEM_ACTIONS:
        raise ActionError(
            f"action {kebab!r}: {action} is sent by a charge point, not by a Central System"
        )
    return action


# The requests whose schemas have `multipleOf` on decimals; the ocpp library parses them (and
# caches their validators) with Decimal floats, so we must ask for them the same way.
_DECIMAL_REQUESTS = frozenset({"RemoteStartTransaction", "SetChargingProfile"})


def schema_problem(action: str, payload: dict[str, Any]) -> str | None:
    """Why `payload` is not a valid `action` request by the ocpp library's OCPP 1.6 schemas
    (draft-04, as the library validates), or None if it is valid."""
    parse_float: type[float] | type[Decimal] = Decimal if action in _DECIMAL_REQUESTS else float
    validator = get_validator(MessageType.Call, action, "1.6", parse_float=parse_float)
    instance = json.loads(json.dumps(payload), parse_float=parse_float)
    error = next(iter(validator.iter_errors(instance)), None)
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message
