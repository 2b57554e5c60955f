"""Firmware signatures (OCPP 1.6 security whitepaper ed.3, use case L01 Secure Firmware Update;
SignedUpdateFirmware.req firmware.signature and firmware.signingCertificate).

The firmware is signed with SHA-256 and the key of the firmware signing certificate; the
signature travels base64-encoded. The whitepaper names RSA-PSS (and ECSchnorr, which no common
library implements); `verify` also accepts RSA PKCS #1 v1.5 and ECDSA signatures and says which
scheme matched, so a report can tell a lab what the manufacturer used.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from octt.pki.certs import CertificateError, PrivateKey, load_certificates


def sign(key: PrivateKey, data: bytes) -> str:
    """The base64 signature of `data`: RSA-PSS (MGF1-SHA-256, salt = digest length) with an
    RSA key, ECDSA with an EC key; SHA-256 either way."""
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(
            data,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
    else:
        raw = key.sign(data, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(raw).decode("ascii")


def corrupted(signature: str) -> str:
    """A signature that can no longer verify: the same length, one byte changed (for an
    'invalid signature' when the test data names none, TC_081)."""
    try:
        raw = bytearray(base64.b64decode(signature, validate=True))
    except (binascii.Error, ValueError):
        raw = bytearray(signature.encode())
    if not raw:
        raw = bytearray(b"\x00")
    raw[len(raw) // 2] ^= 0xFF
    return base64.b64encode(bytes(raw)).decode("ascii")


@dataclass(frozen=True)
class Verification:
    valid: bool
    detail: str
    scheme: str = ""


def verify(signing_certificate: str, data: bytes, signature: str) -> Verification:
    """Whether `signature` (base64) signs `data` with the key of `signing_certificate` (PEM)."""
    try:
        certificate = load_certificates(signing_certificate)[0]
    except CertificateError as exc:
        return Verification(False, f"the signing certificate is unusable: {exc}")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return Verification(False, "the signature is not base64")
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        attempts: list[tuple[str, padding.AsymmetricPadding]]
        attempts = [
            (
                "RSA-PSS/SHA-256",
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
            ),
            ("RSA PKCS#1 v1.5/SHA-256", padding.PKCS1v15()),
        ]
        for scheme, pad in attempts:
            try:
                key.verify(raw, data, pad, hashes.SHA256())
            except InvalidSignature:
                continue
            return Verification(True, f"the signature verifies ({scheme})", scheme)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        try:
            key.verify(raw, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            pass
        else:
            return Verification(True, "the signature verifies (ECDSA/SHA-256)", "ECDSA/SHA-256")
    else:
        return Verification(False, f"unsupported signing key type {type(key).__name__}")
    return Verification(
        False, "the signature does not verify the firmware with the signing certificate's key"
    )
