"""The background load of `octt run --background-load`: stations connected before the cases,
stopped after them, and the figures result.json and the reports show."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from load_samples import result

from octt.load.background import BackgroundLoad, BackgroundOptions, figures
from octt.pics.model import load_pics
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.resources import default_pics_path

PICS = load_pics(default_pics_path())


def test_stations_load_the_csms_until_stopped() -> None:
    async def scenario() -> tuple[BackgroundLoad, dict[str, object]]:
        async with ReferenceCsms(ReferenceConfig()) as csms:
            load = BackgroundLoad(
                BackgroundOptions(3, think_time_s=0.05, processes=1), csms.ocpp_url, PICS
            )
            await load.start()
            assert load.connected_before_cases == 3
            assert sum(cp.startswith("OCTT-BG-") for cp in csms.connected()) == 3
            outcome = await load.stop()
            return load, figures(outcome, load.connected_before_cases)

    load, shown = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert load.settings.duration_s is None and load.settings.response_timeout_s == 30
    assert shown["stations"] == 3 and shown["peak_connected"] == 3
    assert shown["errors"] == shown["callerrors"] == shown["schema_failures"] == 0
    assert isinstance(shown["calls"], int) and shown["calls"] >= 12  # boot + 3 statuses each


def test_figures() -> None:
    shown = figures(result(), 4)
    assert shown["stations"] == 4 and shown["connected_before_cases"] == 4
    assert shown["calls"] == 10 and shown["calls_per_s"] == round(10 / 60, 1)
    assert shown["latency_s"]["p99"] == 0.01
    assert [a["action"] for a in shown["actions"]] == ["Heartbeat"]
    empty = figures(replace(result(), actions=(), duration_s=0.0), 0)
    assert empty["calls"] == 0 and empty["latency_s"]["p50"] is None


def test_options_validate() -> None:
    with pytest.raises(ValueError):
        BackgroundOptions(0)
    with pytest.raises(ValueError):
        BackgroundOptions(5, think_time_s=0)
