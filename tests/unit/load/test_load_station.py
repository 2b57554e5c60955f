"""Load stations on asyncio against the reference CSMS on loopback: they connect at their start
time, run their script with real frames, stop at the end time, and reconnect after a loss."""

from __future__ import annotations

import asyncio
import random

import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from octt.clock import SystemClock
from octt.load import loops
from octt.load import station as station_module
from octt.load.behaviour import LoadMix
from octt.load.loops import EventLoopKind
from octt.load.station import StationPool, run_station
from octt.load.stats import StatsBook
from octt.reference.server import ReferenceConfig, ReferenceCsms
from octt.transport.websocket import TransportOptions
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

VALIDATOR = FrameValidator(SchemaSet.load())
OCPP = Subprotocol("ocpp1.6")


def pool(url: str, **mix: float) -> StationPool:
    return StationPool(
        csms_url=url,
        mix=LoadMix(**mix),  # type: ignore[arg-type]
        validator=VALIDATOR,
        book=StatsBook(),
        clock=SystemClock(),
        rng=random.Random(5),
        response_timeout_s=5.0,
        connect_timeout_s=2.0,
    )


async def three_stations(think_time_s: float, stagger_s: float, run_s: float) -> StationPool:
    """Three stations against the reference CSMS, starting `stagger_s` apart, until `run_s`."""
    async with ReferenceCsms(ReferenceConfig()) as csms:
        stations = pool(csms.ocpp_url, think_time_s=think_time_s)
        now = asyncio.get_running_loop().time()
        await asyncio.gather(
            *(
                run_station(stations, f"LOAD-{n}", now + n * stagger_s, now + run_s)
                for n in range(3)
            )
        )
        return stations


def test_stations_run_their_script_against_the_reference_csms() -> None:
    stations = asyncio.run(asyncio.wait_for(three_stations(0.01, 0.05, 0.8), 20))
    book = stations.book
    rows = {row.action: row for row in book.summary()}
    assert rows["BootNotification"].answered == 3
    assert rows["StatusNotification"].answered >= 9  # connectors 0, 1 and 2 of each station
    total = rows["all"]
    assert total.count > 12 and total.errors == 0 and total.callerrors == 0
    assert total.schema_failures == 0 and total.findings == 0 and book.rules == {}
    assert book.connections == {"attempts": 3, "opened": 3, "lost": 0}
    assert stations.open_now == 0 and stations.own_errors == []
    assert total.max_s is not None and total.max_s < 5


@pytest.mark.parametrize("kind", [EventLoopKind.ASYNCIO, EventLoopKind.UVLOOP])
def test_a_timer_that_fires_early_does_not_spin(
    kind: EventLoopKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvloop's timers count whole milliseconds and may run before their time: the station must
    then send (the CALL is due within the slack) or wait once more, not set the same timer
    again and again (it did: 23 wake-ups per CALL at 10,000 stations)."""
    if kind is EventLoopKind.UVLOOP and not loops.uvloop_installed():
        pytest.skip("uvloop is not installed here")
    steps = [0]
    real_step = station_module._Exchange._step

    def counted(self: station_module._Exchange) -> None:
        steps[0] += 1
        real_step(self)

    monkeypatch.setattr(station_module._Exchange, "_step", counted)

    with asyncio.Runner(loop_factory=loops.loop_factory(kind)) as runner:
        stations = runner.run(asyncio.wait_for(three_stations(0.003, 0.0, 1.0), 20))
    calls = next(row for row in stations.book.summary() if row.action == "all").count
    assert calls > 30
    assert steps[0] <= 3 * calls + 10, f"{steps[0]} timer wake-ups for {calls} CALLs"


def test_a_station_that_cannot_connect_retries_until_the_end() -> None:
    async def scenario() -> StationPool:
        stations = pool("ws://127.0.0.1:9", think_time_s=0.05)  # discard port: refused
        now = asyncio.get_running_loop().time()
        await run_station(stations, "LOAD-1", now, now + 0.5)
        return stations

    stations = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert stations.book.connections["attempts"] >= 2
    assert stations.book.connections["opened"] == 0
    assert stations.book.connect_failures["refused"] == stations.book.connections["attempts"]


class WatchedBook(StatsBook):
    """A book that wakes the test whenever a connection event is counted."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def connection(self, event: str, failure: str | None = None) -> None:
        super().connection(event, failure)
        self.changed.set()

    async def until(self, event: str, count: int) -> None:
        while self.connections.get(event, 0) < count:
            self.changed.clear()
            await self.changed.wait()


def test_a_lost_connection_is_counted_and_reopened() -> None:
    async def scenario() -> StationPool:
        async with ReferenceCsms(ReferenceConfig()) as csms:
            stations = pool(csms.ocpp_url, think_time_s=0.02)
            book = stations.book = WatchedBook()
            now = asyncio.get_running_loop().time()
            task = asyncio.create_task(run_station(stations, "LOAD-1", now, now + 10.0))
            await book.until("opened", 1)
            # A second connection with the same id replaces the first: the CSMS closes it.
            async with connect(f"{csms.ocpp_url}/LOAD-1", subprotocols=[OCPP]):
                await book.until("lost", 1)
            await book.until("opened", 2)
            stations.stopping.set()  # wakes a station waiting to reconnect
            await task
            return stations

    stations = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert stations.book.connections["lost"] >= 1
    assert stations.book.connections["opened"] >= 2


def test_connection_attempts_wait_for_a_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many stations are due, at most `connecting`'s share handshake at once, and every
    one of them opens (the turn comes; nothing times out for waiting)."""
    under_way = [0, 0]  # now, most
    opened: list[str] = []

    class FakeWire:
        """Nothing comes back: each station's BootNotification times out, and it ends."""

        def attach(self, on_message: object, on_lost: object) -> None:
            return None

        async def close(self) -> None:
            return None

        def send(self, text: str) -> int:
            return 0

    async def fake_open(
        options: TransportOptions, clock: object, tls: object, stamped: object, tcp: object
    ) -> FakeWire:
        under_way[0] += 1
        under_way[1] = max(under_way)
        await asyncio.sleep(0)  # the handshake's round trips
        await asyncio.sleep(0)
        under_way[0] -= 1
        opened.append(options.cp_id)
        return FakeWire()

    monkeypatch.setattr(station_module, "open_wire", fake_open)

    async def scenario() -> StationPool:
        stations = pool("ws://127.0.0.1:1")
        stations.response_timeout_s = 0.05
        stations.connecting = asyncio.Semaphore(2)
        now = asyncio.get_running_loop().time()
        await asyncio.gather(
            *(run_station(stations, f"LOAD-{n}", now, now + 0.2) for n in range(10))
        )
        return stations

    stations = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert under_way[1] == 2
    assert sorted(opened) == sorted(f"LOAD-{n}" for n in range(10))
    assert stations.book.connections["attempts"] == 10
