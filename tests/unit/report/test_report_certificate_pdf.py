"""certificate.pdf: A4 pages whose text holds every section and the measured figures, rendered
deterministically (same result, same bytes; the run's finish time as creation date)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from report_samples import failing_result, passing_result

from octt.report.certificate import DigitalSignature, build_certificate
from octt.report.certificate_pdf import (
    pdf_text,
    render_certificate_pdf,
    write_certificate_pdf,
)

SIGNATURE = DigitalSignature("Ed25519", "sha256:" + "0f1e" * 16, "CN=Example Test Lab")


def pages_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def flat(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


@pytest.fixture(scope="module")
def passed_pdf() -> bytes:
    return render_certificate_pdf(build_certificate(passing_result(), SIGNATURE))


def test_the_text_holds_every_section(passed_pdf: bytes) -> None:
    text = flat(pages_text(passed_pdf))
    for expected in (
        "Certificate of Conformance",
        "PASSED",
        "Certificate holder",
        "OCA.0016.0099.CSMS",
        "OCPP 1.6 – Edition 2 with OCPP 1.6 Errata sheet (v4.0 Release, 2019-10-23)",
        "Improved security for OCPP 1.6-J, Edition 3 (2022-02-17)",
        "1. Abstract of the test report",
        "Example Test Lab",
        "Test result summary",
        "Firmware Management",
        "claimed in the PICS; not in this run's selection",
        "SEC-1",
        "SEC-2",
        "SEC-3",
        "Additional questions",
        "AQ-1",
        "2. Performance measurement results",
        "OCPP response time",
        "Response time Authorize",
        "0.0012",  # the minimum response time
        "0.2500",  # the Authorize figures
        "seconds",
        "3. Test configuration",
        "ab" * 32,  # schema set SHA-256
        "Device supports sending milliseconds in timestamps",
        "4. Statement of approval",
        "Vera Vendor",
        "Lars Lab",
        "Signature",
        "0f1e 0f1e 0f1e",
        "CN=Example Test Lab",
        "not an OCA certificate",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert "NOT PASSED" not in text


def test_a4_pages_and_metadata(passed_pdf: bytes) -> None:
    document = pdfium.PdfDocument(passed_pdf)
    try:
        assert 2 <= len(document) <= 4
        for page in document:
            width, height = page.get_size()
            assert (round(width), round(height)) == (595, 842)
        metadata = document.get_metadata_dict()
    finally:
        document.close()
    assert metadata["CreationDate"].startswith("D:20260301120130")
    assert metadata["Title"] == "Certificate of Conformance — OCA.0016.0099.CSMS"
    assert metadata["Creator"] == "octt 0.1.0"


def test_same_result_same_bytes(passed_pdf: bytes, tmp_path: Path) -> None:
    write_certificate_pdf(tmp_path / "c.pdf", build_certificate(passing_result(), SIGNATURE))
    assert (tmp_path / "c.pdf").read_bytes() == passed_pdf


def test_a_failed_run_is_marked_on_every_page() -> None:
    texts = pages_text(render_certificate_pdf(build_certificate(failing_result())))
    text = flat(texts)
    assert "Test Summary — Not Passed" in text
    assert "NOT PASSED — this document is not a certificate" in text
    assert "Response time Authorize exceeded the PICS limit of 0.1 s" in text
    assert "Fail" in text
    assert "This copy is not digitally signed" in text
    for page in texts:
        assert "NOT PASSED" in page  # the watermark
        assert "Test Summary — Not Passed · ETL-2026-7" in " ".join(page.split())


def test_pages_render_with_ink(passed_pdf: bytes) -> None:
    document = pdfium.PdfDocument(passed_pdf)
    try:
        image = document[0].render(scale=0.5).to_pil().convert("L")
    finally:
        document.close()
    histogram = image.histogram()
    dark = sum(histogram[:100])
    assert dark > 500  # text and the header band, not a blank page


def test_pdf_text_escapes_markup_and_maps_characters() -> None:
    assert pdf_text("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert pdf_text("Ünïcode – “quoted” €") == "Ünïcode – “quoted” €"  # Windows-1252 as is
    assert pdf_text("Ōsaka Łódź") == "Osaka ?ódz"  # transliterated where Unicode allows
    assert pdf_text("充电") == "??"
