"""The CI examples (examples/ci): their YAML parses, and their commands — start the CSMS,
`octt operator check`, `octt run` with junit.xml and a report folder — run as written (with
free ports in place of the fixed ones) and pass against the example Acme CSMS. Only the
`pip install` of octt itself is left out: octt is installed already."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def _workspace(tmp_path: Path) -> Path:
    """A checkout-like folder with examples/ in it."""
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _environment(variables: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ, **{k: str(v) for k, v in variables.items()}}
    env["OCPP_PORT"], env["API_PORT"] = _free_port(), _free_port()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # octt's own venv
    return env


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        start_new_session=True,
    )


def _stop_csms(cwd: Path) -> None:
    pid_file = cwd / "csms.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def _check_outputs(cwd: Path) -> None:
    junit = ET.parse(cwd / "junit.xml").getroot()
    cases = junit.findall(".//testcase")
    assert not junit.findall(".//failure") and not junit.findall(".//error")
    passed = [c for c in cases if c.find("skipped") is None]
    assert len(passed) == 34  # every Core case; the other profiles' are not applicable
    assert (cwd / "reports" / "ci" / "result.json").is_file()
    assert (cwd / "reports" / "ci" / "report.html").is_file()


def _without_a_chargers_pause(command: str) -> str:
    """The command as written, except the reconnect pause of a real charger (1 s), which only
    slows the test: Acme frees a charge point id as soon as its connection closes."""
    return command.replace("octt run ", "octt run --reconnect-pause 0.001 ")


def _installs_octt(command: str) -> bool:
    return command.strip().startswith("pip install")


def test_github_actions_job(tmp_path: Path) -> None:
    workflow = yaml.safe_load((EXAMPLES / "ci" / "github-actions.yml").read_text("utf-8"))
    job = workflow["jobs"]["conformance"]
    uses = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert {"actions/upload-artifact", "mikepenz/action-junit-report"} <= set(uses)
    cwd = _workspace(tmp_path)
    env = _environment(job["env"])
    ran = 0
    try:
        for step in job["steps"]:
            if "run" not in step or _installs_octt(step["run"]):
                continue
            step_env = {
                **env,
                **{
                    name: re.sub(r"\$\{\{ env\.(\w+) \}\}", lambda m: env[m.group(1)], str(v))
                    for name, v in step.get("env", {}).items()
                },
            }
            result = _run(_without_a_chargers_pause(step["run"]), cwd, step_env)
            assert result.returncode == 0, (step["name"], result.stdout, result.stderr)
            ran += 1
    finally:
        _stop_csms(cwd)
    assert ran == 3
    _check_outputs(cwd)
    artifact = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload"))
    assert (cwd / artifact["with"]["path"]).is_dir()


def test_gitlab_ci_job(tmp_path: Path) -> None:
    pipeline = yaml.safe_load((EXAMPLES / "ci" / "gitlab-ci.yml").read_text("utf-8"))
    job = pipeline["octt-conformance"]
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == "junit.xml"
    cwd = _workspace(tmp_path)
    env = _environment(job["variables"])
    script = "\n".join(line for line in job["script"] if not _installs_octt(line))
    try:
        result = _run(_without_a_chargers_pause(script), cwd, env)
    finally:
        _stop_csms(cwd)
    assert result.returncode == 0, (result.stdout, result.stderr)
    _check_outputs(cwd)
    assert all((cwd / path).is_dir() for path in job["artifacts"]["paths"])
