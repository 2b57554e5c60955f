"""`octt pki init DIR`: a test PKI with a README; keys 0600, never printed, never overwritten."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from octt.cli import main
from octt.cli.env import Environment
from octt.pki import firmware
from octt.pki.layout import Item, PkiFiles
from octt.reference.files import firmware_image


def octt(cwd: Path, *argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=stdout, stderr=stderr, cwd=cwd, environ={})
    return main(list(argv), env=env), stdout.getvalue(), stderr.getvalue()


def test_pki_init_writes_the_pki_and_signs_the_reference_firmware(tmp_path: Path) -> None:
    status, stdout, stderr = octt(
        tmp_path, "pki", "init", "pki", "--host", "h.test", "--cp-id", "CP7"
    )
    assert status == 0, stderr
    files = PkiFiles(tmp_path / "pki")
    assert files.manifest()["cp_id"] == "CP7"
    assert stat.S_IMODE(files.key(Item.CP_CLIENT).stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in stdout + stderr
    assert "README.md" in stdout
    signing = files.certificate(Item.FIRMWARE_SIGNING).read_text()
    signature = files.firmware_signature.read_text().strip()
    assert firmware.verify(signing, firmware_image(), signature).valid


def test_pki_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert octt(tmp_path, "pki", "init", "pki")[0] == 0
    status, _, stderr = octt(tmp_path, "pki", "init", "pki")
    assert status == 2 and "--force" in stderr
    assert octt(tmp_path, "pki", "init", "pki", "--force")[0] == 0
