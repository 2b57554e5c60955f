"""The security check helpers: certificate chains of CertificateSigned, certificateHashData,
the same certificate, firmware signatures, and the TLS probe of a server."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

from security_support import HOST, session_pki

from octt.chargepoint.model import ChargePointState
from octt.chargepoint.security import SignedFirmwareRequest
from octt.config import RunConfig
from octt.engine import security_checks
from octt.engine.context import CaseContext
from octt.findings import Finding, Severity
from octt.pki import certs, firmware
from octt.pki.certs import KeyType
from octt.pki.hashdata import HashAlgorithm, hash_data
from octt.pki.layout import Item
from octt.reference.files import firmware_image
from octt.result.model import TlsOutcome
from octt.transport.tls import WHITEPAPER_CIPHER_SUITES


def context(state: ChargePointState | None = None, **extra: Any) -> CaseContext:
    values: dict[str, Any] = {
        "cp": state or ChargePointState.create("CP-1", "v", "m", 1),
        "spec": "SPEC",
        "tls": [],
        "step_path": "1",
        "config": RunConfig(pki_dir=session_pki().directory),
        "csms_url": "ws://127.0.0.1:1",
    }
    values.update(extra)
    return cast(CaseContext, SimpleNamespace(**values))


def run(helper: Any, ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    return list(asyncio.run(helper(ctx, args)))


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def test_certificate_signed_names_each_problem() -> None:
    state = ChargePointState.create("CP-1", "v", "m", 1)
    state.security.cpo_name = "My CPO"
    key = certs.generate_key(KeyType.ECDSA)
    state.security.csr_public_key = key.public_key()
    ca = session_pki().issued(Item.CP_CA)
    csr = certs.build_csr(key, "CP-1", "My CPO")
    good = certs.chain_pem([certs.sign_csr(ca, csr), ca.certificate])
    assert run(security_checks.certificate_signed, context(state), {"chain": good}) == []
    other = certs.chain_pem([certs.sign_csr(ca, csr, subject=certs.name("CP-1", "Other"))])
    [warning] = run(security_checks.certificate_signed, context(state), {"chain": other})
    assert warning.rule.endswith("organization") and warning.severity is Severity.WARNING
    bad = certs.chain_pem(
        [certs.sign_csr(ca, csr, public_key=certs.generate_key(KeyType.ECDSA).public_key())]
    )
    assert rules(run(security_checks.certificate_signed, context(state), {"chain": bad})) == [
        "security.certificate-signed.public-key"
    ]
    assert rules(run(security_checks.certificate_signed, context(state), {})) == [
        "security.certificate-signed.pem"
    ]


def test_certificate_hash_data_against_the_own_computation() -> None:
    pem = session_pki().certificate(Item.CSMS_ROOT_CA_2).read_text()
    root = certs.load_certificates(pem)[0]
    data = hash_data(root, HashAlgorithm.SHA512).to_json()
    helper = security_checks.certificate_hash_data
    assert run(helper, context(), {"certificate": pem, "actual": data}) == []
    padded = {**data, "serialNumber": "00" + data["serialNumber"]}
    [finding] = run(helper, context(), {"certificate": pem, "actual": padded})
    assert finding.rule == "security.certificate-hash-data.serialNumber"
    assert "leading zeroes" in finding.message
    assert rules(run(helper, context(), {"certificate": pem, "actual": None})) == [
        "security.certificate-hash-data"
    ]


def test_same_certificate_compares_certificates_not_text() -> None:
    pem = session_pki().certificate(Item.MANUFACTURER_ROOT_CA).read_text()
    helper = security_checks.same_certificate
    crlf = pem.replace("\n", "\r\n")
    assert run(helper, context(), {"actual": crlf, "expected": pem}) == []
    other = session_pki().certificate(Item.CSMS_ROOT_CA).read_text()
    [finding] = run(helper, context(), {"actual": other, "expected": pem, "rule": "r.x"})
    assert finding.rule == "r.x" and "not the configured certificate" in finding.message
    assert rules(run(helper, context(), {"actual": "x", "expected": pem})) == [
        "security.certificate"
    ]


def test_firmware_signature_valid_invalid_and_not_downloaded() -> None:
    pki = session_pki()
    signing = pki.certificate(Item.FIRMWARE_SIGNING).read_text()
    signature = pki.firmware_signature.read_text().strip()
    state = ChargePointState.create("CP-1", "v", "m", 1)
    state.security.signed_firmware = SignedFirmwareRequest(1, "http://x", signature, signing)
    helper = security_checks.firmware_signature
    [warning] = run(helper, context(state), {"expect": "valid"})
    assert warning.severity is Severity.WARNING and "not downloaded" in warning.message
    state.firmware.downloaded_image = firmware_image()
    assert run(helper, context(state), {"expect": "valid"}) == []
    assert rules(run(helper, context(state), {"expect": "invalid"})) == [
        "security.firmware-signature"
    ]
    state.security.signed_firmware = replace(
        state.security.signed_firmware, signature=firmware.corrupted(signature)
    )
    assert rules(run(helper, context(state), {"expect": "valid"})) == [
        "security.firmware-signature"
    ]
    assert run(helper, context(state), {"expect": "invalid"}) == []


def _server() -> ssl.SSLContext:
    pki = session_pki()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.set_ciphers(WHITEPAPER_CIPHER_SUITES[2].openssl)  # only TLS_RSA_WITH_AES_128_GCM
    server.load_cert_chain(pki.certificate(Item.CSMS_SERVER_RSA), pki.key(Item.CSMS_SERVER_RSA))
    return server


def test_tls_server_probes_each_suite_and_checks_the_certificate() -> None:
    async def scenario() -> tuple[list[Finding], CaseContext]:
        async def handle(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        server = await asyncio.start_server(handle, HOST, 0, ssl=_server())
        port = server.sockets[0].getsockname()[1]
        state = ChargePointState.create("CP-1", "v", "m", 1)
        state.security.profile = 2
        ctx = context(
            state,
            config=RunConfig(
                pki_dir=session_pki().directory,
                security_profile_urls={2: f"wss://localhost:{port}"},
            ),
        )
        try:
            return list(await security_checks.tls_server(ctx, {})), ctx
        finally:
            server.close()

    findings, ctx = asyncio.run(scenario())
    missing = [f.message for f in findings if f.rule == "tls.cipher-suite"]
    assert len(missing) == 3 and not any("TLS_RSA_WITH_AES_128_GCM" in m for m in missing)
    [cn] = [f for f in findings if f.rule == "tls.server-common-name"]
    assert "'127.0.0.1'" in cn.message and "'localhost'" in cn.message
    outcomes = [r.outcome for r in ctx.tls]
    assert outcomes.count(TlsOutcome.ESTABLISHED) == 1 and len(outcomes) == 5


def test_tls_server_on_a_plain_endpoint_is_a_finding() -> None:
    state = ChargePointState.create("CP-1", "v", "m", 1)
    state.security.profile = 1
    findings = run(security_checks.tls_server, context(state), {})
    assert rules(findings) == ["tls.not-tls"]
