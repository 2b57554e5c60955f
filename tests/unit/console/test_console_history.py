"""The history: run folders one or two levels under the reports folder, their files, a zip."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from report_samples import failing_result, passing_result, write_run_folder

from octt.console.history import list_runs, render_again, run_folder, zip_folder


def test_every_run_folder_is_listed_newest_first(tmp_path: Path) -> None:
    old = write_run_folder(tmp_path / "2026-old", passing_result())
    document = json.loads((old / "result.json").read_text(encoding="utf-8"))
    document["started_at"] = "2020-01-01T00:00:00Z"
    (old / "result.json").write_text(json.dumps(document), encoding="utf-8")
    nested = write_run_folder(tmp_path / "ci" / "nightly", failing_result())
    (tmp_path / "empty").mkdir()
    (tmp_path / ".pics").mkdir()
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "result.json").write_text("not json", encoding="utf-8")
    entries = list_runs(tmp_path)
    assert [e.name for e in entries] == ["ci/nightly", "2026-old"]
    latest = entries[0]
    assert latest.verdict == "fail"
    assert latest.csms == failing_result().csms_url
    assert latest.cases == len(failing_result().cases)
    assert "result.json" in latest.files and "run.log" not in latest.files
    assert run_folder(tmp_path, "ci/nightly") == nested
    for name in ("ci", "empty", "../x", ".pics"):
        assert run_folder(tmp_path, name) is None


def test_zip_and_render_again(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run", passing_result())
    (folder / "result.json.tmp").write_text("half", encoding="utf-8")
    written = render_again(folder)
    assert (folder / "certificate.pdf") in written
    with zipfile.ZipFile(io.BytesIO(zip_folder(folder))) as archive:
        names = archive.namelist()
    assert "run/result.json" in names and "run/certificate.pdf" in names
    assert "run/result.json.tmp" not in names
