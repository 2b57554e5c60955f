"""The `octt` command: a small table of subcommands, one module each."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Sequence

from octt import __version__
from octt.cli import (
    console_cmd,
    keygen_cmd,
    list_cmd,
    load_cmd,
    operator_cmd,
    pics_cmd,
    pki_cmd,
    reference_cmd,
    report_cmd,
    run_cmd,
    show_cmd,
    sign_cmd,
    verify_cmd,
)
from octt.cli.env import Environment, ExitStatus

Command = Callable[[argparse.Namespace, Environment], ExitStatus]

_COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None], Command], ...] = (
    ("run", "run test cases against a CSMS", run_cmd.add_arguments, run_cmd.run),
    ("list", "list the catalog with applicability", list_cmd.add_arguments, list_cmd.run),
    ("show", "show the scenario of one case", show_cmd.add_arguments, show_cmd.run),
    (
        "reference-csms",
        "serve the embedded reference CSMS",
        reference_cmd.add_arguments,
        reference_cmd.run,
    ),
    ("report", "re-render reports from DIR/result.json", report_cmd.add_arguments, report_cmd.run),
    ("sign", "sign a report folder's result and evidence", sign_cmd.add_arguments, sign_cmd.run),
    (
        "verify",
        "check a report folder against its signature",
        verify_cmd.add_arguments,
        verify_cmd.run,
    ),
    ("keygen", "make an Ed25519 key pair for signing", keygen_cmd.add_arguments, keygen_cmd.run),
    ("pki", "make a test PKI for the security profiles", pki_cmd.add_arguments, pki_cmd.run),
    (
        "load",
        "many simulated charge points against a CSMS, with per-action figures",
        load_cmd.add_arguments,
        load_cmd.run,
    ),
    (
        "pics",
        "pics init: a PICS skeleton for the profiles named; pics check FILE: every problem",
        pics_cmd.add_arguments,
        pics_cmd.run,
    ),
    (
        "operator",
        "operator check: can the operator make the CSMS send each action the PICS needs?",
        operator_cmd.add_arguments,
        operator_cmd.run,
    ),
    (
        "console",
        "a lab console in the browser: start runs, answer prompts, watch the wire, the history",
        console_cmd.add_arguments,
        console_cmd.run,
    ),
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors through our exit status instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="octt", description="Conformance tests for OCPP 1.6-J Central Systems")
    parser.add_argument("--version", action="version", version=f"octt {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text, add_arguments, handler in _COMMANDS:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    try:
        # argparse prints --help/--version itself and exits: keep both inside the environment.
        with contextlib.redirect_stdout(env.stdout):
            args = build_parser().parse_args(argv)
    except _UsageError as exc:
        env.stderr.write(f"{exc}\n")  # already "octt[ command]: message"
        return int(ExitStatus.USAGE)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(ExitStatus.USAGE)
    handler: Command = args.handler
    return int(handler(args, env))
