"""Firmware signatures (use case L01): RSA-PSS, PKCS#1 v1.5 and ECDSA over SHA-256."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from octt.pki import certs, firmware
from octt.pki.certs import KeyType, Usage

IMAGE = b"firmware image bytes" * 100


def signing(key_type: KeyType) -> tuple[certs.PrivateKey, str]:
    ca = certs.create_ca("manufacturer", certs.generate_key(KeyType.ECDSA))
    key = certs.generate_key(key_type)
    cert = certs.issue(ca, key.public_key(), certs.name("signer"), Usage.CODE_SIGNING)
    return key, certs.certificate_pem(cert)


def test_rsa_pss_signature_verifies_and_a_corrupted_one_does_not() -> None:
    key, pem = signing(KeyType.RSA)
    signature = firmware.sign(key, IMAGE)
    result = firmware.verify(pem, IMAGE, signature)
    assert result.valid and result.scheme == "RSA-PSS/SHA-256"
    bad = firmware.corrupted(signature)
    assert len(base64.b64decode(bad)) == len(base64.b64decode(signature))
    assert not firmware.verify(pem, IMAGE, bad).valid
    assert not firmware.verify(pem, IMAGE + b"x", signature).valid


def test_pkcs1_and_ecdsa_signatures_verify() -> None:
    key, pem = signing(KeyType.RSA)
    assert isinstance(key, certs.rsa.RSAPrivateKey)
    raw = key.sign(IMAGE, padding.PKCS1v15(), hashes.SHA256())
    result = firmware.verify(pem, IMAGE, base64.b64encode(raw).decode())
    assert result.valid and result.scheme == "RSA PKCS#1 v1.5/SHA-256"
    ec_key, ec_pem = signing(KeyType.ECDSA)
    assert firmware.verify(ec_pem, IMAGE, firmware.sign(ec_key, IMAGE)).scheme == "ECDSA/SHA-256"


def test_unusable_inputs_are_invalid_with_a_reason() -> None:
    _, pem = signing(KeyType.ECDSA)
    assert "not base64" in firmware.verify(pem, IMAGE, "***").detail
    assert "signing certificate is unusable" in firmware.verify("nope", IMAGE, "AAAA").detail
    assert firmware.corrupted("") != ""
