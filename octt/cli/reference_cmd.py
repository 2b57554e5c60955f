"""`octt reference-csms`: serve the embedded reference CSMS (OCPP on --port, trigger API on
--control-port) until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from octt.cli.env import Environment, ExitStatus


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


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from octt.reference.faults import Fault, describe, parse_faults
    from octt.reference.server import ReferenceConfig, ReferenceCsms, serve
    from octt.reference.store import seed_from_pics
    from octt.resources import default_pics_path

    if args.list_faults:
        for fault in Fault:
            env.console.print(f"[bold]{fault.value}[/]  {describe(fault)}")
        return ExitStatus.OK
    try:
        faults = parse_faults(args.fault)
    except ValueError as exc:
        return env.fail(f"--fault: {exc}")
    for flag, port in (("--port", args.port), ("--control-port", args.control_port)):
        if not 0 <= port <= 65535:
            return env.fail(f"{flag} {port}: a port is 0 (any free port) to 65535")
    pics = env.cwd / args.pics if args.pics else default_pics_path()
    if not pics.is_file():
        return env.fail(f"--pics {pics}: no such file")
    try:
        config = ReferenceConfig(
            host=args.host,
            port=args.port,
            control_port=args.control_port,
            db=args.db,
            faults=faults,
            seed=seed_from_pics(pics),
        )
    except ValueError as exc:  # e.g. --port 70000
        return env.fail(str(exc))

    def ready(csms: ReferenceCsms) -> None:
        env.console.print(f"OCPP:        {csms.ocpp_url}/<charge point id>")
        env.console.print(f"trigger API: {csms.control_url}/api/octt/")
        if faults:
            env.console.print("faults:      " + ", ".join(sorted(f.value for f in faults)))
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
