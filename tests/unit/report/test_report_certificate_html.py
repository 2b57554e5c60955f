"""certificate.html: every section, escaped text, the verdict banner, byte-identical output."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from report_samples import failing_result, passing_result

from octt.report.certificate import DigitalSignature, build_certificate
from octt.report.certificate_html import render_certificate_html, write_certificate_html

SIGNATURE = DigitalSignature("Ed25519", "sha256:" + "0f1e" * 16)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.text).split()), parser.tags


def test_every_section_is_there() -> None:
    text, tags = visible(render_certificate_html(build_certificate(passing_result(), SIGNATURE)))
    for heading in (
        "Certificate of Conformance",
        "PASSED",
        "Certificate holder",
        "OCPP 1.6 – Edition 2 with OCPP 1.6 Errata sheet (v4.0 Release, 2019-10-23)",
        "Improved security for OCPP 1.6-J, Edition 3 (2022-02-17)",
        "1. Abstract of the test report",
        "Test result summary",
        "Local Authorization List Management",
        "SEC-3",
        "Additional questions",
        "AQ-1",
        "2. Performance measurement results",
        "Response time Authorize",
        "0.2500",
        "3. Test configuration",
        "4. Statement of approval",
        "Lars Lab",
        "0f1e 0f1e",
    ):
        assert heading in text, heading
    assert "script" not in tags  # the certificate is a document, no code
    assert "NOT PASSED" not in text


def test_not_passed_banner_and_watermark() -> None:
    html = render_certificate_html(build_certificate(failing_result()))
    text, _ = visible(html)
    assert "NOT PASSED — this document is not a certificate" in text
    assert 'class="watermark"' in html
    assert "2 case(s) failed: TC_003_CSMS, TC_074_CSMS." in text
    assert "This copy is not digitally signed" in text
    assert 'class="seal"' not in html


def test_text_is_escaped() -> None:
    html = render_certificate_html(build_certificate(failing_result()))
    assert "Ünïcode Charging &lt;GmbH&gt; &amp; Co" in html
    assert "<GmbH>" not in html


def test_fixed_inputs_give_identical_bytes(tmp_path: Path) -> None:
    certificate = build_certificate(failing_result(), SIGNATURE)
    write_certificate_html(tmp_path / "a.html", certificate)
    write_certificate_html(tmp_path / "b.html", build_certificate(failing_result(), SIGNATURE))
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_warnings_are_marked() -> None:
    html = render_certificate_html(build_certificate(failing_result()))
    assert '<td class="warn">OFF — the CSMS' in html
    assert f'<td class="mono">{"ab" * 32}</td>' in html
