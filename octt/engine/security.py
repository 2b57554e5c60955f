"""How the simulated charge point connects under the OCPP 1.6 security whitepaper ("Improved
security for OCPP 1.6-J", edition 3): security profiles 1–3, their endpoints and credentials,
connections the CSMS must refuse, and the TLS facts of every connection.

- Which profile and identity a case uses: the first of its `security_profiles` that the PICS
  claims, as the charge point identity provisioned for that profile (`sp<N>_charge_point_id`),
  or the run's own profile and charge point (`case_security_profile`, `case_cp_id`).
- What a connection offers (`transport_options_for`): the endpoint of the profile, HTTP Basic
  credentials for profiles 1 and 2 (the charge point's current AuthorizationKey), TLS 1.2+ with
  the server verified against the configured CSMS root for profiles 2 and 3, the client
  certificate for profile 3.
- `connect_refused`: a reconnect the CSMS must refuse (no credentials, the old profile after an
  upgrade, an untrusted client certificate, only unknown subprotocols). An HTTP error on the
  upgrade, a failed TLS handshake, a refused TCP connection or a close right after the upgrade
  (OCPP-J 1.6 §3.1.2 allows that for an unknown subprotocol) count as refusals; anything else is
  an error finding, and the connection is closed again.
- `tls_record`: what the result keeps of a connection's TLS (certificate facts, never a key).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from octt.catalog.model import ClientCertificateChoice, TestCase
from octt.catalog.selection import RunPlan
from octt.chargepoint.model import ChargePointState
from octt.config import RunConfig
from octt.engine.templating import Scope, render
from octt.pics.model import Pics, Profile
from octt.pki import firmware
from octt.pki.certs import Credential
from octt.pki.layout import Item, PkiFiles
from octt.record.model import ConnectionEventKind
from octt.result.model import TlsOutcome, TlsRecord
from octt.transport import credentials, tls
from octt.transport.tls import TlsFacts, TlsOptions
from octt.transport.websocket import (
    OCPP16,
    ConnectFailure,
    ConnectFailureKind,
    TransportClosed,
    TransportOptions,
    WebSocketTransport,
)

if TYPE_CHECKING:
    from octt.engine.context import CaseContext

WHITEPAPER = "Improved security for OCPP 1.6-J ed.3"
SPEC_PROFILES = f"{WHITEPAPER}, security profiles 1-3"
#: After an accepted WebSocket upgrade, how long a close by the CSMS still counts as refusing.
REFUSAL_GRACE_S = 1.0
#: Security profiles whose connections carry HTTP Basic credentials.
BASIC_AUTH_PROFILES = frozenset({1, 2})
TLS_PROFILES = frozenset({2, 3})


# -- which profile, which identity ----------------------------------------------------------------


def case_security_profile(case: TestCase, pics: Pics, config: RunConfig) -> int:
    """The first of the case's security profiles the PICS claims; else the run's profile."""
    for profile in case.security_profiles:
        if profile in pics.security_profiles:
            return profile
    return config.security_profile


def case_cp_id(case: TestCase, pics: Pics, config: RunConfig, profile: int) -> str:
    """The charge point identity the case connects as."""
    data = pics.test_data
    if case.charge_point_id is not None:
        scope = Scope({f: getattr(data, f) for f in data.__dataclass_fields__}, {})
        value = render(case.charge_point_id, scope)
        if isinstance(value, str) and value:
            return value
    if case.security_profiles:
        return data.security_charge_point_id(profile)
    return config.cp_id or data.charge_point_id


@dataclass(frozen=True)
class Identity:
    """A charge point identity the CSMS must hold at a security profile."""

    cp_id: str
    security_profile: int


def identities(plan: RunPlan, pics: Pics, config: RunConfig) -> list[Identity]:
    """The identities the applicable security cases of the plan connect as (for provisioning),
    each once, with the profile the CSMS must hold it at."""
    found: dict[str, Identity] = {}
    for entry in plan.applicable:
        case = entry.case
        if case.profile is not Profile.SECURITY or not case.security_profiles:
            continue
        profile = case_security_profile(case, pics, config)
        cp_id = case_cp_id(case, pics, config, profile)
        found.setdefault(cp_id, Identity(cp_id, profile))
    return list(found.values())


def endpoint_url(config: RunConfig, csms_url: str, profile: int) -> str:
    return config.security_profile_urls.get(profile) or csms_url


# -- what a connection offers ---------------------------------------------------------------------


def configured_client_certificate(config: RunConfig) -> Credential | None:
    """The client certificate of the run configuration (profile 3), if any."""
    config = config.with_pki_defaults()
    if config.tls_client_cert is None or config.tls_client_key is None:
        return None
    if not (config.tls_client_cert.is_file() and config.tls_client_key.is_file()):
        return None
    password = config.tls_client_key_password.encode() if config.tls_client_key_password else None
    return tls.credential_from_files(
        config.tls_client_cert, config.tls_client_key, password=password, label="configured"
    )


def _pki_client_certificate(config: RunConfig, choice: ClientCertificateChoice) -> Credential:
    if config.pki_dir is None:
        raise NoTestMaterial(
            f"the {choice.value} client certificate comes from the run's test PKI"
            " (run config pki_dir, `octt pki init`), and the run has none"
        )
    item = (
        Item.CP_CLIENT_EXPIRED
        if choice is ClientCertificateChoice.EXPIRED
        else (Item.CP_CLIENT_WRONG_CA)
    )
    files = PkiFiles(Path(config.pki_dir))
    return tls.credential_from_files(
        files.certificate(item), files.key(item), label=f"{choice.value} (test PKI)"
    )


class NoTestMaterial(Exception):
    """The step needs test material (a certificate of the test PKI) the run does not have."""


def transport_options_for(
    config: RunConfig,
    csms_url: str,
    cp: ChargePointState,
    *,
    security_profile: int | None = None,
    password: str | None = None,
    with_credentials: bool = True,
    client_certificate: ClientCertificateChoice = ClientCertificateChoice.OWN,
    subprotocols: tuple[str, ...] | None = None,
) -> TransportOptions:
    """How the charge point connects: by default with its current security profile and
    credentials; a reconnect step may name another profile, leave the credentials out or
    present another client certificate."""
    profile = cp.security.profile if security_profile is None else security_profile
    url = endpoint_url(config, csms_url, profile)
    if profile in TLS_PROFILES and not url.startswith("wss://"):
        raise NoTestMaterial(
            f"security profile {profile} needs a wss:// endpoint, and {url} is not one: set"
            f" security_profile_urls.sp{profile} in the run configuration"
        )
    secret: str | bytes | None = None
    if with_credentials and (profile in BASIC_AUTH_PROFILES or profile == 0):
        secret = password if password is not None else cp.security.password
    client: Credential | None = None
    if with_credentials and profile == 3:
        if client_certificate is ClientCertificateChoice.OWN:
            client = cp.security.client_certificate
            if client is None:
                raise NoTestMaterial(
                    "security profile 3 needs the charge point's client certificate: run config"
                    " tls_client_cert and tls_client_key, or pki_dir"
                )
        elif client_certificate is not ClientCertificateChoice.NONE:
            client = _pki_client_certificate(config, client_certificate)
    options = config.with_pki_defaults()
    return TransportOptions(
        csms_url=url,
        cp_id=cp.cp_id,
        subprotocols=subprotocols or (OCPP16,),
        basic_auth_password=secret,
        connect_timeout_s=config.connect_timeout_s,
        max_frame_bytes=config.max_frame_bytes,
        tls_verify=config.tls_verify,
        tls=TlsOptions(
            ca_file=options.tls_ca_file, verify=config.tls_verify, client_certificate=client
        ),
    )


def describe(options: TransportOptions, profile: int) -> str:
    """What a connection offered, in words (no secret)."""
    parts = [f"security profile {profile}", options.url]
    if options.basic_auth_password is not None:
        parts.append("Basic credentials")
    client = options.tls.client_certificate if options.tls is not None else None
    if client is not None and options.url.startswith("wss://"):
        parts.append(f"client certificate ({client.label})")
    parts.append("subprotocols " + ",".join(options.subprotocols))
    return ", ".join(parts)


# -- TLS facts ------------------------------------------------------------------------------------


def tls_record(
    *,
    purpose: str,
    step: str,
    url: str,
    security_profile: int,
    outcome: TlsOutcome,
    facts: TlsFacts | None,
    detail: str = "",
    connection: int | None = None,
) -> TlsRecord:
    return TlsRecord(
        purpose=purpose,
        step=step,
        url=url,
        security_profile=security_profile,
        outcome=outcome,
        detail=detail,
        version=facts.version if facts else "",
        cipher=facts.cipher if facts else "",
        server_certificates=tuple(c.to_json() for c in facts.server_certificates) if facts else (),
        client_certificate=(
            facts.client_certificate.to_json()
            if facts is not None and facts.client_certificate is not None
            else None
        ),
        verified=facts.verified if facts else True,
        connection=connection,
    )


def url_host(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "wss" else 80
    return parts.hostname or "", parts.port or default


# -- a connection the CSMS must refuse ------------------------------------------------------------

_REFUSED_KINDS = frozenset(
    {
        ConnectFailureKind.HTTP_STATUS,
        ConnectFailureKind.HANDSHAKE,
        ConnectFailureKind.TLS,
        ConnectFailureKind.REFUSED,
    }
)


async def connect_refused(ctx: CaseContext, options: TransportOptions, profile: int) -> str:
    """Try a connection the CSMS must refuse; a finding when it does not. The step's detail
    says how it was refused."""
    offered = describe(options, profile)
    connection = ctx.recorder.new_connection()
    try:
        transport = await WebSocketTransport.open(options, ctx.clock)
    except ConnectFailure as exc:
        if exc.kind not in _REFUSED_KINDS:
            event = ctx.recorder.event(connection, ConnectionEventKind.CONNECT_FAILED, exc.detail)
            ctx.error(
                "transport.connect",
                f"{exc.detail} (while checking that the CSMS refuses: {offered})",
                spec=SPEC_PROFILES,
                frames=(event.seq,),
            )
            return ""
        ctx.recorder.event(
            connection, ConnectionEventKind.CONNECT_FAILED, f"refused as expected: {exc.detail}"
        )
        if options.url.startswith("wss://"):
            ctx.tls.append(
                tls_record(
                    purpose="connection the CSMS must refuse",
                    step=ctx.step_path,
                    url=options.url,
                    security_profile=profile,
                    outcome=TlsOutcome.REFUSED,
                    facts=None,
                    detail=exc.detail,
                    connection=connection,
                )
            )
        return f"refused, as required: {exc.detail}"
    event = ctx.recorder.event(
        connection,
        ConnectionEventKind.OPEN,
        f"{options.url} subprotocol={transport.subprotocol or '-'} (the CSMS should refuse)",
    )
    closed_by_csms = await _closed_within(transport, REFUSAL_GRACE_S)
    if options.url.startswith("wss://"):
        ctx.tls.append(
            tls_record(
                purpose="connection the CSMS must refuse",
                step=ctx.step_path,
                url=options.url,
                security_profile=profile,
                outcome=TlsOutcome.REFUSED if closed_by_csms else TlsOutcome.ESTABLISHED,
                facts=transport.tls_facts,
                connection=connection,
            )
        )
    if closed_by_csms:
        ctx.recorder.event(connection, ConnectionEventKind.CLOSE, "closed by the CSMS")
        if transport.subprotocol is None and OCPP16 not in options.subprotocols:
            return "the CSMS completed the upgrade without a subprotocol and closed at once"
        ctx.warn(
            "transport.refused-late",
            f"the CSMS accepted the WebSocket upgrade ({offered}) and only then closed it;"
            " it should refuse the upgrade itself (HTTP 401/403, or a failed TLS handshake)",
            spec=SPEC_PROFILES,
            frames=(event.seq,),
        )
        return "closed by the CSMS right after the upgrade"
    with contextlib.suppress(Exception):
        await transport.close()
    ctx.recorder.event(connection, ConnectionEventKind.CLOSE, "closed by the charge point")
    ctx.error(
        "transport.not-refused",
        f"the CSMS accepted a connection it must refuse: {offered}"
        f" (subprotocol agreed: {transport.subprotocol or 'none'})",
        spec=SPEC_PROFILES,
        frames=(event.seq,),
    )
    return "accepted (it must be refused)"


async def _closed_within(transport: WebSocketTransport, seconds: float) -> bool:
    """Whether the CSMS closes the connection within `seconds` (frames it sends are read and
    dropped: a refused connection has no OCPP conversation)."""

    async def drain() -> None:
        while True:
            await transport.recv()

    try:
        await asyncio.wait_for(drain(), seconds)
    except TransportClosed:
        return True
    except TimeoutError:
        return False
    return True


# -- scope values ---------------------------------------------------------------------------------


def scope_values(ctx: CaseContext) -> dict[str, Any]:
    """{security_profile}, {next_security_profile} (the case's starting profile + 1, as text),
    {new_authorization_key} and the default {invalid_firmware_signature} (the valid one with a
    byte changed)."""
    values: dict[str, Any] = {
        # As text, the way ChangeConfiguration carries the SecurityProfile key.
        "security_profile": str(ctx.security_profile),
        "next_security_profile": str(min(ctx.security_profile + 1, 3)),
        # A password the CSMS may use in TC_073 (a CSMS normally makes its own): 20 random
        # bytes as hex, the AuthorizationKey form (A01).
        "new_authorization_key": credentials.authorization_key(secrets.token_bytes(20)),
    }
    data = ctx.pics.test_data
    if data.invalid_firmware_signature is None and data.firmware_signature:
        values["invalid_firmware_signature"] = firmware.corrupted(data.firmware_signature)
    return values


def secrets_of(passwords: Iterable[bytes | str | None]) -> list[str]:
    """The text forms of passwords a redactor must mask: as configured, as AuthorizationKey
    hex, and as decoded UTF-8."""
    found: list[str] = []
    for password in passwords:
        if password is None:
            continue
        raw = credentials.password_bytes(password)
        if isinstance(password, str):
            found.append(password)
        found.append(credentials.authorization_key(raw))
        found.append(raw.hex())
        text = credentials.printable(raw)
        if text:
            found.append(text)
    return [s for s in found if len(s) >= 4]
