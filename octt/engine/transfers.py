"""The file transfers of Firmware Management as simulated events of a test case (OCPP 1.6
§5.19 UpdateFirmware, §5.9 GetDiagnostics).

`simulate: firmware_download` waits for the retrieveDate of the UpdateFirmware the charge point
accepted (in simulated seconds, so the run's time scale shortens it; at most the step's
`duration_s`, else `MAX_RETRIEVE_WAIT_S`), then fetches the firmware from its location;
`simulate: diagnostics_upload` uploads the diagnostics file to the GetDiagnostics location. A
transfer is real only when the run asks for real transfers and the location is http(s)
(`octt.transport.file_transfer`, bounded in size and time); otherwise it is simulated. The
`*_fails` events make the transfer fail without touching the network, as the scenarios of
TC_044_2 and TC_045_2 need.

Whatever happens is a `TransferRecord` of the case and the step's detail, never a finding: the
CSMS is judged on its OCPP messages, the record says whether the file really moved.
"""

from __future__ import annotations

import asyncio

from octt.catalog.model import SimulatedEvent, SimulateStep
from octt.chargepoint import firmware, security
from octt.engine.context import CaseContext
from octt.engine.templating import render
from octt.result.model import TransferKind, TransferOutcome, TransferRecord
from octt.transport import file_transfer

#: The longest a firmware download waits for its retrieveDate, in simulated seconds.
MAX_RETRIEVE_WAIT_S = 3600.0

TRANSFER_EVENTS = frozenset(
    {
        SimulatedEvent.FIRMWARE_DOWNLOAD,
        SimulatedEvent.FIRMWARE_DOWNLOAD_FAILS,
        SimulatedEvent.DIAGNOSTICS_UPLOAD,
        SimulatedEvent.DIAGNOSTICS_UPLOAD_FAILS,
        SimulatedEvent.LOG_UPLOAD,
        SimulatedEvent.LOG_UPLOAD_FAILS,
    }
)

_OUTCOMES = {
    file_transfer.TransferOutcome.DONE: TransferOutcome.TRANSFERRED,
    file_transfer.TransferOutcome.FAILED: TransferOutcome.FAILED,
    file_transfer.TransferOutcome.NOT_ATTEMPTED: TransferOutcome.SIMULATED,
}


async def simulate_transfer(ctx: CaseContext, step: SimulateStep) -> str:
    """Run one transfer event; the step's detail describes what happened."""
    if step.event in (SimulatedEvent.FIRMWARE_DOWNLOAD, SimulatedEvent.FIRMWARE_DOWNLOAD_FAILS):
        record, waited = await _firmware_download(ctx, step)
    elif step.event in (SimulatedEvent.LOG_UPLOAD, SimulatedEvent.LOG_UPLOAD_FAILS):
        record, waited = await _log_upload(ctx, step), ""
    else:
        record, waited = await _diagnostics_upload(ctx, step), ""
    ctx.transfers.append(record)
    verb = "download" if record.kind is TransferKind.FIRMWARE_DOWNLOAD else "upload"
    text = {
        TransferOutcome.TRANSFERRED: f"{verb} done",
        TransferOutcome.FAILED: f"real {verb} failed",
        TransferOutcome.SIMULATED: f"{verb} simulated",
        TransferOutcome.FAILURE_SIMULATED: f"{verb} failure simulated",
    }[record.outcome]
    return f"{waited}{text}: {record.url}: {record.detail}"


async def _firmware_download(ctx: CaseContext, step: SimulateStep) -> tuple[TransferRecord, str]:
    request = ctx.cp.firmware.firmware_request
    if request is None:
        raise ValueError(f"{step.location}: the charge point accepted no UpdateFirmware to act on")
    waited = ""
    if request.retrieve_date is not None:
        limit = (
            float(render(step.duration_s, ctx.scope()))
            if step.duration_s is not None
            else MAX_RETRIEVE_WAIT_S
        )
        until = (request.retrieve_date - ctx.cp.now()).total_seconds()
        simulated = min(max(0.0, until), limit)
        if simulated > 0:
            real = await _sleep(ctx, simulated)
            waited = f"waited {simulated:g} simulated s for the retrieveDate ({real:.3f} s real); "
    signed = ctx.cp.security.signed_firmware is not None
    record = await _transfer(
        ctx,
        TransferKind.FIRMWARE_DOWNLOAD,
        request.location,
        fails=step.event is SimulatedEvent.FIRMWARE_DOWNLOAD_FAILS,
        payload=None,
        keep=signed,
    )
    return record, waited


async def _log_upload(ctx: CaseContext, step: SimulateStep) -> TransferRecord:
    """GetLog (security whitepaper ed.3, N01): the security log goes to remoteLocation."""
    request = ctx.cp.security.log_request
    if request is None:
        raise ValueError(f"{step.location}: the charge point accepted no GetLog to act on")
    url = file_transfer.upload_url(request.location, request.file_name)
    return await _transfer(
        ctx,
        TransferKind.LOG_UPLOAD,
        url,
        fails=step.event is SimulatedEvent.LOG_UPLOAD_FAILS,
        payload=security.security_log_file(ctx.cp),
    )


async def _diagnostics_upload(ctx: CaseContext, step: SimulateStep) -> TransferRecord:
    request = ctx.cp.firmware.diagnostics_request
    if request is None:
        raise ValueError(f"{step.location}: the charge point accepted no GetDiagnostics to act on")
    url = file_transfer.upload_url(request.location, request.file_name)
    return await _transfer(
        ctx,
        TransferKind.DIAGNOSTICS_UPLOAD,
        url,
        fails=step.event is SimulatedEvent.DIAGNOSTICS_UPLOAD_FAILS,
        payload=firmware.diagnostics_file(ctx.cp),
    )


async def _transfer(
    ctx: CaseContext,
    kind: TransferKind,
    url: str,
    *,
    fails: bool,
    payload: bytes | None,
    keep: bool = False,
) -> TransferRecord:
    if fails:
        return TransferRecord(
            kind, url, TransferOutcome.FAILURE_SIMULATED, ctx.step_path, "nothing was sent"
        )
    config = ctx.config
    if not config.real_transfers:
        return TransferRecord(
            kind,
            url,
            TransferOutcome.SIMULATED,
            ctx.step_path,
            "real transfers are off for this run (--real-transfers)",
        )
    if payload is None:
        result = await file_transfer.download(
            url,
            max_bytes=config.transfer_max_bytes,
            timeout_s=config.transfer_timeout_s,
            tls_verify=config.tls_verify,
            clock=ctx.clock,
            keep=keep,
        )
        if keep:
            ctx.cp.firmware.downloaded_image = result.data
    else:
        result = await file_transfer.upload(
            url,
            payload,
            timeout_s=config.transfer_timeout_s,
            tls_verify=config.tls_verify,
            clock=ctx.clock,
        )
    return TransferRecord(
        kind,
        url,
        _OUTCOMES[result.outcome],
        ctx.step_path,
        result.detail,
        result.size,
        result.sha256,
        result.duration_s,
    )


async def _sleep(ctx: CaseContext, simulated_s: float) -> float:
    real = max(0.0, simulated_s * ctx.config.time_scale)
    await asyncio.sleep(real)
    return real
