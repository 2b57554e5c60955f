"""The reference CSMS's handlers of the security whitepaper's charge point messages ("Improved
security for OCPP 1.6-J", edition 3), mixed into `CentralSession`:

- SignCertificate (A02): the CSR is checked (signature, CN = the charge point id, key length)
  and answered Accepted; then, after the answer, the CSMS signs it with its charge point CA and
  sends CertificateSigned with the chain (leaf, then the CA). Rejected without a CA or for a CSR
  it will not sign.
- SecurityEventNotification (A04), LogStatusNotification (N01),
  SignedFirmwareStatusNotification (L01): recorded and acknowledged (empty confirmations).

Faults of layer HANDLER break these: a Rejected SignCertificate, certificates with another key
or CN or without PEM armour (`octt.reference.security.CsrSigner`), CALLERRORs for security
events, log status and failed signed-firmware status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from cryptography import x509
from ocpp.exceptions import InternalError
from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from octt.reference.faults import Fault
from octt.reference.security import CsrRejected

if TYPE_CHECKING:
    from octt.reference.central import CallOutcome, SessionContext

_LOG = logging.getLogger("octt.reference.security")

#: How long the CSMS waits for the answer to the CertificateSigned it sends.
CERTIFICATE_SIGNED_TIMEOUT_S = 30.0
#: SignedFirmwareStatus values that report a failure (Fault.SIGNED_FIRMWARE_STATUS_CALLERROR).
FAILED_SIGNED_FIRMWARE = frozenset(
    {"DownloadFailed", "InstallationFailed", "InstallVerificationFailed", "InvalidSignature"}
)

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


def _on(action: str) -> Callable[[_Handler], _Handler]:
    return cast(Callable[[_Handler], _Handler], on(action))


def _after(action: str) -> Callable[[_Handler], _Handler]:
    return cast(Callable[[_Handler], _Handler], after(action))


class SecurityHandlers:
    """Handlers of the security whitepaper's messages (a mixin of `CentralSession`)."""

    charge_point_id: str
    _ctx: SessionContext
    # The CSR SignCertificate accepted, signed after the answer has gone out.
    _accepted_csr: x509.CertificateSigningRequest | None = None

    if TYPE_CHECKING:

        async def send_call(
            self, action: str, payload: dict[str, Any], timeout_s: float
        ) -> CallOutcome: ...

    def _security_faulty(self, fault: Fault) -> bool:
        return fault in self._ctx.faults

    @_on(Action.sign_certificate)
    def on_sign_certificate(self, csr: str, **kwargs: Any) -> Any:
        self._accepted_csr = None
        signer = self._ctx.signer
        if self._security_faulty(Fault.SIGN_CERTIFICATE_REJECTED) or signer is None:
            return call_result.SignCertificate(status="Rejected")
        try:
            self._accepted_csr = signer.check(csr, self.charge_point_id)
        except CsrRejected as exc:
            _LOG.info("%s: CSR rejected: %s", self.charge_point_id, exc)
            return call_result.SignCertificate(status="Rejected")
        return call_result.SignCertificate(status="Accepted")

    @_after(Action.sign_certificate)
    async def after_sign_certificate(self, csr: str, **kwargs: Any) -> None:
        """Sign the accepted CSR and send the chain (A02: CertificateSigned follows the
        SignCertificate.conf)."""
        accepted, self._accepted_csr = self._accepted_csr, None
        signer = self._ctx.signer
        if accepted is None or signer is None:
            return
        chain = signer.sign(accepted, self._ctx.faults)
        outcome = await self.send_call(
            "CertificateSigned", {"certificateChain": chain}, CERTIFICATE_SIGNED_TIMEOUT_S
        )
        payload = getattr(outcome, "payload", None)
        answer = payload.get("status") if isinstance(payload, dict) else None
        self._ctx.store.record_issued_certificate(
            self.charge_point_id, chain, str(answer) if answer else None, self._ctx.clock.utc_now()
        )
        _LOG.info("%s: CertificateSigned answered %s", self.charge_point_id, answer)

    @_on(Action.security_event_notification)
    def on_security_event_notification(
        self, type: str, timestamp: str, tech_info: str | None = None, **kwargs: Any
    ) -> Any:
        if self._security_faulty(Fault.SECURITY_EVENT_CALLERROR):
            raise InternalError(description="security-event-callerror fault switched on")
        self._ctx.store.record_security_event(
            self.charge_point_id, type, timestamp, tech_info, self._ctx.clock.utc_now()
        )
        _LOG.info("%s: security event %s", self.charge_point_id, type)
        return call_result.SecurityEventNotification()

    @_on(Action.log_status_notification)
    def on_log_status_notification(
        self, status: str, request_id: int | None = None, **kwargs: Any
    ) -> Any:
        if self._security_faulty(Fault.LOG_STATUS_CALLERROR):
            raise InternalError(description="log-status-callerror fault switched on")
        self._ctx.store.record_security_status(
            self.charge_point_id, "log", status, request_id, self._ctx.clock.utc_now()
        )
        return call_result.LogStatusNotification()

    @_on(Action.signed_firmware_status_notification)
    def on_signed_firmware_status_notification(
        self, status: str, request_id: int | None = None, **kwargs: Any
    ) -> Any:
        if status in FAILED_SIGNED_FIRMWARE and self._security_faulty(
            Fault.SIGNED_FIRMWARE_STATUS_CALLERROR
        ):
            raise InternalError(description="signed-firmware-status-callerror fault switched on")
        self._ctx.store.record_security_status(
            self.charge_point_id, "signed-firmware", status, request_id, self._ctx.clock.utc_now()
        )
        return call_result.SignedFirmwareStatusNotification()
