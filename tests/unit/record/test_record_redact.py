"""Redaction: AuthorizationKey values, known passwords and PEM private keys never reach a file."""

from __future__ import annotations

import json

import pytest

from octt.record.redact import MASK, Redactor

KEY = "0123456789abcdef0123456789abcdef01234567"
CHANGE_KEY = json.dumps(
    [2, "c1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": KEY}],
    separators=(",", ":"),
)


def test_authorization_key_value_is_masked() -> None:
    redact = Redactor()
    text = redact(CHANGE_KEY)
    assert KEY not in text
    assert text == f'[2,"c1","ChangeConfiguration",{{"key":"AuthorizationKey","value":"{MASK}"}}]'
    assert json.loads(text)[3]["value"] == MASK  # still valid JSON


def test_authorization_key_is_then_masked_wherever_it_appears() -> None:
    redact = Redactor()
    redact(CHANGE_KEY)
    later = redact(f'[2,"x","DataTransfer",{{"vendorId":"v","data":"key={KEY}"}}]')
    assert KEY not in later
    assert f"key={MASK}" in later
    assert redact(f"connection closed, password {KEY}") == f"connection closed, password {MASK}"


def test_authorization_key_with_spaces_in_the_json() -> None:
    redact = Redactor()
    text = redact(
        f'[2, "c1", "ChangeConfiguration", {{"key" : "AuthorizationKey",  "value":  "{KEY}"}}]'
    )
    assert KEY not in text


def test_authorization_key_with_escaped_characters() -> None:
    redact = Redactor()
    text = redact('[2,"c1","ChangeConfiguration",{"key":"AuthorizationKey","value":"ab\\"cd"}]')
    assert "ab" not in text and "cd" not in text
    assert text.endswith(f'"value":"{MASK}"}}]')


def test_authorization_key_is_masked_whatever_the_member_order() -> None:
    redact = Redactor()
    text = redact(f'[2,"c1","ChangeConfiguration",{{"value":"{KEY}","key":"AuthorizationKey"}}]')
    assert KEY not in text
    assert text == f'[2,"c1","ChangeConfiguration",{{"value":"{MASK}","key":"AuthorizationKey"}}]'
    # ... and the key is then masked wherever it appears, as in the usual order.
    assert redact(f"later: {KEY}") == f"later: {MASK}"


def test_value_first_authorization_key_with_spaces_and_escapes() -> None:
    redact = Redactor()
    text = redact(
        '[2, "c1", "ChangeConfiguration", {"value" : "ab\\"cd" , "key": "AuthorizationKey"}]'
    )
    assert "ab" not in text and "cd" not in text
    assert json.loads(text)[3] == {"value": MASK, "key": "AuthorizationKey"}


def test_value_first_other_configuration_values_are_kept() -> None:
    text = '[2,"c1","ChangeConfiguration",{"value":"60","key":"HeartbeatInterval"}]'
    assert Redactor()(text) == text


def test_other_configuration_values_are_kept() -> None:
    redact = Redactor()
    text = '[2,"c1","ChangeConfiguration",{"key":"HeartbeatInterval","value":"60"}]'
    assert redact(text) == text


def test_known_secrets_are_masked() -> None:
    redact = Redactor(("hunter2", ""))
    assert redact("Authorization: Basic user:hunter2") == f"Authorization: Basic user:{MASK}"
    redact.add("other-secret")
    redact.add(None)
    redact.add("")
    assert redact("other-secret and hunter2") == f"{MASK} and {MASK}"
    assert redact("nothing here") == "nothing here"


def test_longest_secret_is_masked_whole() -> None:
    redact = Redactor(("abc", "abcdef"))
    assert redact("xx abcdef yy abc") == f"xx {MASK} yy {MASK}"


@pytest.mark.parametrize(
    "kind", ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]
)
def test_pem_private_keys_are_masked(kind: str) -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7"
    pem = f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"
    text = Redactor()(f"before\n{pem}\nafter")
    assert text == f"before\n{MASK}\nafter"


def test_pem_private_key_inside_a_json_frame_is_masked() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n"
    frame = f'[2,"x","DataTransfer",{{"vendorId":"v","data":"{pem}"}}]'
    text = Redactor()(frame)
    assert "MIIEvQIBADANBg" not in text
    assert json.loads(text)[3]["data"] == f"{MASK}\n"


def test_certificates_are_not_masked() -> None:
    cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    assert Redactor()(cert) == cert


def test_two_private_keys_are_masked_separately() -> None:
    one = "-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----"
    text = Redactor()(f"{one}\npublic text\n{one}")
    assert text == f"{MASK}\npublic text\n{MASK}"
