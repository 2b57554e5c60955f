"""Load figures as people read them: milliseconds, sizes, the background load's line."""

from __future__ import annotations

from load_samples import result

from octt.load.background import figures
from octt.load.text import describe, ms, size


def test_number_formats() -> None:
    assert [ms(None), ms(0.00123), ms(0.0456), ms(0.5), ms(12.0)] == [
        "–",
        "1.23",
        "45.6",
        "500",
        "12,000",
    ]
    assert [size(None), size(512), size(30_000), size(5 << 20), size(3 << 30)] == [
        "–",
        "512 B",
        "29.3 KiB",
        "5.0 MiB",
        "3.0 GiB",
    ]


def test_the_background_load_in_one_line() -> None:
    shown = figures(result(), 4)
    line = describe(shown)
    assert line.startswith("4 stations (4 connected before the first case, think time 10.0 s)")
    assert "10 calls" in line and "p99 10.0 ms" in line and "errors" not in line
    assert line.endswith("max 10.0 ms")
    assert describe({**shown, "callerrors": 2, "errors": 1}).endswith("; 1 errors, 2 CALLERRORs")
    assert "p50 – ms" in describe({"stations": 1})
