"""The example operator adapter end to end: the Acme CSMS (built on the `ocpp` library, no
trigger API) in a process of its own, and `octt run --operator python:acme_adapter:make_operator`
drives every Core case that needs the CSMS to act, none skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from examples_support import ACME_DIR, acme_csms

from octt.catalog.loader import load_catalog
from octt.engine.checks import CHECKS


def _core_cases_that_need_the_csms_to_act() -> set[str]:
    catalog = load_catalog(known_checks=frozenset(CHECKS))
    return {c.id for c in catalog.cases if c.profile.value == "core" and c.needs_operator}


def test_the_acme_adapter_drives_every_core_case(tmp_path: Path) -> None:
    acting = _core_cases_that_need_the_csms_to_act()
    assert len(acting) >= 19
    with acme_csms() as acme:
        run = subprocess.run(
            [
                sys.executable, "-m", "octt", "run",
                "--csms", acme.ocpp_url,
                "--pics", str(ACME_DIR / "acme-pics.yaml"),
                "--operator", "python:acme_adapter:make_operator",
                "--report-dir", str(tmp_path / "out"),
                # A real charger's pause (1 s) before each reconnect adds nothing here: Acme
                # frees a charge point id as soon as its connection closes.
                "--reconnect-pause", "0.001",
            ],
            cwd=tmp_path, env=acme.env(), capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert result["settings"]["operator"] == f"acme-adapter {acme.api_url}"
    verdicts = {case["id"]: case["verdict"] for case in result["cases"]}
    assert acting <= set(verdicts)
    assert {verdicts[case] for case in acting} == {"pass"}
    driven = {c["id"] for c in result["cases"] if c["operator"]}
    assert driven == acting
    for case in result["cases"]:
        for asked in case["operator"]:
            assert asked["outcome"] == "done", (case["id"], asked)
            assert asked["detail"] == f"Acme sent {asked['action']}"


def test_a_command_acme_cannot_send_is_cannot_and_a_dead_api_is_failed() -> None:
    import asyncio

    sys.path.insert(0, str(ACME_DIR))
    try:
        from acme_adapter import AcmeOperator
    finally:
        sys.path.remove(str(ACME_DIR))
    from octt.operator.base import OperatorOutcome, OperatorRequest

    async def ask(action: str) -> tuple[OperatorOutcome, str]:
        operator = AcmeOperator("http://127.0.0.1:9")  # discard port: nothing listens
        request = OperatorRequest("CP", action, {}, "", 2.0)
        try:
            result = await operator.act(request, asyncio.Event())
        finally:
            await operator.aclose()
        return result.outcome, result.detail

    outcome, detail = asyncio.run(ask("ReserveNow"))
    assert (outcome, detail) == (OperatorOutcome.CANNOT, "Acme cannot send ReserveNow")
    outcome, detail = asyncio.run(ask("ClearCache"))
    assert outcome is OperatorOutcome.FAILED and "POST http://127.0.0.1:9/acme" in detail


def test_operator_check_with_the_acme_adapter_lists_every_core_action_as_working() -> None:
    with acme_csms() as acme:
        run = subprocess.run(
            [
                sys.executable, "-m", "octt", "operator", "check",
                "--csms", acme.ocpp_url,
                "--pics", str(ACME_DIR / "acme-pics.yaml"),
                "--operator", "python:acme_adapter:make_operator",
            ],
            env=acme.env(), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all 7 action(s) work" in run.stdout
