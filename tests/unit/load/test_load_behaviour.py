"""The load station's script: boot, every connector Available, then weighted activities; a
transaction's whole sequence; repeats and give-ups when answers do not come."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from octt.load.behaviour import Activity, LoadMix, StationBehaviour, parse_weights

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def station(**mix: Any) -> StationBehaviour:
    return StationBehaviour("LOAD-1", LoadMix(**mix), random.Random(3))


def answer(action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    return {
        "BootNotification": {"status": "Accepted", "currentTime": "x", "interval": 300},
        "StartTransaction": {"transactionId": 7, "idTagInfo": {"status": "Accepted"}},
        "Authorize": {"idTagInfo": {"status": "Accepted"}},
    }.get(action, {})


def actions(behaviour: StationBehaviour, n: int) -> list[tuple[str, dict[str, Any]]]:
    sent = []
    for _ in range(n):
        action, payload = behaviour.next_call(NOW)
        behaviour.answered(action, payload, answer(action, payload))
        sent.append((action, payload))
    return sent


def test_boots_then_reports_every_connector_available() -> None:
    sent = actions(station(connectors=2), 4)
    assert [a for a, _ in sent] == ["BootNotification", *["StatusNotification"] * 3]
    assert [(p["connectorId"], p["status"]) for _, p in sent[1:]] == [
        (0, "Available"),
        (1, "Available"),
        (2, "Available"),
    ]


def test_a_transaction_runs_its_whole_sequence() -> None:
    behaviour = station(weights={"transaction": 1}, meter_values=2, connectors=1)
    sent = actions(behaviour, 3 + 8)[3:]
    assert [(a, p.get("status")) for a, p in sent] == [
        ("StatusNotification", "Preparing"),
        ("StartTransaction", None),
        ("StatusNotification", "Charging"),
        ("MeterValues", None),
        ("MeterValues", None),
        ("StatusNotification", "Finishing"),
        ("StopTransaction", None),
        ("StatusNotification", "Available"),
    ]
    meter = [p for a, p in sent if a == "MeterValues"]
    assert all(p["transactionId"] == 7 for p in meter)
    stop = next(p for a, p in sent if a == "StopTransaction")
    assert stop["transactionId"] == 7 and stop["meterStop"] > 0
    assert behaviour.state.connectors[1].transaction is None


def test_only_the_weighted_activities_happen() -> None:
    sent = actions(station(weights={"heartbeat": 1, "authorize": 1}), 60)[4:]
    assert {a for a, _ in sent} == {"Heartbeat", "Authorize"}
    assert all(p == {"idTag": "OCTT-VALID-01"} for a, p in sent if a == "Authorize")


def test_a_boot_not_accepted_is_repeated() -> None:
    behaviour = station()
    action, payload = behaviour.next_call(NOW)
    behaviour.answered(action, payload, {"status": "Pending", "currentTime": "x", "interval": 5})
    assert behaviour.next_call(NOW)[0] == "BootNotification"
    behaviour.answered("BootNotification", {}, None)  # a CALLERROR or no answer at all
    assert behaviour.next_call(NOW)[0] == "BootNotification"


def test_a_transaction_that_could_not_start_is_given_up() -> None:
    behaviour = station(weights={"transaction": 1}, connectors=1)
    actions(behaviour, 3)
    action, payload = behaviour.next_call(NOW)
    behaviour.answered(action, payload, {})  # Preparing
    action, payload = behaviour.next_call(NOW)
    assert action == "StartTransaction"
    behaviour.answered(action, payload, None)
    action, payload = behaviour.next_call(NOW)
    assert (action, payload["status"]) == ("StatusNotification", "Available")
    assert behaviour.state.connectors[1].transaction is None


def test_pauses_are_exponential_around_the_think_time() -> None:
    behaviour = station(think_time_s=2.0)
    pauses = [behaviour.pause_s() for _ in range(4000)]
    assert 1.8 < sum(pauses) / len(pauses) < 2.2
    assert min(pauses) >= 0


def test_parse_weights() -> None:
    assert parse_weights("heartbeat=3, transaction=1") == {
        Activity.HEARTBEAT: 3.0,
        Activity.STATUS: 0.0,
        Activity.AUTHORIZE: 0.0,
        Activity.TRANSACTION: 1.0,
    }
    for bad, message in (
        ("heartbeat", "expected <activity>=<weight>"),
        ("dance=1", "expected <activity>=<weight>"),
        ("heartbeat=x", "must be a number"),
        ("heartbeat=-1", "cannot be negative"),
        ("heartbeat=0", "at least one activity"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_weights(bad)


@pytest.mark.parametrize(
    "mix",
    [
        {"think_time_s": 0},
        {"connectors": 0},
        {"meter_values": -1},
        {"weights": {"dance": 1}},
        {"weights": {"heartbeat": 0}},
    ],
)
def test_mix_rejects_nonsense(mix: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        LoadMix(**mix)


def test_mix_to_json() -> None:
    assert LoadMix(think_time_s=3).to_json() == {
        "think_time_s": 3,
        "weights": {"heartbeat": 4, "status": 2, "authorize": 2, "transaction": 2},
        "meter_values_per_transaction": 3,
        "connectors": 2,
        "id_tag": "OCTT-VALID-01",
    }
