"""Run set-up in the console: every problem before the run, one run at a time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from octt.config import RunConfig
from octt.console.live import LiveFeed
from octt.console.session import ConsoleRuns, Prepared, RunBusy, prepare
from octt.resources import default_pics_path


def test_prepare_checks_as_octt_run_does(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("sut: {}\n", encoding="utf-8")
    problems = prepare(
        RunConfig(
            pics_path=broken,
            csms_url="http://csms",
            security_profile=2,
            operator="carrier-pigeon",
        )
    )
    assert isinstance(problems, list)
    text = "\n".join(problems)
    assert f"{broken}:" in text
    assert "CSMS URL: must be a ws:// or wss:// URL" in text
    assert "security profile 2 needs a Basic-auth password" in text
    assert (
        "operator: --operator 'carrier-pigeon': no operator adapter of that name in the"
        " entry-point group octt.operators"
    ) in text
    unknown = prepare(RunConfig(test_ids=("TC_999_CSMS",)))
    assert isinstance(unknown, list) and "TC_999_CSMS" in unknown[0]
    prepared = prepare(RunConfig(pics_path=default_pics_path(), test_ids=("TC_061_CSMS",)))
    assert isinstance(prepared, Prepared)
    assert [e.case.id for e in prepared.plan.entries] == ["TC_061_CSMS"]


def test_a_second_start_is_refused_and_stop_interrupts(tmp_path: Path) -> None:
    prepared = prepare(
        RunConfig(pics_path=default_pics_path(), test_ids=("TC_061_CSMS",), operator="prompt")
    )
    assert isinstance(prepared, Prepared)

    async def scenario() -> None:
        runs = ConsoleRuns(tmp_path, LiveFeed())
        folder = runs.start(prepared)
        assert runs.running and runs.state.folder == folder
        with pytest.raises(RunBusy, match="a run is going on already"):
            runs.start(prepared)
        assert await runs.stop()
        assert not runs.running
        assert runs.state.outcome == "interrupted"
        assert not await runs.stop()

    asyncio.run(asyncio.wait_for(scenario(), 30))
