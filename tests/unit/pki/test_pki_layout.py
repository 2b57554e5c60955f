"""`octt pki init`: the files of the test PKI, their modes, names and what they hold."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography import x509

from octt.pki import certs, firmware
from octt.pki.layout import Item, PkiError, PkiFiles, init_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiFiles:
    folder = tmp_path_factory.mktemp("layout") / "pki"
    return init_pki(
        folder, host="csms.test", cp_id="CP-9", cpo_name="Test CPO", firmware_image=b"fw"
    )


def test_every_item_has_a_certificate_and_the_keys_are_private(pki: PkiFiles) -> None:
    assert stat.S_IMODE(pki.directory.stat().st_mode) == 0o700
    for item in Item:
        assert certs.load_certificates(pki.certificate(item).read_text())
        key = pki.key(item)
        if item in (Item.CSMS_ROOT_CA_2, Item.UNKNOWN_CA):
            assert not key.exists()
        else:
            assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_server_client_and_signing_certificates(pki: PkiFiles) -> None:
    root = pki.issued(Item.CSMS_ROOT_CA).certificate
    for item, kind in ((Item.CSMS_SERVER_RSA, "RSA"), (Item.CSMS_SERVER_ECDSA, "EC")):
        server = pki.issued(item).certificate
        assert certs.common_name(server.subject) == "csms.test"
        assert certs.issued_by(server, root)
        assert certs.key_description(server.public_key())[0] == kind
        san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert {"csms.test", "localhost"} <= set(san.get_values_for_type(x509.DNSName))
    cp_ca = pki.issued(Item.CP_CA).certificate
    client = pki.issued(Item.CP_CLIENT).certificate
    assert certs.common_name(client.subject) == "CP-9"
    assert certs.organization(client.subject) == "Test CPO"
    assert certs.issued_by(client, cp_ca)
    expired = pki.issued(Item.CP_CLIENT_EXPIRED).certificate
    assert not certs.valid_at(expired, certs.now())
    wrong = pki.issued(Item.CP_CLIENT_WRONG_CA).certificate
    assert not certs.issued_by(wrong, cp_ca)
    signing = pki.certificate(Item.FIRMWARE_SIGNING).read_text()
    assert firmware.verify(signing, b"fw", pki.firmware_signature.read_text().strip()).valid


def test_manifest_readme_and_placeholders(pki: PkiFiles) -> None:
    manifest = pki.manifest()
    assert manifest["host"] == "csms.test" and manifest["cp_id"] == "CP-9"
    assert set(manifest["certificates"]) == {item.value for item in Item}  # type: ignore[arg-type]
    readme = (pki.directory / "README.md").read_text()
    for item in Item:
        assert f"`{item.value}.pem`" in readme
    values = pki.placeholder_values()
    assert values["pki.csms_root_ca_2"].startswith("-----BEGIN CERTIFICATE-----")
    assert values["pki.firmware_signature"] == pki.firmware_signature.read_text().strip()
    assert not any("PRIVATE KEY" in v for v in values.values())


def test_an_existing_pki_is_kept_unless_forced(pki: PkiFiles, tmp_path: Path) -> None:
    with pytest.raises(PkiError, match="already holds a PKI"):
        init_pki(pki.directory)
    copy = init_pki(tmp_path / "again")
    fingerprint = json.loads((copy.directory / "pki.json").read_text())["certificates"]
    again = init_pki(copy.directory, force=True)
    assert again.manifest()["certificates"] != fingerprint
    with pytest.raises(PkiError, match="not an octt PKI"):
        PkiFiles(tmp_path).manifest()
    with pytest.raises(PkiError, match="cannot read"):
        PkiFiles(tmp_path).issued(Item.CP_CA)
