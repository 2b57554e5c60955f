"""`octt run`: execute the selected cases against a CSMS and write the reports.

Before the first case the pre-flight (`octt.cli.preflight`) checks everything octt itself
needs and reports every problem at once (exit 2, nothing sent). Ctrl-C and SIGTERM stop a run
the same way: the case running is recorded as interrupted in a last result.json checkpoint
(result.json and trace.jsonl are written as the run goes), the trace is closed, the reports are
rendered from that result, marked INCOMPLETE (`octt.cli.evidence`), and the exit status is 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from octt.catalog.editions import LATEST, Edition, for_edition
from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.selection import RunPlan, SelectionError, select
from octt.cli import preflight
from octt.cli.env import Environment, ExitStatus
from octt.cli.evidence import Copies, Evidence, empty_result, folder_problems
from octt.cli.preflight import PASSWORD_VARIABLE, TLS_KEY_PASSWORD_VARIABLE
from octt.cli.sign_cmd import add_key_arguments, signing_key
from octt.clock import SystemClock, rfc3339
from octt.config import Ordering, RunConfig, load_run_config
from octt.engine.checks import CHECKS
from octt.engine.runner import CsmsUnreachable, Runner, RunSetup, new_run_id
from octt.engine.security import secrets_of
from octt.load.background import BackgroundLoad, BackgroundOptions, figures
from octt.load.text import describe
from octt.operator.factory import make_operator, operator_spec_problem
from octt.pics.model import Pics, Profile, load_pics
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.report.outputs import TRACE_FILE
from octt.report.signature import KeyFileError
from octt.report.terminal import TerminalSink
from octt.result.events import EventBus
from octt.result.result_json import RESULT_FILE, ResultFileSink, write_result
from octt.result.scope import Assessment, assess
from octt.robustness.generator import with_robustness
from octt.validation.schemas import SchemaSet
from octt.yamldoc import DocumentError

__all__ = ["PASSWORD_VARIABLE", "TLS_KEY_PASSWORD_VARIABLE", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--csms",
        metavar="URL",
        help="ws:// or wss:// endpoint of the CSMS (default: start the embedded reference CSMS);"
        " {cp_id} in it is replaced by the charge point id (e.g. ws://host/ocpp/{cp_id}/),"
        " without it the id is appended as the last path segment",
    )
    parser.add_argument("--cp-id", metavar="ID", help="charge point id (default: from the PICS)")
    parser.add_argument("--pics", metavar="FILE", type=Path, help="PICS file")
    parser.add_argument("--config", metavar="FILE", type=Path, help="run configuration file")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="NAME",
        choices=[p.value for p in Profile],
        help="run only this profile (repeatable); robustness (bad input, beyond the OCA cases)"
        " runs only when named",
    )
    parser.add_argument(
        "--test", action="append", default=[], metavar="ID", help="run only this case (repeatable)"
    )
    parser.add_argument(
        "--operator",
        metavar="MODE",
        help="prompt | none | http(s)://trigger-api-base | python:package.module:factory | NAME"
        " (an adapter in the entry-point group octt.operators)",
    )
    parser.add_argument(
        "--operator-timeout", type=float, metavar="S", help="seconds to wait for the CSMS to act"
    )
    parser.add_argument(
        "--security-profile",
        type=int,
        choices=[0, 1, 2, 3],
        help="security profile of the run's connections (the security cases use each profile"
        " the PICS claims)",
    )
    parser.add_argument(
        "--pki",
        metavar="DIR",
        type=Path,
        help="a test PKI made by `octt pki init` (CSMS root, client certificates, {pki.<name>})",
    )
    parser.add_argument(
        "--tls-ca", metavar="FILE", type=Path, help="CSMS root CA(s) to verify the server with"
    )
    parser.add_argument(
        "--tls-client-cert", metavar="FILE", type=Path, help="client certificate (profile 3)"
    )
    parser.add_argument(
        "--tls-client-key",
        metavar="FILE",
        type=Path,
        help=f"its private key (an encrypted one's password from {TLS_KEY_PASSWORD_VARIABLE})",
    )
    parser.add_argument(
        "--no-tls-verify",
        action="store_true",
        help="do NOT verify the CSMS's TLS certificate (shown on the certificate as insecure)",
    )
    parser.add_argument(
        "--report-dir",
        metavar="DIR",
        type=Path,
        help="write reports into DIR (default: reports/<run>)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a signed report in --report-dir (its stale signature.json is removed)",
    )
    parser.add_argument(
        preflight.ALLOW_MISSING_FLAG,
        action="store_true",
        help="run even though the PICS lacks test data some selected cases need: those cases"
        " are reported not_run (and the run earns no certificate)",
    )
    parser.add_argument(
        "--edition",
        choices=[e.value for e in Edition],
        help="the edition of the OCA test case document to follow (default: the latest,"
        f" {LATEST.value}); the certificate names it",
    )
    parser.add_argument(
        "--advisories-fail",
        action="store_true",
        default=None,
        help="make advisories (checks no edition lists, e.g. refusing TLS 1.0) fail their case",
    )
    parser.add_argument(
        "--ordering",
        choices=[o.value for o in Ordering],
        help="order of the messages OCTT lets come either way (default: documented)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        metavar="F",
        help="real seconds per simulated second (default 0.001)",
    )
    parser.add_argument(
        "--reconnect-pause",
        type=float,
        metavar="S",
        help="seconds the charge point waits before reconnecting after a close (default 1.0, 0"
        " against the embedded reference CSMS;"
        " a refused upgrade is retried with back-off until the connect timeout)",
    )
    parser.add_argument(
        "--strict-unexpected-calls",
        action="store_true",
        default=None,
        help="fail a case on any CALL its scenario does not expect (the official tool's"
        " behaviour; default: harmless ones are info, interfering ones fail)",
    )
    parser.add_argument(
        "--real-transfers",
        action=argparse.BooleanOptionalAction,
        help="really download the firmware and upload the diagnostics file when the CSMS gives"
        " an http(s) location (default: on against the embedded reference CSMS, else off)",
    )
    parser.add_argument(
        "--junit", metavar="PATH", type=Path, help="also write junit.xml to PATH (for CI)"
    )
    parser.add_argument(
        "--json", metavar="PATH", type=Path, help="also write result.json to PATH (for CI)"
    )
    parser.add_argument(
        "--background-load",
        type=int,
        default=0,
        metavar="N",
        help="keep N other simulated charge points busy on the CSMS while the cases run"
        " (as octt load; the report states the load and the response times under it)",
    )
    parser.add_argument(
        "--background-think-time",
        type=float,
        default=10.0,
        metavar="S",
        help="mean pause between one background station's CALLs (default 10)",
    )
    add_key_arguments(parser, key_flag="--sign-key", cert_flag="--sign-cert", required=False)


def _background(args: argparse.Namespace) -> BackgroundOptions | None:
    """The background load the flags ask for (ValueError naming the flag)."""
    if args.background_load < 0:
        raise ValueError(f"--background-load must be 0 or more, got {args.background_load}")
    if not args.background_think_time > 0:
        raise ValueError(
            f"--background-think-time must be positive, got {args.background_think_time:g}"
        )
    if args.background_load == 0:
        return None
    return BackgroundOptions(args.background_load, think_time_s=args.background_think_time)


def _config(args: argparse.Namespace, env: Environment) -> RunConfig:
    config = load_run_config(env.cwd / args.config) if args.config else RunConfig()
    config = config.with_overrides(
        csms_url=args.csms,
        cp_id=args.cp_id,
        pics_path=(env.cwd / args.pics) if args.pics else None,
        profiles=tuple(Profile(p) for p in args.profile) or None,
        test_ids=tuple(args.test) or None,
        operator=args.operator,
        operator_timeout_s=args.operator_timeout,
        security_profile=args.security_profile,
        report_dir=(env.cwd / args.report_dir) if args.report_dir else None,
        time_scale=args.time_scale,
        reconnect_pause_s=args.reconnect_pause,
        strict_unexpected_calls=args.strict_unexpected_calls,
        ordering=Ordering(args.ordering) if args.ordering else None,
        edition=Edition(args.edition) if args.edition else None,
        advisories_fail=args.advisories_fail,
        basic_auth_password=env.environ.get(PASSWORD_VARIABLE) or None,
        real_transfers=args.real_transfers,
        pki_dir=(env.cwd / args.pki) if args.pki else None,
        tls_ca_file=(env.cwd / args.tls_ca) if args.tls_ca else None,
        tls_client_cert=(env.cwd / args.tls_client_cert) if args.tls_client_cert else None,
        tls_client_key=(env.cwd / args.tls_client_key) if args.tls_client_key else None,
        tls_client_key_password=env.environ.get(TLS_KEY_PASSWORD_VARIABLE) or None,
        tls_verify=False if args.no_tls_verify else None,
    )
    if config.csms_url is None and args.reconnect_pause is None and config.reconnect_pause_s == 1.0:
        # The embedded reference frees a charge point id the moment its connection closes: a
        # real charger's pause would only slow the self-test (77 cases: about 70 s to 10 s).
        config = replace(config, reconnect_pause_s=0.0)
    return config


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    problems: list[str] = []
    if args.time_scale is not None and not 0 < args.time_scale <= 1:
        problems.append("--time-scale must be in (0, 1]")
    if args.reconnect_pause is not None and not args.reconnect_pause >= 0:
        problems.append("--reconnect-pause must be 0 or more")
    if args.operator_timeout is not None and args.operator_timeout <= 0:
        problems.append("--operator-timeout must be positive")
    background: BackgroundOptions | None = None
    try:
        background = _background(args)
    except ValueError as exc:
        problems.append(str(exc))
    try:
        config = _config(args, env)
    except DocumentError as exc:
        return env.fail(preflight.describe([*problems, str(exc)]))
    if config.operator is not None and (spec := operator_spec_problem(config.operator)):
        problems.append(spec)
    pics = catalog = plan = None
    try:
        pics = load_pics(config.pics_path)
    except DocumentError as exc:
        problems.append(str(exc))
    try:
        # The robustness cases are generated from the schemas; `select` takes them only when
        # asked for (--profile robustness, or --test RB.…).
        catalog = with_robustness(
            for_edition(load_catalog(known_checks=frozenset(CHECKS)), config.edition),
            SchemaSet.load(),
        )
        if pics is not None:
            plan = select(catalog, pics, profiles=config.profiles, test_ids=config.test_ids)
    except (DocumentError, SelectionError) as exc:
        problems.append(str(exc))
    if config.csms_url is not None and not config.csms_url.startswith(("ws://", "wss://")):
        problems.append(f"--csms must be a ws:// or wss:// URL, got {config.csms_url!r}")
    key = None
    try:
        key = signing_key(args, env)  # before the run: a bad key must not cost a run
    except KeyFileError as exc:
        problems.append(str(exc))
    run_id = new_run_id()
    report_dir = _report_dir(config, env, run_id)
    problems += folder_problems(report_dir, overwrite=args.overwrite)
    problems += preflight.check(
        config,
        pics,
        plan,
        explicit_pics=args.pics is not None
        or preflight.config_names_pics(env.cwd / args.config if args.config else None),
        allow_missing_test_data=args.allow_missing_test_data,
    )
    if problems or pics is None or catalog is None or plan is None:
        return env.fail(preflight.describe(problems))
    copies = Copies(
        junit=env.cwd / args.junit if args.junit else None,
        json=env.cwd / args.json if args.json else None,
    )
    started = rfc3339(SystemClock().utc_now())
    evidence = Evidence(
        report_dir, env, empty_result(run_id, config, pics, started), key=key, copies=copies
    )
    try:
        status = asyncio.run(
            _until_stopped(_run(config, pics, catalog, plan, env, evidence, run_id, background))
        )
    except KeyboardInterrupt:
        status = None
    if status is None:
        stopped = evidence.stopped("the run was stopped (Ctrl-C or SIGTERM)")
        env.error_console.print(
            "[yellow]interrupted[/]: result.json holds the cases done so far and the one"
            " interrupted"
            + (f"; the reports in {report_dir} are marked INCOMPLETE" if stopped else ""),
            soft_wrap=True,
        )
        return ExitStatus.FAILED
    return status


async def _until_stopped(run: Coroutine[None, None, ExitStatus]) -> ExitStatus | None:
    """Run `run`; None if it was stopped by Ctrl-C or SIGTERM (both cancel it, so the runner
    records the case it was in before the run ends)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    handled = False
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        # Not on Windows, nor outside the main thread: there SIGTERM keeps its default.
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        handled = True
    try:
        return await run
    except asyncio.CancelledError:
        return None
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGTERM)


@contextlib.asynccontextmanager
async def _csms(config: RunConfig, pics: Pics) -> AsyncIterator[tuple[str, str | None, RunConfig]]:
    """The CSMS URL, a default operator and the run configuration: the given CSMS, or an
    embedded reference CSMS (with TLS and a test PKI of its own when the PICS claims security
    profiles)."""
    if config.csms_url is not None:
        yield config.csms_url, None, config
        return
    from octt.reference.embedded import embedded_reference

    async with embedded_reference(config, pics) as (reference, embedded):
        yield reference.ocpp_url, reference.control_url, embedded


def _report_dir(config: RunConfig, env: Environment, run_id: str) -> Path:
    if config.report_dir is not None:
        return config.report_dir
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return env.cwd / "reports" / f"{stamp}-{run_id}"


async def _run(
    config: RunConfig,
    pics: Pics,
    catalog: Catalog,
    plan: RunPlan,
    env: Environment,
    evidence: Evidence,
    run_id: str,
    background: BackgroundOptions | None = None,
) -> ExitStatus:
    clock = SystemClock()
    async with _csms(config, pics) as (csms_url, default_operator, config):
        mode = config.operator or default_operator or ("prompt" if env.interactive else "none")
        try:
            operator = make_operator(mode, console=env.console, input_stream=env.stdin)
        except ValueError as exc:
            return env.fail(str(exc))
        report_dir = evidence.report_dir
        try:
            evidence.start()
        except OSError as exc:
            return env.fail(f"--report-dir {report_dir}: {exc.strerror or exc}")
        # Every form of the password (as configured, as AuthorizationKey hex, decoded) is masked.
        redactor = Redactor(tuple(secrets_of([config.basic_auth_password])))
        recorder = Recorder(clock, redactor, report_dir / TRACE_FILE)
        bus = EventBus()
        bus.subscribe(TerminalSink(env.console, live=operator.mode != "prompt"))
        bus.subscribe(ResultFileSink(report_dir / RESULT_FILE))
        if config.real_transfers is None:
            # Transfers go to the reference CSMS's own HTTP server on loopback; a CSMS under test
            # gets real transfers only when asked (--real-transfers).
            config = replace(config, real_transfers=config.csms_url is None)
        setup = RunSetup(
            config, pics, catalog, csms_url, operator, clock, bus, recorder, SchemaSet.load()
        )
        load = BackgroundLoad(background, csms_url, pics) if background is not None else None
        runner = Runner(setup, run_id)
        try:
            if load is not None:
                await load.start()  # every station connected (bounded) before the first case
            result = await runner.run(plan)
        except CsmsUnreachable as exc:
            # Nothing lost for CI: result.json, junit.xml and the reports say why (INCOMPLETE).
            reason = f"the CSMS could not be reached: {exc}"
            recorder.close()
            evidence.stopped(reason, runner.result(interrupted=True))
            env.console.print(f"reports (incomplete): {report_dir}")
            return env.fail(reason, ExitStatus.UNREACHABLE)
        finally:
            recorder.close()
            await operator.aclose()
            loaded = await load.stop() if load is not None else None
        if load is not None and loaded is not None:
            # The run's response times were measured under this load: result.json says so.
            under = figures(loaded, load.connected_before_cases)
            result = replace(result, settings={**result.settings, "background_load": under})
            write_result(report_dir / RESULT_FILE, result)
            env.console.print(f"background load: {describe(under)}")
        try:
            evidence.finish(result)
        except OSError as exc:
            return env.fail(f"cannot write the reports: {exc}")
        env.console.print(f"reports: {report_dir}")
        # The exit status is the scope rule's answer, as the terminal and the documents show it.
        return exit_status(assess(result))


def exit_status(assessment: Assessment) -> ExitStatus:
    """0 only for a certificate-style report of conformance (the full claimed scope, passed);
    4 for a partial selection whose every case passed; 1 otherwise."""
    if assessment.certificate:
        return ExitStatus.OK
    return ExitStatus.PARTIAL if assessment.passed else ExitStatus.FAILED
