"""Every Firmware Management and Smart Charging case fails, with the finding that names the
cause, against a reference CSMS with a fault that breaks what the case checks — and a case the
fault does not concern still passes. Against the good reference all ten pass without a finding,
and a PICS that does not claim a profile makes its cases not applicable.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import RunAgainstReference, assert_fails_against_fault

from octt.catalog.loader import load_catalog
from octt.config import RunConfig
from octt.findings import Severity
from octt.pics.model import Profile, load_pics
from octt.resources import default_pics_path
from octt.result.model import TransferOutcome, Verdict

PROFILE = "expect.SetChargingProfile.csChargingProfiles"
PERIOD = f"{PROFILE}.chargingSchedule.chargingSchedulePeriod.0"

# (case, fault, rule of the expected error finding, a case the same fault must not break)
MATRIX: list[tuple[str, str, str, str]] = [
    (
        "TC_044_1_CSMS",
        "update-firmware-wrong-location",
        "expect.UpdateFirmware.location",
        "TC_044_2_CSMS",
    ),
    ("TC_044_2_CSMS", "firmware-failure-status-callerror", "response.callerror", "TC_044_1_CSMS"),
    ("TC_044_3_CSMS", "firmware-failure-status-callerror", "response.callerror", "TC_044_1_CSMS"),
    ("TC_045_1_CSMS", "get-diagnostics-relative-location", "schema.request", "TC_044_1_CSMS"),
    ("TC_045_2_CSMS", "diagnostics-upload-failed-callerror", "response.callerror", "TC_045_1_CSMS"),
    ("TC_045_2_CSMS", "get-diagnostics-relative-location", "schema.request", "TC_044_2_CSMS"),
    (
        "TC_056_CSMS",
        "set-charging-profile-wrong-purpose",
        f"{PROFILE}.chargingProfilePurpose",
        "TC_066_CSMS",
    ),
    (
        "TC_056_CSMS",
        "set-charging-profile-wrong-stack-level",
        f"{PROFILE}.stackLevel",
        "TC_057_CSMS",
    ),
    (
        "TC_056_CSMS",
        "set-charging-profile-recurring",
        f"{PROFILE}.chargingProfileKind",
        "TC_066_CSMS",
    ),
    (
        "TC_056_CSMS",
        "set-charging-profile-missing-valid-from",
        f"{PROFILE}.validFrom",
        "TC_067_CSMS",
    ),
    (
        "TC_056_CSMS",
        "set-charging-profile-stray-transaction-id",
        f"{PROFILE}.transactionId",
        "TC_057_CSMS",
    ),
    ("TC_056_CSMS", "set-charging-profile-single-phase", f"{PERIOD}.numberPhases", "TC_057_CSMS"),
    (
        "TC_057_CSMS",
        "set-charging-profile-wrong-purpose",
        f"{PROFILE}.chargingProfilePurpose",
        "TC_066_CSMS",
    ),
    (
        "TC_057_CSMS",
        "set-charging-profile-wrong-transaction",
        f"{PROFILE}.transactionId",
        "TC_056_CSMS",
    ),
    ("TC_057_CSMS", "set-charging-profile-recurring", f"{PROFILE}.recurrencyKind", "TC_066_CSMS"),
    ("TC_057_CSMS", "set-charging-profile-missing-valid-from", PROFILE, "TC_067_CSMS"),
    (
        "TC_059_CSMS",
        "remote-start-without-charging-profile",
        "expect.RemoteStartTransaction.chargingProfile",
        "TC_010_CSMS",
    ),
    (
        "TC_059_CSMS",
        "remote-start-relative-with-start-schedule",
        "expect.RemoteStartTransaction.chargingProfile",
        "TC_056_CSMS",
    ),
    (
        "TC_066_CSMS",
        "get-composite-schedule-wrong-duration",
        "expect.GetCompositeSchedule.duration",
        "TC_056_CSMS",
    ),
    (
        "TC_066_CSMS",
        "get-composite-schedule-wrong-unit",
        "expect.GetCompositeSchedule.chargingRateUnit",
        "TC_056_CSMS",
    ),
    (
        "TC_067_CSMS",
        "clear-charging-profile-wrong-criteria",
        "expect.ClearChargingProfile.stackLevel",
        "TC_056_CSMS",
    ),
    (
        "TC_067_CSMS",
        "set-charging-profile-stray-transaction-id",
        f"{PROFILE}.transactionId",
        "TC_057_CSMS",
    ),
    (
        "TC_067_CSMS",
        "set-charging-profile-wrong-stack-level",
        f"{PROFILE}.stackLevel",
        "TC_057_CSMS",
    ),
]

PROFILES = {Profile.FIRMWARE_MANAGEMENT, Profile.SMART_CHARGING}
CASES = [c.id for c in load_catalog().cases if c.profile in PROFILES]
REAL = RunConfig(operator_timeout_s=1.5, real_transfers=True)


def test_matrix_covers_every_firmware_and_smart_charging_case() -> None:
    assert len(CASES) == 10
    assert set(CASES) == {row[0] for row in MATRIX}


@pytest.mark.parametrize(("case_id", "fault", "rule", "control"), MATRIX)
def test_case_fails_against_fault(
    run_against_reference: RunAgainstReference, case_id: str, fault: str, rule: str, control: str
) -> None:
    assert_fails_against_fault(run_against_reference, case_id, fault, rule, control, REAL)


def test_all_ten_pass_against_the_good_reference(
    run_against_reference: RunAgainstReference,
) -> None:
    result = run_against_reference(CASES, config=REAL)
    assert [(c.id, c.reason) for c in result.cases if c.verdict is not Verdict.PASS] == []
    assert result.verdict is Verdict.PASS
    assert not [f for c in result.cases for f in c.findings], "a good CSMS gives no findings"
    transferred = {c.id: [t.outcome for t in c.transfers] for c in result.cases if c.transfers}
    assert transferred == {
        "TC_044_1_CSMS": [TransferOutcome.TRANSFERRED],
        "TC_044_2_CSMS": [TransferOutcome.FAILURE_SIMULATED],
        "TC_044_3_CSMS": [TransferOutcome.TRANSFERRED],
        "TC_045_1_CSMS": [TransferOutcome.TRANSFERRED],
        "TC_045_2_CSMS": [TransferOutcome.FAILURE_SIMULATED],
    }


def test_the_wrong_firmware_is_not_downloaded(run_against_reference: RunAgainstReference) -> None:
    [case] = run_against_reference(
        ["TC_044_1_CSMS"], ["update-firmware-wrong-location"], config=REAL
    ).cases
    [finding] = [f for f in case.findings if f.severity is Severity.ERROR]
    assert "octt-wrong-firmware.bin" in finding.message
    assert [t.outcome for t in case.transfers] == [TransferOutcome.FAILED]


@pytest.mark.parametrize("profile", [Profile.FIRMWARE_MANAGEMENT, Profile.SMART_CHARGING])
def test_a_profile_not_claimed_makes_its_cases_not_applicable(
    run_against_reference: RunAgainstReference, profile: Profile
) -> None:
    pics = load_pics(default_pics_path())
    raw = {**pics.raw, "profiles": {**pics.raw["profiles"], profile.value: False}}
    pics = replace(pics, profiles=pics.profiles - {profile}, raw=raw)
    result = run_against_reference(CASES, config=REAL, pics=pics)
    verdicts = {c.id: (c.verdict, c.reason) for c in result.cases if c.profile == profile.value}
    assert len(verdicts) == 5
    assert set(verdicts.values()) == {
        (Verdict.NOT_APPLICABLE, f"PICS profiles.{profile.value} is not claimed")
    }
    others = [c for c in result.cases if c.profile != profile.value]
    assert {c.verdict for c in others} == {Verdict.PASS}
