"""`octt pics init` and `octt pics check`: writing a PICS.

`init` writes a skeleton for the profiles named (octt.catalog.skeleton): every test-data key
their cases need, each with a comment, the values to give left empty. `check FILE` lists every
problem of a PICS at once, each as ``file:line: message`` (octt.pics.problems), and then the
test data the claimed profiles' cases need and the file lacks (octt.catalog.needs, as the
pre-flight of `octt run` finds it); exit status 0 when there is none, 2 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from octt.catalog.loader import load_catalog
from octt.catalog.selection import select
from octt.catalog.skeleton import CLAIMABLE, skeleton
from octt.cli.env import Environment, ExitStatus
from octt.engine.checks import CHECKS
from octt.pics.model import Profile, load_pics
from octt.pics.problems import pics_problems
from octt.yamldoc import DocumentError, parse_yaml

_PROFILES = [Profile.CORE.value, *(p.value for p in CLAIMABLE), Profile.SECURITY.value]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=["init", "check"], help="init: write a skeleton; check FILE: validate"
    )
    parser.add_argument("file", metavar="FILE", nargs="?", type=Path, help="the PICS to check")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="NAME",
        choices=_PROFILES,
        help="init: a profile the CSMS claims (repeatable; core always)",
    )
    parser.add_argument(
        "--security-profile",
        action="append",
        default=[],
        type=int,
        choices=[1, 2, 3],
        help="init: a security profile the CSMS supports (repeatable; --profile security"
        " alone means 1, 2 and 3)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="init: write here (default: stdout)"
    )
    parser.add_argument("--force", action="store_true", help="init: replace an existing FILE")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    if args.action == "init":
        return _init(args, env)
    if args.file is None:
        return env.fail("octt pics check: name the PICS FILE to check")
    return _check(env.cwd / args.file, env)


def _init(args: argparse.Namespace, env: Environment) -> ExitStatus:
    if args.file is not None:
        return env.fail("octt pics init writes with -o FILE (or to stdout), it reads no FILE")
    security = sorted(set(args.security_profile))
    if Profile.SECURITY.value in args.profile and not security:
        security = [1, 2, 3]
    profiles = [Profile(p) for p in args.profile if Profile(p) in CLAIMABLE]
    text = skeleton(load_catalog(known_checks=frozenset(CHECKS)), profiles, security)
    if args.output is None:
        env.stdout.write(text)
        return ExitStatus.OK
    target = env.cwd / args.output
    if target.exists() and not args.force:
        return env.fail(f"{target} exists (--force replaces it)")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        return env.fail(f"{target}: {exc.strerror or exc}")
    env.console.print(
        f"PICS skeleton written to {target}: fill in the empty values, then"
        f" `octt pics check {args.output}`",
        soft_wrap=True,
    )
    return ExitStatus.OK


def _check(path: Path, env: Environment) -> ExitStatus:
    problems = pics_problems(path)
    if not problems:
        try:
            pics = load_pics(path)
            catalog = load_catalog(known_checks=frozenset(CHECKS))
            plan = select(catalog, pics)
            line = parse_yaml(path).line_of("test_data")
        except DocumentError as exc:
            problems = [str(exc)]
        else:
            for key, ids in plan.missing_test_data().items():
                shown = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 4 else "")
                if len(ids) == 4:
                    shown = ", ".join(ids)
                problems.append(f"{path}:{line}: {key} is missing: needed by {shown}")
    if problems:
        env.stderr.write(f"octt: {len(problems)} problem(s) in {path}:\n")
        env.stderr.write("".join(f"  {p}\n" for p in problems))
        env.stderr.flush()
        return ExitStatus.USAGE
    claimed = ", ".join(p.value for p in sorted(pics.profiles))
    if pics.security_profiles:
        claimed += f"; security profiles {', '.join(map(str, sorted(pics.security_profiles)))}"
    applicable = len(plan.applicable)
    env.console.print(
        f"{path}: no problem; claims {claimed}; {applicable} case(s) apply", soft_wrap=True
    )
    return ExitStatus.OK
