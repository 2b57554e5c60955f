"""The legal-behaviour matrix, the mirror of the fault matrix: against the reference CSMS with
each quirk (a behaviour OCPP 1.6 / OCPP-J 1.6 allows, unlike the reference's default), every
applicable OCA case passes. One run per quirk over all cases, reconnecting almost at once."""

from __future__ import annotations

import pytest
from conftest import RunAgainstReference

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


@pytest.mark.parametrize("quirk", [q.value for q in Quirk])
def test_every_applicable_case_passes_with_the_quirk(
    run_against_reference: RunAgainstReference, quirk: str
) -> None:
    result = run_against_reference(OCA_CASES, quirks=[quirk], config=CONFIG)
    ran = [c for c in result.cases if c.verdict is not Verdict.NOT_APPLICABLE]
    assert ran, "no applicable case ran"
    failed = {
        c.id: (c.verdict.value, c.reason)
        for c in ran
        if c.verdict not in (Verdict.PASS, Verdict.SKIPPED)
    }
    assert failed == {}, failed
    errors = [f for c in ran for f in c.findings if f.severity is Severity.ERROR]
    assert errors == []
