"""The Firmware Management feature profile on the simulated charge point (OCPP 1.6 §5.19
UpdateFirmware, §5.9 GetDiagnostics, §4.5 FirmwareStatusNotification, §4.4
DiagnosticsStatusNotification).

Owns `FirmwareState` — the firmware update and the diagnostics upload the Central System asked
for, and the last status the charge point reported for each — the replies and commits of the two
requests, the payload builders of the two notifications (a step gives the status; without one
the charge point reports its last status, Idle at first, as a TriggerMessage asks, §5.17), and
the diagnostics file the charge point uploads. Moving the files over the network is the engine's
business (`simulate: firmware_download`, `simulate: diagnostics_upload`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from octt.clock import rfc3339
from octt.validation.formats import parse_date_time

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState


class FirmwareStatus(StrEnum):
    """FirmwareStatus, OCPP 1.6 §7.25."""

    DOWNLOADED = "Downloaded"
    DOWNLOAD_FAILED = "DownloadFailed"
    DOWNLOADING = "Downloading"
    IDLE = "Idle"
    INSTALLATION_FAILED = "InstallationFailed"
    INSTALLING = "Installing"
    INSTALLED = "Installed"


class DiagnosticsStatus(StrEnum):
    """DiagnosticsStatus, OCPP 1.6 §7.24."""

    IDLE = "Idle"
    UPLOADED = "Uploaded"
    UPLOAD_FAILED = "UploadFailed"
    UPLOADING = "Uploading"


@dataclass(frozen=True)
class FirmwareRequest:
    """An accepted UpdateFirmware.req: where to get the firmware, and from when (§5.19)."""

    location: str
    retrieve_date: datetime | None


@dataclass(frozen=True)
class DiagnosticsRequest:
    """An accepted GetDiagnostics.req: where to upload, under which file name (§5.9)."""

    location: str
    file_name: str


@dataclass
class FirmwareState:
    firmware_request: FirmwareRequest | None = None
    diagnostics_request: DiagnosticsRequest | None = None
    firmware_status: FirmwareStatus = FirmwareStatus.IDLE
    diagnostics_status: DiagnosticsStatus = DiagnosticsStatus.IDLE
    installed_firmware: list[str] = field(default_factory=list)  # locations installed, in order
    # The image really downloaded for a signed update (its signature is verified over it).
    downloaded_image: bytes | None = field(default=None, repr=False)


# -- UpdateFirmware (§5.19) and GetDiagnostics (§5.9) ------------------------------------------


def update_firmware_reply(_state: ChargePointState, _p: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateFirmware.conf has no fields: the charge point takes every request."""
    return {}


def update_firmware_commit(
    state: ChargePointState, payload: Mapping[str, Any], _reply: Mapping[str, Any]
) -> None:
    location = payload.get("location")
    retrieve = payload.get("retrieveDate")
    if isinstance(location, str):
        state.firmware.firmware_request = FirmwareRequest(
            location, parse_date_time(retrieve) if isinstance(retrieve, str) else None
        )


def diagnostics_file_name(state: ChargePointState) -> str:
    """The name the charge point gives the diagnostics file it will upload."""
    stamp = state.now().strftime("%Y%m%dT%H%M%SZ")
    safe_id = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in state.cp_id)
    return f"{safe_id}-diagnostics-{stamp}.log"


def get_diagnostics_reply(state: ChargePointState, _p: Mapping[str, Any]) -> dict[str, Any]:
    """GetDiagnostics.conf names the file the charge point will upload (§5.9)."""
    return {"fileName": diagnostics_file_name(state)}


def get_diagnostics_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    location = payload.get("location")
    file_name = reply.get("fileName")
    if isinstance(location, str):
        name = file_name if isinstance(file_name, str) else diagnostics_file_name(state)
        state.firmware.diagnostics_request = DiagnosticsRequest(location, name)


# -- the two notifications (§4.4, §4.5) --------------------------------------------------------


def firmware_status_payload(
    state: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    return {"status": state.firmware.firmware_status.value}


def diagnostics_status_payload(
    state: ChargePointState, _c: int | None, _o: Mapping[str, Any], _t: str
) -> dict[str, Any]:
    return {"status": state.firmware.diagnostics_status.value}


def on_sent(state: ChargePointState, action: str, payload: Mapping[str, Any]) -> None:
    """Remember the status the charge point just reported."""
    status = payload.get("status")
    if action == "FirmwareStatusNotification" and status in set(FirmwareStatus):
        state.firmware.firmware_status = FirmwareStatus(status)
        request = state.firmware.firmware_request
        if status == FirmwareStatus.INSTALLED and request is not None:
            state.firmware.installed_firmware.append(request.location)
    elif action == "DiagnosticsStatusNotification" and status in set(DiagnosticsStatus):
        state.firmware.diagnostics_status = DiagnosticsStatus(status)


def diagnostics_file(state: ChargePointState) -> bytes:
    """The diagnostics the charge point uploads: a small plain-text log of its state."""
    lines = [
        f"octt simulated charge point {state.cp_id} ({state.vendor} {state.model})",
        f"generated {rfc3339(state.now())}",
        f"boots {state.boot_count}",
    ]
    for connector_id, connector in sorted(state.connectors.items()):
        lines.append(
            f"connector {connector_id}: {connector.status.value} {connector.error_code}"
            f" meter {connector.meter_wh} Wh"
        )
    entries, _ = state.config.entries(None)
    lines.extend(f"config {e.key}={e.value}" for e in entries)
    return ("\n".join(lines) + "\n").encode()
