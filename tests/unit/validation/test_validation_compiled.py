"""The compiled pre-check agrees exactly with jsonschema, on the corpus and on mutations of it."""

from __future__ import annotations

import copy
import importlib.util
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from octt.validation import compiled, formats
from octt.validation.schemas import SchemaSet, is_multiple_of


def _load_corpus() -> ModuleType:
    name = "octt_unit_validation_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("corpus.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


corpus = _load_corpus()

PROBES: tuple[Any, ...] = (
    "x",
    "A" * 600,
    0,
    Decimal("1.5"),
    Decimal("1.0"),
    Decimal("0.05"),
    True,
    None,
    [],
    {},
    {"x": 1},
    "2026-01-01T10:00:00Z",
    "Accepted",
)


def _nodes(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield (*at, key)
            yield from _nodes(sub, (*at, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value[:2]):
            yield (*at, index)
            yield from _nodes(sub, (*at, index))


def _mutations(payload: dict[str, Any]) -> Iterator[Any]:
    yield payload
    for path in _nodes(payload):
        parent_path, last = path[:-1], path[-1]
        for probe in PROBES:
            mutated = copy.deepcopy(payload)
            parent = mutated
            for step in parent_path:
                parent = parent[step]
            parent[last] = probe
            yield mutated
        mutated = copy.deepcopy(payload)
        parent = mutated
        for step in parent_path:
            parent = parent[step]
        if isinstance(parent, dict):
            del parent[last]
            yield mutated
            parent["zz"] = 1
            yield mutated


def _entry(schemas: SchemaSet, sample: Any) -> Any:
    table = schemas._requests if sample.kind == "req" else schemas._responses
    return table[sample.action]


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet.load()


def test_every_schema_has_a_pre_check(schemas: SchemaSet) -> None:
    assert all(e.fast is not None for e in schemas._requests.values())
    assert all(e.fast is not None for e in schemas._responses.values())


@pytest.mark.parametrize("sample", corpus.VALID, ids=lambda s: s.name)
def test_pre_check_agrees_with_jsonschema(schemas: SchemaSet, sample: Any) -> None:
    entry = _entry(schemas, sample)
    checked = 0
    for payload in _mutations(sample.payload):
        expected = not any(True for _ in entry.validator.iter_errors(payload))
        assert entry.fast(payload) is expected, payload
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize("sample", corpus.INVALID, ids=lambda s: s.name)
def test_pre_check_rejects_every_invalid_sample(schemas: SchemaSet, sample: Any) -> None:
    assert _entry(schemas, sample).fast(sample.payload) is False


def _compile(schema: dict[str, Any]) -> compiled.Check | None:
    return compiled.compile_schema(
        schema,
        is_integer=lambda v: isinstance(v, int) and not isinstance(v, bool),
        formats={"date-time": formats.is_date_time},
        is_multiple_of=is_multiple_of,
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {"^x": {}}},
        {"type": "object", "additionalProperties": {"type": "string"}},
        {"items": [{"type": "string"}]},
        {"enum": [1, 2]},
        {"$ref": "http://example.com/schema"},
        {"$ref": "#/definitions/missing"},
        {"anyOf": [{"type": "string"}]},
        {"type": "decimal"},
    ],
)
def test_unsupported_schemas_get_no_pre_check(schema: dict[str, Any]) -> None:
    assert _compile(schema) is None


def test_pre_check_basics() -> None:
    check = _compile(
        {
            "definitions": {"Id": {"type": "string", "maxLength": 3, "minLength": 1}},
            "type": "object",
            "properties": {
                "id": {"$ref": "#/definitions/Id"},
                "n": {"type": ["integer", "null"]},
                "at": {"type": "string", "format": "date-time"},
                "other": {"format": "unknown-format"},
                "list": {"type": "array", "items": {"$ref": "#/definitions/Id"}, "maxItems": 2},
            },
            "required": ["id"],
            "additionalProperties": False,
        }
    )
    assert check is not None
    assert check({"id": "abc", "n": None, "other": "anything", "list": ["a", "b"]})
    assert not check({"id": ""})
    assert not check({"id": "abcd"})
    assert not check({"id": "a", "n": True})
    assert not check({"id": "a", "at": "2026-01-01"})
    assert not check({"id": "a", "list": ["a", "b", "c"]})
    assert not check({"id": "a", "list": [1]})
    assert not check({"n": 1})
