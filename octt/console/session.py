"""One run at a time, started from the page: the same RunConfig, engine and reports as `octt run`.

Owns `ConsoleRuns`: `prepare` checks a RunConfig as `octt run` does (PICS, selection, CSMS URL,
security profile password) and returns every problem found, before anything runs; `start`
launches the run as a task (a second start while one runs is refused with `RunBusy`); `stop`
cancels it the way Ctrl-C does, so the engine records the case it was in as interrupted and
result.json stays a valid, partial result. The engine's events go to result.json and to the
live feed; the recorder's frames go to trace.jsonl and to the live feed.

The run folder is `<reports>/<UTC stamp>-<run id>`, as `octt run` names it under reports/.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from octt.catalog.editions import for_edition
from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.selection import RunPlan, SelectionError, select
from octt.clock import SystemClock
from octt.config import RunConfig
from octt.console.live import FeedSink, FrameTap, LiveFeed
from octt.console.operator import BrowserOperator
from octt.console.pics_files import pics_problems
from octt.engine.checks import CHECKS
from octt.engine.runner import CsmsUnreachable, Runner, RunSetup, new_run_id
from octt.engine.security import secrets_of
from octt.operator.base import Operator
from octt.operator.factory import make_operator, operator_spec_problem
from octt.pics.model import Pics, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.report.outputs import TRACE_FILE, write_reports
from octt.result.events import EventBus
from octt.result.result_json import RESULT_FILE, ResultFileSink
from octt.result.scope import assess
from octt.robustness.generator import with_robustness
from octt.validation.schemas import SchemaSet
from octt.yamldoc import DocumentError


class RunBusy(Exception):
    """A run is going on already: one run at a time per console."""


@dataclass(frozen=True)
class Prepared:
    """A run that passed every check before it starts."""

    config: RunConfig
    pics: Pics
    catalog: Catalog
    plan: RunPlan


@dataclass(frozen=True)
class RunState:
    """What the page shows about the console's run."""

    running: bool
    folder: str = ""  # the run's folder name under the reports folder
    outcome: str = ""  # pass | fail | interrupted | error (once it ended)
    detail: str = ""


def prepare(config: RunConfig) -> Prepared | list[str]:
    """Check `config` as `octt run` does; every problem found (file:line where there is one)."""
    problems = pics_problems(config.pics_path)
    if config.csms_url is not None and not config.csms_url.startswith(("ws://", "wss://")):
        problems.append(f"CSMS URL: must be a ws:// or wss:// URL, got {config.csms_url!r}")
    if config.security_profile in (1, 2) and not config.basic_auth_password:
        problems.append(f"security profile {config.security_profile} needs a Basic-auth password")
    if config.operator is not None:
        problem = operator_spec_problem(config.operator)
        if problem is not None:
            problems.append(f"operator: {problem}")
    if problems:
        return problems
    try:
        pics = load_pics(config.pics_path)
        catalog = with_robustness(
            for_edition(load_catalog(known_checks=frozenset(CHECKS)), config.edition),
            SchemaSet.load(),
        )
        plan = select(catalog, pics, profiles=config.profiles, test_ids=config.test_ids)
    except (DocumentError, SelectionError) as exc:
        return [str(exc)]
    return Prepared(config, pics, catalog, plan)


class ConsoleRuns:
    """The console's run: at most one at a time."""

    def __init__(self, reports: Path, feed: LiveFeed) -> None:
        self.reports = reports
        self.feed = feed
        self._task: asyncio.Task[None] | None = None
        self._operator: BrowserOperator | None = None
        self.state = RunState(running=False)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def operator(self) -> BrowserOperator | None:
        """The page's prompt operator of the run going on (None when it uses another)."""
        return self._operator if self.running else None

    def start(self, prepared: Prepared) -> str:
        """Start the run; its folder name. RunBusy while another run goes on."""
        if self.running:
            raise RunBusy(f"a run is going on already ({self.state.folder}): stop it first")
        run_id = new_run_id()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        folder = prepared.config.report_dir or self.reports / f"{stamp}-{run_id}"
        folder.mkdir(parents=True, exist_ok=True)
        self.feed.reset()
        self.state = RunState(running=True, folder=folder.name)
        self._task = asyncio.create_task(self._run(prepared, run_id, folder))
        return folder.name

    async def stop(self) -> bool:
        """Stop the run as Ctrl-C does; False when none is going on."""
        task = self._task
        if task is None or task.done():
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self.state.running:  # cancelled before it began: nothing ran, nothing to record
            self._ended("interrupted", "stopped before the run began")
        return True

    async def wait(self) -> None:
        """Until the run going on (if any) has ended."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._task)

    def _ended(self, outcome: str, detail: str) -> None:
        self._operator = None
        folder = self.state.folder
        self.state = RunState(False, folder, outcome, detail)
        self.feed.publish({"kind": "ended", "outcome": outcome, "detail": detail, "folder": folder})

    async def _run(self, prepared: Prepared, run_id: str, folder: Path) -> None:
        outcome, detail = "error", ""
        try:
            outcome, detail = await self._execute(prepared, run_id, folder)
        except asyncio.CancelledError:
            outcome = "interrupted"
            detail = (
                "stopped: result.json holds the cases done so far and the one interrupted;"
                " render the (partial) reports from the history"
            )
        except Exception as exc:  # a bug in octt: shown, never a verdict about the CSMS
            detail = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            self._ended(outcome, detail)

    async def _execute(self, prepared: Prepared, run_id: str, folder: Path) -> tuple[str, str]:
        clock = SystemClock()
        async with _csms(prepared.config, prepared.pics) as (csms_url, default_operator, config):
            operator = self._make_operator(config.operator or default_operator or "prompt")
            redactor = Redactor(tuple(secrets_of([config.basic_auth_password])))
            recorder = Recorder(clock, redactor, folder / TRACE_FILE)
            recorder.on_record = FrameTap(self.feed)
            bus = EventBus()
            bus.subscribe(ResultFileSink(folder / RESULT_FILE))
            bus.subscribe(FeedSink(self.feed))
            if config.real_transfers is None:
                # As `octt run`: real transfers against the embedded reference CSMS only.
                config = replace(config, real_transfers=prepared.config.csms_url is None)
            setup = RunSetup(
                config,
                prepared.pics,
                prepared.catalog,
                csms_url,
                operator,
                clock,
                bus,
                recorder,
                SchemaSet.load(),
            )
            try:
                result = await Runner(setup, run_id).run(prepared.plan)
            except CsmsUnreachable as exc:
                return "unreachable", f"the CSMS could not be reached: {exc}"
            finally:
                recorder.close()
                await operator.aclose()
        await asyncio.to_thread(write_reports, folder, result)
        # What octt run's exit status and verdict line say (octt.result.scope), partial or not.
        scope = assess(result)
        return ("pass" if scope.passed else "fail"), f"verdict {scope.verdict_text}"

    def _make_operator(self, mode: str) -> Operator:
        if mode == "prompt":
            self._operator = BrowserOperator(self.feed)
            return self._operator
        # none, a trigger API or an adapter: none of them writes to a terminal nor reads one.
        return make_operator(mode, console=Console(file=io.StringIO()), input_stream=io.StringIO())


@contextlib.asynccontextmanager
async def _csms(config: RunConfig, pics: Pics) -> AsyncIterator[tuple[str, str | None, RunConfig]]:
    """The CSMS URL, a default operator and the run configuration, as `octt run` has them: the
    given CSMS, or an embedded reference CSMS whose trigger API is the default operator."""
    if config.csms_url is not None:
        yield config.csms_url, None, config
        return
    from octt.reference.embedded import embedded_reference

    async with embedded_reference(config, pics) as (reference, embedded):
        yield reference.ocpp_url, reference.control_url, embedded
