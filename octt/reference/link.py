"""The connection object the ocpp library talks through: one WebSocket to one charge point.

Owns the bookkeeping that turns outgoing frames into wire frames: it remembers which action
each incoming CALL had (a CALLRESULT does not say), and passes every outgoing frame through
`wire.rewrite_outgoing` (fault rewrites and the 1.6 CALLERROR spellings), and writes it with
other key order and whitespace under Quirk.REFORMATTED_FRAMES. The ocpp library only
needs `recv()` and `send()`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from websockets.asyncio.server import ServerConnection

from octt.reference.faults import Fault
from octt.reference.quirks import Quirk
from octt.reference.wire import call_action, redact, response_unique_id, rewrite_outgoing

_LOG = logging.getLogger("octt.reference.link")

#: How many unanswered incoming CALL ids are remembered (a charge point may have only one
#: outstanding CALL, OCPP-J §4.1.1; this only bounds memory against a misbehaving peer).
_MAX_REMEMBERED_CALLS = 64


class OcppLink:
    """A charge point's WebSocket as the ocpp library sees it."""

    def __init__(
        self,
        websocket: ServerConnection,
        charge_point_id: str,
        faults: frozenset[Fault],
        quirks: frozenset[Quirk] = frozenset(),
    ):
        self._ws = websocket
        self._charge_point_id = charge_point_id
        self._faults = faults
        self._reformat = Quirk.REFORMATTED_FRAMES in quirks
        self._incoming_calls: dict[str, str] = {}

    async def recv(self) -> str:
        """The next text frame from the charge point (raises ConnectionClosed at the end)."""
        while True:
            message = await self._ws.recv()
            if isinstance(message, bytes):
                # OCPP-J carries its JSON messages in text frames; a binary one has no id to answer.
                _LOG.warning("%s: ignored a binary frame", self._charge_point_id)
                continue
            call = call_action(message)
            if call is not None:
                if len(self._incoming_calls) >= _MAX_REMEMBERED_CALLS:
                    self._incoming_calls.pop(next(iter(self._incoming_calls)))
                self._incoming_calls[call[0]] = call[1]
            return message

    async def send(self, message: str) -> None:
        """Send one frame of the CSMS, rewritten as the faults and the 1.6 spellings require."""
        unique_id = response_unique_id(message)
        answered = self._incoming_calls.pop(unique_id, None) if unique_id is not None else None
        frames = rewrite_outgoing(message, answered, self._faults)
        if frames != [message]:
            _LOG.debug("%s: rewrote outgoing frame %s", self._charge_point_id, redact(message))
        for frame in frames:
            await self._ws.send(reformatted(frame) if self._reformat else frame)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code, reason)


def reformatted(frame: str) -> str:
    """Quirk.REFORMATTED_FRAMES: the same JSON with its object keys in reverse order and with
    spaces and a newline (RFC 8259 §2: insignificant whitespace; key order carries nothing)."""
    try:
        value = json.loads(frame)
    except ValueError:
        return frame
    return " " + json.dumps(_reversed_keys(value), indent=1, ensure_ascii=False) + "\n"


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value
