"""Where octt finds its data: beside the package in a checkout, inside it when installed."""

from __future__ import annotations

from pathlib import Path

import pytest

import octt
from octt import resources

CHECKOUT = Path(octt.__file__).resolve().parent.parent


def test_data_root_in_a_checkout_is_beside_the_package() -> None:
    assert not (Path(octt.__file__).resolve().parent / "_data").exists()
    assert resources.data_root() == CHECKOUT
    for folder in ("testcases", "pics", "schemas"):
        assert (resources.data_root() / folder).is_dir()


def test_data_path_and_named_locations() -> None:
    assert resources.data_path("pics/reference-csms.yaml") == CHECKOUT / "pics/reference-csms.yaml"
    assert resources.default_pics_path().is_file()
    assert resources.default_pics_path() == resources.data_path("pics/reference-csms.yaml")
    assert resources.testcases_dir() == CHECKOUT / "testcases"
    assert (resources.testcases_dir() / "_states").is_dir()
    assert resources.schema_path("pics.schema.json") == CHECKOUT / "schemas" / "pics.schema.json"
    assert resources.schema_path("testcase.schema.json").is_file()


def test_installed_package_uses_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "octt"
    (package / "_data" / "testcases").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources.data_root() == package / "_data"
    assert resources.testcases_dir() == package / "_data" / "testcases"
    assert resources.schema_path("result.schema.json") == (
        package / "_data" / "schemas" / "result.schema.json"
    )


def test_a_data_folder_without_testcases_is_not_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "octt"
    (package / "_data" / "pics").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources.data_root() == tmp_path
