"""Where octt's own data lives: test cases, PICS files and schemas.

In an installed wheel they are package data under ``octt/_data``; in a source checkout (editable
install, or running the tests) they are the top-level folders beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder holding ``testcases/``, ``pics/`` and ``schemas/``."""
    packaged = _PACKAGE_DIR / "_data"
    if (packaged / "testcases").is_dir():
        return packaged
    return _PACKAGE_DIR.parent


def data_path(relative: str) -> Path:
    """A file or folder of octt's data, e.g. ``data_path("pics/reference-csms.yaml")``."""
    return data_root() / relative


def testcases_dir() -> Path:
    return data_path("testcases")


def schema_path(name: str) -> Path:
    """One of octt's own JSON schemas, e.g. ``schema_path("pics.schema.json")``."""
    return data_path("schemas") / name


def default_pics_path() -> Path:
    return data_path("pics/reference-csms.yaml")
