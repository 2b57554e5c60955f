"""The pre-flight of `octt run`: octt's own configuration gaps are reported before the first
case, all at once, exit 2, and nothing reaches the CSMS (a loopback listener counts every
connection attempt). Reproductions 3 (--csms without --pics) and 4 (security profiles without
their password) of the verdict-integrity issue, missing test data, a silent trigger API."""

from __future__ import annotations

import copy
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cli_support import run_octt as octt

from octt.cli.preflight import (
    ALLOW_MISSING_FLAG,
    PASSWORD_VARIABLE,
    TLS_KEY_PASSWORD_VARIABLE,
    describe,
    secrets,
)
from octt.config import RunConfig
from octt.pics.model import load_pics
from octt.resources import default_pics_path


@dataclass
class Listener:
    url: str
    port: int
    accepted: int = 0


@contextmanager
def csms_listener() -> Iterator[Listener]:
    """A TCP listener on loopback standing in for the CSMS: it only counts connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    port = int(server.getsockname()[1])
    seen = Listener(f"ws://127.0.0.1:{port}", port)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            seen.accepted += 1
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(5)
        server.close()


def write_pics(folder: Path, *, drop: tuple[str, ...] = (), **sections: Any) -> Path:
    """The reference PICS with test-data keys left out and sections replaced, as a file."""
    data = copy.deepcopy(yaml.safe_load(default_pics_path().read_text(encoding="utf-8")))
    for key in drop:
        del data["test_data"][key]
    data.update(sections)
    path = folder / "csms.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# -- reproduction 3: --csms without --pics ------------------------------------------------------


def test_csms_without_pics_is_refused_naming_the_flag(tmp_path: Path) -> None:
    with csms_listener() as csms:
        cli = octt(tmp_path, "run", "--csms", csms.url, "--test", "TC_001_CSMS")
    assert cli.status == 2
    assert cli.stderr.startswith(f"octt: --csms {csms.url} needs --pics FILE"), cli.stderr
    assert csms.accepted == 0
    assert not (tmp_path / "reports").exists()


def test_a_pics_from_the_config_file_counts_as_given(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text(f"pics: {default_pics_path()}\n", encoding="utf-8")
    cli = octt(
        tmp_path,
        *("run", "--config", "run.yaml", "--csms", "ws://127.0.0.1:9", "--test", "TC_001_CSMS"),
    )
    assert cli.status == 3, cli.stderr  # past the pre-flight; nothing listens there


# -- reproduction 4: the secrets of the claimed security profiles --------------------------------


def test_claimed_basic_auth_profiles_need_the_password(tmp_path: Path) -> None:
    pics = write_pics(tmp_path, security={"profiles": [1]})
    with csms_listener() as csms:
        cli = octt(tmp_path, "run", "--csms", csms.url, "--pics", pics.name, "--operator", "none")
    assert cli.status == 2
    assert PASSWORD_VARIABLE in cli.stderr
    assert "security profile 1 connects with HTTP Basic auth" in cli.stderr
    assert "TC_073_CSMS" in cli.stderr and "TC_085_CSMS" in cli.stderr
    assert csms.accepted == 0


def test_with_the_password_the_preflight_passes(tmp_path: Path) -> None:
    pics = write_pics(tmp_path, security={"profiles": [1]})
    cli = octt(
        tmp_path,
        *("run", "--csms", "ws://127.0.0.1:9", "--pics", pics.name, "--operator", "none"),
        environ={PASSWORD_VARIABLE: "a-password"},
    )
    assert cli.status == 3, cli.stderr


def test_tls_profiles_need_a_wss_endpoint_and_a_client_certificate(tmp_path: Path) -> None:
    pics = write_pics(tmp_path, security={"profiles": [2, 3]})
    cli = octt(
        tmp_path,
        *("run", "--csms", "ws://127.0.0.1:9", "--pics", pics.name, "--profile", "security"),
        *("--tls-ca", "no-root.pem"),
        environ={PASSWORD_VARIABLE: "a-password"},
    )
    assert cli.status == 2
    assert "security profile 2 needs a wss:// endpoint" in cli.stderr
    assert "security profile 3 needs a wss:// endpoint" in cli.stderr
    assert f"--tls-ca {tmp_path / 'no-root.pem'}: no such file" in cli.stderr
    assert "security profile 3 needs the charge point's client certificate and key" in cli.stderr


def test_an_encrypted_client_key_needs_its_password(tmp_path: Path) -> None:
    from octt.pki.layout import init_pki

    pki = init_pki(tmp_path / "pki", host="127.0.0.1", cp_id="CP-3", cpo_name="CPO").directory
    pics = load_pics(write_pics(tmp_path, security={"profiles": [3]}))
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((pki / "cp-client.key").read_bytes(), None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"key-secret"),
        )
    )
    config = RunConfig(
        csms_url="wss://127.0.0.1:9",
        pki_dir=pki,
        tls_client_key=encrypted,
        security_profile=3,
    )
    [problem] = secrets(config, pics, None)
    assert TLS_KEY_PASSWORD_VARIABLE in problem
    config = RunConfig(
        csms_url="wss://127.0.0.1:9",
        pki_dir=pki,
        tls_client_key=encrypted,
        tls_client_key_password="key-secret",
        security_profile=3,
    )
    assert secrets(config, pics, None) == []


# -- test data ---------------------------------------------------------------------------------


def test_all_missing_test_data_in_one_message(tmp_path: Path) -> None:
    pics = write_pics(tmp_path, drop=("expired_id_tag", "blocked_id_tag", "local_list_id_tag"))
    cli = octt(
        tmp_path,
        *("run", "--pics", pics.name, "--profile", "core"),
        *("--profile", "local-auth-list-management", "--report-dir", "out"),
    )
    assert cli.status == 2
    assert "lacks test data that 3 selected case(s) need" in cli.stderr
    for key, case in (
        ("expired_id_tag", "TC_023_2_CSMS"),
        ("blocked_id_tag", "TC_023_3_CSMS"),
        ("local_list_id_tag", "TC_043_5_CSMS"),
    ):
        assert f"test_data.{key}: needed by {case}" in cli.stderr
    assert ALLOW_MISSING_FLAG in cli.stderr
    assert not (tmp_path / "out").exists()


def test_missing_test_data_of_unselected_cases_does_not_matter(tmp_path: Path) -> None:
    pics = write_pics(tmp_path, drop=("expired_id_tag",))
    cli = octt(tmp_path, "run", "--pics", pics.name, "--test", "TC_001_CSMS", "--report-dir", "out")
    assert cli.status == 4, cli.stderr  # every selected case passed; partial scope


# -- the trigger API ----------------------------------------------------------------------------


@contextmanager
def http_server() -> Iterator[str]:
    """An HTTP server on loopback that answers 404 to everything: it answers."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(5)


def test_a_trigger_api_that_does_not_answer(tmp_path: Path) -> None:
    with csms_listener() as closed:
        pass  # a port nothing listens on any more
    with csms_listener() as csms:
        cli = octt(
            tmp_path,
            *("run", "--csms", csms.url, "--pics", str(default_pics_path())),
            *("--test", "TC_001_CSMS", "--operator", f"http://127.0.0.1:{closed.port}"),
        )
    assert cli.status == 2
    assert f"--operator http://127.0.0.1:{closed.port}: the trigger API does not answer" in (
        cli.stderr
    )
    assert csms.accepted == 0


def test_a_trigger_api_that_answers_anything_passes(tmp_path: Path) -> None:
    with http_server() as api:
        cli = octt(
            tmp_path,
            *("run", "--csms", "ws://127.0.0.1:9", "--pics", str(default_pics_path())),
            *("--test", "TC_001_CSMS", "--operator", api),
        )
    assert cli.status == 3, cli.stderr


# -- all at once ---------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with csms_listener() as csms:
        cli = octt(
            tmp_path,
            *("run", "--csms", csms.url, "--time-scale", "2", "--test", "TC_023_2_CSMS"),
            *("--security-profile", "1", "--sign-key", "no.key"),
        )
    assert cli.status == 2
    lines = cli.stderr.splitlines()
    assert lines[0] == (
        "octt: 4 problems stop the run before it starts (nothing was sent to the CSMS):"
    )
    problems = [line for line in lines if line.startswith("  - ")]
    assert [p.split(" ")[3] for p in problems] == [
        "--time-scale",
        f"{tmp_path}/no.key:",
        "--csms",
        "security",
    ]
    assert csms.accepted == 0


def test_one_problem_is_one_line() -> None:
    assert describe(["--x is wrong"]) == "--x is wrong"


def test_allowed_missing_test_data_runs_the_rest_and_reports_not_run(tmp_path: Path) -> None:
    pics = write_pics(tmp_path, drop=("expired_id_tag",))
    cli = octt(
        tmp_path,
        *("run", "--pics", pics.name, "--test", "TC_001_CSMS", "--test", "TC_023_2_CSMS"),
        *("--report-dir", "out", ALLOW_MISSING_FLAG),
    )
    assert cli.status == 1, cli.stdout + cli.stderr  # not the full claimed scope: no pass
    assert "1 not run (missing test data)" in cli.stdout
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    first, expired = result["cases"]
    assert first["verdict"] == "pass"
    assert expired["verdict"] == "not_run"  # not not_applicable: the PICS claims Core
    assert expired["missing_test_data"] == ["test_data.expired_id_tag"]
    assert expired["reason"] == "missing PICS test data: test_data.expired_id_tag"
    [core] = result["profiles"]
    assert core["verdict"] != "pass"
    assert result["verdict"] == "fail"
    junit = (tmp_path / "out" / "junit.xml").read_text(encoding="utf-8")
    assert (
        '<error message="missing PICS test data: test_data.expired_id_tag" type="not_run" />'
        in junit
    )
