"""certificate.html: the certificate as a self-contained HTML page (A4 when printed)."""

from __future__ import annotations

from pathlib import Path

from octt.report.certificate import Certificate
from octt.report.templates import render_template


def render_certificate_html(certificate: Certificate) -> str:
    return render_template("certificate.html.j2", c=certificate)


def write_certificate_html(path: Path, certificate: Certificate) -> None:
    path.write_text(render_certificate_html(certificate), encoding="utf-8")
