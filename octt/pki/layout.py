"""`octt pki init DIR`: a complete test PKI for the security profiles of the OCPP 1.6 security
whitepaper (edition 3), as files, with a README saying what each one is for.

Every certificate is `<name>.pem`; its private key, when the PKI has one, is `<name>.key`
(PKCS #8, unencrypted, created with mode 0600 — test material, never for production).
`pki.json` records the host, the charge point id and the SHA-256 fingerprints. The run
configuration points at the files (`pki_dir`, or `tls_ca_file`, `tls_client_cert`,
`tls_client_key`), the reference CSMS serves TLS with them (`octt reference-csms --pki DIR`),
and a PICS may quote certificates and the firmware signature as `{pki.<name>}`.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from octt.pki import firmware
from octt.pki.certs import (
    Issued,
    KeyType,
    Usage,
    certificate_pem,
    create_ca,
    fingerprint,
    generate_key,
    issue,
    load_certificates,
    load_private_key,
    name,
    now,
    private_key_pem,
)

MANIFEST = "pki.json"
README = "README.md"
FIRMWARE_SIGNATURE = "firmware-signature.b64"
#: Default host name of the CSMS server certificate.
DEFAULT_HOST = "localhost"
DEFAULT_ORGANIZATION = "octt test PKI"


class Item(StrEnum):
    """The certificates of the test PKI (file stems)."""

    CSMS_ROOT_CA = "csms-root-ca"
    CSMS_ROOT_CA_2 = "csms-root-ca-2"
    CSMS_SERVER_RSA = "csms-server-rsa"
    CSMS_SERVER_ECDSA = "csms-server-ecdsa"
    CP_CA = "cp-ca"
    CP_CLIENT = "cp-client"
    CP_CLIENT_ECDSA = "cp-client-ecdsa"
    CP_CLIENT_EXPIRED = "cp-client-expired"
    CP_CLIENT_WRONG_CA = "cp-client-wrong-ca"
    UNKNOWN_CA = "unknown-ca"
    MANUFACTURER_ROOT_CA = "manufacturer-root-ca"
    FIRMWARE_SIGNING = "firmware-signing"

    @property
    def placeholder(self) -> str:
        """`pki.csms_root_ca`: the name a PICS uses for the certificate's PEM."""
        return "pki." + self.value.replace("-", "_")


#: What each file is for (the README's table).
PURPOSE: Mapping[Item, str] = {
    Item.CSMS_ROOT_CA: "CSMS root CA: signs the CSMS server certificates. The charge point's"
    " trust anchor (run config `tls_ca_file`); the CentralSystemRootCertificate a CSMS"
    " installs (TC_083's memory state CertificateInstalled).",
    Item.CSMS_ROOT_CA_2: "a second CSMS root ('Root 2'): the certificate a CSMS installs and"
    " deletes in TC_075_2 and TC_076 (no key).",
    Item.CSMS_SERVER_RSA: "CSMS server certificate, RSA 2048, CN = the host, subjectAltName for"
    " the host, localhost, 127.0.0.1 and ::1 (TLS_RSA_* and ECDHE_RSA suites).",
    Item.CSMS_SERVER_ECDSA: "CSMS server certificate, ECDSA P-256, same names (TLS_ECDHE_ECDSA_*"
    " suites); a CSMS serves both (TC_086 checks the four whitepaper suites).",
    Item.CP_CA: "charge point CA: the CSMS signs charge point CSRs with it (TC_074, TC_077,"
    " TC_083) and trusts the client certificates it issued (security profile 3).",
    Item.CP_CLIENT: "client certificate of the security profile 3 charge point, RSA 2048,"
    " CN = its id, O = the CpoName (run config `tls_client_cert`/`tls_client_key`).",
    Item.CP_CLIENT_ECDSA: "the same charge point's client certificate with an ECDSA P-256 key.",
    Item.CP_CLIENT_EXPIRED: "an expired client certificate of that charge point: the CSMS must"
    " refuse it (TC_087).",
    Item.CP_CLIENT_WRONG_CA: "a client certificate of that charge point from a CA the CSMS does"
    " not trust: the CSMS must refuse it (TC_087).",
    Item.UNKNOWN_CA: "the CA of cp-client-wrong-ca (no key): trusted by nobody.",
    Item.MANUFACTURER_ROOT_CA: "manufacturer root CA: the ManufacturerRootCertificate a CSMS"
    " installs (TC_075_1); it issued the firmware signing certificate.",
    Item.FIRMWARE_SIGNING: "firmware signing certificate (RSA 2048, code signing): the"
    " signingCertificate of SignedUpdateFirmware (TC_080, TC_081).",
}


class PkiError(Exception):
    """The PKI folder cannot be made or read."""


@dataclass(frozen=True)
class PkiFiles:
    """A PKI folder made by `init_pki`."""

    directory: Path

    def certificate(self, item: Item) -> Path:
        return self.directory / f"{item.value}.pem"

    def key(self, item: Item) -> Path:
        return self.directory / f"{item.value}.key"

    @property
    def firmware_signature(self) -> Path:
        return self.directory / FIRMWARE_SIGNATURE

    def manifest(self) -> dict[str, object]:
        try:
            data = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PkiError(f"{self.directory}: not an octt PKI folder ({exc})") from None
        if not isinstance(data, dict):
            raise PkiError(f"{self.directory / MANIFEST}: not a JSON object")
        return data

    def issued(self, item: Item) -> Issued:
        """A certificate with its private key, read back from the files."""
        try:
            certificate = load_certificates(self.certificate(item).read_text(encoding="ascii"))[0]
            key = load_private_key(self.key(item).read_bytes())
        except (OSError, ValueError) as exc:
            raise PkiError(f"{self.directory}: cannot read {item.value}: {exc}") from None
        return Issued(certificate, key)

    def placeholder_values(self) -> dict[str, str]:
        """`{pki.<name>}` → the PEM of every certificate of the folder, and
        `{pki.firmware_signature}` → the firmware signature (when there is one)."""
        values: dict[str, str] = {}
        for item in Item:
            path = self.certificate(item)
            if path.is_file():
                values[item.placeholder] = path.read_text(encoding="ascii")
        if self.firmware_signature.is_file():
            values["pki.firmware_signature"] = self.firmware_signature.read_text("ascii").strip()
        return values


def _write(path: Path, data: bytes, *, secret: bool) -> None:
    mode = 0o600 if secret else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
    finally:
        os.close(fd)


def init_pki(
    directory: Path,
    *,
    host: str = DEFAULT_HOST,
    cp_id: str = "OCTT-SP3-001",
    cpo_name: str = DEFAULT_ORGANIZATION,
    firmware_image: bytes | None = None,
    force: bool = False,
) -> PkiFiles:
    """Make the test PKI in `directory` (created with mode 0700); PkiError if it already holds
    a PKI and `force` is not set. `firmware_image`: also sign it (firmware-signature.b64)."""
    files = PkiFiles(directory)
    if (directory / MANIFEST).exists() and not force:
        raise PkiError(f"{directory} already holds a PKI (use --force to replace it)")
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise PkiError(f"cannot create {directory}: {exc.strerror or exc}") from None
    start = now() - datetime.timedelta(hours=1)
    made: dict[Item, Issued] = {}

    def ca(item: Item, common_name: str, key_type: KeyType = KeyType.ECDSA) -> Issued:
        made[item] = create_ca(
            common_name, generate_key(key_type), organization=cpo_name, valid_from=start
        )
        return made[item]

    def leaf(
        item: Item,
        issuer: Issued,
        common_name: str,
        usage: Usage,
        key_type: KeyType,
        *,
        hosts: tuple[str, ...] = (),
        expired: bool = False,
    ) -> None:
        key = generate_key(key_type)
        valid_from, valid_until = start, None
        if expired:
            valid_from = start - datetime.timedelta(days=400)
            valid_until = start - datetime.timedelta(days=30)
        certificate = issue(
            issuer,
            key.public_key(),
            name(common_name, cpo_name),
            usage,
            hosts=hosts,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        made[item] = Issued(certificate, key)

    csms_root = ca(Item.CSMS_ROOT_CA, "octt CSMS root CA")
    ca(Item.CSMS_ROOT_CA_2, "octt CSMS root CA 2")
    hosts = (host, "localhost", "127.0.0.1", "::1")
    leaf(Item.CSMS_SERVER_RSA, csms_root, host, Usage.SERVER, KeyType.RSA, hosts=hosts)
    leaf(Item.CSMS_SERVER_ECDSA, csms_root, host, Usage.SERVER, KeyType.ECDSA, hosts=hosts)
    cp_ca = ca(Item.CP_CA, "octt charge point CA")
    leaf(Item.CP_CLIENT, cp_ca, cp_id, Usage.CLIENT, KeyType.RSA)
    leaf(Item.CP_CLIENT_ECDSA, cp_ca, cp_id, Usage.CLIENT, KeyType.ECDSA)
    leaf(Item.CP_CLIENT_EXPIRED, cp_ca, cp_id, Usage.CLIENT, KeyType.ECDSA, expired=True)
    unknown = ca(Item.UNKNOWN_CA, "octt unknown CA")
    leaf(Item.CP_CLIENT_WRONG_CA, unknown, cp_id, Usage.CLIENT, KeyType.ECDSA)
    manufacturer = ca(Item.MANUFACTURER_ROOT_CA, "octt manufacturer root CA")
    leaf(
        Item.FIRMWARE_SIGNING,
        manufacturer,
        "octt firmware signing",
        Usage.CODE_SIGNING,
        KeyType.RSA,
    )
    without_key = {Item.CSMS_ROOT_CA_2, Item.UNKNOWN_CA}
    for item, issued in made.items():
        _write(files.certificate(item), certificate_pem(issued.certificate).encode(), secret=False)
        if item not in without_key:
            _write(files.key(item), private_key_pem(issued.key), secret=True)
    if firmware_image is not None:
        signature = firmware.sign(made[Item.FIRMWARE_SIGNING].key, firmware_image)
        _write(files.firmware_signature, (signature + "\n").encode(), secret=False)
    manifest = {
        "octt_pki": 1,
        "host": host,
        "cp_id": cp_id,
        "cpo_name": cpo_name,
        "created": start.isoformat(),
        "certificates": {item.value: fingerprint(made[item].certificate) for item in Item},
    }
    _write(directory / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode(), secret=False)
    _write(
        directory / README, readme(host, cp_id, firmware_image is not None).encode(), secret=False
    )
    return files


def readme(host: str, cp_id: str, signed_firmware: bool) -> str:
    lines = [
        "# octt test PKI",
        "",
        f"Made by `octt pki init` for CSMS host `{host}` and charge point `{cp_id}`: test",
        "material for the security profiles of the OCPP 1.6 security whitepaper (edition 3).",
        "The `.key` files are unencrypted private keys (mode 0600): keep them here, never use",
        "them in production, never put them in a report.",
        "",
        "| File | Purpose |",
        "|---|---|",
    ]
    for item in Item:
        key = "" if item in (Item.CSMS_ROOT_CA_2, Item.UNKNOWN_CA) else f", `{item.value}.key`"
        lines.append(f"| `{item.value}.pem`{key} | {PURPOSE[item]} |")
    if signed_firmware:
        lines.append(
            f"| `{FIRMWARE_SIGNATURE}` | RSA-PSS/SHA-256 signature (base64) of the reference"
            " CSMS's firmware image `octt-firmware-2.0.bin` with the firmware signing key |"
        )
    lines += [
        f"| `{MANIFEST}` | host, charge point id and certificate fingerprints |",
        "",
        "Use it:",
        "",
        "- `octt reference-csms --pki DIR --tls-port 9443` serves security profiles 2 and 3 with",
        "  both server certificates, signs CSRs with the charge point CA and trusts its clients.",
        "- a run configuration with `pki_dir: DIR` takes `csms-root-ca.pem` as the CSMS root the",
        "  charge point verifies, and `cp-client.pem`/`.key` as its client certificate;",
        "  `tls_ca_file`, `tls_client_cert` and `tls_client_key` name other files instead.",
        "- a PICS may quote a certificate as `{pki.csms_root_ca_2}` (the file name with `_`), and",
        "  the signature as `{pki.firmware_signature}`; the run fills them in.",
        "",
    ]
    return "\n".join(lines)
