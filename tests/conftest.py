"""Shared test helpers: run octt's engine in-process against the embedded reference CSMS."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from security_support import session_pki

from octt.catalog.editions import for_edition
from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.selection import select
from octt.clock import SystemClock
from octt.config import RunConfig
from octt.engine.checks import CHECKS
from octt.engine.runner import Runner, RunSetup
from octt.findings import Severity
from octt.operator.factory import make_operator
from octt.pics.model import Pics, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.reference.embedded import embedded_reference
from octt.reference.faults import parse_faults
from octt.reference.quirks import parse_quirks
from octt.resources import default_pics_path
from octt.result.events import EventBus
from octt.result.model import RunResult, Verdict
from octt.validation.schemas import SchemaSet

RunAgainstReference = Callable[..., RunResult]


async def run_against_reference_async(
    case_ids: Iterable[str],
    faults: Iterable[str] = (),
    *,
    quirks: Iterable[str] = (),
    config: RunConfig | None = None,
    pics: Pics | None = None,
    trace: Path | None = None,
    reference_timeout_s: float = 5.0,
    catalog: Catalog | None = None,
) -> RunResult:
    """Run the given cases through the engine against a fresh reference CSMS with `faults`
    and `quirks` (`catalog`: instead of the YAML cases, e.g. with the robustness cases added)."""
    pics = pics or load_pics(default_pics_path())
    config = config or RunConfig(operator_timeout_s=3.0)
    if config.reconnect_pause_s == RunConfig.reconnect_pause_s:
        # Many cases in a row: reconnect almost at once (a test of the pacing sets its own).
        config = replace(config, reconnect_pause_s=0.001)
    if config.pki_dir is None:
        config = replace(config, pki_dir=session_pki().directory)  # no key generation per run
    # The same embedded reference `octt run` starts (TLS for the security profiles included).
    async with embedded_reference(
        config,
        pics,
        faults=parse_faults(faults),
        quirks=parse_quirks(quirks),
        call_timeout_s=reference_timeout_s,
    ) as (reference, embedded):
        operator = make_operator(
            config.operator or reference.control_url,
            console=Console(file=io.StringIO()),
            input_stream=io.StringIO(),
        )
        catalog = catalog or for_edition(
            load_catalog(known_checks=frozenset(CHECKS)), config.edition
        )
        plan = select(catalog, pics, test_ids=list(case_ids))
        clock = SystemClock()
        recorder = Recorder(clock, Redactor(), trace)
        setup = RunSetup(
            embedded,
            pics,
            catalog,
            reference.ocpp_url,
            operator,
            clock,
            EventBus(),
            recorder,
            SchemaSet.load(),
        )
        try:
            return await Runner(setup).run(plan)
        finally:
            recorder.close()
            await operator.aclose()


@pytest.fixture
def run_against_reference() -> RunAgainstReference:
    def run(*args: object, **kwargs: object) -> RunResult:
        return asyncio.run(run_against_reference_async(*args, **kwargs))  # type: ignore[arg-type]

    return run


def assert_fails_against_fault(
    run: RunAgainstReference,
    case_id: str,
    fault: str,
    rule: str,
    control: str,
    config: RunConfig,
) -> None:
    """One fault-matrix row: against `fault`, `case_id` fails with an error finding `rule`,
    while `control` (a case the fault does not concern; may be empty) still passes."""
    result = run([case_id, control] if control else [case_id], [fault], config=config)
    by_id = {c.id: c for c in result.cases}
    failed = by_id[case_id]
    assert failed.verdict is Verdict.FAIL, (failed.verdict, failed.reason)
    rules = {f.rule for f in failed.findings if f.severity is Severity.ERROR}
    assert rule in rules, (rule, [(f.rule, f.message) for f in failed.findings])
    if control:
        assert by_id[control].verdict is Verdict.PASS, (control, by_id[control].reason)


def with_limits(pics: Pics, response_timeout_s: float, authorize_response_s: float) -> Pics:
    return replace(
        pics,
        limits=replace(
            pics.limits,
            response_timeout_s=response_timeout_s,
            authorize_response_s=authorize_response_s,
        ),
    )
