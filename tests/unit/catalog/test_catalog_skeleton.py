"""needed_test_data and skeleton: the keys come from octt.catalog.needs, per claimed profile."""

from __future__ import annotations

import yaml

from octt.catalog.loader import load_catalog
from octt.catalog.skeleton import needed_test_data, skeleton
from octt.engine.checks import CHECKS
from octt.pics.model import Profile

CATALOG = load_catalog(known_checks=frozenset(CHECKS))


def test_core_keys_and_the_cases_that_need_them() -> None:
    needs = needed_test_data(CATALOG, ())
    assert list(needs)[:4] == ["charge_point_id", "connector_id", "valid_id_tag", "invalid_id_tag"]
    assert needs["expired_id_tag"] == ("TC_023_2_CSMS",)
    assert "reservation_expiry_offset_s" not in needs
    assert "TC_046_CSMS" in needed_test_data(CATALOG, (Profile.RESERVATION,))["connector_id"]


def test_the_skeleton_is_yaml_with_empty_values_to_fill() -> None:
    text = skeleton(CATALOG, (Profile.REMOTE_TRIGGER,))
    data = yaml.safe_load(text)
    assert data["profiles"]["remote-trigger"] is True
    assert data["profiles"]["reservation"] is False
    assert data["sut"]["vendor"] is None
    assert data["test_data"]["valid_id_tag"] is None
    # A key with a default keeps it; the vendor may change it.
    reservation = yaml.safe_load(skeleton(CATALOG, (Profile.RESERVATION,)))
    assert reservation["test_data"]["reservation_expiry_offset_s"] == 300
    test_data = text.split("\ntest_data:\n", 1)[1].splitlines()
    assert test_data and all("  # " in line for line in test_data)
