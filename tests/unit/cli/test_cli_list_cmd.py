"""`octt list`: applicability under the given PICS (relative to the working folder)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from cli_support import Cli, run_octt

from octt.cli import main
from octt.cli.env import Environment
from octt.resources import default_pics_path


def octt(cwd: Path, *argv: str) -> Cli:
    return run_octt(cwd, *argv)


REASON = "missing PICS test data: test_data.expired_id_tag"


def pics_without_expired_tag(folder: Path) -> Path:
    lines = default_pics_path().read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.strip().startswith("expired_id_tag:")]
    assert len(kept) == len(lines) - 1
    path = folder / "no-expired.yaml"
    path.write_text("".join(kept), encoding="utf-8")
    return path


def test_json_rows_follow_the_given_pics(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    pics_without_expired_tag(tmp_path / "pics")
    cli = octt(tmp_path, "list", "--pics", "pics/no-expired.yaml", "--json")
    assert cli.status == 0, cli.stderr
    rows: list[dict[str, Any]] = json.loads(cli.stdout)
    # Missing test data does not make a case not applicable: it would not run.
    assert all(r["applicable"] for r in rows if r["profile"] != "robustness")
    missing = {r["id"]: r["missing_test_data"] for r in rows if r["missing_test_data"]}
    assert missing == {"TC_023_2_CSMS": ["test_data.expired_id_tag"]}
    assert all(r["reason"] == "" for r in rows if r["applicable"])


def test_json_marks_cases_that_need_the_operator(tmp_path: Path) -> None:
    rows = json.loads(octt(tmp_path, "list", "--json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["TC_061_CSMS"]["needs_operator"] is True  # the CSMS must send ClearCache
    assert by_id["TC_001_CSMS"]["needs_operator"] is False
    assert by_id["TC_061_CSMS"]["file"].endswith("TC_061_CSMS.yaml")


def test_table_shows_why_a_case_does_not_apply(tmp_path: Path) -> None:
    path = pics_without_expired_tag(tmp_path)
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=tmp_path, environ={})
    env.console.width = 200
    assert main(["list", "--pics", path.name], env=env) == 0
    text = stdout.getvalue()
    assert f"(PICS: {path})" in text
    assert f"yes, not run — {REASON}" in text
    assert "TC_001_CSMS" in text


def test_missing_pics_is_a_usage_error(tmp_path: Path) -> None:
    cli = octt(tmp_path, "list", "--pics", "nowhere.yaml")
    assert cli.status == 2
    assert "nowhere.yaml" in cli.stderr
    assert cli.stdout == ""
