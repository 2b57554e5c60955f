"""One load station on asyncio: connect at its start time, run its script, reconnect when the
connection is lost, and stop sending at the end time.

A station is one coroutine for its connections (connect, wait for a turn, reconnect after a
loss); while it is connected, nothing of it runs until something happens: its one timer (the
next CALL's due time, or the outstanding CALL's response deadline) fires, or a message comes
out of its socket and goes straight to its handler. Frames go through the lean WebSocket client
of `octt.load.wire`, which stamps the hand-off and the arrival; everything else is
`StationProtocol`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field

from octt.clock import Clock
from octt.load.behaviour import LoadMix, StationBehaviour
from octt.load.protocol import StationProtocol
from octt.load.stamped import StampedConnector
from octt.load.stats import StatsBook
from octt.load.tcp import TcpConnector
from octt.load.wire import TlsContext, WireConnection, open_wire
from octt.transport.websocket import ConnectFailure, TransportClosed, TransportOptions
from octt.validation.frames import FrameValidator

#: After the end time, how long a station still waits for the answer to its last CALL.
DRAIN_S = 5.0
#: How early a station's timer may fire. uvloop counts timers in whole milliseconds (and its
#: clock moves once per loop iteration), so a timer can run up to about a millisecond before the
#: time it was set for: a CALL that is due within this slack is sent.
TIMER_SLACK_S = 0.002
#: Longest pause before trying to connect again after a failure.
RECONNECT_MAX_S = 10.0
#: Connection attempts (TCP + WebSocket handshake) one process has under way at once. A healthy
#: ramp-up needs a handful (rate x handshake time); when the process falls behind, the stations
#: wait for a turn instead of all starting handshakes that its busy loop then lets time out
#: (each timed-out attempt is retried, which only adds work): the ramp-up slows down, and every
#: connection still opens.
CONNECTS_IN_FLIGHT = 64


class Stopping:
    """The pool's stop signal, and where its stations wait for their next moment (a start
    time, a reconnect) until it is set. A waiting station is one timer and one future in a
    set: `asyncio.Event.wait` keeps its waiters in a deque that each leaving waiter is removed
    from by a scan, and 10,000 stations waiting for their start times made every start cost
    a scan of thousands (about 60 us of CPU more per station at 1,000 a second)."""

    def __init__(self) -> None:
        self._set = False
        self._sleepers: set[asyncio.Future[None]] = set()

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        for sleeper in self._sleepers:
            if not sleeper.done():
                sleeper.set_result(None)
        self._sleepers.clear()

    async def sleep_until(self, when: float) -> bool:
        """Wait until loop time `when`; False if the signal is (or gets) set first."""
        loop = asyncio.get_running_loop()
        if not self._set and when > loop.time():
            sleeper: asyncio.Future[None] = loop.create_future()
            timer = loop.call_at(when, _wake, sleeper)
            self._sleepers.add(sleeper)
            try:
                await sleeper
            finally:
                timer.cancel()
                self._sleepers.discard(sleeper)
        return not self._set


def _wake(sleeper: asyncio.Future[None]) -> None:
    if not sleeper.done():
        sleeper.set_result(None)


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
    stopping: Stopping = field(default_factory=Stopping)
    connecting: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(CONNECTS_IN_FLIGHT)
    )
    open_now: int = 0
    own_errors: list[str] = field(default_factory=list)  # octt bugs, kept apart
    tls: TlsContext = field(default_factory=TlsContext)  # wss://: one context for all
    stamped: StampedConnector | None = None  # ws://: the kernel stamps arrivals (see its module)
    tcp: TcpConnector | None = None  # the other connections' TCP: the worker's local ports

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
                wire = await open_wire(
                    pool.options(cp_id), pool.clock, pool.tls, pool.stamped, pool.tcp
                )
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
            lost = await _drive(pool, protocol, wire, end_at)
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
    return await pool.stopping.sleep_until(when)


async def _drive(
    pool: StationPool, protocol: StationProtocol, wire: WireConnection, end_at: float
) -> bool:
    """Exchange frames until the end time; True if the connection was lost before it."""
    exchange = _Exchange(pool, protocol, wire, end_at)
    try:
        return await exchange.done
    finally:
        exchange.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(wire.close(), 3)


class _Exchange:
    """One connection's exchange, driven by the wire's callbacks and one timer per station:
    the timer sends the next CALL when it is due and ends a CALL whose answer is late; a
    message from the CSMS is handled as it comes out of the socket."""

    def __init__(
        self, pool: StationPool, protocol: StationProtocol, wire: WireConnection, end_at: float
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._pool = pool
        self._protocol = protocol
        self._wire = wire
        self._end_at = end_at
        self._next_due = self._loop.time()
        self._timer: asyncio.TimerHandle | None = None
        self.done: asyncio.Future[bool] = self._loop.create_future()
        self._step()
        wire.attach(self._message, self._lost)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.done.done():
            self.done.set_result(False)

    def _ending(self, now: float) -> bool:
        return now >= self._end_at or self._pool.stopping.is_set()

    def _step(self) -> None:
        """The time-driven part: end a late CALL, send the next one when due, or finish."""
        self._timer = None
        if self.done.done():
            return
        pool, protocol, now = self._pool, self._protocol, self._loop.time()
        ending = self._ending(now)
        if protocol.waiting:
            if protocol.expire(pool.clock.monotonic()):
                self._next_due = now + protocol.behaviour.pause_s()
            elif ending and now >= self._end_at + DRAIN_S:
                protocol.connection_lost()  # the run is over: stop waiting for it
                self.done.set_result(False)
                return
        if not protocol.waiting:
            if ending:
                self.done.set_result(False)
                return
            if now >= self._next_due - TIMER_SLACK_S:
                try:
                    text = protocol.begin_call()
                except Exception as exc:  # a bug in octt: note it, keep the load going
                    pool.own_errors.append(f"{protocol.behaviour.cp_id}: {exc}")
                    self._next_due = now + protocol.behaviour.pause_s()
                else:
                    protocol.handed_off(self._wire.send(text))
        self._schedule(now, ending)

    def _schedule(self, now: float, ending: bool) -> None:
        protocol = self._protocol
        if protocol.waiting:
            deadline = protocol.deadline() or now
            wake = min(deadline, self._end_at + DRAIN_S) if ending else deadline
        else:
            wake = min(self._next_due, self._end_at)
        if self._timer is not None:
            self._timer.cancel()
        # Never sooner than the slack: a timer that fired early (see TIMER_SLACK_S) and found
        # its deadline not quite reached would otherwise be set again for "now" and spin.
        self._timer = self._loop.call_at(max(wake, now + TIMER_SLACK_S), self._step)

    def _message(self, message: str | bytes, stamp_ns: int) -> None:
        if self.done.done():
            return
        protocol = self._protocol
        was_waiting = protocol.waiting
        try:
            replies = protocol.receive(message, stamp_ns)
        except Exception as exc:  # a bug in octt: note it, keep the load going
            self._pool.own_errors.append(f"{protocol.behaviour.cp_id}: {exc!r}")
            return
        for reply in replies:
            self._wire.send(reply)
        if was_waiting and not protocol.waiting:
            now = self._loop.time()
            self._next_due = now + protocol.behaviour.pause_s()
            self._schedule(now, self._ending(now))

    def _lost(self, closed: TransportClosed) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.done.done():
            self.done.set_result(True)
