"""certificateHashData: how a charge point names an installed certificate (OCPP 1.6 security
whitepaper, CertificateHashDataType; edition 3 clarified its fields).

The fields follow the CertID of OCSP (RFC 6960 §4.1.1), which is where the whitepaper (via OCPP
2.0.1) takes them from:

- ``issuerNameHash``: the hash of the DER encoding of the issuer's distinguished name;
- ``issuerKeyHash``: the hash of the issuer's public key — the *value of the BIT STRING*
  subjectPublicKey of the issuer's SubjectPublicKeyInfo, without tag, length and unused-bits
  octet (not the whole SubjectPublicKeyInfo, a frequent mistake);
- ``serialNumber``: the certificate's serial number as hexadecimal, without a "0x" prefix and
  without leading zeroes (edition 3);
- ``hashAlgorithm``: SHA256, SHA384 or SHA512.

Hashes and serial numbers are written as lower-case hexadecimal and compared
case-insensitively, since the whitepaper does not fix the case of the hex digits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from octt.pki.certs import serial_hex


class HashAlgorithm(StrEnum):
    """HashAlgorithmEnumType."""

    SHA256 = "SHA256"
    SHA384 = "SHA384"
    SHA512 = "SHA512"

    def digest(self, data: bytes) -> str:
        return hashlib.new(self.value.lower(), data).hexdigest()


@dataclass(frozen=True)
class CertificateHashData:
    hash_algorithm: HashAlgorithm
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str

    def to_json(self) -> dict[str, str]:
        return {
            "hashAlgorithm": self.hash_algorithm.value,
            "issuerNameHash": self.issuer_name_hash,
            "issuerKeyHash": self.issuer_key_hash,
            "serialNumber": self.serial_number,
        }


def public_key_bits(public_key: object) -> bytes:
    """The subjectPublicKey BIT STRING value of a key: the raw RSAPublicKey DER for RSA, the
    uncompressed point for EC."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    raise ValueError(f"unsupported key type {type(public_key).__name__}")


def _spki(public_key: object) -> bytes:
    if isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        return public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return b""


def hash_data(
    certificate: x509.Certificate,
    algorithm: HashAlgorithm,
    issuer: x509.Certificate | None = None,
) -> CertificateHashData:
    """The certificateHashData of `certificate`; `issuer` is needed unless it is self-issued
    (a root certificate, as installed by InstallCertificate)."""
    issuer_key = (issuer or certificate).public_key()
    return CertificateHashData(
        hash_algorithm=algorithm,
        issuer_name_hash=algorithm.digest(certificate.issuer.public_bytes()),
        issuer_key_hash=algorithm.digest(public_key_bits(issuer_key)),
        serial_number=serial_hex(certificate),
    )


@dataclass(frozen=True)
class Mismatch:
    """One field of a certificateHashData that is not what it should be."""

    field: str
    expected: str
    actual: Any
    hint: str = ""


def compare(
    certificate: x509.Certificate,
    actual: Mapping[str, Any],
    issuer: x509.Certificate | None = None,
) -> list[Mismatch]:
    """How `actual` (a CertificateHashDataType as JSON) differs from the hash data of
    `certificate` under the algorithm `actual` names; each difference with a hint at the
    likely mistake."""
    try:
        algorithm = HashAlgorithm(str(actual.get("hashAlgorithm")))
    except ValueError:
        return [
            Mismatch(
                "hashAlgorithm",
                "SHA256, SHA384 or SHA512",
                actual.get("hashAlgorithm"),
                "not a HashAlgorithmEnumType value",
            )
        ]
    expected = hash_data(certificate, algorithm, issuer)
    issuer_certificate = issuer or certificate
    problems: list[Mismatch] = []
    name_hash = actual.get("issuerNameHash")
    if not _same_hex(name_hash, expected.issuer_name_hash):
        hint = ""
        if _same_hex(name_hash, algorithm.digest(certificate.subject.public_bytes())):
            hint = "the hash of the certificate's subject, not of its issuer"
        problems.append(Mismatch("issuerNameHash", expected.issuer_name_hash, name_hash, hint))
    key_hash = actual.get("issuerKeyHash")
    if not _same_hex(key_hash, expected.issuer_key_hash):
        hint = ""
        if _same_hex(key_hash, algorithm.digest(_spki(issuer_certificate.public_key()))):
            hint = (
                "the hash of the whole SubjectPublicKeyInfo; the whitepaper (like OCSP, RFC 6960)"
                " hashes only the public key BIT STRING"
            )
        problems.append(Mismatch("issuerKeyHash", expected.issuer_key_hash, key_hash, hint))
    serial = actual.get("serialNumber")
    if not _same_hex(serial, expected.serial_number):
        hint = ""
        text = str(serial) if isinstance(serial, str) else ""
        stripped = text.lower().removeprefix("0x").lstrip("0") or "0"
        if text and stripped == expected.serial_number:
            hint = (
                "the right number, but edition 3 writes it in hexadecimal without a '0x' prefix"
                " and without leading zeroes"
            )
        elif text == str(certificate.serial_number):
            hint = "the serial number in decimal; it is written in hexadecimal"
        problems.append(Mismatch("serialNumber", expected.serial_number, serial, hint))
    return problems


def _same_hex(actual: Any, expected: str) -> bool:
    return isinstance(actual, str) and actual.lower() == expected.lower()
