"""result.json: written after every case (marked interrupted) and once more at the end.

Writes go to a temporary file that is then renamed over the old one, so result.json is always a
complete, valid document even if the run is killed mid-write.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from octt.result.events import Event, RunCheckpoint, RunFinished
from octt.result.model import RunResult
from octt.result.scope import assess

RESULT_FILE = "result.json"


def write_json_atomically(path: Path, document: Any) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.replace(temporary, path)


def result_document(result: RunResult) -> dict[str, Any]:
    """result.json's content: the result, and under `scope` what the run may claim (the
    document it earned, its title, standing and coverage) beside its selection."""
    document = result.to_json()
    document["scope"] = {**document.get("scope", {}), **assess(result).to_json()}
    return document


def write_result(path: Path, result: RunResult) -> None:
    write_json_atomically(path, result_document(result))


class ResultFileSink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def handle(self, event: Event) -> None:
        if isinstance(event, RunCheckpoint | RunFinished):
            write_result(self.path, event.result)
