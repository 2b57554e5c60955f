"""`octt verify DIR [--public-key FILE | --cert FILE]`: exit 0 intact, 1 naming what changed,
2 for usage errors; without a key flag it says that only integrity was proven."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from report_samples import write_run_folder

from octt.cli import main
from octt.cli.env import Environment
from octt.report.signature import generate_key_pair


def octt(cwd: Path, *argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ={})
    status = main(list(argv), env=env)
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    folder = write_run_folder(tmp_path / "run")
    generate_key_pair(tmp_path / "lab.key", tmp_path / "lab.pub")
    assert octt(tmp_path, "sign", "run", "--key", "lab.key")[0] == 0
    return folder


def flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def test_intact_with_the_embedded_key_says_what_that_proves(signed: Path) -> None:
    status, stdout, stderr = octt(signed.parent, "verify", "run")
    assert status == 0, stderr
    assert "intact: 6 file(s) match" in stdout
    assert "checked against the public key embedded in signature.json" in stdout
    assert "not who signed them" in stdout


def test_intact_with_the_labs_public_key(signed: Path) -> None:
    status, stdout, _ = octt(signed.parent, "verify", "run", "--public-key", "lab.pub")
    assert status == 0
    assert "signed by the key in lab.pub" in stdout


@pytest.mark.parametrize("name", ["result.json", "trace.jsonl", "certificate.pdf"])
def test_one_changed_byte_fails_and_names_the_file(signed: Path, name: str) -> None:
    flip_one_byte(signed / name)
    status, stdout, stderr = octt(signed.parent, "verify", "run", "--public-key", "lab.pub")
    assert status == 1
    assert f"{signed / name}: changed since it was signed" in stderr
    assert "verification FAILED: 1 problem(s)" in stderr
    assert stdout == ""


def test_another_key_fails(signed: Path, tmp_path: Path) -> None:
    generate_key_pair(tmp_path / "other.key", tmp_path / "other.pub")
    status, _, stderr = octt(tmp_path, "verify", "run", "--public-key", "other.pub")
    assert status == 1
    assert "signature.json: not signed by this key" in stderr


def test_with_a_certificate(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "run")
    key = ec.generate_private_key(ec.SECP384R1())
    (tmp_path / "lab.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Test Lab")])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "lab.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    assert octt(tmp_path, "sign", "run", "--key", "lab.key", "--cert", "lab.crt")[0] == 0
    assert "O=Example Test Lab" in (tmp_path / "run" / "certificate.html").read_text("utf-8")
    status, stdout, _ = octt(tmp_path, "verify", "run", "--cert", "lab.crt")
    assert status == 0
    assert "(O=Example Test Lab)" in stdout


def test_an_unsigned_folder_fails(tmp_path: Path) -> None:
    write_run_folder(tmp_path / "run")
    status, _, stderr = octt(tmp_path, "verify", "run")
    assert status == 1
    assert "the folder is not signed" in stderr


def test_usage_errors(signed: Path) -> None:
    cwd = signed.parent
    assert octt(cwd, "verify", "nowhere")[0] == 2
    status, _, stderr = octt(cwd, "verify", "run", "--public-key", "absent.pub")
    assert status == 2 and "absent.pub: no such public key file" in stderr
    status, _, stderr = octt(cwd, "verify", "run", "--public-key", "lab.pub", "--cert", "x")
    assert status == 2 and "not allowed with argument" in stderr
