"""Selection: which cases run, why the others do not apply (naming the PICS item), and which
lack PICS test data (not run, with the missing keys)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog, Location, Requirement, TestCase
from octt.catalog.selection import SelectionError, applicability, select
from octt.pics.model import Pics, Profile, load_pics, pics_from_data
from octt.resources import data_path


def case(
    case_id: str, profile: Profile = Profile.CORE, requires: tuple[Requirement, ...] = ()
) -> TestCase:
    return TestCase(
        id=case_id,
        title=case_id,
        profile=profile,
        reference={"ocpp": "x"},
        purpose="",
        checks=(),
        editions="",
        requires=requires,
        before=(),
        steps=(),
        location=Location("f", 1),
    )


CATALOG = Catalog(
    (
        case("TC_001_CSMS"),
        case("TC_023_2_CSMS", requires=(Requirement("test_data.expired_id_tag"),)),
        case("TC_044_1_CSMS", Profile.FIRMWARE_MANAGEMENT),
        case("TC_046_CSMS", Profile.RESERVATION),
        case("TC_073_CSMS", Profile.SECURITY, (Requirement("security.profiles", (1, 2)),)),
        case("TC_074_CSMS", Profile.SECURITY, (Requirement("security.profiles", (3,)),)),
    ),
    {},
)


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def reference_raw() -> dict[str, Any]:
    """The reference PICS, reduced to a known baseline: Core only, no security profile."""
    raw = copy.deepcopy(dict(load_pics(data_path("pics/reference-csms.yaml")).raw))
    raw["profiles"] = {"core": True, "firmware-management": False, "reservation": False}
    raw["security"] = {"profiles": []}
    return raw


def pics_with(raw: dict[str, Any], **changes: Any) -> Pics:
    data = copy.deepcopy(raw)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return pics_from_data(data)


# -- applicability --------------------------------------------------------------------------------


def test_everything_without_filters(reference_raw: dict[str, Any]) -> None:
    plan = select(CATALOG, pics_with(reference_raw))
    assert [e.case.id for e in plan.entries] == [c.id for c in CATALOG.cases]
    assert [e.case.id for e in plan.applicable] == ["TC_001_CSMS", "TC_023_2_CSMS"]


def test_unclaimed_profile_names_the_pics_item(reference_raw: dict[str, Any]) -> None:
    plan = select(CATALOG, pics_with(reference_raw))
    reasons = {e.case.id: e.reason for e in plan.entries if not e.applicable}
    assert reasons["TC_044_1_CSMS"] == "PICS profiles.firmware-management is not claimed"
    assert reasons["TC_046_CSMS"] == "PICS profiles.reservation is not claimed"
    assert reasons["TC_073_CSMS"] == "PICS security.profiles is empty (no security profile claimed)"


def test_applicable_entries_have_no_reason(reference_raw: dict[str, Any]) -> None:
    plan = select(CATALOG, pics_with(reference_raw))
    assert all(e.reason == "" for e in plan.applicable)


def test_profile_missing_from_the_pics_is_not_claimed(reference_raw: dict[str, Any]) -> None:
    pics = pics_with(reference_raw, profiles__reservation=None)
    assert applicability(case("TC_046_CSMS", Profile.RESERVATION), pics) == (
        False,
        "PICS profiles.reservation is not claimed",
    )


def test_missing_test_data_is_not_run_never_not_applicable(reference_raw: dict[str, Any]) -> None:
    pics = pics_with(reference_raw, test_data__expired_id_tag=None)
    assert applicability(CATALOG.case("TC_023_2_CSMS"), pics) == (True, "")
    plan = select(CATALOG, pics, profiles=[Profile.CORE])
    first, expired = plan.entries
    assert (first.runnable, first.not_run, first.missing) == (True, False, ())
    assert (expired.applicable, expired.runnable, expired.not_run) == (True, False, True)
    assert expired.missing == ("test_data.expired_id_tag",)
    assert expired.not_run_reason == "missing PICS test data: test_data.expired_id_tag"
    assert [e.case.id for e in plan.applicable] == ["TC_001_CSMS"]
    assert [e.case.id for e in plan.not_run] == ["TC_023_2_CSMS"]
    assert plan.missing_test_data() == {"test_data.expired_id_tag": ("TC_023_2_CSMS",)}


def test_a_case_that_does_not_apply_is_never_not_run(reference_raw: dict[str, Any]) -> None:
    pics = pics_with(reference_raw, test_data__expired_id_tag=None, profiles__core=False)
    (entry,) = select(CATALOG, pics, test_ids=["TC_023_2_CSMS"]).entries
    assert (entry.applicable, entry.missing, entry.not_run) == (False, (), False)


def test_requires_with_contains_any(reference_raw: dict[str, Any]) -> None:
    sp1 = pics_with(reference_raw, security__profiles=[1])
    assert applicability(CATALOG.case("TC_073_CSMS"), sp1) == (True, "")
    applicable, reason = applicability(CATALOG.case("TC_074_CSMS"), sp1)
    assert not applicable
    assert reason == "requires PICS security.profiles contains any of [3]"
    sp3 = pics_with(reference_raw, security__profiles=[3])
    assert applicability(CATALOG.case("TC_074_CSMS"), sp3) == (True, "")


def test_requires_false_value_does_not_hold(reference_raw: dict[str, Any]) -> None:
    pics = pics_with(reference_raw, **{"additional_questions__AQ-1": False})
    requirement = Requirement("additional_questions.AQ-1")
    aq = case("TC_013_CSMS", requires=(requirement,))
    assert applicability(aq, pics) == (False, "requires PICS additional_questions.AQ-1 is true")
    pics = pics_with(reference_raw, **{"additional_questions__AQ-1": True})
    assert applicability(aq, pics) == (True, "")


def test_requires_path_through_a_non_mapping_does_not_hold(reference_raw: dict[str, Any]) -> None:
    requirement = Requirement("sut.vendor.deeper")
    assert not applicability(
        case("TC_001_CSMS", requires=(requirement,)), pics_with(reference_raw)
    )[0]


def test_contains_any_on_a_scalar_does_not_hold(reference_raw: dict[str, Any]) -> None:
    requirement = Requirement("limits.response_timeout_s", (30,))
    assert not applicability(
        case("TC_001_CSMS", requires=(requirement,)), pics_with(reference_raw)
    )[0]


# -- --test / --profile ---------------------------------------------------------------------------


def test_unknown_test_id_is_named(reference_raw: dict[str, Any]) -> None:
    with pytest.raises(SelectionError) as info:
        select(
            CATALOG,
            pics_with(reference_raw),
            test_ids=["TC_001_CSMS", "TC_999_CSMS", "tc_001_csms"],
        )
    assert str(info.value) == "--test TC_999_CSMS, tc_001_csms: no such case (see `octt list`)"


def test_selection_by_test_id_keeps_catalog_order(reference_raw: dict[str, Any]) -> None:
    plan = select(
        CATALOG, pics_with(reference_raw), test_ids=[" TC_046_CSMS", "TC_001_CSMS", "TC_001_CSMS"]
    )
    assert [e.case.id for e in plan.entries] == ["TC_001_CSMS", "TC_046_CSMS"]
    assert [e.applicable for e in plan.entries] == [True, False]


def test_selection_by_profile(reference_raw: dict[str, Any]) -> None:
    plan = select(CATALOG, pics_with(reference_raw), profiles=[Profile.SECURITY])
    assert [e.case.id for e in plan.entries] == ["TC_073_CSMS", "TC_074_CSMS"]
    assert plan.applicable == ()


def test_profile_and_test_id_together_must_match_something(reference_raw: dict[str, Any]) -> None:
    with pytest.raises(SelectionError, match="the selection matches no test case"):
        select(
            CATALOG, pics_with(reference_raw), profiles=[Profile.SECURITY], test_ids=["TC_001_CSMS"]
        )


def test_profile_without_cases_matches_nothing(reference_raw: dict[str, Any]) -> None:
    with pytest.raises(SelectionError, match="matches no test case"):
        select(CATALOG, pics_with(reference_raw), profiles=[Profile.SMART_CHARGING])


def test_selection_error_is_a_value_error() -> None:
    assert issubclass(SelectionError, ValueError)


# -- with the packaged catalog and PICS -----------------------------------------------------------


def test_reference_pics_makes_every_core_case_applicable(packaged: Catalog) -> None:
    pics = load_pics(data_path("pics/reference-csms.yaml"))
    plan = select(packaged, pics, profiles=[Profile.CORE])
    assert len(plan.entries) == 34
    assert len(plan.applicable) == 34


def test_packaged_tc_064_without_an_unsupported_vendor_id(
    packaged: Catalog, reference_raw: dict[str, Any]
) -> None:
    pics = pics_with(reference_raw, test_data__unsupported_vendor_id=None)
    plan = select(packaged, pics, test_ids=["TC_064_CSMS"])
    (entry,) = plan.entries
    assert entry.applicable


def test_requires_may_index_a_list(reference_raw: dict[str, Any]) -> None:
    first_profile = case("TC_053_CSMS", requires=(Requirement("security.profiles.0"),))
    assert applicability(first_profile, pics_with(reference_raw, security__profiles=[2]))[0]
    assert applicability(first_profile, pics_with(reference_raw)) == (
        False,
        "requires PICS security.profiles.0 is true",
    )
    not_a_list = case("TC_053_CSMS", requires=(Requirement("sut.vendor.0"),))
    assert applicability(not_a_list, pics_with(reference_raw))[0] is False


def test_test_data_may_index_a_list(reference_raw: dict[str, Any]) -> None:
    second = case("TC_053_CSMS", Profile.CORE, (Requirement("test_data.child_id_tags.1"),))
    catalog = Catalog((second,), {})
    assert select(catalog, pics_with(reference_raw)).entries[0].missing == ()
    one_child = pics_with(reference_raw, test_data__child_id_tags=["ONLY"])
    assert select(catalog, one_child).entries[0].missing == ("test_data.child_id_tags.1",)
