"""Conformance under load: N stations keep the CSMS busy while `octt run` runs its cases.

`BackgroundLoad` starts the stations (worker processes, as `octt load`) against the run's CSMS
before the first case, waits (bounded) until they are all connected, and stops them after the
last case. `figures` condenses the load's `LoadResult` into the ``background_load`` entry of
result.json's ``settings``: what load there was (stations, their mix, how many were connected,
calls per second) and how the CSMS answered them (errors, CALLERRORs, schema failures, response
time percentiles), beside the run's own response-time figures, which were measured under it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from octt.load.behaviour import LoadMix
from octt.load.runner import LoadResult, LoadRun, LoadSettings
from octt.load.stats import ALL_ACTIONS
from octt.pics.model import Pics

#: Station ids of the background load (never the run's own charge point id).
CP_ID_PREFIX = "OCTT-BG-"
#: How fast the background stations connect (per second), and the least time allowed for it.
RAMP_PER_S = 200.0
RAMP_GRACE_S = 30.0


@dataclass(frozen=True)
class BackgroundOptions:
    stations: int
    think_time_s: float = 10.0
    ramp_per_s: float = RAMP_PER_S
    processes: int = 0

    def __post_init__(self) -> None:
        if self.stations < 1:
            raise ValueError(f"the background load needs at least 1 station, got {self.stations}")
        if self.think_time_s <= 0:
            raise ValueError(f"the think time must be positive, got {self.think_time_s}")


class BackgroundLoad:
    """The background stations of one run."""

    def __init__(self, options: BackgroundOptions, csms_url: str, pics: Pics) -> None:
        data = pics.test_data
        self.options = options
        self.settings = LoadSettings(
            stations=options.stations,
            duration_s=None,
            ramp_per_s=options.ramp_per_s,
            mix=LoadMix(
                think_time_s=options.think_time_s,
                connectors=data.number_of_connectors,
                id_tag=data.valid_id_tag,
                vendor=data.charge_point_vendor,
                model=data.charge_point_model,
            ),
            processes=options.processes,
            response_timeout_s=pics.limits.response_timeout_s,
            csms_url=csms_url,
            cp_id_prefix=CP_ID_PREFIX,
        )
        self._run = LoadRun(self.settings)
        self.connected_before_cases = 0

    async def start(self) -> None:
        """Start the stations and wait until all are connected (or the ramp's time is up)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._run.start)
        stations = self.options.stations
        bound = stations / self.options.ramp_per_s + RAMP_GRACE_S
        await loop.run_in_executor(None, self._run.wait_connected, stations, bound)
        self.connected_before_cases = self._run.progress().peak_connected

    async def stop(self) -> LoadResult:
        return await asyncio.get_running_loop().run_in_executor(None, self._run.stop)


def figures(result: LoadResult, connected_before_cases: int) -> dict[str, Any]:
    """The ``settings.background_load`` entry of result.json."""
    total = next((a for a in result.actions if a.action == ALL_ACTIONS), None)
    calls = total.count if total is not None else 0
    return {
        "stations": result.settings.stations,
        "connected_before_cases": connected_before_cases,
        "peak_connected": result.peak_connected,
        "think_time_s": result.settings.mix.think_time_s,
        "processes": result.settings.worker_count,
        "duration_s": round(result.duration_s, 1),
        "calls": calls,
        "calls_per_s": round(calls / result.duration_s, 1) if result.duration_s > 0 else 0.0,
        "errors": total.errors if total is not None else 0,
        "callerrors": total.callerrors if total is not None else 0,
        "schema_failures": total.schema_failures if total is not None else 0,
        "latency_s": (
            total.to_json()["latency_s"]
            if total is not None
            else {"p50": None, "p95": None, "p99": None, "max": None, "mean": None}
        ),
        "actions": [a.to_json() for a in result.actions if a.action != ALL_ACTIONS],
    }
