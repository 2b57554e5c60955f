"""`octt console` in a real headless Chromium (DevTools protocol): a lab's whole session.

The console runs as `octt console --port 0`, the CSMS is a separately started
`octt reference-csms` whose trigger API plays the person clicking in the CSMS's UI. The test
starts a run from the start page with the prompt operator, answers the provisioning prompt and a
"Make the CSMS act" prompt in the page, lets another prompt notice its CALL by itself, sees the
frames of the current case appear while it runs, and finds the run in the history with a
certificate link that serves the PDF. Skipped when no Chromium is installed.

With OCTT_CONSOLE_SCREENSHOTS=DIR the test also saves the README's screenshots into DIR.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from headless_chromium import Page, find_chromium, open_page
from test_prompt_end_to_end import OCTT, REPO, ReferenceCsms, _environment, _stop

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")
DEADLINE_S = 20.0
SCREENSHOTS = os.environ.get("OCTT_CONSOLE_SCREENSHOTS")


class Console:
    """`octt console --port 0` in a process of its own; its URL."""

    def __init__(self, reports: Path) -> None:
        self.process = subprocess.Popen(
            [*OCTT, "console", "--port", "0", "--reports", str(reports)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env=_environment(),
            start_new_session=True,
        )
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        output = b""
        deadline = time.monotonic() + DEADLINE_S
        while (found := re.search(rb"octt console: (http://\S+)", output)) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"octt console did not start:\n{output.decode()}")
            ready, _, _ = select.select([fd], [], [], min(remaining, 0.2))
            if ready:
                output += os.read(fd, 65536)
        self.url = found.group(1).decode()

    def close(self) -> None:
        _stop(self.process)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def csms() -> Iterator[ReferenceCsms]:
    server = ReferenceCsms()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    served = Console(tmp_path / "reports")
    try:
        yield served
    finally:
        served.close()


def wait_for(page: Page, expression: str, what: str) -> Any:
    """Poll `expression` in the page until it is truthy (with a deadline); its value."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() >= deadline:
            shown = page.evaluate("document.querySelector('main').innerText")
            raise AssertionError(f"gave up waiting for {what}; the page showed:\n{shown}")
        time.sleep(0.05)  # a poll interval under a deadline, not a wait for something


def open_prompt(page: Page, title: str) -> dict[str, Any]:
    """The prompt shown once its title is `title`: id, case, action and rows."""
    wait_for(
        page,
        f"!document.getElementById('prompt').hidden &&"
        f" document.getElementById('prompt-title').textContent === {json.dumps(title)}",
        f"a {title!r} prompt",
    )
    prompt: dict[str, Any] = page.evaluate(
        "({id: document.getElementById('prompt').dataset.id,"
        " case: document.getElementById('prompt-case').textContent,"
        " rows: Array.from(document.querySelectorAll('#prompt-rows tr'))"
        ".map(r => [r.cells[0].textContent, r.cells[1].textContent]),"
        " countdown: document.getElementById('prompt-countdown').textContent})"
    )
    return prompt


def frame_actions(page: Page) -> list[str]:
    actions: list[str] = page.evaluate(
        "Array.from(document.querySelectorAll('#frames tr[data-seq]'))"
        ".map(r => r.cells[3].textContent + ' ' + r.cells[4].textContent)"
    )
    return actions


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(Path(SCREENSHOTS) / name)


def test_a_session_in_the_browser(csms: ReferenceCsms, console: Console, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    person = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    with open_page(console.url, CHROMIUM, width=1280, height=860) as page:
        assert page.evaluate("document.title").startswith("Start a run")
        page.evaluate(
            f"document.getElementById('csms_url').value = {json.dumps(csms.ocpp_url)};"
            " document.getElementById('pics').value = 'reference-csms.yaml';"
            " document.getElementById('tests').value = 'TC_061_CSMS TC_021_CSMS';"
            " document.getElementById('operator').value = 'prompt';"
            " document.getElementById('operator_timeout').value = '60';"
        )
        shoot(page, "console-start.png")
        page.click("#start-run")
        page.wait_event("Page.loadEventFired")
        assert page.evaluate("location.pathname") == "/live"

        # 1. The test data, confirmed in the page.
        provision = open_prompt(page, "Provision the CSMS")
        assert ["charge point", "OCTT-CP-001"] in provision["rows"], provision
        page.click("#prompt-done")

        # 2. TC_021 (catalog order): the person clicks done, then makes the CSMS send it.
        prompt = open_prompt(page, "Make the CSMS act")
        assert prompt["case"] == "TC_021_CSMS — Change/set Configuration", prompt
        assert ["action", "ChangeConfiguration"] in prompt["rows"], prompt
        assert ["key", "MeterValueSampleInterval"] in prompt["rows"], prompt
        assert re.fullmatch(r"\d+ s left", prompt["countdown"]), prompt
        # The frames of the case so far are there while it runs (the boot before the prompt).
        assert "CALL BootNotification" in frame_actions(page)
        assert "CALLRESULT BootNotification" in frame_actions(page)
        shoot(page, "console-live.png")
        page.evaluate("document.getElementById('prompt-reason').value = ''")
        page.click("#prompt-done")
        wait_for(
            page,
            "document.getElementById('prompt-outcome').textContent"
            ".startsWith('operator reports ChangeConfiguration done')",
            "the page to take the done",
        )
        body = {"key": "MeterValueSampleInterval", "value": "60"}
        reply = person.submit(csms.trigger, "change-configuration", body).result(DEADLINE_S)
        assert reply == {"status": "answered", "response": {"status": "Accepted"}}

        # 3. TC_061: nobody clicks; the page notices the ClearCache CALL by itself.
        prompt = open_prompt(page, "Make the CSMS act")
        assert prompt["case"].startswith("TC_061_CSMS — "), prompt
        assert ["payload", "(no fields)"] in prompt["rows"], prompt
        reply = person.submit(csms.trigger, "clear-cache", {}).result(DEADLINE_S)
        assert reply == {"status": "answered", "response": {"status": "Accepted"}}
        wait_for(
            page,
            "document.getElementById('prompt').hidden &&"
            " document.getElementById('prompt-outcome').textContent"
            ".startsWith('received ClearCache from the CSMS')",
            "the prompt to notice the CALL",
        )

        # The run ends by itself: every case passed, the frames of the last case are there.
        wait_for(page, "!document.getElementById('ended').hidden", "the end of the run")
        assert page.evaluate("document.getElementById('run-state').textContent") == "pass"
        actions = frame_actions(page)
        assert "CALL ClearCache" in actions and "CALLRESULT ClearCache" in actions, actions
        response = page.evaluate(
            "Array.from(document.querySelectorAll('#frames tr[data-seq]'))"
            ".find(r => r.cells[3].textContent === 'CALLRESULT'"
            " && r.cells[4].textContent === 'ClearCache').cells[5].textContent"
        )
        assert re.fullmatch(r"\d+(\.\d)? ms", response), response
        verdicts = page.evaluate(
            "Array.from(document.querySelectorAll('#cases li'))"
            ".map(li => li.dataset.case + ' ' + li.className)"
        )
        assert sorted(verdicts) == ["TC_021_CSMS pass", "TC_061_CSMS pass"], verdicts

        # The history lists it, and its certificate link serves the certificate.
        page.navigate(console.url + "history")
        rows = page.evaluate(
            "Array.from(document.querySelectorAll('#history tbody tr'))"
            ".map(r => [r.dataset.run, r.cells[1].textContent.trim(), r.cells[2].textContent])"
        )
        assert len(rows) == 1, rows
        name, verdict, csms_url = rows[0]
        assert (verdict, csms_url) == ("PASS", csms.ocpp_url), rows
        shoot(page, "console-history.png")
        link = page.evaluate(
            "document.querySelector('#history a[data-file=\"certificate.pdf\"]').href"
        )
        assert link == f"{console.url}runs/{name}/certificate.pdf"
        served = page.evaluate(
            f"fetch({json.dumps(link)}).then(async r => [r.status,"
            " r.headers.get('content-type'),"
            " String.fromCharCode(...new Uint8Array(await r.arrayBuffer()).slice(0, 5))])"
        )
        assert served == [200, "application/pdf", "%PDF-"], served
    person.shutdown()
    result = json.loads((tmp_path / "reports" / name / "result.json").read_text("utf-8"))
    assert result["verdict"] == "pass"
    operator = {c["id"]: c["operator"][0]["detail"] for c in result["cases"]}
    assert operator["TC_021_CSMS"].startswith("operator reports ChangeConfiguration done")
    assert operator["TC_061_CSMS"].startswith("received ClearCache from the CSMS")
