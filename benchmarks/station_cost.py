"""What one load CALL costs the generator, without sockets: µs of CPU per CALL round trip.

Each round is exactly what a load station does for one CALL minus the WebSocket: the station's
script picks the next CALL and builds its payload (`StationBehaviour`), octt validates its own
frame, registers it with the sans-I/O session and serialises it (`StationProtocol.begin_call`);
the answer (the fast CSMS's fixed CALLRESULT, `benchmarks/fast_csms.py`) goes through the JSON
rules, parsing, the session, schema and rule validation and the statistics
(`StationProtocol.receive`). Stations take turns, so their state grows as in a real run
(transactions, meter readings).

Because it needs no network and no second process, it is the figure to compare *before and
after* a change to the generator on a busy machine (run both back to back): the absolute µs move
with the machine's load, the ratio much less. ``--profile`` prints the top of a cProfile.

Usage: python benchmarks/station_cost.py [--stations 200] [--calls 40000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fast_csms import answer

from octt.clock import SystemClock
from octt.load.behaviour import LoadMix, StationBehaviour
from octt.load.protocol import StationProtocol
from octt.load.stats import StatsBook
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet


def _stations(count: int, validator: FrameValidator, book: StatsBook) -> list[StationProtocol]:
    rng = random.Random(1)
    clock = SystemClock()
    mix = LoadMix()
    return [
        StationProtocol(
            StationBehaviour(f"COST-{i:05d}", mix, rng),
            validator,
            book,
            clock,
            response_timeout_s=30.0,
        )
        for i in range(count)
    ]


def run(stations: list[StationProtocol], calls: int) -> float:
    """Seconds of CPU for `calls` CALL round trips, stations taking turns."""
    transaction_ids = [0]
    started = time.process_time()
    done = 0
    while done < calls:
        for protocol in stations:
            text = protocol.begin_call()
            protocol.handed_off(time.monotonic_ns())
            frame = json.loads(text)
            reply = json.dumps(
                [3, frame[1], answer(frame[2], transaction_ids)], separators=(",", ":")
            )
            protocol.receive(reply, time.monotonic_ns())
            done += 1
            if done >= calls:
                break
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--calls", type=int, default=40_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    validator = FrameValidator(SchemaSet.load())
    book = StatsBook()
    stations = _stations(args.stations, validator, book)
    run(stations, args.stations * 10)  # boot and status burst, warm-up
    gc.collect()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(stations, args.calls)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    figures = sorted(run(stations, args.calls) / args.calls * 1e6 for _ in range(args.repeats))
    print(
        f"{args.calls:,} CALLs x {args.repeats}: {figures[0]:.1f} µs/CALL best,"
        f" {figures[len(figures) // 2]:.1f} median (CPU time, generator side, no sockets)"
    )
    errors = sum(c["timeouts"] + c["malformed"] for c in book.calls.values())
    findings = sum(c["schema_failures"] + c["findings"] for c in book.calls.values())
    print(f"errors {errors}, findings {findings}, rules {dict(book.rules)}")


if __name__ == "__main__":
    main()
