"""The console's web application over real HTTP on 127.0.0.1 (aiohttp's test server), no
browser: the token and origin guards, the start form's problems, a whole run followed over
server-sent events, one run at a time, a stop that leaves an interrupted result, the history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from octt.console.app import TOKEN_COOKIE, make_app
from octt.resources import default_pics_path

WAIT_S = 30.0
Scenario = Callable[[TestClient[Any, Any]], Awaitable[None]]


def with_client(reports: Path, scenario: Scenario, token: str | None = None) -> None:
    async def main() -> None:
        server = TestServer(make_app(reports, token), host="127.0.0.1")
        async with TestClient(server) as client:
            await asyncio.wait_for(scenario(client), WAIT_S * 2)

    asyncio.run(main())


async def messages(client: TestClient[Any, Any]) -> AsyncIterator[dict[str, Any]]:
    """The live stream's messages, as a browser's EventSource gets them."""
    async with client.get("/events") as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        while True:
            line = await asyncio.wait_for(response.content.readline(), WAIT_S)
            assert line, "the stream ended"
            if line.startswith(b"data: "):
                yield json.loads(line[6:])


async def until(client: TestClient[Any, Any], kind: str, **fields: Any) -> dict[str, Any]:
    async for message in messages(client):
        if message["kind"] == kind and all(message.get(k) == v for k, v in fields.items()):
            return message
    raise AssertionError("unreachable")


def start_form(**values: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in {"pics": "reference-csms.yaml", **values}.items():
        form.add_field(key, value)
    return form


def test_without_the_token_every_request_is_refused(tmp_path: Path) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        for path in ("/", "/history", "/events", "/live"):
            assert (await client.get(path)).status == 401
        assert (await client.post("/stop")).status == 401
        assert (await client.get("/?token=wrong", allow_redirects=False)).status == 401
        bearer = await client.get("/history", headers={"Authorization": "Bearer s3cret"})
        assert bearer.status == 200
        opened = await client.get("/history?token=s3cret", allow_redirects=False)
        assert opened.status == 303
        assert opened.headers["Location"] == "/history"
        assert opened.cookies[TOKEN_COOKIE].value == "s3cret"
        assert (await client.get("/")).status == 200  # the cookie from now on

    with_client(tmp_path, scenario, token="s3cret")


def test_a_post_from_another_site_is_refused(tmp_path: Path) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        other = await client.post("/stop", headers={"Origin": "http://evil.example"})
        assert other.status == 403
        same = await client.post("/stop", headers={"Origin": f"http://{client.host}:{client.port}"})
        assert same.status == 409  # accepted, but no run is going on
        assert (await same.json()) == {"error": "no run is going on"}

    with_client(tmp_path, scenario)


def test_the_start_page_shows_every_problem(tmp_path: Path) -> None:
    text = default_pics_path().read_text(encoding="utf-8")
    broken = text.replace("vendor:", "vendorr:", 1).replace("response_timeout_s:", "x_s:", 1)

    async def scenario(client: TestClient[Any, Any]) -> None:
        page = await (await client.get("/")).text()
        assert 'value="reference-csms.yaml" selected' in page
        assert 'name="security_profile"' in page
        bad = await client.post("/runs", data=start_form(csms_url="http://x", time_scale="5"))
        shown = await bad.text()
        assert bad.status == 400
        assert "CSMS URL: must be a ws:// or wss:// URL, got &#39;http://x&#39;" in shown
        assert "time scale: must be in (0, 1], got 5" in shown
        assert 'name="csms_url" value="http://x"' in shown  # the values sent, to correct them
        secret = start_form(csms_url="http://x", basic_auth_password="pw-never-shown")
        assert "pw-never-shown" not in await (await client.post("/runs", data=secret)).text()
        form = start_form()
        form.add_field("pics_upload", broken.encode(), filename="mine.yaml")
        upload = await client.post("/runs", data=form)
        shown = await upload.text()
        assert upload.status == 400
        assert shown.count("<li>") >= 2, shown
        assert "vendor" in shown and "response_timeout_s" in shown, shown
        unknown = await client.post("/runs", data=start_form(tests="TC_999_NOPE"))
        assert unknown.status == 400
        assert "TC_999_NOPE" in await unknown.text()
        assert not [p for p in tmp_path.iterdir() if not p.name.startswith(".")]

    with_client(tmp_path, scenario)


def test_a_run_followed_live_and_found_in_the_history(tmp_path: Path) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        started = await client.post(
            "/runs", data=start_form(tests="TC_061_CSMS"), allow_redirects=False
        )
        assert started.status == 303, await started.text()
        assert started.headers["Location"] == "/live"
        seen: list[dict[str, Any]] = []
        async for message in messages(client):
            seen.append(message)
            if message["kind"] == "ended":
                break
        kinds = [m["kind"] for m in seen]
        assert kinds[0] == "run"
        assert seen[0]["cases"][0]["id"] == "TC_061_CSMS"
        for kind in ("case-started", "step", "frame", "connection", "case-finished", "verdict"):
            assert kind in kinds, kinds
        answers = [m for m in seen if m["kind"] == "frame" and m["action"] == "ClearCache"]
        assert [m["type"] for m in answers] == ["CALL", "CALLRESULT"], answers
        assert answers[1]["response_ms"] >= 0
        assert answers[0]["case"] == "TC_061_CSMS"
        [finished] = [m for m in seen if m["kind"] == "case-finished"]
        assert finished["verdict"] == "pass"
        ended = seen[-1]
        assert ended["outcome"] == "pass"
        assert ended["detail"].startswith(
            "verdict PARTIAL — partial test summary (every selected case passed, --test TC_061_CSMS"
        )
        folder = ended["folder"]

        history = await (await client.get("/history")).text()
        assert f'data-run="{folder}"' in history
        assert ">PASS<" in history
        pdf = await client.get(f"/runs/{folder}/certificate.pdf")
        assert pdf.status == 200
        assert (await pdf.read()).startswith(b"%PDF-")
        assert (await client.get(f"/runs/{folder}/run.log")).status == 404
        assert (await client.get("/runs/nope/certificate.pdf")).status == 404
        archive = await client.get(f"/zip/{folder}")
        assert archive.headers["Content-Type"] == "application/zip"
        assert (await archive.read()).startswith(b"PK")
        rendered = await client.post(f"/render/{folder}", allow_redirects=False)
        assert rendered.status == 303

    with_client(tmp_path, scenario)


def test_one_run_at_a_time_and_a_stop_leaves_an_interrupted_result(tmp_path: Path) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        form = start_form(tests="TC_061_CSMS", operator="prompt", operator_timeout="60")
        started = await client.post("/runs", data=form, allow_redirects=False)
        assert started.status == 303, await started.text()
        provision = await until(client, "prompt", purpose="provision")
        second = await client.post("/runs", data=start_form(tests="TC_061_CSMS"))
        assert second.status == 409
        assert "a run is going on already" in await second.text()
        assert (await client.post("/prompts/999", json={"answer": "done"})).status == 409
        assert (await client.post(f"/prompts/{provision['id']}", json={})).status == 400
        done = await client.post(f"/prompts/{provision['id']}", json={"answer": "done"})
        assert (await done.json()) == {"ok": True}
        act = await until(client, "prompt", purpose="act")
        assert (act["case"], act["action"]) == ("TC_061_CSMS", "ClearCache")
        stopped = await client.post("/stop")
        assert (await stopped.json()) == {"ok": True, "state": "interrupted"}
        ended = await until(client, "ended")
        assert ended["outcome"] == "interrupted"
        result = json.loads((tmp_path / ended["folder"] / "result.json").read_text("utf-8"))
        assert result["interrupted"] is True
        [case] = result["cases"]
        assert case["verdict"] == "error"
        assert case["reason"].startswith("interrupted: the run was stopped")
        history = await (await client.get("/history")).text()
        assert "interrupted" in history

    with_client(tmp_path, scenario)
