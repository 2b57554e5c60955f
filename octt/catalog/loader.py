"""Loading the catalog: every YAML file checked against schemas/testcase.schema.json, then turned
into the typed model; every problem is a `DocumentError` naming file:line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from octt.catalog.model import (
    Catalog,
    CheckStep,
    ClientCertificateChoice,
    DisconnectStep,
    EachConnector,
    ExpectCallStep,
    ForbidStep,
    Location,
    OperatorStep,
    ReconnectStep,
    Requirement,
    ReusableState,
    SendStep,
    SimulatedEvent,
    SimulateStep,
    StateStep,
    Step,
    TestCase,
    WaitStep,
)
from octt.pics.model import Profile
from octt.resources import testcases_dir
from octt.yamldoc import Document, DocumentError, load_document

SCHEMA = "testcase.schema.json"
STEP_KINDS = (
    "send",
    "expect_call",
    "operator",
    "state",
    "reconnect",
    "forbid",
    "check",
    "wait",
    "simulate",
    "disconnect",
)


def catalog_path(path: Path) -> str:
    """A catalog file as results show it: ``<catalog folder>/<profile or _states>/<file>``,
    the same on every machine (never where the catalog is installed)."""
    return "/".join(path.parts[-3:])


def _location(path: Path, line: int) -> Location:
    return Location(catalog_path(path), line, source=str(path))


def _steps(document: Document, raw_steps: list[Any], path: tuple[object, ...]) -> tuple[Step, ...]:
    steps: list[Step] = []
    for index, raw in enumerate(raw_steps):
        where = (*path, index)
        kinds = [k for k in STEP_KINDS if k in raw]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise document.error(
                f"a step needs exactly one of {', '.join(STEP_KINDS)} (found: {found})", *where
            )
        step = _step(kinds[0], raw, _location(document.file, document.line_of(*where)))
        steps.append(
            replace(
                step,
                editions=tuple(str(e) for e in raw.get("editions", ())),
                advisory=str(raw.get("advisory", "")),
                advisory_in=tuple(str(e) for e in raw.get("advisory_in", ())),
                edition_expect=dict(raw.get("edition_expect", {})),
            )
        )
    return tuple(steps)


def _step(kind: str, raw: Mapping[str, Any], loc: Location) -> Step:
    label, note = str(raw.get("label", "")), str(raw.get("note", ""))
    if kind == "send":
        each = raw.get("each_connector")
        return SendStep(
            loc,
            label,
            note,
            action=raw["send"],
            connector=raw.get("connector"),
            each_connector=EachConnector(each) if each else None,
            payload=raw.get("payload", {}),
            expect=raw.get("expect", {}),
            save=raw.get("save", {}),
            swappable_with_next=bool(raw.get("swappable_with_next", False)),
            timeout_s=raw.get("timeout_s"),
            followed_by=tuple(raw.get("followed_by", ())),
        )
    if kind == "expect_call":
        return ExpectCallStep(
            loc,
            label,
            note,
            action=raw["expect_call"],
            within_s=raw.get("within_s"),
            expect=raw.get("expect", {}),
            save=raw.get("save", {}),
            reply=raw.get("reply"),
            reply_error=raw.get("reply_error"),
            tolerate=tuple(raw.get("tolerate", ())),
        )
    if kind == "operator":
        return OperatorStep(loc, label, note, raw["operator"], raw.get("payload", {}), raw["say"])
    if kind == "state":
        return StateStep(
            loc,
            label,
            note,
            raw["state"],
            raw.get("with", {}),
            raw.get("expect", {}),
            raw.get("save", {}),
            raw.get("when", {}),
        )
    if kind == "reconnect":
        options = raw["reconnect"] or {}
        protocols = options.get("subprotocols")
        return ReconnectStep(
            loc,
            label,
            note,
            options.get("password"),
            tuple(protocols) if protocols else None,
            security_profile=options.get("security_profile"),
            credentials=options.get("credentials", "own") != "none",
            client_certificate=ClientCertificateChoice(options.get("client_certificate", "own")),
            refused=bool(options.get("refused", False)),
        )
    if kind == "disconnect":
        return DisconnectStep(loc, label, note)
    if kind == "forbid":
        return ForbidStep(loc, label, note, tuple(raw["forbid"]), raw["within_s"])
    if kind == "check":
        return CheckStep(loc, label, note, raw["check"], raw.get("args", {}))
    if kind == "wait":
        return WaitStep(loc, label, note, raw["wait"])
    return SimulateStep(
        loc,
        label,
        note,
        SimulatedEvent(raw["simulate"]),
        raw.get("connector"),
        raw.get("duration_s"),
    )


def load_case(path: Path, states: Mapping[str, ReusableState] | None = None) -> TestCase:
    """Load one case; with `states`, also check the states it names (errors at their line)."""
    document = load_document(path, SCHEMA)
    data = document.data
    if "state" in data:
        raise document.error("a reusable state belongs in testcases/_states/, not among the cases")
    if path.stem != data["id"]:
        raise document.error(f"case {data['id']} must live in {data['id']}.yaml", "id")
    if path.parent.name != data["profile"]:
        raise document.error(
            f"a {data['profile']} case belongs in testcases/{data['profile']}/", "profile"
        )
    if states is not None:
        for index, name in enumerate(data.get("before", ())):
            if name not in states:
                raise document.error(f"unknown reusable state {name!r}", "before", index)
    steps = _steps(document, data["steps"], ("steps",))
    return TestCase(
        id=data["id"],
        title=data["title"],
        profile=Profile(data["profile"]),
        reference=dict(data["reference"]),
        purpose=data.get("purpose", ""),
        checks=tuple(data["checks"]),
        editions=data.get("editions", ""),
        requires=tuple(
            Requirement(r["pics"], tuple(r.get("contains_any", ())))
            for r in data.get("requires", ())
        ),
        before=tuple(data.get("before", ())),
        steps=steps,
        location=_location(path, 1),
        security_profiles=tuple(data.get("security_profiles", ())),
        charge_point_id=data.get("charge_point_id"),
    )


def load_state(path: Path) -> ReusableState:
    document = load_document(path, SCHEMA)
    data = document.data
    if "state" not in data:
        raise document.error("a file in _states/ must start with `state: <name>`")
    if data["state"] != path.stem:
        raise document.error(f"state {data['state']!r} must live in {data['state']}.yaml", "state")
    return ReusableState(
        name=data["state"],
        title=data["title"],
        purpose=data.get("purpose", ""),
        before=tuple(data.get("before", ())),
        steps=_steps(document, data["steps"], ("steps",)),
        location=_location(path, 1),
        before_location=_location(path, document.line_of("before")),
        parameters=dict(data.get("parameters", {})),
    )


def _referenced_states(steps: Iterable[Step]) -> list[tuple[str, Location]]:
    return [(s.name, s.location) for s in steps if isinstance(s, StateStep)]


def _uses_operator(
    steps: Iterable[Step], before: Iterable[str], states: Mapping[str, ReusableState]
) -> bool:
    if any(isinstance(s, OperatorStep) for s in steps):
        return True
    names = list(before) + [name for name, _ in _referenced_states(steps)]
    return any(_uses_operator(states[n].steps, states[n].before, states) for n in names)


def accepted_arguments(states: Mapping[str, ReusableState], name: str) -> frozenset[str]:
    """The parameters a step running state `name` may set: the state's own and those of every
    state it runs (before-states and state steps, transitively)."""
    seen: set[str] = set()
    names: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen or current not in states:
            continue
        seen.add(current)
        state = states[current]
        names.update(state.parameters)
        pending.extend(state.before)
        pending.extend(child for child, _ in _referenced_states(state.steps))
    return frozenset(names)


def _check_arguments(steps: Iterable[Step], states: Mapping[str, ReusableState]) -> None:
    for step in steps:
        if not isinstance(step, StateStep) or step.name not in states:
            continue
        unknown = sorted(set(step.arguments) - accepted_arguments(states, step.name))
        if unknown:
            accepted = ", ".join(sorted(accepted_arguments(states, step.name))) or "none"
            raise DocumentError(
                step.location.source_file,
                step.location.line,
                f"state {step.name!r} has no parameter {', '.join(unknown)}"
                f" (its parameters: {accepted})",
            )


def _check_state_graph(states: Mapping[str, ReusableState]) -> None:
    def visit(name: str, trail: tuple[str, ...]) -> None:
        state = states[name]
        before_at = state.before_location or state.location
        for child, loc in [(b, before_at) for b in state.before] + _referenced_states(state.steps):
            if child not in states:
                raise DocumentError(loc.source_file, loc.line, f"unknown reusable state {child!r}")
            if child in trail:
                cycle = " -> ".join((*trail, child))
                raise DocumentError(
                    loc.source_file, loc.line, f"reusable states form a cycle: {cycle}"
                )
            visit(child, (*trail, child))

    for name in states:
        visit(name, (name,))


def load_catalog(
    root: Path | None = None, *, known_checks: frozenset[str] | None = None
) -> Catalog:
    """Load every case and state under `root` (default: octt's packaged test cases)."""
    root = root or testcases_dir()
    states = {p.stem: load_state(p) for p in sorted((root / "_states").glob("*.yaml"))}
    _check_state_graph(states)
    cases: list[TestCase] = []
    seen: dict[str, Location] = {}
    for path in sorted(p for p in root.glob("*/*.yaml") if p.parent.name != "_states"):
        case = load_case(path, states)
        if case.id in seen:
            raise DocumentError(path, 1, f"duplicate case id {case.id} (also {seen[case.id]})")
        seen[case.id] = case.location
        for name, loc in _referenced_states(case.steps):
            if name not in states:
                raise DocumentError(loc.source_file, loc.line, f"unknown reusable state {name!r}")
        if known_checks is not None:
            _check_helpers(case.steps, known_checks)
        _check_arguments(case.steps, states)
        cases.append(_with_operator_flag(case, states))
    for state in states.values():
        _check_arguments(state.steps, states)
    if known_checks is not None:
        for state in states.values():
            _check_helpers(state.steps, known_checks)
    return Catalog(tuple(sorted(cases, key=_case_order)), states)


def _check_helpers(steps: Iterable[Step], known: frozenset[str]) -> None:
    for step in steps:
        if isinstance(step, CheckStep) and step.name not in known:
            raise DocumentError(
                step.location.source_file,
                step.location.line,
                f"unknown check {step.name!r}; known: {', '.join(sorted(known))}",
            )


def _with_operator_flag(case: TestCase, states: Mapping[str, ReusableState]) -> TestCase:
    return replace(case, needs_operator=_uses_operator(case.steps, case.before, states))


_PROFILE_ORDER = {p: i for i, p in enumerate(Profile)}


def _case_order(case: TestCase) -> tuple[int, str]:
    return (_PROFILE_ORDER[case.profile], case.id)
