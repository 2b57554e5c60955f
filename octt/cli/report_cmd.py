"""`octt report DIR`: render every report again from DIR/result.json (no re-run)."""

from __future__ import annotations

import argparse
from pathlib import Path

from octt.cli.env import Environment, ExitStatus
from octt.cli.run_cmd import JUNIT_FILE
from octt.report.junit import write_junit
from octt.report.load import ResultFileError, load_result
from octt.report.result_json import RESULT_FILE
from octt.report.terminal import TerminalSink


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", type=Path)


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    directory = env.cwd / args.directory
    try:
        result = load_result(directory / RESULT_FILE)
    except ResultFileError as exc:
        return env.fail(str(exc))
    write_junit(directory / JUNIT_FILE, result)
    TerminalSink(env.console, live=False).summary(result)
    env.console.print(f"re-rendered: {directory / JUNIT_FILE}")
    return ExitStatus.OK
