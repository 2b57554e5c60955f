"""As a new user would: `octt keygen`, then `octt run --report-dir out --sign-key ...` against the
embedded reference CSMS writes every report and signs them; the PDF holds every certificate
section with the measured figures; `octt report` recreates deleted reports byte for byte; and
`octt verify` notices one changed byte in result.json or trace.jsonl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pypdfium2 as pdfium
import pytest
import yaml
from cli_support import run_octt as octt

from octt.resources import default_pics_path, schema_path

CORE_CASES = 34
LAB_CONFIG = """\
lab:
  name: Example Test Lab GmbH
  location: Arnhem, NL
  report_reference: ETL-2026-0042
  certificate_number: OCA.0016.0042.CSMS
  vendor_signatory: {name: Vera Vendor, position: Head of QA}
  lab_signatory: {name: Lars Lab, department: E-Mobility, date: "2026-11-21"}
"""
REPORTS = ("junit.xml", "certificate.html", "certificate.pdf", "report.html")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = tmp_path_factory.mktemp("e2e")
    (cwd / "run.yaml").write_text(LAB_CONFIG, encoding="utf-8")
    # A CSMS that claims Core alone: `--profile core` is then its full scope, a certificate.
    pics = yaml.safe_load(default_pics_path().read_text(encoding="utf-8"))
    pics["profiles"] = {name: name == "core" for name in pics["profiles"]}
    pics["security"] = {"profiles": []}
    (cwd / "core.yaml").write_text(yaml.safe_dump(pics), encoding="utf-8")
    keygen = octt(cwd, "keygen", "lab.key")
    assert keygen.status == 0, keygen.stderr
    cli = octt(
        cwd,
        "run",
        "--profile",
        "core",
        "--pics",
        "core.yaml",
        "--config",
        "run.yaml",
        "--reconnect-pause",
        "0.001",
        "--report-dir",
        "out",
        "--sign-key",
        "lab.key",
        "--junit",
        "ci/junit.xml",
        "--json",
        "ci/result.json",
    )
    assert cli.status == 0, cli.stdout + cli.stderr
    return cwd


def result_json(cwd: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((cwd / "out" / "result.json").read_text(encoding="utf-8"))
    return data


def pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(path)
    try:
        return " ".join(" ".join(p.get_textpage().get_text_range() for p in document).split())
    finally:
        document.close()


def test_every_file_is_written_and_signed(run: Path) -> None:
    out = run / "out"
    assert {p.name for p in out.iterdir()} == {
        "result.json",
        "trace.jsonl",
        "signature.json",
        *REPORTS,
    }
    for name, copy in (("junit.xml", "ci/junit.xml"), ("result.json", "ci/result.json")):
        assert (run / copy).read_bytes() == (out / name).read_bytes()
    assert octt(run, "verify", "out", "--public-key", "lab.key.pub").status == 0


def test_result_json_carries_the_lab(run: Path) -> None:
    data = result_json(run)
    schema = json.loads(schema_path("result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["lab"]["name"] == "Example Test Lab GmbH"
    assert data["lab"]["lab_signatory"] == {
        "name": "Lars Lab",
        "company": "",
        "department": "E-Mobility",
        "position": "",
        "location": "",
        "date": "2026-11-21",
    }


def test_the_pdf_holds_every_section_and_the_measured_figures(run: Path) -> None:
    text = pdf_text(run / "out" / "certificate.pdf")
    for expected in (
        "Certificate of Conformance",
        "OCA.0016.0042.CSMS",
        "octt reference CSMS",
        "OCPP 1.6 – Edition 2 with OCPP 1.6 Errata sheet (v4.0 Release, 2019-10-23)",
        "Improved security for OCPP 1.6-J, Edition 3 (2022-02-17)",
        "Abstract of the test report",
        "Example Test Lab GmbH",
        "Arnhem, NL",
        "Test result summary",
        "Core Pass",
        "Security",
        "SEC-1",
        "Additional questions",
        "AQ-1",
        "Performance measurement results",
        "Test configuration",
        "Device supports sending milliseconds in timestamps",
        "Statement of approval",
        "Vera Vendor",
        "Lars Lab",
        "Digital signature",
    ):
        assert expected in text, expected
    data = result_json(run)
    assert data["schemas"]["sha256"] in text
    for key in ("response_time", "authorize"):
        timing = data["performance"][key]
        assert timing["count"] > 0
        for figure in ("min_s", "avg_s", "max_s", "p95_s"):
            assert f"{timing[figure]:.4f}" in text, (key, figure)
    signature = json.loads((run / "out" / "signature.json").read_text(encoding="utf-8"))
    digits = signature["fingerprint"].split(":")[1]
    assert " ".join(digits[i : i + 4] for i in range(0, 64, 4)) in text


def test_pages_render(run: Path, tmp_path: Path) -> None:
    document = pdfium.PdfDocument(run / "out" / "certificate.pdf")
    try:
        for index, page in enumerate(document):
            image = page.render(scale=1).to_pil()
            image.save(tmp_path / f"page-{index + 1}.png")
            assert image.size in ((595, 842), (596, 842))  # A4 at 72 dpi
    finally:
        document.close()


def test_report_html_lists_every_case(run: Path) -> None:
    html = (run / "out" / "report.html").read_text(encoding="utf-8")
    assert html.count('<article class="case"') == CORE_CASES
    assert 'data-filter-button="fail"' in html


def test_report_recreates_deleted_files_byte_for_byte(run: Path) -> None:
    out = run / "out"
    before = {name: (out / name).read_bytes() for name in REPORTS}
    for name in ("certificate.html", "certificate.pdf", "report.html"):
        (out / name).unlink()
    cli = octt(run, "report", "out")
    assert cli.status == 0, cli.stderr
    assert {name: (out / name).read_bytes() for name in REPORTS} == before
    assert "still matches every file it covers" in cli.stdout
    assert octt(run, "verify", "out", "--public-key", "lab.key.pub").status == 0


@pytest.mark.parametrize("name", ["result.json", "trace.jsonl"])
def test_one_changed_byte_makes_verify_fail_naming_the_file(run: Path, name: str) -> None:
    path = run / "out" / name
    original = path.read_bytes()
    changed = bytearray(original)
    changed[100] = ord("#") if changed[100] != ord("#") else ord("$")
    path.write_bytes(bytes(changed))
    try:
        cli = octt(run, "verify", "out", "--public-key", "lab.key.pub")
        assert cli.status == 1
        assert f"{path}: changed since it was signed" in cli.stderr
    finally:
        path.write_bytes(original)
    assert octt(run, "verify", "out").status == 0
