"""The operator port as a stable, versioned contract for operator adapters (PORT_VERSION 1;
the user-facing page: docs/operator-port.md).

An operator adapter is what makes a CSMS act for octt: a small class a vendor writes against
this port that calls the CSMS's own API (its Python API, its management REST API, its message
bus), so the product needs no test-only endpoint. octt finds it by
``--operator python:package.module:factory`` (or ``operator:`` in the run configuration), or by
name through the entry-point group ``octt.operators`` (``--operator NAME``).

The factory
    A callable taking no arguments that returns the adapter. It reads its own settings (the
    CSMS's API address, credentials) from the environment or its own files. It may check
    ``octt.operator.port.PORT_VERSION`` and raise when it was written for another version.
    Anything it raises is a usage error (exit status 2) naming the ``--operator`` value; so is
    an object that lacks a member below.

The adapter (all members required; see `octt.operator.base.Operator`)
    ``mode: str``
        How the reports name the operator (e.g. ``"acme-adapter"``); shown in result.json.
    ``can_act: bool``
        False only when the adapter can make the CSMS send nothing: the cases that need it are
        then skipped (as with ``--operator none``).
    ``async provision(request: ProvisionRequest) -> OperatorResult``
        Called once per run, before the first case: make the CSMS hold the idTags
        (``request.tokens``: id_tag, status Accepted/Blocked/Expired/Invalid, parent_id_tag),
        the charge point's Basic-auth password (``basic_auth_password``, security profiles 1
        and 2) and, for the security cases, the charge point identities of
        ``charge_points`` (id, security profile, password). ``notes`` are hints for a person.
        Return DONE when done, FAILED (with a detail) when the CSMS refused. Bound: 30 s,
        after which it is ended and counts as FAILED.
    ``async act(request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult``
        Make the CSMS send the CALL ``request.action`` (the OCPP 1.6 action name, e.g.
        ``RemoteStartTransaction``) to charge point ``request.cp_id`` with (about)
        ``request.payload`` (the OCPP-J camelCase payload the test expects; fields the CSMS
        owns, such as a reservation id or a local list version, it may choose itself).
        ``instruction`` is the sentence a person would be shown; ``case_id`` names the case.
        The engine waits for the CALL itself while ``act`` runs and sets ``arrived`` when the
        CALL reached the charge point; ``act`` may return before or after that. It should
        return within ``request.timeout_s`` (``--operator-timeout``, default 30 s); 5 s past
        it, it is ended and counts as TIMED_OUT. The CALL must arrive within the timeout.
        Return DONE when the CSMS took the order (``response``: the charge point's answer when
        the API gives it back), CANNOT when this CSMS cannot send that action (the case is
        skipped as not drivable, never failed), FAILED when the CSMS's API refused or could not
        be reached (the case ends in error, an operator problem, never a CSMS failure; the
        detail says what went wrong, no secrets in it).
    ``async aclose() -> None``
        Called once after the run: release connections.

Errors
    ``act`` and ``provision`` should report every CSMS-side problem in their result and never
    raise; an exception that escapes is recorded as FAILED with its text.

Versioning
    PORT_VERSION changes only when a member above changes its meaning or signature; fields are
    only ever added to the request dataclasses (with defaults), so an adapter written for
    version 1 keeps working while PORT_VERSION is 1.
"""

from __future__ import annotations

from octt.operator.base import (
    ChargePointProvision,
    Operator,
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
    TokenSpec,
)

#: The version of the contract above.
PORT_VERSION = 1

#: The members an adapter must have.
REQUIRED_MEMBERS = ("mode", "can_act", "provision", "act", "aclose")

#: The entry-point group adapters register under (``--operator NAME``).
ENTRY_POINT_GROUP = "octt.operators"

__all__ = [
    "ENTRY_POINT_GROUP",
    "PORT_VERSION",
    "REQUIRED_MEMBERS",
    "ChargePointProvision",
    "Operator",
    "OperatorOutcome",
    "OperatorRequest",
    "OperatorResult",
    "ProvisionRequest",
    "TokenSpec",
]
