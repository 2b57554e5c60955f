"""`octt report DIR`: render every report again from DIR/result.json and DIR/trace.jsonl.

No re-run: junit.xml, certificate.html, certificate.pdf and report.html are rewritten from the
result. `--config FILE` replaces the laboratory and signatory details in result.json first (a
lab re-brands a report or fixes a signatory). A folder signed before keeps showing its signing
key's fingerprint; if the re-rendered files differ from the signed ones, the command says so.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from octt.cli.env import Environment, ExitStatus
from octt.config import load_run_config
from octt.report.outputs import SIGNATURE_FILE, write_reports
from octt.report.signature import SignatureFileError, signature_shown, verify_directory
from octt.report.terminal import TerminalSink
from octt.result.load import ResultFileError, load_result
from octt.result.result_json import RESULT_FILE, write_json_atomically
from octt.yamldoc import DocumentError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", type=Path)
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="run configuration whose lab section replaces the lab and signatories in result.json",
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    directory = env.cwd / args.directory
    result_path = directory / RESULT_FILE
    try:
        result = load_result(result_path)
    except ResultFileError as exc:
        return env.fail(str(exc))
    if args.config is not None:
        try:
            lab = load_run_config(env.cwd / args.config).lab
        except DocumentError as exc:
            return env.fail(str(exc))
        document = json.loads(result_path.read_text(encoding="utf-8"))
        document["lab"] = lab.to_json()
        write_json_atomically(result_path, document)
        result = replace(result, lab=lab)
        env.console.print(f"lab details in {result_path} replaced from {args.config}")
    signature_path = directory / SIGNATURE_FILE
    written = write_reports(directory, result, signature=signature_shown(signature_path))
    TerminalSink(env.console, live=False).summary(result)
    if result.interrupted:
        env.console.print("[yellow]note:[/] the run was interrupted: the reports are partial")
    for path in written:
        env.console.print(f"re-rendered: {path}", soft_wrap=True)
    if signature_path.exists():
        _check_signature(directory, env)
    return ExitStatus.OK


def _check_signature(directory: Path, env: Environment) -> None:
    try:
        verification = verify_directory(directory)
    except SignatureFileError as exc:
        env.error_console.print(f"[yellow]warning:[/] {exc}", soft_wrap=True)
        return
    if verification.intact:
        env.console.print(f"{SIGNATURE_FILE}: still matches every file it covers")
        return
    changed = ", ".join(p.file for p in verification.problems)
    env.error_console.print(
        f"[yellow]warning:[/] {SIGNATURE_FILE} no longer matches ({changed}): sign the folder"
        f" again with `octt sign {directory} --key KEY`",
        soft_wrap=True,
    )
