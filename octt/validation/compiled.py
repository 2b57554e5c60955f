"""A compiled validity pre-check for the JSON Schema subset the OCPP 1.6 schemas use.

jsonschema builds a child validator for every subschema it descends into; for a MeterValues.req
with a handful of samples that is ~150 µs. Almost every frame is valid, so octt first asks a
yes/no question of a checker compiled once per schema into plain closures (a few µs), and runs
jsonschema only when the answer is "invalid", to get the violations with their paths and
messages. jsonschema remains the authority: this module may say "invalid" for a payload that
jsonschema then finds valid (the result is still "valid"), but must never say "valid" for one
that jsonschema rejects. A differential unit test holds the two to exact agreement.

The checker is generated Python source, compiled once: one straight-line function per schema
(plus one per local ``$ref`` target), with nested ``if`` tests and ``for`` loops over arrays and
no per-keyword closures or ``all(...)`` generators. A load generator validating thousands of
frames a second spends most of its validation time in this function, so its shape matters.

Supported: type, properties, additionalProperties (boolean), required, enum (strings), maxLength,
minLength, format (with the given checkers; unknown formats pass, as with jsonschema's
FormatChecker), items (one schema), additionalItems (ignored beside a single ``items`` schema,
per draft-04 §5.3.1), minItems, maxItems, multipleOf, local ``$ref`` (siblings ignored, as
draft-04/06 specify), and annotations. A schema using anything else gets no pre-check (`compile`
returns None) and is always validated by jsonschema.
"""

from __future__ import annotations

import itertools
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


def compile_schema(
    root: Mapping[str, Any],
    *,
    is_integer: Check,
    formats: Mapping[str, Check],
    is_multiple_of: Callable[[Any, Any], bool],
) -> Check | None:
    """A yes/no validity check for `root`, or None if it uses keywords outside the subset."""
    try:
        return _Generator(root, is_integer, formats, is_multiple_of).compile()
    except _Unsupported:
        return None


class _Generator:
    """Writes the source of one schema's check: each test returns False as soon as it fails."""

    def __init__(
        self,
        root: Mapping[str, Any],
        is_integer: Check,
        formats: Mapping[str, Check],
        is_multiple_of: Callable[[Any, Any], bool],
    ) -> None:
        self._root = root
        self._formats = formats
        # Names the generated code may use: helpers and constants (sets, lengths, steps).
        self._namespace: dict[str, Any] = {
            "_is_number": _is_number,
            "_is_integer": is_integer,
            "_is_multiple_of": is_multiple_of,
        }
        self._functions: dict[str, str] = {}  # $ref -> function name
        self._sources: list[str] = []
        self._names = itertools.count()

    def compile(self) -> Check:
        entry = self._function(self._root)
        source = "\n\n".join(self._sources) + "\n"
        try:
            code = compile(source, "<octt.validation.compiled>", "exec")
        except (SyntaxError, RecursionError, MemoryError):  # e.g. too deeply nested
            raise _Unsupported("nesting") from None
        exec(code, self._namespace)
        check: Check = self._namespace[entry]
        return check

    def _constant(self, value: object) -> str:
        name = f"_c{next(self._names)}"
        self._namespace[name] = value
        return name

    def _function(self, schema: Mapping[str, Any]) -> str:
        name = f"_f{next(self._names)}"
        lines = [f"def {name}(v0):"]
        self._body(schema, "v0", 1, lines)
        lines.append("    return True")
        self._sources.append("\n".join(lines))
        return name

    def _resolve(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise _Unsupported(ref)
        node: Any = self._root
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                raise _Unsupported(ref)
            node = node[token]
        if not isinstance(node, dict):
            raise _Unsupported(ref)
        return node

    def _body(self, schema: Mapping[str, Any], v: str, depth: int, out: list[str]) -> None:
        """Append the tests of `schema` on the variable `v`, indented `depth` levels."""
        pad = "    " * depth
        fail = f"{pad}    return False"
        if "$ref" in schema:  # draft-04/06: siblings of $ref are ignored
            ref = schema["$ref"]
            if not isinstance(ref, str):
                raise _Unsupported("$ref")
            if ref not in self._functions:
                # The name first, so a schema that refers to itself calls its own function.
                self._functions[ref] = f"_f{next(self._names)}"
                target = self._functions[ref]
                lines = [f"def {target}(v0):"]
                self._body(self._resolve(ref), "v0", 1, lines)
                lines.append("    return True")
                self._sources.append("\n".join(lines))
            out += [f"{pad}if not {self._functions[ref]}({v}):", fail]
            return
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise _Unsupported(", ".join(sorted(unknown)))

        if "type" in schema:
            names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            if not isinstance(names, list) or any(n not in _TYPE_TESTS for n in names):
                raise _Unsupported("type")
            tests = " or ".join(_TYPE_TESTS[n].format(v=v) for n in names)
            out += [f"{pad}if not ({tests}):", fail]

        if "enum" in schema:
            values = schema["enum"]
            if not isinstance(values, list) or not all(isinstance(e, str) for e in values):
                raise _Unsupported("enum")
            allowed = self._constant(frozenset(values))
            out += [f"{pad}if not (isinstance({v}, str) and {v} in {allowed}):", fail]

        lengths = []
        if "maxLength" in schema:
            lengths.append(f"len({v}) > {self._constant(schema['maxLength'])}")
        if "minLength" in schema:
            lengths.append(f"len({v}) < {self._constant(schema['minLength'])}")
        if lengths:
            out += [f"{pad}if isinstance({v}, str) and ({' or '.join(lengths)}):", fail]

        if "format" in schema and schema["format"] in self._formats:
            checker = self._constant(self._formats[schema["format"]])
            out += [f"{pad}if not {checker}({v}):", fail]

        if "multipleOf" in schema:
            step = self._constant(schema["multipleOf"])
            out += [f"{pad}if _is_number({v}) and not _is_multiple_of({v}, {step}):", fail]

        self._object(schema, v, depth, out)
        self._array(schema, v, depth, out)

    def _object(self, schema: Mapping[str, Any], v: str, depth: int, out: list[str]) -> None:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        additional = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not isinstance(required, list):
            raise _Unsupported("properties/required")
        if not isinstance(additional, bool):
            raise _Unsupported("additionalProperties")
        if not properties and not required and additional:
            return
        pad = "    " * depth
        inner = pad + "    "
        lines: list[str] = []
        for name in required:
            lines += [f"{inner}if {self._constant(name)} not in {v}:", f"{inner}    return False"]
        if not additional:
            known = self._constant(frozenset(properties))
            key = f"k{depth}"
            lines += [
                f"{inner}for {key} in {v}:",
                f"{inner}    if {key} not in {known}:",
                f"{inner}        return False",
            ]
        for name, sub in properties.items():
            sub_v = f"v{next(self._names)}"
            tests: list[str] = []
            self._body(sub, sub_v, depth + 2, tests)
            if tests:
                key = self._constant(name)
                lines += [f"{inner}if {key} in {v}:", f"{inner}    {sub_v} = {v}[{key}]", *tests]
        if lines:
            out += [f"{pad}if isinstance({v}, dict):", *lines]

    def _array(self, schema: Mapping[str, Any], v: str, depth: int, out: list[str]) -> None:
        items = schema.get("items")
        if items is not None and not isinstance(items, dict):
            raise _Unsupported("items")  # tuple-form items would make additionalItems matter
        least = schema.get("minItems", 0)
        most = schema.get("maxItems")
        if items is None and not least and most is None:
            return
        pad = "    " * depth
        inner = pad + "    "
        lines: list[str] = []
        sizes = []
        if least:
            sizes.append(f"len({v}) < {self._constant(least)}")
        if most is not None:
            sizes.append(f"len({v}) > {self._constant(most)}")
        if sizes:
            lines += [f"{inner}if {' or '.join(sizes)}:", f"{inner}    return False"]
        if items is not None:
            item_v = f"v{next(self._names)}"
            tests: list[str] = []
            self._body(items, item_v, depth + 2, tests)
            if tests:
                lines += [f"{inner}for {item_v} in {v}:", *tests]
        if lines:
            out += [f"{pad}if isinstance({v}, list):", *lines]


# The test of each JSON type on a variable `{v}` (names the generated code knows).
_TYPE_TESTS: Final[dict[str, str]] = {
    "string": "isinstance({v}, str)",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "number": "_is_number({v})",
    "integer": "_is_integer({v})",
}
