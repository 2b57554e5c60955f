"""`octt sign DIR --key KEY [--cert CERT]`: the reports are rendered with the key's fingerprint,
then signature.json covers result.json and every evidence file; bad keys are usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

from report_samples import write_run_folder

from octt.cli import main
from octt.cli.env import Environment
from octt.report.signature import generate_key_pair, verify_directory


def octt(cwd: Path, *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ=environ or {}
    )
    status = main(list(argv), env=env)
    return status, stdout.getvalue(), stderr.getvalue()


def test_sign_renders_then_signs_everything(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    fingerprint = generate_key_pair(tmp_path / "lab.key", tmp_path / "lab.pub")
    status, stdout, stderr = octt(tmp_path, "sign", "run", "--key", "lab.key")
    assert status == 0, stderr
    document = json.loads((folder / "signature.json").read_text(encoding="utf-8"))
    assert sorted(document["files"]) == [
        "certificate.html",
        "certificate.pdf",
        "junit.xml",
        "report.html",
        "result.json",
        "trace.jsonl",
    ]
    assert document["fingerprint"] == fingerprint and document["run_id"] == "abc123def456"
    grouped = " ".join(fingerprint[7 + i : 11 + i] for i in range(0, 64, 4))
    assert grouped in (folder / "certificate.html").read_text(encoding="utf-8")
    assert verify_directory(folder).intact
    assert f"fingerprint {fingerprint}" in stdout
    assert "PRIVATE KEY" not in stdout + stderr


def test_a_folder_without_trace_is_signed_without_it(tmp_path: Path) -> None:
    folder = write_run_folder(tmp_path / "run")
    (folder / "trace.jsonl").unlink()
    generate_key_pair(tmp_path / "lab.key", tmp_path / "lab.pub")
    assert octt(tmp_path, "sign", "run", "--key", "lab.key")[0] == 0
    files = json.loads((folder / "signature.json").read_text(encoding="utf-8"))["files"]
    assert "trace.jsonl" not in files and "result.json" in files


def test_encrypted_key_password_from_the_environment(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "run")
    generate_key_pair(tmp_path / "lab.key", tmp_path / "lab.pub", password="pw-9")
    status, _, stderr = octt(tmp_path, "sign", "run", "--key", "lab.key")
    assert status == 2 and "OCTT_SIGN_KEY_PASSWORD" in stderr
    environ = {"OCTT_SIGN_KEY_PASSWORD": "pw-9"}
    assert octt(tmp_path, "sign", "run", "--key", "lab.key", environ=environ)[0] == 0


def test_usage_errors(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "run")
    status, _, stderr = octt(tmp_path, "sign", "run", "--key", "absent.key")
    assert status == 2 and "absent.key: no such key file" in stderr
    status, _, stderr = octt(tmp_path, "sign", "run")
    assert status == 2 and "--key" in stderr
    generate_key_pair(tmp_path / "lab.key", tmp_path / "lab.pub")
    status, _, stderr = octt(tmp_path, "sign", "elsewhere", "--key", "lab.key")
    assert status == 2 and "result.json: no such file" in stderr
    status, _, stderr = octt(tmp_path, "sign", "run", "--key", "lab.key", "--cert", "lab.pub")
    assert status == 2 and "not an X.509 certificate" in stderr
    assert not (tmp_path / "run" / "signature.json").exists()
