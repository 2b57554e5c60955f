"""A compiled validity pre-check for the JSON Schema subset the OCPP 1.6 schemas use.

jsonschema builds a child validator for every subschema it descends into; for a MeterValues.req
with a handful of samples that is ~150 µs. Almost every frame is valid, so octt first asks a
yes/no question of a checker compiled once per schema into plain closures (a few µs), and runs
jsonschema only when the answer is "invalid", to get the violations with their paths and
messages. jsonschema remains the authority: this module may say "invalid" for a payload that
jsonschema then finds valid (the result is still "valid"), but must never say "valid" for one
that jsonschema rejects. A differential unit test holds the two to exact agreement.

Supported: type, properties, additionalProperties (boolean), required, enum (strings), maxLength,
minLength, format (with the given checkers; unknown formats pass, as with jsonschema's
FormatChecker), items (one schema), additionalItems (ignored beside a single ``items`` schema,
per draft-04 §5.3.1), minItems, maxItems, multipleOf, local ``$ref`` (siblings ignored, as
draft-04/06 specify), and annotations. A schema using anything else gets no pre-check (`compile`
returns None) and is always validated by jsonschema.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

Check = Callable[[Any], bool]

# Keywords that never affect validity.
_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "id", "title", "description", "definitions", "javaType", "default"}
)
_SUPPORTED: Final = _ANNOTATIONS | {
    "$ref",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "enum",
    "maxLength",
    "minLength",
    "format",
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "multipleOf",
}


class _Unsupported(Exception):
    pass


def _is_number(value: object) -> bool:
    if type(value) in (int, Decimal, float):
        return True
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: Final[dict[str, Check]] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_int,
}


def compile_schema(
    root: Mapping[str, Any],
    *,
    is_integer: Check,
    formats: Mapping[str, Check],
    is_multiple_of: Callable[[Any, Any], bool],
) -> Check | None:
    """A yes/no validity check for `root`, or None if it uses keywords outside the subset."""
    types = {**_TYPES, "integer": is_integer}
    refs: dict[str, Check] = {}

    def resolve(ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise _Unsupported(ref)
        node: Any = root
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                raise _Unsupported(ref)
            node = node[token]
        if not isinstance(node, dict):
            raise _Unsupported(ref)
        return node

    def build(schema: Mapping[str, Any]) -> Check:
        if "$ref" in schema:  # draft-04/06: siblings of $ref are ignored
            ref = schema["$ref"]
            if not isinstance(ref, str):
                raise _Unsupported("$ref")
            if ref not in refs:
                refs[ref] = build(resolve(ref))
            return refs[ref]
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))
        checks: list[Check] = []

        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            if not isinstance(names, list) or any(n not in types for n in names):
                raise _Unsupported("type")
            tests = [types[n] for n in names]
            checks.append(tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests))

        if "enum" in schema:
            values = schema["enum"]
            if not isinstance(values, list) or not all(isinstance(e, str) for e in values):
                raise _Unsupported("enum")
            allowed = frozenset(values)
            checks.append(lambda v: isinstance(v, str) and v in allowed)

        if "maxLength" in schema:
            longest: int = schema["maxLength"]
            checks.append(lambda v: not isinstance(v, str) or len(v) <= longest)
        if "minLength" in schema:
            shortest: int = schema["minLength"]
            checks.append(lambda v: not isinstance(v, str) or len(v) >= shortest)

        if "format" in schema and schema["format"] in formats:
            checks.append(formats[schema["format"]])

        if "multipleOf" in schema:
            step = schema["multipleOf"]
            checks.append(lambda v: not _is_number(v) or is_multiple_of(v, step))

        object_check = _object_check(schema, build)
        if object_check is not None:
            checks.append(object_check)
        array_check = _array_check(schema, build)
        if array_check is not None:
            checks.append(array_check)

        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    try:
        return build(root)
    except _Unsupported:
        return None


def _object_check(
    schema: Mapping[str, Any], build: Callable[[Mapping[str, Any]], Check]
) -> Check | None:
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    additional = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list):
        raise _Unsupported("properties/required")
    if not isinstance(additional, bool):
        raise _Unsupported("additionalProperties")
    if not properties and not required and additional:
        return None
    members = tuple((name, build(sub)) for name, sub in properties.items())
    known = frozenset(properties)
    needed = tuple(required)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name in needed:
            if name not in value:
                return False
        if not additional:
            for name in value:
                if name not in known:
                    return False
        return all(sub(value[name]) for name, sub in members if name in value)

    return check


def _array_check(
    schema: Mapping[str, Any], build: Callable[[Mapping[str, Any]], Check]
) -> Check | None:
    items = schema.get("items")
    if items is not None and not isinstance(items, dict):
        raise _Unsupported("items")  # tuple-form items would make additionalItems matter
    least = schema.get("minItems", 0)
    most = schema.get("maxItems")
    if items is None and not least and most is None:
        return None
    item = build(items) if items is not None else None

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        if len(value) < least or (most is not None and len(value) > most):
            return False
        return item is None or all(item(v) for v in value)

    return check
