"""TLS of the reference CSMS (security profiles 2 and 3 of the OCPP 1.6 security whitepaper,
edition 3): its server certificates, the client certificates it trusts, and the faults that
weaken them on purpose.

`ReferenceTls` names the files: server certificates with their keys (an RSA and an ECDSA one, so
all four whitepaper cipher suites work: TLS_ECDHE_ECDSA_* need an EC key, TLS_RSA_* an RSA key),
the charge point CA whose client certificates it accepts (profile 3), and that CA's key, with
which it signs charge point CSRs (`from_pki` takes them from an `octt pki init` folder).
`server_context` makes the SSL context: TLS 1.2 or higher, exactly the whitepaper's suites (and
ECDHE-RSA for modern clients), client certificates requested but optional (a profile 2 charge
point has none; the handshake rule of `octt.reference.security` decides per charge point).
Faults replace the server certificate (another CN, another host, an untrusted CA), drop cipher
suites, allow TLS 1.0/1.1, or stop checking the client certificate's validity period.
"""

from __future__ import annotations

import datetime
import os
import ssl
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from octt.pki import certs
from octt.pki.certs import Issued, KeyType, Usage
from octt.pki.layout import Item, PkiFiles
from octt.reference.faults import Fault
from octt.reference.security import CsrSigner

#: What Fault.TLS_MISSING_CIPHER_SUITES leaves: one strong suite, not one of the whitepaper's.
ONLY_SUITE = "ECDHE-RSA-AES128-GCM-SHA256"
#: The host a certificate is for under Fault.SERVER_CERTIFICATE_WRONG_HOST (and the CN of
#: Fault.SERVER_CERTIFICATE_WRONG_CN).
WRONG_HOST = "wrong-host.octt.invalid"
_SUITES = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "AES128-GCM-SHA256:AES256-GCM-SHA384"
)
#: OpenSSL's X509_V_FLAG_NO_CHECK_TIME: certificates are not checked against the clock.
_NO_CHECK_TIME = 0x200000


@dataclass(frozen=True)
class ServerCertificate:
    certificate: Path
    key: Path


@dataclass(frozen=True)
class ReferenceTls:
    """The TLS files of a reference CSMS."""

    server_certificates: tuple[ServerCertificate, ...]
    client_ca: Path | None = None  # trusted issuer of client certificates (profile 3)
    signing_ca: ServerCertificate | None = None  # the CA that signs charge point CSRs
    host: str = "127.0.0.1"  # the name its server certificates are for

    @classmethod
    def from_pki(cls, files: PkiFiles) -> ReferenceTls:
        """Both server certificates, the charge point CA to trust and to sign with."""
        manifest = files.manifest()
        return cls(
            server_certificates=tuple(
                ServerCertificate(files.certificate(item), files.key(item))
                for item in (Item.CSMS_SERVER_RSA, Item.CSMS_SERVER_ECDSA)
            ),
            client_ca=files.certificate(Item.CP_CA),
            signing_ca=ServerCertificate(files.certificate(Item.CP_CA), files.key(Item.CP_CA)),
            host=str(manifest.get("host", "127.0.0.1")),
        )

    def signer(self) -> CsrSigner | None:
        if self.signing_ca is None:
            return None
        certificate = certs.load_certificates(self.signing_ca.certificate.read_text("ascii"))[0]
        key = certs.load_private_key(self.signing_ca.key.read_bytes())
        return CsrSigner(Issued(certificate, key))

    def _csms_root(self) -> Issued | None:
        """The CA of the first server certificate, when its key is beside it (an octt PKI)."""
        folder = self.server_certificates[0].certificate.parent
        root, key = (
            folder / f"{Item.CSMS_ROOT_CA.value}.pem",
            folder / f"{Item.CSMS_ROOT_CA.value}.key",
        )
        if not (root.is_file() and key.is_file()):
            return None
        return Issued(
            certs.load_certificates(root.read_text("ascii"))[0],
            certs.load_private_key(key.read_bytes()),
        )


def _write_temporary(folder: Path, name: str, issued: Issued) -> ServerCertificate:
    certificate = folder / f"{name}.pem"
    key = folder / f"{name}.key"
    certificate.write_text(certs.certificate_pem(issued.certificate), encoding="ascii")
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, certs.private_key_pem(issued.key))
    finally:
        os.close(fd)
    return ServerCertificate(certificate, key)


def _faulty_certificate(
    tls: ReferenceTls, faults: frozenset[Fault], folder: Path
) -> ServerCertificate | None:
    """The server certificate a certificate fault serves instead (made now, in `folder`)."""
    if Fault.SERVER_CERTIFICATE_UNTRUSTED in faults:
        issuer = certs.create_ca("octt untrusted CA", certs.generate_key(KeyType.ECDSA))
        hosts: tuple[str, ...] = (tls.host, "localhost", "127.0.0.1")
        common_name = tls.host
    elif Fault.SERVER_CERTIFICATE_WRONG_HOST in faults:
        root = tls._csms_root()
        if root is None:
            return None
        issuer, hosts, common_name = root, (WRONG_HOST,), WRONG_HOST
    elif Fault.SERVER_CERTIFICATE_WRONG_CN in faults:
        root = tls._csms_root()
        if root is None:
            return None
        issuer, hosts, common_name = root, (tls.host, "localhost", "127.0.0.1"), WRONG_HOST
    else:
        return None
    key = certs.generate_key(KeyType.ECDSA)
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    certificate = certs.issue(
        issuer,
        key.public_key(),
        certs.name(common_name),
        Usage.SERVER,
        hosts=hosts,
        valid_from=start,
    )
    return _write_temporary(folder, "faulty-server", Issued(certificate, key))


def server_context(tls: ReferenceTls, faults: frozenset[Fault]) -> ssl.SSLContext:
    """The SSL context of the reference CSMS's TLS server."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if Fault.TLS_ALLOWS_LEGACY_VERSIONS in faults:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers(_SUITES + ":ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0")
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(ONLY_SUITE if Fault.TLS_MISSING_CIPHER_SUITES in faults else _SUITES)
    with tempfile.TemporaryDirectory(prefix="octt-reference-tls-") as folder:
        faulty = _faulty_certificate(tls, faults, Path(folder))
        if faulty is not None:
            context.load_cert_chain(faulty.certificate, faulty.key)
        else:
            for server in tls.server_certificates:
                context.load_cert_chain(server.certificate, server.key)
    if tls.client_ca is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cafile=str(tls.client_ca))
        if Fault.ACCEPTS_EXPIRED_CLIENT_CERTIFICATE in faults:
            context.verify_flags = ssl.VerifyFlags(context.verify_flags | _NO_CHECK_TIME)
    return context
