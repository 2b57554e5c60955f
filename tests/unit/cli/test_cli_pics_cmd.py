"""`octt pics init` then `octt pics check`: the skeleton names every value still to give, and
passes once the vendor has filled them in; a PICS's problems are listed all at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import Cli, run_octt

from octt.resources import default_pics_path

REFERENCE: dict[str, Any] = yaml.safe_load(default_pics_path().read_text(encoding="utf-8"))


def octt(cwd: Path, *argv: str) -> Cli:
    return run_octt(cwd, "pics", *argv)


def fill(path: Path) -> None:
    """What a vendor does: give every empty value (here: the reference CSMS's)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        head, _, comment = line.partition("  #")
        key = head.strip().rstrip(":")
        if head.rstrip().endswith(":") and head.startswith("  ") and key:
            section = "sut" if key in REFERENCE["sut"] else "test_data"
            value = REFERENCE[section].get(key)
            if value is not None:
                head = f"{head.rstrip()} {yaml.safe_dump(value, default_flow_style=True).strip()}"
                head = head.removesuffix("\n...")
        lines.append(f"{head}  #{comment}" if comment else head)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_init_core_and_reservation_then_check_after_filling(tmp_path: Path) -> None:
    made = octt(tmp_path, "init", "--profile", "core", "--profile", "reservation", "-o", "p.yaml")
    assert made.status == 0, made.stderr
    path = tmp_path / "p.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  reservation: true\n" in text and "  smart-charging: false\n" in text
    assert "  expired_id_tag:  # an idTag the CSMS holds with status Expired; needed by" in text
    assert "reservation_expiry_offset_s: 300  # Expiry Date Offset" in text
    assert "firmware_url" not in text  # not a key of core or reservation
    before = octt(tmp_path, "check", "p.yaml")
    assert before.status == 2
    empty = [line for line in before.stderr.splitlines() if "no value yet: fill it in" in line]
    assert len(empty) == 11, before.stderr  # the unknown vendorId is made up, not asked for
    assert f"  {path}:5: sut/vendor: no value yet: fill it in" in before.stderr
    fill(path)
    after = octt(tmp_path, "check", "p.yaml")
    assert after.status == 0, after.stderr + path.read_text(encoding="utf-8")
    assert "no problem; claims core, reservation" in after.stdout


@pytest.mark.parametrize(
    ("argv", "keys"),
    [
        (("--profile", "firmware-management"), ("firmware_url", "diagnostics_location")),
        (("--profile", "smart-charging"), ("charging_profile_limit", "charging_rate_unit")),
        (("--profile", "security", "--security-profile", "3"), ("log_location", "# sp3_charge")),
    ],
)
def test_each_profile_brings_its_keys(
    tmp_path: Path, argv: tuple[str, ...], keys: tuple[str]
) -> None:
    made = octt(tmp_path, "init", *argv)
    assert made.status == 0
    for key in keys:
        assert f"\n  {key}" in made.stdout
    assert "sp1_charge_point_id" not in made.stdout  # only the security profiles claimed


def test_check_lists_every_problem_at_once(tmp_path: Path) -> None:
    data = yaml.safe_load(default_pics_path().read_text(encoding="utf-8"))
    data["sut"]["vendor"] = 42
    data["limits"]["response_timeout_s"] = -1
    del data["test_data"]["expired_id_tag"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    cli = octt(tmp_path, "check", "bad.yaml")
    assert cli.status == 2
    assert "2 problem(s)" in cli.stderr
    assert "sut/vendor: 42 is not of type 'string'" in cli.stderr
    assert "limits/response_timeout_s: -1 is less than or equal to the minimum of 0" in cli.stderr
    # Once the schema is met, the test data the claimed cases need comes next.
    data["sut"]["vendor"] = "Acme"
    data["limits"]["response_timeout_s"] = 30
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    cli = octt(tmp_path, "check", "bad.yaml")
    assert cli.status == 2
    assert "test_data.expired_id_tag is missing: needed by TC_023_2_CSMS" in cli.stderr


def test_usage(tmp_path: Path) -> None:
    assert octt(tmp_path, "check").status == 2
    assert octt(tmp_path, "init", "x.yaml").status == 2
    (tmp_path / "p.yaml").write_text("x", encoding="utf-8")
    assert "exists" in octt(tmp_path, "init", "-o", "p.yaml").stderr
    assert octt(tmp_path, "init", "-o", "p.yaml", "--force").status == 0


def test_init_for_everything_passes_once_filled(tmp_path: Path) -> None:
    profiles = [
        "firmware-management", "local-auth-list-management", "reservation", "smart-charging",
        "remote-trigger", "security",
    ]  # fmt: skip
    argv = [arg for p in profiles for arg in ("--profile", p)]
    assert octt(tmp_path, "init", *argv, "-o", "all.yaml").status == 0
    assert octt(tmp_path, "check", "all.yaml").status == 2
    fill(tmp_path / "all.yaml")
    after = octt(tmp_path, "check", "all.yaml")
    assert after.status == 0, after.stderr


EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize(
    "name", ["pics/core-only.yaml", "pics/everything.yaml", "ocpp_lib_csms/acme-pics.yaml"]
)
def test_the_example_pics_pass(tmp_path: Path, name: str) -> None:
    cli = octt(tmp_path, "check", str(EXAMPLES / name))
    assert cli.status == 0, cli.stderr


def test_the_example_run_configuration_loads_with_its_lab() -> None:
    from octt.config import load_run_config

    config = load_run_config(EXAMPLES / "run-config.yaml")
    assert config.lab.name == "Example Test Laboratory"
    assert config.operator == "python:acme_adapter:make_operator"
    assert config.pics_path == (EXAMPLES / "ocpp_lib_csms" / "acme-pics.yaml").resolve()
