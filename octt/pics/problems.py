"""Every problem of a PICS file at once, each as ``file:line: message`` (the multi-error loader).

`octt run` stops at the first problem of a PICS (octt.yamldoc); a person writing one (`octt
pics check`, the console's start form) wants the whole list. Owns `pics_problems`: every schema
violation, in line order, with a value left empty (as `octt pics init` leaves them) said as
such, and, once the schema is met, whatever `load_pics` still refuses.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema

from octt.pics.model import load_pics
from octt.resources import schema_path
from octt.yamldoc import DocumentError, parse_yaml

PICS_SCHEMA = "pics.schema.json"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path(PICS_SCHEMA).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def _message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    if error.instance is None and error.validator == "type":
        message = "no value yet: fill it in"
    else:
        message = error.message
    return f"{where}: {message}" if where else message


def pics_problems(path: Path) -> list[str]:
    """Every problem of the PICS at `path` as ``file:line: message``; empty when it loads."""
    try:
        document = parse_yaml(path)
    except DocumentError as exc:
        return [str(exc)]
    errors = sorted(
        _validator().iter_errors(document.data),
        key=lambda e: (document.line_of(*e.absolute_path), [str(p) for p in e.absolute_path]),
    )
    if errors:
        return [f"{path}:{document.line_of(*e.absolute_path)}: {_message(e)}" for e in errors]
    try:
        load_pics(path)
    except DocumentError as exc:
        return [str(exc)]
    except (TypeError, ValueError) as exc:
        return [f"{path}: {exc}"]
    return []
