"""Load settings (validation, station ids, spreading over processes) and the result's figures:
memory per station, completeness, load.json's shape."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from load_samples import MiB, result, worker

from octt.load.runner import LoadSettings, machine

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "schemas" / "load.schema.json").read_text("utf-8")
)


def test_settings_validate() -> None:
    for bad in (
        {"stations": 0},
        {"duration_s": 0},
        {"ramp_per_s": 0},
        {"processes": -1},
        {"response_timeout_s": 0},
    ):
        with pytest.raises(ValueError):
            LoadSettings(**{"stations": 1, "duration_s": 1.0, **bad})


def test_station_ids_and_worker_count() -> None:
    settings = LoadSettings(stations=3, duration_s=1, processes=8, cp_id_prefix="X-")
    assert [settings.cp_id(i) for i in range(3)] == ["X-00001", "X-00002", "X-00003"]
    assert settings.worker_count == 3  # never more workers than stations
    assert LoadSettings(stations=100, duration_s=1, processes=2).worker_count == 2
    assert LoadSettings(stations=100, duration_s=None).to_json()["duration_s"] is None


def test_memory_per_station_is_growth_over_connected_stations() -> None:
    loaded = result()
    assert loaded.memory_per_station == (1 * MiB + 2 * MiB) / 4
    assert loaded.csms_memory_per_station == 4 * MiB / 4
    assert result(workers=()).memory_per_station is None
    assert result(csms=None).csms_memory_per_station is None


def test_complete_needs_every_station_no_failure_no_octt_error() -> None:
    assert result().complete
    assert not result(peak_connected=3).complete
    assert not result(failures=("worker 0: boom",)).complete
    assert not result(workers=(worker(1, 4, 0, 1, errors=2),)).complete


def test_load_json_follows_its_schema() -> None:
    document = result().to_json()
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["stations"] == {
        "target": 4,
        "peak_connected": 4,
        "memory_per_station_bytes": round(3 * MiB / 4),
    }
    assert document["csms"]["embedded"] is True
    assert document["csms"]["process"]["cpus"] == [0, 1]
    assert document["actions"][0]["latency_s"]["p99"] == 0.01
    assert document["timeline"][1]["p50_s"] is None
    jsonschema.Draft202012Validator(SCHEMA).validate(result(csms=None).to_json())


def test_machine_names_cpus_and_python() -> None:
    facts = machine()
    assert facts["cpus"] and facts["python"].startswith(("CPython", "PyPy"))
