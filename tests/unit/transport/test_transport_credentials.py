"""Basic credentials of security profiles 1 and 2: the AuthorizationKey rules (as the OCTT
reads its BasicAuthPassword)."""

from __future__ import annotations

import base64

import pytest

from octt.transport import credentials


def test_hex_of_16_to_20_bytes_is_decoded_other_text_is_utf8() -> None:
    assert credentials.password_bytes("30" * 16) == b"0" * 16
    assert credentials.password_bytes("aB" * 20) == bytes.fromhex("ab" * 20)
    assert credentials.password_bytes("a-plain-password") == b"a-plain-password"
    assert credentials.password_bytes("0" * 33) == b"0" * 33  # odd: not hex
    assert credentials.password_bytes("ab" * 21) == b"ab" * 21  # 21 bytes: too long for hex
    assert credentials.password_bytes(b"\xff\x00") == b"\xff\x00"


def test_basic_header_carries_the_password_bytes_and_parses_back() -> None:
    header = credentials.basic_auth_header("CP-1", "ff" * 16)
    raw = base64.b64decode(header.removeprefix("Basic "))
    assert raw == b"CP-1:" + b"\xff" * 16
    assert credentials.parse_basic_auth(header) == (b"CP-1", b"\xff" * 16)
    assert credentials.parse_basic_auth("basic " + base64.b64encode(b"a:b:c").decode()) == (
        b"a",
        b"b:c",
    )


@pytest.mark.parametrize(
    "header", ["Bearer abc", "Basic", "Basic ***", "Basic " + base64.b64encode(b"nocolon").decode()]
)
def test_unusable_headers(header: str) -> None:
    assert credentials.parse_basic_auth(header) is None


def test_authorization_key_format() -> None:
    assert credentials.is_authorization_key("00" * 16)
    assert credentials.is_authorization_key("Ab" * 20)
    assert not credentials.is_authorization_key("00" * 15)
    assert not credentials.is_authorization_key("00" * 21)
    assert not credentials.is_authorization_key("zz" * 16)
    assert credentials.authorization_key(b"\x01\xab") == "01AB"
    assert credentials.printable(b"abc") == "abc"
    assert credentials.printable(b"\xff") is None
