"""`octt console`: the lab console in the browser (octt.console), on 127.0.0.1 by default.

Any other bind address needs a token (`--token` or OCTT_CONSOLE_TOKEN): without one the command
refuses to start (exit 2); with one, every request without it is refused (401). Ctrl-C or
SIGTERM stops the console; a run going on stops as `octt run` does on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

from octt.cli.env import Environment, ExitStatus
from octt.cli.run_cmd import PASSWORD_VARIABLE, TLS_KEY_PASSWORD_VARIABLE
from octt.config import RunConfig
from octt.console.server import needs_token, serve

TOKEN_VARIABLE = "OCTT_CONSOLE_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", metavar="H", help="bind address (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, metavar="P", help="port (default 8765; 0: any free)"
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="the reports folder: new runs go there, the history lists it (default reports/)",
    )
    parser.add_argument(
        "--token",
        metavar="T",
        help=f"a token every request must carry (default: {TOKEN_VARIABLE}); needed for any"
        " bind address but loopback",
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    token = args.token or env.environ.get(TOKEN_VARIABLE) or None
    if needs_token(args.host) and token is None:
        return env.fail(
            f"--host {args.host} is not a loopback address: give a token (--token or"
            f" {TOKEN_VARIABLE}) so that only those who have it can use the console"
        )
    if not 0 <= args.port <= 65535:
        return env.fail(f"--port must be 0 to 65535, got {args.port}")
    reports = env.cwd / args.reports
    try:
        reports.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return env.fail(f"--reports {reports}: {exc.strerror or exc}")

    # Secrets from the environment, as `octt run` takes them (never from a form's page source).
    base = RunConfig(
        basic_auth_password=env.environ.get(PASSWORD_VARIABLE) or None,
        tls_client_key_password=env.environ.get(TLS_KEY_PASSWORD_VARIABLE) or None,
    )

    def ready(url: str) -> None:
        env.console.print(f"octt console: {url}", soft_wrap=True, highlight=False)
        if token is not None:
            env.console.print("open it with ?token=<the token> once; the browser keeps it")
        env.console.print(f"reports: {reports}", soft_wrap=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop.set)
        await serve(args.host, args.port, reports, token, ready, stop, base)

    try:
        asyncio.run(main())
    except OSError as exc:
        return env.fail(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        pass
    return ExitStatus.OK
