"""Quirk switches of the reference CSMS: names, descriptions, and the legal forms they write."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from octt.reference.link import reformatted
from octt.reference.quirks import Quirk, current_time, describe, parse_quirks


def test_every_quirk_is_kebab_case_and_described() -> None:
    for quirk in Quirk:
        assert quirk.value == quirk.value.lower() and " " not in quirk.value
        assert describe(quirk)


def test_parse_quirks_names_the_unknown_ones() -> None:
    assert parse_quirks(["frequent-pings"]) == {Quirk.FREQUENT_PINGS}
    with pytest.raises(ValueError, match="nope"):
        parse_quirks(["frequent-pings", "nope"])


def test_current_time_with_an_offset_and_no_fraction_is_the_same_instant() -> None:
    now = datetime(2026, 6, 1, 12, 0, 0, 750000, tzinfo=UTC)
    assert current_time(now, frozenset()) is None
    text = current_time(now, frozenset({Quirk.CURRENT_TIME_OFFSET}))
    assert text == "2026-06-01T14:00:00+02:00"
    assert abs((datetime.fromisoformat(text) - now).total_seconds()) < 1


def test_reformatted_frames_keep_their_meaning() -> None:
    frame = '[3,"u-1",{"currentTime":"2026-06-01T12:00:00Z","interval":300,"status":"Accepted"}]'
    text = reformatted(frame)
    assert text != frame and "\n" in text
    assert json.loads(text) == json.loads(frame)
    assert text.index('"status"') < text.index('"currentTime"')  # another key order
    assert reformatted("not json") == "not json"
