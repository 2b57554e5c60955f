"""Editions of the OCA "Test case document OCTT for OCPP 1.6": which one a run follows, and the
catalog as that edition has it.

A case file holds every edition at once: a step with `editions: [...]` belongs only to the
editions it names (a step without one to all), and the case's `reference.oca` says where each
edition has the case (``[2024-04] T170 p.139; [2025-11] T175``); a case an edition does not
list is not part of that edition. `for_edition` gives the catalog one edition runs and shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from enum import StrEnum

from octt.catalog.model import (
    Catalog,
    ExpectCallStep,
    ReusableState,
    SendStep,
    StateStep,
    Step,
    TestCase,
)


class Edition(StrEnum):
    """The editions octt implements (newest last)."""

    E2024_04 = "2024-04"
    E2025_11 = "2025-11"


#: The edition a run follows unless told otherwise: the latest.
LATEST = Edition.E2025_11

DOCUMENT = "OCA Test case document OCTT for OCPP 1.6"

_ENTRY = re.compile(r"\[(?P<edition>[^\]]+)\]\s*(?P<where>[^;\[]*)")


def oca_entries(oca: str) -> dict[str, str]:
    """Edition -> where it has the case (``T170 p.139``), from a case's `reference.oca`."""
    return {
        m.group("edition").strip(): m.group("where").strip().rstrip(";").strip()
        for m in _ENTRY.finditer(oca)
    }


def in_edition(case: TestCase, edition: Edition) -> bool:
    """Whether the edition's document has the case (a case citing no edition: every one)."""
    entries = oca_entries(case.reference.get("oca", ""))
    return not entries or edition.value in entries


def citation(reference: Mapping[str, str], edition: Edition) -> str:
    """Where a check comes from, as findings and reports cite it: the OCA document of the
    edition (table and page) and the OCPP section."""
    parts = []
    where = oca_entries(reference.get("oca", "")).get(edition.value)
    if where:
        parts.append(f"{DOCUMENT}, edition {edition.value}, {where}")
    ocpp = reference.get("ocpp", "")
    if ocpp:
        parts.append(ocpp if ocpp.startswith(("OCPP", "security")) else f"OCPP {ocpp}")
    return "; ".join(parts)


def _with_edition_expect(step: Step, edition: Edition) -> Step:
    """The step as `edition` has it: the expectations only it has added to the step's own, and
    no advisory where the edition lists the check."""
    if step.advisory and step.advisory_in and edition.value not in step.advisory_in:
        step = replace(step, advisory="")
    extra = step.edition_expect.get(edition.value)
    if not extra:
        return step
    if isinstance(step, StateStep):
        merged = {a: {**step.expect.get(a, {}), **extra.get(a, {})} for a in {*step.expect, *extra}}
        return replace(step, expect=merged)
    if isinstance(step, SendStep | ExpectCallStep):
        return replace(step, expect={**step.expect, **extra})
    return step


def _steps(steps: tuple[Step, ...], edition: Edition) -> tuple[Step, ...]:
    return tuple(
        _with_edition_expect(s, edition)
        for s in steps
        if not s.editions or edition.value in s.editions
    )


_EDITION = r"[0-9]{4}-[0-9]{2}"
_CHECK_EDITIONS = re.compile(rf"^\[(?P<editions>{_EDITION}(?:\s*,\s*{_EDITION})*)\]\s*")


def _checks(checks: tuple[str, ...], edition: Edition) -> tuple[str, ...]:
    """The checks (in words) of `edition`: one starting ``[2024-04]`` is that edition's only."""
    kept = []
    for check in checks:
        m = _CHECK_EDITIONS.match(check)
        if m is None:
            kept.append(check)
        elif edition.value in [e.strip() for e in m.group("editions").split(",")]:
            kept.append(check[m.end() :])
    return tuple(kept)


def _case(case: TestCase, edition: Edition) -> TestCase:
    return replace(
        case,
        steps=_steps(case.steps, edition),
        checks=_checks(case.checks, edition),
        edition=edition.value,
    )


def _state(state: ReusableState, edition: Edition) -> ReusableState:
    return replace(state, steps=_steps(state.steps, edition))


def for_edition(catalog: Catalog, edition: Edition) -> Catalog:
    """The catalog as `edition` has it: its cases, each with that edition's steps only."""
    return Catalog(
        tuple(_case(c, edition) for c in catalog.cases if in_edition(c, edition)),
        {name: _state(s, edition) for name, s in catalog.states.items()},
    )


def case_citation(case: TestCase) -> str:
    """A case's citation for its findings: that of its edition (`for_edition`), else of the
    latest edition."""
    edition = Edition(case.edition) if case.edition else LATEST
    return citation(case.reference, edition) or case.reference.get("oca", "")
