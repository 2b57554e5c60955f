"""octt and the reference CSMS as separate processes, talking over loopback sockets only.

`octt reference-csms --port 0 --control-port 0` is started once for the module; `octt run`
reaches it as any CSMS: OCPP over WebSocket, the operator through the HTTP trigger API. A
mutating WebSocket proxy placed between the two then proves that octt judges what arrives on
the wire: an Authorize.conf rewritten from Accepted to Invalid must fail TC_003_CSMS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

REPO = Path(__file__).resolve().parents[2]
PICS = "pics/reference-csms.yaml"
CORE_CASES = 34
OCPP16 = Subprotocol("ocpp1.6")
#: How long the reference CSMS may take to print its URLs (a Python start-up and two binds).
STARTUP_DEADLINE_S = 15.0
#: How long one `octt run` subprocess may take (the full Core profile runs in ~2 s).
RUN_DEADLINE_S = 60.0
#: SIGTERM, then this long to exit, then SIGKILL.
STOP_DEADLINE_S = 5.0
OCPP_LINE = re.compile(r"OCPP:\s+(ws://127\.0\.0\.1:\d+)/")
CONTROL_LINE = re.compile(r"trigger API:\s+(http://127\.0\.0\.1:\d+)/api/octt/")


def octt_command() -> list[str]:
    """The installed `octt` script of this interpreter's environment, else `python -m octt`."""
    script = Path(sys.executable).parent / "octt"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "octt"]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["COLUMNS"] = "200"  # keep rich from wrapping the lines we parse
    env.pop("NO_COLOR", None)
    return env


def stop(process: subprocess.Popen[str]) -> int:
    """SIGTERM, wait, then SIGKILL: the process is gone when this returns."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_DEADLINE_S)
    return process.returncode


def _pump(stream: TextIO, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@dataclass
class ReferenceProcess:
    process: subprocess.Popen[str]
    ocpp_url: str
    control_url: str
    log: Path
    output: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferenceProcess]:
    log = tmp_path_factory.mktemp("reference") / "stderr.log"
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [*octt_command(), "reference-csms", "--port", "0", "--control-port", "0"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=child_env(),
        )
    try:
        assert process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        output: list[str] = []
        ocpp = control = None
        until = time.monotonic() + STARTUP_DEADLINE_S
        while ocpp is None or control is None:
            remaining = until - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no URLs within {STARTUP_DEADLINE_S} s: {output} {log.read_text()}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"reference CSMS exited: {output} {log.read_text()}")
            output.append(line)
            if match := OCPP_LINE.search(line):
                ocpp = match.group(1)
            if match := CONTROL_LINE.search(line):
                control = match.group(1)
        yield ReferenceProcess(process, ocpp, control, log, output)
    finally:
        status = stop(process)
    # Graceful shutdown on SIGTERM (the CLI turns it into a clean exit).
    assert status == 0, f"reference CSMS exited {status}: {log.read_text()}"


def octt_run(
    reference: ReferenceProcess, csms_url: str, report_dir: Path, *extra: str
) -> list[str]:
    return [
        *octt_command(), "run",
        "--csms", csms_url,
        "--operator", reference.control_url,
        "--pics", PICS,
        "--report-dir", str(report_dir),
        # The reference frees a charge point id at once: a real charger's 1 s pause only slows.
        "--reconnect-pause", "0.001",
        *extra,
    ]  # fmt: skip


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_full_core_profile_in_a_separate_process(
    reference: ReferenceProcess, tmp_path: Path
) -> None:
    out = tmp_path / "core"
    command = octt_run(reference, reference.ocpp_url, out, "--profile", "core")
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=RUN_DEADLINE_S, env=child_env()
    )
    assert done.returncode == 4, done.stdout + done.stderr  # Core passed; the PICS claims more
    result = read_json(out / "result.json")
    verdicts = [c["verdict"] for c in result["cases"]]
    assert verdicts == ["pass"] * CORE_CASES, [
        (c["id"], c["verdict"], c["reason"]) for c in result["cases"] if c["verdict"] != "pass"
    ]
    assert result["verdict"] == "pass"
    assert result["csms_url"] == reference.ocpp_url
    assert result["settings"]["operator"] != "none"
    assert (out / "junit.xml").is_file() and (out / "trace.jsonl").is_file()
    # Operator cases really went through the trigger API: the CSMS sent the CALLs.
    trace = [json.loads(line) for line in (out / "trace.jsonl").read_text("utf-8").splitlines()]
    from_csms = [json.loads(r["text"]) for r in trace if r.get("dir") == "csms->cp"]
    assert any(f[0] == 2 and f[2] == "RemoteStartTransaction" for f in from_csms)


# -- a mutating proxy ------------------------------------------------------------------------

Rewrite = Callable[[list[Any], str | None], list[Any] | None]


@dataclass
class MutatingProxy:
    """A WebSocket proxy that may rewrite CSMS→CP frames. `rewrite(frame, action)` gets a parsed
    frame from the CSMS and, for a CALLRESULT, the action of the CALL it answers; it returns
    the frame to forward instead, or None to forward the original text unchanged."""

    upstream: str
    rewrite: Rewrite
    mutated: list[tuple[str, str]] = field(default_factory=list)  # (original, forwarded)
    connections: int = 0

    async def handler(self, client: ServerConnection) -> None:
        self.connections += 1
        path = client.request.path if client.request is not None else "/"
        calls: dict[str, str] = {}  # unique id -> action, of the CALLs the CP sent
        async with connect(
            self.upstream + path, subprotocols=[OCPP16], ping_interval=None, proxy=None
        ) as csms:

            async def cp_to_csms() -> None:
                async for message in client:
                    with contextlib.suppress(ValueError, IndexError, TypeError):
                        frame = json.loads(message)
                        if frame[0] == 2:
                            calls[frame[1]] = frame[2]
                    await csms.send(message)

            async def csms_to_cp() -> None:
                async for message in csms:
                    assert isinstance(message, str)
                    frame = json.loads(message)
                    action = calls.get(frame[1]) if frame[0] == 3 else None
                    changed = self.rewrite(frame, action)
                    if changed is not None:
                        forwarded = json.dumps(changed, separators=(",", ":"))
                        self.mutated.append((message, forwarded))
                        message = forwarded
                    await client.send(message)

            tasks = [asyncio.create_task(cp_to_csms()), asyncio.create_task(csms_to_cp())]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                        await task
        await client.close()


def authorize_invalid(frame: list[Any], action: str | None) -> list[Any] | None:
    if action != "Authorize":
        return None
    info = frame[2].get("idTagInfo", {})
    if info.get("status") != "Accepted":
        return None
    return [frame[0], frame[1], {**frame[2], "idTagInfo": {**info, "status": "Invalid"}}]


def unchanged(frame: list[Any], action: str | None) -> list[Any] | None:
    return None


@dataclass
class ProxiedRun:
    returncode: int
    output: str
    result: dict[str, Any]
    trace: list[dict[str, Any]]
    proxy: MutatingProxy


def run_through_proxy(
    reference: ReferenceProcess, rewrite: Rewrite, out: Path, test_id: str
) -> ProxiedRun:
    proxy = MutatingProxy(reference.ocpp_url, rewrite)

    async def main() -> tuple[int, str]:
        async with serve(
            proxy.handler, "127.0.0.1", 0, subprotocols=[OCPP16], ping_interval=None
        ) as server:
            port = server.sockets[0].getsockname()[1]
            command = octt_run(reference, f"ws://127.0.0.1:{port}", out, "--test", test_id)
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=REPO,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=child_env(),
            )
            try:
                stdout, _ = await asyncio.wait_for(process.communicate(), RUN_DEADLINE_S)
            finally:
                if process.returncode is None:
                    process.terminate()
                    try:
                        await asyncio.wait_for(process.wait(), STOP_DEADLINE_S)
                    except TimeoutError:
                        process.kill()
                        await process.wait()
            assert process.returncode is not None
            return process.returncode, stdout.decode("utf-8", "replace")

    returncode, output = asyncio.run(main())
    result = read_json(out / "result.json")
    trace = [json.loads(line) for line in (out / "trace.jsonl").read_text("utf-8").splitlines()]
    return ProxiedRun(returncode, output, result, trace, proxy)


def test_transparent_proxy_changes_nothing(reference: ReferenceProcess, tmp_path: Path) -> None:
    run = run_through_proxy(reference, unchanged, tmp_path / "plain", "TC_003_CSMS")
    assert run.returncode == 4, run.output
    assert [(c["id"], c["verdict"]) for c in run.result["cases"]] == [("TC_003_CSMS", "pass")]
    assert run.proxy.connections >= 2  # the reachability probe and the case
    assert run.proxy.mutated == []


def test_rewritten_authorize_conf_fails_tc_003(reference: ReferenceProcess, tmp_path: Path) -> None:
    run = run_through_proxy(reference, authorize_invalid, tmp_path / "mutated", "TC_003_CSMS")
    assert run.returncode == 1, run.output
    [case] = run.result["cases"]
    assert case["id"] == "TC_003_CSMS"
    assert case["verdict"] == "fail", case
    assert run.result["verdict"] == "fail"
    [finding] = [f for f in case["findings"] if f["rule"] == "expect.Authorize.idTagInfo.status"]
    assert finding["severity"] == "error"
    assert "Invalid" in finding["message"]
    assert "Invalid" in case["reason"]

    # The proxy rewrote exactly the Authorize.conf, and octt judged the frame it received.
    [(original, forwarded)] = run.proxy.mutated
    assert json.loads(original)[2]["idTagInfo"]["status"] == "Accepted"
    received = {r["seq"]: r for r in run.trace if r.get("dir") == "csms->cp"}
    cited = [received[seq]["text"] for seq in finding["frames"] if seq in received]
    assert cited == [forwarded]
