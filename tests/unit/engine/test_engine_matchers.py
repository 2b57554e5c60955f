"""expect: blocks judged into findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from octt.engine.matchers import evaluate
from octt.engine.templating import Scope
from octt.findings import Finding, Severity

SCOPE = Scope({"valid_id_tag": "VALID", "n": 5, "status": "Accepted", "flag": True}, {})


def judge(payload: dict[str, Any], expectations: dict[str, Any]) -> list[Finding]:
    return evaluate(
        "Authorize.conf",
        payload,
        expectations,
        SCOPE,
        rule_prefix="expect.Authorize",
        spec="OCPP 1.6 §4.2",
        frames=(3, 4),
    )


def one(payload: dict[str, Any], expectations: dict[str, Any]) -> Finding:
    findings = judge(payload, expectations)
    assert len(findings) == 1, findings
    return findings[0]


# -- literal equality ------------------------------------------------------------------------------


def test_equal_literal_passes() -> None:
    assert judge({"idTagInfo": {"status": "Accepted"}}, {"idTagInfo.status": "Accepted"}) == []


def test_unequal_literal_is_an_error_finding_in_the_documented_format() -> None:
    finding = one({"idTagInfo": {"status": "Invalid"}}, {"idTagInfo.status": "Accepted"})
    assert finding == Finding(
        "expect.Authorize.idTagInfo.status",
        Severity.ERROR,
        "Authorize.conf idTagInfo.status is 'Invalid'; expected 'Accepted'",
        "OCPP 1.6 §4.2",
        (3, 4),
    )


def test_missing_field_is_reported_as_absent() -> None:
    finding = one({}, {"idTagInfo.status": "Accepted"})
    assert finding.message == "Authorize.conf idTagInfo.status is absent; expected it to be present"


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(True, 1), (1, True), (False, 0), (0, False), (True, Decimal("1")), (Decimal("0"), False)],
)
def test_bool_and_number_are_never_equal(actual: Any, expected: Any) -> None:
    assert len(judge({"v": actual}, {"v": {"equals": expected}})) == 1


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(1, Decimal("1.0")), (Decimal("1.50"), Decimal("1.5")), (Decimal("0.1"), 0.1), (300, 300.0)],
)
def test_numbers_are_equal_by_value(actual: Any, expected: Any) -> None:
    assert judge({"v": actual}, {"v": expected}) == []


def test_numbers_and_strings_are_never_equal() -> None:
    assert len(judge({"v": "1"}, {"v": 1})) == 1
    assert len(judge({"v": 1}, {"v": "1"})) == 1


def test_strings_compare_exactly() -> None:
    assert len(judge({"v": "accepted"}, {"v": "Accepted"})) == 1
    assert len(judge({"v": "Accepted "}, {"v": "Accepted"})) == 1


def test_equal_lists_and_objects() -> None:
    assert judge({"v": ["A", "B"]}, {"v": {"equals": ["A", "B"]}}) == []
    assert len(judge({"v": ["B", "A"]}, {"v": {"equals": ["A", "B"]}})) == 1
    assert judge({"v": [Decimal("1.0")]}, {"v": {"equals": [1]}}) == []


def test_bool_and_number_are_never_equal_inside_lists_and_objects() -> None:
    assert len(judge({"v": [True]}, {"v": {"equals": [1]}})) == 1
    assert len(judge({"v": {"a": 1}}, {"v": {"equals": {"a": True}}})) == 1
    assert len(judge({"v": [{"a": [0]}]}, {"v": {"equals": [{"a": [False]}]}})) == 1
    assert len(judge({"v": [True]}, {"v": {"one_of": [[1], [2]]}})) == 1


def test_lists_and_objects_compare_element_by_element() -> None:
    # Numbers by value and strings exactly, at any depth.
    assert judge({"v": {"a": [Decimal("1.50"), {"b": 2}]}}, {"v": {"a": [1.5, {"b": 2.0}]}}) == []
    assert judge({"v": [True, None, "x"]}, {"v": {"equals": [True, None, "x"]}}) == []
    assert len(judge({"v": ["1"]}, {"v": {"equals": [1]}})) == 1
    # Lengths and keys must match.
    assert len(judge({"v": [1, 2]}, {"v": {"equals": [1]}})) == 1
    assert len(judge({"v": [1]}, {"v": {"equals": [1, 2]}})) == 1
    assert len(judge({"v": {"a": 1, "b": 2}}, {"v": {"equals": {"a": 1}}})) == 1
    assert len(judge({"v": {"a": 1}}, {"v": {"equals": {"b": 1}}})) == 1
    # An object is not a list, even with the same items.
    assert len(judge({"v": {"0": 1}}, {"v": {"equals": [1]}})) == 1
    assert len(judge({"v": []}, {"v": {"equals": {}}})) == 1


def test_null_equals_only_null() -> None:
    assert judge({"v": None}, {"v": {"equals": None}}) == []
    assert len(judge({"v": 0}, {"v": {"equals": None}})) == 1


def test_expected_values_are_rendered() -> None:
    assert judge({"idTag": "VALID", "n": 5}, {"idTag": "{valid_id_tag}", "n": "{n}"}) == []
    finding = one({"idTag": "OTHER"}, {"idTag": "{valid_id_tag}"})
    assert finding.message.endswith("expected 'VALID'")


def test_rendered_bool_is_still_a_bool() -> None:
    assert len(judge({"v": 1}, {"v": {"equals": "{flag}"}})) == 1
    assert judge({"v": True}, {"v": {"equals": "{flag}"}}) == []


# -- one_of / tolerated ---------------------------------------------------------------------------


DT = {
    "status": {
        "one_of": ["Rejected", "UnknownMessageId", "UnknownVendorId"],
        "tolerated": ["Accepted"],
    }
}


@pytest.mark.parametrize("status", ["Rejected", "UnknownMessageId", "UnknownVendorId"])
def test_one_of_passes_for_every_allowed_value(status: str) -> None:
    assert judge({"status": status}, DT) == []


def test_tolerated_value_is_a_warning() -> None:
    finding = one({"status": "Accepted"}, DT)
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "Authorize.conf status is 'Accepted'; tolerated, but expected one of 'Rejected',"
        " 'UnknownMessageId', 'UnknownVendorId'"
    )


def test_value_neither_allowed_nor_tolerated_is_an_error() -> None:
    finding = one({"status": "Pending"}, DT)
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "Authorize.conf status is 'Pending'; expected one of 'Rejected', 'UnknownMessageId',"
        " 'UnknownVendorId'"
    )


def test_one_of_never_matches_bool_for_number() -> None:
    assert len(judge({"v": True}, {"v": {"one_of": [1, 2]}})) == 1
    assert judge({"v": Decimal("2.0")}, {"v": {"one_of": [1, 2]}}) == []


def test_one_of_values_are_rendered() -> None:
    assert judge({"status": "Accepted"}, {"status": {"one_of": ["{status}"]}}) == []


def test_tolerated_with_equals_is_a_warning() -> None:
    finding = one(
        {"status": "Pending"}, {"status": {"equals": "Accepted", "tolerated": ["Pending"]}}
    )
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "Authorize.conf status is 'Pending'; tolerated, but expected 'Accepted'"
    )
    error = one({"status": "Blocked"}, {"status": {"equals": "Accepted", "tolerated": ["Pending"]}})
    assert error.severity is Severity.ERROR


@pytest.mark.parametrize(
    ("payload", "matcher", "problem"),
    [
        ({"v": "x"}, {"not": "x"}, "expected anything but 'x'"),
        ({"v": 5}, {"at_least": 10}, "expected at least 10"),
        ({"v": "abc"}, {"matches": "[0-9]+"}, "expected text matching /[0-9]+/"),
        ({"v": "x"}, {"absent": True}, "expected it to be absent"),
        ({"v": "x"}, {"empty_or_absent": True}, "expected it to be empty or absent"),
        ({"v": "x"}, {"equals": "y"}, "expected 'y'"),
        ({"v": "x"}, {"one_of": ["y"]}, "expected one of 'y'"),
    ],
)
def test_tolerated_works_with_every_matcher(
    payload: dict[str, Any], matcher: dict[str, Any], problem: str
) -> None:
    tolerated = {**matcher, "tolerated": [payload["v"]]}
    warning = one(payload, {"v": tolerated})
    assert warning.severity is Severity.WARNING
    assert warning.message.endswith(f"; tolerated, but {problem}")
    error = one(payload, {"v": matcher})
    assert error.severity is Severity.ERROR
    assert error.message.endswith(f"; {problem}")


def test_tolerated_values_are_rendered_and_compared_strictly() -> None:
    assert one({"v": "Accepted"}, {"v": {"equals": "x", "tolerated": ["{status}"]}}).severity is (
        Severity.WARNING
    )
    # JSON equality: a true is not a tolerated 1.
    assert one({"v": True}, {"v": {"equals": 5, "tolerated": [1]}}).severity is Severity.ERROR


def test_tolerated_does_not_excuse_a_missing_value() -> None:
    finding = one({}, {"v": {"equals": "x", "tolerated": ["y"]}})
    assert finding.severity is Severity.ERROR
    assert finding.message.endswith("expected it to be present")


# -- not ------------------------------------------------------------------------------------------


def test_not_matcher() -> None:
    assert judge({"status": "Accepted"}, {"status": {"not": "Rejected"}}) == []
    finding = one({"status": "Rejected"}, {"status": {"not": "Rejected"}})
    assert (
        finding.message == "Authorize.conf status is 'Rejected'; expected anything but 'Rejected'"
    )


def test_not_zero_accepts_false() -> None:
    assert judge({"v": False}, {"v": {"not": 0}}) == []


def test_not_requires_presence() -> None:
    assert one({}, {"v": {"not": "x"}}).message.endswith("expected it to be present")


# -- absent / present / empty_or_absent -----------------------------------------------------------


def test_absent() -> None:
    assert judge({}, {"key": {"absent": True}}) == []
    finding = one({"key": None}, {"key": {"absent": True}})
    assert finding.message == "Authorize.conf key is None; expected it to be absent"


def test_present() -> None:
    assert judge({"v": None}, {"v": {"present": True}}) == []
    assert judge({"v": ""}, {"v": {"present": True}}) == []
    assert one({}, {"v": {"present": True}}).message == (
        "Authorize.conf v is absent; expected it to be present"
    )


@pytest.mark.parametrize("payload", [{}, {"key": []}, {"key": {}}, {"key": ""}])
def test_empty_or_absent_passes(payload: dict[str, Any]) -> None:
    assert judge(payload, {"key": {"empty_or_absent": True}}) == []


@pytest.mark.parametrize("value", [["HeartbeatInterval"], {"a": 1}, "x", 0, False, None])
def test_empty_or_absent_fails_for_anything_else(value: Any) -> None:
    finding = one({"key": value}, {"key": {"empty_or_absent": True}})
    assert finding.message.endswith("expected it to be empty or absent")


def test_matcher_without_a_presence_requirement_passes_when_absent() -> None:
    assert judge({}, {"v": {"because": "nothing asked"}}) == []


# -- at_least -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [10, 11, Decimal("10.0"), 10.5])
def test_at_least_passes(value: Any) -> None:
    assert judge({"interval": value}, {"interval": {"at_least": 10}}) == []


def test_at_least_fails_below_the_bound() -> None:
    finding = one({"interval": Decimal("9.99")}, {"interval": {"at_least": 10}})
    assert finding.message == "Authorize.conf interval is 9.99; expected at least 10"


@pytest.mark.parametrize("value", ["100", True, None, [100]])
def test_at_least_needs_a_number(value: Any) -> None:
    finding = one({"interval": value}, {"interval": {"at_least": 1}})
    assert finding.message.endswith("expected a number of at least 1")


def test_at_least_bound_is_rendered() -> None:
    assert judge({"v": 5}, {"v": {"at_least": "{n}"}}) == []
    assert len(judge({"v": 4}, {"v": {"at_least": "{n}"}})) == 1


# -- matches --------------------------------------------------------------------------------------


def test_matches_is_a_full_match() -> None:
    expectation = {"currentTime": {"matches": r"\d{4}-\d{2}-\d{2}T.*Z"}}
    assert judge({"currentTime": "2026-01-02T03:04:05Z"}, expectation) == []
    finding = one({"currentTime": "x2026-01-02T03:04:05Z"}, expectation)
    assert finding.message.endswith(r"expected text matching /\d{4}-\d{2}-\d{2}T.*Z/")


def test_matches_needs_a_string() -> None:
    assert len(judge({"v": 5}, {"v": {"matches": "5"}})) == 1


# -- rule / because / combination ---------------------------------------------------------------


def test_rule_and_because_refine_the_finding() -> None:
    finding = one(
        {"key": ["X"]},
        {
            "key": {
                "empty_or_absent": True,
                "rule": "tc019.key-list",
                "because": "all keys are requested",
            }
        },
    )
    assert finding.rule == "tc019.key-list"
    assert finding.message == (
        "Authorize.conf key is ['X']; expected it to be empty or absent (all keys are requested)"
    )


def test_each_failing_path_gives_its_own_finding_in_order() -> None:
    findings = judge({"a": 1, "b": 2, "c": 3}, {"a": 2, "b": 2, "c": {"one_of": [4]}})
    assert [f.rule for f in findings] == ["expect.Authorize.a", "expect.Authorize.c"]


def test_decimals_are_shown_without_their_type() -> None:
    finding = one({"v": Decimal("1.5")}, {"v": 2})
    assert finding.message == "Authorize.conf v is 1.5; expected 2"
    finding = one({"v": [Decimal("1.5")]}, {"v": {"equals": []}})
    assert finding.message == "Authorize.conf v is [1.5]; expected []"


# -- default: an absent field judged as the value the spec assumes --------------------------------


def test_default_judges_an_absent_field_as_the_default() -> None:
    assert judge({}, {"numberPhases": {"equals": 3, "default": 3}}) == []


def test_default_does_not_hide_a_wrong_absent_value() -> None:
    finding = one({}, {"numberPhases": {"equals": 1, "default": 3}})
    assert finding.message == ("Authorize.conf numberPhases is absent (taken as 3); expected 1")


def test_default_leaves_a_present_value_alone() -> None:
    assert judge({"numberPhases": 1}, {"numberPhases": {"equals": 1, "default": 3}}) == []
    assert one({"numberPhases": 3}, {"numberPhases": {"equals": 1, "default": 3}}).message == (
        "Authorize.conf numberPhases is 3; expected 1"
    )


# -- any_of: one of several shapes ----------------------------------------------------------------

SHAPES = {
    "profile": {
        "any_of": [
            {
                "kind": "Absolute",
                "validFrom": {"present": True},
                "schedule.start": {"present": True},
            },
            {"kind": "Relative", "schedule.start": {"absent": True}},
        ]
    }
}


@pytest.mark.parametrize(
    "profile",
    [
        {"kind": "Absolute", "validFrom": "x", "schedule": {"start": "y"}},
        {"kind": "Relative", "schedule": {}},
    ],
)
def test_any_of_passes_when_one_shape_fits(profile: dict[str, Any]) -> None:
    assert judge({"profile": profile}, SHAPES) == []


def test_any_of_names_what_is_wrong_with_every_shape() -> None:
    finding = one({"profile": {"kind": "Relative", "schedule": {"start": "y"}}}, SHAPES)
    assert finding.rule == "expect.Authorize.profile"
    assert finding.severity is Severity.ERROR
    assert finding.message.startswith("Authorize.conf profile is an object; it matches none")
    assert "matches none of the allowed shapes" in finding.message
    assert "(1) kind is 'Relative', expected 'Absolute', validFrom is absent" in finding.message
    assert "(2) schedule.start is 'y', expected it to be absent" in finding.message


def test_any_of_on_an_absent_or_non_object_value() -> None:
    assert one({}, SHAPES).message.endswith("is absent; expected it to be present")
    assert one({"profile": 5}, SHAPES).message.endswith("expected an object")


def test_any_of_keeps_the_warning_of_a_tolerated_shape() -> None:
    shapes = {"p": {"any_of": [{"kind": {"equals": "A", "tolerated": ["B"]}}]}}
    finding = one({"p": {"kind": "B"}}, shapes)
    assert finding.severity is Severity.WARNING
    assert "tolerated" in finding.message


# -- greater_than ---------------------------------------------------------------------------------


def test_greater_than_wants_a_number_strictly_above() -> None:
    assert judge({"listVersion": 6}, {"listVersion": {"greater_than": "{n}"}}) == []
    assert one({"listVersion": 5}, {"listVersion": {"greater_than": "{n}"}}).message == (
        "Authorize.conf listVersion is 5; expected a number greater than 5"
    )
    assert one({"listVersion": "6"}, {"listVersion": {"greater_than": 5}}).message.endswith(
        "expected a number greater than 5"
    )
    assert one({"listVersion": True}, {"listVersion": {"greater_than": 0}}).severity is (
        Severity.ERROR
    )
    assert one({}, {"listVersion": {"greater_than": 5}}).message.endswith(
        "is absent; expected it to be present"
    )


def test_greater_than_a_bound_that_is_no_number() -> None:
    scope_bound = {"v": {"greater_than": "{valid_id_tag}"}}
    assert one({"v": 3}, scope_bound).message.endswith("expected a number greater than 'VALID'")


# -- near / tolerance -----------------------------------------------------------------------------


def test_near_date_time_within_the_tolerance() -> None:
    expect = {"expiryDate": {"near": "2026-03-01T12:05:00Z", "tolerance": 60}}
    assert judge({"expiryDate": "2026-03-01T12:05:59.500Z"}, expect) == []
    assert judge({"expiryDate": "2026-03-01T13:04:30+01:00"}, expect) == []
    finding = one({"expiryDate": "2026-03-01T12:15:00Z"}, expect)
    assert finding.rule == "expect.Authorize.expiryDate"
    assert finding.message == (
        "Authorize.conf expiryDate is '2026-03-01T12:15:00Z'; expected a date-time within 60 s of"
        " 2026-03-01T12:05:00Z (+600.000 s off)"
    )


@pytest.mark.parametrize("value", ["tomorrow", "2026-03-01T12:05:00", 5])
def test_near_date_time_needs_a_date_time_with_a_zone(value: Any) -> None:
    expect = {"expiryDate": {"near": "2026-03-01T12:05:00Z", "tolerance": 60}}
    assert one({"expiryDate": value}, expect).message.endswith(
        "expected a date-time within 60 s of 2026-03-01T12:05:00Z"
    )


def test_near_number() -> None:
    expect = {"limit": {"near": "{n}", "tolerance": 0.5}}
    assert judge({"limit": Decimal("5.4")}, expect) == []
    assert one({"limit": 6}, expect).message.endswith("expected a number within 0.5 of 5")
    assert one({"limit": "5"}, expect).message.endswith("expected a number within 0.5 of 5")
    assert one({"limit": 5}, {"limit": {"near": "soon", "tolerance": 1}}).message.endswith(
        "cannot compare with 'soon'"
    )


# -- min_items / max_items ------------------------------------------------------------------------


def test_min_and_max_items() -> None:
    assert judge({"list": [1]}, {"list": {"min_items": 1, "max_items": 1}}) == []
    assert one({"list": []}, {"list": {"min_items": 1}}).message == (
        "Authorize.conf list is []; expected at least 1 item(s), got 0"
    )
    assert one({"list": [1, 2]}, {"list": {"max_items": 1}}).message.endswith(
        "expected at most 1 item(s), got 2"
    )
    assert one({"list": [1, 2, 3]}, {"list": {"min_items": 1, "max_items": 2}}).message.endswith(
        "expected 1 to 2 item(s), got 3"
    )
    assert one({"list": "x"}, {"list": {"min_items": 1}}).message.endswith(
        "expected an array of at least 1 item(s)"
    )
    assert one({}, {"list": {"min_items": 1}}).message.endswith("expected it to be present")


# -- * in paths: every item of an array -----------------------------------------------------------

LIST = {
    "localAuthorizationList": [
        {"idTag": "A", "idTagInfo": {"status": "Accepted"}},
        {"idTag": "B"},
        {"idTag": "C", "idTagInfo": {"status": "Blocked"}},
    ]
}


def test_star_judges_every_item_and_names_the_concrete_path() -> None:
    findings = judge(LIST, {"localAuthorizationList.*.idTagInfo": {"present": True}})
    assert [(f.rule, f.message) for f in findings] == [
        (
            "expect.Authorize.localAuthorizationList.*.idTagInfo",
            "Authorize.conf localAuthorizationList.1.idTagInfo is absent; expected it to be"
            " present",
        )
    ]


def test_star_with_a_nested_path_and_a_literal() -> None:
    findings = judge(LIST, {"localAuthorizationList.*.idTagInfo.status": "Accepted"})
    assert [f.message for f in findings] == [
        "Authorize.conf localAuthorizationList.1.idTagInfo.status is absent; expected it to be"
        " present",
        "Authorize.conf localAuthorizationList.2.idTagInfo.status is 'Blocked'; expected"
        " 'Accepted'",
    ]


def test_star_over_an_absent_or_empty_array_judges_nothing() -> None:
    expect = {"localAuthorizationList.*.idTagInfo": {"present": True}}
    assert judge({}, expect) == []
    assert judge({"localAuthorizationList": []}, expect) == []
    assert judge({"localAuthorizationList": "x"}, expect) == []


def test_star_at_the_top_and_nested_stars() -> None:
    assert judge([{"a": 1}, {"a": 2}], {"*.a": {"at_least": 2}})[0].message == (  # type: ignore[arg-type]
        "Authorize.conf 0.a is 1; expected at least 2"
    )
    nested = {"p": [{"q": [1, 5]}, {"q": [7]}]}
    findings = judge(nested, {"p.*.q.*": {"at_least": 5}})
    assert [f.message for f in findings] == ["Authorize.conf p.0.q.0 is 1; expected at least 5"]
