"""A headless Chromium driven over the DevTools protocol (a websocket, the `websockets` package):
load a page, click at an element's centre like a mouse, evaluate JavaScript, take screenshots.

No browser is downloaded: the helper looks for a system Chromium (Debian's `chromium`) and the
tests that use it skip when there is none.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
STARTUP_TIMEOUT_S = 30.0


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One tab, attached through a flat DevTools session."""

    def __init__(self, socket: ClientConnection, session_id: str) -> None:
        self._socket = socket
        self._session = session_id
        self._next_id = 1000
        self._events: list[str] = []  # methods of the events seen so far

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next_id += 1
        message_id = self._next_id
        self._socket.send(
            json.dumps(
                {
                    "id": message_id,
                    "method": method,
                    "params": params or {},
                    "sessionId": self._session,
                }
            )
        )
        while True:
            reply = json.loads(self._socket.recv(timeout=STARTUP_TIMEOUT_S))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._events.append(reply["method"])

    def wait_event(self, method: str) -> None:
        while method not in self._events:
            message = json.loads(self._socket.recv(timeout=STARTUP_TIMEOUT_S))
            if "method" in message:
                self._events.append(message["method"])
        self._events.remove(method)

    def navigate(self, url: str) -> None:
        """Load `url` and wait for its load event."""
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        reply = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) at the centre of the element."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))


@contextmanager
def open_page(url: str, chromium: str, *, width: int = 1400, height: int = 1000) -> Iterator[Page]:
    with tempfile.TemporaryDirectory(prefix="octt-chromium-") as profile:
        process = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stderr is not None
            endpoint = ""
            for line in process.stderr:  # Chromium announces its endpoint on stderr
                if line.startswith("DevTools listening on "):
                    endpoint = line.split(" on ", 1)[1].strip()
                    break
            if not endpoint:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            with connect(endpoint, max_size=None, open_timeout=STARTUP_TIMEOUT_S) as socket:
                target = _browser_call(socket, "Target.createTarget", {"url": "about:blank"})
                attached = _browser_call(
                    socket,
                    "Target.attachToTarget",
                    {"targetId": target["targetId"], "flatten": True},
                )
                page = Page(socket, attached["sessionId"])
                page.send(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                )
                page.send("Page.enable")
                page.navigate(url)
                yield page
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _browser_call(socket: ClientConnection, method: str, params: dict[str, Any]) -> dict[str, Any]:
    socket.send(json.dumps({"id": 1, "method": method, "params": params}))
    while True:
        reply = json.loads(socket.recv(timeout=STARTUP_TIMEOUT_S))
        if reply.get("id") == 1:
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            result: dict[str, Any] = reply["result"]
            return result
