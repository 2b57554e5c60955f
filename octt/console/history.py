"""The history: every run folder under the reports folder, whichever command wrote it.

Owns `list_runs` (each folder holding a result.json, one or two levels down, newest first, with
its verdict, CSMS, PICS, edition and date read from result.json), `run_folder` (a folder name
from a URL, refused unless it is one of those), `zip_folder` (the folder as a zip archive) and
`render_again` (the reports rendered again from result.json, as `octt report DIR` does).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octt.report.outputs import (
    CERTIFICATE_HTML_FILE,
    CERTIFICATE_PDF_FILE,
    JUNIT_FILE,
    REPORT_HTML_FILE,
    SIGNATURE_FILE,
    TRACE_FILE,
    write_reports,
)
from octt.report.signature import signature_shown
from octt.result.load import load_result
from octt.result.result_json import RESULT_FILE

# The files of a run folder the console serves (nothing else in the folder is reachable).
SERVED_FILES = (
    CERTIFICATE_PDF_FILE,
    CERTIFICATE_HTML_FILE,
    REPORT_HTML_FILE,
    JUNIT_FILE,
    RESULT_FILE,
    TRACE_FILE,
    SIGNATURE_FILE,
)


@dataclass(frozen=True)
class RunEntry:
    """One run folder as the history lists it."""

    name: str  # the folder, relative to the reports folder ("a" or "a/b")
    verdict: str
    interrupted: bool
    csms: str
    sut: str
    pics: str
    edition: str
    started_at: str
    cases: int
    files: tuple[str, ...]  # which of SERVED_FILES are there


def _entry(reports: Path, folder: Path) -> RunEntry | None:
    try:
        document: Any = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    sut = document.get("sut") if isinstance(document.get("sut"), dict) else {}
    settings = document.get("settings") if isinstance(document.get("settings"), dict) else {}
    assert isinstance(sut, dict) and isinstance(settings, dict)
    # The PICS is in result.json whole; its sut names the product it describes.
    product = " ".join(str(sut.get(key) or "") for key in ("vendor", "product")).strip()
    version = str(sut.get("ocpp_software_version") or "")
    pics = document.get("pics") if isinstance(document.get("pics"), dict) else {}
    assert isinstance(pics, dict)
    claimed = pics.get("profiles") if isinstance(pics.get("profiles"), dict) else {}
    assert isinstance(claimed, dict)
    profiles = ", ".join(str(name) for name, on in claimed.items() if on)
    edition = document.get("edition") or settings.get("edition") or ""
    cases = document.get("cases")
    return RunEntry(
        name=folder.relative_to(reports).as_posix(),
        verdict=str(document.get("verdict", "")),
        interrupted=bool(document.get("interrupted", False)),
        csms=str(document.get("csms_url", "")),
        sut=product,
        pics=f"{product} {version}".strip() + (f" — {profiles}" if profiles else ""),
        edition=str(edition),
        started_at=str(document.get("started_at", "")),
        cases=len(cases) if isinstance(cases, list) else 0,
        files=tuple(name for name in SERVED_FILES if (folder / name).is_file()),
    )


def _folders(reports: Path) -> list[Path]:
    found: list[Path] = []
    if not reports.is_dir():
        return found
    for child in reports.iterdir():
        if not child.is_dir() or child.name.startswith("."):
            continue
        if (child / RESULT_FILE).is_file():
            found.append(child)
            continue
        found.extend(
            grandchild
            for grandchild in child.iterdir()
            if grandchild.is_dir() and (grandchild / RESULT_FILE).is_file()
        )
    return found


def list_runs(reports: Path) -> list[RunEntry]:
    """Every run under `reports`, newest first."""
    entries = [e for folder in _folders(reports) if (e := _entry(reports, folder)) is not None]
    return sorted(entries, key=lambda e: (e.started_at, e.name), reverse=True)


def run_folder(reports: Path, name: str) -> Path | None:
    """The run folder `name` (as `RunEntry.name`), or None unless it is one of the runs."""
    for folder in _folders(reports):
        if folder.relative_to(reports).as_posix() == name:
            return folder
    return None


def zip_folder(folder: Path) -> bytes:
    """Every file of the run folder (not its temporary files) in a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and not path.name.endswith(".tmp"):
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def render_again(folder: Path) -> tuple[Path, ...]:
    """The reports rendered again from result.json and trace.jsonl (as `octt report DIR`)."""
    result = load_result(folder / RESULT_FILE)
    return write_reports(folder, result, signature=signature_shown(folder / SIGNATURE_FILE))
