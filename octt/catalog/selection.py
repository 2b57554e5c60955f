"""Selection: which cases of the catalog a run executes, and why the others do not apply.

A case applies when the PICS claims its profile and every feature its `requires` names (only
the PICS decides; a case that does not apply names the PICS item that rules it out). A case that
applies but lacks PICS test data (`octt.catalog.needs`) is *not run*, with the missing keys: it
is not "not applicable", and it keeps its profile from passing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from octt.catalog.model import Catalog, Requirement, TestCase
from octt.catalog.needs import TEST_DATA, missing_test_data
from octt.pics.model import Pics, Profile, lookup_dotted


class SelectionError(ValueError):
    """A --test or --profile names nothing in the catalog."""


@dataclass(frozen=True)
class PlanEntry:
    case: TestCase
    applicable: bool
    reason: str = ""  # for a case that does not apply: the PICS item that rules it out
    # For a case that applies: the PICS test data it needs and the PICS lacks
    # ("test_data.expired_id_tag"); such a case is not run.
    missing: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        return self.applicable and not self.missing

    @property
    def not_run(self) -> bool:
        return self.applicable and bool(self.missing)

    @property
    def not_run_reason(self) -> str:
        return f"missing PICS test data: {', '.join(self.missing)}"


@dataclass(frozen=True)
class RunPlan:
    entries: tuple[PlanEntry, ...]

    @property
    def applicable(self) -> tuple[PlanEntry, ...]:
        """The cases that apply and will run (not those lacking test data)."""
        return tuple(e for e in self.entries if e.runnable)

    @property
    def not_run(self) -> tuple[PlanEntry, ...]:
        """The cases that apply but lack PICS test data."""
        return tuple(e for e in self.entries if e.not_run)

    def missing_test_data(self) -> dict[str, tuple[str, ...]]:
        """Missing test-data key -> the ids of the selected cases that need it."""
        needs: dict[str, list[str]] = {}
        for entry in self.not_run:
            for key in entry.missing:
                needs.setdefault(key, []).append(entry.case.id)
        return {key: tuple(ids) for key, ids in needs.items()}


def _requirement_holds(requirement: Requirement, raw: Mapping[str, Any]) -> bool:
    try:
        node = lookup_dotted(raw, requirement.pics)
    except KeyError:
        return False
    if requirement.contains_any:
        return isinstance(node, list) and any(v in node for v in requirement.contains_any)
    return bool(node)


def applicability(case: TestCase, pics: Pics) -> tuple[bool, str]:
    """Whether `case` applies to a CSMS with this PICS, and if not, which PICS item says no.

    Test data (`requires` under ``test_data.``) does not decide applicability: a case that
    lacks it applies and is not run (`missing_test_data`)."""
    # A robustness case needs no claim of its own (it is asked for); its requirements name the
    # profile of the action it breaks.
    if case.profile is not Profile.ROBUSTNESS and not pics.claims(case.profile):
        if case.profile is Profile.SECURITY:
            return False, "PICS security.profiles is empty (no security profile claimed)"
        return False, f"PICS profiles.{case.profile.value} is not claimed"
    for requirement in case.requires:
        if requirement.pics.startswith(f"{TEST_DATA}."):
            continue
        if not _requirement_holds(requirement, pics.raw):
            return False, f"requires {requirement.describe()}"
    return True, ""


def select(
    catalog: Catalog,
    pics: Pics,
    *,
    profiles: Sequence[Profile] = (),
    test_ids: Iterable[str] = (),
) -> RunPlan:
    """The cases chosen by --profile/--test (all when neither is given), each with applicability.

    Robustness cases are chosen only by name: `--profile robustness` or their `--test` id; they
    are not part of "all"."""
    wanted_ids = [t.strip() for t in test_ids]
    known = {c.id for c in catalog.cases}
    unknown = [t for t in wanted_ids if t not in known]
    if unknown:
        raise SelectionError(f"--test {', '.join(unknown)}: no such case (see `octt list`)")
    chosen = [
        case
        for case in catalog.cases
        if (not profiles or case.profile in profiles)
        and (not wanted_ids or case.id in wanted_ids)
        and (case.profile is not Profile.ROBUSTNESS or case.id in wanted_ids or profiles)
    ]
    if not chosen:
        raise SelectionError("the selection matches no test case")
    entries = []
    for case in chosen:
        applicable, reason = applicability(case, pics)
        missing = missing_test_data(case, catalog, pics) if applicable else ()
        entries.append(PlanEntry(case, applicable, reason, missing))
    return RunPlan(tuple(entries))
