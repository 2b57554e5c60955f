"""Signing a report folder and verifying it: Ed25519, RSA and ECDSA keys, X.509 certificates,
encrypted keys, tampering named by file, and key pairs made with mode 0600."""

from __future__ import annotations

import datetime
import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from octt.report.signature import (
    FORMAT,
    KeyFileError,
    PrivateKey,
    SignatureFileError,
    SigningKey,
    canonical,
    fingerprint,
    generate_key_pair,
    load_certificate,
    load_public_key,
    load_signing_key,
    read_signature,
    sign_directory,
    signature_shown,
    verify_directory,
)

FILES = ("result.json", "trace.jsonl", "report.html")


def folder(tmp_path: Path) -> Path:
    directory = tmp_path / "run"
    directory.mkdir()
    for name in FILES:
        (directory / name).write_text(f"content of {name}\n", encoding="utf-8")
    return directory


def pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def write_key(path: Path, key: PrivateKey, password: bytes | None = None) -> Path:
    path.write_bytes(pem(key, password))
    return path


def certificate_for(key: PrivateKey, name: str = "Example Test Lab") -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)


def write_cert(path: Path, certificate: x509.Certificate) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def sign(directory: Path, key: SigningKey) -> dict[str, object]:
    return sign_directory(directory, key, FILES, signed_at="2026-03-02T10:00:00.000Z", run_id="r1")


@pytest.mark.parametrize(
    ("make", "algorithm"),
    [
        (ed25519.Ed25519PrivateKey.generate, "Ed25519"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), "ECDSA-SHA256"),
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), "RSA-PSS-SHA256"),
    ],
)
def test_round_trip(tmp_path: Path, make: object, algorithm: str) -> None:
    directory = folder(tmp_path)
    private = make()  # type: ignore[operator]
    key = load_signing_key(write_key(tmp_path / "lab.key", private))
    document = sign(directory, key)
    assert document["algorithm"] == algorithm == key.algorithm
    assert document["format"] == FORMAT
    assert document["fingerprint"] == key.fingerprint == fingerprint(private.public_key())
    assert sorted(document["files"]) == sorted(FILES)  # type: ignore[call-overload]
    embedded = verify_directory(directory)
    assert embedded.intact and embedded.key_source == "embedded"
    assert embedded.checked == tuple(sorted(FILES))
    assert embedded.signed_at == "2026-03-02T10:00:00.000Z"
    public = tmp_path / "lab.pub"
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    given = verify_directory(directory, public_key=load_public_key(public), key_source="lab.pub")
    assert given.intact and given.fingerprint == key.fingerprint


@pytest.mark.parametrize("name", FILES)
def test_one_changed_byte_is_named(tmp_path: Path, name: str) -> None:
    directory = folder(tmp_path)
    sign(
        directory, load_signing_key(write_key(tmp_path / "k", ed25519.Ed25519PrivateKey.generate()))
    )
    target = directory / name
    data = bytearray(target.read_bytes())
    data[0] ^= 1
    target.write_bytes(bytes(data))
    verification = verify_directory(directory)
    assert not verification.intact
    assert [(p.file, p.message) for p in verification.problems] == [
        (name, "changed since it was signed (SHA-256 differs)")
    ]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    directory = folder(tmp_path)
    sign(
        directory, load_signing_key(write_key(tmp_path / "k", ed25519.Ed25519PrivateKey.generate()))
    )
    (directory / "trace.jsonl").unlink()
    assert [(p.file, p.message) for p in verify_directory(directory).problems] == [
        ("trace.jsonl", "missing")
    ]


def test_an_edited_manifest_breaks_the_signature(tmp_path: Path) -> None:
    directory = folder(tmp_path)
    sign(
        directory, load_signing_key(write_key(tmp_path / "k", ed25519.Ed25519PrivateKey.generate()))
    )
    (directory / "result.json").write_text("forged\n", encoding="utf-8")
    path = directory / "signature.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["files"]["result.json"] = hashlib.sha256(b"forged\n").hexdigest()
    path.write_text(json.dumps(document), encoding="utf-8")
    problems = verify_directory(directory).problems
    assert [p.file for p in problems] == ["signature.json"]
    assert "signature.json was altered" in problems[0].message


def test_another_labs_key_is_refused(tmp_path: Path) -> None:
    directory = folder(tmp_path)
    sign(
        directory, load_signing_key(write_key(tmp_path / "k", ed25519.Ed25519PrivateKey.generate()))
    )
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    verification = verify_directory(directory, public_key=other, key_source="other.pub")
    assert [p.file for p in verification.problems] == ["signature.json"]
    assert verification.problems[0].message.startswith(
        f"not signed by this key ({fingerprint(other)})"
    )
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    mismatch = verify_directory(directory, public_key=rsa_key, key_source="rsa.pub")
    assert "signed with 'Ed25519'" in mismatch.problems[0].message


def test_signing_with_a_certificate(tmp_path: Path) -> None:
    directory = folder(tmp_path)
    private = ec.generate_private_key(ec.SECP256R1())
    cert = write_cert(tmp_path / "lab.crt", certificate_for(private))
    key = load_signing_key(write_key(tmp_path / "lab.key", private), cert)
    assert key.subject == "CN=Example Test Lab"
    assert key.digital_signature().subject == "CN=Example Test Lab"
    document = sign(directory, key)
    assert str(document["certificate"]).startswith("-----BEGIN CERTIFICATE-----")
    verification = verify_directory(
        directory, certificate=load_certificate(cert), key_source="lab.crt"
    )
    assert verification.intact and verification.subject == "CN=Example Test Lab"
    shown = signature_shown(directory / "signature.json")
    assert shown is not None and shown.subject == "CN=Example Test Lab"
    assert shown.fingerprint == key.fingerprint and shown.algorithm == "ECDSA-SHA256"


def test_a_certificate_for_another_key_is_refused(tmp_path: Path) -> None:
    cert = write_cert(tmp_path / "c.crt", certificate_for(ed25519.Ed25519PrivateKey.generate()))
    key_path = write_key(tmp_path / "k", ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(KeyFileError, match="the certificate is not for the key"):
        load_signing_key(key_path, cert)


def test_encrypted_keys_need_their_password(tmp_path: Path) -> None:
    path = write_key(tmp_path / "k", ed25519.Ed25519PrivateKey.generate(), b"pw-1")
    with pytest.raises(KeyFileError, match="OCTT_SIGN_KEY_PASSWORD"):
        load_signing_key(path)
    with pytest.raises(KeyFileError, match="wrong password"):
        load_signing_key(path, password="nope")
    assert load_signing_key(path, password="pw-1").algorithm == "Ed25519"


def test_unusable_key_files(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="no such key file"):
        load_signing_key(tmp_path / "absent")
    (tmp_path / "junk").write_text("not a key", encoding="utf-8")
    with pytest.raises(KeyFileError, match="not a usable PEM private key"):
        load_signing_key(tmp_path / "junk")
    small = write_key(
        tmp_path / "small", rsa.generate_private_key(public_exponent=65537, key_size=1024)
    )
    with pytest.raises(KeyFileError, match="at least 2048"):
        load_signing_key(small)
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        load_public_key(tmp_path / "junk")
    with pytest.raises(KeyFileError, match=r"not an X\.509 certificate"):
        load_certificate(tmp_path / "junk")


def test_key_pair_generation(tmp_path: Path) -> None:
    private, public = tmp_path / "lab.key", tmp_path / "lab.key.pub"
    printed = generate_key_pair(private, public)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = load_signing_key(private)
    assert printed == key.fingerprint == fingerprint(load_public_key(public))
    assert printed.startswith("sha256:") and len(printed) == len("sha256:") + 64
    with pytest.raises(KeyFileError, match="already exists"):
        generate_key_pair(private, tmp_path / "other.pub")
    assert load_signing_key(private).fingerprint == printed  # untouched


def test_key_pair_with_a_password(tmp_path: Path) -> None:
    private = tmp_path / "lab.key"
    generate_key_pair(private, tmp_path / "lab.pub", password="pw-2")
    assert b"ENCRYPTED" in private.read_bytes()
    with pytest.raises(KeyFileError):
        load_signing_key(private)
    assert load_signing_key(private, password="pw-2").algorithm == "Ed25519"


def test_signature_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SignatureFileError, match="not signed"):
        read_signature(tmp_path / "signature.json")
    (tmp_path / "signature.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(SignatureFileError, match="not an octt signature"):
        verify_directory(tmp_path)
    (tmp_path / "signature.json").write_text(json.dumps({"format": FORMAT}), encoding="utf-8")
    with pytest.raises(SignatureFileError, match="'files' is missing"):
        read_signature(tmp_path / "signature.json")
    assert signature_shown(tmp_path / "signature.json") is None


def test_the_signed_bytes_are_canonical() -> None:
    assert canonical({"b": 1, "a": "é", "signature": "x"}) == '{"a":"é","b":1}'.encode()
