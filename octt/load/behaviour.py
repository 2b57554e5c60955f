"""What a load station sends, and when: a sans-I/O script over the simulated charge point.

Each station is one `ChargePointState` (the conformance simulator's state, so payloads are built
by the same builders: meter readings grow, transactions carry the CSMS's transactionId). It
boots, reports every connector Available, then, after a random pause each time (exponential
around the mix's think time), does one activity chosen by the mix's weights:

* ``heartbeat`` — Heartbeat;
* ``status`` — StatusNotification of a connector (its current status);
* ``authorize`` — Authorize with the mix's idTag;
* ``transaction`` — on a free connector: StatusNotification Preparing, StartTransaction,
  StatusNotification Charging, MeterValues (``meter_values`` of them, each after a pause),
  StatusNotification Finishing, StopTransaction, StatusNotification Available.

A BootNotification that is not Accepted is repeated after a pause; a transaction whose
StartTransaction got no answer is given up (the connector reports Available again).
"""

from __future__ import annotations

import functools
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from octt.chargepoint.messages import build_request, on_answered, on_sent
from octt.chargepoint.model import ChargePointState


class Activity(StrEnum):
    HEARTBEAT = "heartbeat"
    STATUS = "status"
    AUTHORIZE = "authorize"
    TRANSACTION = "transaction"


DEFAULT_WEIGHTS: Mapping[str, float] = {
    Activity.HEARTBEAT: 4,
    Activity.STATUS: 2,
    Activity.AUTHORIZE: 2,
    Activity.TRANSACTION: 2,
}


def parse_weights(text: str) -> dict[str, float]:
    """``heartbeat=4,status=2,authorize=2,transaction=2`` (missing activities weigh 0)."""
    weights: dict[str, float] = dict.fromkeys(Activity, 0.0)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in weights:
            choices = ", ".join(Activity)
            raise ValueError(f"{part!r}: expected <activity>=<weight> with one of {choices}")
        try:
            weight = float(value)
        except ValueError:
            raise ValueError(f"{part!r}: the weight must be a number") from None
        if weight < 0:
            raise ValueError(f"{part!r}: a weight cannot be negative")
        weights[name.strip()] = weight
    if not any(weights.values()):
        raise ValueError("at least one activity needs a positive weight")
    return weights


@dataclass(frozen=True)
class LoadMix:
    """How each station behaves."""

    think_time_s: float = 10.0  # mean pause between one station's CALLs (exponential)
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    meter_values: int = 3  # MeterValues per transaction
    connectors: int = 2
    id_tag: str = "OCTT-VALID-01"
    vendor: str = "octt"
    model: str = "octt-load"

    def __post_init__(self) -> None:
        if self.think_time_s <= 0:
            raise ValueError(f"think_time_s must be positive, got {self.think_time_s}")
        if self.connectors < 1:
            raise ValueError(f"a station needs at least one connector, got {self.connectors}")
        if self.meter_values < 0:
            raise ValueError(f"meter_values cannot be negative, got {self.meter_values}")
        unknown = set(self.weights) - set(Activity)
        if unknown or not any(self.weights.values()):
            raise ValueError(f"weights need a positive weight among {', '.join(Activity)}")

    def to_json(self) -> dict[str, Any]:
        return {
            "think_time_s": self.think_time_s,
            "weights": {str(k): v for k, v in self.weights.items()},
            "meter_values_per_transaction": self.meter_values,
            "connectors": self.connectors,
            "id_tag": self.id_tag,
        }


@dataclass(frozen=True)
class Planned:
    """One CALL the station will send: the action, its connector, payload overrides."""

    action: str
    connector: int | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    transaction: bool = False  # part of a transaction sequence (given up if it cannot start)


@functools.cache
def _status(connector: int, status: str, *, transaction: bool = False) -> Planned:
    return Planned(
        "StatusNotification", connector, MappingProxyType({"status": status}), transaction
    )


@functools.cache
def _planned(action: str, connector: int | None = None, *, transaction: bool = False) -> Planned:
    """The plan's steps are immutable: one of each for all the stations of a process, rather
    than new objects for every CALL."""
    return Planned(action, connector, transaction=transaction)


class StationBehaviour:
    """The script of one load station (no I/O: it is asked what to send and told the answers)."""

    def __init__(self, cp_id: str, mix: LoadMix, rng: random.Random) -> None:
        self.cp_id = cp_id
        self._mix = mix
        self._rng = rng
        self.state = ChargePointState.create(
            cp_id, mix.vendor, mix.model, mix.connectors, default_id_tag=mix.id_tag
        )
        self._plan: deque[Planned] = deque([_planned("BootNotification")])
        self._plan.extend(_status(c, "Available") for c in range(mix.connectors + 1))
        activities = [a for a in Activity if mix.weights.get(a, 0) > 0]
        self._activities = activities
        self._weights = [mix.weights[a] for a in activities]
        self._current: Planned | None = None

    def pause_s(self) -> float:
        """How long to wait before the next CALL."""
        return self._rng.expovariate(1 / self._mix.think_time_s)

    def next_call(self, now: datetime) -> tuple[str, dict[str, Any]]:
        """The next CALL's action and payload; the station's state already counts it as sent."""
        if not self._plan:
            self._choose()
        planned = self._plan.popleft()
        self._current = planned
        state = self.state
        payload = build_request(state, planned.action, planned.connector, planned.overrides, now)
        on_sent(self.state, planned.action, payload, now)
        return planned.action, payload

    def answered(
        self, action: str, request: Mapping[str, Any], response: Mapping[str, Any] | None
    ) -> None:
        """The CSMS's CALLRESULT payload to the last CALL, or None (CALLERROR, no answer)."""
        planned = self._current
        self._current = None
        if response is not None:
            on_answered(self.state, action, request, response)
        if action == "BootNotification" and (
            response is None or response.get("status") != "Accepted"
        ):
            self._plan.appendleft(_planned("BootNotification"))
        elif action == "StartTransaction" and response is None and planned is not None:
            self._give_up_transaction(planned.connector)
        elif action == "StopTransaction" and response is None and planned is not None:
            # No answer: the station forgets the transaction rather than keep the connector.
            connector = self.state.connectors.get(planned.connector or -1)
            if connector is not None:
                connector.transaction = None

    def _give_up_transaction(self, connector_id: int | None) -> None:
        self._plan = deque(p for p in self._plan if not p.transaction)
        if connector_id is not None and connector_id in self.state.connectors:
            self.state.connectors[connector_id].transaction = None
            self._plan.append(_status(connector_id, "Available"))

    def _choose(self) -> None:
        activity = self._rng.choices(self._activities, self._weights)[0]
        connectors = range(1, self._mix.connectors + 1)
        if activity is Activity.TRANSACTION:
            free = [c for c in connectors if self.state.connectors[c].transaction is None]
            if free:
                self._plan.extend(self._transaction(self._rng.choice(free)))
                return
            activity = Activity.HEARTBEAT
        if activity is Activity.HEARTBEAT:
            self._plan.append(_planned("Heartbeat"))
        elif activity is Activity.STATUS:
            self._plan.append(_planned("StatusNotification", self._rng.choice(list(connectors))))
        else:
            self._plan.append(_planned("Authorize"))

    def _transaction(self, connector: int) -> list[Planned]:
        steps = [
            _status(connector, "Preparing", transaction=True),
            _planned("StartTransaction", connector, transaction=True),
            _status(connector, "Charging", transaction=True),
        ]
        steps += [_planned("MeterValues", connector, transaction=True)] * self._mix.meter_values
        steps += [
            _status(connector, "Finishing", transaction=True),
            _planned("StopTransaction", connector, transaction=True),
            _status(connector, "Available", transaction=True),
        ]
        return steps
