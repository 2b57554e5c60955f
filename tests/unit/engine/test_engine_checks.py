"""Registered check helpers: distinct_values, and the registry itself."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, cast

import pytest

from octt.engine.checks import CHECKS, distinct_values, value_matches
from octt.engine.context import CaseContext
from octt.findings import Finding, Severity

SPEC = "OCA Test case document OCTT for OCPP 1.6, edition 2024-04, T178 p.147"


def check(variables: dict[str, Any], args: Mapping[str, Any]) -> list[Finding]:
    ctx = cast(CaseContext, SimpleNamespace(variables=variables, spec=SPEC))
    return asyncio.run(distinct_values(ctx, args))


def test_distinct_values_give_no_finding() -> None:
    assert check({"a": 1, "b": 2, "c": 3}, {"variables": ["a", "b", "c"]}) == []


def test_equal_values_give_one_error_per_repeat() -> None:
    findings = check({"a": 7, "b": 8, "c": 7, "d": 7}, {"variables": ["a", "b", "c", "d"]})
    assert findings == [
        Finding(
            "distinct-values",
            Severity.ERROR,
            "c and a are both 7; the CSMS must assign distinct values",
            SPEC,
        ),
        Finding(
            "distinct-values",
            Severity.ERROR,
            "d and a are both 7; the CSMS must assign distinct values",
            SPEC,
        ),
    ]


def test_the_rule_can_be_named_by_the_step() -> None:
    [finding] = check({"x": "s", "y": "s"}, {"variables": ["x", "y"], "rule": "expect.unique"})
    assert finding.rule == "expect.unique"
    assert "'s'" in finding.message


def test_values_compare_by_equality_not_by_spelling() -> None:
    assert check({"a": 1, "b": "1"}, {"variables": ["a", "b"]}) == []
    assert len(check({"a": 1, "b": 1.0}, {"variables": ["a", "b"]})) == 1


def test_no_variables_no_findings() -> None:
    assert check({"a": 1}, {}) == []
    assert check({}, {"variables": ["only"]}) == []


def test_the_registry_is_read_only_and_names_distinct_values() -> None:
    assert CHECKS["distinct_values"] is distinct_values
    assert set(CHECKS) == {
        "distinct_values",
        "value_matches",
        "tls_server",
        "certificate_signed",
        "certificate_hash_data",
        "firmware_signature",
        "same_certificate",
    }
    with pytest.raises(TypeError):
        CHECKS["other"] = distinct_values  # type: ignore[index]


def matches(args: Mapping[str, Any]) -> list[Finding]:
    ctx = cast(CaseContext, SimpleNamespace(variables={}, spec=SPEC))
    return asyncio.run(value_matches(ctx, args))


def test_value_matches_passes_a_value_of_the_pattern() -> None:
    assert matches({"value": "00ff" * 8, "pattern": "([0-9A-Fa-f]{2}){16,20}"}) == []


def test_value_matches_fails_another_value_without_showing_a_secret() -> None:
    [finding] = matches(
        {
            "value": "not-hex-password",
            "pattern": "([0-9A-Fa-f]{2}){16,20}",
            "secret": True,
            "rule": "expect.ChangeConfiguration.value",
            "what": "the AuthorizationKey",
            "because": "hex of 16 to 20 bytes",
        }
    )
    assert (finding.rule, finding.severity) == ("expect.ChangeConfiguration.value", Severity.ERROR)
    assert "not-hex-password" not in finding.message
    assert (
        finding.message
        == "the AuthorizationKey (16 characters) does not fit: hex of 16 to 20 bytes"
    )
