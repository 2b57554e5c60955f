"""pics_problems: every problem at once, with file:line; an empty value is said as such."""

from __future__ import annotations

from pathlib import Path

from octt.pics.problems import pics_problems
from octt.resources import default_pics_path


def test_a_good_pics_has_none() -> None:
    assert pics_problems(default_pics_path()) == []


def test_empty_values_are_named_each_with_its_line(tmp_path: Path) -> None:
    text = default_pics_path().read_text(encoding="utf-8")
    text = text.replace("vendor: octt project", "vendor:").replace(
        "valid_id_tag: OCTT-VALID-01", "valid_id_tag:"
    )
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    vendor = lines.index("  vendor:") + 1
    tag = lines.index("  valid_id_tag:") + 1
    assert pics_problems(path) == [
        f"{path}:{vendor}: sut/vendor: no value yet: fill it in",
        f"{path}:{tag}: test_data/valid_id_tag: no value yet: fill it in",
    ]
