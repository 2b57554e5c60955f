"""YAML documents checked against a JSON Schema, with errors mapped to file:line.

Every YAML file octt reads from a user or from its catalog (test cases, PICS, run configuration)
goes through `load_document`: parse, remember the line of every node, validate against one of
octt's own schemas, and on failure raise `DocumentError` whose text starts with ``file:line:``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from octt.resources import schema_path

PathKey = tuple[str, ...]


class DocumentError(Exception):
    """A YAML document is unreadable or breaks its schema; `str()` is ``file:line: message``."""

    def __init__(self, file: Path | str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = str(file)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Document:
    """A loaded YAML document and the 1-based line of each node, keyed by its path."""

    file: Path
    data: Any
    lines: Mapping[PathKey, int]

    def line_of(self, *path: object) -> int:
        """The line of the deepest known node on `path` (1 when nothing matches)."""
        key = tuple(str(p) for p in path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def error(self, message: str, *path: object) -> DocumentError:
        return DocumentError(self.file, self.line_of(*path), message)


def _record_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _record_lines(value_node, (*path, str(key_node.value)), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, str(index)), lines)


def parse_yaml(file: Path, text: str | None = None) -> Document:
    """Read `file` (or the given text) as YAML with line marks; DocumentError when unreadable."""
    try:
        source = file.read_text(encoding="utf-8") if text is None else text
    except OSError as exc:
        raise DocumentError(file, 0, f"cannot read: {exc.strerror or exc}") from exc
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise DocumentError(file, line, f"not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise DocumentError(file, 1, f"not valid YAML: {exc}") from exc
    lines: dict[PathKey, int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return Document(file, data, lines)


@cache
def _validator(schema_name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path(schema_name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    prefix = f"{where}: " if where else ""
    return prefix + error.message


def validate_document(document: Document, schema_name: str) -> None:
    """Raise DocumentError for the first (by line) schema violation of `document`."""
    errors = list(_validator(schema_name).iter_errors(document.data))
    if not errors:
        return

    def position(err: jsonschema.ValidationError) -> int:
        return document.line_of(*err.absolute_path)

    first = min(errors, key=lambda e: (position(e), len(list(e.absolute_path))))
    best = jsonschema.exceptions.best_match([e for e in errors if position(e) == position(first)])
    raise DocumentError(document.file, position(best), _describe(best))


def load_document(file: Path, schema_name: str) -> Document:
    """Parse and validate; the returned document's data obeys the schema."""
    document = parse_yaml(file)
    validate_document(document, schema_name)
    return document
