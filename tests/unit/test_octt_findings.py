"""Findings as data: severities, step attribution, JSON form, the two constructors."""

from __future__ import annotations

import dataclasses
import json

import pytest

from octt.findings import Finding, Severity, error, warning


def test_severities_are_the_documented_strings() -> None:
    assert [s.value for s in Severity] == ["error", "warning", "advisory", "info"]
    assert Severity("warning") is Severity.WARNING


def test_defaults() -> None:
    finding = Finding("schema.response", Severity.ERROR, "bad")
    assert (finding.spec, finding.frames, finding.step) == ("", (), "")


def test_at_step_attributes_an_unattributed_finding() -> None:
    finding = Finding("r", Severity.WARNING, "m", "spec", (1, 2))
    placed = finding.at_step("before:booted/2")
    assert placed == Finding("r", Severity.WARNING, "m", "spec", (1, 2), "before:booted/2")
    assert finding.step == ""  # the original is unchanged


def test_at_step_keeps_an_existing_step() -> None:
    finding = Finding("r", Severity.ERROR, "m", step="3")
    assert finding.at_step("4") is finding


def test_findings_are_frozen_and_hashable() -> None:
    finding = Finding("r", Severity.ERROR, "m", frames=(1,))
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "other"  # type: ignore[misc]
    assert len({finding, Finding("r", Severity.ERROR, "m", frames=(1,))}) == 1


def test_to_json() -> None:
    finding = Finding("ocppj.late-response", Severity.ERROR, "late", "OCPP-J §4.1.1", (3, 4), "2")
    document = finding.to_json()
    assert document == {
        "rule": "ocppj.late-response",
        "severity": "error",
        "message": "late",
        "spec": "OCPP-J §4.1.1",
        "step": "2",
        "frames": [3, 4],
    }
    assert json.loads(json.dumps(document)) == document


def test_error_and_warning_constructors() -> None:
    assert error("r.e", "bad", spec="S", frames=(9,)) == Finding(
        "r.e", Severity.ERROR, "bad", "S", (9,)
    )
    assert warning("r.w", "meh") == Finding("r.w", Severity.WARNING, "meh")


def test_an_advisory_keeps_the_finding_and_cites_its_clause() -> None:
    found = Finding("tls.legacy", Severity.ERROR, "TLS 1.0 accepted", "T190", (3,), "2")
    advisory = found.as_advisory("security whitepaper ed.3 §2.3")
    assert (advisory.rule, advisory.message, advisory.frames, advisory.step) == (
        "tls.legacy",
        "TLS 1.0 accepted",
        (3,),
        "2",
    )
    assert (advisory.severity, advisory.spec) == (
        Severity.ADVISORY,
        "security whitepaper ed.3 §2.3",
    )
