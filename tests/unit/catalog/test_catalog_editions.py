"""Editions of the OCA test case document: the catalog as one edition has it."""

from __future__ import annotations

import functools

from octt.catalog.editions import (
    LATEST,
    Edition,
    citation,
    for_edition,
    in_edition,
    oca_entries,
)
from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog, ExpectCallStep, SendStep, StateStep


@functools.cache
def written() -> Catalog:
    return load_catalog()


def test_the_latest_edition_is_the_default() -> None:
    assert LATEST is Edition.E2025_11
    assert [e.value for e in Edition] == ["2024-04", "2025-11"]


def test_oca_entries_read_edition_table_and_page() -> None:
    entries = oca_entries("[2024-04] T170 p.139; [2025-11] T175")
    assert entries == {"2024-04": "T170 p.139", "2025-11": "T175"}


def test_a_citation_names_the_document_edition_table_page_and_ocpp_section() -> None:
    reference = {"oca": "[2024-04] T170 p.139; [2025-11] T175", "ocpp": "1.6 §5.13"}
    assert citation(reference, Edition.E2024_04) == (
        "OCA Test case document OCTT for OCPP 1.6, edition 2024-04, T170 p.139; OCPP 1.6 §5.13"
    )


def test_cases_an_edition_does_not_list_are_not_in_its_catalog() -> None:
    old = for_edition(written(), Edition.E2024_04)
    new = for_edition(written(), Edition.E2025_11)
    ids_old = {c.id for c in old.cases}
    assert "TC_088_CSMS" not in ids_old and "TC_083_CSMS" not in ids_old
    assert {"TC_083_CSMS", "TC_088_CSMS"} <= {c.id for c in new.cases}
    assert len(ids_old) == 75  # the 2024-04 document's CSMS cases
    assert not in_edition(written().case("TC_088_CSMS"), Edition.E2024_04)


def test_a_step_of_one_edition_is_only_in_that_editions_case() -> None:
    def actions(catalog: Catalog) -> list[str]:
        case = catalog.case("TC_053_CSMS")
        return [s.action for s in case.steps if isinstance(s, SendStep)]

    assert actions(for_edition(written(), Edition.E2024_04)) == [
        "Authorize",
        "StopTransaction",
        "StatusNotification",
    ]
    assert actions(for_edition(written(), Edition.E2025_11)) == []
    assert for_edition(written(), Edition.E2024_04).case("TC_053_CSMS").edition == "2024-04"


def test_checks_marked_with_an_edition_are_shown_for_that_edition_only() -> None:
    old = for_edition(written(), Edition.E2024_04).case("TC_053_CSMS").checks
    new = for_edition(written(), Edition.E2025_11).case("TC_053_CSMS").checks
    assert any("parentIdTag = the reservation's parentIdTag" in c for c in old)
    assert not any("parentIdTag = the reservation's parentIdTag" in c for c in new)
    assert not any(c.startswith("[") for c in old + new)


def test_edition_expectations_are_added_to_the_step_of_that_edition_only() -> None:
    def expected(edition: Edition) -> dict[str, object]:
        case = for_edition(written(), edition).case("TC_055_CSMS")
        [step] = [s for s in case.steps if isinstance(s, ExpectCallStep)]
        return dict(step.expect)

    assert "connectorId" in expected(Edition.E2024_04)
    assert "connectorId" not in expected(Edition.E2025_11)
    assert expected(Edition.E2025_11)["requestedMessage"] == "MeterValues"


def test_edition_expectations_of_a_state_step_merge_per_action() -> None:
    def expected(edition: Edition) -> dict[str, object]:
        case = for_edition(written(), edition).case("TC_057_CSMS")
        [step] = [s for s in case.steps if isinstance(s, StateStep)]
        return dict(step.expect["SetChargingProfile"])

    assert "csChargingProfiles.recurrencyKind" not in expected(Edition.E2024_04)
    assert "csChargingProfiles.recurrencyKind" in expected(Edition.E2025_11)
    assert "csChargingProfiles.transactionId" in expected(Edition.E2024_04)
