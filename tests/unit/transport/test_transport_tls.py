"""The charge point's TLS: client contexts, handshake facts, single-suite and legacy probes,
against a local TLS server made from the session's test PKI."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import TypeVar

from security_support import HOST, SP3_CP_ID, session_pki

from octt.pki.layout import Item
from octt.transport import tls
from octt.transport.tls import WHITEPAPER_CIPHER_SUITES, TlsOptions


def server_context(*, ciphers: str | None = None) -> ssl.SSLContext:
    pki = session_pki()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(ciphers or ":".join(s.openssl for s in WHITEPAPER_CIPHER_SUITES))
    for item in (Item.CSMS_SERVER_RSA, Item.CSMS_SERVER_ECDSA):
        context.load_cert_chain(pki.certificate(item), pki.key(item))
    context.verify_mode = ssl.CERT_OPTIONAL
    context.load_verify_locations(pki.certificate(Item.CP_CA))
    return context


async def _serve(context: ssl.SSLContext) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    return server, server.sockets[0].getsockname()[1]


def options(**changes: object) -> TlsOptions:
    base = TlsOptions(ca_file=session_pki().certificate(Item.CSMS_ROOT_CA))
    return TlsOptions(**{**base.__dict__, **changes})  # type: ignore[arg-type]


T = TypeVar("T")


def run(coro_factory: Callable[[int], Awaitable[T]]) -> T:
    async def main() -> T:
        server, port = await _serve(server_context())
        try:
            return await coro_factory(port)
        finally:
            server.close()

    return asyncio.run(main())


def test_each_whitepaper_suite_is_probed_with_its_own_handshake() -> None:
    async def probes(port: int) -> list[tls.ProbeResult]:
        return [
            await tls.probe(
                "127.0.0.1",
                port,
                tls.suite_options(options(), suite),
                server_hostname=HOST,
                timeout_s=5,
            )
            for suite in WHITEPAPER_CIPHER_SUITES
        ]

    results = run(probes)
    assert [r.accepted for r in results] == [True] * 4
    kinds = [r.facts.server_leaf.key_type for r in results if r.facts and r.facts.server_leaf]
    assert kinds == ["EC", "EC", "RSA", "RSA"]
    assert {r.facts.version for r in results if r.facts} == {"TLSv1.2"}
    assert results[2].facts is not None and results[2].facts.cipher == "AES128-GCM-SHA256"
    leaf = results[0].facts.server_leaf if results[0].facts else None
    assert (
        leaf is not None
        and leaf.common_name == HOST
        and len(results[0].facts.server_certificates) == 2
    )  # type: ignore[union-attr]


def test_legacy_versions_are_refused_and_an_untrusted_server_is_named() -> None:
    async def probes(port: int) -> tuple[tls.ProbeResult, tls.ProbeResult, tls.ProbeResult]:
        legacy = await tls.probe(
            "127.0.0.1", port, tls.legacy_options(options()), server_hostname=HOST, timeout_s=5
        )
        untrusted = await tls.probe(
            "127.0.0.1",
            port,
            options(ca_file=session_pki().certificate(Item.CP_CA)),
            server_hostname=HOST,
            timeout_s=5,
        )
        wrong_host = await tls.probe(
            "127.0.0.1", port, options(), server_hostname="other.example", timeout_s=5
        )
        return legacy, untrusted, wrong_host

    legacy, untrusted, wrong_host = run(probes)
    assert not legacy.accepted
    assert not untrusted.accepted
    assert "does not verify against the configured CSMS root CA" in untrusted.detail
    assert not wrong_host.accepted and "not for other.example" in wrong_host.detail


def test_client_certificate_is_loaded_from_memory_and_reported() -> None:
    pki = session_pki()
    client = tls.credential_from_files(pki.certificate(Item.CP_CLIENT), pki.key(Item.CP_CLIENT))
    assert "PRIVATE" not in repr(client)

    async def probe(port: int) -> tls.ProbeResult:
        return await tls.probe(
            "127.0.0.1", port, options(client_certificate=client), server_hostname=HOST, timeout_s=5
        )

    result = run(probe)
    assert result.accepted and result.facts is not None
    assert result.facts.client_certificate is not None
    assert result.facts.client_certificate.common_name == SP3_CP_ID
    as_json = result.facts.client_certificate.to_json()
    assert tls.CertificateFacts.from_json(as_json) == result.facts.client_certificate


def test_verification_off_accepts_anything_and_says_so() -> None:
    async def probe(port: int) -> tls.ProbeResult:
        return await tls.probe(
            "127.0.0.1", port, TlsOptions(verify=False), server_hostname="x", timeout_s=5
        )

    result = run(probe)
    assert result.accepted and result.facts is not None and not result.facts.verified


def test_nothing_listening_is_a_refusal_not_an_exception() -> None:
    async def probe() -> tls.ProbeResult:
        server, port = await _serve(server_context())
        server.close()
        await server.wait_closed()
        return await tls.probe("127.0.0.1", port, options(), server_hostname=HOST, timeout_s=2)

    result = asyncio.run(probe())
    assert not result.accepted and result.detail.startswith("refused")
