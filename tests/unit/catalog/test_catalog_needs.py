"""Which PICS test data a case needs (requires and placeholders, states included), and which of
it a PICS lacks: against the packaged catalog and the reference PICS."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.needs import missing_test_data, referenced_keys
from octt.pics.model import Pics, load_pics, pics_from_data
from octt.resources import default_pics_path


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def reference() -> Pics:
    return load_pics(default_pics_path())


def without(pics: Pics, *keys: str, **changes: Any) -> Pics:
    """The PICS with these test-data keys left out (and other sections changed)."""
    data = copy.deepcopy(dict(pics.raw))
    for key in keys:
        data["test_data"].pop(key, None)
    for section, value in changes.items():
        data[section] = value
    return pics_from_data(data)


def test_the_reference_pics_gives_every_case_its_test_data(
    catalog: Catalog, reference: Pics
) -> None:
    assert {c.id: missing_test_data(c, catalog, reference) for c in catalog.cases} == {
        c.id: () for c in catalog.cases
    }


def test_required_test_data_is_missing_when_left_out(catalog: Catalog, reference: Pics) -> None:
    pics = without(reference, "expired_id_tag", "local_list_id_tag")
    assert missing_test_data(catalog.case("TC_023_2_CSMS"), catalog, pics) == (
        "test_data.expired_id_tag",
    )
    assert missing_test_data(catalog.case("TC_043_5_CSMS"), catalog, pics) == (
        "test_data.local_list_id_tag",
    )
    assert missing_test_data(catalog.case("TC_001_CSMS"), catalog, pics) == ()


def test_a_placeholder_in_a_state_needs_its_test_data(catalog: Catalog, reference: Pics) -> None:
    # TC_044_1 names no requirement: the firmware location comes from the update_firmware state.
    assert "firmware_url" in referenced_keys(catalog.case("TC_044_1_CSMS"), catalog, reference)
    pics = without(reference, "firmware_url", "charging_profile_limit")
    assert missing_test_data(catalog.case("TC_044_1_CSMS"), catalog, pics) == (
        "test_data.firmware_url",
    )
    assert missing_test_data(catalog.case("TC_056_CSMS"), catalog, pics) == (
        "test_data.charging_profile_limit",
    )


def test_test_data_with_a_default_is_never_missing(catalog: Catalog, reference: Pics) -> None:
    pics = without(reference, "reservation_expiry_offset_s", "number_of_connectors")
    assert missing_test_data(catalog.case("TC_047_CSMS"), catalog, pics) == ()


def test_a_list_item_and_a_derived_name(catalog: Catalog, reference: Pics) -> None:
    keys = referenced_keys(catalog.case("TC_053_CSMS"), catalog, reference)
    assert {"child_id_tags.0", "child_id_tags.1", "parent_id_tag"} <= set(keys)
    one_child = pics_from_data(
        {**reference.raw, "test_data": {**reference.raw["test_data"], "child_id_tags": ["C1"]}}
    )
    assert missing_test_data(catalog.case("TC_053_CSMS"), catalog, one_child) == (
        "test_data.child_id_tags.1",
    )


def test_a_fallback_counts_for_the_key_it_replaces(catalog: Catalog, reference: Pics) -> None:
    pics = without(reference, "invalid_firmware_signature")
    assert missing_test_data(catalog.case("TC_081_CSMS"), catalog, pics) == ()
    pics = without(reference, "firmware_signature")
    assert "test_data.firmware_signature" in missing_test_data(
        catalog.case("TC_081_CSMS"), catalog, pics
    )


def test_a_state_that_runs_only_on_another_profile_needs_nothing(
    catalog: Catalog, reference: Pics
) -> None:
    """TC_083 installs the CSMS root only when it starts on profile 1 (`when`)."""
    case = catalog.case("TC_083_CSMS")
    from_1 = without(reference, "central_system_root_certificate")
    assert missing_test_data(case, catalog, from_1) == (
        "test_data.central_system_root_certificate",
    )
    from_2 = without(reference, "central_system_root_certificate", security={"profiles": [2, 3]})
    assert missing_test_data(case, catalog, from_2) == ()
