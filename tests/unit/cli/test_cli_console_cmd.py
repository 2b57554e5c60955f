"""`octt console`: the bind address rule (exit 2 without a token), the token over real HTTP on
127.0.0.1, and a clean stop on SIGTERM."""

from __future__ import annotations

import io
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from octt.cli import main
from octt.cli.env import Environment

REPO = Path(__file__).resolve().parents[3]
DEADLINE_S = 20.0


def octt(cwd: Path, *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ=environ or {}
    )
    status = main(list(argv), env=env)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "lab-pc.example"])
def test_a_bind_address_other_than_loopback_needs_a_token(tmp_path: Path, host: str) -> None:
    status, stdout, stderr = octt(tmp_path, "console", "--host", host, "--port", "0")
    assert status == 2
    assert stderr.startswith(f"octt: --host {host} is not a loopback address: give a token")
    assert "OCTT_CONSOLE_TOKEN" in stderr
    assert stdout == ""


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, _, stderr = octt(tmp_path, "console", "--port", str(port))
    assert status == 2
    assert stderr.startswith(f"octt: cannot serve on 127.0.0.1:{port}: ")


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=DEADLINE_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_with_a_token_a_request_without_it_is_refused(tmp_path: Path) -> None:
    environ = {**os.environ, "OCTT_CONSOLE_TOKEN": "lab-token-7"}
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO), environ.get("PYTHONPATH", "")])
    process = subprocess.Popen(
        [sys.executable, "-m", "octt", "console", "--port", "0", "--reports", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=environ,
    )
    try:
        assert process.stdout is not None
        output = b""
        deadline = time.monotonic() + DEADLINE_S
        while (found := re.search(rb"octt console: (http://127\.0\.0\.1:\d+/)", output)) is None:
            remaining = deadline - time.monotonic()
            assert remaining > 0 and process.poll() is None, output.decode()
            ready, _, _ = select.select([process.stdout], [], [], min(remaining, 0.2))
            if ready:
                output += os.read(process.stdout.fileno(), 65536)
        url = found.group(1).decode()
        assert status_of(url) == 401
        assert status_of(url + "history") == 401
        assert status_of(url, {"Authorization": "Bearer wrong"}) == 401
        assert status_of(url + "history", {"Authorization": "Bearer lab-token-7"}) == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=DEADLINE_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
