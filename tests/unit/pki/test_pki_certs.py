"""Keys, CAs, certificates and CSRs of octt.pki.certs."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509

from octt.pki import certs
from octt.pki.certs import CertificateError, KeyType, Usage


def test_ca_and_server_certificate_with_names_and_usages() -> None:
    ca = certs.create_ca("root", certs.generate_key(KeyType.ECDSA), organization="Org")
    assert certs.is_ca(ca.certificate)
    assert certs.issued_by(ca.certificate, ca.certificate)
    key = certs.generate_key(KeyType.RSA)
    server = certs.issue(
        ca,
        key.public_key(),
        certs.name("csms.example"),
        Usage.SERVER,
        hosts=("csms.example", "127.0.0.1"),
    )
    assert certs.issued_by(server, ca.certificate)
    assert not certs.is_ca(server)
    assert certs.common_name(server.subject) == "csms.example"
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["csms.example"]
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    usage = server.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_encipherment  # RSA key exchange suites need it
    assert certs.key_description(server.public_key()) == ("RSA", 2048)
    assert certs.key_strong_enough(server.public_key())


def test_csr_carries_cpo_name_and_identity_and_is_signed_for_its_key() -> None:
    ca = certs.create_ca("cp ca", certs.generate_key(KeyType.ECDSA))
    key = certs.generate_key(KeyType.ECDSA)
    csr = certs.load_csr(certs.csr_pem(certs.build_csr(key, "CP-1", "My CPO")))
    assert certs.common_name(csr.subject) == "CP-1"
    assert certs.organization(csr.subject) == "My CPO"
    signed = certs.sign_csr(ca, csr)
    assert certs.same_public_key(signed.public_key(), key.public_key())
    assert certs.issued_by(signed, ca.certificate)
    assert not certs.same_public_key(signed.public_key(), ca.key.public_key())


def test_pem_round_trip_and_errors() -> None:
    ca = certs.create_ca("root", certs.generate_key(KeyType.ECDSA))
    pem = certs.chain_pem([ca.certificate, ca.certificate])
    assert len(certs.load_certificates(pem)) == 2
    with pytest.raises(CertificateError, match="no PEM certificate"):
        certs.load_certificates("MIIB...")
    with pytest.raises(CertificateError):
        certs.load_certificates(
            "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
        )
    with pytest.raises(CertificateError):
        certs.load_csr("nonsense")
    key = certs.generate_key(KeyType.ECDSA)
    assert certs.same_public_key(
        certs.load_private_key(certs.private_key_pem(key)).public_key(), key.public_key()
    )


def test_validity_and_weak_keys() -> None:
    start = certs.now() - datetime.timedelta(days=10)
    ca = certs.create_ca(
        "old",
        certs.generate_key(KeyType.ECDSA),
        valid_from=start,
        valid_until=start + datetime.timedelta(days=1),
    )
    assert not certs.valid_at(ca.certificate, certs.now())
    assert certs.valid_at(ca.certificate, start + datetime.timedelta(hours=1))
    assert certs.serial_hex(ca.certificate) == format(ca.certificate.serial_number, "x")
    assert len(certs.fingerprint(ca.certificate)) == 64
    assert certs.key_description(object()) == ("object", 0)
    assert not certs.key_strong_enough(object())


def test_credential_never_shows_its_key() -> None:
    key = certs.generate_key(KeyType.ECDSA)
    ca = certs.create_ca("root", key)
    credential = certs.Credential.of([ca.certificate], key, "test")
    assert "PRIVATE" not in repr(credential)
    assert certs.common_name(credential.leaf.subject) == "root"
