"""`octt operator check`: before the first run, which CSMS-initiated actions can the operator
make the CSMS send?

Connects one simulated charge point to the CSMS (the embedded reference CSMS without --csms),
asks the operator (any mode: a trigger API, an adapter, a person at the prompt) for every
action the PICS's claimed profiles need, once each with a harmless request, and prints a table:
action → did the CALL arrive, how long it took, what went wrong. Exit status 0 when every
action works, 1 when some do not, 2 for a usage or configuration problem, 3 when the CSMS
cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from rich.table import Table

from octt.catalog.loader import load_catalog
from octt.catalog.selection import SelectionError, select
from octt.cli.env import Environment, ExitStatus
from octt.cli.preflight import PASSWORD_VARIABLE
from octt.config import RunConfig, load_run_config
from octt.engine.checks import CHECKS
from octt.engine.context import transport_options
from octt.operator.check import ActionCheck, ChargePointGone, check_operator, needed_actions
from octt.operator.factory import make_operator, operator_spec_problem
from octt.pics.model import Pics, load_pics
from octt.yamldoc import DocumentError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["check"], help="check: try every action once")
    parser.add_argument(
        "--csms",
        metavar="URL",
        help="ws:// or wss:// endpoint of the CSMS (default: the embedded reference CSMS)",
    )
    parser.add_argument("--cp-id", metavar="ID", help="charge point id (default: from the PICS)")
    parser.add_argument("--pics", metavar="FILE", type=Path, help="PICS file")
    parser.add_argument("--config", metavar="FILE", type=Path, help="run configuration file")
    parser.add_argument(
        "--operator",
        metavar="MODE",
        help="prompt | none | http(s)://trigger-api-base | python:package.module:factory | NAME",
    )
    parser.add_argument(
        "--operator-timeout", type=float, metavar="S", help="seconds to wait for each CALL"
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    if args.operator_timeout is not None and args.operator_timeout <= 0:
        return env.fail("--operator-timeout must be positive")
    try:
        config = load_run_config(env.cwd / args.config) if args.config else RunConfig()
        config = config.with_overrides(
            csms_url=args.csms,
            cp_id=args.cp_id,
            pics_path=(env.cwd / args.pics) if args.pics else None,
            operator=args.operator,
            operator_timeout_s=args.operator_timeout,
            basic_auth_password=env.environ.get(PASSWORD_VARIABLE) or None,
        )
        pics = load_pics(config.pics_path)
        plan = select(load_catalog(known_checks=frozenset(CHECKS)), pics)
    except (DocumentError, SelectionError) as exc:
        return env.fail(str(exc))
    if config.csms_url is not None and not config.csms_url.startswith(("ws://", "wss://")):
        return env.fail(f"--csms must be a ws:// or wss:// URL, got {config.csms_url!r}")
    if config.operator is not None and (problem := operator_spec_problem(config.operator)):
        return env.fail(problem)
    actions = needed_actions(load_catalog(known_checks=frozenset(CHECKS)), plan)
    return asyncio.run(_check(config, pics, actions, env))


async def _check(
    config: RunConfig, pics: Pics, actions: tuple[str, ...], env: Environment
) -> ExitStatus:
    from octt.cli.run_cmd import _csms  # the same CSMS `octt run` would use

    async with _csms(config, pics) as (csms_url, default_operator, config):
        mode = config.operator or default_operator or ("prompt" if env.interactive else "none")
        try:
            operator = make_operator(mode, console=env.console, input_stream=env.stdin)
        except ValueError as exc:
            return env.fail(str(exc))
        cp_id = config.cp_id or pics.test_data.charge_point_id
        try:
            # As `octt run` connects: password, TLS files and test PKI of the configuration.
            options = transport_options(config, csms_url, cp_id)
        except (OSError, ValueError) as exc:
            return env.fail(f"cannot set up the charge point's connection: {exc}")
        timeout_s = config.effective_operator_timeout_s(mode)
        env.console.print(
            f"operator check: {len(actions)} action(s) the claimed profiles need, CSMS"
            f" {csms_url}, charge point {cp_id}, operator {operator.mode}",
            soft_wrap=True,
        )
        try:
            checks = await check_operator(
                options, operator, actions, pics.raw.get("test_data", {}), timeout_s=timeout_s
            )
        except ChargePointGone as exc:
            return env.fail(f"the CSMS could not be reached: {exc}", ExitStatus.UNREACHABLE)
        finally:
            await operator.aclose()
    env.console.print(table(checks))
    broken = [c for c in checks if not c.works]
    if broken:
        env.console.print(f"broken: {', '.join(c.action for c in broken)}", soft_wrap=True)
        for check in broken:  # whole, whatever the terminal's width
            env.console.print(f"  {check.action}: {check.problem}", soft_wrap=True, markup=False)
        return ExitStatus.FAILED
    env.console.print(f"all {len(checks)} action(s) work")
    return ExitStatus.OK


def table(checks: list[ActionCheck]) -> Table:
    """action → CALL arrived?, time, what went wrong."""
    out = Table(title="Operator check")
    for column in ("Action", "CALL arrived", "Time", "Problem"):
        out.add_column(column)
    for check in checks:
        out.add_row(
            check.action,
            "yes" if check.arrived else "no",
            f"{check.elapsed_s * 1000:.0f} ms",
            check.problem or "works",
        )
    return out
