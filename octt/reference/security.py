"""The security whitepaper ("Improved security for OCPP 1.6-J", edition 3) on the reference CSMS:
who may connect at which security profile, the CA that signs charge point CSRs, the passwords
it hands out, and the certificate hash data it sends back.

- `admission`: the handshake rule per charge point. Profile 0 (no row, no password): anyone.
  Profile 1: HTTP Basic credentials (user = the charge point id, password = its AuthorizationKey
  under the hex rule of `octt.transport.credentials`). Profile 2: TLS and Basic credentials.
  Profile 3: TLS with a client certificate the CSMS's CA issued (verified in the handshake) whose
  CN is the charge point id. A charge point raised to a profile is refused on the profiles below
  (use case A05), unless Fault.ACCEPTS_LOWER_SECURITY_PROFILE.
- `CsrSigner`: signs a charge point's CSR with the charge point CA (use case A02) after checking
  its signature and that its CN is the charge point id; faults sign another key, another CN, or
  send the certificate without its PEM armour.
- `new_authorization_key`: a random 20-byte password as the hex AuthorizationKey (use case A01);
  faults make it too short or not hex.
- `delete_hash_data`: DeleteCertificate's certificateHashData, computed by the CSMS itself for a
  certificate it installed (M04); faults pad the serial number, hash the whole
  SubjectPublicKeyInfo, or ignore the algorithm the charge point reported.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from octt.pki import certs
from octt.pki.certs import CertificateError, Issued, KeyType
from octt.pki.hashdata import HashAlgorithm, hash_data
from octt.reference.faults import Fault
from octt.transport.credentials import authorization_key, parse_basic_auth, password_bytes

#: The CN a certificate gets under Fault.CERTIFICATE_SIGNED_WRONG_CN.
WRONG_CN = "OCTT-WRONG-CN"
#: Bytes of the passwords this CSMS hands out (the most the whitepaper allows).
PASSWORD_BYTES = 20


@dataclass(frozen=True)
class Refusal:
    """Why the CSMS refuses a connection, and the HTTP status it answers the upgrade with:
    401 for missing or wrong Basic credentials, 403 for a connection below the charge point's
    security profile."""

    status: int
    reason: str


@dataclass(frozen=True)
class Peer:
    """What the CSMS knows about a connection attempt before accepting it."""

    charge_point_id: str
    tls: bool
    client_certificate_cn: str | None  # a verified client certificate's CN
    authorization: str | None  # the Authorization header


def _basic_auth_failure(peer: Peer, password: str | None) -> str | None:
    if password is None:
        return "no password is set for this charge point"
    if peer.authorization is None:
        return "no Basic credentials"
    parsed = parse_basic_auth(peer.authorization)
    if parsed is None:
        return "unreadable Basic credentials"
    user, given = parsed
    if not hmac.compare_digest(user, peer.charge_point_id.encode()):
        return "the user name is not the charge point id"
    if not hmac.compare_digest(given, password_bytes(password)):
        return "wrong password"
    return None


def _profile_failure(profile: int, peer: Peer, password: str | None) -> Refusal | None:
    """Why `peer` does not meet `profile` (None: it does)."""
    if profile <= 0:
        return None
    if profile >= 2 and not peer.tls:
        return Refusal(403, f"security profile {profile} requires TLS (wss://)")
    if profile == 3:
        if peer.client_certificate_cn is None:
            return Refusal(403, "security profile 3 requires a client certificate")
        if peer.client_certificate_cn != peer.charge_point_id:
            return Refusal(
                403,
                f"the client certificate is for {peer.client_certificate_cn!r}, not for the"
                " charge point id",
            )
        return None
    failure = _basic_auth_failure(peer, password)
    return Refusal(401, failure) if failure is not None else None


def admission(
    profile: int | None, password: str | None, peer: Peer, faults: frozenset[Fault]
) -> Refusal | None:
    """Why the CSMS refuses `peer` (None: it accepts). `profile` is the charge point's stored
    security profile (None: never set; then Basic authentication when it has a password)."""
    effective = profile if profile is not None else (1 if password is not None else 0)
    missing = Fault.ACCEPTS_MISSING_CREDENTIALS in faults and peer.authorization is None
    if missing and (effective == 1 or (effective == 2 and peer.tls)):
        return None
    failure = _profile_failure(effective, peer, password)
    if failure is None:
        return None
    lower_accepted = Fault.ACCEPTS_LOWER_SECURITY_PROFILE in faults and effective > 1
    if lower_accepted and _profile_failure(effective - 1, peer, password) is None:
        return None
    return failure


# -- CSR signing (A02) ----------------------------------------------------------------------------


class CsrRejected(Exception):
    """The CSMS will not sign this CSR (SignCertificate.conf Rejected)."""


@dataclass(frozen=True)
class CsrSigner:
    """The charge point CA the CSMS signs CSRs with."""

    ca: Issued

    def check(self, csr_pem: str, charge_point_id: str) -> x509.CertificateSigningRequest:
        """The CSR, if the CSMS will sign it: a valid PKCS #10 request whose CN is the charge
        point id; CsrRejected otherwise."""
        try:
            csr = certs.load_csr(csr_pem)
        except CertificateError as exc:
            raise CsrRejected(str(exc)) from None
        if not csr.is_signature_valid:
            raise CsrRejected("the CSR's signature does not verify")
        cn = certs.common_name(csr.subject)
        if cn != charge_point_id:
            raise CsrRejected(f"the CSR's CN is {cn!r}, not the charge point id")
        if not certs.key_strong_enough(csr.public_key()):
            raise CsrRejected("the CSR's key is too short")
        return csr

    def sign(self, csr: x509.CertificateSigningRequest, faults: frozenset[Fault]) -> str:
        """The certificateChain for CertificateSigned.req: the new certificate, then the CA."""
        subject = None
        key = None
        if Fault.CERTIFICATE_SIGNED_WRONG_CN in faults:
            subject = certs.name(WRONG_CN, certs.organization(csr.subject))
        if Fault.CERTIFICATE_SIGNED_WRONG_KEY in faults:
            key = certs.generate_key(KeyType.ECDSA).public_key()
        certificate = certs.sign_csr(self.ca, csr, subject=subject, public_key=key)
        if Fault.CERTIFICATE_SIGNED_NOT_PEM in faults:
            der = certificate.public_bytes(serialization.Encoding.DER)
            return base64.b64encode(der).decode("ascii")
        return certs.chain_pem([certificate, self.ca.certificate])


# -- AuthorizationKey (A01) -----------------------------------------------------------------------


def new_authorization_key(faults: frozenset[Fault]) -> str:
    """The ChangeConfiguration AuthorizationKey value of a new, random password."""
    if Fault.AUTHORIZATION_KEY_NOT_HEX in faults:
        # the password as text instead of hex (and 'x' is no hex digit)
        return "x" + secrets.token_urlsafe(15)[:19]
    size = PASSWORD_BYTES - 5 if Fault.AUTHORIZATION_KEY_TOO_SHORT in faults else PASSWORD_BYTES
    return authorization_key(secrets.token_bytes(size))


# -- DeleteCertificate (M04) ----------------------------------------------------------------------


def delete_hash_data(
    certificate: x509.Certificate, algorithm: HashAlgorithm, faults: frozenset[Fault]
) -> dict[str, Any]:
    """The certificateHashData the CSMS sends to delete `certificate` (a root it installed)."""
    if Fault.DELETE_CERTIFICATE_SHA256_ONLY in faults:
        algorithm = HashAlgorithm.SHA256
    data = hash_data(certificate, algorithm).to_json()
    if Fault.DELETE_CERTIFICATE_SPKI_KEY_HASH in faults:
        spki = certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        data["issuerKeyHash"] = hashlib.new(algorithm.value.lower(), spki).hexdigest()
    if Fault.DELETE_CERTIFICATE_PADDED_SERIAL in faults:
        data["serialNumber"] = "00" + data["serialNumber"]
    return data


def certificate_for(
    installed: Mapping[str, str], hash_data_json: Mapping[str, Any]
) -> x509.Certificate | None:
    """Of the PEM certificates the CSMS installed (serial -> PEM), the one a certificateHashData
    names by its serial number."""
    serial = str(hash_data_json.get("serialNumber", "")).lower().lstrip("0")
    for pem in installed.values():
        try:
            certificate = certs.load_certificates(pem)[0]
        except CertificateError:
            continue
        if certs.serial_hex(certificate).lstrip("0") == serial:
            return certificate
    return None
