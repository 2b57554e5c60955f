"""The CALLs a reference CSMS with quirks sends on its own (octt.reference.quirks).

OCPP 1.6 lets a Central System send its requests whenever the charge point is connected; real
ones poll the configuration after a boot, keep the heartbeat interval in line and ask for the
connector statuses periodically, or probe with TriggerMessage. `HabitTasks` runs these for one
session, each CALL through the session's own queue (one outstanding CALL, OCPP-J 1.6 §4.1.1),
and stops them with the session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from octt.reference.quirks import (
    HOUSEKEEPING_DELAY_S,
    HOUSEKEEPING_PERIOD_S,
    PROBE_DELAY_S,
    PROBE_PERIOD_S,
    Quirk,
)

_LOG = logging.getLogger("octt.reference.habits")
#: How long one habitual CALL waits for the charge point's answer.
CALL_TIMEOUT_S = 5.0
#: How long stopping waits for the habits to end.
STOP_TIMEOUT_S = 2.0


class HabitualSession(Protocol):
    charge_point_id: str

    @property
    def quirks(self) -> frozenset[Quirk]: ...

    @property
    def heartbeat_interval_s(self) -> int: ...

    async def send_call(self, action: str, payload: dict[str, Any], timeout_s: float) -> Any: ...


class HabitTasks:
    """The background CALLs of one session's quirks."""

    def __init__(self, session: HabitualSession) -> None:
        self._session = session
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False

    def start(self) -> None:
        """The habits that run from the connect on."""
        quirks = self._session.quirks
        if Quirk.HOUSEKEEPING in quirks:
            self._spawn(self._periodic(HOUSEKEEPING_DELAY_S, HOUSEKEEPING_PERIOD_S, self._tidy))
        if Quirk.TRIGGER_PROBES in quirks:
            self._spawn(self._periodic(PROBE_DELAY_S, PROBE_PERIOD_S, self._probe))

    def booted(self) -> None:
        """An accepted BootNotification was answered."""
        if Quirk.GET_CONFIGURATION_POLL_AFTER_BOOT in self._session.quirks:
            self._spawn(self._after_boot())

    def remote_stop(self, transaction_id: int) -> None:
        """Fault.INTERFERING_REMOTE_STOP: stop the transaction just started, unasked."""
        self._spawn(self._remote_stop(transaction_id))

    async def _remote_stop(self, transaction_id: int) -> None:
        await self._call("RemoteStopTransaction", {"transactionId": transaction_id})

    async def stop(self) -> None:
        # A flag as well as the cancellation: a CALL in flight may swallow the cancellation.
        self._stopped = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        if self._stopped:
            work.close()
            return
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _call(self, action: str, payload: dict[str, Any]) -> None:
        outcome = await self._session.send_call(action, payload, CALL_TIMEOUT_S)
        _LOG.info("%s: habitual %s: %s", self._session.charge_point_id, action, outcome)

    async def _after_boot(self) -> None:
        await self._call("GetConfiguration", {})

    async def _periodic(self, delay_s: float, period_s: float, work: Any) -> None:
        await asyncio.sleep(delay_s)
        while not self._stopped:
            await work()
            await asyncio.sleep(period_s)

    async def _tidy(self) -> None:
        interval = str(self._session.heartbeat_interval_s)
        await self._call("GetConfiguration", {})
        await self._call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": interval})
        await self._call("TriggerMessage", {"requestedMessage": "StatusNotification"})

    async def _probe(self) -> None:
        await self._call("TriggerMessage", {"requestedMessage": "Heartbeat"})
