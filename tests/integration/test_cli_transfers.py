"""`octt run` and the Firmware Management file transfers: against the embedded reference CSMS the
charge point really downloads the firmware and uploads its diagnostics (the PICS's
{trigger_api} filled in with the reference's own HTTP server), `--no-real-transfers` turns that
off, and result.json — valid against its schema — says what happened."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema

from octt.cli import main
from octt.cli.env import Environment
from octt.resources import schema_path


def octt_run(cwd: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd)
    status = main(["run", "--report-dir", "out", "--reconnect-pause", "0.001", *argv], env=env)
    assert (cwd / "out" / "result.json").exists(), stdout.getvalue() + stderr.getvalue()
    result = json.loads((cwd / "out" / "result.json").read_text(encoding="utf-8"))
    schema = json.loads(schema_path("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(result, schema)
    return status, result


def transfers(result: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {
        case["id"]: [(t["outcome"], t["url"]) for t in case["transfers"]]
        for case in result["cases"]
        if case.get("transfers")
    }


def test_embedded_reference_run_transfers_for_real(tmp_path: Path) -> None:
    status, result = octt_run(tmp_path, "--profile", "firmware-management")
    assert status == 4  # the profile passed; the PICS claims more
    assert result["settings"]["real_transfers"] is True
    base = result["pics"]["test_data"]["firmware_url"].removesuffix(
        "/firmware/octt-firmware-2.0.bin"
    )
    assert base.startswith("http://127.0.0.1:")  # {trigger_api} filled in
    moved = transfers(result)
    assert moved["TC_044_1_CSMS"] == [("transferred", f"{base}/firmware/octt-firmware-2.0.bin")]
    [(outcome, url)] = moved["TC_045_1_CSMS"]
    assert outcome == "transferred" and url.startswith(f"{base}/diagnostics/")
    assert moved["TC_044_2_CSMS"][0][0] == "failure_simulated"


def test_no_real_transfers_flag(tmp_path: Path) -> None:
    status, result = octt_run(tmp_path, "--test", "TC_044_1_CSMS", "--no-real-transfers")
    assert status == 4
    assert result["settings"]["real_transfers"] is False
    assert transfers(result)["TC_044_1_CSMS"][0][0] == "simulated"
