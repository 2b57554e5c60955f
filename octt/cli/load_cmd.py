"""`octt load`: many simulated charge points against a CSMS, with per-action figures.

Without --csms it starts the embedded reference CSMS in a process of its own. The stations are
spread over worker processes (one per core by default), each an asyncio loop driving its share;
every frame from the CSMS is validated. Writes load.json and load.html into --report-dir.
"""

from __future__ import annotations

import argparse
import importlib.util
import uuid
from datetime import UTC, datetime
from pathlib import Path

from rich.live import Live

import octt.load as load_package
from octt.cli.env import Environment, ExitStatus
from octt.cli.run_cmd import PASSWORD_VARIABLE
from octt.load.behaviour import LoadMix, parse_weights
from octt.load.csms_process import CsmsProcessError
from octt.load.loops import EventLoopKind
from octt.load.loops import resolve as resolve_loop
from octt.load.report import live_view, print_summary, write_load_reports
from octt.load.runner import LoadResult, LoadRun, LoadSettings, Progress
from octt.pics.model import load_pics
from octt.resources import default_pics_path
from octt.yamldoc import DocumentError

#: Without a terminal, a progress line this often.
PLAIN_PROGRESS_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--csms",
        metavar="URL",
        help="ws:// or wss:// endpoint (default: the embedded reference CSMS, own process)",
    )
    parser.add_argument("--stations", type=int, default=100, metavar="N", help="default 100")
    parser.add_argument(
        "--duration", type=float, default=60.0, metavar="S", help="seconds of load (default 60)"
    )
    parser.add_argument(
        "--ramp-up",
        type=float,
        default=100.0,
        metavar="R",
        help="stations connecting per second (default 100)",
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=10.0,
        metavar="S",
        help="mean pause between one station's CALLs (default 10)",
    )
    parser.add_argument(
        "--mix",
        metavar="WEIGHTS",
        help="activity weights, e.g. heartbeat=4,status=2,authorize=2,transaction=2 (default)",
    )
    parser.add_argument(
        "--meter-values", type=int, default=3, metavar="N", help="MeterValues per transaction"
    )
    parser.add_argument(
        "--processes", type=int, default=0, metavar="P", help="worker processes (default: cores)"
    )
    parser.add_argument(
        "--response-timeout",
        type=float,
        metavar="S",
        help="seconds to wait for an answer (default: the PICS's response timeout)",
    )
    parser.add_argument(
        "--pics", type=Path, metavar="FILE", help="idTag, vendor and model from this PICS"
    )
    parser.add_argument("--cp-id-prefix", default="OCTT-LOAD-", metavar="PREFIX")
    parser.add_argument(
        "--csms-cpus",
        metavar="LIST",
        help="pin the embedded reference CSMS to these cores, e.g. 1 or 2,3 (default: any)",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help="write load.json and load.html into DIR (default: reports/<time>-load-<run>)",
    )
    parser.add_argument(
        "--event-loop",
        choices=[kind.value for kind in EventLoopKind],
        default=EventLoopKind.AUTO.value,
        help="the workers' event loop (default auto: uvloop where installed, else asyncio's)",
    )
    parser.add_argument(
        "--locustfile",
        action="store_true",
        help="print the path of octt's Locust user class (for locust -f) and exit",
    )


def locustfile_path() -> Path:
    """octt's Locust user class, for ``locust -f`` (found without importing Locust)."""
    return Path(load_package.__file__).resolve().parent / "locustfile.py"


def _cpus(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        cpus = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"--csms-cpus {text!r}: a comma-separated list of core numbers") from None
    if any(c < 0 for c in cpus):
        raise ValueError(f"--csms-cpus {text!r}: core numbers are 0 or more")
    return cpus


def settings_from_args(args: argparse.Namespace, env: Environment) -> LoadSettings:
    """The load settings the flags ask for (ValueError or DocumentError naming the flag)."""
    pics_path = env.cwd / args.pics if args.pics else default_pics_path()
    pics = load_pics(pics_path)
    data = pics.test_data
    if args.csms is not None and not args.csms.startswith(("ws://", "wss://")):
        raise ValueError(f"--csms must be a ws:// or wss:// URL, got {args.csms!r}")
    mix = LoadMix(
        think_time_s=_positive("--think-time", args.think_time),
        weights=parse_weights(args.mix) if args.mix else LoadMix().weights,
        meter_values=args.meter_values,
        connectors=data.number_of_connectors,
        id_tag=data.valid_id_tag,
        vendor=data.charge_point_vendor,
        model=data.charge_point_model,
    )
    if args.stations < 1:
        raise ValueError(f"--stations must be at least 1, got {args.stations}")
    if args.processes < 0:
        raise ValueError(f"--processes must be 0 (one per core) or more, got {args.processes}")
    return LoadSettings(
        stations=args.stations,
        duration_s=_positive("--duration", args.duration),
        ramp_per_s=_positive("--ramp-up", args.ramp_up),
        mix=mix,
        processes=args.processes,
        response_timeout_s=(
            _positive("--response-timeout", args.response_timeout)
            if args.response_timeout is not None
            else pics.limits.response_timeout_s
        ),
        csms_url=args.csms,
        pics=pics_path,
        cp_id_prefix=args.cp_id_prefix,
        basic_auth_password=env.environ.get(PASSWORD_VARIABLE) or None,
        csms_cpus=_cpus(args.csms_cpus),
        event_loop=resolve_loop(EventLoopKind(args.event_loop)),
    )


def _positive(flag: str, value: float) -> float:
    if not value > 0:
        raise ValueError(f"{flag} must be positive, got {value:g}")
    return value


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    if args.locustfile:
        env.console.print(str(locustfile_path()), soft_wrap=True)
        if importlib.util.find_spec("locust") is None:
            env.stderr.write("octt: Locust is not installed: pip install 'octt[load]'\n")
        return ExitStatus.OK
    try:
        settings = settings_from_args(args, env)
    except (ValueError, DocumentError) as exc:
        return env.fail(str(exc))
    report_dir = (
        env.cwd / args.report_dir
        if args.report_dir
        else env.cwd
        / "reports"
        / f"{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-load-{uuid.uuid4().hex[:8]}"
    )
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return env.fail(f"--report-dir {report_dir}: {exc.strerror or exc}")
    run_ = LoadRun(settings)
    try:
        run_.start()
    except CsmsProcessError as exc:
        return env.fail(str(exc), ExitStatus.UNREACHABLE)
    env.console.print(
        f"[bold]octt load[/] {settings.stations:,} stations, {settings.duration_s:g} s,"
        f" ramp-up {settings.ramp_per_s:g}/s, {settings.worker_count} worker processes"
        f" → {run_.csms_url}"
        + (" (embedded reference CSMS, own process)" if settings.csms_url is None else "")
    )
    result = _watch(run_, env)
    try:
        paths = write_load_reports(report_dir, result)
    except OSError as exc:
        return env.fail(f"cannot write the reports: {exc}")
    print_summary(env.console, result, paths)
    return exit_status(result)


def _watch(run_: LoadRun, env: Environment) -> LoadResult:
    if env.console.is_terminal:
        with Live(console=env.console, refresh_per_second=4, transient=False) as live:

            def show(progress: Progress) -> None:
                live.update(live_view(progress))

            return run_.wait(show)

    def line(progress: Progress) -> None:
        env.console.print(
            f"{progress.elapsed_s:6.1f} s  connected {progress.connected:,}"
            f"/{progress.stations:,}  {progress.calls_per_s:,.0f} calls/s"
        )

    # Off a terminal the figures are needed only for the line every PLAIN_PROGRESS_S: asking
    # for them every second would sort every response time so far on the generator's core.
    return run_.wait(line, interval_s=PLAIN_PROGRESS_S)


def exit_status(result: LoadResult) -> ExitStatus:
    """0: every station connected and every CALL got a valid answer; 3: none could connect;
    1: anything else (errors, CALLERRORs, schema failures, findings, an incomplete run)."""
    if result.connections.get("opened", 0) == 0:
        return ExitStatus.UNREACHABLE
    total = next((a for a in result.actions if a.action == "all"), None)
    clean = total is not None and not (
        total.errors or total.callerrors or total.schema_failures or total.findings
    )
    if result.complete and clean and not result.rules and not result.interrupted:
        return ExitStatus.OK
    return ExitStatus.FAILED
