"""The embedded reference CSMS of `octt run`: TLS with a test PKI of its own when the PICS
claims security profiles, and the run configuration that reaches it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from security_support import session_pki

from octt.config import RunConfig
from octt.pics.model import load_pics
from octt.pki.layout import PkiFiles
from octt.reference.embedded import embedded_reference, generated_password
from octt.resources import default_pics_path

PICS = load_pics(default_pics_path())


def test_with_security_profiles_it_serves_tls_with_its_own_pki() -> None:
    async def scenario() -> tuple[RunConfig, str | None, bool]:
        async with embedded_reference(RunConfig(), PICS) as (reference, config):
            assert config.pki_dir is not None
            manifest = PkiFiles(config.pki_dir).manifest()
            assert manifest["host"] == "127.0.0.1" and manifest["cp_id"] == "OCTT-SP3-001"
            return config, reference.tls_url, config.pki_dir.is_dir()

    config, tls_url, existed = asyncio.run(scenario())
    assert existed and config.pki_dir is not None and not Path(config.pki_dir).exists()
    assert tls_url is not None and config.security_profile_urls[3] == tls_url
    assert config.security_profile_urls[1].startswith("ws://")
    assert config.basic_auth_password and len(config.basic_auth_password) == 20


def test_a_given_pki_and_password_are_kept() -> None:
    async def scenario() -> RunConfig:
        given = RunConfig(
            pki_dir=session_pki().directory, basic_auth_password="mine-mine-mine-1234"
        )
        async with embedded_reference(given, PICS) as (_reference, config):
            return config

    config = asyncio.run(scenario())
    assert config.pki_dir == session_pki().directory
    assert config.basic_auth_password == "mine-mine-mine-1234"


def test_without_security_profiles_there_is_no_tls() -> None:
    plain = replace(PICS, security_profiles=frozenset())

    async def scenario() -> tuple[str | None, RunConfig]:
        async with embedded_reference(RunConfig(), plain) as (reference, config):
            return reference.tls_url, config

    tls_url, config = asyncio.run(scenario())
    assert tls_url is None and config.pki_dir is None and config.basic_auth_password is None


def test_generated_passwords_are_random_text() -> None:
    assert generated_password() != generated_password()
