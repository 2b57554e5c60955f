"""The steady state: response times from the first report after every station was connected."""

from __future__ import annotations

from octt.load.steady import SteadyState

MS = 1_000_000


def test_times_count_from_the_report_after_all_stations_connected() -> None:
    steady = SteadyState(stations=3)
    assert steady.to_json() is None
    steady.note(1.0, 2, [900 * MS])  # the ramp-up
    steady.note(2.0, 3, [800 * MS])  # brings the last connection: still the ramp-up's second
    steady.note(3.0, 3, [MS * n for n in range(1, 101)])
    steady.note(4.0, 2, [5 * MS])  # a station dropped: the steady state goes on
    figures = steady.to_json()
    assert figures == {
        "since_s": 2.0,
        "calls": 101,
        "latency_s": {"p50": 0.05, "p99": 0.099, "max": 0.1},  # nearest rank, 101 times
    }


def test_no_answers_yet_gives_no_percentiles() -> None:
    steady = SteadyState(stations=1)
    steady.note(0.5, 1, [])
    assert steady.to_json() == {
        "since_s": 0.5,
        "calls": 0,
        "latency_s": {"p50": None, "p99": None, "max": None},
    }
