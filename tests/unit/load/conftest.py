"""Fixtures of the load tests: `run`, a coroutine runner on each event loop a worker can use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from octt.load.loops import EventLoopKind, loop_factory, resolve


@pytest.fixture(params=[EventLoopKind.ASYNCIO, EventLoopKind.UVLOOP])
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine on asyncio's loop, then (where installed) on uvloop's."""
    kind: EventLoopKind = request.param
    if kind is EventLoopKind.UVLOOP and resolve(EventLoopKind.AUTO) is not EventLoopKind.UVLOOP:
        pytest.skip("uvloop is not installed")

    def runner(main: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=loop_factory(kind)) as loop:
            return loop.run(main)

    return runner
