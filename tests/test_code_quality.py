"""The code itself: `mypy --strict` on octt/ and ruff (lint and format) on the whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_mypy_strict_is_clean() -> None:
    result = _run("mypy", "--strict", "octt")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_is_clean() -> None:
    result = _run("ruff", "check", "octt", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", "octt", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_rooms(room: str) -> set[str]:
    """The octt rooms that the modules of one room import (octt.<room>...)."""
    import ast

    rooms: set[str] = set()
    for path in (ROOT / "octt" / room).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "octt" and len(parts) > 1:
                    rooms.add(parts[1])
    rooms.discard(room)
    return rooms


def test_the_result_room_imports_neither_the_engine_nor_the_renderers() -> None:
    assert not _imported_rooms("result") & {"engine", "report", "cli"}


def test_the_renderers_read_the_result_and_never_the_engine() -> None:
    assert "engine" not in _imported_rooms("report")
