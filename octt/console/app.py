"""The console's web application: pages, the live stream, prompt answers, the history's files.

Owns the aiohttp routes and their guards. Pages are Jinja2 templates (autoescaped); live updates
are server-sent events (`GET /events`, one JSON message per event, see octt.console.live). When
the console was given a token, every request must carry it (a cookie set by visiting any page
with `?token=…`, or `Authorization: Bearer …`); one without it is refused with 401. A POST whose
Origin is another site is refused with 403, so a page elsewhere cannot start or stop a run
through the person's browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import web

from octt import __version__
from octt.config import RunConfig
from octt.console.forms import CHOICES, OPERATORS, PROFILES, StartForm, to_config
from octt.console.history import SERVED_FILES, list_runs, render_again, run_folder, zip_folder
from octt.console.live import LiveFeed
from octt.console.pics_files import keep_upload, saved_pics
from octt.console.session import ConsoleRuns, Prepared, RunBusy, prepare
from octt.operator.prompt import Answer, AnswerKind
from octt.result.load import ResultFileError

TOKEN_COOKIE = "octt_console_token"
HEARTBEAT_S = 15.0

RUNS: web.AppKey[ConsoleRuns] = web.AppKey("runs", ConsoleRuns)
TOKEN: web.AppKey[str | None] = web.AppKey("token", str)
BASE_CONFIG: web.AppKey[RunConfig] = web.AppKey("base_config", RunConfig)
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("octt.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _page(request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
    runs = request.app[RUNS]
    html = (
        request.app[TEMPLATES]
        .get_template(name)
        .render(version=__version__, state=runs.state, running=runs.running, **values)
    )
    return web.Response(text=html, content_type="text/html", status=status)


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.app[TOKEN]
    if token is not None:
        offered = request.query.get("token")
        if offered is not None and hmac.compare_digest(offered.encode(), token.encode()):
            # A link with the token: keep it in a cookie and show the page without it.
            rest = {k: v for k, v in request.query.items() if k != "token"}
            location = str(request.rel_url.with_query(rest))
            response = web.Response(status=303, headers={"Location": location})
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return response
        header = request.headers.get("Authorization", "")
        given = request.cookies.get(TOKEN_COOKIE) or header.removeprefix("Bearer ").strip()
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            return web.Response(
                status=401,
                text="401: this console needs its token (open it with ?token=…)\n",
                headers={"WWW-Authenticate": 'Bearer realm="octt console"'},
            )
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.host:
            return web.Response(status=403, text="403: a request from another site\n")
    return await handler(request)


async def start_page(request: web.Request) -> web.Response:
    return _start_page(request)


def _start_page(
    request: web.Request,
    problems: list[str] | None = None,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
) -> web.Response:
    """The start page; after a refused start, with its problems and the values sent (but never
    the password), so they can be corrected."""
    runs = request.app[RUNS]
    shown = {k: v for k, v in (values or {}).items() if k != "basic_auth_password"}
    return _page(
        request,
        "start.html",
        status,
        problems=problems or [],
        values=shown,
        saved=list(saved_pics(runs.reports)),
        profiles=PROFILES,
        operators=OPERATORS,
        choices=CHOICES,
    )


async def _read_form(request: web.Request) -> tuple[StartForm, list[str]]:
    runs = request.app[RUNS]
    data = await request.post()
    problems: list[str] = []
    pics: Path | None = None
    upload = data.get("pics_upload")
    if isinstance(upload, web.FileField) and upload.filename:
        try:
            pics = keep_upload(runs.reports, upload.filename, upload.file.read())
        except ValueError as exc:
            problems.append(f"PICS upload: {exc}")
    else:
        chosen = str(data.get("pics", ""))
        pics = saved_pics(runs.reports).get(chosen)
        if chosen and pics is None:
            problems.append(f"PICS: no saved PICS {chosen!r}")
    form = StartForm(
        csms_url=str(data.get("csms_url", "")),
        pics=pics,
        profiles=tuple(str(v) for v in data.getall("profiles", [])),
        tests=str(data.get("tests", "")),
        operator=str(data.get("operator", "default")),
        trigger_url=str(data.get("trigger_url", "")),
        adapter=str(data.get("adapter", "")),
        operator_timeout=str(data.get("operator_timeout", "")),
        time_scale=str(data.get("time_scale", "")),
        basic_auth_password=str(data.get("basic_auth_password", "")),
        no_tls_verify=bool(data.get("no_tls_verify")),
        pki_dir=str(data.get("pki_dir", "")),
        tls_ca_file=str(data.get("tls_ca_file", "")),
        tls_client_cert=str(data.get("tls_client_cert", "")),
        tls_client_key=str(data.get("tls_client_key", "")),
        choices={c.name: str(data[c.name]) for c in CHOICES if c.name in data},
    )
    return form, problems


async def start_run(request: web.Request) -> web.Response:
    runs = request.app[RUNS]
    if runs.running:
        return _start_page(request, [_busy(runs)], status=409)
    form, problems = await _read_form(request)
    sent = {"profiles": form.profiles, **form.choices, **_texts(form)}
    config = to_config(form, request.app[BASE_CONFIG])
    if isinstance(config, list):
        return _start_page(request, problems + config, 400, sent)
    if problems:
        return _start_page(request, problems, 400, sent)
    prepared = await asyncio.to_thread(prepare, config)
    if not isinstance(prepared, Prepared):
        return _start_page(request, prepared, 400, sent)
    try:
        runs.start(prepared)
    except RunBusy as exc:
        return _start_page(request, [str(exc)], status=409)
    raise web.HTTPSeeOther("/live")


def _texts(form: StartForm) -> dict[str, str]:
    fields = (
        "csms_url",
        "tests",
        "operator",
        "trigger_url",
        "adapter",
        "operator_timeout",
        "time_scale",
        "pki_dir",
        "tls_ca_file",
        "tls_client_cert",
        "tls_client_key",
    )
    texts = {name: str(getattr(form, name)) for name in fields}
    if form.pics is not None:
        texts["pics"] = form.pics.name
    return texts


def _busy(runs: ConsoleRuns) -> str:
    return (
        f"a run is going on already ({runs.state.folder}): one run at a time —"
        " follow it on the live page or stop it first"
    )


async def live_page(request: web.Request) -> web.Response:
    return _page(request, "live.html")


async def events(request: web.Request) -> web.StreamResponse:
    feed = request.app[RUNS].feed
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):
        async for message in feed.follow(heartbeat_s=HEARTBEAT_S):
            if message is None:
                await response.write(b": keep-alive\n\n")
                continue
            data = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
            await response.write(f"data: {data}\n\n".encode())
    return response


async def answer_prompt(request: web.Request) -> web.Response:
    runs = request.app[RUNS]
    try:
        prompt_id = int(request.match_info["prompt"])
        body = await request.json()
        kind = AnswerKind(str(body.get("answer", "")))
    except (ValueError, AttributeError):
        return web.json_response({"error": "answer must be done or cannot"}, status=400)
    reason = str(body.get("reason", "")).strip() if kind is AnswerKind.CANNOT else ""
    operator = runs.operator
    if operator is None or not operator.answer(prompt_id, Answer(kind, reason)):
        return web.json_response({"error": f"prompt {prompt_id} is not open"}, status=409)
    return web.json_response({"ok": True})


async def stop_run(request: web.Request) -> web.Response:
    stopped = await request.app[RUNS].stop()
    if not stopped:
        return web.json_response({"error": "no run is going on"}, status=409)
    return web.json_response({"ok": True, "state": request.app[RUNS].state.outcome})


async def history_page(request: web.Request) -> web.Response:
    runs = request.app[RUNS]
    entries = await asyncio.to_thread(list_runs, runs.reports)
    return _page(request, "history.html", entries=entries, message=request.query.get("message"))


def _folder(request: web.Request) -> Path:
    folder = run_folder(request.app[RUNS].reports, request.match_info["name"])
    if folder is None:
        raise web.HTTPNotFound(text="no such run\n")
    return folder


async def run_file(request: web.Request) -> web.FileResponse:
    name = request.match_info["file"]
    folder = _folder(request)
    if name not in SERVED_FILES or not (folder / name).is_file():
        raise web.HTTPNotFound(text="no such file\n")
    return web.FileResponse(folder / name)


async def run_zip(request: web.Request) -> web.Response:
    folder = _folder(request)
    data = await asyncio.to_thread(zip_folder, folder)
    return web.Response(
        body=data,
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{folder.name}.zip"'},
    )


async def render_run(request: web.Request) -> web.Response:
    runs = request.app[RUNS]
    folder = _folder(request)
    if runs.running and folder.name == runs.state.folder:
        return web.Response(status=409, text="409: this run is still going on\n")
    try:
        await asyncio.to_thread(render_again, folder)
    except (ResultFileError, OSError) as exc:
        return web.Response(status=422, text=f"422: cannot render the reports: {exc}\n")
    raise web.HTTPSeeOther(f"/history?message=re-rendered {folder.name}")


def make_app(
    reports: Path, token: str | None = None, base: RunConfig | None = None
) -> web.Application:
    """The console's application, serving the runs under `reports`; the start form's values go
    on top of `base` (secrets the console took from its environment, as `octt run` does)."""
    app = web.Application(middlewares=[_guard], client_max_size=2 << 20)
    feed = LiveFeed()
    app[RUNS] = ConsoleRuns(reports, feed)
    app[TOKEN] = token
    app[BASE_CONFIG] = base or RunConfig()
    app[TEMPLATES] = _environment()

    async def bind(app: web.Application) -> None:
        feed.bind(asyncio.get_running_loop())

    async def shut_down(app: web.Application) -> None:
        # The console stops: a run going on stops as with Ctrl-C, its result kept.
        await app[RUNS].stop()
        feed.close()

    app.on_startup.append(bind)
    app.on_shutdown.append(shut_down)
    app.router.add_get("/", start_page)
    app.router.add_post("/runs", start_run)
    app.router.add_get("/live", live_page)
    app.router.add_get("/events", events)
    app.router.add_post("/prompts/{prompt}", answer_prompt)
    app.router.add_post("/stop", stop_run)
    app.router.add_get("/history", history_page)
    app.router.add_get("/zip/{name:.+}", run_zip)
    app.router.add_post("/render/{name:.+}", render_run)
    app.router.add_get("/runs/{name:.+}/{file:[A-Za-z0-9_.-]+}", run_file)
    app.router.add_static("/static", Path(__file__).parent / "static")
    return app
