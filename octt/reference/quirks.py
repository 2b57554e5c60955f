"""Quirk switches of the reference CSMS: legal behaviours that differ from its defaults.

The mirror of `octt.reference.faults`: a fault breaks a checked behaviour so that a case can be
shown to FAIL; a quirk is something OCPP 1.6 / OCPP-J 1.6 allows a Central System to do, which
real ones do, so that every applicable case can be shown to PASS with it (the legal-behaviour
matrix). Owns the `Quirk` enum (kebab-case names as given on the command line), the one-line
description of each, the timing of the scheduled ones, and parsing of quirk names.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from enum import StrEnum


class Quirk(StrEnum):
    # CALLs the CSMS sends on its own (OCPP 1.6 §5: a Central System may send them any time).
    GET_CONFIGURATION_POLL_AFTER_BOOT = "get-configuration-poll-after-boot"
    POLL_BEFORE_TRIGGERED = "get-configuration-before-triggered"
    HOUSEKEEPING = "periodic-housekeeping"
    TRIGGER_PROBES = "trigger-probes"
    # Connection handling.
    DUPLICATE_ID_HOLD = "duplicate-id-hold"
    FREQUENT_PINGS = "frequent-pings"
    # How frames are written.
    CURRENT_TIME_OFFSET = "current-time-offset"
    NUMERIC_UNIQUE_IDS = "numeric-unique-ids"
    REFORMATTED_FRAMES = "reformatted-frames"


_DESCRIPTIONS = {
    Quirk.GET_CONFIGURATION_POLL_AFTER_BOOT: "sends GetConfiguration (all keys) right after"
    " every accepted BootNotification",
    Quirk.POLL_BEFORE_TRIGGERED: "sends a GetConfiguration poll of its own just before a"
    " triggered GetConfiguration or ChangeConfiguration",
    Quirk.HOUSEKEEPING: "GetConfiguration + ChangeConfiguration(HeartbeatInterval, unchanged) +"
    " TriggerMessage(StatusNotification) shortly after every connect, then periodically",
    Quirk.TRIGGER_PROBES: "TriggerMessage(Heartbeat) probes at intervals, between the steps",
    Quirk.DUPLICATE_ID_HOLD: "refuses a connection of a charge point id for a short while"
    " after its previous connection closed (HTTP 409)",
    Quirk.FREQUENT_PINGS: "sends a WebSocket ping every 200 ms",
    Quirk.CURRENT_TIME_OFFSET: "currentTime with a +02:00 offset and no fractional seconds",
    Quirk.NUMERIC_UNIQUE_IDS: "unique ids of its CALLs are a counter restarting at 1 on every"
    " connection (OCPP-J 1.6 §4.1.4 only asks them to be unique per connection and sender)",
    Quirk.REFORMATTED_FRAMES: "frames with another key order and with whitespace",
}

#: Quirk.HOUSEKEEPING: the first round after connect, then every period (real seconds).
HOUSEKEEPING_DELAY_S = 0.02
HOUSEKEEPING_PERIOD_S = 0.5
#: Quirk.TRIGGER_PROBES: the first probe after connect, then the pause between two probes.
PROBE_DELAY_S = 0.05
PROBE_PERIOD_S = 0.25
#: Quirk.DUPLICATE_ID_HOLD: how long the id stays held after a close.
DUPLICATE_ID_HOLD_S = 0.05
#: Quirk.FREQUENT_PINGS: the ping interval.
PING_INTERVAL_S = 0.2
#: Quirk.CURRENT_TIME_OFFSET: the offset the CSMS writes its time in.
OFFSET = timezone(timedelta(hours=2))


def describe(quirk: Quirk) -> str:
    return _DESCRIPTIONS[quirk]


def parse_quirks(names: Iterable[str]) -> frozenset[Quirk]:
    """Quirks from their kebab-case names; ValueError naming the unknown ones."""
    known = {q.value: q for q in Quirk}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown quirk(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return frozenset(known[n] for n in names)


def current_time(now: datetime, quirks: frozenset[Quirk]) -> str | None:
    """currentTime as Quirk.CURRENT_TIME_OFFSET writes it (None: the default form)."""
    if Quirk.CURRENT_TIME_OFFSET not in quirks:
        return None
    return now.astimezone(OFFSET).replace(microsecond=0).isoformat()
