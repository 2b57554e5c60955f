"""Which event loop a load worker runs on.

A load worker spends most of its time in the event loop's machinery: readiness polling, socket
reads and writes, timers. uvloop (libuv under the asyncio API) does that work in C, and on
20,000 stations it takes about a quarter off the generator's CPU per CALL (benchmarks/README.md,
"the lean WebSocket client"). It is installed with octt where it exists (not on Windows); the
worker falls back to asyncio's own loop elsewhere, or when asked to (``--event-loop asyncio``).
Nothing about a CALL's stamps or a frame's checks depends on the loop.
"""

from __future__ import annotations

import asyncio
import enum
import importlib.util
from collections.abc import Callable


class EventLoopKind(enum.Enum):
    AUTO = "auto"  # uvloop where it is installed, asyncio's loop elsewhere
    ASYNCIO = "asyncio"
    UVLOOP = "uvloop"


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def resolve(kind: EventLoopKind) -> EventLoopKind:
    """The loop a worker will run (never AUTO); ValueError if uvloop is asked for and absent,
    so that octt says so before the run rather than a worker failing in it."""
    if kind is EventLoopKind.AUTO:
        return EventLoopKind.UVLOOP if uvloop_installed() else EventLoopKind.ASYNCIO
    if kind is EventLoopKind.UVLOOP and not uvloop_installed():
        raise ValueError(
            "--event-loop uvloop: uvloop is not installed (pip install uvloop; it does not"
            " exist for Windows)"
        )
    return kind


def loop_factory(kind: EventLoopKind) -> Callable[[], asyncio.AbstractEventLoop]:
    """A factory for `asyncio.Runner(loop_factory=...)`."""
    if resolve(kind) is EventLoopKind.UVLOOP:
        import uvloop

        return uvloop.new_event_loop
    return asyncio.new_event_loop
