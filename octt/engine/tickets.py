"""What a case holds while it waits: operator tickets and messages queued while offline.

`OperatorTicket` is one request to the operator (its task, when its CALL arrived, and where the
trace stood when it was fired); `QueuedSend` a transaction message the charge point produced
while offline, sent on reconnect. Both live in a `CaseContext`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from octt.catalog.model import SendStep
from octt.operator.base import OperatorRequest, OperatorResult


@dataclass
class OperatorTicket:
    request: OperatorRequest
    task: asyncio.Task[OperatorResult]
    arrived: asyncio.Event
    consumed: bool = False
    # The trace's next sequence number when the operator was asked to act: a CALL in a frame
    # numbered below it came before the trigger, so the trigger did not cause it.
    fired_seq: int = 0


@dataclass
class QueuedSend:
    """A transaction message the charge point produced while offline (sent on reconnect)."""

    step: SendStep
    connector: int | None
    local_time: datetime  # when the charge point produced it, on its own (offline) clock
    path: str
