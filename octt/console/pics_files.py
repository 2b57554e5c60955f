"""The PICS files of the start form: the saved ones, uploads, and every problem of one at once.

`octt run` stops at the first problem of a PICS (octt.yamldoc); a person filling in the form
wants the whole list: `pics_problems` (octt.pics.problems, as `octt pics check` has it). Owns
`saved_pics`, the PICS one can pick (octt's own, and the uploads kept in `<reports>/.pics/`);
and `keep_upload`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from octt.pics.problems import pics_problems
from octt.resources import data_path

__all__ = ["MAX_UPLOAD_BYTES", "UPLOADS", "keep_upload", "pics_problems", "saved_pics"]

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
