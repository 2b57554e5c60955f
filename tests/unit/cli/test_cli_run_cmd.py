"""`octt run` argument handling: flags and config file into a RunConfig, the Basic-auth password
from the environment (required for security profiles 1 and 2, never printed), unreachable CSMS
(exit 3), report folders. No full case runs here (tests/integration/test_cli_run.py has those);
CSMS endpoints are loopback ports with nothing, or a refusing server, behind them."""

from __future__ import annotations

import base64
import io
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from cli_support import run_octt as octt
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection, serve

from octt.cli import build_parser
from octt.cli.env import Environment
from octt.cli.run_cmd import PASSWORD_VARIABLE, _config
from octt.config import Ordering, RunConfig
from octt.pics.model import Profile
from octt.resources import default_pics_path

PASSWORD = "pw-Zebra-4711"
#: A CSMS under test needs its own PICS (--pics); here the reference CSMS's, named explicitly,
#: and one Core case (no security case: no secrets of the claimed security profiles needed).
PICS = ("--pics", str(default_pics_path()), "--test", "TC_001_CSMS")


def config_of(cwd: Path, *argv: str, environ: dict[str, str] | None = None) -> RunConfig:
    args = build_parser().parse_args(["run", *argv])
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), cwd=cwd, environ=environ or {})
    return _config(args, env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def every_file_text(folder: Path) -> str:
    """Every file's text; for the certificate PDF, also the text on its pages."""
    texts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        texts.append(path.read_bytes().decode("utf-8", errors="replace"))
        if path.suffix == ".pdf":
            document = pdfium.PdfDocument(path)
            try:
                texts += [page.get_textpage().get_text_range() for page in document]
            finally:
                document.close()
    return "".join(texts)


# -- flags and config file into RunConfig ------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    config = config_of(tmp_path)
    # Against the embedded reference (it frees a charge point id at once) octt does not pause.
    assert config == replace(RunConfig(), reconnect_pause_s=0.0)
    assert config.pics_path == default_pics_path()


def test_flags_reach_the_config(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        *("--csms", "ws://csms.example/ocpp", "--cp-id", "CP-9", "--pics", "p/pics.yaml"),
        *("--profile", "core", "--profile", "reservation", "--test", "TC_001_CSMS"),
        *("--operator", "none", "--operator-timeout", "7.5", "--security-profile", "1"),
        *("--report-dir", "out", "--ordering", "swapped", "--time-scale", "0.25"),
        environ={PASSWORD_VARIABLE: PASSWORD},
    )
    assert config.csms_url == "ws://csms.example/ocpp"
    assert config.cp_id == "CP-9"
    assert config.pics_path == tmp_path / "p/pics.yaml"
    assert config.profiles == (Profile.CORE, Profile.RESERVATION)
    assert config.test_ids == ("TC_001_CSMS",)
    assert (config.operator, config.operator_timeout_s) == ("none", 7.5)
    assert config.security_profile == 1
    assert config.report_dir == tmp_path / "out"
    assert (config.ordering, config.time_scale) == (Ordering.SWAPPED, 0.25)
    assert config.basic_auth_password == PASSWORD
    assert PASSWORD not in repr(config)


def test_interoperability_flags_reach_the_config(tmp_path: Path) -> None:
    config = config_of(tmp_path, "--reconnect-pause", "0.25", "--strict-unexpected-calls")
    assert (config.reconnect_pause_s, config.strict_unexpected_calls) == (0.25, True)
    default = config_of(tmp_path, "--csms", "ws://csms.example/ocpp")
    assert (default.reconnect_pause_s, default.strict_unexpected_calls) == (1.0, False)
    assert config_of(tmp_path).reconnect_pause_s == 0.0  # the embedded reference


def test_a_negative_reconnect_pause_is_a_usage_error(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--reconnect-pause", "-1")
    assert cli.status == 2
    assert "--reconnect-pause" in cli.stderr


def test_help_says_where_the_charge_point_id_goes(tmp_path: Path) -> None:
    parser = build_parser()
    run = next(
        action.choices["run"]
        for action in parser._actions
        if isinstance(action.choices, dict) and "run" in action.choices
    )
    text = " ".join(run.format_help().split())
    assert "{cp_id}" in text and "appended" in text


def test_empty_password_variable_means_no_password(tmp_path: Path) -> None:
    assert config_of(tmp_path, environ={PASSWORD_VARIABLE: ""}).basic_auth_password is None


def test_flags_override_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text(
        "csms_url: ws://from-file/\ntime_scale: 0.5\nordering: swapped\ncp_id: FILE-CP\n",
        encoding="utf-8",
    )
    config = config_of(tmp_path, "--config", "run.yaml", "--time-scale", "0.1")
    assert config.csms_url == "ws://from-file/"
    assert config.cp_id == "FILE-CP"
    assert config.time_scale == 0.1
    assert config.ordering is Ordering.SWAPPED


def test_config_file_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text("cp_id: ok\ntime_scale: 5\n", encoding="utf-8")
    cli = octt(tmp_path, "run", "--config", "run.yaml")
    assert cli.status == 2
    assert cli.stderr.startswith(f"octt: {tmp_path / 'run.yaml'}:2:"), cli.stderr


@pytest.mark.parametrize("value", ["0", "-1", "1.5"])
def test_time_scale_must_be_in_the_unit_interval(tmp_path: Path, value: str) -> None:
    cli = octt(tmp_path, "run", "--time-scale", value)
    assert (cli.status, cli.stderr) == (2, "octt: --time-scale must be in (0, 1]\n")


# -- the Basic-auth password -------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["1", "2"])
def test_security_profile_needs_the_password_variable(tmp_path: Path, profile: str) -> None:
    cli = octt(tmp_path, "run", "--security-profile", profile, "--report-dir", "out")
    assert cli.status == 2
    assert f"--security-profile {profile}" in cli.stderr
    assert PASSWORD_VARIABLE in cli.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "reports").exists()


def test_password_from_the_config_file_is_enough(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text(
        f"basic_auth_password: {PASSWORD}\nsecurity_profile: 1\n", encoding="utf-8"
    )
    url = f"ws://127.0.0.1:{free_port()}"
    cli = octt(tmp_path, "run", "--config", "run.yaml", "--csms", url, *PICS, "--report-dir", "out")
    assert cli.status == 3, cli.stderr  # past the password check, then nothing listens
    assert PASSWORD not in cli.stdout + cli.stderr + every_file_text(tmp_path / "out")


@dataclass
class Refusing:
    url: str
    paths: list[str] = field(default_factory=list)
    headers: list[Headers] = field(default_factory=list)


@contextmanager
def refusing_server(status: int) -> Iterator[Refusing]:
    """A WebSocket server in a thread that answers every upgrade with HTTP `status`."""
    seen = Refusing("")

    def refuse(connection: ServerConnection, request: Request) -> Response:
        seen.paths.append(request.path)
        seen.headers.append(request.headers)
        return connection.respond(status, "no\n")

    def handler(ws: ServerConnection) -> None:
        ws.close()

    with serve(handler, "127.0.0.1", 0, process_request=refuse) as server:
        seen.url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield seen
        finally:
            server.shutdown()
            thread.join(5)


def test_password_is_sent_but_never_printed_or_written(tmp_path: Path) -> None:
    with refusing_server(401) as csms:
        cli = octt(
            tmp_path,
            *("run", "--csms", csms.url, *PICS, "--cp-id", "MY-CP", "--security-profile", "1"),
            *("--test", "TC_001_CSMS", "--operator", "none", "--report-dir", "out"),
            environ={PASSWORD_VARIABLE: PASSWORD},
        )
    assert cli.status == 1, cli.stdout + cli.stderr  # the case fails: the CSMS refuses us
    assert csms.paths and set(csms.paths) == {"/MY-CP"}
    expected = "Basic " + base64.b64encode(f"MY-CP:{PASSWORD}".encode()).decode()
    assert {h["Authorization"] for h in csms.headers} == {expected}
    out = tmp_path / "out"
    assert PASSWORD not in cli.stdout + cli.stderr
    assert PASSWORD not in every_file_text(out)
    assert base64.b64encode(f"MY-CP:{PASSWORD}".encode()).decode() not in every_file_text(out)
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["security_profile"] == 1
    [case] = result["cases"]
    assert case["verdict"] == "fail"
    assert "HTTP 401" in case["reason"]
    assert "note: reachability probe: " in cli.stdout


# -- reaching the CSMS and report folders --------------------------------------------------------


def test_nothing_listening_exits_3(tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    cli = octt(tmp_path, "run", "--csms", url, *PICS)
    assert cli.status == 3
    assert cli.stderr.startswith("octt: the CSMS could not be reached: cannot connect to ")
    assert f"{url}/OCTT-CP-001" in cli.stderr
    # Not interactive and no trigger API: the operator defaults to `none`.
    assert cli.stdout.startswith(f"octt 1 case(s), 1 applicable — CSMS {url}, operator none")
    # The default report folder is reports/<UTC stamp>-<run id>, with the trace of the attempt.
    [folder] = (tmp_path / "reports").iterdir()
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{12}", folder.name), folder.name
    trace = [json.loads(line) for line in (folder / "trace.jsonl").read_text().splitlines()]
    assert [r["event"] for r in trace] == ["connect-failed"]
    # Nothing lost for CI: the result and junit.xml say the run is incomplete, and why.
    result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    assert (result["interrupted"], result["verdict"], result["cases"]) == (True, "fail", [])
    assert result["stop_reason"].startswith("the CSMS could not be reached: cannot connect to ")
    junit = (folder / "junit.xml").read_text(encoding="utf-8")
    assert 'type="incomplete"' in junit and "could not be reached" in junit
    assert "INCOMPLETE" in (folder / "certificate.html").read_text(encoding="utf-8")


def test_csms_url_with_a_bad_port_does_not_crash(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--csms", "ws://127.0.0.1:99999", *PICS)
    assert cli.status in (2, 3)
    assert "99999" in cli.stderr


def test_report_dir_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    url = f"ws://127.0.0.1:{free_port()}"
    cli = octt(tmp_path, "run", "--csms", url, *PICS, "--operator", "none", "--report-dir", "taken")
    assert cli.status == 2
    assert cli.stderr.startswith(f"octt: --report-dir {tmp_path / 'taken'}: ")


def test_an_unusable_signing_key_is_refused_before_the_run(tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    cli = octt(tmp_path, "run", "--csms", url, *PICS, "--report-dir", "out", "--sign-key", "no.key")
    assert cli.status == 2  # not 3: nothing was tried
    assert cli.stderr == f"octt: {tmp_path / 'no.key'}: no such key file\n"
    assert not (tmp_path / "out").exists()
    cli = octt(tmp_path, "run", "--csms", url, *PICS, "--sign-cert", "lab.crt")
    assert (cli.status, cli.stderr) == (2, "octt: a certificate needs its private key too\n")


def test_ci_copy_flags_reach_the_parser() -> None:
    args = build_parser().parse_args(["run", "--junit", "ci/j.xml", "--json", "ci/r.json"])
    assert (args.junit, args.json) == (Path("ci/j.xml"), Path("ci/r.json"))
    assert (args.sign_key, args.sign_cert) == (None, None)


def test_tls_flags_and_the_key_password_from_the_environment(tmp_path: Path) -> None:
    config = config_of(
        tmp_path,
        "--pki",
        "pki",
        "--tls-ca",
        "root.pem",
        "--tls-client-cert",
        "cp.pem",
        "--tls-client-key",
        "cp.key",
        "--no-tls-verify",
        environ={"OCTT_TLS_CLIENT_KEY_PASSWORD": "key-secret"},
    )
    assert config.pki_dir == tmp_path / "pki"
    assert config.tls_ca_file == tmp_path / "root.pem"
    assert (config.tls_client_cert, config.tls_client_key) == (
        tmp_path / "cp.pem",
        tmp_path / "cp.key",
    )
    assert config.tls_client_key_password == "key-secret" and config.tls_verify is False
    assert "key-secret" not in repr(config)
    assert config_of(tmp_path).tls_verify is True


def test_an_operator_adapter_that_cannot_be_built_stops_the_run_before_it_starts(
    tmp_path: Path,
) -> None:
    cli = octt(tmp_path, "run", "--operator", "python:no_such_adapter_mod:make", "--test",
               "TC_001_CSMS", "--report-dir", "out")  # fmt: skip
    assert cli.status == 2
    assert "--operator 'python:no_such_adapter_mod:make': cannot import no_such_adapter_mod" in (
        cli.stderr
    )
    assert not (tmp_path / "out").exists()
