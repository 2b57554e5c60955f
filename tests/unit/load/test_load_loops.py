"""The load workers' event loop: uvloop where installed, asyncio's on request, and a clear error
before the run when uvloop is asked for and missing."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

from octt.load import loops
from octt.load.loops import EventLoopKind, loop_factory, resolve


def test_auto_is_uvloop_when_installed() -> None:
    expected = EventLoopKind.UVLOOP if loops.uvloop_installed() else EventLoopKind.ASYNCIO
    assert resolve(EventLoopKind.AUTO) is expected
    assert resolve(EventLoopKind.ASYNCIO) is EventLoopKind.ASYNCIO


def test_without_uvloop_auto_falls_back_and_asking_for_it_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        loops.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "uvloop" else real(name, *a),
    )
    assert resolve(EventLoopKind.AUTO) is EventLoopKind.ASYNCIO
    with pytest.raises(ValueError, match="--event-loop uvloop: uvloop is not installed"):
        resolve(EventLoopKind.UVLOOP)


@pytest.mark.parametrize("kind", [EventLoopKind.ASYNCIO, EventLoopKind.UVLOOP])
def test_the_factory_makes_that_loop(kind: EventLoopKind) -> None:
    if kind is EventLoopKind.UVLOOP and not loops.uvloop_installed():
        pytest.skip("uvloop is not installed here")
    with asyncio.Runner(loop_factory=loop_factory(kind)) as runner:
        name = runner.run(_loop_module())
    assert name.startswith("uvloop" if kind is EventLoopKind.UVLOOP else "asyncio")


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__
