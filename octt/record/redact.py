"""Redaction of secrets before anything is written: passwords, AuthorizationKey values, keys.

The `Redactor` knows the secret strings of a run (Basic-auth passwords, and every
AuthorizationKey value seen on the wire, OCPP 1.6 security whitepaper §? — the key is the
Basic-auth password in hex) and replaces them wherever they appear in text.
"""

from __future__ import annotations

import json
import re

MASK = "***redacted***"

_PEM_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL
)
# ChangeConfiguration of AuthorizationKey: the value is a secret, whatever its text, and
# whichever of "key" and "value" comes first in the object.
_AUTHORIZATION_KEY_VALUE = (
    re.compile(r'("key"\s*:\s*"AuthorizationKey"\s*,\s*"value"\s*:\s*")((?:[^"\\]|\\.)*)(")'),
    re.compile(r'("value"\s*:\s*")((?:[^"\\]|\\.)*)("\s*,\s*"key"\s*:\s*"AuthorizationKey")'),
)


class Redactor:
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s}

    def add(self, secret: str | None) -> None:
        if secret:
            self._secrets.add(secret)

    def _learn_from_json(self, text: str) -> None:
        """Find AuthorizationKey values wherever they sit in a JSON frame."""
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return
        stack = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get("key") == "AuthorizationKey" and isinstance(node.get("value"), str):
                    self.add(node["value"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    def __call__(self, text: str) -> str:
        if '"AuthorizationKey"' in text:
            self._learn_from_json(text)
        for pattern in _AUTHORIZATION_KEY_VALUE:
            for match in pattern.finditer(text):
                self.add(match.group(2))
            text = pattern.sub(lambda m: m.group(1) + MASK + m.group(3), text)
        text = _PEM_PRIVATE_KEY.sub(MASK, text)
        # Longest first, so a secret containing another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text
