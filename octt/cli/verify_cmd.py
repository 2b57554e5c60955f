"""`octt verify DIR [--public-key FILE | --cert FILE]`: check DIR/signature.json.

Exit 0 when the signature holds and every file it covers is unchanged; 1 naming each file that
changed or is missing (or a signature that does not hold); 2 for usage errors (no such folder,
an unreadable key). Without a key flag, the check uses the public key embedded in
signature.json: that proves integrity only, and the command says so and prints the fingerprint
to compare with the one the laboratory publishes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from octt.cli.env import Environment, ExitStatus
from octt.report.outputs import SIGNATURE_FILE
from octt.report.signature import (
    KeyFileError,
    SignatureFileError,
    load_certificate,
    load_public_key,
    verify_directory,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", type=Path)
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--public-key", metavar="FILE", type=Path, help="the laboratory's PEM public key"
    )
    which.add_argument("--cert", metavar="FILE", type=Path, help="the laboratory's certificate")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    directory = env.cwd / args.directory
    if not directory.is_dir():
        return env.fail(f"{directory}: no such folder")
    try:
        if args.public_key is not None:
            verification = verify_directory(
                directory,
                public_key=load_public_key(env.cwd / args.public_key),
                key_source=str(args.public_key),
            )
        elif args.cert is not None:
            verification = verify_directory(
                directory,
                certificate=load_certificate(env.cwd / args.cert),
                key_source=str(args.cert),
            )
        else:
            verification = verify_directory(directory)
    except KeyFileError as exc:
        return env.fail(str(exc))
    except SignatureFileError as exc:
        return env.fail(str(exc), ExitStatus.FAILED)
    if not verification.intact:
        for problem in verification.problems:
            env.stderr.write(f"octt: {directory / problem.file}: {problem.message}\n")
        env.stderr.write(
            f"octt: verification FAILED: {len(verification.problems)} problem(s) in {directory}\n"
        )
        env.stderr.flush()
        return ExitStatus.FAILED
    env.console.print(
        f"intact: {len(verification.checked)} file(s) match {directory / SIGNATURE_FILE}"
        f" ({', '.join(verification.checked)})",
        soft_wrap=True,
    )
    env.console.print(f"signed at {verification.signed_at or 'an unstated time'}", soft_wrap=True)
    if verification.key_source == "embedded":
        env.console.print(
            "checked against the public key embedded in signature.json, fingerprint"
            f" {verification.fingerprint}: this proves the files are unchanged since signing,"
            " not who signed them — compare the fingerprint with the one the laboratory"
            " publishes, or pass --public-key / --cert",
            soft_wrap=True,
        )
    else:
        who = f" ({verification.subject})" if verification.subject else ""
        env.console.print(
            f"signed by the key in {verification.key_source}{who},"
            f" fingerprint {verification.fingerprint}",
            soft_wrap=True,
        )
    return ExitStatus.OK
