"""The legal-behaviour matrix, the mirror of the fault matrix: against the reference CSMS with
each quirk (a behaviour OCPP 1.6 / OCPP-J 1.6 allows, unlike the reference's default), every
applicable OCA case passes. One run per quirk over all cases, reconnecting almost at once; the
trace shows that the quirk really happened."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import RunAgainstReference, run_against_reference_async

from octt.catalog.loader import load_catalog
from octt.config import RunConfig
from octt.engine.checks import CHECKS
from octt.findings import Severity
from octt.pics.model import Profile
from octt.reference.quirks import Quirk
from octt.result.model import Verdict

CATALOG = load_catalog(known_checks=frozenset(CHECKS))
OCA_CASES = [c.id for c in CATALOG.cases if c.profile is not Profile.ROBUSTNESS]
CONFIG = RunConfig(operator_timeout_s=3.0, reconnect_pause_s=0.001)

Line = dict[str, Any]


def _calls(lines: list[Line], action: str) -> list[list[Any]]:
    """The CALLs of `action` the CSMS sent."""
    frames = [json.loads(str(line["text"])) for line in lines if line.get("dir") == "csms->cp"]
    return [f for f in frames if f[0] == 2 and f[2] == action]


def _texts(lines: list[Line]) -> list[str]:
    return [str(line["text"]) for line in lines if line.get("dir") == "csms->cp"]


def _count(lines: list[Line], action: str, payload: dict[str, Any]) -> int:
    return sum(1 for c in _calls(lines, action) if c[3] == payload)


def _more(action: str, payload: dict[str, Any]) -> Callable[[list[Line], list[Line]], bool]:
    """The quirk run has more CALLs of `action` with `payload` than the default run."""
    return lambda run, default: _count(run, action, payload) > _count(default, action, payload)


def _any(check: Callable[[list[Line]], bool]) -> Callable[[list[Line], list[Line]], bool]:
    return lambda run, default: check(run) and not check(default)


#: What the trace shows of each quirk, compared with a run without quirks (None: nothing the
#: trace records, e.g. WebSocket pings).
WITNESS: dict[Quirk, Callable[[list[Line], list[Line]], bool] | None] = {
    Quirk.GET_CONFIGURATION_POLL_AFTER_BOOT: _more("GetConfiguration", {}),
    Quirk.POLL_BEFORE_TRIGGERED: _more("GetConfiguration", {}),
    Quirk.HOUSEKEEPING: _more("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "300"}),
    Quirk.TRIGGER_PROBES: _more("TriggerMessage", {"requestedMessage": "Heartbeat"}),
    Quirk.DUPLICATE_ID_HOLD: _any(
        lambda t: any(
            line.get("event") == "connect-failed" and "409" in str(line.get("detail")) for line in t
        )
    ),
    Quirk.FREQUENT_PINGS: None,
    Quirk.CURRENT_TIME_OFFSET: _any(lambda t: any("+02:00" in text for text in _texts(t))),
    Quirk.NUMERIC_UNIQUE_IDS: _any(
        lambda t: any(json.loads(text)[:2] == [2, "1"] for text in _texts(t))
    ),
    Quirk.REFORMATTED_FRAMES: _any(lambda t: any("\n" in text for text in _texts(t))),
}


def _lines(path: Path) -> list[Line]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def default_trace(tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    """The trace of all cases against the reference CSMS without quirks."""
    trace = tmp_path_factory.mktemp("default") / "trace.jsonl"
    asyncio.run(run_against_reference_async(OCA_CASES, config=CONFIG, trace=trace))
    return _lines(trace)


def test_every_quirk_has_a_witness_entry() -> None:
    assert set(WITNESS) == set(Quirk)


@pytest.mark.parametrize("quirk", list(Quirk), ids=[q.value for q in Quirk])
def test_every_applicable_case_passes_with_the_quirk(
    run_against_reference: RunAgainstReference,
    quirk: Quirk,
    tmp_path: Path,
    default_trace: list[Line],
) -> None:
    trace = tmp_path / "trace.jsonl"
    result = run_against_reference(OCA_CASES, quirks=[quirk.value], config=CONFIG, trace=trace)
    ran = [c for c in result.cases if c.verdict is not Verdict.NOT_APPLICABLE]
    assert ran, "no applicable case ran"
    failed = {
        c.id: (c.verdict.value, c.reason)
        for c in ran
        if c.verdict not in (Verdict.PASS, Verdict.SKIPPED)
    }
    assert failed == {}, failed
    assert [f for c in ran for f in c.findings if f.severity is Severity.ERROR] == []
    witness = WITNESS[quirk]
    if witness is not None:
        assert witness(_lines(trace), default_trace), f"the trace shows no sign of {quirk.value}"
