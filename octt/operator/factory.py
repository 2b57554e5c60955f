"""Turns the `--operator` value into an `Operator`, the one place every command builds one.

`octt run`, the lab console and `octt operator check` all call `make_operator`. The spellings:
`prompt`, `none`, a trigger-API URL (`http(s)://…`), an operator adapter
`python:package.module:factory`, or the name of an adapter registered in the entry-point group
`octt.operators` (contract: `octt.operator.port`). A value that is none of them, or an adapter
that cannot be built, is an `OperatorSpecError` (a ValueError) whose message names the value;
the commands show it as a usage error (exit status 2).
"""

from __future__ import annotations

import asyncio
import importlib
import re
import time
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, TextIO

from rich.console import Console

from octt.operator.base import (
    Operator,
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
)
from octt.operator.port import ENTRY_POINT_GROUP, REQUIRED_MEMBERS

PYTHON_PREFIX = "python:"
_PYTHON_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_NAME = re.compile(r"^[A-Za-z][\w.-]*$")


class OperatorSpecError(ValueError):
    """An --operator value that names no operator octt can build."""


def make_operator(mode: str, *, console: Console, input_stream: TextIO) -> Operator:
    """`prompt` → PromptOperator, `none` → NoOperator, `http(s)://…` → HttpOperator,
    `python:module:factory` or an entry-point name → the adapter (guarded: `AdapterOperator`)."""
    value = mode.strip()
    if value == "prompt":
        from octt.operator.prompt import PromptOperator

        return PromptOperator(console, input_stream)
    if value == "none":
        from octt.operator.none import NoOperator

        return NoOperator()
    if value.lower().startswith(("http://", "https://")):
        from octt.operator.http import HttpOperator

        return HttpOperator(value)
    if value.startswith(PYTHON_PREFIX):
        return AdapterOperator(_built(mode, _python_factory(mode)))
    if _NAME.match(value) and value.lower() not in ("prompt", "none"):
        return AdapterOperator(_built(mode, _entry_point_factory(mode)))
    raise OperatorSpecError(_usage(mode))


def operator_spec_problem(mode: str) -> str | None:
    """What is wrong with an --operator value, found without building the operator (an
    adapter's factory is looked up, not called); None when nothing is."""
    value = mode.strip()
    if value in ("prompt", "none") or value.lower().startswith(("http://", "https://")):
        return None
    try:
        if value.startswith(PYTHON_PREFIX):
            _python_factory(mode)
        elif _NAME.match(value) and value.lower() not in ("prompt", "none"):
            _entry_point_factory(mode)
        else:
            raise OperatorSpecError(_usage(mode))
    except OperatorSpecError as exc:
        return str(exc)
    return None


def _usage(mode: str) -> str:
    return (
        "--operator must be prompt, none, an http(s) URL, python:package.module:factory or the"
        f" name of an installed operator adapter, got {mode!r}"
    )


def _python_factory(mode: str) -> Callable[[], Any]:
    spec = mode.strip().removeprefix(PYTHON_PREFIX)
    if not _PYTHON_SPEC.match(spec):
        raise OperatorSpecError(
            f"--operator {mode!r}: write python:package.module:factory (a module path, a colon,"
            " a callable's name)"
        )
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an adapter's import error of any kind is the user's to fix
        raise OperatorSpecError(
            f"--operator {mode!r}: cannot import {module_name}: {type(exc).__name__}: {exc}"
        ) from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise OperatorSpecError(f"--operator {mode!r}: {module_name} has no callable {attribute}")
    made: Callable[[], Any] = factory
    return made


def _entry_point_factory(mode: str) -> Callable[[], Any]:
    name = mode.strip()
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        known = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
        listed = ", ".join(known) if known else "none installed"
        raise OperatorSpecError(
            f"--operator {mode!r}: no operator adapter of that name in the entry-point group"
            f" {ENTRY_POINT_GROUP} ({listed}); expected prompt, none, an http(s) URL or"
            " python:package.module:factory"
        )
    try:
        factory = found[0].load()
    except Exception as exc:
        raise OperatorSpecError(
            f"--operator {mode!r}: cannot load {found[0].value}: {type(exc).__name__}: {exc}"
        ) from exc
    if not callable(factory):
        raise OperatorSpecError(f"--operator {mode!r}: {found[0].value} is not callable")
    made: Callable[[], Any] = factory
    return made


def _built(mode: str, factory: Callable[[], Any]) -> Operator:
    try:
        adapter = factory()
    except Exception as exc:
        raise OperatorSpecError(
            f"--operator {mode!r}: the factory failed: {type(exc).__name__}: {exc}"
        ) from exc
    lacking = [name for name in REQUIRED_MEMBERS if not hasattr(adapter, name)]
    if lacking:
        raise OperatorSpecError(
            f"--operator {mode!r}: the factory returned {type(adapter).__name__}, which lacks"
            f" {', '.join(lacking)} (see octt.operator.port)"
        )
    operator: Operator = adapter
    return operator


#: How long `provision` may take, and how long past its request's timeout `act` may run.
PROVISION_TIMEOUT_S = 30.0
ACT_GRACE_S = 5.0


class AdapterOperator:
    """An adapter behind the port's guarantees: an exception that escapes `act` or `provision`
    becomes FAILED with its text, a wrong return type is FAILED too, a `provision` past
    PROVISION_TIMEOUT_S is FAILED and an `act` past its timeout (plus ACT_GRACE_S) TIMED_OUT."""

    def __init__(self, adapter: Operator) -> None:
        self.adapter = adapter

    @property
    def mode(self) -> str:
        return str(self.adapter.mode)

    @property
    def can_act(self) -> bool:
        return bool(self.adapter.can_act)

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        call = self.adapter.provision(request)
        return await self._guarded("provision", call, PROVISION_TIMEOUT_S, OperatorOutcome.FAILED)

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> OperatorResult:
        call = self.adapter.act(request, arrived)
        bound = request.timeout_s + ACT_GRACE_S
        return await self._guarded(
            f"act ({request.action})", call, bound, OperatorOutcome.TIMED_OUT
        )

    async def _guarded(
        self, what: str, call: Any, bound_s: float, late: OperatorOutcome
    ) -> OperatorResult:
        start = time.monotonic()
        try:
            result = await asyncio.wait_for(call, bound_s)
        except TimeoutError:
            return OperatorResult(
                late,
                f"operator adapter {self.mode}: {what} did not return within {bound_s:g} s",
                time.monotonic() - start,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return OperatorResult(
                OperatorOutcome.FAILED,
                f"operator adapter {self.mode}: {what} raised {type(exc).__name__}: {exc}",
                time.monotonic() - start,
            )
        if not isinstance(result, OperatorResult):
            return OperatorResult(
                OperatorOutcome.FAILED,
                f"operator adapter {self.mode}: {what} returned {type(result).__name__}, not an"
                " OperatorResult",
                time.monotonic() - start,
            )
        return result

    async def aclose(self) -> None:
        await self.adapter.aclose()
