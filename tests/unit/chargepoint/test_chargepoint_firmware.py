"""Firmware Management on the simulated charge point: UpdateFirmware, GetDiagnostics, the two
status notifications and the diagnostics file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from octt.chargepoint.firmware import (
    DiagnosticsRequest,
    DiagnosticsStatus,
    FirmwareRequest,
    FirmwareStatus,
    diagnostics_file,
)
from octt.chargepoint.messages import build_request, on_sent
from octt.chargepoint.model import ChargePointState
from octt.chargepoint.responder import commit, default_reply

NOW = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)


def state() -> ChargePointState:
    cp = ChargePointState.create("CP/1", "octt", "octt-sim", 2)
    cp.wall_clock = lambda: NOW
    return cp


def answer(cp: ChargePointState, action: str, payload: dict[str, Any]) -> Any:
    reply = default_reply(cp, action, payload, known_action=True)
    commit(cp, action, payload, reply)
    return reply


def test_update_firmware_is_taken_and_remembered() -> None:
    cp = state()
    request = {"location": "http://127.0.0.1:1/fw.bin", "retrieveDate": "2026-03-01T12:10:00Z"}
    assert answer(cp, "UpdateFirmware", request) == {}
    assert cp.firmware.firmware_request == FirmwareRequest(
        "http://127.0.0.1:1/fw.bin", datetime(2026, 3, 1, 12, 10, tzinfo=UTC)
    )


def test_get_diagnostics_names_the_file_and_remembers_where_it_goes() -> None:
    cp = state()
    reply = answer(cp, "GetDiagnostics", {"location": "http://127.0.0.1:1/diagnostics/"})
    assert reply == {"fileName": "CP_1-diagnostics-20260301T120005Z.log"}
    assert cp.firmware.diagnostics_request == DiagnosticsRequest(
        "http://127.0.0.1:1/diagnostics/", "CP_1-diagnostics-20260301T120005Z.log"
    )


def test_notifications_report_the_last_status_and_steps_set_it() -> None:
    cp = state()
    assert build_request(cp, "FirmwareStatusNotification", None, {}, NOW) == {"status": "Idle"}
    assert build_request(cp, "DiagnosticsStatusNotification", None, {}, NOW) == {"status": "Idle"}
    answer(
        cp, "UpdateFirmware", {"location": "ftp://x/fw.bin", "retrieveDate": "2026-03-01T12:00:00Z"}
    )
    for status in ("Downloading", "Downloaded", "Installing", "Installed"):
        payload = build_request(cp, "FirmwareStatusNotification", None, {"status": status}, NOW)
        on_sent(cp, "FirmwareStatusNotification", payload, NOW)
    assert cp.firmware.firmware_status is FirmwareStatus.INSTALLED
    assert cp.firmware.installed_firmware == ["ftp://x/fw.bin"]
    on_sent(cp, "DiagnosticsStatusNotification", {"status": "Uploading"}, NOW)
    assert cp.firmware.diagnostics_status is DiagnosticsStatus.UPLOADING
    assert build_request(cp, "DiagnosticsStatusNotification", None, {}, NOW) == {
        "status": "Uploading"
    }


def test_diagnostics_file_describes_the_charge_point() -> None:
    text = diagnostics_file(state()).decode()
    assert text.startswith("octt simulated charge point CP/1 (octt octt-sim)\n")
    assert "generated 2026-03-01T12:00:05.000Z" in text
    assert "connector 1: Available NoError meter 0 Wh" in text
    assert "config HeartbeatInterval=" in text
