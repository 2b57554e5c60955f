"""`octt keygen KEY`: an Ed25519 key pair, the private key with mode 0600 and never printed,
never overwriting, encrypted when OCTT_SIGN_KEY_PASSWORD is set."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from octt.cli import main
from octt.cli.env import Environment
from octt.report.signature import load_public_key, load_signing_key


def octt(cwd: Path, *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ=environ or {}
    )
    status = main(list(argv), env=env)
    return status, stdout.getvalue(), stderr.getvalue()


def test_keygen_makes_a_private_and_a_public_key(tmp_path: Path) -> None:
    status, stdout, stderr = octt(tmp_path, "keygen", "lab.key")
    assert status == 0, stderr
    private, public = tmp_path / "lab.key", tmp_path / "lab.key.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = load_signing_key(private)
    assert key.algorithm == "Ed25519"
    assert load_public_key(public) is not None
    assert f"fingerprint: {key.fingerprint}" in stdout
    assert "PRIVATE KEY" not in stdout + stderr
    assert private.read_text(encoding="ascii") not in stdout


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "lab.key").write_text("precious", encoding="utf-8")
    status, _, stderr = octt(tmp_path, "keygen", "lab.key")
    assert status == 2 and "already exists" in stderr
    assert (tmp_path / "lab.key").read_text(encoding="utf-8") == "precious"
    assert not (tmp_path / "lab.key.pub").exists()


def test_keygen_with_a_password_and_a_public_path(tmp_path: Path) -> None:
    environ = {"OCTT_SIGN_KEY_PASSWORD": "pw-3"}
    status, stdout, _ = octt(
        tmp_path, "keygen", "lab.key", "--public", "pub/lab.pem", environ=environ
    )
    assert status == 2  # the public key's folder does not exist
    assert not (tmp_path / "lab.key").exists()  # no half key pair left behind
    (tmp_path / "pub").mkdir()
    status, stdout, _ = octt(
        tmp_path, "keygen", "lab.key", "--public", "pub/lab.pem", environ=environ
    )
    assert status == 0
    assert "encrypted with OCTT_SIGN_KEY_PASSWORD" in stdout
    assert load_signing_key(tmp_path / "lab.key", password="pw-3").algorithm == "Ed25519"
    assert (tmp_path / "pub" / "lab.pem").is_file()
