"""certificateHashData (whitepaper ed.3): issuerNameHash, issuerKeyHash, serialNumber."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization

from octt.pki import certs, hashdata
from octt.pki.certs import KeyType, Usage
from octt.pki.hashdata import HashAlgorithm


@pytest.fixture(scope="module")
def root() -> certs.Issued:
    return certs.create_ca("hash root", certs.generate_key(KeyType.RSA))


@pytest.mark.parametrize("algorithm", list(HashAlgorithm))
def test_hash_data_of_a_root_follows_ocsp_certid(
    root: certs.Issued, algorithm: HashAlgorithm
) -> None:
    data = hashdata.hash_data(root.certificate, algorithm)
    name = getattr(hashlib, algorithm.value.lower())
    assert data.issuer_name_hash == name(root.certificate.issuer.public_bytes()).hexdigest()
    key_bits = root.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    assert data.issuer_key_hash == name(key_bits).hexdigest()
    assert data.serial_number == format(root.certificate.serial_number, "x")
    assert not data.serial_number.startswith("0")
    assert data.to_json()["hashAlgorithm"] == algorithm.value
    assert hashdata.compare(root.certificate, data.to_json()) == []


def test_hash_data_of_an_issued_certificate_uses_the_issuer(root: certs.Issued) -> None:
    key = certs.generate_key(KeyType.ECDSA)
    leaf = certs.issue(root, key.public_key(), certs.name("leaf"), Usage.CLIENT)
    data = hashdata.hash_data(leaf, HashAlgorithm.SHA256, root.certificate)
    assert (
        data.issuer_key_hash
        == hashdata.hash_data(root.certificate, HashAlgorithm.SHA256).issuer_key_hash
    )
    ec_bits = hashdata.public_key_bits(key.public_key())
    assert ec_bits[0] == 4  # an uncompressed point


def test_compare_explains_the_usual_mistakes(root: certs.Issued) -> None:
    good = hashdata.hash_data(root.certificate, HashAlgorithm.SHA384).to_json()
    spki = root.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    whole_spki = {**good, "issuerKeyHash": hashlib.sha384(spki).hexdigest()}
    [problem] = hashdata.compare(root.certificate, whole_spki)
    assert problem.field == "issuerKeyHash" and "SubjectPublicKeyInfo" in problem.hint
    padded = {**good, "serialNumber": "0x00" + good["serialNumber"]}
    [problem] = hashdata.compare(root.certificate, padded)
    assert problem.field == "serialNumber" and "leading zeroes" in problem.hint
    decimal = {**good, "serialNumber": str(root.certificate.serial_number)}
    assert "decimal" in hashdata.compare(root.certificate, decimal)[0].hint
    upper = {k: v.upper() if k != "hashAlgorithm" else v for k, v in good.items()}
    assert hashdata.compare(root.certificate, upper) == []
    [problem] = hashdata.compare(root.certificate, {**good, "hashAlgorithm": "MD5"})
    assert problem.field == "hashAlgorithm"
    wrong_algorithm = {**good, "hashAlgorithm": "SHA256"}
    fields = {p.field for p in hashdata.compare(root.certificate, wrong_algorithm)}
    assert fields == {"issuerNameHash", "issuerKeyHash"}
