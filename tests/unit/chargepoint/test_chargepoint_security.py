"""The security whitepaper on the simulated charge point: configuration keys, CSR and
CertificateSigned, root certificates and their hash data, GetLog, SignedUpdateFirmware and the
security events."""

from __future__ import annotations

from typing import Any

import pytest
from security_support import session_pki

from octt.chargepoint import messages, responder, security
from octt.chargepoint.model import ChargePointState
from octt.clock import rfc3339
from octt.pki import certs
from octt.pki.certs import KeyType
from octt.pki.hashdata import HashAlgorithm
from octt.pki.layout import Item


def state(cp_id: str = "CP-SEC") -> ChargePointState:
    cp = ChargePointState.create(cp_id, "octt", "sim", 2)
    cp.security.cpo_name = "My CPO"
    return cp


def answer(cp: ChargePointState, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    reply = responder.default_reply(cp, action, payload, known_action=True)
    assert isinstance(reply, dict)
    responder.commit(cp, action, payload, reply)
    return reply


def build(cp: ChargePointState, action: str, **overrides: Any) -> dict[str, Any]:
    now = cp.now()
    payload = messages.build_request(cp, action, None, overrides, now)
    messages.on_sent(cp, action, payload, now)
    return payload


# -- configuration keys --------------------------------------------------------------------------


def test_authorization_key_is_write_only_hex_of_16_to_20_bytes() -> None:
    cp = state()
    assert answer(cp, "ChangeConfiguration", {"key": "AuthorizationKey", "value": "abc"}) == {
        "status": "Rejected"
    }
    assert cp.security.password is None
    value = "41" * 20
    assert answer(cp, "ChangeConfiguration", {"key": "AuthorizationKey", "value": value}) == {
        "status": "Accepted"
    }
    assert cp.security.password == b"A" * 20
    keys = answer(cp, "GetConfiguration", {"key": ["AuthorizationKey", "CpoName"]})
    assert keys["configurationKey"] == [{"key": "CpoName", "readonly": False, "value": "My CPO"}]
    assert keys["unknownKey"] == ["AuthorizationKey"]


def test_security_profile_goes_only_up_and_needs_its_credentials() -> None:
    cp = state()
    cp.security.profile = 1
    change = {"key": "SecurityProfile", "value": "2"}
    assert answer(cp, "ChangeConfiguration", change)["status"] == "Rejected"  # no CSMS root
    root = certs.certificate_pem(session_pki().issued(Item.CSMS_ROOT_CA).certificate)
    payload = {"certificateType": "CentralSystemRootCertificate", "certificate": root}
    assert answer(cp, "InstallCertificate", payload) == {"status": "Accepted"}
    assert answer(cp, "ChangeConfiguration", change)["status"] == "Accepted"
    assert cp.security.profile == 2
    for value in ("1", "2", "7", "x"):
        assert answer(cp, "ChangeConfiguration", {"key": "SecurityProfile", "value": value}) == {
            "status": "Rejected"
        }
    assert answer(cp, "ChangeConfiguration", {"key": "SecurityProfile", "value": "3"}) == {
        "status": "Rejected"  # no client certificate
    }
    assert answer(
        cp, "ChangeConfiguration", {"key": "CertificateStoreMaxLength", "value": "3"}
    ) == {"status": "Rejected"}
    assert (
        answer(cp, "ChangeConfiguration", {"key": "CpoName", "value": "New"})["status"]
        == "Accepted"
    )
    assert cp.security.cpo_name == "New"


# -- CSR and CertificateSigned (A02) -------------------------------------------------------------


def _sign(cp: ChargePointState, csr_pem: str, **changes: Any) -> str:
    ca = session_pki().issued(Item.CP_CA)
    certificate = certs.sign_csr(ca, certs.load_csr(csr_pem), **changes)
    return certs.chain_pem([certificate, ca.certificate])


def test_extended_trigger_then_csr_then_certificate_signed_installs_the_new_certificate() -> None:
    cp = state()
    assert answer(
        cp, "ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}
    ) == {"status": "Accepted"}
    assert cp.security.sign_certificate_pending
    csr_pem = build(cp, "SignCertificate")["csr"]
    csr = certs.load_csr(csr_pem)
    assert certs.common_name(csr.subject) == "CP-SEC"
    assert certs.organization(csr.subject) == "My CPO"
    assert cp.security.csr_key is not None and not cp.security.sign_certificate_pending
    chain = _sign(cp, csr_pem)
    assert answer(cp, "CertificateSigned", {"certificateChain": chain}) == {"status": "Accepted"}
    assert cp.security.client_certificate is not None
    assert cp.security.client_certificate.chain_pem == chain
    assert cp.security.csr_key is None
    assert answer(cp, "ChangeConfiguration", {"key": "SecurityProfile", "value": "3"}) == {
        "status": "Rejected"  # from 0, it still needs a CSMS root
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("key", "public key is not the key of the CSR"),
        ("cn", "CN is 'SOMEONE-ELSE'"),
        ("pem", "not valid PEM"),
        ("order", "is not signed by the next certificate"),
    ],
)
def test_a_bad_chain_is_rejected_with_the_reason(change: str, problem: str) -> None:
    cp = state()
    cp.security.csr_key_type = KeyType.RSA
    csr_pem = build(cp, "SignCertificate")["csr"]
    ca = session_pki().issued(Item.CP_CA)
    if change == "key":
        chain = _sign(cp, csr_pem, public_key=certs.generate_key(KeyType.ECDSA).public_key())
    elif change == "cn":
        chain = _sign(cp, csr_pem, subject=certs.name("SOMEONE-ELSE"))
    elif change == "pem":
        chain = "MIIB" + "A" * 40
    else:
        leaf = certs.sign_csr(ca, certs.load_csr(csr_pem))
        chain = certs.chain_pem([leaf, session_pki().issued(Item.CSMS_ROOT_CA).certificate])
    assert answer(cp, "CertificateSigned", {"certificateChain": chain}) == {"status": "Rejected"}
    assert any(problem in p for p in cp.security.certificate_signed_problems)
    assert cp.security.client_certificate is None


def test_certificate_signed_without_a_csr_is_rejected() -> None:
    cp = state()
    chain = certs.certificate_pem(session_pki().issued(Item.CP_CLIENT).certificate)
    assert answer(cp, "CertificateSigned", {"certificateChain": chain}) == {"status": "Rejected"}


# -- root certificates and hash data (M03, M04, M05) --------------------------------------------


def test_install_list_and_delete_a_root_by_its_hash_data() -> None:
    cp = state()
    root2 = session_pki().certificate(Item.CSMS_ROOT_CA_2).read_text()
    kind = "CentralSystemRootCertificate"
    assert answer(cp, "GetInstalledCertificateIds", {"certificateType": kind}) == {
        "status": "NotFound"
    }
    assert answer(cp, "InstallCertificate", {"certificateType": kind, "certificate": root2}) == {
        "status": "Accepted"
    }
    listed = answer(cp, "GetInstalledCertificateIds", {"certificateType": kind})
    assert listed["status"] == "Accepted" and len(listed["certificateHashData"]) == 1
    assert listed["certificateHashData"][0]["hashAlgorithm"] == "SHA256"
    other = answer(
        cp, "GetInstalledCertificateIds", {"certificateType": "ManufacturerRootCertificate"}
    )
    assert other == {"status": "NotFound"}
    sha512 = security.lookup(cp, f"certificate_hash_data.{kind}.SHA512")
    assert sha512[0]["hashAlgorithm"] == "SHA512"
    wrong = {**sha512[0], "serialNumber": "1"}
    assert answer(cp, "DeleteCertificate", {"certificateHashData": wrong}) == {"status": "NotFound"}
    assert answer(cp, "DeleteCertificate", {"certificateHashData": sha512[0]}) == {
        "status": "Accepted"
    }
    assert cp.security.installed == []
    with pytest.raises(KeyError):
        security.lookup(cp, "certificate_hash_data.Nope.SHA256")


def test_install_refuses_what_is_not_a_root_certificate() -> None:
    cp = state()
    leaf = session_pki().certificate(Item.CP_CLIENT).read_text()
    kind = "ManufacturerRootCertificate"
    assert answer(cp, "InstallCertificate", {"certificateType": kind, "certificate": leaf}) == {
        "status": "Rejected"
    }
    assert answer(cp, "InstallCertificate", {"certificateType": kind, "certificate": "x"}) == {
        "status": "Rejected"
    }
    assert cp.security.installed == []
    assert (
        security.certificate_hash_data(
            cp, security.CertificateUse.MANUFACTURER_ROOT, HashAlgorithm.SHA256
        )
        == []
    )


# -- GetLog, SignedUpdateFirmware, security events --------------------------------------------


def test_get_log_names_the_file_and_the_notifications_carry_the_request_id() -> None:
    cp = state()
    reply = answer(
        cp,
        "GetLog",
        {"logType": "SecurityLog", "requestId": 7, "log": {"remoteLocation": "http://h/logs/"}},
    )
    assert reply["status"] == "Accepted" and "security-log" in reply["filename"]
    assert cp.security.log_request is not None
    assert cp.security.log_request.location == "http://h/logs/"
    assert build(cp, "LogStatusNotification", status="Uploading") == {
        "status": "Uploading",
        "requestId": 7,
    }


def test_signed_update_firmware_needs_a_certificate_and_sets_the_download() -> None:
    cp = state()
    firmware = {
        "location": "http://h/fw.bin",
        "retrieveDateTime": rfc3339(cp.now()),
        "signingCertificate": "not a certificate",
        "signature": "AAAA",
    }
    payload = {"requestId": 3, "firmware": firmware}
    assert answer(cp, "SignedUpdateFirmware", payload) == {"status": "InvalidCertificate"}
    firmware["signingCertificate"] = session_pki().certificate(Item.FIRMWARE_SIGNING).read_text()
    assert answer(cp, "SignedUpdateFirmware", payload) == {"status": "Accepted"}
    assert cp.firmware.firmware_request is not None
    assert cp.firmware.firmware_request.location == "http://h/fw.bin"
    assert cp.security.signed_firmware is not None and cp.security.signed_firmware.request_id == 3
    assert build(cp, "SignedFirmwareStatusNotification", status="Downloading") == {
        "status": "Downloading",
        "requestId": 3,
    }


def test_security_events_go_to_the_security_log() -> None:
    cp = state()
    payload = build(cp, "SecurityEventNotification", type="InvalidChargePointCertificate")
    assert payload["type"] == "InvalidChargePointCertificate" and "timestamp" in payload
    assert [e.type for e in cp.security.log] == ["InvalidChargePointCertificate"]
    assert b"InvalidChargePointCertificate" in security.security_log_file(cp)
    assert len(security.SecurityEvent) == 18
    assert security.SecurityEvent.FIRMWARE_UPDATED in security.CRITICAL_EVENTS
    assert security.lookup(cp, "security_profile") == 0


def test_extended_trigger_message_of_other_messages() -> None:
    cp = state()
    assert answer(cp, "ExtendedTriggerMessage", {"requestedMessage": "Heartbeat"}) == {
        "status": "Accepted"
    }
    assert [t.message.value for t in cp.triggers] == ["Heartbeat"]
    assert answer(cp, "ExtendedTriggerMessage", {"requestedMessage": "LogStatusNotification"}) == {
        "status": "Accepted"
    }
