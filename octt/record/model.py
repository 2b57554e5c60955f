"""What the trace holds: wire frames and connection events, stamped at the transport."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    TO_CSMS = "cp->csms"
    FROM_CSMS = "csms->cp"


@dataclass(frozen=True)
class WireFrame:
    """One WebSocket message exactly as it crossed the wire.

    `mono_ns` is the monotonic clock when the frame was handed to the socket (sent) or came out
    of it (received); `utc` is the wall-clock time of the same moment. `binary` marks a binary
    WebSocket message (OCPP-J uses text frames only), whose text is its bytes decoded leniently.
    """

    seq: int
    connection: int
    direction: Direction
    mono_ns: int
    utc: str
    text: str
    binary: bool = False


class ConnectionEventKind(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    CONNECT_FAILED = "connect-failed"
    NOT_SENT = "not-sent"  # the charge point had a frame to send, but the connection was gone


@dataclass(frozen=True)
class ConnectionEvent:
    seq: int
    connection: int
    kind: ConnectionEventKind
    mono_ns: int
    utc: str
    detail: str
