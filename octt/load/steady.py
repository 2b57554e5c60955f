"""The load's steady state: the answers measured once every station was connected.

A run's response times mix two phases: the ramp-up, when the CSMS (and the generator) also
open a connection for every new station, and the steady state, when only the stations' CALLs
flow. A user sizing a CSMS wants both apart. `SteadyState` watches the workers' reports: from
the first report after all the stations were connected at once, every response time it is
given belongs to the steady state (a report holds the times of the second before it, so the
one that brings the last connection still belongs to the ramp-up). A station that drops and
reconnects later does not end it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

from octt.result.performance import percentile


class SteadyState:
    def __init__(self, stations: int) -> None:
        self.stations = stations
        self.since_s: float | None = None  # seconds into the run: every station connected
        self._times_ns: array[int] = array("q")

    def note(self, elapsed_s: float, connected_now: int, times_ns: Iterable[int]) -> None:
        """One report: the run's seconds so far, the stations connected now, its times."""
        if self.since_s is None:
            if connected_now >= self.stations:
                self.since_s = elapsed_s
            return
        self._times_ns.extend(times_ns)

    def to_json(self) -> dict[str, Any] | None:
        """load.json's ``steady_state`` (None: the stations were never all connected)."""
        if self.since_s is None:
            return None
        ordered = sorted(self._times_ns)
        return {
            "since_s": round(self.since_s, 1),
            "calls": len(ordered),
            "latency_s": {
                "p50": _seconds(ordered, 0.5),
                "p99": _seconds(ordered, 0.99),
                "max": round(ordered[-1] / 1e9, 6) if ordered else None,
            },
        }


def _seconds(ordered: list[int], fraction: float) -> float | None:
    return round(percentile(ordered, fraction) / 1e9, 6) if ordered else None
