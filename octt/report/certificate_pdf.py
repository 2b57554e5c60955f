"""certificate.pdf: the certificate as an A4 PDF a laboratory can print and sign.

Drawn with ReportLab's platypus from the same `Certificate` value as certificate.html. The PDF
is deterministic: ReportLab's invariant mode (no random document id), the run's finish time as
creation date, and no rendering-time values, so the same result.json gives the same bytes.

The PDF uses the standard Helvetica fonts, which cover Windows-1252; other characters are
transliterated where Unicode allows (é → e is never needed, ā → a is) or shown as "?".
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from octt.report.certificate import Certificate, Field, Outcome, SignatureBlock

INK = colors.HexColor("#1b2430")
MUTED = colors.HexColor("#5b6573")
RULE = colors.HexColor("#c9ced6")
BAND = colors.HexColor("#1f3a5f")
HEAD_FILL = colors.HexColor("#eef1f5")
PASS = colors.HexColor("#1e7b34")
FAIL = colors.HexColor("#b3261e")
WARN = colors.HexColor("#a15c00")
NA = colors.HexColor("#6b7280")
FAIL_FILL = colors.HexColor("#fbeceb")
NOTE_FILL = colors.HexColor("#f4f6f9")

_OUTCOME_COLOUR = {
    Outcome.PASS: PASS,
    Outcome.FAIL: FAIL,
    Outcome.INCOMPLETE: WARN,
    Outcome.NOT_APPLICABLE: NA,
    Outcome.NO_DATA: NA,
    Outcome.NOT_TESTED: WARN,
    Outcome.PARTIAL: WARN,
}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
BAND_HEIGHT = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11.5, textColor=INK)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9.5, textColor=MUTED)
_DISCLAIMER = ParagraphStyle("disclaimer", parent=_SMALL, spaceBefore=3)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=8.5, leading=10.5)
_CELL_RIGHT = ParagraphStyle("cell-right", parent=_CELL, alignment=TA_RIGHT)
_LABEL = ParagraphStyle("label", parent=_CELL, fontName="Helvetica-Bold", textColor=MUTED)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold", fontSize=8)
_HEAD_RIGHT = ParagraphStyle("head-right", parent=_HEAD, alignment=TA_RIGHT)
_MONO = ParagraphStyle("mono", parent=_CELL, fontName="Courier", fontSize=8, leading=10)
_TITLE = ParagraphStyle(
    "title", parent=_BODY, fontName="Helvetica-Bold", fontSize=21, leading=25, spaceAfter=2
)
_SUBTITLE = ParagraphStyle("subtitle", parent=_BODY, fontSize=11, leading=14, textColor=MUTED)
_H2 = ParagraphStyle(
    "h2", parent=_BODY, fontName="Helvetica-Bold", fontSize=12, leading=15, textColor=BAND
)
_H3 = ParagraphStyle("h3", parent=_BODY, fontName="Helvetica-Bold", fontSize=10, leading=13)
_BANNER = ParagraphStyle(
    "banner", parent=_BODY, fontName="Helvetica-Bold", fontSize=13, leading=16, textColor=FAIL
)
_SEAL = ParagraphStyle(
    "seal", parent=_BODY, fontName="Helvetica-Bold", fontSize=11, leading=13, textColor=PASS
)

_GRID: list[Any] = [
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]
_HEADED: list[Any] = [
    *_GRID,
    ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
    ("LINEBELOW", (0, 0), (-1, 0), 1, colors.HexColor("#98a2b3")),
]


def pdf_text(value: str) -> str:
    """`value` made safe for a Paragraph in a standard PDF font: markup escaped, and characters
    outside Windows-1252 transliterated or replaced by '?'."""
    out = []
    for char in value:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            out.append(base or "?")
    text = "".join(out)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text: str, style: ParagraphStyle = _CELL) -> Paragraph:
    return Paragraph(pdf_text(text), style)


def _mono(text: str) -> Paragraph:
    return Paragraph(pdf_text(text), _MONO)  # long words (digests) are split at the edge


def _outcome(outcome: Outcome) -> Paragraph:
    colour = _OUTCOME_COLOUR[outcome].hexval()[2:]
    return Paragraph(f'<font color="#{colour}"><b>{pdf_text(outcome.value)}</b></font>', _CELL)


def _with_detail(text: str, detail: str) -> list[Flowable]:
    return [_p(text), _p(detail, _SMALL)] if detail else [_p(text)]


def _fields(fields: Sequence[Field], label_width: float = 58 * mm) -> Table:
    rows = []
    styles: list[Any] = list(_GRID)
    for index, field in enumerate(fields):
        value = _mono(field.value) if field.mono else _p(field.value)
        if field.warn:
            value = Paragraph(f"<b>{pdf_text(field.value)}</b>", _CELL)
            styles.append(("TEXTCOLOR", (1, index), (1, index), FAIL))
        rows.append([_p(field.label, _LABEL), value])
    table = Table(rows, colWidths=[label_width, CONTENT_WIDTH - label_width])
    table.setStyle(TableStyle(styles))
    return table


def _headed_table(
    head: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    right: Sequence[int] = (),
) -> Table:
    header = [_p(h, _HEAD_RIGHT if i in right else _HEAD) for i, h in enumerate(head)]
    table = Table([header, *(list(r) for r in rows)], colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle(_HEADED))
    return table


def _section(title: str) -> list[Flowable]:
    return [
        Spacer(1, 5 * mm),
        _p(title, _H2),
        HRFlowable(width="100%", thickness=1.2, color=BAND, spaceBefore=1, spaceAfter=2 * mm),
    ]


def _sub(title: str) -> Flowable:
    return _p(title, _H3)


def _boxed(content: list[Flowable], border: Any, fill: Any, width: float = 1.5) -> Table:
    table = Table([[content]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), width, border),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _standing(c: Certificate) -> list[Flowable]:
    if c.passed:
        seal = Table([[_p("PASSED", _SEAL)]], colWidths=[26 * mm])
        seal.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.5, PASS),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        seal.hAlign = "LEFT"
        return [seal, Spacer(1, 3 * mm)]
    content: list[Flowable] = [_p(c.banner, _BANNER), Spacer(1, 2)]
    content += [_p(f"•  {reason}", _CELL) for reason in c.reasons]
    return [_boxed(content, FAIL, FAIL_FILL), Spacer(1, 3 * mm)]


def _signature(block: SignatureBlock, width: float) -> list[Flowable]:
    rows = [
        [_p(label, _LABEL), _p(value)]
        for label, value in (
            ("Name", block.name),
            ("Company", block.company),
            ("Department", block.department),
            ("Position", block.position),
            ("Location", block.location),
            ("Date", block.date),
        )
    ]
    inner = width - 12
    fields = Table(rows, colWidths=[24 * mm, inner - 24 * mm])
    fields.setStyle(TableStyle(_GRID))
    line = HRFlowable(width="100%", thickness=0.8, color=INK, spaceBefore=15 * mm, spaceAfter=1)
    return [_p(block.role, _H3), Spacer(1, 2), fields, line, _p("Signature", _SMALL)]


def _story(c: Certificate) -> list[Flowable]:
    story: list[Flowable] = [_p(c.title, _TITLE), _p(c.subtitle, _SUBTITLE), Spacer(1, 4 * mm)]
    story += _standing(c)
    story.append(_fields(c.header))
    story += [
        Spacer(1, 2 * mm),
        Paragraph(f"<b>Applied tests.</b> {pdf_text(c.applied_tests)}", _BODY),
    ]

    story += _section("1. Abstract of the test report")
    story.append(_fields(c.abstract))
    story += [Spacer(1, 3 * mm), _sub("Test result summary"), Spacer(1, 1 * mm)]
    story.append(
        _headed_table(
            ("Functionality", "Result", "Description"),
            [
                [_p(r.name), _outcome(r.outcome), _with_detail(r.description, r.detail)]
                for r in c.functionalities
            ],
            (52 * mm, 22 * mm, CONTENT_WIDTH - 74 * mm),
        )
    )
    security = [
        _sub("Security"),
        Spacer(1, 1 * mm),
        _headed_table(
            ("ID", "Item", "Supported", "Result"),
            [
                [_p(r.id), _with_detail(r.item, r.detail), _p(r.supported), _outcome(r.outcome)]
                for r in c.security
            ],
            (16 * mm, CONTENT_WIDTH - 58 * mm, 20 * mm, 22 * mm),
        ),
        _p(c.security_note, _SMALL),
    ]
    story += [Spacer(1, 3 * mm), KeepTogether(security)]
    questions = [
        _sub("Additional questions"),
        Spacer(1, 1 * mm),
        _headed_table(
            ("ID", "Question", "Answer"),
            [[_p(r.id), _p(r.question), _p(r.answer)] for r in c.questions],
            (16 * mm, CONTENT_WIDTH - 44 * mm, 28 * mm),
        ),
    ]
    story += [Spacer(1, 3 * mm), KeepTogether(questions)]

    perf_widths = [33 * mm, 13 * mm, 15 * mm, 15 * mm, 15 * mm, 15 * mm, 12 * mm, 13 * mm]
    perf_widths += [CONTENT_WIDTH - sum(perf_widths) - 14 * mm, 14 * mm]
    performance = [
        *_section("2. Performance measurement results"),
        _headed_table(
            (
                "Name",
                "PICS limit",
                "Min",
                "Average",
                "Max",
                "p95",
                "Count",
                "No answer",
                "Unit",
                "Result",
            ),
            [
                [
                    _with_detail(r.name, r.description),
                    _p(r.limit, _CELL_RIGHT),
                    _p(r.minimum, _CELL_RIGHT),
                    _p(r.average, _CELL_RIGHT),
                    _p(r.maximum, _CELL_RIGHT),
                    _p(r.p95, _CELL_RIGHT),
                    _p(r.count, _CELL_RIGHT),
                    _p(r.unanswered, _CELL_RIGHT),
                    _p("seconds" if r.unit == "s" else r.unit),
                    _outcome(r.outcome),
                ]
                for r in c.performance
            ],
            perf_widths,
            right=(1, 2, 3, 4, 5, 6, 7),
        ),
        _p(c.performance_note, _SMALL),
    ]
    story.append(KeepTogether(performance))
    story += _section("3. Test configuration")
    story.append(_fields(c.configuration))

    half = (CONTENT_WIDTH - 6 * mm) / 2
    blocks = Table(
        [[_signature(c.vendor, half), "", _signature(c.lab, half)]],
        colWidths=[half, 6 * mm, half],
    )
    blocks.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.6, RULE),
                ("BOX", (2, 0), (2, 0), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    approval = [
        *_section("4. Statement of approval"),
        _p(c.approval, _BODY),
        Spacer(1, 4 * mm),
        blocks,
    ]
    story.append(KeepTogether(approval))
    story += [Spacer(1, 4 * mm), _boxed(_digital_signature(c), BAND, NOTE_FILL, 0.6)]
    story += [Spacer(1, 5 * mm), HRFlowable(width="100%", thickness=0.5, color=RULE)]
    story += [_p(paragraph, _DISCLAIMER) for paragraph in c.disclaimer]
    return story


def _digital_signature(c: Certificate) -> list[Flowable]:
    signature = c.digital_signature
    if signature is None:
        return [
            Paragraph(
                "<b>Digital signature.</b> This copy is not digitally signed. A laboratory signs"
                " the result and its evidence with <font face='Courier'>octt sign</font>; anyone"
                " can then check them with <font face='Courier'>octt verify</font>.",
                _CELL,
            )
        ]
    of = f" of {pdf_text(signature.subject)}" if signature.subject else ""
    return [
        Paragraph(
            "<b>Digital signature.</b> The result and every evidence file of this run are signed"
            f" with the {pdf_text(signature.algorithm)} key{of} whose SHA-256 fingerprint is",
            _CELL,
        ),
        Paragraph(pdf_text(signature.fingerprint_grouped), _MONO),
        Paragraph(
            "Check with <font face='Courier'>octt verify &lt;report folder&gt; --public-key"
            " &lt;the laboratory's public key&gt;</font>, and compare the fingerprint with the"
            " one the laboratory publishes.",
            _CELL,
        ),
    ]


def _pdf_date(timestamp: str) -> str:
    digits = re.sub(r"\D", "", timestamp)[:14].ljust(14, "0")
    return f"D:{digits}+00'00'"


def _canvas_class(c: Certificate) -> type[Canvas]:
    """A canvas that numbers pages "x of y", draws the band, footer and watermark on each."""
    creation = _pdf_date(c.issue_timestamp)
    watermark = c.watermark
    band_right = f"{'Certificate' if c.passed else 'Document'} {c.document_reference}"
    footer_left = f"{c.tool} · run {c.run_id}"
    footer_middle = f"{c.title} · {c.document_reference}"

    class _Canvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: creation)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            if watermark:
                self.setFillColor(colors.Color(0.70, 0.15, 0.12, alpha=0.09))
                self.setFont("Helvetica-Bold", 70)
                self.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
                self.rotate(35)
                self.drawCentredString(0, -20, watermark)
                self.rotate(-35)
                self.translate(-PAGE_WIDTH / 2, -PAGE_HEIGHT / 2)
            self.setFillColor(BAND)
            self.rect(0, PAGE_HEIGHT - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
            self.setFillColor(colors.white)
            self.setFont("Helvetica-Bold", 15)
            self.drawString(MARGIN, PAGE_HEIGHT - BAND_HEIGHT + 5 * mm, "OCTT")
            self.setFont("Helvetica", 8.5)
            self.drawRightString(
                PAGE_WIDTH - MARGIN, PAGE_HEIGHT - BAND_HEIGHT + 7.5 * mm, _plain(band_right)
            )
            self.drawRightString(
                PAGE_WIDTH - MARGIN, PAGE_HEIGHT - BAND_HEIGHT + 3.5 * mm, c.issue_date
            )
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, 12 * mm, PAGE_WIDTH - MARGIN, 12 * mm)
            self.setFillColor(MUTED)
            self.setFont("Helvetica", 7.5)
            left, middle = _plain(footer_left), _plain(footer_middle)
            page = f"Page {number} of {total}"
            self.drawString(MARGIN, 8 * mm, left)
            # A long title (a partial self-test's) would run into the sides: a line of its own.
            half = self.stringWidth(middle, "Helvetica", 7.5) / 2 + 2 * mm
            side = max(self.stringWidth(t, "Helvetica", 7.5) for t in (left, page))
            fits = PAGE_WIDTH / 2 - MARGIN - side >= half
            self.drawCentredString(PAGE_WIDTH / 2, (8 if fits else 4.5) * mm, middle)
            self.drawRightString(PAGE_WIDTH - MARGIN, 8 * mm, page)
            self.restoreState()

    return _Canvas


def _plain(text: str) -> str:
    """Text for the canvas (no markup): the same character mapping as `pdf_text`."""
    return pdf_text(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_certificate_pdf(c: Certificate) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=BAND_HEIGHT + 8 * mm,
        bottomMargin=18 * mm,
        title=_plain(f"{c.title} — {c.document_reference}"),
        author=_plain(c.lab.company or c.tool),
        subject=_plain(c.subtitle),
        creator=_plain(c.tool),
        producer=_plain(c.tool),
        keywords=["OCPP 1.6-J", "CSMS", _plain(f"run {c.run_id}")],
        invariant=1,
    )
    document.build(_story(c), canvasmaker=_canvas_class(c))
    return buffer.getvalue()


def write_certificate_pdf(path: Path, certificate: Certificate) -> None:
    path.write_bytes(render_certificate_pdf(certificate))
