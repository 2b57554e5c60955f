"""Rendering every report into a folder: the file set, atomic writes, identical re-renders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from report_samples import failing_result, write_run_folder

from octt.report.certificate import DigitalSignature
from octt.report.outputs import (
    EVIDENCE_FILES,
    RENDERED_FILES,
    write_atomically,
    write_reports,
)
from octt.result.load import load_result
from octt.result.model import ExchangeOutcome, ExchangeRecord


def test_every_report_is_written(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    written = write_reports(folder, load_result(folder / "result.json"))
    assert [p.name for p in written] == list(RENDERED_FILES)
    assert RENDERED_FILES == ("junit.xml", "certificate.html", "certificate.pdf", "report.html")
    assert ("result.json", "trace.jsonl", *RENDERED_FILES) == EVIDENCE_FILES
    assert sorted(p.name for p in folder.iterdir()) == sorted(EVIDENCE_FILES)  # no leftovers
    assert (folder / "certificate.pdf").read_bytes().startswith(b"%PDF-")


def test_rendering_again_gives_identical_bytes(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    result = load_result(folder / "result.json")
    signature = DigitalSignature("Ed25519", "sha256:" + "1" * 64)
    write_reports(folder, result, signature=signature)
    first = {name: (folder / name).read_bytes() for name in RENDERED_FILES}
    for name in RENDERED_FILES:
        (folder / name).unlink()
    write_reports(folder, result, signature=signature)
    assert {name: (folder / name).read_bytes() for name in RENDERED_FILES} == first
    assert b"1111 1111" in first["certificate.html"]


def test_a_folder_without_trace_still_renders(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    (folder / "trace.jsonl").unlink()
    write_reports(folder, load_result(folder / "result.json"))
    assert "trace.jsonl was not found" in (folder / "report.html").read_text(encoding="utf-8")


def test_write_atomically_replaces(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_the_run_renders_what_result_json_holds(tmp_path: Path) -> None:
    """`octt run` renders from its in-memory result; `octt report` from result.json, whose
    figures are rounded. Both must give the same bytes."""
    case = replace(
        failing_result().cases[0],
        exchanges=(ExchangeRecord("BootNotification", ExchangeOutcome.RESULT, 3, 4, 0.00065049),),
    )
    result = failing_result((case,))
    folder = write_run_folder(tmp_path / "run", result)
    write_reports(folder, result)
    in_memory = {name: (folder / name).read_bytes() for name in RENDERED_FILES}
    write_reports(folder, load_result(folder / "result.json"))
    assert {name: (folder / name).read_bytes() for name in RENDERED_FILES} == in_memory
