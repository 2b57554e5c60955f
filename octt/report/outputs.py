"""The files of a report folder, and rendering every report into it from one result.

`octt run`, `octt report` and `octt sign` all render through `write_reports`, so a folder's
reports are the same whichever command wrote them. Each file is written to a temporary name and
renamed into place: a reader (or an interrupted re-render) never sees half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from octt.record.load import load_trace
from octt.report.certificate import DigitalSignature, build_certificate
from octt.report.certificate_html import render_certificate_html
from octt.report.certificate_pdf import render_certificate_pdf
from octt.report.full_report import build_full_report, render_full_report
from octt.report.junit import render_junit
from octt.result.load import result_from_json
from octt.result.model import RunResult
from octt.result.result_json import RESULT_FILE

TRACE_FILE = "trace.jsonl"
JUNIT_FILE = "junit.xml"
CERTIFICATE_HTML_FILE = "certificate.html"
CERTIFICATE_PDF_FILE = "certificate.pdf"
REPORT_HTML_FILE = "report.html"
SIGNATURE_FILE = "signature.json"

# Rendered from result.json (+ trace.jsonl); `octt report` writes these again.
RENDERED_FILES = (JUNIT_FILE, CERTIFICATE_HTML_FILE, CERTIFICATE_PDF_FILE, REPORT_HTML_FILE)
# What a signature covers: the result, the raw evidence and every rendering of them.
EVIDENCE_FILES = (RESULT_FILE, TRACE_FILE, *RENDERED_FILES)


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_reports(
    directory: Path, result: RunResult, *, signature: DigitalSignature | None = None
) -> tuple[Path, ...]:
    """Render junit.xml, certificate.html, certificate.pdf and report.html into `directory`.

    `signature` is the key the folder is (to be) signed with; the certificate shows its
    fingerprint. Returns the paths written, in `RENDERED_FILES` order.
    """
    # Render what result.json holds (rounded figures), not the run's in-memory values: then
    # `octt report` later gives the same bytes as `octt run` now.
    result = result_from_json(json.loads(json.dumps(result.to_json())))
    certificate = build_certificate(result, signature)
    full = build_full_report(result, load_trace(directory / TRACE_FILE))
    contents = {
        JUNIT_FILE: render_junit(result).encode("utf-8"),
        CERTIFICATE_HTML_FILE: render_certificate_html(certificate).encode("utf-8"),
        CERTIFICATE_PDF_FILE: render_certificate_pdf(certificate),
        REPORT_HTML_FILE: render_full_report(full).encode("utf-8"),
    }
    written = []
    for name in RENDERED_FILES:
        path = directory / name
        write_atomically(path, contents[name])
        written.append(path)
    return tuple(written)
