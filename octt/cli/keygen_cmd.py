"""`octt keygen KEY`: make an Ed25519 key pair for a laboratory to sign results with.

KEY is the private key (PKCS #8 PEM, created with mode 0600, encrypted when
OCTT_SIGN_KEY_PASSWORD is set) and KEY.pub the public key to hand out. Neither is overwritten;
the private key is never printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from octt.cli.env import Environment, ExitStatus
from octt.report.signature import PASSWORD_VARIABLE, KeyFileError, generate_key_pair


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", metavar="KEY", type=Path, help="private key file to create")
    parser.add_argument(
        "--public", metavar="FILE", type=Path, help="public key file (default: KEY.pub)"
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    private_path = env.cwd / args.key
    public_path = env.cwd / args.public if args.public else Path(f"{private_path}.pub")
    password = env.environ.get(PASSWORD_VARIABLE) or None
    try:
        fingerprint = generate_key_pair(private_path, public_path, password)
    except KeyFileError as exc:
        return env.fail(str(exc))
    protected = "encrypted with OCTT_SIGN_KEY_PASSWORD" if password else "not encrypted"
    env.console.print(
        f"private key: {private_path} (mode 0600, {protected}; keep it secret)", soft_wrap=True
    )
    env.console.print(f"public key:  {public_path} (hand this out)", soft_wrap=True)
    env.console.print(f"fingerprint: {fingerprint}", soft_wrap=True)
    env.console.print(
        "publish the fingerprint, so anyone can check a signature.json with `octt verify`",
        soft_wrap=True,
    )
    return ExitStatus.OK
