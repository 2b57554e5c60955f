"""trace.jsonl read back: frames and events grouped by case, in sequence order, and tolerant of
the half-written last line an interrupted run can leave."""

from __future__ import annotations

import json
from pathlib import Path

from report_samples import trace_records, write_trace

from octt.record.load import load_trace, parse_trace


def test_entries_are_grouped_by_case_in_sequence_order(tmp_path: Path) -> None:
    write_trace(tmp_path / "trace.jsonl")
    trace = load_trace(tmp_path / "trace.jsonl")
    assert trace is not None
    assert [e.seq for e in trace.entries] == list(range(1, 14))
    assert [e.seq for e in trace.for_case("TC_001_CSMS")] == [2, 3, 4, 5, 6]
    assert [e.seq for e in trace.for_case("")] == [1]
    assert trace.for_case("TC_999_CSMS") == ()
    assert trace.unreadable_lines == 0


def test_frames_and_events_keep_their_fields() -> None:
    trace = parse_trace(json.dumps(r) for r in trace_records())
    frame = trace.for_case("TC_001_CSMS")[1]
    assert frame.is_frame
    assert (frame.seq, frame.connection, frame.direction) == (3, 2, "cp->csms")
    assert frame.text.startswith('[2,"octt-1","BootNotification"')
    assert frame.utc == "2026-03-01T12:00:00.011Z"
    event = trace.for_case("TC_003_CSMS")[-1]
    assert not event.is_frame
    assert (event.event, event.detail) == ("close", "closed by the charge point")


def test_out_of_order_lines_are_sorted() -> None:
    records = trace_records()
    trace = parse_trace(json.dumps(r) for r in reversed(records))
    assert [e.seq for e in trace.entries] == sorted(r["seq"] for r in records)


def test_a_half_written_last_line_is_counted_not_fatal(tmp_path: Path) -> None:
    write_trace(tmp_path / "trace.jsonl", truncated=True)
    trace = load_trace(tmp_path / "trace.jsonl")
    assert trace is not None
    assert trace.unreadable_lines == 1
    assert len(trace.entries) == 13


def test_lines_that_are_not_trace_records_are_skipped() -> None:
    trace = parse_trace(["[1, 2]", '{"no": "seq"}', "", '{"seq": "x"}', '{"seq": 4, "dir": "a"}'])
    assert trace.unreadable_lines == 3
    assert [e.seq for e in trace.entries] == [4]
    assert trace.entries[0].case == ""


def test_binary_frames_are_marked() -> None:
    record = {**trace_records()[2], "binary": True}
    assert parse_trace([json.dumps(record)]).entries[0].binary


def test_no_trace_file_is_none(tmp_path: Path) -> None:
    assert load_trace(tmp_path / "trace.jsonl") is None
