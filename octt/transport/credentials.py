"""HTTP Basic credentials of security profiles 1 and 2 (OCPP 1.6 security whitepaper ed.3,
configuration key AuthorizationKey; RFC 7617).

The user name is the charge point's identity, the password the AuthorizationKey. The whitepaper
gives the key as hexadecimal (16 to 20 bytes, at most 40 hex digits) and advises random binary;
a configured password is read the way the OCTT reads its BasicAuthPassword setting (OCA test
case document, §2 configuration of the tool): 32 to 40 hexadecimal digits are the bytes they
encode, anything else (normally 16 to 20 characters) is UTF-8 text. The password goes on the
wire as those bytes.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

#: An AuthorizationKey value: 16 to 20 bytes as hexadecimal (whitepaper ed.3; TC_073).
AUTHORIZATION_KEY_PATTERN = r"^([0-9A-Fa-f]{2}){16,20}$"
_AUTHORIZATION_KEY = re.compile(AUTHORIZATION_KEY_PATTERN)
_HEX_PASSWORD = re.compile(r"^([0-9A-Fa-f]{2}){16,20}$")


def password_bytes(password: str | bytes) -> bytes:
    """The bytes of a configured Basic-auth password (hex when 32–40 hex digits)."""
    if isinstance(password, bytes):
        return password
    if _HEX_PASSWORD.fullmatch(password):
        return bytes.fromhex(password)
    return password.encode("utf-8")


def basic_auth_header(username: str, password: str | bytes) -> str:
    """`Basic base64(username ":" password)` with the password's bytes."""
    raw = username.encode("utf-8") + b":" + password_bytes(password)
    return "Basic " + base64.b64encode(raw).decode("ascii")


def parse_basic_auth(header: str) -> tuple[bytes, bytes] | None:
    """(user, password) bytes of an Authorization header; None unless it is Basic and
    well-formed (the password may be any bytes: a decoded AuthorizationKey)."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, colon, password = raw.partition(b":")
    if not colon:
        return None
    return user, password


def is_authorization_key(value: str) -> bool:
    """Whether `value` is a valid AuthorizationKey: 32–40 hex digits, 16–20 bytes."""
    return bool(_AUTHORIZATION_KEY.fullmatch(value))


def authorization_key(password: bytes) -> str:
    """The AuthorizationKey value for a password: its bytes in (upper-case) hex."""
    return password.hex().upper()


def printable(password: bytes) -> str | None:
    """The password as text when it is UTF-8 (for redaction), else None."""
    try:
        return password.decode("utf-8")
    except UnicodeDecodeError:
        return None


#: Header names whose values never reach a log.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger for the WebSocket library, which logs every handshake header at DEBUG
    ("> Authorization: Basic ..."): the values of credential headers are masked."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if len(args) >= 2 and isinstance(args[0], str) and args[0].lower() in _SECRET_HEADERS:
            args = (args[0], "***redacted***", *args[2:])
        super().log(level, msg, *args, **kwargs)
