"""Editions of the OCA test case document: each edition's checks catch the faults it lists,
behaviour an edition allows passes under it, and checks no edition lists are advisories."""

from __future__ import annotations

import pytest
from conftest import RunAgainstReference

from octt.catalog.editions import Edition
from octt.config import RunConfig
from octt.findings import Severity
from octt.result.model import RunResult, Verdict

E2024 = RunConfig(operator_timeout_s=1.5, time_scale=0.0001, edition=Edition.E2024_04)
E2025 = RunConfig(operator_timeout_s=1.5, time_scale=0.0001, edition=Edition.E2025_11)
BOTH = pytest.mark.parametrize("config", [E2024, E2025], ids=["2024-04", "2025-11"])


def _errors(result: RunResult, case_id: str) -> set[str]:
    case = next(c for c in result.cases if c.id == case_id)
    return {f.rule for f in case.findings if f.severity is Severity.ERROR}


def _verdict(result: RunResult, case_id: str) -> Verdict:
    return next(c for c in result.cases if c.id == case_id).verdict


@BOTH
def test_tc_053_passes_against_the_good_reference(
    run_against_reference: RunAgainstReference, config: RunConfig
) -> None:
    result = run_against_reference(["TC_053_CSMS"], config=config)
    case = result.cases[0]
    assert case.verdict is Verdict.PASS, case.reason
    assert not case.findings


@BOTH
@pytest.mark.parametrize("fault", ["authorize-no-parent-id-tag", "authorize-wrong-parent-id-tag"])
def test_tc_053_fails_when_authorize_conf_lacks_the_reservation_parent(
    run_against_reference: RunAgainstReference, config: RunConfig, fault: str
) -> None:
    # The driver of the group is not started on the reserved connector (OCPP 1.6 §5.13).
    result = run_against_reference(["TC_053_CSMS", "TC_046_CSMS"], [fault], config=config)
    assert _verdict(result, "TC_053_CSMS") is Verdict.FAIL
    assert "reservation.driver-not-covered" in _errors(result, "TC_053_CSMS")
    assert _verdict(result, "TC_046_CSMS") is Verdict.PASS  # the reserved idTag itself
