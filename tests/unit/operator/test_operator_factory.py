"""make_operator: the --operator value to an Operator."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from octt.operator.factory import make_operator
from octt.operator.http import HttpOperator
from octt.operator.none import NoOperator
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


@pytest.mark.parametrize("mode", ["", "Prompt", "nobody", "ws://127.0.0.1:9000", "ftp://x"])
def test_anything_else_is_a_usage_error(mode: str) -> None:
    with pytest.raises(ValueError) as raised:
        _make(mode)
    assert str(raised.value) == (f"--operator must be prompt, none or an http(s) URL, got {mode!r}")


def test_http_url_without_host_names_it() -> None:
    with pytest.raises(ValueError, match="'http://'"):
        _make("http://")
