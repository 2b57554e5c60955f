"""What a run's selection covered, as recorded in result.json (`scope`).

The selection the user made (--profile, --test, or none) and every OCA case of the catalog the
selection left out, each with whether the PICS makes it mandatory (and, if not, the PICS item
that rules it out). This is the data; `octt.result.scope` holds the rule that turns it into a
certificate-style report of conformance or a partial test summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutsideCase:
    """An OCA case the run's selection did not include."""

    id: str
    profile: str
    title: str
    mandatory: bool  # the claimed profiles (per the PICS) make it part of the certificate
    reason: str = ""  # when not mandatory: the PICS item that rules it out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "profile": self.profile,
            "title": self.title,
            "mandatory": self.mandatory,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RunScope:
    """The selection of a run and the OCA cases outside it."""

    profiles: tuple[str, ...] = ()  # --profile values (empty: not narrowed by profile)
    tests: tuple[str, ...] = ()  # --test values (empty: not narrowed by case)
    outside: tuple[OutsideCase, ...] = ()

    @property
    def selection(self) -> str:
        """The selection in the words of the command line ("all cases" when not narrowed)."""
        parts = [f"--profile {p}" for p in self.profiles] + [f"--test {t}" for t in self.tests]
        return " ".join(parts) or "all cases"

    @property
    def missing(self) -> tuple[OutsideCase, ...]:
        """The mandatory cases this run did not include: non-empty means a partial run."""
        return tuple(c for c in self.outside if c.mandatory)

    def to_json(self) -> dict[str, Any]:
        return {
            "selection": {"profiles": list(self.profiles), "tests": list(self.tests)},
            "outside": [c.to_json() for c in self.outside],
        }


def scope_from_json(data: Mapping[str, Any]) -> RunScope:
    selection = data.get("selection") or {}
    return RunScope(
        profiles=tuple(str(p) for p in selection.get("profiles", ())),
        tests=tuple(str(t) for t in selection.get("tests", ())),
        outside=tuple(
            OutsideCase(
                id=str(c["id"]),
                profile=str(c.get("profile", "")),
                title=str(c.get("title", "")),
                mandatory=bool(c.get("mandatory", False)),
                reason=str(c.get("reason", "")),
            )
            for c in data.get("outside", ())
        ),
    )
