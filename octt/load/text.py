"""Load figures as people read them: response times in milliseconds, sizes, and the one-line
account of a background load (for the terminal and the certificate; no heavy imports here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def ms(seconds: float | None) -> str:
    """A response time in milliseconds, precise where it is small."""
    if seconds is None:
        return "–"
    value = seconds * 1000
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def size(count: float | None) -> str:
    if count is None:
        return "–"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count:.0f} B"


def describe(load: Mapping[str, Any]) -> str:
    """One line for people: the load and how the CSMS answered it."""
    latency = load.get("latency_s") or {}
    problems = [
        f"{load.get(key, 0)} {label}"
        for key, label in (
            ("errors", "errors"),
            ("callerrors", "CALLERRORs"),
            ("schema_failures", "schema failures"),
        )
        if load.get(key)
    ]
    return (
        f"{load.get('stations')} stations ({load.get('connected_before_cases')} connected before"
        f" the first case, think time {load.get('think_time_s')} s): {load.get('calls')} calls,"
        f" {load.get('calls_per_s')}/s; response time p50 {ms(latency.get('p50'))} ms,"
        f" p95 {ms(latency.get('p95'))} ms, p99 {ms(latency.get('p99'))} ms,"
        f" max {ms(latency.get('max'))} ms" + (f"; {', '.join(problems)}" if problems else "")
    )
