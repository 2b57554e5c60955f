"""`octt show TC_ID`: one case's scenario, readable, with its reusable states expanded."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace

from rich.text import Text

from octt.catalog.editions import DOCUMENT, LATEST, Edition, citation, for_edition
from octt.catalog.loader import load_catalog
from octt.catalog.model import (
    Catalog,
    ExpectCallStep,
    OperatorStep,
    ReconnectStep,
    SendStep,
    StateStep,
    Step,
    describe_step,
)
from octt.cli.env import Environment, ExitStatus
from octt.engine.checks import CHECKS
from octt.yamldoc import DocumentError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_id", metavar="TC_ID")
    parser.add_argument(
        "--edition",
        choices=[e.value for e in Edition],
        default=LATEST.value,
        help=f"show what this edition of the OCA test case document checks (default {LATEST})",
    )


def _detail(step: Step) -> str:
    parts: list[str] = []
    if isinstance(step, SendStep | OperatorStep) and step.payload:
        parts.append(f"payload {dict(step.payload)}")
    if isinstance(step, SendStep | ExpectCallStep) and step.expect:
        parts.append(f"expect {dict(step.expect)}")
    if isinstance(step, ExpectCallStep) and step.reply:
        parts.append(f"reply {dict(step.reply)}")
    if isinstance(step, SendStep) and step.each_connector:
        parts.append(f"for each connector ({step.each_connector.value})")
    if isinstance(step, SendStep) and step.swappable_with_next:
        parts.append("may swap with the next step")
    if isinstance(step, StateStep):
        # Expectations the case adds to the messages inside the state, per action.
        parts.extend(f"expect on {action} {dict(e)}" for action, e in step.expect.items())
        if step.when:
            parts.append(f"only when {dict(step.when)}")
    if isinstance(step, ReconnectStep) and step.label:
        parts.append(describe_step(replace(step, label="")))  # the options behind the label
    if isinstance(step, SendStep) and step.followed_by:
        parts.append(f"the CSMS answers with {', '.join(step.followed_by)}")
    if step.advisory:
        parts.append(f"advisory only, no edition lists it ({step.advisory})")
    return "; ".join(parts)


def _lines(catalog: Catalog, steps: Sequence[Step], indent: str, prefix: str) -> list[str]:
    lines: list[str] = []
    for number, step in enumerate(steps, start=1):
        path = f"{prefix}{number}"
        lines.append(f"{indent}{path}. {describe_step(step)}")
        detail = _detail(step)
        if detail:
            lines.append(f"{indent}     {detail}")
        if isinstance(step, StateStep):
            lines.extend(_state_lines(catalog, step.name, indent + "   ", f"{path}."))
    return lines


def _state_lines(catalog: Catalog, name: str, indent: str, prefix: str) -> list[str]:
    """A state's steps, after the steps of the states it runs first (as the engine does)."""
    state = catalog.states[name]
    lines: list[str] = []
    for before in state.before:
        lines.append(f"{indent}(first, reusable state {before})")
        lines.extend(_state_lines(catalog, before, indent, f"{prefix}{before}."))
    return lines + _lines(catalog, state.steps, indent, prefix)


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    try:
        written = load_catalog(known_checks=frozenset(CHECKS))
    except DocumentError as exc:
        return env.fail(str(exc))
    edition = Edition(args.edition)
    catalog = for_edition(written, edition)
    try:
        case = catalog.case(args.case_id)
    except KeyError:
        if any(c.id == args.case_id for c in written.cases):
            return env.fail(f"{args.case_id} is not in the {edition} edition of the {DOCUMENT}")
        return env.fail(f"no test case {args.case_id!r} (see `octt list`)")
    out = env.console
    out.print(Text(f"{case.id} — {case.title}", style="bold"))
    out.print(f"profile: {case.profile.value}    file: {case.location.file}")
    out.print(f"edition: {edition}")
    out.print(f"reference: {citation(case.reference, edition)}", markup=False)
    if case.purpose:
        out.print(f"\n[bold]Purpose[/]\n{case.purpose.strip()}")
    out.print("\n[bold]The CSMS is checked on[/]")
    for check in case.checks:
        out.print(f"  • {check}")
    if case.editions:
        out.print(f"\n[bold]Editions[/]\n{case.editions}")
    for name in case.before:
        out.print(f"\n[bold]Before: reusable state {name}[/]")
        for line in _state_lines(catalog, name, "  ", ""):
            out.print(line, markup=False)
    out.print("\n[bold]Steps[/]")
    for line in _lines(catalog, case.steps, "  ", ""):
        out.print(line, markup=False)
    return ExitStatus.OK
