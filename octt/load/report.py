"""What a load run leaves behind: load.json (schemas/load.schema.json), load.html, and the
terminal's live view and summary.

The HTML page is rendered from the load.json document alone (so it can be rendered again
later), with Jinja2 and autoescaping, self-contained (an inline SVG chart of connected stations,
calls per second and response times over the run; no script, no network).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from octt.load.runner import LoadResult, Progress
from octt.load.stats import ALL_ACTIONS, ActionSummary
from octt.load.text import ms, size

LOAD_FILE = "load.json"
LOAD_HTML = "load.html"


def write_load_reports(directory: Path, result: LoadResult) -> dict[str, Path]:
    """Write load.json and load.html into `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    document = result.to_json()
    json_path = directory / LOAD_FILE
    temporary = json_path.with_name(json_path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    temporary.replace(json_path)
    html_path = directory / LOAD_HTML
    html_path.write_text(render_html(document), encoding="utf-8")
    return {"json": json_path, "html": html_path}


# -- HTML --------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("octt.load", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["ms"] = ms
    environment.filters["size"] = size
    return environment


def render_html(document: Mapping[str, Any]) -> str:
    """load.html from a load.json document."""
    timeline = document.get("timeline", ())
    return (
        _environment()
        .get_template("load.html.j2")
        .render(
            load=document,
            chart=_chart(timeline),
            generator_chart=_chart(timeline, _GENERATOR_SERIES),
        )
    )


_CHART_W, _CHART_H, _PAD = 720, 160, 36


def _polyline(points: Sequence[tuple[float, float]], x_max: float, y_max: float) -> str:
    inner_w, inner_h = _CHART_W - 2 * _PAD, _CHART_H - 2 * _PAD
    return " ".join(
        f"{_PAD + inner_w * x / x_max:.1f},{_CHART_H - _PAD - inner_h * y / y_max:.1f}"
        for x, y in points
    )


_Series = tuple[tuple[str, str, str, float], ...]  # key, label, colour, scale

_LOAD_SERIES: _Series = (
    ("connected", "connected stations", "#2563eb", 1.0),
    ("calls", "calls per second", "#16a34a", 1.0),
    ("p99_s", "p99 response time (ms)", "#dc2626", 1000.0),
)
# The generator's health per second (timeline entries from octt.load.health.HealthBook.point).
_GENERATOR_SERIES: _Series = (
    ("cpu_share", "CPU of the busiest worker (% of a core)", "#7c3aed", 100.0),
    ("loop_lag_p99_s", "event-loop lag p99 (ms)", "#dc2626", 1000.0),
    ("read_delay_p99_s", "answers' wait in the sockets p99 (ms)", "#16a34a", 1000.0),
    ("gc_pause_s", "GC pause time (ms per second)", "#ea580c", 1000.0),
    ("memory_per_station_bytes", "memory per station (KiB)", "#0891b2", 1 / 1024),
)


def _chart(timeline: Sequence[Mapping[str, Any]], specs: _Series = _LOAD_SERIES) -> dict[str, Any]:
    """Series over time, each scaled to its own maximum (labelled on the chart)."""
    if len(timeline) < 2:
        return {"series": [], "width": _CHART_W, "height": _CHART_H, "t_max": 0}
    t_max = max(p["t_s"] for p in timeline) or 1.0
    series = []
    for key, label, colour, scale in specs:
        points = [(p["t_s"], p[key] * scale) for p in timeline if p.get(key) is not None]
        if not points:
            continue
        top = max(y for _, y in points) or 1.0
        series.append(
            {
                "label": label,
                "colour": colour,
                "max": top,
                "points": _polyline(points, t_max, top),
            }
        )
    return {"series": series, "width": _CHART_W, "height": _CHART_H, "t_max": t_max}


# -- terminal ----------------------------------------------------------------------------------


def actions_table(actions: Sequence[ActionSummary], title: str | None = None) -> Table:
    # Compact enough for an 80-column terminal with every heading whole.
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=0,
    )
    table.add_column("action", no_wrap=True)
    for heading in ("count", "errors", "CALLERROR", "schema", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(heading, justify="right", no_wrap=True, min_width=len(heading))
    table.add_column("max ms", justify="right", no_wrap=True, min_width=6)
    for row in actions:
        style = "bold" if row.action == ALL_ACTIONS else ""
        table.add_row(
            row.action,
            f"{row.count:,}",
            _flag(row.errors),
            _flag(row.callerrors),
            _flag(row.schema_failures),
            ms(row.p50_s),
            ms(row.p95_s),
            ms(row.p99_s),
            ms(row.max_s),
            style=style,
        )
    return table


def _flag(count: int) -> Text:
    return Text(f"{count:,}", style="red" if count else "")


def live_view(progress: Progress) -> Group:
    """What `octt load` shows on a terminal while it runs."""
    head = Text.assemble(
        ("octt load ", "bold"),
        f"{progress.elapsed_s:6.1f} s   connected ",
        (f"{progress.connected:,}", "bold"),
        f"/{progress.stations:,} (peak {progress.peak_connected:,})   ",
        (f"{progress.calls_per_s:,.0f}", "bold"),
        " calls/s",
    )
    return Group(head, actions_table(progress.actions))


def print_summary(console: Console, result: LoadResult, paths: Mapping[str, Path]) -> None:
    settings = result.settings
    console.print(
        f"[bold]octt load[/] {settings.stations:,} stations against {result.csms_url}"
        f" for {result.duration_s:.1f} s ({settings.worker_count} worker processes"
        + (
            f", reference CSMS in its own process, pid {result.csms.pid},"
            f" cores {','.join(map(str, result.csms.cpus)) or 'any'})"
            if result.csms is not None
            else ")"
        )
    )
    # Off a terminal (a CI log) the table keeps its width rather than fold the action names.
    console.print(actions_table(result.actions), width=None if console.is_terminal else 200)
    connections = result.connections
    failed = sum(result.connect_failures.values())
    console.print(
        f"stations: peak {result.peak_connected:,} of {settings.stations:,} connected at once;"
        f" connections opened {connections.get('opened', 0):,}, failed {failed:,},"
        f" lost {connections.get('lost', 0):,}"
    )
    steady = result.steady_state
    if steady is not None:
        latency = steady["latency_s"]
        console.print(
            f"steady state (all {settings.stations:,} connected, from {steady['since_s']:.1f} s):"
            f" {steady['calls']:,} CALLs, p50 {ms(latency['p50'])} ms,"
            f" p99 {ms(latency['p99'])} ms, max {ms(latency['max'])} ms"
        )
    console.print(
        f"memory: {size(result.memory_per_station)} per station in the load generator"
        + (
            f", {size(result.csms_memory_per_station)} per station in the reference CSMS"
            if result.csms_memory_per_station is not None
            else ""
        )
    )
    generator = result.generator
    if generator:
        lag = generator.get("loop_lag_s", {})
        pauses = generator.get("gc_pauses", {})
        shares = generator.get("cpu_share", {})
        busiest = max((v for v in shares.values() if v is not None), default=None)
        console.print(
            "load generator: event-loop lag p50 {} ms, p99 {} ms, max {} ms; GC pauses {}, longest"
            " {} ms; CPU {} of a core (busiest worker)".format(
                ms(lag.get("p50")),
                ms(lag.get("p99")),
                ms(lag.get("max")),
                pauses.get("count", 0),
                ms(pauses.get("max_s")),
                "–" if busiest is None else f"{busiest:.0%}",
            )
        )
        waited = generator.get("read_delay_s", {})
        if waited.get("samples"):
            console.print(
                "answers waited in its sockets p99 {} ms, max {} ms; not in the response times"
                " (the kernel stamped their arrival)".format(
                    ms(waited.get("p99")), ms(waited.get("max"))
                )
            )
    for warning in result.generator_warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    if result.rules:
        rules = ", ".join(f"{rule} ×{count:,}" for rule, count in sorted(result.rules.items()))
        console.print(f"[red]findings[/]: {rules}")
    own = sum(w.own_error_count for w in result.workers)
    if own:
        console.print(f"[magenta]octt errors[/] (bugs in octt, not the CSMS): {own}")
    for failure in result.failures:
        console.print(f"[magenta]{failure}[/]")
    if result.interrupted:
        console.print("[yellow]interrupted[/]: the figures cover the load until then")
    for path in paths.values():
        console.print(f"report: {path}")
