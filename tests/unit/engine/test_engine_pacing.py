"""Reconnect pacing: the pause after a close, and retried upgrades recorded in the trace
(against a local WebSocket server on 127.0.0.1 that refuses the first upgrades)."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from octt.clock import SystemClock
from octt.engine.pacing import ReconnectPacer, open_paced
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.transport.websocket import ConnectFailure, TransportOptions


class _Closed:
    def __init__(self, closed_at: float | None) -> None:
        self.closed_at = closed_at


def test_pause_counts_from_the_close() -> None:
    pacer = ReconnectPacer(pause_s=1.0)
    assert pacer.remaining_s("CP", 100.0) == 0.0  # never connected
    pacer.remember("CP", _Closed(None))  # type: ignore[arg-type]
    assert pacer.remaining_s("CP", 100.0) == 0.0  # still open
    pacer.remember("CP", _Closed(99.7))  # type: ignore[arg-type]
    assert pacer.remaining_s("CP", 100.0) == pytest.approx(0.7)
    assert pacer.remaining_s("OTHER", 100.0) == 0.0
    assert pacer.remaining_s("CP", 99.7, scale=0.001) == pytest.approx(0.001)
    pacer.closed("CP", 90.0)  # offline time the scenario spent counts
    assert pacer.remaining_s("CP", 100.0) == 0.0


async def _echo(websocket: ServerConnection) -> None:
    async for _ in websocket:
        pass


async def _refusing_server(refusals: int, status: HTTPStatus) -> tuple[Any, list[int]]:
    seen: list[int] = []

    def check(connection: ServerConnection, request: Request) -> Response | None:
        seen.append(1)
        if len(seen) <= refusals:
            return connection.respond(status, "busy\n")
        return None

    server = await serve(_echo, "127.0.0.1", 0, process_request=check)
    return server, seen


def _events(trace: Path) -> list[dict[str, Any]]:
    lines = trace.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if '"event"' in line]


def test_a_refused_upgrade_is_retried_and_each_attempt_is_in_the_trace(tmp_path: Path) -> None:
    async def scenario() -> int:
        server, seen = await _refusing_server(2, HTTPStatus.CONFLICT)
        port = server.sockets[0].getsockname()[1]
        recorder = Recorder(SystemClock(), Redactor(), tmp_path / "trace.jsonl")
        options = TransportOptions(f"ws://127.0.0.1:{port}", "CP-1", connect_timeout_s=5)
        try:
            transport = await open_paced(
                options, SystemClock(), recorder, 1, first_pause_s=0.01, budget_s=5
            )
            await transport.close()
        finally:
            recorder.close()
            server.close()
            await server.wait_closed()
        return len(seen)

    assert asyncio.run(scenario()) == 3
    failed = [e for e in _events(tmp_path / "trace.jsonl") if e["event"] == "connect-failed"]
    assert [e["detail"][:9] for e in failed] == ["attempt 1", "attempt 2"]
    assert "409" in failed[0]["detail"]


def test_retries_end_at_the_budget_with_the_last_failure(tmp_path: Path) -> None:
    async def scenario() -> None:
        server, _ = await _refusing_server(1000, HTTPStatus.SERVICE_UNAVAILABLE)
        port = server.sockets[0].getsockname()[1]
        recorder = Recorder(SystemClock(), Redactor(), None)
        options = TransportOptions(f"ws://127.0.0.1:{port}", "CP-1", connect_timeout_s=5)
        try:
            with pytest.raises(ConnectFailure, match="503"):
                await asyncio.wait_for(
                    open_paced(
                        options, SystemClock(), recorder, 1, first_pause_s=0.05, budget_s=0.4
                    ),
                    timeout=3,
                )
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(scenario())


def test_an_authentication_refusal_is_not_retried() -> None:
    async def scenario() -> list[int]:
        server, seen = await _refusing_server(1000, HTTPStatus.UNAUTHORIZED)
        port = server.sockets[0].getsockname()[1]
        recorder = Recorder(SystemClock(), Redactor(), None)
        options = TransportOptions(f"ws://127.0.0.1:{port}", "CP-1", connect_timeout_s=5)
        try:
            with pytest.raises(ConnectFailure):
                await open_paced(
                    options, SystemClock(), recorder, 1, first_pause_s=0.01, budget_s=5
                )
        finally:
            server.close()
            await server.wait_closed()
        return seen

    assert len(asyncio.run(scenario())) == 1
