"""The reference CSMS's handlers of the security whitepaper's charge point messages: a CSR is
accepted and signed (CertificateSigned follows), security events, log and signed-firmware
status are recorded and acknowledged — and the faults that break each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from security_support import session_pki
from websockets.asyncio.client import connect

from octt.pki import certs
from octt.pki.certs import KeyType
from octt.reference.faults import Fault
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.reference.tls import ReferenceTls

CP = "CP-SEC-1"


async def exchange(
    calls: Iterable[tuple[str, dict[str, Any]]], faults: frozenset[Fault] = frozenset()
) -> tuple[list[Any], dict[str, Any]]:
    """Send the CALLs; return every frame the CSMS sent (answering its CALLs Accepted) and
    what its store holds afterwards."""
    config = ReferenceConfig(tls=ReferenceTls.from_pki(session_pki()), faults=faults)
    received: list[Any] = []
    async with ReferenceCsms(config) as csms:
        async with connect(f"{csms.ocpp_url}/{CP}", subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            for number, (action, payload) in enumerate(calls):
                await ws.send(json.dumps([2, f"c{number}", action, payload]))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    received.append(frame)
                    if frame[0] == 2:  # a CALL of the CSMS: answer it
                        await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
                        continue
                    if frame[1] == f"c{number}":
                        break
                if action == "SignCertificate" and received[-1][2].get("status") == "Accepted":
                    call = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    received.append(call)
                    await ws.send(json.dumps([3, call[1], {"status": "Accepted"}]))
                    await asyncio.sleep(0)  # let the CSMS record the answer
                    for _ in range(50):
                        if csms.store.issued_certificates(CP):
                            break
                        await asyncio.sleep(0.01)
        store = csms.store
        held = {
            "issued": store.issued_certificates(CP),
            "events": store.security_events(CP),
            "logs": store.security_statuses(CP, "log"),
            "firmware": store.security_statuses(CP, "signed-firmware"),
        }
        return received, held


def csr(cn: str = CP) -> str:
    return certs.csr_pem(certs.build_csr(certs.generate_key(KeyType.ECDSA), cn, "CPO"))


def test_a_csr_is_accepted_then_signed_and_sent() -> None:
    frames, held = asyncio.run(exchange([("SignCertificate", {"csr": csr()})]))
    issued = held["issued"]
    assert frames[0][2] == {"status": "Accepted"}
    assert frames[1][2] == "CertificateSigned"
    chain = certs.load_certificates(frames[1][3]["certificateChain"])
    assert certs.common_name(chain[0].subject) == CP and len(chain) == 2
    assert issued == [(frames[1][3]["certificateChain"], "Accepted")]


def test_csrs_the_csms_will_not_sign_are_rejected() -> None:
    for payload, faults in (
        ({"csr": csr("SOMEONE-ELSE")}, frozenset()),
        ({"csr": csr()}, frozenset({Fault.SIGN_CERTIFICATE_REJECTED})),
    ):
        frames, _ = asyncio.run(exchange([("SignCertificate", payload)], faults))
        assert frames == [[3, "c0", {"status": "Rejected"}]]


def test_security_notifications_are_recorded_and_acknowledged() -> None:
    calls = [
        (
            "SecurityEventNotification",
            {"type": "FirmwareUpdated", "timestamp": "2026-01-01T00:00:00Z"},
        ),
        ("LogStatusNotification", {"status": "Uploaded", "requestId": 4}),
        ("SignedFirmwareStatusNotification", {"status": "InvalidSignature", "requestId": 5}),
    ]

    frames, held = asyncio.run(exchange(calls))
    assert [f[2] for f in frames] == [{}, {}, {}]
    assert (held["events"], held["logs"], held["firmware"]) == (
        ["FirmwareUpdated"],
        ["Uploaded"],
        ["InvalidSignature"],
    )


def test_callerror_faults() -> None:
    faults = frozenset(
        {
            Fault.SECURITY_EVENT_CALLERROR,
            Fault.LOG_STATUS_CALLERROR,
            Fault.SIGNED_FIRMWARE_STATUS_CALLERROR,
        }
    )
    calls = [
        ("SecurityEventNotification", {"type": "X", "timestamp": "2026-01-01T00:00:00Z"}),
        ("LogStatusNotification", {"status": "Uploading"}),
        ("SignedFirmwareStatusNotification", {"status": "InvalidSignature"}),
        ("SignedFirmwareStatusNotification", {"status": "Installed"}),
    ]
    frames, _ = asyncio.run(exchange(calls, faults))
    assert [f[0] for f in frames] == [4, 4, 4, 3]
