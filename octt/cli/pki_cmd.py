"""`octt pki init DIR`: make a complete test PKI for the security profiles (CSMS root and server
certificates, charge point CA and client certificates, manufacturer root, firmware signing
certificate) with a README of what each file is for. Private keys get mode 0600 and are never
printed."""

from __future__ import annotations

import argparse
from pathlib import Path

from octt.cli.env import Environment, ExitStatus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["init"], help="init: make a new test PKI in DIR")
    parser.add_argument("directory", metavar="DIR", type=Path, help="folder to create")
    parser.add_argument(
        "--host",
        default="localhost",
        help="CSMS host name: CN and subjectAltName of the server certificates (default localhost;"
        " 127.0.0.1 and localhost are always in the subjectAltName)",
    )
    parser.add_argument(
        "--cp-id",
        default="OCTT-SP3-001",
        metavar="ID",
        help="charge point id in the client certificates' CN (default OCTT-SP3-001)",
    )
    parser.add_argument(
        "--cpo-name",
        default="octt test PKI",
        metavar="NAME",
        help="organization (O) of the certificates: the CpoName of the charge points",
    )
    parser.add_argument("--force", action="store_true", help="replace a PKI already in DIR")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from octt.pki.layout import MANIFEST, README, PkiError, init_pki
    from octt.reference.files import firmware_image

    directory = env.cwd / args.directory
    try:
        files = init_pki(
            directory,
            host=args.host,
            cp_id=args.cp_id,
            cpo_name=args.cpo_name,
            firmware_image=firmware_image(),
            force=args.force,
        )
    except PkiError as exc:
        return env.fail(str(exc))
    env.console.print(f"test PKI written to {files.directory}", soft_wrap=True)
    env.console.print(
        f"what each file is for: {files.directory / README}; fingerprints: {MANIFEST}",
        soft_wrap=True,
    )
    env.console.print("private keys (*.key) have mode 0600: test material, keep them private")
    return ExitStatus.OK
