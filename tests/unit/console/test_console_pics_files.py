"""PICS files of the start form: every problem at once; saved and uploaded PICS."""

from __future__ import annotations

from pathlib import Path

import pytest

from octt.console.pics_files import keep_upload, pics_problems, saved_pics
from octt.resources import default_pics_path


def test_a_good_pics_has_no_problem() -> None:
    assert pics_problems(default_pics_path()) == []


def test_every_schema_problem_is_listed_with_its_line(tmp_path: Path) -> None:
    text = default_pics_path().read_text(encoding="utf-8")
    broken = text.replace("vendor:", "vendorr:", 1).replace("response_timeout_s:", "x_s:", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    problems = pics_problems(path)
    assert len(problems) >= 2, problems
    assert all(p.startswith(f"{path}:") for p in problems), problems
    assert any("vendor" in p for p in problems), problems
    assert any("response_timeout_s" in p for p in problems), problems


def test_unreadable_yaml_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1,\n", encoding="utf-8")
    [problem] = pics_problems(path)
    assert "not valid YAML" in problem


def test_uploads_are_kept_and_offered(tmp_path: Path) -> None:
    content = default_pics_path().read_bytes()
    kept = keep_upload(tmp_path, "../../My PICS!.yaml", content)
    assert kept.parent == tmp_path / ".pics"
    assert kept.name.startswith("My-PICS-")
    offered = saved_pics(tmp_path)
    assert offered["reference-csms.yaml"] == default_pics_path()
    assert offered[f".pics/{kept.name}"] == kept
    with pytest.raises(ValueError, match="UTF-8"):
        keep_upload(tmp_path, "x.yaml", b"\xff\xfe")
