"""The bind address rule: loopback serves without a token, anything else needs one."""

from __future__ import annotations

import pytest

from octt.console.server import needs_token


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_needs_no_token(host: str) -> None:
    assert not needs_token(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "lab-pc.example", ""])
def test_any_other_address_needs_a_token(host: str) -> None:
    assert needs_token(host)
