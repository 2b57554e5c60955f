"""`octt reference-csms`: argument handling (fault list, unknown faults, files, ports); serving
itself is covered by the integration tests that start it as a separate process."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from octt.cli import main
from octt.cli.env import Environment
from octt.reference.faults import Fault, describe


def octt(cwd: Path, *argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ={})
    env.console.width = 200
    status = main(list(argv), env=env)
    return status, stdout.getvalue(), stderr.getvalue()


def test_list_faults(tmp_path: Path) -> None:
    status, stdout, stderr = octt(tmp_path, "reference-csms", "--list-faults")
    assert status == 0, stderr
    lines = stdout.splitlines()
    assert lines == [f"{fault.value}  {describe(fault)}" for fault in Fault]
    assert len(lines) == len(Fault) >= 30


def test_list_quirks(tmp_path: Path) -> None:
    from octt.reference.quirks import Quirk
    from octt.reference.quirks import describe as describe_quirk

    status, stdout, stderr = octt(tmp_path, "reference-csms", "--list-quirks")
    assert status == 0, stderr
    assert stdout.splitlines() == [f"{q.value}  {describe_quirk(q)}" for q in Quirk]


def test_unknown_quirk_is_a_usage_error(tmp_path: Path) -> None:
    status, _, stderr = octt(tmp_path, "reference-csms", "--quirk", "nope")
    assert status == 2
    assert "--quirk" in stderr and "nope" in stderr


def test_list_faults_ignores_the_other_options(tmp_path: Path) -> None:
    status, stdout, _ = octt(tmp_path, "reference-csms", "--list-faults", "--fault", "nope")
    assert status == 0
    assert "boot-rejected" in stdout


def test_unknown_fault_is_a_usage_error(tmp_path: Path) -> None:
    status, stdout, stderr = octt(
        tmp_path, "reference-csms", "--fault", "boot-rejected", "--fault", "nope"
    )
    assert status == 2
    assert stderr.startswith("octt: --fault: ")
    assert "'nope'" in stderr
    assert "boot-rejected" in stderr  # the valid names are listed
    assert stdout == ""


def test_missing_pics_is_a_usage_error(tmp_path: Path) -> None:
    status, _, stderr = octt(tmp_path, "reference-csms", "--pics", "nowhere.yaml")
    assert status == 2
    assert stderr == f"octt: --pics {tmp_path / 'nowhere.yaml'}: no such file\n"


def test_port_in_use_cannot_be_served(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, stdout, stderr = octt(tmp_path, "reference-csms", "--port", str(port))
    assert status == 2
    assert stderr.startswith("octt: cannot serve: ")
    assert "OCPP:" not in stdout  # it never became ready


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--control-port", "-1"]])
def test_port_out_of_range_is_a_usage_error(tmp_path: Path, argv: list[str]) -> None:
    status, _, stderr = octt(tmp_path, "reference-csms", *argv)
    assert status == 2
    assert argv[0] in stderr


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--pki", "missing"], "--pki"),
        (["--tls-cert", "a.pem"], "--tls-cert and --tls-key come in pairs"),
        (["--tls-cert", "a.pem", "--tls-key", "a.key"], "a.pem: no such file"),
        (["--tls-port", "70000"], "--tls-port 70000"),
    ],
)
def test_tls_flags_are_checked(tmp_path: Path, argv: list[str], fragment: str) -> None:
    status, _, stderr = octt(tmp_path, "reference-csms", *argv)
    assert status == 2 and fragment in stderr, stderr


def test_signing_ca_files_come_together(tmp_path: Path) -> None:
    for name in ("a.pem", "a.key", "ca.pem"):
        (tmp_path / name).write_text("x")
    argv = ["--tls-cert", "a.pem", "--tls-key", "a.key", "--signing-ca-cert", "ca.pem"]
    status, _, stderr = octt(tmp_path, "reference-csms", *argv)
    assert status == 2 and "--signing-ca-cert and --signing-ca-key" in stderr
