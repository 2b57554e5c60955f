"""What a CSMS may do beside the script: the judgement of a CALL the scenario does not expect.

OCPP 1.6 lets a Central System send its requests whenever it likes (§4, §5: every CSMS-initiated
operation may be sent at any time the charge point is connected); the OCA cases script only the
CALLs their subject needs. The simulated charge point answers and acts on every CALL as a real
one would (`octt.chargepoint.responder`); this module only decides what the *case* makes of it
(README, "What a CSMS may do beside the script"):

- harmless — it leaves the subject of the case untouched (a GetConfiguration poll, a change of a
  configuration key the case does not use, a TriggerMessage for a status or a Heartbeat, a
  DataTransfer…): an ``info`` finding;
- interfering — it changes what the case is testing (a RemoteStopTransaction of the
  transaction under test, a Reset, a ChangeAvailability of the connector in use, a SendLocalList
  in a case about the local list…): an ``error`` finding naming the interference;
- with ``strict_unexpected_calls`` (the official tool's behaviour) any unexpected CALL fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from octt.catalog.expansion import expanded
from octt.catalog.model import Catalog, ExpectCallStep, OperatorStep, ReusableState, TestCase
from octt.chargepoint.model import ChargePointState
from octt.findings import Finding, Severity
from octt.pics.model import Profile

POLICY = "README, What a CSMS may do beside the script; OCPP 1.6 §4, §5"
STRICT = "OCA test tool behaviour (--strict-unexpected-calls): no CALL beside the script"
RULE = "unexpected-call"
RULE_INTERFERING = "unexpected-call.interfering"

#: Requests that only read the charge point, or ask it for something outside every case subject.
_READ_ONLY = frozenset(
    {
        "GetConfiguration",
        "GetLocalListVersion",
        "GetCompositeSchedule",
        "GetInstalledCertificateIds",
        "DataTransfer",
    }
)
#: Messages a TriggerMessage may ask for that only report what the charge point already knows.
_HARMLESS_TRIGGERS = frozenset({"StatusNotification", "Heartbeat", "MeterValues"})
#: Configuration keys that change how the charge point connects or authenticates.
_SECURITY_KEYS = frozenset({"AuthorizationKey", "SecurityProfile", "CpoName"})


@dataclass(frozen=True)
class CaseSubject:
    """What a case is about: the CALLs its scenario scripts and the text it mentions."""

    scripted: frozenset[str]
    text: str
    profile: str = ""

    def mentions(self, word: str) -> bool:
        return word in self.text


def case_subject(case: TestCase, catalog: Catalog) -> CaseSubject:
    """The actions a case (with the states it runs) expects from the CSMS, and its text."""
    scripted: set[str] = set()
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for item in expanded([case], catalog):
        if isinstance(item, ReusableState):
            walk(dict(item.parameters))
            continue
        if isinstance(item, ExpectCallStep | OperatorStep):
            scripted.add(item.action)
        walk([getattr(item, f.name) for f in fields(item)])
    return CaseSubject(frozenset(scripted), "\n".join(texts), case.profile.value)


def interference(
    action: str, payload: Mapping[str, Any], cp: ChargePointState, subject: CaseSubject
) -> str | None:
    """How `action` would change what the case tests; None when it leaves the subject alone."""
    if action in _READ_ONLY:
        return None
    if action == "Reset":
        return "a Reset reboots the charge point under test"
    if action == "RemoteStopTransaction":
        wanted = payload.get("transactionId", -1)
        tx = cp.transaction_by_id(wanted)
        # A transaction whose StartTransaction.conf is still on its way has no id yet.
        starting = any(t.transaction_id is None for t in cp.active_transactions())
        if tx is not None or starting:
            return f"it stops transaction {wanted}, the transaction under test"
        return None
    if action == "RemoteStartTransaction":
        return "it starts a transaction the scenario does not script"
    if action == "ClearCache" and (
        subject.profile == Profile.LOCAL_AUTH_LIST_MANAGEMENT.value
        or subject.mentions("AuthorizationCache")
    ):
        return "it clears the authorization cache this case relies on"
    if action in ("ChangeAvailability", "UnlockConnector"):
        return _connector_interference(action, payload, cp)
    if action == "ChangeConfiguration":
        key, value = str(payload.get("key", "")), payload.get("value")
        if cp.config.known(key) and cp.config.get(key) == value:
            return None  # set to the value it has: nothing changes
        if key in _SECURITY_KEYS or subject.mentions(key):
            return f"it changes {key}, a configuration key this case uses"
        return None
    if action in ("TriggerMessage", "ExtendedTriggerMessage"):
        requested = str(payload.get("requestedMessage", ""))
        if requested in _HARMLESS_TRIGGERS or requested not in subject.text:
            return None
        return f"it triggers {requested}, which this case is about"
    if action in subject.scripted:
        return f"it is a {action}, which this case is about, outside the scripted exchange"
    return None


def _connector_interference(
    action: str, payload: Mapping[str, Any], cp: ChargePointState
) -> str | None:
    connector_id = payload.get("connectorId")
    in_use = {
        n
        for n, c in cp.connectors.items()
        if c.transaction is not None or c.reservation_id is not None
    } | {cp.default_connector_id}
    if action == "ChangeAvailability" and payload.get("type") != "Inoperative":
        return None  # making an operative connector operative changes nothing
    if action == "ChangeAvailability" and connector_id == 0:
        return "it changes the availability of the whole charge point"
    if connector_id in in_use:
        return f"it acts on connector {connector_id}, the connector in use"
    return None


def judge(
    action: str,
    payload: Mapping[str, Any],
    cp: ChargePointState,
    subject: CaseSubject,
    *,
    strict: bool,
    frames: tuple[int, ...],
) -> Finding:
    """The finding for a CALL the scenario does not expect (answered and acted on already)."""
    if strict:
        return Finding(
            RULE,
            Severity.ERROR,
            f"the CSMS sent {action}, which the scenario does not expect here"
            " (strict: any unexpected CALL fails)",
            STRICT,
            frames,
        )
    why = interference(action, payload, cp, subject)
    if why is not None:
        return Finding(
            RULE_INTERFERING,
            Severity.ERROR,
            f"the CSMS sent {action} beside the scenario, and it interferes with the case: {why}",
            POLICY,
            frames,
        )
    return Finding(
        RULE,
        Severity.INFO,
        f"the CSMS sent {action} beside the scenario; it leaves the case's subject untouched,"
        " and the simulated charge point answered and acted on it",
        POLICY,
        frames,
    )
