"""The run's selection and the OCA cases outside it, as result.json records them."""

from __future__ import annotations

import json

from octt.result.coverage import OutsideCase, RunScope, scope_from_json

SCOPE = RunScope(
    profiles=("core",),
    tests=("TC_001_CSMS",),
    outside=(
        OutsideCase("TC_044_1_CSMS", "firmware-management", "Firmware", True),
        OutsideCase("TC_046_CSMS", "reservation", "Reserve", False, "PICS profiles.reservation"),
    ),
)


def test_round_trip_through_json() -> None:
    assert scope_from_json(json.loads(json.dumps(SCOPE.to_json()))) == SCOPE


def test_selection_in_the_words_of_the_command_line() -> None:
    assert SCOPE.selection == "--profile core --test TC_001_CSMS"
    assert RunScope().selection == "all cases"


def test_only_mandatory_cases_left_out_make_a_run_partial() -> None:
    assert [c.id for c in SCOPE.missing] == ["TC_044_1_CSMS"]
    assert RunScope(outside=SCOPE.outside[1:]).missing == ()


def test_missing_keys_take_defaults() -> None:
    scope = scope_from_json({"selection": {}, "outside": [{"id": "TC_001_CSMS"}]})
    assert scope == RunScope(outside=(OutsideCase("TC_001_CSMS", "", "", False),))
