"""One load station on asyncio: connect at its start time, run its script, reconnect when the
connection is lost, and stop sending at the end time.

A station is a single task: it waits on its socket with a deadline (the next CALL's due time or
the outstanding CALL's response timeout), so thousands of them cost one coroutine each and no
timers. Frames go through the real WebSocket transport, which stamps the hand-off and the
arrival; everything else is `StationProtocol`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field

from octt.clock import Clock
from octt.load.behaviour import LoadMix, StationBehaviour
from octt.load.protocol import StationProtocol
from octt.load.stats import StatsBook
from octt.transport.websocket import (
    ConnectFailure,
    TransportClosed,
    TransportOptions,
    WebSocketTransport,
)
from octt.validation.frames import FrameValidator

#: After the end time, how long a station still waits for the answer to its last CALL.
DRAIN_S = 5.0
#: Longest pause before trying to connect again after a failure.
RECONNECT_MAX_S = 10.0
#: Connection attempts (TCP + WebSocket handshake) one process has under way at once. A healthy
#: ramp-up needs a handful (rate x handshake time); when the process falls behind, the stations
#: wait for a turn instead of all starting handshakes that its busy loop then lets time out
#: (each timed-out attempt is retried, which only adds work): the ramp-up slows down, and every
#: connection still opens.
CONNECTS_IN_FLIGHT = 64


@dataclass
class StationPool:
    """What the stations of one process share."""

    csms_url: str
    mix: LoadMix
    validator: FrameValidator
    book: StatsBook
    clock: Clock
    rng: random.Random
    response_timeout_s: float
    connect_timeout_s: float = 10.0
    basic_auth_password: str | None = None
    tls_verify: bool = True
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    connecting: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(CONNECTS_IN_FLIGHT)
    )
    open_now: int = 0
    own_errors: list[str] = field(default_factory=list)  # octt bugs, kept apart

    def options(self, cp_id: str) -> TransportOptions:
        return TransportOptions(
            self.csms_url,
            cp_id,
            basic_auth_password=self.basic_auth_password,
            connect_timeout_s=self.connect_timeout_s,
            tls_verify=self.tls_verify,
        )


async def run_station(pool: StationPool, cp_id: str, start_at: float, end_at: float) -> None:
    """Drive one station from `start_at` to `end_at` (loop-clock seconds)."""
    loop = asyncio.get_running_loop()
    if not await _wait_until(pool, start_at):
        return
    behaviour = StationBehaviour(cp_id, pool.mix, pool.rng)
    protocol = StationProtocol(
        behaviour,
        pool.validator,
        pool.book,
        pool.clock,
        response_timeout_s=pool.response_timeout_s,
    )
    failures = 0
    while loop.time() < end_at and not pool.stopping.is_set():
        try:
            async with pool.connecting:  # the connect timeout runs from the attempt's turn
                if pool.stopping.is_set():
                    return
                pool.book.connection("attempts")
                transport = await WebSocketTransport.open(pool.options(cp_id), pool.clock)
        except ConnectFailure as exc:
            pool.book.connection("failed", exc.kind.value)
            failures += 1
            pause = min(RECONNECT_MAX_S, behaviour.pause_s() * failures)
            if not await _wait_until(pool, min(end_at, loop.time() + pause)):
                return
            continue
        failures = 0
        pool.book.connection("opened")
        pool.open_now += 1
        try:
            lost = await _drive(pool, protocol, transport, end_at)
        finally:
            pool.open_now -= 1
        if lost:
            pool.book.connection("lost")
            protocol.connection_lost()
            await _wait_until(pool, min(end_at, loop.time() + behaviour.pause_s()))
        else:
            return


async def _wait_until(pool: StationPool, when: float) -> bool:
    """Wait until loop time `when`; False if the pool is told to stop first."""
    if when > asyncio.get_running_loop().time():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(when):
                await pool.stopping.wait()
    return not pool.stopping.is_set()


async def _drive(
    pool: StationPool, protocol: StationProtocol, transport: WebSocketTransport, end_at: float
) -> bool:
    """Exchange frames until the end time; True if the connection was lost before it."""
    loop = asyncio.get_running_loop()
    clock = pool.clock
    next_due = loop.time()
    try:
        while True:
            now = loop.time()
            ending = now >= end_at or pool.stopping.is_set()
            if not protocol.waiting:
                if ending:
                    return False
                if now >= next_due:
                    try:
                        text = protocol.begin_call()
                    except Exception as exc:  # a bug in octt: note it, keep the load going
                        pool.own_errors.append(f"{protocol.behaviour.cp_id}: {exc}")
                        next_due = now + protocol.behaviour.pause_s()
                        continue
                    protocol.handed_off(await transport.send(text))
            if protocol.waiting:
                deadline = protocol.deadline() or now
                wake = min(deadline, end_at + DRAIN_S) if ending else deadline
            else:
                wake = min(next_due, end_at)
            try:
                async with asyncio.timeout_at(wake):
                    message, stamp = await transport.recv()
            except TimeoutError:
                if protocol.waiting:
                    if protocol.expire(clock.monotonic()):
                        next_due = loop.time() + protocol.behaviour.pause_s()
                    elif ending and loop.time() >= end_at + DRAIN_S:
                        protocol.connection_lost()  # the run is over: stop waiting for it
                        return False
                continue
            was_waiting = protocol.waiting
            for reply in protocol.receive(message, stamp):
                await transport.send(reply)
            if was_waiting and not protocol.waiting:
                next_due = loop.time() + protocol.behaviour.pause_s()
    except TransportClosed:
        return True
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(transport.close(), 3)
