"""The `octt` command table: subcommands, usage errors as exit status 2, --version."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from octt import __version__
from octt.cli import build_parser, list_cmd, main, reference_cmd, report_cmd, run_cmd, show_cmd
from octt.cli.env import Environment


def environment(tmp_path: Path) -> tuple[Environment, io.StringIO, io.StringIO]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=tmp_path, environ={})
    return env, stdout, stderr


def test_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env, stdout, _ = environment(tmp_path)
    try:
        status = main(["--version"], env)
    except SystemExit as exit_:  # argparse's version action exits by itself
        status = int(exit_.code or 0)
    assert status == 0
    printed = capsys.readouterr().out + stdout.getvalue()
    assert printed == f"octt {__version__}\n"
    assert __version__.count(".") >= 1


def test_version_goes_through_the_environment(tmp_path: Path) -> None:
    env, stdout, _ = environment(tmp_path)
    assert main(["--version"], env) == 0
    assert stdout.getvalue() == f"octt {__version__}\n"


def test_a_command_is_required(tmp_path: Path) -> None:
    env, stdout, stderr = environment(tmp_path)
    assert main([], env) == 2
    assert "required: command" in stderr.getvalue()
    assert stdout.getvalue() == ""


def test_unknown_command(tmp_path: Path) -> None:
    env, _, stderr = environment(tmp_path)
    assert main(["frobnicate"], env) == 2
    message = stderr.getvalue()
    assert "frobnicate" in message
    for name in ("run", "list", "show", "reference-csms", "report"):
        assert name in message


def test_usage_error_has_one_prefix(tmp_path: Path) -> None:
    env, _, stderr = environment(tmp_path)
    main([], env)
    assert not stderr.getvalue().startswith("octt: octt")


def test_subcommand_usage_error_names_the_subcommand(tmp_path: Path) -> None:
    env, _, stderr = environment(tmp_path)
    assert main(["show"], env) == 2
    assert "octt show" in stderr.getvalue()
    assert "TC_ID" in stderr.getvalue()


@pytest.mark.parametrize(
    ("argv", "handler"),
    [
        (["run"], run_cmd.run),
        (["list"], list_cmd.run),
        (["show", "TC_001_CSMS"], show_cmd.run),
        (["reference-csms"], reference_cmd.run),
        (["report", "somewhere"], report_cmd.run),
    ],
)
def test_each_command_has_its_handler(argv: list[str], handler: object) -> None:
    args = build_parser().parse_args(argv)
    assert args.command == argv[0]
    assert args.handler is handler
