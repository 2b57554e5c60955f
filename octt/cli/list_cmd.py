"""`octt list`: the catalog, with each case's applicability under a PICS (and, for a case that
applies, the PICS test data it lacks: such a case would not run)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.table import Table

from octt.catalog.loader import load_catalog
from octt.catalog.selection import select
from octt.cli.env import Environment, ExitStatus
from octt.engine.checks import CHECKS
from octt.pics.model import load_pics
from octt.resources import default_pics_path
from octt.yamldoc import DocumentError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pics", type=Path, metavar="FILE", help="PICS file (applicability)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    try:
        pics = load_pics(env.cwd / args.pics if args.pics else default_pics_path())
        catalog = load_catalog(known_checks=frozenset(CHECKS))
    except DocumentError as exc:
        return env.fail(str(exc))
    plan = select(catalog, pics)
    if args.json:
        rows = [
            {
                "id": e.case.id,
                "title": e.case.title,
                "profile": e.case.profile.value,
                "applicable": e.applicable,
                "reason": e.reason,
                "missing_test_data": list(e.missing),
                "needs_operator": e.case.needs_operator,
                "file": e.case.location.file,
            }
            for e in plan.entries
        ]
        env.stdout.write(json.dumps(rows, indent=2) + "\n")
        return ExitStatus.OK
    table = Table(title=f"{len(plan.entries)} test cases (PICS: {pics.source})")
    for column in ("Id", "Profile", "Title", "Operator", "Applicable"):
        table.add_column(column)
    for e in plan.entries:
        applicable = "yes" if e.applicable else f"no — {e.reason}"
        if e.not_run:
            applicable = f"yes, not run — {e.not_run_reason}"
        operator = "yes" if e.case.needs_operator else ""
        table.add_row(e.case.id, e.case.profile.value, e.case.title, operator, applicable)
    env.console.print(table)
    return ExitStatus.OK
