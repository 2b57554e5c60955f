"""How a case connects under the security whitepaper: its profile and identity, the endpoint,
credentials and TLS of each profile, the run's identities to provision, scope values, secrets."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from security_support import session_pki

from octt.catalog.loader import load_catalog
from octt.catalog.model import ClientCertificateChoice
from octt.catalog.selection import select
from octt.chargepoint.model import ChargePointState
from octt.config import RunConfig
from octt.engine import security
from octt.engine.context import CaseContext
from octt.pics.model import load_pics
from octt.pki import firmware
from octt.resources import default_pics_path

PICS = load_pics(default_pics_path())
CATALOG = load_catalog()


def case(case_id: str) -> Any:
    return CATALOG.case(case_id)


def cp(profile: int, cp_id: str = "CP-1") -> ChargePointState:
    state = ChargePointState.create(cp_id, "v", "m", 1)
    state.security.profile = profile
    return state


def test_a_case_runs_on_the_first_claimed_profile_as_its_identity() -> None:
    config = RunConfig()
    only_2_3 = replace(PICS, security_profiles=frozenset({2, 3}))
    assert security.case_security_profile(case("TC_073_CSMS"), PICS, config) == 1
    assert security.case_security_profile(case("TC_073_CSMS"), only_2_3, config) == 2
    assert (
        security.case_security_profile(case("TC_001_CSMS"), PICS, RunConfig(security_profile=2))
        == 2
    )
    assert security.case_cp_id(case("TC_087_CSMS"), PICS, config, 3) == "OCTT-SP3-001"
    assert security.case_cp_id(case("TC_083_CSMS"), PICS, config, 1) == "OCTT-UPG-001"
    assert security.case_cp_id(case("TC_001_CSMS"), PICS, RunConfig(cp_id="MINE"), 0) == "MINE"


def test_identities_to_provision_each_once_at_its_profile() -> None:
    plan = select(CATALOG, PICS, profiles=[case("TC_073_CSMS").profile])
    found = {i.cp_id: i.security_profile for i in security.identities(plan, PICS, RunConfig())}
    assert found == {"OCTT-SP1-001": 1, "OCTT-SP2-001": 2, "OCTT-SP3-001": 3, "OCTT-UPG-001": 1}


def test_endpoints_and_credentials_per_profile() -> None:
    config = RunConfig(security_profile_urls={2: "wss://h:1/ocpp"}, basic_auth_password="pw")
    plain = cp(1)
    plain.security.password = b"secret-password-1"
    options = security.transport_options_for(config, "ws://h:2/ocpp", plain)
    assert (
        options.url == "ws://h:2/ocpp/CP-1" and options.basic_auth_password == b"secret-password-1"
    )
    tls = security.transport_options_for(config, "ws://h:2/ocpp", plain, security_profile=2)
    assert tls.url.startswith("wss://h:1/") and tls.tls is not None and tls.tls.verify
    none = security.transport_options_for(config, "ws://h", plain, with_credentials=False)
    assert none.basic_auth_password is None
    assert "Basic credentials" in security.describe(options, 1)
    assert "secret" not in security.describe(options, 1) + repr(options)


def test_profile_3_presents_the_client_certificate_or_says_what_is_missing() -> None:
    pki = session_pki().directory
    config = RunConfig(pki_dir=pki)
    state = cp(3)
    with pytest.raises(security.NoTestMaterial, match="client certificate"):
        security.transport_options_for(config, "wss://h", state)
    state.security.client_certificate = security.configured_client_certificate(config)
    options = security.transport_options_for(config, "wss://h", state)
    assert options.tls is not None and options.tls.client_certificate is not None
    assert options.tls.ca_file == pki / "csms-root-ca.pem"
    assert options.basic_auth_password is None  # profile 3 authenticates with the certificate
    expired = security.transport_options_for(
        config, "wss://h", state, client_certificate=ClientCertificateChoice.EXPIRED
    )
    assert expired.tls is not None and expired.tls.client_certificate is not None
    assert "expired" in expired.tls.client_certificate.label
    with pytest.raises(security.NoTestMaterial, match="pki_dir"):
        security.transport_options_for(
            RunConfig(), "wss://h", state, client_certificate=ClientCertificateChoice.WRONG_CA
        )
    assert security.configured_client_certificate(RunConfig()) is None
    missing = RunConfig(tls_client_cert=Path("/nonexistent.pem"), tls_client_key=Path("/x.key"))
    assert security.configured_client_certificate(missing) is None


def test_scope_values_and_the_default_invalid_signature() -> None:
    ctx = cast(CaseContext, SimpleNamespace(security_profile=2, pics=PICS))
    values = security.scope_values(ctx)
    assert values["security_profile"] == "2" and values["next_security_profile"] == "3"
    assert len(bytes.fromhex(values["new_authorization_key"])) == 20
    signed = replace(PICS, test_data=replace(PICS.test_data, firmware_signature="AAAA"))
    ctx = cast(CaseContext, SimpleNamespace(security_profile=3, pics=signed))
    values = security.scope_values(ctx)
    assert values["next_security_profile"] == "3"
    assert values["invalid_firmware_signature"] == firmware.corrupted("AAAA")


def test_secrets_in_every_form_a_redactor_must_mask() -> None:
    found = security.secrets_of(["Secret-Passw0rd-1234", None, "41" * 20])
    assert "Secret-Passw0rd-1234" in found
    assert b"Secret-Passw0rd-1234".hex().upper() in found
    assert "A" * 20 in found and "41" * 20 in found


def test_url_host() -> None:
    assert security.url_host("wss://csms.example:8443/ocpp") == ("csms.example", 8443)
    assert security.url_host("wss://csms.example/ocpp") == ("csms.example", 443)
    assert security.url_host("ws://[::1]/x") == ("::1", 80)


def test_a_refusal_is_recognised_and_an_acceptance_is_a_finding() -> None:
    from octt.clock import SystemClock
    from octt.record.redact import Redactor
    from octt.record.trace import Recorder
    from octt.reference.server import ReferenceConfig, ReferenceCsms

    findings: list[Any] = []

    async def scenario() -> tuple[str, str]:
        async with ReferenceCsms(ReferenceConfig()) as csms:
            csms.store.set_password("CP-1", "a-password-of-20-ch")
            clock = SystemClock()
            ctx = cast(
                CaseContext,
                SimpleNamespace(
                    recorder=Recorder(clock, Redactor()),
                    clock=clock,
                    tls=[],
                    step_path="1",
                    error=lambda rule, message, **k: findings.append(rule),
                    warn=lambda rule, message, **k: findings.append(rule),
                ),
            )
            state = cp(1)
            refused_options = security.transport_options_for(
                RunConfig(), csms.ocpp_url, state, with_credentials=False
            )
            refused = await security.connect_refused(ctx, refused_options, 1)
            state.security.password = b"a-password-of-20-ch"
            accepted_options = security.transport_options_for(RunConfig(), csms.ocpp_url, state)
            accepted = await security.connect_refused(ctx, accepted_options, 1)
            return refused, accepted

    refused, accepted = asyncio.run(scenario())
    assert "HTTP 401" in refused
    assert accepted.startswith("accepted") and findings == ["transport.not-refused"]


def test_a_tls_profile_needs_a_wss_endpoint() -> None:
    with pytest.raises(security.NoTestMaterial, match=r"security_profile_urls\.sp2"):
        security.transport_options_for(RunConfig(), "ws://csms/ocpp", cp(2))
