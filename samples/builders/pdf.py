"""A tiny layer over reportlab for the sample documents: deterministic bytes (invariant mode),
one font, lines and label/value rows, so each builder reads like the document it makes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas


@dataclass
class Page:
    lines: list[tuple[str, int, bool]] = field(default_factory=list)  # text, size, bold

    def title(self, text: str, size: int = 14) -> Page:
        self.lines.append((text, size, True))
        return self

    def text(self, text: str, size: int = 10) -> Page:
        self.lines.append((text, size, False))
        return self

    def row(self, label: str, value: str, size: int = 10) -> Page:
        self.lines.append((f"{label}: {value}", size, False))
        return self

    def blank(self) -> Page:
        self.lines.append(("", 6, False))
        return self


def render(pages: list[Page], title: str = "documento") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    pdf.setTitle(title)
    width, height = LETTER
    for page in pages:
        y = height - 60
        for text, size, bold in page.lines:
            pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            pdf.drawString(50, y, text)
            y -= size + 6
            if y < 50:
                pdf.showPage()
                y = height - 60
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
