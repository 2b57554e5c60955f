"""Check helpers for the computational parts of the security cases (OCPP 1.6 security
whitepaper, edition 3), registered in `octt.engine.checks`:

- `tls_server` (TC_086, TC_087): TLS 1.2 or higher and nothing older; each of the whitepaper's
  four cipher suites probed with a handshake of its own; every server certificate the CSMS
  presents with a key of at least 2048 bits (RSA) or 224 bits (EC), a serial number, and the
  server's host name as subject CN. Every probe is recorded in the case's TLS facts.
- `certificate_signed` (TC_074, TC_077, TC_083): the certificateChain of CertificateSigned.req
  is PEM, its leaf carries the key of the charge point's CSR, CN = the charge point's identity,
  a key of sufficient length, each certificate signed by the next, valid now.
- `certificate_hash_data` (TC_076): a certificateHashData the CSMS sent equals the charge
  point's own computation for the certificate (issuerNameHash, issuerKeyHash, serialNumber).
- `same_certificate` (TC_075, TC_078, TC_080): a certificate the CSMS sent is the configured one
  (compared as certificates, so line endings and PEM wrapping do not matter).
- `firmware_signature` (TC_080, TC_081): the signature of SignedUpdateFirmware.req verifies
  the downloaded firmware with the signing certificate — or, where the CSMS was asked for an
  invalid one, does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from octt.chargepoint import security as cp_security
from octt.engine.security import (
    WHITEPAPER,
    NoTestMaterial,
    tls_record,
    transport_options_for,
    url_host,
)
from octt.findings import Finding, Severity
from octt.pki import certs, firmware, hashdata
from octt.pki.certs import CertificateError
from octt.result.model import TlsOutcome, TlsRecord
from octt.transport import tls
from octt.transport.tls import TlsOptions

if TYPE_CHECKING:
    from octt.engine.context import CaseContext

SPEC_TLS = f"{WHITEPAPER}, security profiles 2 and 3 (TLS); TC_086/TC_087"
SPEC_CERTIFICATE_SIGNED = f"{WHITEPAPER}, use case A02 (Update Charge Point Certificate)"
SPEC_HASH_DATA = f"{WHITEPAPER}, CertificateHashDataType; use case M04"
SPEC_FIRMWARE = f"{WHITEPAPER}, use case L01 (Secure Firmware Update)"
#: How long one probe handshake may take.
PROBE_TIMEOUT_S = 5.0
_GOOD_VERSIONS = frozenset({"TLSv1.2", "TLSv1.3"})


def _finding(rule: str, message: str, spec: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, severity, message, spec)


# -- tls_server ------------------------------------------------------------------------------------


async def tls_server(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """Probe the TLS endpoint of the charge point's current security profile."""
    profile = ctx.cp.security.profile
    try:
        options = transport_options_for(ctx.config, ctx.csms_url, ctx.cp, security_profile=profile)
    except NoTestMaterial as exc:
        return [_finding("tls.not-checked", f"not checked: {exc}", SPEC_TLS, Severity.WARNING)]
    url = options.url
    if not url.startswith("wss://"):
        return [
            _finding(
                "tls.not-tls",
                f"the endpoint of security profile {profile} is not a TLS endpoint ({url})",
                SPEC_TLS,
            )
        ]
    host, port = url_host(url)
    base = options.tls or TlsOptions(verify=ctx.config.tls_verify)
    findings: list[Finding] = []
    seen: list[TlsRecord] = [r for r in ctx.tls if r.outcome is TlsOutcome.ESTABLISHED]

    async def probe(purpose: str, probe_options: TlsOptions) -> tls.ProbeResult:
        result = await tls.probe(
            host, port, probe_options, server_hostname=host, timeout_s=PROBE_TIMEOUT_S
        )
        record = tls_record(
            purpose=purpose,
            step=ctx.step_path,
            url=url,
            security_profile=profile,
            outcome=TlsOutcome.ESTABLISHED if result.accepted else TlsOutcome.FAILED,
            facts=result.facts,
            detail=result.detail,
        )
        ctx.tls.append(record)
        if result.accepted:
            seen.append(record)
        return result

    if args.get("cipher_suites", True):
        for suite in tls.WHITEPAPER_CIPHER_SUITES:
            result = await probe(f"cipher suite {suite.iana}", tls.suite_options(base, suite))
            if not result.accepted:
                findings.append(
                    _finding(
                        "tls.cipher-suite",
                        f"the CSMS does not accept {suite.iana} ({result.detail}); the whitepaper"
                        " requires all four of its cipher suites",
                        SPEC_TLS,
                    )
                )
    if args.get("legacy_versions", True):
        result = await probe("TLS 1.0/1.1 (must be refused)", tls.legacy_options(base))
        if result.accepted and result.facts is not None:
            findings.append(
                _finding(
                    "tls.version",
                    f"the CSMS accepts {result.facts.version}; only TLS 1.2 or higher is allowed",
                    SPEC_TLS,
                )
            )
    if not args.get("certificates", True):
        return findings  # a probe on its own (e.g. the advisory TLS 1.0/1.1 refusal)
    for record in seen:
        if record.version and record.version not in _GOOD_VERSIONS:
            findings.append(
                _finding("tls.version", f"{record.purpose} used {record.version}", SPEC_TLS)
            )
    findings += _server_certificate_findings(seen, host, args)
    return findings


def _server_certificate_findings(
    records: list[TlsRecord], host: str, args: Mapping[str, Any]
) -> list[Finding]:
    findings: list[Finding] = []
    checked: set[str] = set()
    for record in records:
        if not record.server_certificates:
            continue
        leaf = record.server_certificates[0]
        fingerprint = str(leaf.get("sha256", ""))
        if fingerprint in checked:
            continue
        checked.add(fingerprint)
        kind, bits = str(leaf.get("key_type")), int(leaf.get("key_bits", 0))
        what = f"the server certificate {leaf.get('subject')!r} ({kind} {bits} bits)"
        if args.get("key_size", True):
            minimum = certs.MIN_EC_BITS if kind == "EC" else certs.MIN_RSA_BITS
            if kind not in ("RSA", "DSA", "EC") or bits < minimum:
                findings.append(
                    _finding(
                        "tls.server-key",
                        f"{what}: the key must have at least 2048 bits (RSA/DSA) or 224 bits (EC)",
                        SPEC_TLS,
                    )
                )
        if not leaf.get("serial") or str(leaf.get("serial")) == "0":
            findings.append(_finding("tls.server-serial", f"{what} has no serial number", SPEC_TLS))
        if args.get("common_name", True):
            cn = leaf.get("common_name")
            if not isinstance(cn, str) or cn.lower() != host.lower():
                findings.append(
                    _finding(
                        "tls.server-common-name",
                        f"{what} has subject CN {cn!r}; it must be the server's host name {host!r}",
                        SPEC_TLS,
                    )
                )
    return findings


# -- certificate_signed ----------------------------------------------------------------------------


async def certificate_signed(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """args: chain (the certificateChain the CSMS sent)."""
    chain = args.get("chain")
    if not isinstance(chain, str):
        return [
            _finding(
                "security.certificate-signed.pem",
                "no certificateChain to check",
                SPEC_CERTIFICATE_SIGNED,
            )
        ]
    problems = cp_security.check_certificate_chain(
        chain,
        cp_id=ctx.cp.cp_id,
        csr_public_key=ctx.cp.security.csr_public_key,
        at=ctx.cp.now(),
    )
    findings = [
        _finding(
            f"security.certificate-signed.{kind.value}",
            f"CertificateSigned.req certificateChain: {text}",
            SPEC_CERTIFICATE_SIGNED,
        )
        for kind, text in problems
    ]
    expected_o = ctx.cp.security.cpo_name
    if not problems and expected_o:
        organization = certs.organization(certs.load_certificates(chain)[0].subject)
        if organization != expected_o:
            findings.append(
                _finding(
                    "security.certificate-signed.organization",
                    f"the new certificate's O is {organization!r}; the CSR asked for the CpoName"
                    f" {expected_o!r}",
                    SPEC_CERTIFICATE_SIGNED,
                    Severity.WARNING,
                )
            )
    return findings


# -- certificate_hash_data -------------------------------------------------------------------------


async def certificate_hash_data(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """args: certificate (PEM of the installed certificate), actual (certificateHashData)."""
    actual = args.get("actual")
    try:
        certificate = certs.load_certificates(str(args.get("certificate", "")))[0]
    except CertificateError as exc:
        raise ValueError(f"certificate_hash_data: the certificate is unusable: {exc}") from None
    if not isinstance(actual, Mapping):
        return [
            _finding(
                "security.certificate-hash-data",
                f"no certificateHashData to check (got {actual!r})",
                SPEC_HASH_DATA,
            )
        ]
    findings = []
    for mismatch in hashdata.compare(certificate, actual):
        hint = f" ({mismatch.hint})" if mismatch.hint else ""
        findings.append(
            _finding(
                f"security.certificate-hash-data.{mismatch.field}",
                f"certificateHashData.{mismatch.field} is {mismatch.actual!r}; the certificate's"
                f" is {mismatch.expected!r}{hint}",
                SPEC_HASH_DATA,
            )
        )
    return findings


# -- same_certificate ----------------------------------------------------------------------------


async def same_certificate(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """args: actual (PEM the CSMS sent), expected (PEM of the test data), what (the field),
    rule (the finding's rule)."""
    what = str(args.get("what", "the certificate"))
    rule = str(args.get("rule", "security.certificate"))
    try:
        expected = certs.load_certificates(str(args.get("expected", "")))[0]
    except CertificateError as exc:
        raise ValueError(f"same_certificate: the expected certificate is unusable: {exc}") from None
    try:
        actual = certs.load_certificates(str(args.get("actual", "")))[0]
    except CertificateError as exc:
        return [_finding(rule, f"{what} is not a PEM certificate: {exc}", ctx.spec)]
    if certs.fingerprint(actual) != certs.fingerprint(expected):
        return [
            _finding(
                rule,
                f"{what} is {actual.subject.rfc4514_string()!r} (SHA-256"
                f" {certs.fingerprint(actual)[:16]}…), not the configured certificate"
                f" {expected.subject.rfc4514_string()!r}",
                ctx.spec,
            )
        ]
    return []


# -- firmware_signature ----------------------------------------------------------------------------


async def firmware_signature(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """args: expect = valid | invalid (what the CSMS was asked to send)."""
    expect_valid = str(args.get("expect", "valid")) == "valid"
    request = ctx.cp.security.signed_firmware
    if request is None:
        raise ValueError("firmware_signature: the charge point accepted no SignedUpdateFirmware")
    image = ctx.cp.firmware.downloaded_image
    if image is None:
        return [
            _finding(
                "security.firmware-signature.not-verified",
                "the signature was not verified: the firmware was not downloaded (real transfers"
                " are off, or the download failed)",
                SPEC_FIRMWARE,
                Severity.WARNING,
            )
        ]
    result = firmware.verify(request.signing_certificate, image, request.signature)
    if expect_valid and not result.valid:
        return [
            _finding(
                "security.firmware-signature",
                f"firmware.signature of SignedUpdateFirmware.req: {result.detail}",
                SPEC_FIRMWARE,
            )
        ]
    if not expect_valid and result.valid:
        return [
            _finding(
                "security.firmware-signature",
                "the CSMS was asked for an invalid signature, but firmware.signature verifies the"
                f" firmware ({result.scheme})",
                SPEC_FIRMWARE,
            )
        ]
    return []
