"""Local Auth List Management, Reservation and Remote Trigger: every case fails, with the
finding that names the cause, against a reference CSMS with a fault that breaks what the case
checks — and a case the fault does not concern still passes. All pass against the good
reference; without the profile in the PICS they do not apply.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import RunAgainstReference, assert_fails_against_fault

from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.cli import main
from octt.cli.env import Environment
from octt.config import RunConfig
from octt.pics.model import Profile, load_pics, pics_from_data
from octt.resources import default_pics_path
from octt.result.model import Verdict

PROFILES = (Profile.LOCAL_AUTH_LIST_MANAGEMENT, Profile.RESERVATION, Profile.REMOTE_TRIGGER)

UPDATE_TYPE = "expect.SendLocalList.updateType"
ENTRY_INFO = "expect.SendLocalList.localAuthorizationList.*.idTagInfo"
RESERVE_CONNECTOR = "expect.ReserveNow.connectorId"
RESERVE_ID_TAG = "expect.ReserveNow.idTag"
START_STATUS = "expect.StartTransaction.idTagInfo.status"
TRIGGERED = "expect.TriggerMessage.requestedMessage"

# (case, fault, rule of the expected error finding, a case the same fault must not break)
MATRIX: list[tuple[str, str, str, str]] = [
    # Local Auth List Management
    ("TC_042_1_CSMS", "get-local-list-version-extra-field", "schema.request", "TC_043_1_CSMS"),
    ("TC_042_2_CSMS", "get-local-list-version-extra-field", "schema.request", "TC_043_4_CSMS"),
    ("TC_043_1_CSMS", "send-local-list-wrong-type", UPDATE_TYPE, "TC_042_1_CSMS"),
    ("TC_043_3_CSMS", "send-local-list-wrong-type", UPDATE_TYPE, "TC_042_2_CSMS"),
    ("TC_043_4_CSMS", "send-local-list-wrong-type", UPDATE_TYPE, "TC_042_1_CSMS"),
    # TC_043_1 checks only updateType: entries without idTagInfo do not concern it.
    ("TC_043_4_CSMS", "send-local-list-no-idtaginfo", ENTRY_INFO, "TC_043_1_CSMS"),
    ("TC_043_5_CSMS", "send-local-list-no-idtaginfo", ENTRY_INFO, "TC_043_3_CSMS"),
    (
        "TC_043_5_CSMS",
        "send-local-list-stale-version",
        "expect.SendLocalList.listVersion",
        "TC_043_4_CSMS",
    ),
    # Reservation
    ("TC_046_CSMS", "reserve-now-wrong-connector", RESERVE_CONNECTOR, "TC_051_CSMS"),
    ("TC_046_CSMS", "reserved-start-rejected", START_STATUS, "TC_003_CSMS"),
    ("TC_047_CSMS", "reserve-now-late-expiry", "expect.ReserveNow.expiryDate", "TC_046_CSMS"),
    ("TC_047_CSMS", "reserve-now-wrong-idtag", RESERVE_ID_TAG, "TC_049_CSMS"),
    ("TC_048_1_CSMS", "reserve-now-wrong-idtag", RESERVE_ID_TAG, "TC_049_CSMS"),
    ("TC_048_2_CSMS", "reserve-now-wrong-connector", RESERVE_CONNECTOR, "TC_053_CSMS"),
    (
        "TC_048_3_CSMS",
        "change-availability-operative",
        "expect.ChangeAvailability.type",
        "TC_048_4_CSMS",
    ),
    (
        "TC_048_3_CSMS",
        "change-availability-wrong-connector",
        "expect.ChangeAvailability.connectorId",
        "TC_048_1_CSMS",
    ),
    # TC_049 wants connectorId 0: a CSMS that always reserves the whole charge point passes it.
    ("TC_048_4_CSMS", "reserve-now-any-connector", RESERVE_CONNECTOR, "TC_049_CSMS"),
    ("TC_049_CSMS", "reserve-now-wrong-connector", RESERVE_CONNECTOR, "TC_051_CSMS"),
    # TC_052 (newest edition) does not check the reservationId of the CancelReservation.
    (
        "TC_051_CSMS",
        "cancel-reservation-wrong-id",
        "expect.CancelReservation.reservationId",
        "TC_052_CSMS",
    ),
    ("TC_051_CSMS", "reserve-now-any-connector", RESERVE_CONNECTOR, "TC_049_CSMS"),
    ("TC_052_CSMS", "cancel-reservation-string-id", "schema.request", "TC_046_CSMS"),
    # TC_046's driver holds the reserved idTag itself: a CSMS blind to the parent still passes it.
    ("TC_053_CSMS", "reservation-ignores-parent", START_STATUS, "TC_046_CSMS"),
    ("TC_053_CSMS", "reserve-now-any-connector", RESERVE_CONNECTOR, "TC_049_CSMS"),
    # Remote Trigger; TC_055 (newest edition) does not check the connectorId.
    (
        "TC_054_CSMS",
        "trigger-message-wrong-connector",
        "expect.TriggerMessage.connectorId",
        "TC_055_CSMS",
    ),
    ("TC_054_CSMS", "trigger-message-wrong-message", TRIGGERED, "TC_042_2_CSMS"),
    ("TC_055_CSMS", "trigger-message-wrong-message", TRIGGERED, "TC_043_1_CSMS"),
]


@functools.cache
def _catalog() -> Catalog:
    return load_catalog()


def _cases() -> set[str]:
    return {c.id for c in _catalog().cases if c.profile in PROFILES}


def test_matrix_covers_every_case_of_the_three_profiles() -> None:
    assert len(_cases()) == 18
    assert _cases() == {row[0] for row in MATRIX}


@pytest.mark.parametrize(("case_id", "fault", "rule", "control"), MATRIX)
def test_case_fails_against_fault(
    run_against_reference: RunAgainstReference, case_id: str, fault: str, rule: str, control: str
) -> None:
    # A shorter time scale than the default: the late expiry of TC_047 need not be waited out.
    config = RunConfig(operator_timeout_s=1.5, time_scale=0.0001)
    assert_fails_against_fault(run_against_reference, case_id, fault, rule, control, config)


def test_all_cases_pass_against_the_good_reference(
    run_against_reference: RunAgainstReference,
) -> None:
    result = run_against_reference(sorted(_cases()))
    assert [(c.id, c.reason) for c in result.cases if c.verdict is not Verdict.PASS] == []
    assert not [f for c in result.cases for f in c.findings], "a good CSMS gives no findings"
    expiry = next(c for c in result.cases if c.id == "TC_047_CSMS")
    assert 0.3 <= expiry.duration_s < 2.0  # 300 simulated seconds at the default time scale


def test_the_optional_getlocallistversion_of_tc_043_5_is_answered_without_a_warning(
    run_against_reference: RunAgainstReference, tmp_path: Path
) -> None:
    trace = tmp_path / "trace.jsonl"
    result = run_against_reference(["TC_043_5_CSMS"], trace=trace)
    assert result.cases[0].verdict is Verdict.PASS
    frames = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    calls = [json.loads(f["text"]) for f in frames if f.get("text", "").startswith("[2,")]
    local_lists = [c[3] for c in calls if c[2] == "SendLocalList"]
    assert [(p["updateType"], len(p["localAuthorizationList"])) for p in local_lists] == [
        ("Full", 1),
        ("Differential", 1),
    ]
    assert local_lists[1]["listVersion"] == local_lists[0]["listVersion"] + 1


def _pics_data() -> dict[str, Any]:
    return json.loads(json.dumps(load_pics(default_pics_path()).raw))


@pytest.mark.parametrize("profile", PROFILES)
def test_a_pics_without_the_profile_makes_its_cases_not_applicable(
    run_against_reference: RunAgainstReference, profile: Profile
) -> None:
    data = _pics_data()
    data["profiles"][profile.value] = False
    pics = pics_from_data(data)
    ids = sorted(c.id for c in _catalog().cases if c.profile is profile)
    result = run_against_reference(ids, pics=pics)
    assert {(c.verdict, c.reason) for c in result.cases} == {
        (Verdict.NOT_APPLICABLE, f"PICS profiles.{profile.value} is not claimed")
    }


def test_missing_test_data_makes_a_case_not_run_never_not_applicable(
    run_against_reference: RunAgainstReference,
) -> None:
    data = _pics_data()
    data["test_data"]["child_id_tags"] = data["test_data"]["child_id_tags"][:1]
    del data["test_data"]["local_list_id_tag"]
    result = run_against_reference(["TC_053_CSMS", "TC_043_5_CSMS"], pics=pics_from_data(data))
    reasons = {c.id: (c.verdict, c.missing_test_data) for c in result.cases}
    assert reasons == {
        "TC_053_CSMS": (Verdict.NOT_RUN, ("test_data.child_id_tags.1",)),
        "TC_043_5_CSMS": (Verdict.NOT_RUN, ("test_data.local_list_id_tag",)),
    }
    assert result.verdict is Verdict.FAIL  # cases the claims make mandatory did not run


def test_octt_list_json_shows_the_cases_with_their_profiles(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=tmp_path, environ={})
    assert main(["list", "--json"], env=env) == 0, stderr.getvalue()
    ours = _cases()
    rows = {r["id"]: r for r in json.loads(stdout.getvalue()) if r["id"] in ours}
    assert len(rows) == 18
    profile_of = {c.id: c.profile.value for c in _catalog().cases}
    for case_id, row in rows.items():
        assert row["profile"] == profile_of[case_id]
        assert (row["applicable"], row["needs_operator"]) == (True, True)
    assert dataclasses.asdict(load_pics(default_pics_path()).test_data)["local_list_id_tag"]
