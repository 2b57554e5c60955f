"""`octt run --profile security` against the embedded reference CSMS over the real security
profiles, through the command line: every case passes, result.json carries the TLS facts and
matches its schema, the certificate's SEC-1..3 come from the run — and no password, no
AuthorizationKey and no private key appears in any file the run writes or in the logs."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from security_support import session_pki

from octt.cli import main
from octt.cli.env import Environment
from octt.pki.layout import Item
from octt.reference import security as reference_security
from octt.report.certificate import Outcome, build_certificate
from octt.resources import schema_path
from octt.result.load import load_result

PASSWORD = "Secret-Passw0rd-1234"  # 20 characters: plain text by the AuthorizationKey rule
#: The password the reference CSMS hands out in TC_073 (patched to be known to the test).
NEW_PASSWORD = b"new-secret-password!"
NEW_KEY = NEW_PASSWORD.hex().upper()


@dataclass(frozen=True)
class SecurityRun:
    status: int
    stdout: str
    out: Path
    logs: str


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def security_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecurityRun]:
    cwd = tmp_path_factory.mktemp("security-run")
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(),
        stdout=stdout,
        stderr=stderr,
        cwd=cwd,
        environ={"OCTT_BASIC_AUTH_PASSWORD": PASSWORD},
    )
    collect = _Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(reference_security, "new_authorization_key", lambda faults: NEW_KEY)
            pki = str(session_pki().directory)
            argv = ["run", "--profile", "security", "--pki", pki, "--reconnect-pause", "0.001"]
            argv += ["--report-dir", "out"]
            status = main(argv, env=env)
    finally:
        root.removeHandler(collect)
        root.setLevel(level)
    assert status == 4, stdout.getvalue() + stderr.getvalue()  # security only: partial
    yield SecurityRun(status, stdout.getvalue(), cwd / "out", "\n".join(collect.lines))


def test_all_fifteen_pass_over_the_three_profiles(security_run: SecurityRun) -> None:
    result = json.loads((security_run.out / "result.json").read_text())
    assert result["verdict"] == "pass"
    cases = {c["id"]: c for c in result["cases"]}
    assert len(cases) == 15 and {c["verdict"] for c in cases.values()} == {"pass"}
    assert {c["security_profile"] for c in cases.values()} == {1, 2, 3}
    jsonschema.validate(result, json.loads(schema_path("result.schema.json").read_text()))


def test_tls_facts_are_recorded_without_keys(security_run: SecurityRun) -> None:
    result = load_result(security_run.out / "result.json")
    case = next(c for c in result.cases if c.id == "TC_087_CSMS")
    connection = next(r for r in case.tls if r.purpose == "connection")
    assert connection.version in ("TLSv1.2", "TLSv1.3") and connection.cipher
    leaf = connection.server_certificates[0]
    assert leaf["common_name"] == "127.0.0.1" and leaf["key_bits"] >= 224
    assert connection.client_certificate is not None
    assert connection.client_certificate["common_name"] == "OCTT-SP3-001"
    assert "client certificate: configured" in connection.detail
    refused = [r for r in case.tls if r.purpose == "connection the CSMS must refuse"]
    assert len(refused) == 2


def test_the_certificate_takes_sec_1_to_3_from_the_run(security_run: SecurityRun) -> None:
    content = build_certificate(load_result(security_run.out / "result.json"))
    assert [(row.id, row.supported, row.outcome) for row in content.security] == [
        ("SEC-1", "Yes", Outcome.PASS),
        ("SEC-2", "Yes", Outcome.PASS),
        ("SEC-3", "Yes", Outcome.PASS),
    ]
    fields = {f.label: f.value for f in content.configuration}
    assert fields["TLS server certificate verification"].startswith("On (the TLS connections")
    # Reproduction 6: each security case counts once, for the profile it ran on, so SEC-1..3
    # add up to the 15 security cases and agree with the profiles the page lists.
    ran = [int(r.detail.split(" of ")[1].split()[0]) for r in content.security]
    assert sum(ran) == 15
    exercised = ", ".join(
        f"{n} ({count} case{'s' if count != 1 else ''})"
        for n, count in zip((1, 2, 3), ran, strict=True)
    )
    assert fields["Security profiles of the security cases"] == exercised
    html = (security_run.out / "certificate.html").read_text()
    assert "SEC-3" in html


def _secrets() -> list[bytes]:
    """Every secret of the run, in the forms it could leak in."""
    found = [PASSWORD.encode(), PASSWORD.encode().hex().encode(), NEW_KEY.encode()]
    found += [NEW_KEY.lower().encode(), NEW_PASSWORD]
    found.append(base64.b64encode(b"OCTT-SP1-001:" + PASSWORD.encode()))
    pki = session_pki()
    for item in Item:
        key = pki.key(item)
        if not key.is_file():
            continue
        body = [line for line in key.read_text().splitlines() if "-----" not in line]
        found += [line.encode() for line in body if len(line) >= 40]
    return found


def _outputs(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}


def test_no_secret_in_any_output_file_nor_the_logs(security_run: SecurityRun) -> None:
    outputs = _outputs(security_run.out)
    assert {"result.json", "trace.jsonl", "junit.xml", "report.html", "certificate.html"} <= set(
        outputs
    )
    outputs["logs"] = security_run.logs.encode()
    outputs["stdout"] = security_run.stdout.encode()
    for name, data in outputs.items():
        assert b"PRIVATE KEY" not in data, name
        for secret in _secrets():
            assert secret not in data, (name, secret[:12])


def test_the_new_authorization_key_was_exchanged_and_masked(security_run: SecurityRun) -> None:
    lines = (security_run.out / "trace.jsonl").read_text().splitlines()
    frames: list[dict[str, Any]] = [json.loads(line) for line in lines]
    changes = [f for f in frames if "AuthorizationKey" in f.get("text", "")]
    assert changes and all("***redacted***" in f["text"] for f in changes)
