"""The reference CSMS's security decisions: who is admitted at which security profile, CSR
signing, new AuthorizationKeys and DeleteCertificate hash data — and the faults of each."""

from __future__ import annotations

import base64

import pytest
from security_support import session_pki

from octt.pki import certs
from octt.pki.certs import KeyType
from octt.pki.hashdata import HashAlgorithm, hash_data
from octt.pki.layout import Item
from octt.reference.faults import Fault
from octt.reference.security import (
    WRONG_CN,
    CsrRejected,
    CsrSigner,
    Peer,
    admission,
    certificate_for,
    delete_hash_data,
    new_authorization_key,
)
from octt.transport.credentials import basic_auth_header, is_authorization_key

NONE: frozenset[Fault] = frozenset()
PASSWORD = "a-password-of-20-ch"


def peer(tls: bool = False, cn: str | None = None, password: str | None = PASSWORD) -> Peer:
    header = basic_auth_header("CP-1", password) if password is not None else None
    return Peer("CP-1", tls=tls, client_certificate_cn=cn, authorization=header)


@pytest.mark.parametrize(
    ("profile", "password", "who", "status"),
    [
        (None, None, peer(password=None), None),  # profile 0: anyone
        (None, PASSWORD, peer(), None),  # a password and no profile: Basic auth
        (None, PASSWORD, peer(password=None), 401),
        (1, PASSWORD, peer(password="wrong-password-1234"), 401),
        (2, PASSWORD, peer(), 403),  # profile 2 needs TLS
        (2, PASSWORD, peer(tls=True), None),
        (3, None, peer(tls=True, password=None), 403),  # no client certificate
        (3, None, peer(tls=True, cn="CP-2", password=None), 403),  # someone else's
        (3, None, peer(tls=True, cn="CP-1", password=None), None),
    ],
)
def test_admission_per_security_profile(
    profile: int | None, password: str | None, who: Peer, status: int | None
) -> None:
    refusal = admission(profile, password, who, NONE)
    assert (refusal.status if refusal else None) == status
    if refusal is not None:
        assert PASSWORD not in refusal.reason


def test_hex_passwords_are_compared_as_bytes() -> None:
    hex_password = "41" * 20
    header = "Basic " + base64.b64encode(b"CP-1:" + b"A" * 20).decode()
    assert admission(1, hex_password, Peer("CP-1", False, None, header), NONE) is None


def test_faults_admit_what_must_be_refused() -> None:
    missing = frozenset({Fault.ACCEPTS_MISSING_CREDENTIALS})
    assert admission(1, PASSWORD, peer(password=None), missing) is None
    assert admission(2, PASSWORD, peer(tls=True, password=None), missing) is None
    lower = frozenset({Fault.ACCEPTS_LOWER_SECURITY_PROFILE})
    assert admission(2, PASSWORD, peer(), lower) is None  # profile 1 after the upgrade to 2
    assert admission(3, PASSWORD, peer(tls=True), lower) is None  # profile 2 after 3
    assert admission(2, PASSWORD, peer(password=None), lower) is not None


def _csr(cn: str = "CP-1", key_type: KeyType = KeyType.ECDSA) -> tuple[str, certs.PrivateKey]:
    key = certs.generate_key(key_type)
    return certs.csr_pem(certs.build_csr(key, cn, "CPO")), key


def test_signer_checks_the_csr_and_signs_the_chain() -> None:
    signer = CsrSigner(session_pki().issued(Item.CP_CA))
    pem, key = _csr()
    csr = signer.check(pem, "CP-1")
    chain = certs.load_certificates(signer.sign(csr, NONE))
    assert len(chain) == 2 and certs.issued_by(chain[0], chain[1])
    assert certs.same_public_key(chain[0].public_key(), key.public_key())
    with pytest.raises(CsrRejected, match="CN"):
        signer.check(_csr("CP-2")[0], "CP-1")
    with pytest.raises(CsrRejected):
        signer.check("not a csr", "CP-1")


def test_signer_faults() -> None:
    signer = CsrSigner(session_pki().issued(Item.CP_CA))
    pem, key = _csr()
    csr = signer.check(pem, "CP-1")
    wrong_key = certs.load_certificates(
        signer.sign(csr, frozenset({Fault.CERTIFICATE_SIGNED_WRONG_KEY}))
    )[0]
    assert not certs.same_public_key(wrong_key.public_key(), key.public_key())
    wrong_cn = certs.load_certificates(
        signer.sign(csr, frozenset({Fault.CERTIFICATE_SIGNED_WRONG_CN}))
    )[0]
    assert certs.common_name(wrong_cn.subject) == WRONG_CN
    not_pem = signer.sign(csr, frozenset({Fault.CERTIFICATE_SIGNED_NOT_PEM}))
    assert "BEGIN" not in not_pem and base64.b64decode(not_pem)


def test_new_authorization_keys() -> None:
    assert is_authorization_key(new_authorization_key(NONE))
    assert len(new_authorization_key(NONE)) == 40
    short = new_authorization_key(frozenset({Fault.AUTHORIZATION_KEY_TOO_SHORT}))
    assert len(short) == 30 and not is_authorization_key(short)
    text = new_authorization_key(frozenset({Fault.AUTHORIZATION_KEY_NOT_HEX}))
    assert not is_authorization_key(text)


def test_delete_hash_data_and_its_faults() -> None:
    pem = session_pki().certificate(Item.CSMS_ROOT_CA_2).read_text()
    root = certs.load_certificates(pem)[0]
    right = hash_data(root, HashAlgorithm.SHA384).to_json()
    assert delete_hash_data(root, HashAlgorithm.SHA384, NONE) == right
    only256 = delete_hash_data(
        root, HashAlgorithm.SHA384, frozenset({Fault.DELETE_CERTIFICATE_SHA256_ONLY})
    )
    assert only256["hashAlgorithm"] == "SHA256"
    spki = delete_hash_data(
        root, HashAlgorithm.SHA384, frozenset({Fault.DELETE_CERTIFICATE_SPKI_KEY_HASH})
    )
    assert spki["issuerKeyHash"] != right["issuerKeyHash"]
    padded = delete_hash_data(
        root, HashAlgorithm.SHA384, frozenset({Fault.DELETE_CERTIFICATE_PADDED_SERIAL})
    )
    assert padded["serialNumber"] == "00" + right["serialNumber"]
    installed = {certs.serial_hex(root): pem}
    assert certificate_for(installed, right) == root
    assert certificate_for(installed, {"serialNumber": "1"}) is None
