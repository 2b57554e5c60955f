"""Signed results: signature.json over result.json and the SHA-256 of every evidence file.

A laboratory signs a report folder with its private key (Ed25519; or RSA / ECDSA, optionally
with its X.509 certificate). signature.json holds the manifest (file name → SHA-256), the
algorithm, the public key (and certificate), the key's fingerprint and the signature over the
canonical JSON of everything else in it. Anyone can check the folder: with the laboratory's
public key or certificate for authenticity, or with the key embedded in signature.json for
integrity only (its fingerprint must then be compared with the one the laboratory publishes).

Fingerprints are "sha256:" and the hex SHA-256 of the DER SubjectPublicKeyInfo, so they are
known before signing (the certificate prints the fingerprint of the key that will sign it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from octt.report.certificate import DigitalSignature

FORMAT = "octt-signature/1"
PASSWORD_VARIABLE = "OCTT_SIGN_KEY_PASSWORD"
MIN_RSA_BITS = 2048

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


class KeyFileError(ValueError):
    """A key or certificate file cannot be used (a usage error: the message names the file)."""


class SignatureFileError(ValueError):
    """signature.json is missing or not a signature of this octt."""


def fingerprint(public_key: PublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(der).hexdigest()


def public_pem(public_key: PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def algorithm_of(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RSA-PSS-SHA256"
    return "ECDSA-SHA256"


def _sign(key: PrivateKey, payload: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(payload)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(payload, _PSS, hashes.SHA256())
    return key.sign(payload, ec.ECDSA(hashes.SHA256()))


def _verify(key: PublicKey, signature: bytes, payload: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, payload)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, payload, _PSS, hashes.SHA256())
        else:
            key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _usable_public(key: Any, source: str) -> PublicKey:
    if isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        return key
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise KeyFileError(f"{source}: RSA key of {key.key_size} bits; at least {MIN_RSA_BITS}")
        return key
    raise KeyFileError(f"{source}: unsupported key type {type(key).__name__} (Ed25519, RSA, ECDSA)")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(f"{path}: no such {what} file") from exc
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class SigningKey:
    private_key: PrivateKey
    certificate: x509.Certificate | None = None

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key()

    @property
    def algorithm(self) -> str:
        return algorithm_of(self.private_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string() if self.certificate else ""

    def digital_signature(self) -> DigitalSignature:
        """What the certificate prints about this key."""
        return DigitalSignature(self.algorithm, self.fingerprint, self.subject)


def load_certificate(path: Path) -> x509.Certificate:
    data = _read(path, "certificate")
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        try:
            return x509.load_der_x509_certificate(data)
        except ValueError as exc:
            raise KeyFileError(f"{path}: not an X.509 certificate (PEM or DER)") from exc


def load_signing_key(
    key_path: Path, cert_path: Path | None = None, *, password: str | None = None
) -> SigningKey:
    """The private key at `key_path` (PEM; encrypted keys need `password`), with the X.509
    certificate at `cert_path` when given, which must belong to the key."""
    data = _read(key_path, "key")
    try:
        key = serialization.load_pem_private_key(
            data, password.encode("utf-8") if password else None
        )
    except TypeError as exc:
        if password:
            raise KeyFileError(f"{key_path}: {exc}") from exc
        raise KeyFileError(
            f"{key_path}: the key is encrypted: put its password in {PASSWORD_VARIABLE}"
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(
            f"{key_path}: not a usable PEM private key (or a wrong password): {exc}"
        ) from exc
    if not isinstance(
        key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    ):
        raise KeyFileError(f"{key_path}: unsupported key type {type(key).__name__}")
    _usable_public(key.public_key(), str(key_path))
    certificate = None
    if cert_path is not None:
        certificate = load_certificate(cert_path)
        if fingerprint(_usable_public(certificate.public_key(), str(cert_path))) != fingerprint(
            key.public_key()
        ):
            raise KeyFileError(f"{cert_path}: the certificate is not for the key in {key_path}")
    return SigningKey(key, certificate)


def load_public_key(path: Path) -> PublicKey:
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{path}: not a PEM public key") from exc
    return _usable_public(key, str(path))


def generate_key_pair(private_path: Path, public_path: Path, password: str | None = None) -> str:
    """A new Ed25519 key pair: the private key (PKCS #8 PEM, encrypted when a password is given)
    created with mode 0600, never overwriting a file; returns the fingerprint."""
    for path in (private_path, public_path):
        if path.exists():
            raise KeyFileError(f"{path}: already exists; not overwriting a key")
    key = ed25519.Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode("utf-8"))
        if password
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise KeyFileError(f"{private_path}: cannot create: {exc.strerror or exc}") from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem)
    os.chmod(private_path, 0o600)  # whatever the umask
    try:
        with public_path.open("x", encoding="ascii") as handle:
            handle.write(public_pem(key.public_key()))
    except OSError as exc:
        private_path.unlink()  # no half key pair: the private key alone is of no use
        raise KeyFileError(f"{public_path}: cannot create: {exc.strerror or exc}") from exc
    return fingerprint(key.public_key())


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: the manifest without its signature, as canonical JSON."""
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def sign_directory(
    directory: Path,
    key: SigningKey,
    files: Iterable[str],
    *,
    signed_at: str,
    run_id: str = "",
    output: Path | None = None,
) -> dict[str, Any]:
    """Hash `files` (names inside `directory`), sign the manifest, write signature.json."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "run_id": run_id,
        "signed_at": signed_at,
        "algorithm": key.algorithm,
        "fingerprint": key.fingerprint,
        "public_key": public_pem(key.public_key),
        "certificate": (
            key.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
            if key.certificate
            else None
        ),
        "files": {name: sha256_file(directory / name) for name in sorted(files)},
    }
    document["signature"] = base64.b64encode(_sign(key.private_key, canonical(document))).decode(
        "ascii"
    )
    target = output or directory / "signature.json"
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(temporary, target)
    return document


def read_signature(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SignatureFileError(f"{path}: no such file: the folder is not signed") from exc
    except (OSError, ValueError) as exc:
        raise SignatureFileError(f"{path}: unreadable: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SignatureFileError(f"{path}: not an octt signature ({FORMAT})")
    for name, kind in (("files", dict), ("public_key", str), ("signature", str)):
        if not isinstance(document.get(name), kind):
            raise SignatureFileError(f"{path}: '{name}' is missing or malformed")
    return document


def signature_shown(path: Path) -> DigitalSignature | None:
    """The key an existing signature.json names, for the certificate to print again (None when
    there is no readable signature)."""
    try:
        document = read_signature(path)
        key = _usable_public(
            serialization.load_pem_public_key(document["public_key"].encode("ascii")), str(path)
        )
    except (SignatureFileError, KeyFileError, ValueError, UnsupportedAlgorithm):
        return None
    subject = ""
    if isinstance(document.get("certificate"), str):
        try:
            certificate = x509.load_pem_x509_certificate(document["certificate"].encode("ascii"))
            subject = certificate.subject.rfc4514_string()
        except ValueError:
            subject = ""
    return DigitalSignature(algorithm_of(key), fingerprint(key), subject)


@dataclass(frozen=True)
class Problem:
    file: str
    message: str


@dataclass(frozen=True)
class Verification:
    problems: tuple[Problem, ...]
    checked: tuple[str, ...]  # files whose digests were compared
    fingerprint: str  # of the key the signature was checked with
    key_source: str  # "embedded" | the path of the given public key or certificate
    subject: str = ""  # the certificate's subject, when checked against a certificate
    signed_at: str = ""

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_directory(
    directory: Path,
    *,
    public_key: PublicKey | None = None,
    certificate: x509.Certificate | None = None,
    key_source: str = "embedded",
    signature_path: Path | None = None,
) -> Verification:
    """Check signature.json's signature, then every file's digest. Raises SignatureFileError
    when there is no readable signature.json."""
    path = signature_path or directory / "signature.json"
    document = read_signature(path)
    problems: list[Problem] = []
    subject = ""
    if certificate is not None:
        key: PublicKey = _usable_public(certificate.public_key(), key_source)
        subject = certificate.subject.rfc4514_string()
    elif public_key is not None:
        key = public_key
    else:
        try:
            key = _usable_public(
                serialization.load_pem_public_key(document["public_key"].encode("ascii")),
                path.name,
            )
        except (ValueError, UnsupportedAlgorithm, KeyFileError) as exc:
            raise SignatureFileError(f"{path}: the embedded public key is unusable: {exc}") from exc
    try:
        signature = base64.b64decode(document["signature"], validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if document.get("algorithm") != algorithm_of(key):
        problems.append(
            Problem(
                path.name,
                f"signed with {document.get('algorithm')!r}, but the key to check with is"
                f" {algorithm_of(key)}",
            )
        )
    elif not _verify(key, signature, canonical(document)):
        embedded = document.get("fingerprint", "")
        if key_source != "embedded" and embedded != fingerprint(key):
            message = (
                f"not signed by this key ({fingerprint(key)}); signature.json names {embedded}"
            )
        else:
            message = "the signature does not match the manifest: signature.json was altered"
        problems.append(Problem(path.name, message))
    elif document.get("fingerprint") != fingerprint(key):
        problems.append(Problem(path.name, "the fingerprint it states is not the signing key's"))
    checked = []
    files: Mapping[str, Any] = document["files"]
    for name in sorted(files):
        expected = files[name]
        target = directory / name
        if Path(name).name != name:
            problems.append(Problem(name, "not a file name inside the folder"))
            continue
        checked.append(name)
        if not target.is_file():
            problems.append(Problem(name, "missing"))
        elif sha256_file(target) != expected:
            problems.append(Problem(name, "changed since it was signed (SHA-256 differs)"))
    return Verification(
        problems=tuple(problems),
        checked=tuple(checked),
        fingerprint=fingerprint(key),
        key_source=key_source,
        subject=subject,
        signed_at=str(document.get("signed_at", "")),
    )
