"""Starting the example Acme CSMS (examples/ocpp_lib_csms) in a process of its own, for tests."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACME_DIR = ROOT / "examples" / "ocpp_lib_csms"
_READY = re.compile(r"acme-csms ready ocpp=(\S+) api=(\S+)")


@dataclass(frozen=True)
class AcmeCsms:
    ocpp_url: str
    api_url: str

    def env(self) -> dict[str, str]:
        """The environment an `octt` process with the Acme adapter needs."""
        path = os.pathsep.join(p for p in (str(ACME_DIR), os.environ.get("PYTHONPATH")) if p)
        return {**os.environ, "PYTHONPATH": path, "ACME_API_URL": self.api_url}


@contextlib.contextmanager
def acme_csms(timeout_s: float = 20.0) -> Iterator[AcmeCsms]:
    """The Acme CSMS on free loopback ports, stopped afterwards."""
    process = subprocess.Popen(
        [sys.executable, str(ACME_DIR / "acme_csms.py"), "--ocpp-port", "0", "--api-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if _READY.search(line):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(timeout_s):
            raise AssertionError(f"the Acme CSMS did not start: {''.join(lines)}")
        found = next(m for m in map(_READY.search, lines) if m)
        yield AcmeCsms(found.group(1), found.group(2))
    finally:
        process.terminate()
        process.wait(timeout=10)
