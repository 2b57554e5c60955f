"""load.json and load.html on disk, the HTML from the document alone, the terminal summary and
live view, and the number formats."""

from __future__ import annotations

import io
import json
from pathlib import Path

from load_samples import generator, result
from rich.console import Console

from octt.load.report import (
    LOAD_FILE,
    LOAD_HTML,
    live_view,
    print_summary,
    render_html,
    write_load_reports,
)
from octt.load.runner import Progress


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, highlight=False), out


def test_reports_are_written_and_the_html_comes_from_the_json(tmp_path: Path) -> None:
    paths = write_load_reports(tmp_path / "out", result())
    assert paths == {"json": tmp_path / "out" / LOAD_FILE, "html": tmp_path / "out" / LOAD_HTML}
    document = json.loads(paths["json"].read_text("utf-8"))
    html = paths["html"].read_text("utf-8")
    assert html == render_html(document)
    assert "ws://127.0.0.1:9000" in html and "Heartbeat" in html
    assert "<svg" in html and "connected stations" in html
    assert "schema.response" in html and "<pre>[3]</pre>" in html
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_html_escapes_what_the_csms_sent() -> None:
    document = result().to_json()
    document["findings"]["examples"][0]["frame"] = "<script>alert(1)</script>"
    html = render_html(document)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_terminal_summary_states_load_memory_and_csms_process() -> None:
    out_console, out = console()
    print_summary(out_console, result(), {"json": Path("x/load.json")})
    text = " ".join(out.getvalue().split())
    assert "4 stations against ws://127.0.0.1:9000" in text
    assert "reference CSMS in its own process, pid 7, cores 0,1" in text
    assert "Heartbeat" in text and "p99" in text
    assert "peak 4 of 4 connected" in text
    assert "768.0 KiB per station in the load generator" in text
    assert "1.0 MiB per station in the reference CSMS" in text
    assert "schema.response ×1" in text
    assert "report: x/load.json" in text


def test_live_view_renders() -> None:
    out_console, out = console()
    out_console.print(live_view(Progress(12.5, 3, 4, 120.0, result().actions, 4)))
    assert "connected 3/4 (peak 4)" in out.getvalue()
    assert "120 calls/s" in out.getvalue()


def test_the_generator_reports_on_itself_in_the_html_and_the_summary() -> None:
    quiet = render_html(result().to_json())
    assert "The load generator itself" in quiet and "not the generator" in quiet
    assert "event-loop lag p99 (ms)" in quiet and "memory per station (KiB)" in quiet
    assert "Warning:" not in quiet
    summary, _ = generator(lag_ms=50.0)
    busy = result(generator=summary)
    html = render_html(busy.to_json())
    assert "Warning:</strong> the load generator was a bottleneck" in html
    assert "the kernel's receive time of each answer" in html
    assert "<th>answers' wait in the sockets</th>" in html
    assert "p99 0.30 ms" in html  # the samples' wait (50 us, 300 us)
    out_console, out = console()
    print_summary(out_console, busy, {})
    text = " ".join(out.getvalue().split())
    assert "load generator: event-loop lag p50" in text and "GC pauses 1, longest 2.00 ms" in text
    assert "answers waited in its sockets p99 0.30 ms, max 0.30 ms; not in the response" in text
    assert (
        "warning: the load generator was a bottleneck: its event-loop lag p99 was 50.0 ms" in text
    )


def test_a_load_json_without_generator_figures_still_renders() -> None:
    document = result().to_json()
    del document["generator"]
    assert "The load generator itself" not in render_html(document)
