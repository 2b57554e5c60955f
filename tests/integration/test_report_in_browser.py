"""report.html in a real browser (headless Chromium over the DevTools protocol): the verdict
filter hides what it should when clicked, links to frames open their collapsed listing, and the
page stays complete with JavaScript off. Skipped when no Chromium is installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from headless_chromium import Page, find_chromium, open_page
from report_samples import write_run_folder

from octt.report.outputs import write_reports
from octt.result.load import load_result

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")

VISIBLE_CASES = (
    "Array.from(document.querySelectorAll('article.case'))"
    ".filter(e => getComputedStyle(e).display !== 'none').map(e => e.id)"
)
VISIBLE_TOC = (
    "Array.from(document.querySelectorAll('#sidebar li[data-verdict]'))"
    ".filter(e => getComputedStyle(e).display !== 'none').length"
)
ALL_CASES = [
    "TC_003_CSMS",
    "TC_010_CSMS",
    "TC_013_CSMS",
    "TC_001_CSMS",
    "TC_064_CSMS",
    "TC_074_CSMS",
    "TC_073_CSMS",
    "TC_079_CSMS",
    "TC_056_CSMS",
]


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = write_run_folder(tmp_path_factory.mktemp("browser") / "run")
    write_reports(folder, load_result(folder / "result.json"))
    return (folder / "report.html").as_uri()


@pytest.fixture(scope="module")
def browser(report_url: str) -> Iterator[Page]:
    assert CHROMIUM is not None
    with open_page("about:blank", CHROMIUM) as opened:
        yield opened


@pytest.fixture
def page(browser: Page, report_url: str) -> Page:
    """The report, freshly loaded (scripts on)."""
    browser.send("Emulation.setScriptExecutionDisabled", {"value": False})
    browser.navigate(report_url)
    return browser


def test_clicking_fail_hides_the_passing_cases(page: Page, tmp_path: Path) -> None:
    assert page.evaluate(VISIBLE_CASES) == ALL_CASES  # failures first
    assert page.evaluate("document.documentElement.className") == "js"
    page.click('[data-filter-button="fail"]')
    assert page.evaluate(VISIBLE_CASES) == ["TC_003_CSMS", "TC_074_CSMS"]
    assert page.evaluate(VISIBLE_TOC) == 2
    assert (
        page.evaluate(
            "document.querySelector('[data-filter-button=\"fail\"]').getAttribute('aria-pressed')"
        )
        == "true"
    )
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(tmp_path / "report-fail-filter.png")
    assert (tmp_path / "report-fail-filter.png").read_bytes().startswith(b"\x89PNG")
    page.click('[data-filter-button="pass"]')
    assert page.evaluate(VISIBLE_CASES) == [
        "TC_001_CSMS",
        "TC_073_CSMS",
        "TC_079_CSMS",
        "TC_056_CSMS",
    ]
    page.click('[data-filter-button="all"]')
    assert page.evaluate(VISIBLE_CASES) == ALL_CASES


def test_a_link_to_a_frame_opens_its_listing(page: Page) -> None:
    closed = "document.getElementById('f-3').closest('details').open"
    assert page.evaluate(closed) is False  # a passed case's frames start collapsed
    page.click('[data-filter-button="fail"]')
    page.evaluate("location.hash = '#f-3'")
    page.evaluate("new Promise(r => requestAnimationFrame(() => r(true)))")
    assert page.evaluate(closed) is True
    assert "TC_001_CSMS" in page.evaluate(VISIBLE_CASES)  # the filter made way for the target


def test_without_javascript_everything_is_shown(browser: Page, report_url: str) -> None:
    browser.send("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.navigate(report_url)
    assert browser.evaluate(VISIBLE_CASES) == ALL_CASES
    assert browser.evaluate("getComputedStyle(document.querySelector('.filters')).display") == (
        "none"
    )
    assert browser.evaluate("document.documentElement.className") == ""
