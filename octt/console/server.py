"""Serving the console: the bind address rule, the token, and the lifetime of the server.

Owns `needs_token` (any bind address that is not loopback needs a token) and `serve`, which
runs the application until it is told to stop, stopping a run that goes on the way Ctrl-C does.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from octt.config import RunConfig
from octt.console.app import make_app

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def needs_token(host: str) -> bool:
    """True unless `host` is a loopback address (127.0.0.0/8, ::1) or localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True  # a host name, or every address ("", "0.0.0.0" is parsed above)


async def serve(
    host: str,
    port: int,
    reports: Path,
    token: str | None,
    on_ready: Callable[[str], None],
    stop: asyncio.Event,
    base: RunConfig | None = None,
) -> None:
    """Serve the console until `stop` is set; `on_ready` gets its URL once it listens."""
    app = make_app(reports, token, base)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=5.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or ()
        bound_port = sockets[0].getsockname()[1] if sockets else port
        shown = f"[{host}]" if ":" in host else host
        on_ready(f"http://{shown}:{bound_port}/")
        await stop.wait()
    finally:
        await runner.cleanup()
