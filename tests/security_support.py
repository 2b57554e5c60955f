"""Shared helpers of the security tests: one test PKI per test session (made once, ~0.2 s)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from octt.pki.layout import PkiFiles, init_pki
from octt.reference.files import firmware_image

#: The host the test PKI's server certificates are for (the reference serves 127.0.0.1).
HOST = "127.0.0.1"
#: The security profile 3 charge point of pics/reference-csms.yaml.
SP3_CP_ID = "OCTT-SP3-001"
CPO_NAME = "octt CPO"


@functools.cache
def session_pki() -> PkiFiles:
    """A test PKI shared by every test of the session (read-only: never modify its files)."""
    folder = Path(tempfile.mkdtemp(prefix="octt-test-pki-")) / "pki"
    return init_pki(
        folder, host=HOST, cp_id=SP3_CP_ID, cpo_name=CPO_NAME, firmware_image=firmware_image()
    )
