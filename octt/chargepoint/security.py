"""The OCPP 1.6 security whitepaper ("Improved security for OCPP 1.6-J", edition 3) on the
simulated charge point.

Owns `SecurityState` — what a charge point keeps across reboots: its security profile, its
Basic-auth password (configuration key AuthorizationKey), its client certificate, the root
certificates installed (CentralSystemRootCertificate, ManufacturerRootCertificate), the key of a
pending CSR, the signed firmware update and the log upload asked for, and its security log — and
the replies and commits of the whitepaper's CSMS-initiated messages, the payload builders of the
messages it sends, and its security configuration keys:

- ChangeConfiguration of AuthorizationKey (use case A01: hex, 16–20 bytes; write-only, never
  reported by GetConfiguration), SecurityProfile (use case A05: only upwards, and only with the
  credentials the new profile needs), CpoName;
- ExtendedTriggerMessage(SignChargePointCertificate) → SignCertificate with a CSR for a key the
  charge point makes itself (A02: subject O = CpoName, CN = the charge point's identity), then
  CertificateSigned: the chain is verified (PEM, leaf key = the CSR key, CN, key length, each
  certificate signed by the next) and installed as the client certificate, else Rejected;
- InstallCertificate / GetInstalledCertificateIds / DeleteCertificate (M05, M03, M04) with
  certificateHashData (`octt.pki.hashdata`);
- GetLog (N01) and LogStatusNotification; SignedUpdateFirmware (L01) and
  SignedFirmwareStatusNotification; SecurityEventNotification with the whitepaper's events.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cryptography import x509

from octt.chargepoint import triggers
from octt.chargepoint.firmware import FirmwareRequest
from octt.clock import rfc3339
from octt.pki import certs
from octt.pki.certs import CertificateError, Credential, KeyType, PrivateKey
from octt.pki.hashdata import HashAlgorithm, hash_data
from octt.transport.credentials import is_authorization_key
from octt.validation.formats import parse_date_time

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState


class SecurityEvent(StrEnum):
    """The security events of the whitepaper (its list of security events)."""

    FIRMWARE_UPDATED = "FirmwareUpdated"
    FAILED_TO_AUTHENTICATE_AT_CENTRAL_SYSTEM = "FailedToAuthenticateAtCentralSystem"
    CENTRAL_SYSTEM_FAILED_TO_AUTHENTICATE = "CentralSystemFailedToAuthenticate"
    SETTING_SYSTEM_TIME = "SettingSystemTime"
    STARTUP_OF_THE_DEVICE = "StartupOfTheDevice"
    RESET_OR_REBOOT = "ResetOrReboot"
    SECURITY_LOG_WAS_CLEARED = "SecurityLogWasCleared"
    RECONFIGURATION_OF_SECURITY_PARAMETERS = "ReconfigurationOfSecurityParameters"
    MEMORY_EXHAUSTION = "MemoryExhaustion"
    INVALID_MESSAGES = "InvalidMessages"
    ATTEMPTED_REPLAY_ATTACKS = "AttemptedReplayAttacks"
    TAMPER_DETECTION_ACTIVATED = "TamperDetectionActivated"
    INVALID_FIRMWARE_SIGNATURE = "InvalidFirmwareSignature"
    INVALID_FIRMWARE_SIGNING_CERTIFICATE = "InvalidFirmwareSigningCertificate"
    INVALID_CENTRAL_SYSTEM_CERTIFICATE = "InvalidCentralSystemCertificate"
    INVALID_CHARGE_POINT_CERTIFICATE = "InvalidChargePointCertificate"
    INVALID_TLS_VERSION = "InvalidTLSVersion"
    INVALID_TLS_CIPHER_SUITE = "InvalidTLSCipherSuite"


#: Events the charge point must report at once (the others go to the security log only).
CRITICAL_EVENTS = frozenset(
    {
        SecurityEvent.FIRMWARE_UPDATED,
        SecurityEvent.SETTING_SYSTEM_TIME,
        SecurityEvent.STARTUP_OF_THE_DEVICE,
        SecurityEvent.RESET_OR_REBOOT,
        SecurityEvent.SECURITY_LOG_WAS_CLEARED,
        SecurityEvent.MEMORY_EXHAUSTION,
        SecurityEvent.TAMPER_DETECTION_ACTIVATED,
    }
)


class CertificateUse(StrEnum):
    """CertificateUseEnumType."""

    CENTRAL_SYSTEM_ROOT = "CentralSystemRootCertificate"
    MANUFACTURER_ROOT = "ManufacturerRootCertificate"


@dataclass(frozen=True)
class InstalledCertificate:
    use: CertificateUse
    pem: str
    certificate: x509.Certificate


@dataclass(frozen=True)
class SignedFirmwareRequest:
    """An accepted SignedUpdateFirmware.req (L01)."""

    request_id: int
    location: str
    signature: str
    signing_certificate: str


@dataclass(frozen=True)
class LogRequest:
    """An accepted GetLog.req (N01): what to upload where, under which file name."""

    request_id: int
    log_type: str
    location: str
    file_name: str


@dataclass(frozen=True)
class SecurityLogEntry:
    type: str
    timestamp: str
    tech_info: str = ""


#: Configuration keys of the whitepaper: name -> (read-only, default). AuthorizationKey is
#: write-only (kept as `SecurityState.password`); SecurityProfile and CpoName are read-write.
CONFIGURATION_KEYS: Mapping[str, tuple[bool, str]] = {
    "AdditionalRootCertificateCheck": (True, "false"),
    "CertificateSignedMaxChainSize": (True, "10000"),
    "CertificateStoreMaxLength": (True, "10"),
    "CpoName": (False, ""),
    "SecurityProfile": (False, "0"),
}
AUTHORIZATION_KEY = "AuthorizationKey"
MAX_INSTALLED_CERTIFICATES = 10


@dataclass
class SecurityState:
    """The charge point's security settings and certificate store."""

    profile: int = 0
    password: bytes | None = field(default=None, repr=False)
    client_certificate: Credential | None = None
    cpo_name: str = ""
    csr_key_type: KeyType = KeyType.ECDSA
    csr_key: PrivateKey | None = field(default=None, repr=False)
    # The public key of the last CSR (kept after the certificate is installed: checks use it).
    csr_public_key: Any = None
    sign_certificate_pending: bool = False
    installed: list[InstalledCertificate] = field(default_factory=list)
    log: list[SecurityLogEntry] = field(default_factory=list)
    signed_firmware: SignedFirmwareRequest | None = None
    log_request: LogRequest | None = None
    # The problems found in the last CertificateSigned (empty: it was installed).
    certificate_signed_problems: tuple[str, ...] = ()

    def installed_of(self, use: CertificateUse) -> list[InstalledCertificate]:
        return [c for c in self.installed if c.use is use]


# -- configuration keys ----------------------------------------------------------------------


def configuration_entries(
    state: ChargePointState, keys: list[str] | None
) -> tuple[list[tuple[str, bool, str]], list[str]]:
    """(key, readonly, value) of the whitepaper's keys asked for (all when None), and the asked
    keys that are not among them. AuthorizationKey is write-only: never reported."""
    values = _values(state)
    names = list(values) if keys is None else [k for k in keys if k in values]
    rest = [] if keys is None else [k for k in keys if k not in values]
    return [(k, CONFIGURATION_KEYS[k][0], values[k]) for k in names], rest


def _values(state: ChargePointState) -> dict[str, str]:
    values = {name: default for name, (_, default) in CONFIGURATION_KEYS.items()}
    values["SecurityProfile"] = str(state.security.profile)
    values["CpoName"] = state.security.cpo_name
    values["CertificateStoreMaxLength"] = str(MAX_INSTALLED_CERTIFICATES)
    return values


def is_security_key(key: str) -> bool:
    return key == AUTHORIZATION_KEY or key in CONFIGURATION_KEYS


def change_configuration_reply(state: ChargePointState, key: str, value: str) -> dict[str, Any]:
    """ChangeConfiguration.conf for one of the whitepaper's keys."""
    security = state.security
    if key == AUTHORIZATION_KEY:
        # A01: the new password as hexadecimal, 16 to 20 bytes.
        return {"status": "Accepted" if is_authorization_key(value) else "Rejected"}
    if key == "CpoName":
        return {"status": "Accepted" if 0 < len(value) <= 50 else "Rejected"}
    if key == "SecurityProfile":
        if not value.isdigit() or not 0 <= int(value) <= 3:
            return {"status": "Rejected"}
        return {"status": "Accepted" if upgrade_allowed(security, int(value)) else "Rejected"}
    return {"status": "Rejected"}  # read-only keys


def upgrade_allowed(security: SecurityState, profile: int) -> bool:
    """A05: a charge point never lowers its security profile, and raises it only when it holds
    what the new profile needs: a CSMS root to verify the server (profile 2 and 3; one it
    already verifies with counts) and a client certificate (profile 3)."""
    if profile <= security.profile:
        return False
    has_root = bool(security.installed_of(CertificateUse.CENTRAL_SYSTEM_ROOT))
    if profile >= 2 and not (has_root or security.profile >= 2):
        return False
    return not (profile == 3 and security.client_certificate is None)


def change_configuration_commit(state: ChargePointState, key: str, value: str) -> None:
    security = state.security
    if key == AUTHORIZATION_KEY:
        security.password = bytes.fromhex(value)
    elif key == "CpoName":
        security.cpo_name = value
    elif key == "SecurityProfile":
        # Takes effect with the next connection (after the reset the CSMS asks for).
        security.profile = int(value)


# -- certificates ------------------------------------------------------------------------------


def _use(payload: Mapping[str, Any]) -> CertificateUse | None:
    try:
        return CertificateUse(str(payload.get("certificateType")))
    except ValueError:
        return None


def install_certificate_reply(state: ChargePointState, p: Mapping[str, Any]) -> dict[str, Any]:
    """M05: a root certificate in PEM is Accepted; anything else is Rejected; a full store is
    Failed."""
    try:
        certificate = certs.load_certificates(str(p.get("certificate", "")))[0]
    except CertificateError:
        return {"status": "Rejected"}
    if _use(p) is None or not certs.is_ca(certificate):
        return {"status": "Rejected"}
    known = {certs.fingerprint(c.certificate) for c in state.security.installed}
    full = len(state.security.installed) >= MAX_INSTALLED_CERTIFICATES
    if full and certs.fingerprint(certificate) not in known:
        return {"status": "Failed"}
    return {"status": "Accepted"}


def install_certificate_commit(
    state: ChargePointState, p: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    use = _use(p)
    if reply.get("status") != "Accepted" or use is None:
        return
    pem = str(p.get("certificate", ""))
    try:
        certificate = certs.load_certificates(pem)[0]
    except CertificateError:
        return
    security = state.security
    security.installed = [
        c
        for c in security.installed
        if not (c.use is use and certs.fingerprint(c.certificate) == certs.fingerprint(certificate))
    ]
    security.installed.append(InstalledCertificate(use, pem, certificate))


def certificate_hash_data(
    state: ChargePointState, use: CertificateUse, algorithm: HashAlgorithm
) -> list[dict[str, str]]:
    """The certificateHashData of every installed certificate of `use` (M03)."""
    return [hash_data(c.certificate, algorithm).to_json() for c in state.security.installed_of(use)]


def get_installed_certificate_ids_reply(
    state: ChargePointState, p: Mapping[str, Any]
) -> dict[str, Any]:
    """M03: the hash data (SHA256) of the installed certificates of the type asked for."""
    use = _use(p)
    found = certificate_hash_data(state, use, HashAlgorithm.SHA256) if use else []
    if not found:
        return {"status": "NotFound"}
    return {"status": "Accepted", "certificateHashData": found}


def _matching(state: ChargePointState, data: Any) -> InstalledCertificate | None:
    if not isinstance(data, Mapping):
        return None
    try:
        algorithm = HashAlgorithm(str(data.get("hashAlgorithm")))
    except ValueError:
        return None
    for installed in state.security.installed:
        mine = hash_data(installed.certificate, algorithm)
        if (
            str(data.get("issuerNameHash", "")).lower() == mine.issuer_name_hash
            and str(data.get("issuerKeyHash", "")).lower() == mine.issuer_key_hash
            and str(data.get("serialNumber", "")).lower() == mine.serial_number
        ):
            return installed
    return None


def delete_certificate_reply(state: ChargePointState, p: Mapping[str, Any]) -> dict[str, Any]:
    """M04: Accepted when the hash data names an installed certificate, else NotFound."""
    found = _matching(state, p.get("certificateHashData"))
    return {"status": "Accepted" if found is not None else "NotFound"}


def delete_certificate_commit(
    state: ChargePointState, p: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    found = _matching(state, p.get("certificateHashData"))
    if reply.get("status") == "Accepted" and found is not None:
        state.security.installed.remove(found)


# -- the charge point certificate (A02) ----------------------------------------------------------


def extended_trigger_message_reply(state: ChargePointState, p: Mapping[str, Any]) -> dict[str, Any]:
    """ExtendedTriggerMessage.conf: SignChargePointCertificate and the messages TriggerMessage
    knows are Accepted; LogStatusNotification too (it reports the log upload's status)."""
    requested = str(p.get("requestedMessage"))
    if requested in ("SignChargePointCertificate", "LogStatusNotification"):
        return {"status": "Accepted"}
    return triggers.trigger_message_reply(state, p)


def extended_trigger_message_commit(
    state: ChargePointState, p: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    if reply.get("status") != "Accepted":
        return
    if p.get("requestedMessage") == "SignChargePointCertificate":
        state.security.sign_certificate_pending = True
    else:
        triggers.trigger_message_commit(state, p, reply)


def sign_certificate_payload(
    state: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    """SignCertificate.req: a new key pair, and a CSR for it (the private key never leaves the
    charge point)."""
    security = state.security
    key = certs.generate_key(security.csr_key_type)
    security.csr_key = key
    security.csr_public_key = key.public_key()
    security.sign_certificate_pending = False
    csr = certs.build_csr(key, state.cp_id, security.cpo_name or None)
    return {"csr": certs.csr_pem(csr)}


class ChainProblem(StrEnum):
    """What can be wrong with a CertificateSigned.req certificateChain."""

    PEM = "pem"
    NO_CSR = "no-csr"
    PUBLIC_KEY = "public-key"
    COMMON_NAME = "common-name"
    KEY_SIZE = "key-size"
    CHAIN = "chain"
    VALIDITY = "validity"


def check_certificate_chain(
    chain: str, *, cp_id: str, csr_public_key: Any, at: datetime
) -> list[tuple[ChainProblem, str]]:
    """What is wrong with a certificateChain for the charge point `cp_id` whose CSR carried
    `csr_public_key` (empty: it can be installed): PEM, leaf key = the CSR's key, CN = the
    charge point's identity, key length (RSA 2048 / EC 224), each certificate signed by the next,
    the leaf valid at `at` (whitepaper ed.3, A02; TC_074 [2025])."""
    try:
        chain_certificates = certs.load_certificates(chain)
    except CertificateError as exc:
        return [(ChainProblem.PEM, f"the chain is not valid PEM: {exc}")]
    leaf = chain_certificates[0]
    problems: list[tuple[ChainProblem, str]] = []
    if csr_public_key is None:
        problems.append((ChainProblem.NO_CSR, "the charge point sent no CSR to be signed"))
    elif not certs.same_public_key(leaf.public_key(), csr_public_key):
        problems.append(
            (ChainProblem.PUBLIC_KEY, "the leaf certificate's public key is not the key of the CSR")
        )
    cn = certs.common_name(leaf.subject)
    if cn != cp_id:
        problems.append(
            (
                ChainProblem.COMMON_NAME,
                f"the leaf certificate's CN is {cn!r}, not the charge point's {cp_id!r}",
            )
        )
    if not certs.key_strong_enough(leaf.public_key()):
        kind, bits = certs.key_description(leaf.public_key())
        problems.append(
            (
                ChainProblem.KEY_SIZE,
                f"the leaf key is {kind} {bits} bits (at least RSA 2048 / EC 224)",
            )
        )
    for child, parent in itertools.pairwise(chain_certificates):
        if not certs.issued_by(child, parent):
            problems.append(
                (
                    ChainProblem.CHAIN,
                    f"{certs.common_name(child.subject)!r} is not signed by the next certificate"
                    f" of the chain, {certs.common_name(parent.subject)!r}",
                )
            )
    if not certs.valid_at(leaf, at):
        problems.append(
            (
                ChainProblem.VALIDITY,
                f"the leaf certificate is not valid now (valid"
                f" {leaf.not_valid_before_utc:%Y-%m-%d} to {leaf.not_valid_after_utc:%Y-%m-%d})",
            )
        )
    return problems


def certificate_signed_problems(
    state: ChargePointState, chain: str, *, at: datetime | None = None
) -> list[str]:
    """What is wrong with a CertificateSigned.req certificateChain for this charge point."""
    found = check_certificate_chain(
        chain,
        cp_id=state.cp_id,
        csr_public_key=state.security.csr_public_key,
        at=at or state.now(),
    )
    return [text for _, text in found]


def certificate_signed_reply(state: ChargePointState, p: Mapping[str, Any]) -> dict[str, Any]:
    """CertificateSigned.conf: Accepted for a chain the charge point can install (A02)."""
    problems = certificate_signed_problems(state, str(p.get("certificateChain", "")))
    return {"status": "Rejected" if problems else "Accepted"}


def certificate_signed_commit(
    state: ChargePointState, p: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    security = state.security
    chain = str(p.get("certificateChain", ""))
    security.certificate_signed_problems = tuple(certificate_signed_problems(state, chain))
    if reply.get("status") != "Accepted" or security.certificate_signed_problems:
        return
    key = security.csr_key
    if key is None:
        return
    security.client_certificate = Credential(
        chain, certs.private_key_pem(key), "renewed through CertificateSigned"
    )
    security.csr_key = None


# -- log upload (N01) and signed firmware update (L01) -------------------------------------------


def log_file_name(state: ChargePointState, log_type: str) -> str:
    stamp = state.now().strftime("%Y%m%dT%H%M%SZ")
    safe_id = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in state.cp_id)
    kind = "security" if log_type == "SecurityLog" else "diagnostics"
    return f"{safe_id}-{kind}-log-{stamp}.log"


def get_log_reply(state: ChargePointState, p: Mapping[str, Any]) -> dict[str, Any]:
    return {"status": "Accepted", "filename": log_file_name(state, str(p.get("logType")))}


def get_log_commit(state: ChargePointState, p: Mapping[str, Any], reply: Mapping[str, Any]) -> None:
    log = p.get("log")
    request_id = p.get("requestId")
    if reply.get("status") != "Accepted" or not isinstance(log, Mapping):
        return
    state.security.log_request = LogRequest(
        request_id if isinstance(request_id, int) else 0,
        str(p.get("logType")),
        str(log.get("remoteLocation", "")),
        str(reply.get("filename") or log_file_name(state, str(p.get("logType")))),
    )


def log_status_payload(
    state: ChargePointState, _c: int | None, o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    payload: dict[str, Any] = {"status": o.get("status", "Idle")}
    request = state.security.log_request
    if request is not None:
        payload["requestId"] = request.request_id
    return payload


def security_log_file(state: ChargePointState) -> bytes:
    """The security log the charge point uploads: one line per event."""
    lines = [f"octt simulated charge point {state.cp_id}: security log"]
    lines += [
        f"{entry.timestamp} {entry.type}" + (f" {entry.tech_info}" if entry.tech_info else "")
        for entry in state.security.log
    ]
    return ("\n".join(lines) + "\n").encode()


def signed_update_firmware_reply(state: ChargePointState, p: Mapping[str, Any]) -> dict[str, Any]:
    """L01: the charge point checks the signing certificate before accepting."""
    firmware = p.get("firmware")
    if not isinstance(firmware, Mapping):
        return {"status": "Rejected"}
    try:
        certs.load_certificates(str(firmware.get("signingCertificate", "")))
    except CertificateError:
        return {"status": "InvalidCertificate"}
    return {"status": "Accepted"}


def signed_update_firmware_commit(
    state: ChargePointState, p: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    firmware = p.get("firmware")
    if reply.get("status") != "Accepted" or not isinstance(firmware, Mapping):
        return
    location = str(firmware.get("location", ""))
    retrieve = firmware.get("retrieveDateTime")
    request_id = p.get("requestId")
    state.firmware.firmware_request = FirmwareRequest(
        location, parse_date_time(retrieve) if isinstance(retrieve, str) else None
    )
    state.security.signed_firmware = SignedFirmwareRequest(
        request_id if isinstance(request_id, int) else 0,
        location,
        str(firmware.get("signature", "")),
        str(firmware.get("signingCertificate", "")),
    )


def signed_firmware_status_payload(
    state: ChargePointState, _c: int | None, o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    payload: dict[str, Any] = {"status": o.get("status", "Idle")}
    request = state.security.signed_firmware
    if request is not None:
        payload["requestId"] = request.request_id
    return payload


# -- security events (A04) -----------------------------------------------------------------------


def security_event_payload(
    state: ChargePointState, _c: int | None, o: Mapping[str, Any], stamp: str
) -> dict[str, Any]:
    """SecurityEventNotification.req: the event the step names (type), now."""
    return {"type": o.get("type", SecurityEvent.STARTUP_OF_THE_DEVICE.value), "timestamp": stamp}


def on_sent(state: ChargePointState, action: str, payload: Mapping[str, Any]) -> None:
    """Every security event the charge point reports also goes to its security log."""
    if action == "SecurityEventNotification":
        state.security.log.append(
            SecurityLogEntry(
                str(payload.get("type", "")),
                str(payload.get("timestamp", rfc3339(state.now()))),
                str(payload.get("techInfo", "")),
            )
        )


# -- placeholders: {cp.certificate_hash_data.<certificateType>.<hashAlgorithm>} ---------------


def lookup(state: ChargePointState, name: str) -> Any:
    """Values of the charge point's security state for templates; KeyError when unknown.

    `certificate_hash_data.<certificateType>.<hashAlgorithm>` is the list of the installed
    certificates' hash data (None when there are none); more dotted parts go into it
    (`...SHA384.0.serialNumber`).
    `security_profile` is the charge point's current profile."""
    parts = name.split(".")
    if parts[0] == "certificate_hash_data" and len(parts) >= 3:
        try:
            use, algorithm = CertificateUse(parts[1]), HashAlgorithm(parts[2])
        except ValueError:
            raise KeyError(name) from None
        node: Any = certificate_hash_data(state, use, algorithm)
        if not node and len(parts) == 3:
            return None  # none installed: a reply leaves the field out
        for part in parts[3:]:
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                raise KeyError(name)
        return node
    if name == "security_profile":
        return state.security.profile
    raise KeyError(name)
