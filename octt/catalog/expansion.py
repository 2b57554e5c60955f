"""A case's steps with the reusable states it runs expanded: everything a case contains.

Owns `expanded`, the one walk over cases, their before-states, the states their state steps
name and the states those run in turn, for whoever reads all of it at once (the CALLs a case
scripts, the text it mentions, the placeholders a run uses). It only reads the catalog; running
the steps is the engine's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from octt.catalog.model import Catalog, ReusableState, StateStep, Step, TestCase


def expanded(cases: Iterable[TestCase], catalog: Catalog) -> Iterator[ReusableState | Step]:
    """The steps of `cases`, in order, each list of steps preceded by the states it runs.

    A list of steps (a case's, then a state's) comes after the states its owner names in
    `before` and the states its state steps name, in that order; each such state is given
    (for its `parameters`) followed by its own expansion. A state comes once, the first time
    any of `cases` runs it; a name the catalog has no state for is passed over. The state
    steps themselves are given among the steps, where they stand.
    """
    seen: set[str] = set()
    for case in cases:
        yield from _steps(case.steps, case.before, catalog, seen)


def _steps(
    steps: Sequence[Step], before: Iterable[str], catalog: Catalog, seen: set[str]
) -> Iterator[ReusableState | Step]:
    for name in [*before, *(s.name for s in steps if isinstance(s, StateStep))]:
        if name not in seen and name in catalog.states:
            seen.add(name)
            state = catalog.states[name]
            yield state
            yield from _steps(state.steps, state.before, catalog, seen)
    yield from steps
