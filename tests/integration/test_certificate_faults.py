"""Against a reference CSMS with faults switched on, the reports say so: the profile row is Fail,
the performance table is Fail when Authorize answered later than the PICS limit, and the
certificate is a "NOT PASSED" test summary, never a certificate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pypdfium2 as pdfium
from conftest import run_against_reference_async, with_limits

from octt.pics.model import load_pics
from octt.record.load import load_trace
from octt.report.certificate import Outcome, Standing, build_certificate
from octt.report.full_report import build_full_report
from octt.report.outputs import write_reports
from octt.resources import default_pics_path
from octt.result.model import LimitVerdict, Verdict
from octt.result.result_json import write_result


def test_faults_show_as_fail_rows(tmp_path: Path) -> None:
    pics = with_limits(load_pics(default_pics_path()), 30, 0.1)
    result = asyncio.run(
        run_against_reference_async(
            ["TC_003_CSMS", "TC_013_CSMS"],
            ["slow-authorize", "reset-wrong-type"],
            pics=pics,
            trace=tmp_path / "trace.jsonl",
        )
    )
    verdicts = {c.id: c.verdict for c in result.cases}
    assert verdicts == {"TC_003_CSMS": Verdict.PASS, "TC_013_CSMS": Verdict.FAIL}
    assert result.performance.authorize.verdict is LimitVerdict.FAIL
    assert result.performance.authorize.max_s is not None
    assert result.performance.authorize.max_s >= 0.5

    certificate = build_certificate(result)
    assert certificate.standing is Standing.NOT_PASSED
    core = next(r for r in certificate.functionalities if r.name == "Core")
    assert core.outcome is Outcome.FAIL
    response, authorize = certificate.performance
    assert (response.outcome, authorize.outcome) == (Outcome.PASS, Outcome.FAIL)
    assert authorize.limit == "0.1"
    assert any(r.startswith("Response time Authorize exceeded") for r in certificate.reasons)

    write_result(tmp_path / "result.json", result)
    write_reports(tmp_path, result)
    document = pdfium.PdfDocument(tmp_path / "certificate.pdf")
    try:
        text = " ".join(" ".join(p.get_textpage().get_text_range() for p in document).split())
    finally:
        document.close()
    assert "NOT PASSED — this document is not a certificate" in text
    assert "1 case(s) failed: TC_013_CSMS." in text
    assert "Core Fail" in text
    # The measured maximum as the certificate shows it (rendered from result.json's rounding).
    assert authorize.maximum.startswith("0.5")
    assert authorize.maximum in text

    full = build_full_report(result, load_trace(tmp_path / "trace.jsonl"))
    assert [v.case.id for v in full.failures] == ["TC_013_CSMS"]
    [failed] = full.failures
    assert any(row.cited for row in failed.frames)  # the finding's frame is in the sequence
