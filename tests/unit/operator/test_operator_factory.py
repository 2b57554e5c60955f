"""make_operator: the --operator value to an Operator."""

from __future__ import annotations

import asyncio
import io

import pytest
from rich.console import Console

from octt.operator.base import (
    OperatorOutcome,
    OperatorRequest,
    OperatorResult,
    ProvisionRequest,
    TokenSpec,
)
from octt.operator.factory import (
    AdapterOperator,
    OperatorSpecError,
    make_operator,
    operator_spec_problem,
)
from octt.operator.http import HttpOperator
from octt.operator.none import NoOperator
from octt.operator.port import ENTRY_POINT_GROUP, PORT_VERSION
from octt.operator.prompt import PromptOperator


def _make(mode: str) -> object:
    return make_operator(mode, console=Console(file=io.StringIO()), input_stream=io.StringIO())


def test_prompt() -> None:
    operator = _make("prompt")
    assert isinstance(operator, PromptOperator)
    assert operator.mode == "prompt"
    assert operator.can_act


def test_none() -> None:
    assert isinstance(_make("none"), NoOperator)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8180", "https://csms.example.com/base/", "HTTP://host:1"]
)
def test_http_url(url: str) -> None:
    operator = _make(url)
    assert isinstance(operator, HttpOperator)
    assert operator.mode == url.rstrip("/")
    assert operator.can_act


@pytest.mark.parametrize("mode", ["", "ws://127.0.0.1:9000", "ftp://x", "two words"])
def test_anything_else_is_a_usage_error(mode: str) -> None:
    with pytest.raises(OperatorSpecError) as raised:
        _make(mode)
    assert str(raised.value) == (
        "--operator must be prompt, none, an http(s) URL, python:package.module:factory or the"
        f" name of an installed operator adapter, got {mode!r}"
    )
    assert operator_spec_problem(mode) == str(raised.value)


def test_http_url_without_host_names_it() -> None:
    with pytest.raises(ValueError, match="'http://'"):
        _make("http://")


# -- operator adapters (octt.operator.port) ----------------------------------------------------


class _Adapter:
    """A well-formed adapter; `fail` makes act raise, `bad` makes it return the wrong type."""

    def __init__(self, behaviour: str = "ok") -> None:
        self.behaviour = behaviour
        self.closed = False

    @property
    def mode(self) -> str:
        return "test-adapter"

    @property
    def can_act(self) -> bool:
        return True

    async def provision(self, request: ProvisionRequest) -> OperatorResult:
        return OperatorResult(OperatorOutcome.DONE, f"{len(request.tokens)} tokens", 0.0)

    async def act(self, request: OperatorRequest, arrived: asyncio.Event) -> object:
        if self.behaviour == "hang":
            await asyncio.Event().wait()
        if self.behaviour == "raise":
            raise RuntimeError("the CSMS API is down")
        if self.behaviour == "bad":
            return "done"
        return OperatorResult(OperatorOutcome.DONE, f"sent {request.action}", 0.1)

    async def aclose(self) -> None:
        self.closed = True


def make_adapter() -> _Adapter:
    return _Adapter()


def make_raising_adapter() -> _Adapter:
    return _Adapter("raise")


def make_bad_adapter() -> _Adapter:
    return _Adapter("bad")


def make_hanging_adapter() -> _Adapter:
    return _Adapter("hang")


def broken_factory() -> _Adapter:
    raise RuntimeError("ACME_API_URL is not set")


def incomplete_factory() -> object:
    return object()


not_callable = 42

_HERE = "tests.unit.operator.test_operator_factory"
_REQUEST = OperatorRequest("CP-1", "ClearCache", {}, "Clear the cache", 5.0)


def test_python_adapter_is_built_and_guarded() -> None:
    operator = _make(f"python:{_HERE}:make_adapter")
    assert isinstance(operator, AdapterOperator)
    assert operator.mode == "test-adapter" and operator.can_act
    assert operator_spec_problem(f"python:{_HERE}:make_adapter") is None
    result = asyncio.run(operator.act(_REQUEST, asyncio.Event()))  # type: ignore[attr-defined]
    assert result.outcome is OperatorOutcome.DONE and result.detail == "sent ClearCache"
    provisioned = asyncio.run(
        operator.provision(ProvisionRequest("CP-1", (TokenSpec("A", "Accepted"),)))  # type: ignore[attr-defined]
    )
    assert provisioned.detail == "1 tokens"


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        ("make_raising_adapter", "act (ClearCache) raised RuntimeError: the CSMS API is down"),
        ("make_bad_adapter", "act (ClearCache) returned str, not an OperatorResult"),
    ],
)
def test_an_adapter_that_misbehaves_is_failed_not_crashed(factory: str, expected: str) -> None:
    operator = _make(f"python:{_HERE}:{factory}")
    result = asyncio.run(operator.act(_REQUEST, asyncio.Event()))  # type: ignore[attr-defined]
    assert result.outcome is OperatorOutcome.FAILED
    assert result.detail == f"operator adapter test-adapter: {expected}"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("python:no_such_module_x:make", "cannot import no_such_module_x: ModuleNotFoundError"),
        (f"python:{_HERE}:missing", f"{_HERE} has no callable missing"),
        (f"python:{_HERE}:not_callable", f"{_HERE} has no callable not_callable"),
        ("python:just.a.module", "write python:package.module:factory"),
        (f"python:{_HERE}:broken_factory", "the factory failed: RuntimeError: ACME_API_URL"),
        (f"python:{_HERE}:incomplete_factory", "lacks mode, can_act, provision, act, aclose"),
        ("acme", "no operator adapter of that name in the entry-point group octt.operators"),
    ],
)
def test_adapter_problems_name_the_spec(spec: str, expected: str) -> None:
    with pytest.raises(OperatorSpecError) as raised:
        _make(spec)
    assert str(raised.value).startswith(f"--operator {spec!r}: ")
    assert expected in str(raised.value)


def test_entry_point_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    point = EntryPoint("acme", f"{_HERE}:make_adapter", ENTRY_POINT_GROUP)

    def points(*, group: str) -> list[EntryPoint]:
        return [point] if group == ENTRY_POINT_GROUP else []

    monkeypatch.setattr("octt.operator.factory.entry_points", points)
    operator = _make("acme")
    assert isinstance(operator, AdapterOperator) and operator.mode == "test-adapter"
    assert operator_spec_problem("acme") is None
    with pytest.raises(OperatorSpecError, match=r"\(acme\)"):
        _make("other")


def test_port_version_is_one() -> None:
    assert PORT_VERSION == 1


def test_an_act_that_never_returns_is_timed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("octt.operator.factory.ACT_GRACE_S", 0.0)
    operator = _make(f"python:{_HERE}:make_hanging_adapter")
    request = OperatorRequest("CP-1", "Reset", {}, "", 0.05)
    result = asyncio.run(operator.act(request, asyncio.Event()))  # type: ignore[attr-defined]
    assert result.outcome is OperatorOutcome.TIMED_OUT
    assert (
        result.detail == "operator adapter test-adapter: act (Reset) did not return within 0.05 s"
    )
