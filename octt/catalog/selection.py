"""Selection: which cases of the catalog a run executes, and why the others do not apply."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from octt.catalog.model import Catalog, Requirement, TestCase
from octt.pics.model import Pics, Profile, lookup_dotted


class SelectionError(ValueError):
    """A --test or --profile names nothing in the catalog."""


@dataclass(frozen=True)
class PlanEntry:
    case: TestCase
    applicable: bool
    reason: str = ""  # for a case that does not apply: the PICS item that rules it out


@dataclass(frozen=True)
class RunPlan:
    entries: tuple[PlanEntry, ...]

    @property
    def applicable(self) -> tuple[PlanEntry, ...]:
        return tuple(e for e in self.entries if e.applicable)


def _requirement_holds(requirement: Requirement, raw: Mapping[str, Any]) -> bool:
    try:
        node = lookup_dotted(raw, requirement.pics)
    except KeyError:
        return False
    if requirement.contains_any:
        return isinstance(node, list) and any(v in node for v in requirement.contains_any)
    return bool(node)


def applicability(case: TestCase, pics: Pics) -> tuple[bool, str]:
    """Whether `case` applies to a CSMS with this PICS, and if not, which PICS item says no."""
    # A robustness case needs no claim of its own (it is asked for); its requirements name the
    # profile of the action it breaks.
    if case.profile is not Profile.ROBUSTNESS and not pics.claims(case.profile):
        if case.profile is Profile.SECURITY:
            return False, "PICS security.profiles is empty (no security profile claimed)"
        return False, f"PICS profiles.{case.profile.value} is not claimed"
    for requirement in case.requires:
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
        entries.append(PlanEntry(case, applicable, reason))
    return RunPlan(tuple(entries))
