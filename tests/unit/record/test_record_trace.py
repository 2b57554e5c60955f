"""trace.jsonl: one JSON object per line, numbered, stamped, flushed, redacted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from octt.record.model import ConnectionEventKind, Direction, WireFrame
from octt.record.redact import MASK, Redactor
from octt.record.trace import Recorder


class FakeClock:
    def __init__(self) -> None:
        self.ns = 1_000_000_000
        self.now = datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.ns / 1e9

    def monotonic_ns(self) -> int:
        return self.ns

    def utc_now(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.ns += int(seconds * 1e9)
        self.now += timedelta(seconds=seconds)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_frames_are_written_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    recorder.case_id = "TC_001_CSMS"
    conn = recorder.new_connection()
    frame = recorder.frame(conn, Direction.TO_CSMS, '[2,"octt-1","Heartbeat",{}]', 123456789)
    assert frame == WireFrame(
        1,
        1,
        Direction.TO_CSMS,
        123456789,
        "2026-03-01T12:00:00.500Z",
        '[2,"octt-1","Heartbeat",{}]',
    )
    recorder.close()
    assert lines(path) == [
        {
            "seq": 1,
            "case": "TC_001_CSMS",
            "conn": 1,
            "dir": "cp->csms",
            "mono_ns": 123456789,
            "utc": "2026-03-01T12:00:00.500Z",
            "text": '[2,"octt-1","Heartbeat",{}]',
        }
    ]


def test_each_line_is_flushed_when_written(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    recorder.frame(1, Direction.FROM_CSMS, '[3,"octt-1",{}]', 5)
    # Read while the recorder is still open: an interrupted run keeps every frame.
    assert [r["seq"] for r in lines(path)] == [1]
    recorder.event(1, ConnectionEventKind.CLOSE, "1000 normal")
    assert [r["seq"] for r in lines(path)] == [1, 2]
    recorder.close()


def test_sequence_numbers_increase_across_frames_events_and_connections(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    clock = FakeClock()
    recorder = Recorder(clock, Redactor(), path)
    first = recorder.new_connection()
    assert recorder.peek_next_seq() == 1
    recorder.event(first, ConnectionEventKind.OPEN, "ws://127.0.0.1:1/CP")
    recorder.frame(first, Direction.TO_CSMS, "a", clock.monotonic_ns())
    clock.advance(0.25)
    recorder.frame(first, Direction.FROM_CSMS, "b", clock.monotonic_ns())
    second = recorder.new_connection()
    recorder.case_id = "TC_002"
    recorder.frame(second, Direction.TO_CSMS, "c", clock.monotonic_ns())
    assert recorder.peek_next_seq() == 5
    recorder.close()
    records = lines(path)
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    assert [r["conn"] for r in records] == [1, 1, 1, 2]
    assert (first, second) == (1, 2)
    assert [r["case"] for r in records] == ["", "", "", "TC_002"]
    assert records[0] == {
        "seq": 1,
        "case": "",
        "conn": 1,
        "event": "open",
        "mono_ns": 1_000_000_000,
        "utc": "2026-03-01T12:00:00.500Z",
        "detail": "ws://127.0.0.1:1/CP",
    }
    assert records[3]["mono_ns"] - records[1]["mono_ns"] == 250_000_000
    assert records[3]["utc"] == "2026-03-01T12:00:00.750Z"


def test_passwords_are_never_written(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(("hunter2-password",)), path)
    frame = recorder.frame(1, Direction.TO_CSMS, '{"pw":"hunter2-password"}', 1)
    recorder.event(1, ConnectionEventKind.CONNECT_FAILED, "auth hunter2-password refused")
    recorder.close()
    text = path.read_text(encoding="utf-8")
    assert "hunter2" not in text
    assert MASK in text
    assert frame.text == '{"pw":"hunter2-password"}'  # the judged frame is the exact wire text


def test_authorization_key_is_masked_in_later_frames(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    key = "00112233445566778899aabbccddeeff"
    recorder.frame(
        1,
        Direction.FROM_CSMS,
        f'[2,"c","ChangeConfiguration",{{"key":"AuthorizationKey","value":"{key}"}}]',
        1,
    )
    recorder.event(2, ConnectionEventKind.OPEN, f"reconnected with {key}")
    recorder.close()
    assert key not in path.read_text(encoding="utf-8")


def test_binary_frames_are_marked(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    frame = recorder.frame(1, Direction.FROM_CSMS, "\ufffd", 1, binary=True)
    recorder.frame(1, Direction.FROM_CSMS, "t", 2)
    recorder.close()
    assert frame.binary
    first, second = lines(path)
    assert first["binary"] is True
    assert "binary" not in second


def test_non_ascii_text_is_kept_as_is(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    recorder.frame(1, Direction.TO_CSMS, "Grüße\n€", 1)
    recorder.close()
    raw = path.read_text(encoding="utf-8")
    assert "Grüße" in raw
    assert raw.count("\n") == 1  # the newline in the text is escaped
    assert lines(path)[0]["text"] == "Grüße\n€"


def test_recorder_without_a_file_still_numbers(tmp_path: Path) -> None:
    recorder = Recorder(FakeClock(), Redactor())
    assert recorder.frame(1, Direction.TO_CSMS, "a", 1).seq == 1
    assert recorder.event(1, ConnectionEventKind.CLOSE, "x").seq == 2
    recorder.close()
    recorder.close()  # idempotent


def test_writes_after_close_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    recorder.frame(1, Direction.TO_CSMS, "a", 1)
    recorder.close()
    recorder.frame(1, Direction.TO_CSMS, "b", 2)
    assert [r["text"] for r in lines(path)] == ["a"]


def test_a_reserved_number_keeps_the_file_in_seq_order(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    seq = recorder.reserve()  # an outgoing frame, numbered before its hand-off
    answer = recorder.frame(1, Direction.FROM_CSMS, "answer", 20)  # read before it is recorded
    assert (seq, answer.seq) == (1, 2)
    assert lines(path) == []  # the answer waits for the frame numbered before it
    sent = recorder.frame(1, Direction.TO_CSMS, "call", 10, seq=seq)
    assert sent.seq == 1
    assert [(r["seq"], r["text"], r["mono_ns"]) for r in lines(path)] == [
        (1, "call", 10),
        (2, "answer", 20),
    ]
    recorder.close()


def test_a_released_reservation_lets_later_lines_through(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    seq = recorder.reserve()
    recorder.event(1, ConnectionEventKind.CLOSE, "gone")
    assert lines(path) == []
    recorder.release(seq)
    assert [r["seq"] for r in lines(path)] == [2]
    recorder.close()


def test_close_writes_what_an_unrecorded_reservation_held_back(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    recorder = Recorder(FakeClock(), Redactor(), path)
    recorder.reserve()
    recorder.frame(1, Direction.FROM_CSMS, "late", 5)
    recorder.close()
    assert [r["seq"] for r in lines(path)] == [2]


def test_reservations_without_a_file_are_numbers_only() -> None:
    recorder = Recorder(FakeClock(), Redactor())
    seq = recorder.reserve()
    assert recorder.frame(1, Direction.FROM_CSMS, "b", 2).seq == seq + 1
    assert recorder.frame(1, Direction.TO_CSMS, "a", 1, seq=seq).seq == seq
    assert recorder.peek_next_seq() == seq + 2
