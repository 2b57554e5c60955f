"""The report folder of `octt run`: refuse to mix runs, and lose nothing for CI.

- `folder_problems` (part of the pre-flight): `--report-dir` must be a folder, and a folder
  that holds a signed report (signature.json) is written into only with `--overwrite`, which
  removes the stale signature (`prepare`): a signature must never cover files of another run.
- `Evidence` holds what the run has written so far. Every run that gets past the pre-flight
  ends with result.json, junit.xml and the reports in the folder (and the `--junit`/`--json`
  copies), also when the CSMS cannot be reached (exit 3) or the run is stopped (Ctrl-C,
  SIGTERM): then the reports are rendered from the last result.json checkpoint (or from an
  empty result when no case began), marked interrupted with the reason, which the reports show
  as INCOMPLETE.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from octt import __version__
from octt.cli.env import Environment
from octt.cli.sign_cmd import sign_reports
from octt.clock import SystemClock, rfc3339
from octt.config import RunConfig
from octt.pics.model import Pics
from octt.report.outputs import JUNIT_FILE, SIGNATURE_FILE, write_reports
from octt.report.signature import SigningKey
from octt.result.load import ResultFileError, load_result
from octt.result.model import RunResult, Verdict
from octt.result.performance import performance
from octt.result.result_json import RESULT_FILE, write_result
from octt.validation.schemas import SchemaSet

OVERWRITE_FLAG = "--overwrite"


def folder_problems(report_dir: Path, *, overwrite: bool) -> list[str]:
    """Why the run must not write into `report_dir` (empty: it may)."""
    if report_dir.exists() and not report_dir.is_dir():
        return [f"--report-dir {report_dir}: not a folder"]
    if (report_dir / SIGNATURE_FILE).exists() and not overwrite:
        return [
            f"--report-dir {report_dir} holds a signed report ({SIGNATURE_FILE}): choose another"
            f" folder, or pass {OVERWRITE_FLAG} to replace that report (its signature is"
            " removed)"
        ]
    return []


def prepare(report_dir: Path) -> None:
    """Create the folder; a signature of an earlier run (allowed by --overwrite) goes."""
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / SIGNATURE_FILE).unlink(missing_ok=True)


@dataclass(frozen=True)
class Copies:
    """Where CI wants copies of junit.xml and result.json (besides the report folder)."""

    junit: Path | None = None
    json: Path | None = None


def empty_result(run_id: str, config: RunConfig, pics: Pics, started_at: str) -> RunResult:
    """The result of a run before its first case: no case, interrupted (a partial result)."""
    schemas = SchemaSet.load()
    return RunResult(
        run_id=run_id,
        tool_name="octt",
        tool_version=__version__,
        started_at=started_at,
        finished_at=rfc3339(SystemClock().utc_now()),
        sut=dict(pics.raw.get("sut", {})),
        csms_url=config.csms_url or "",
        security_profile=config.security_profile,
        verdict=Verdict.FAIL,
        profiles=(),
        cases=(),
        performance=performance(
            (),
            response_limit_s=pics.limits.response_timeout_s,
            authorize_limit_s=pics.limits.authorize_response_s,
        ),
        schemas={"source": schemas.source, "sha256": schemas.sha256},
        pics=dict(pics.raw),
        settings=config.settings(),
        interrupted=True,
        lab=config.lab,
    )


class Evidence:
    """The report folder of one run, and what it must hold however the run ends."""

    def __init__(
        self,
        report_dir: Path,
        env: Environment,
        placeholder: RunResult,
        *,
        key: SigningKey | None = None,
        copies: Copies | None = None,
    ) -> None:
        self.report_dir = report_dir
        self._env = env
        self._placeholder = placeholder  # the result until the first checkpoint
        self._key = key
        self._copies = copies or Copies()
        self._started = False

    def start(self) -> None:
        """Create the folder and a first result.json (replaced as the run goes on)."""
        prepare(self.report_dir)
        self._started = True
        write_result(self.report_dir / RESULT_FILE, self._placeholder)

    def latest(self) -> RunResult:
        """The last result.json checkpoint, else the placeholder."""
        if self._started:
            try:
                return load_result(self.report_dir / RESULT_FILE)
            except ResultFileError:
                pass
        return self._placeholder

    def stopped(self, reason: str, result: RunResult | None = None) -> RunResult | None:
        """Render the reports of a run that stopped before its end (`result`, else the last
        checkpoint), marked interrupted with `reason`. None when nothing could be written."""
        result = result if result is not None else self.latest()
        result = replace(result, interrupted=True, stop_reason=reason, verdict=Verdict.FAIL)
        try:
            if not self._started:
                prepare(self.report_dir)
                self._started = True
            write_result(self.report_dir / RESULT_FILE, result)
            self.finish(result)
        except OSError as exc:
            self._env.fail(f"cannot write the reports: {exc}")
            return None
        return result

    def finish(self, result: RunResult) -> None:
        """Every report (signed when a key is given), then the copies CI asked for."""
        if self._key is None:
            write_reports(self.report_dir, result)
        else:
            sign_reports(self.report_dir, result, self._key, self._env)
        for source, target in ((JUNIT_FILE, self._copies.junit), (RESULT_FILE, self._copies.json)):
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.report_dir / source, target)
