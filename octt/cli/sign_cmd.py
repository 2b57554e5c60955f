"""`octt sign DIR --key KEY [--cert CERT]`: render the reports with the key's fingerprint, then
sign result.json and the SHA-256 of every evidence file into DIR/signature.json.

The order matters: the certificate prints the fingerprint of the signing key (known before
signing), so the reports are rendered first and the signature covers the final files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from octt.cli.env import Environment, ExitStatus
from octt.clock import SystemClock, rfc3339
from octt.report.outputs import EVIDENCE_FILES, SIGNATURE_FILE, write_reports
from octt.report.signature import (
    PASSWORD_VARIABLE,
    KeyFileError,
    SigningKey,
    load_signing_key,
    sign_directory,
)
from octt.result.load import ResultFileError, load_result
from octt.result.model import RunResult
from octt.result.result_json import RESULT_FILE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", type=Path)
    add_key_arguments(parser, key_flag="--key", cert_flag="--cert", required=True)


def add_key_arguments(
    parser: argparse.ArgumentParser, *, key_flag: str, cert_flag: str, required: bool
) -> None:
    parser.add_argument(
        key_flag,
        metavar="KEY",
        type=Path,
        required=required,
        dest="sign_key",
        help=f"PEM private key (Ed25519, RSA or ECDSA; password in {PASSWORD_VARIABLE})",
    )
    parser.add_argument(
        cert_flag,
        metavar="CERT",
        type=Path,
        dest="sign_cert",
        help="the laboratory's X.509 certificate for the key (embedded in signature.json)",
    )


def signing_key(args: argparse.Namespace, env: Environment) -> SigningKey | None:
    """The key the flags name (None without one). Raises KeyFileError."""
    if args.sign_key is None:
        if args.sign_cert is not None:
            raise KeyFileError("a certificate needs its private key too")
        return None
    return load_signing_key(
        env.cwd / args.sign_key,
        env.cwd / args.sign_cert if args.sign_cert is not None else None,
        password=env.environ.get(PASSWORD_VARIABLE) or None,
    )


def sign_reports(directory: Path, result: RunResult, key: SigningKey, env: Environment) -> None:
    """Render every report with the key's fingerprint, then sign the folder."""
    write_reports(directory, result, signature=key.digital_signature())
    files = [name for name in EVIDENCE_FILES if (directory / name).is_file()]
    sign_directory(
        directory,
        key,
        files,
        signed_at=rfc3339(SystemClock().utc_now()),
        run_id=result.run_id,
    )
    env.console.print(
        f"signed: {directory / SIGNATURE_FILE} covers {', '.join(sorted(files))}", soft_wrap=True
    )
    env.console.print(
        f"signing key: {key.algorithm}, fingerprint {key.fingerprint}", soft_wrap=True
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    directory = env.cwd / args.directory
    try:
        key = signing_key(args, env)
    except KeyFileError as exc:
        return env.fail(str(exc))
    assert key is not None  # --key is required
    try:
        result = load_result(directory / RESULT_FILE)
    except ResultFileError as exc:
        return env.fail(str(exc))
    sign_reports(directory, result, key, env)
    return ExitStatus.OK
