"""TLS of security profiles 2 and 3 (OCPP 1.6 security whitepaper ed.3): the client context of
the simulated charge point, the facts a handshake establishes, and single-purpose probes.

- `TlsOptions` → `client_context`: TLS 1.2 or higher, the CSMS's certificate verified against the
  configured CSMS root (or the system's roots) including the host name, unless verification is
  explicitly off; for profile 3 the charge point's client certificate. The client key is loaded
  through a private temporary file (mode 0600, deleted at once): Python's ssl module reads keys
  only from files.
- `TlsFacts`: protocol version, cipher suite, the server's certificate chain and the client
  certificate presented (subject, issuer, serial, validity, key type and size, fingerprint) —
  evidence for the result, never a private key.
- `probe`: one handshake with exactly one cipher suite or protocol range (TC_086, TC_087), then
  close: whether the server accepts it, and what it presented.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography import x509

from octt.pki import certs
from octt.pki.certs import Credential

#: `_ssl.ENCODING_DER`: the format argument of the private certificate objects' public_bytes.
_ENCODING_DER = 2
#: The lowest protocol version the whitepaper allows.
MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


@dataclass(frozen=True)
class CipherSuite:
    iana: str  # the name the whitepaper uses
    openssl: str  # the name OpenSSL (and Python's ssl) uses


#: The cipher suites a CSMS must support (whitepaper ed.3, security profiles 2 and 3; TC_086).
WHITEPAPER_CIPHER_SUITES: tuple[CipherSuite, ...] = (
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"),
    CipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"),
    CipherSuite("TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"),
    CipherSuite("TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"),
)


def credential_from_files(
    certificate: Path, key: Path, *, password: bytes | None = None, label: str = ""
) -> Credential:
    """Read a client certificate (chain) and its key; an encrypted key is decrypted with
    `password` and kept in memory only."""
    chain = certificate.read_text(encoding="ascii")
    key_bytes = key.read_bytes()
    if password is not None or b"ENCRYPTED" in key_bytes:
        key_bytes = certs.private_key_pem(certs.load_private_key(key_bytes, password))
    return Credential(chain, key_bytes, label or str(certificate))


@dataclass(frozen=True)
class TlsOptions:
    """How the charge point does TLS."""

    ca_file: Path | None = None  # the CSMS root(s) to trust; None: the system's roots
    verify: bool = True  # False only by the explicit --no-tls-verify (shown on the certificate)
    client_certificate: Credential | None = None
    minimum_version: ssl.TLSVersion = MINIMUM_VERSION
    maximum_version: ssl.TLSVersion | None = None
    ciphers: str | None = None  # an OpenSSL cipher list (probes)


def client_context(options: TlsOptions) -> ssl.SSLContext:
    """The SSL context of one connection of the simulated charge point."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        # Probing whether a server still accepts TLS 1.0/1.1 needs them switched on here.
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = options.minimum_version
        if options.maximum_version is not None:
            context.maximum_version = options.maximum_version
    if options.ciphers is not None:
        context.set_ciphers(options.ciphers)
    if options.verify:
        if options.ca_file is not None:
            context.load_verify_locations(cafile=str(options.ca_file))
        else:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if options.client_certificate is not None:
        load_client_certificate(context, options.client_certificate)
    return context


def load_client_certificate(context: ssl.SSLContext, client: Credential) -> None:
    """Load a client certificate and key held in memory into `context` (via a private
    temporary folder that is removed before this returns)."""
    with tempfile.TemporaryDirectory(prefix="octt-tls-") as folder:
        cert_path = Path(folder) / "client.pem"
        key_path = Path(folder) / "client.key"
        cert_path.write_text(client.chain_pem, encoding="ascii")
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, client.key_pem)
        finally:
            os.close(fd)
        context.load_cert_chain(str(cert_path), str(key_path))


# -- facts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    common_name: str | None
    issuer: str
    serial: str
    not_before: str
    not_after: str
    key_type: str
    key_bits: int
    sha256: str

    @classmethod
    def of(cls, certificate: x509.Certificate) -> CertificateFacts:
        kind, bits = certs.key_description(certificate.public_key())
        return cls(
            subject=certificate.subject.rfc4514_string(),
            common_name=certs.common_name(certificate.subject),
            issuer=certificate.issuer.rfc4514_string(),
            serial=certs.serial_hex(certificate),
            not_before=certificate.not_valid_before_utc.isoformat(),
            not_after=certificate.not_valid_after_utc.isoformat(),
            key_type=kind,
            key_bits=bits,
            sha256=certs.fingerprint(certificate),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "common_name": self.common_name,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "key_type": self.key_type,
            "key_bits": self.key_bits,
            "sha256": self.sha256,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CertificateFacts:
        return cls(
            subject=str(data.get("subject", "")),
            common_name=data.get("common_name"),
            issuer=str(data.get("issuer", "")),
            serial=str(data.get("serial", "")),
            not_before=str(data.get("not_before", "")),
            not_after=str(data.get("not_after", "")),
            key_type=str(data.get("key_type", "")),
            key_bits=int(data.get("key_bits", 0)),
            sha256=str(data.get("sha256", "")),
        )


@dataclass(frozen=True)
class TlsFacts:
    """What one TLS handshake established."""

    version: str
    cipher: str
    cipher_bits: int
    server_certificates: tuple[CertificateFacts, ...]  # leaf first
    client_certificate: CertificateFacts | None = None
    verified: bool = True  # the server's chain was verified (not with --no-tls-verify)

    @property
    def server_leaf(self) -> CertificateFacts | None:
        return self.server_certificates[0] if self.server_certificates else None


def facts_of(ssl_object: Any, options: TlsOptions) -> TlsFacts | None:
    """The facts of an established TLS connection (an ssl.SSLObject or SSLSocket)."""
    if ssl_object is None:
        return None
    cipher = ssl_object.cipher() or ("", "", 0)
    return TlsFacts(
        version=str(ssl_object.version() or ""),
        cipher=str(cipher[0]),
        cipher_bits=int(cipher[2] or 0),
        server_certificates=tuple(CertificateFacts.of(c) for c in _server_chain(ssl_object)),
        client_certificate=(
            CertificateFacts.of(options.client_certificate.leaf)
            if options.client_certificate is not None
            else None
        ),
        verified=options.verify,
    )


def _server_chain(ssl_object: Any) -> list[x509.Certificate]:
    """The chain the server presented: the verified chain where Python (3.11+: the private
    `_sslobj` methods) offers it, else the leaf alone."""
    inner = getattr(ssl_object, "_sslobj", ssl_object)
    for method in ("get_verified_chain", "get_unverified_chain"):
        getter = getattr(inner, method, None)
        if getter is None:
            continue
        with contextlib.suppress(Exception):
            chain = [
                x509.load_der_x509_certificate(c.public_bytes(_ENCODING_DER)) for c in getter()
            ]
            if chain:
                return chain
    der = ssl_object.getpeercert(binary_form=True)
    return [x509.load_der_x509_certificate(der)] if der else []


def failure_detail(exc: BaseException, host: str) -> str:
    """Why a TLS handshake failed, in words a lab understands."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        message = exc.verify_message or str(exc)
        code = exc.verify_code
        if code == 62 or "hostname" in message.lower() or "IP address mismatch" in message:
            return f"the CSMS's server certificate is not for {host} ({message})"
        if code in (10,):
            return f"the CSMS's server certificate has expired ({message})"
        return (
            "the CSMS's server certificate does not verify against the configured CSMS root CA"
            f" ({message})"
        )
    reason = getattr(exc, "reason", None)
    text = str(exc)
    if reason:
        text = f"{reason}: {text}"
    return f"TLS handshake failed: {text}"


# -- probes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeResult:
    accepted: bool
    detail: str
    facts: TlsFacts | None = None
    attempted: bool = True  # False: this machine's TLS library could not even offer it


async def probe(
    host: str, port: int, options: TlsOptions, *, server_hostname: str, timeout_s: float
) -> ProbeResult:
    """One TLS handshake with `options`, then close; never raises for a network problem."""
    try:
        context = client_context(options)
    except ssl.SSLError as exc:
        return ProbeResult(False, f"not offered by this TLS library: {exc}", attempted=False)
    writer: asyncio.StreamWriter | None = None
    try:
        _reader, opened = await asyncio.wait_for(
            asyncio.open_connection(
                host, port, ssl=context, server_hostname=server_hostname or None
            ),
            timeout_s,
        )
        writer = opened
        facts = facts_of(opened.get_extra_info("ssl_object"), options)
    except ssl.SSLError as exc:
        if "NO_PROTOCOLS_AVAILABLE" in str(exc) or "NO_CIPHERS_AVAILABLE" in str(exc):
            return ProbeResult(False, f"not offered by this TLS library: {exc}", attempted=False)
        return ProbeResult(False, failure_detail(exc, server_hostname))
    except TimeoutError:
        return ProbeResult(False, f"no handshake within {timeout_s:g} s")
    except OSError as exc:
        return ProbeResult(False, f"refused: {exc.strerror or type(exc).__name__}")
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
    assert facts is not None
    return ProbeResult(True, f"accepted: {facts.version} {facts.cipher}", facts)


def suite_options(base: TlsOptions, suite: CipherSuite) -> TlsOptions:
    """Probe options offering exactly `suite` (TLS 1.2: the whitepaper's suites are 1.2 suites;
    TLS 1.3 suites cannot be restricted this way)."""
    return replace(
        base,
        minimum_version=ssl.TLSVersion.TLSv1_2,
        maximum_version=ssl.TLSVersion.TLSv1_2,
        ciphers=suite.openssl,
    )


def legacy_options(base: TlsOptions) -> TlsOptions:
    """Probe options offering only TLS 1.0 and 1.1 (which a CSMS must refuse)."""
    return replace(
        base,
        minimum_version=ssl.TLSVersion.TLSv1,
        maximum_version=ssl.TLSVersion.TLSv1_1,
        ciphers="DEFAULT:@SECLEVEL=0",
    )
