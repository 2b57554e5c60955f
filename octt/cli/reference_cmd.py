"""`octt reference-csms`: serve the embedded reference CSMS (OCPP on --port, trigger API on
--control-port, and with TLS files OCPP over TLS on --tls-port for security profiles 2 and 3)
until Ctrl-C or SIGTERM. TLS files come from a test PKI (`--pki DIR`, made by `octt pki init`;
`--generate-pki` makes a temporary one) or are named one by one (`--tls-cert`/`--tls-key`,
`--client-ca`, `--signing-ca-cert`/`--signing-ca-key`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from octt.cli.env import Environment, ExitStatus

if TYPE_CHECKING:
    from octt.reference.faults import Fault
    from octt.reference.server import ReferenceConfig, ReferenceCsms
    from octt.reference.tls import ReferenceTls


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="OCPP WebSocket port (0: any free)")
    parser.add_argument("--control-port", type=int, default=0, help="trigger API port (0: any)")
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument(
        "--pics", type=Path, metavar="FILE", help="seed idTags from this PICS's test data"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="break one behaviour on purpose (repeatable)",
    )
    parser.add_argument("--list-faults", action="store_true", help="list the fault switches")
    parser.add_argument(
        "--quirk",
        action="append",
        default=[],
        metavar="NAME",
        help="behave legally but unlike the default, as some CSMSs do (repeatable)",
    )
    parser.add_argument("--list-quirks", action="store_true", help="list the quirk switches")
    tls = parser.add_argument_group("TLS (security profiles 2 and 3)")
    tls.add_argument("--tls-port", type=int, default=0, help="OCPP-over-TLS port (0: any free)")
    tls.add_argument("--pki", type=Path, metavar="DIR", help="serve TLS with an octt test PKI")
    tls.add_argument(
        "--generate-pki",
        action="store_true",
        help="make a temporary test PKI for --host and serve TLS with it",
    )
    tls.add_argument(
        "--tls-cert",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="server certificate (chain) PEM; repeatable (an RSA and an ECDSA one)",
    )
    tls.add_argument(
        "--tls-key", action="append", default=[], type=Path, metavar="FILE", help="its key"
    )
    tls.add_argument("--client-ca", type=Path, metavar="FILE", help="CA of client certificates")
    tls.add_argument("--signing-ca-cert", type=Path, metavar="FILE", help="CA that signs CSRs")
    tls.add_argument("--signing-ca-key", type=Path, metavar="FILE", help="its key")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from octt.reference import quirks
    from octt.reference.faults import Fault, describe, parse_faults
    from octt.reference.server import ReferenceConfig
    from octt.reference.store import seed_from_pics
    from octt.resources import default_pics_path

    if args.list_faults:
        for fault in Fault:
            env.console.print(f"[bold]{fault.value}[/]  {describe(fault)}")
        return ExitStatus.OK
    if args.list_quirks:
        for quirk in quirks.Quirk:
            env.console.print(f"[bold]{quirk.value}[/]  {quirks.describe(quirk)}")
        return ExitStatus.OK
    try:
        faults = parse_faults(args.fault)
    except ValueError as exc:
        return env.fail(f"--fault: {exc}")
    try:
        chosen = quirks.parse_quirks(args.quirk)
    except ValueError as exc:
        return env.fail(f"--quirk: {exc}")
    ports = (("--port", args.port), ("--control-port", args.control_port))
    for flag, port in (*ports, ("--tls-port", args.tls_port)):
        if not 0 <= port <= 65535:
            return env.fail(f"{flag} {port}: a port is 0 (any free port) to 65535")
    pics = env.cwd / args.pics if args.pics else default_pics_path()
    if not pics.is_file():
        return env.fail(f"--pics {pics}: no such file")
    with contextlib.ExitStack() as stack:
        try:
            tls = _tls(args, env, stack)
        except ValueError as exc:
            return env.fail(str(exc))
        try:
            config = ReferenceConfig(
                host=args.host,
                port=args.port,
                control_port=args.control_port,
                db=args.db,
                faults=faults,
                quirks=chosen,
                seed=seed_from_pics(pics),
                tls=tls,
                tls_port=args.tls_port,
            )
        except ValueError as exc:  # e.g. --port 70000
            return env.fail(str(exc))
        return _serve(config, faults, env)


def _tls(
    args: argparse.Namespace, env: Environment, stack: contextlib.ExitStack
) -> ReferenceTls | None:
    """The TLS files the flags name (ValueError for an incomplete or unreadable set)."""
    from octt.pki.layout import PkiError, PkiFiles, init_pki
    from octt.reference.files import firmware_image
    from octt.reference.tls import ReferenceTls, ServerCertificate

    if args.pki is not None or args.generate_pki:
        try:
            if args.pki is not None:
                files = PkiFiles(env.cwd / args.pki)
                files.manifest()  # an octt PKI folder?
            else:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="octt-")))
                files = init_pki(folder / "pki", host=args.host, firmware_image=firmware_image())
        except PkiError as exc:
            raise ValueError(f"--pki: {exc}") from None
        return ReferenceTls.from_pki(files)
    if not args.tls_cert:
        return None
    if len(args.tls_cert) != len(args.tls_key):
        raise ValueError("--tls-cert and --tls-key come in pairs")
    if (args.signing_ca_cert is None) != (args.signing_ca_key is None):
        raise ValueError("--signing-ca-cert and --signing-ca-key come together")
    files_named = [*args.tls_cert, *args.tls_key]
    files_named += [f for f in (args.client_ca, args.signing_ca_cert, args.signing_ca_key) if f]
    for path in files_named:
        if not (env.cwd / path).is_file():
            raise ValueError(f"{path}: no such file")
    return ReferenceTls(
        server_certificates=tuple(
            ServerCertificate(env.cwd / c, env.cwd / k)
            for c, k in zip(args.tls_cert, args.tls_key, strict=True)
        ),
        client_ca=env.cwd / args.client_ca if args.client_ca else None,
        signing_ca=(
            ServerCertificate(env.cwd / args.signing_ca_cert, env.cwd / args.signing_ca_key)
            if args.signing_ca_cert
            else None
        ),
        host=args.host,
    )


def _serve(config: ReferenceConfig, faults: frozenset[Fault], env: Environment) -> ExitStatus:
    from octt.reference.server import serve

    def ready(csms: ReferenceCsms) -> None:
        env.console.print(f"OCPP:        {csms.ocpp_url}/<charge point id>")
        if csms.tls_url is not None:
            env.console.print(f"OCPP (TLS):  {csms.tls_url}/<charge point id>")
        env.console.print(f"trigger API: {csms.control_url}/api/octt/")
        if faults:
            env.console.print("faults:      " + ", ".join(sorted(f.value for f in faults)))
        if config.quirks:
            env.console.print("quirks:      " + ", ".join(sorted(q.value for q in config.quirks)))
        env.stdout.flush()

    async def main() -> None:
        task = asyncio.create_task(serve(config, ready))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
    except OSError as exc:
        return env.fail(f"cannot serve: {exc.strerror or exc}")
    return ExitStatus.OK
