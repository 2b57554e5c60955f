"""The reference CSMS as `octt run` embeds it: on loopback, with a test PKI of its own when its
PICS claims security profiles, and the run configuration that reaches it.

`embedded_reference` starts a `ReferenceCsms` seeded from the PICS, and, when the PICS claims a
security profile (OCPP 1.6 security whitepaper ed.3), makes a test PKI in a private temporary
folder (`octt.pki.layout`, host 127.0.0.1, the profile 3 charge point's id in the client
certificate; removed when the CSMS stops) unless the run names one (`pki_dir`), serves TLS with
it, and gives the run a random Basic-auth password unless it has one. It yields the CSMS and the
run configuration completed with the endpoint of each security profile, the PKI and the
password.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from pathlib import Path

from octt.config import RunConfig
from octt.pics.model import Pics
from octt.pki.layout import PkiFiles, init_pki
from octt.reference.faults import Fault
from octt.reference.files import firmware_image
from octt.reference.quirks import Quirk
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.reference.store import seed_from_pics
from octt.reference.tls import ReferenceTls

#: The loopback address the embedded CSMS serves (and its server certificates are for).
HOST = "127.0.0.1"


def generated_password() -> str:
    """A random Basic-auth password: 20 URL-safe characters (taken as text by the hex rule)."""
    return secrets.token_urlsafe(15)


@contextlib.asynccontextmanager
async def embedded_reference(
    config: RunConfig,
    pics: Pics,
    *,
    faults: Iterable[Fault] = (),
    quirks: Iterable[Quirk] = (),
    call_timeout_s: float = 30.0,
) -> AsyncIterator[tuple[ReferenceCsms, RunConfig]]:
    """A started reference CSMS for `pics`, and `config` completed to reach it."""
    with contextlib.ExitStack() as stack:
        tls: ReferenceTls | None = None
        pki_dir = config.pki_dir
        if pics.security_profiles:
            if pki_dir is None:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="octt-")))
                data = pics.test_data
                pki_dir = init_pki(
                    folder / "pki",
                    host=HOST,
                    cp_id=data.security_charge_point_id(3),
                    cpo_name=data.cpo_name or "octt CPO",
                    firmware_image=firmware_image(),
                ).directory
            tls = ReferenceTls.from_pki(PkiFiles(pki_dir))
        reference = ReferenceCsms(
            ReferenceConfig(
                host=HOST,
                seed=seed_from_pics(config.pics_path),
                faults=frozenset(faults),
                quirks=frozenset(quirks),
                tls=tls,
                call_timeout_s=call_timeout_s,
            )
        )
        await reference.start()
        try:
            if tls is not None:
                tls_url = reference.tls_url or reference.ocpp_url
                urls = {0: reference.ocpp_url, 1: reference.ocpp_url, 2: tls_url, 3: tls_url}
                config = replace(
                    config,
                    pki_dir=pki_dir,
                    pki_temporary=config.pki_dir is None,
                    security_profile_urls={**urls, **config.security_profile_urls},
                    basic_auth_password=config.basic_auth_password or generated_password(),
                )
            yield reference, config
        finally:
            await reference.stop()
