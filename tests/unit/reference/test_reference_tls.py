"""The reference CSMS's TLS server context: both server certificates, optional client
certificates from the charge point CA, and the TLS faults."""

from __future__ import annotations

import asyncio
import ssl

from security_support import HOST, session_pki

from octt.pki.layout import Item
from octt.reference.faults import Fault
from octt.reference.tls import WRONG_HOST, ReferenceTls, server_context
from octt.transport import tls
from octt.transport.tls import WHITEPAPER_CIPHER_SUITES, TlsOptions


def files() -> ReferenceTls:
    return ReferenceTls.from_pki(session_pki())


def probe(context: ssl.SSLContext, options: TlsOptions, host: str = HOST) -> tls.ProbeResult:
    async def scenario() -> tls.ProbeResult:
        async def handle(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        try:
            return await tls.probe("127.0.0.1", port, options, server_hostname=host, timeout_s=5)
        finally:
            server.close()

    return asyncio.run(scenario())


def trusting() -> TlsOptions:
    return TlsOptions(ca_file=session_pki().certificate(Item.CSMS_ROOT_CA))


def test_from_pki_names_the_files_and_the_signer() -> None:
    reference = files()
    assert len(reference.server_certificates) == 2 and reference.host == HOST
    assert reference.client_ca == session_pki().certificate(Item.CP_CA)
    signer = reference.signer()
    assert signer is not None and signer.ca.certificate.subject == (
        session_pki().issued(Item.CP_CA).certificate.subject
    )
    assert ReferenceTls(reference.server_certificates).signer() is None


def test_every_whitepaper_suite_and_nothing_older() -> None:
    context = server_context(files(), frozenset())
    for suite in WHITEPAPER_CIPHER_SUITES:
        assert probe(context, tls.suite_options(trusting(), suite)).accepted, suite
    assert not probe(context, tls.legacy_options(trusting())).accepted
    assert context.verify_mode is ssl.CERT_OPTIONAL


def test_tls_faults() -> None:
    missing = server_context(files(), frozenset({Fault.TLS_MISSING_CIPHER_SUITES}))
    assert not any(
        probe(missing, tls.suite_options(trusting(), s)).accepted for s in WHITEPAPER_CIPHER_SUITES
    )
    legacy = server_context(files(), frozenset({Fault.TLS_ALLOWS_LEGACY_VERSIONS}))
    result = probe(legacy, tls.legacy_options(trusting()))
    assert result.accepted or not result.attempted
    wrong_cn = server_context(files(), frozenset({Fault.SERVER_CERTIFICATE_WRONG_CN}))
    accepted = probe(wrong_cn, trusting())
    assert accepted.accepted and accepted.facts is not None
    assert accepted.facts.server_certificates[0].common_name == WRONG_HOST
    wrong_host = server_context(files(), frozenset({Fault.SERVER_CERTIFICATE_WRONG_HOST}))
    assert "not for 127.0.0.1" in probe(wrong_host, trusting()).detail
    untrusted = server_context(files(), frozenset({Fault.SERVER_CERTIFICATE_UNTRUSTED}))
    assert "does not verify" in probe(untrusted, trusting()).detail
