"""Keys, certificates and certificate signing requests (X.509, RFC 5280; PKCS #10, RFC 2986).

What the OCPP 1.6 security whitepaper (edition 3, "Certificate properties") asks of the
certificates octt makes and judges: keys of at least 2048 bits (RSA) or 224 bits (elliptic
curve), SHA-256 signatures, PEM encoding, the charge point certificate's subject with the
CpoName in O and the charge point's identity in CN, the CSMS certificate's CN equal to the
server's host name. Pure functions over `cryptography` objects; private keys are only ever
written by `private_key_pem`, for files made with mode 0600 (`octt.pki.layout`).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

#: Smallest key sizes the whitepaper allows for TLS and charge point certificates.
MIN_RSA_BITS = 2048
MIN_EC_BITS = 224

_PEM_CERTIFICATE_BEGIN = "-----BEGIN CERTIFICATE-----"


class KeyType(StrEnum):
    RSA = "rsa"
    ECDSA = "ecdsa"


class Usage(StrEnum):
    """What a certificate is for (its key usage and extended key usage)."""

    CA = "ca"
    SERVER = "server"
    CLIENT = "client"
    CODE_SIGNING = "code-signing"


class CertificateError(ValueError):
    """Text that should hold PEM certificates (or a CSR) does not."""


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key (a CA, or an end entity the PKI made)."""

    certificate: x509.Certificate
    key: PrivateKey = field(repr=False)


@dataclass(frozen=True)
class Credential:
    """What a TLS client presents: its certificate chain (PEM, leaf first) and private key
    (PEM, held in memory; never written to a report)."""

    chain_pem: str
    key_pem: bytes = field(repr=False)
    label: str = ""  # where it came from, for reports ("configured", "renewed", ...)

    @property
    def leaf(self) -> x509.Certificate:
        return load_certificates(self.chain_pem)[0]

    @classmethod
    def of(
        cls, certificates: Sequence[x509.Certificate], key: PrivateKey, label: str
    ) -> Credential:
        return cls(chain_pem(certificates), private_key_pem(key), label)


def generate_key(key_type: KeyType, *, rsa_bits: int = 2048) -> PrivateKey:
    """A fresh private key: RSA (e = 65537) or ECDSA on P-256."""
    if key_type is KeyType.RSA:
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str, organization: str | None = None) -> x509.Name:
    attributes = []
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _validity(
    valid_from: datetime.datetime | None, valid_until: datetime.datetime | None, days: int
) -> tuple[datetime.datetime, datetime.datetime]:
    start = valid_from or now() - datetime.timedelta(hours=1)
    return start, valid_until or start + datetime.timedelta(days=days)


def create_ca(
    common_name: str,
    key: PrivateKey,
    *,
    organization: str | None = None,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
) -> Issued:
    """A self-signed root CA certificate (basicConstraints CA, keyCertSign and cRLSign)."""
    subject = name(common_name, organization)
    start, end = _validity(valid_from, valid_until, 3650)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(Usage.CA, key.public_key()), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def _key_usage(usage: Usage, public_key: PublicKey) -> x509.KeyUsage:
    ca = usage is Usage.CA
    signing = usage in (Usage.CA, Usage.CODE_SIGNING)
    tls = usage in (Usage.SERVER, Usage.CLIENT)
    return x509.KeyUsage(
        digital_signature=tls or usage is Usage.CODE_SIGNING,
        content_commitment=False,
        # RSA key exchange (TLS_RSA_WITH_AES_*_GCM_*) encrypts the premaster secret to the key.
        key_encipherment=tls and isinstance(public_key, rsa.RSAPublicKey),
        data_encipherment=False,
        key_agreement=tls and isinstance(public_key, ec.EllipticCurvePublicKey),
        key_cert_sign=ca,
        crl_sign=ca and signing,
        encipher_only=False,
        decipher_only=False,
    )


def _san(hosts: Iterable[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            entries.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(entries)


def issue(
    issuer: Issued,
    public_key: PublicKey,
    subject: x509.Name,
    usage: Usage,
    *,
    hosts: Sequence[str] = (),
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
) -> x509.Certificate:
    """A certificate for `public_key` signed by `issuer` (SHA-256); `hosts` become the
    subjectAltName of a server certificate (DNS names and IP addresses)."""
    start, end = _validity(valid_from, valid_until, 730)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=usage is Usage.CA, path_length=None), critical=True)
        .add_extension(_key_usage(usage, public_key), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    )
    purposes = {
        Usage.SERVER: [ExtendedKeyUsageOID.SERVER_AUTH],
        Usage.CLIENT: [ExtendedKeyUsageOID.CLIENT_AUTH],
        Usage.CODE_SIGNING: [ExtendedKeyUsageOID.CODE_SIGNING],
    }.get(usage)
    if purposes:
        builder = builder.add_extension(x509.ExtendedKeyUsage(purposes), critical=False)
    if hosts:
        builder = builder.add_extension(_san(hosts), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def build_csr(
    key: PrivateKey, common_name: str, organization: str | None
) -> x509.CertificateSigningRequest:
    """The CSR a charge point sends in SignCertificate.req (whitepaper ed.3, use cases A02/A03:
    subject O = the CpoName configuration key, CN = the charge point's identity)."""
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(name(common_name, organization))
        .sign(key, hashes.SHA256())
    )


def load_csr(pem: str) -> x509.CertificateSigningRequest:
    try:
        return x509.load_pem_x509_csr(pem.encode())
    except ValueError as exc:
        raise CertificateError(f"not a PEM certificate signing request: {exc}") from None


def sign_csr(
    issuer: Issued,
    csr: x509.CertificateSigningRequest,
    *,
    subject: x509.Name | None = None,
    public_key: PublicKey | None = None,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
) -> x509.Certificate:
    """A client certificate for the CSR's key and subject, signed by `issuer` (a CA signing a
    charge point's CSR). `subject`/`public_key` replace the CSR's (only faults do that)."""
    if not csr.is_signature_valid:
        raise CertificateError("the CSR's self-signature does not verify")
    key = public_key or csr.public_key()
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise CertificateError(f"unsupported CSR key type {type(key).__name__}")
    return issue(
        issuer,
        key,
        subject or csr.subject,
        Usage.CLIENT,
        valid_from=valid_from,
        valid_until=valid_until,
    )


# -- PEM -------------------------------------------------------------------------------------


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def chain_pem(certificates: Iterable[x509.Certificate]) -> str:
    return "".join(certificate_pem(c) for c in certificates)


def csr_pem(csr: x509.CertificateSigningRequest) -> str:
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def private_key_pem(key: PrivateKey) -> bytes:
    """PKCS #8 PEM of a private key, unencrypted: only for a file made with mode 0600."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(data: bytes, password: bytes | None = None) -> PrivateKey:
    key = serialization.load_pem_private_key(data, password)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateError(f"unsupported private key type {type(key).__name__}")
    return key


def load_certificates(pem: str) -> list[x509.Certificate]:
    """Every certificate of a PEM text, in order; CertificateError unless there is at least one
    and the text is PEM (not DER, not base64 without the armour)."""
    if _PEM_CERTIFICATE_BEGIN not in pem:
        raise CertificateError("no PEM certificate ('-----BEGIN CERTIFICATE-----') in the text")
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError as exc:
        raise CertificateError(f"not a valid PEM certificate: {exc}") from None
    return certificates


# -- facts -----------------------------------------------------------------------------------


def attribute(subject: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def common_name(subject: x509.Name) -> str | None:
    return attribute(subject, NameOID.COMMON_NAME)


def organization(subject: x509.Name) -> str | None:
    return attribute(subject, NameOID.ORGANIZATION_NAME)


def key_description(public_key: object) -> tuple[str, int]:
    """("RSA", 2048), ("EC", 256), ("DSA", 2048) or (type name, 0)."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA", public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "EC", public_key.curve.key_size
    if isinstance(public_key, dsa.DSAPublicKey):
        return "DSA", public_key.key_size
    return type(public_key).__name__, 0


def key_strong_enough(public_key: object) -> bool:
    """At least 2048 bits RSA/DSA or 224 bits EC (whitepaper ed.3; TC_074, TC_086)."""
    kind, bits = key_description(public_key)
    if kind in ("RSA", "DSA"):
        return bits >= MIN_RSA_BITS
    if kind == "EC":
        return bits >= MIN_EC_BITS
    return False


def same_public_key(a: object, b: object) -> bool:
    def spki(key: object) -> bytes:
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | dsa.DSAPublicKey):
            return b""
        return key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    first = spki(a)
    return bool(first) and first == spki(b)


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, hex."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def serial_hex(certificate: x509.Certificate) -> str:
    """The serial number as lower-case hex without leading zeros."""
    return format(certificate.serial_number, "x")


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer`'s key signed `certificate` (and the names chain)."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return constraints.value.ca


def valid_at(certificate: x509.Certificate, moment: datetime.datetime) -> bool:
    return certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc
