"""The PICS files of the start form: the saved ones, uploads, and every problem of one at once.

`octt run` stops at the first problem of a PICS (octt.yamldoc); a person filling in the form
wants the whole list. Owns `pics_problems`, which reports every schema violation (by line) and,
when the schema is met, whatever `load_pics` still refuses; `saved_pics`, the PICS one can pick
(octt's own, and the uploads kept in `<reports>/.pics/`); and `keep_upload`.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

import jsonschema

from octt.pics.model import load_pics
from octt.resources import data_path, schema_path
from octt.yamldoc import DocumentError, parse_yaml

PICS_SCHEMA = "pics.schema.json"
UPLOADS = ".pics"  # under the reports folder
MAX_UPLOAD_BYTES = 1 << 20


def saved_pics(reports: Path) -> dict[str, Path]:
    """The PICS one can pick, by the name the form shows: octt's own, then the uploads."""
    found: dict[str, Path] = {}
    for path in sorted(data_path("pics").glob("*.yaml")):
        found[path.name] = path
    for path in sorted((reports / UPLOADS).glob("*.yaml")):
        found[f"{UPLOADS}/{path.name}"] = path
    return found


def keep_upload(reports: Path, filename: str, content: bytes) -> Path:
    """Keep an uploaded PICS under `<reports>/.pics/` (its name made safe, and made unique by
    its content); the path. ValueError when it is too large or not text."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the PICS upload is larger than {MAX_UPLOAD_BYTES} bytes")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("the PICS upload is not UTF-8 text") from exc
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(filename).stem).strip(".-") or "pics"
    digest = hashlib.sha256(content).hexdigest()[:8]
    folder = reports / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem[:60]}-{digest}.yaml"
    path.write_bytes(content)
    return path


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path(PICS_SCHEMA).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


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
        problems = []
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path)
            message = f"{where}: {error.message}" if where else error.message
            problems.append(f"{path}:{document.line_of(*error.absolute_path)}: {message}")
        return problems
    try:
        load_pics(path)
    except DocumentError as exc:
        return [str(exc)]
    except (TypeError, ValueError) as exc:
        return [f"{path}: {exc}"]
    return []
