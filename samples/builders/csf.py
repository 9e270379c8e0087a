"""Sample Constancia de Situación Fiscal PDFs laid out like SAT's printout.

The real CSF is two or three pages: a "CÉDULA DE IDENTIFICACIÓN FISCAL" box with the QR that
opens SAT's validation page for idCIF + RFC, the place and date of issue, a barcode of the RFC,
then the taxpayer's identification data, registered address, economic activities, regimes and
obligations, and the digital seal. Tests need the same text in the same reading order as a real
one, so that the extractor is exercised on what pypdfium2 gives for the real thing.

Also home of the small drawing helpers the other sample builders share (deterministic canvas,
vector QR, Spanish dates)."""

from __future__ import annotations

import hashlib
import io
from base64 import b64encode
from collections.abc import Iterable, Sequence
from datetime import date

import qrcode
from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

SAT_QR_URL = "https://siat.sat.gob.mx/app/qr/faces/pages/mobile/validadorqr.jsf?D1=10&D2=1&D3={id_cif}_{rfc}"
MONTHS_ES = (
    "ENERO",
    "FEBRERO",
    "MARZO",
    "ABRIL",
    "MAYO",
    "JUNIO",
    "JULIO",
    "AGOSTO",
    "SEPTIEMBRE",
    "OCTUBRE",
    "NOVIEMBRE",
    "DICIEMBRE",
)
MONTHS_ES_SHORT = ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC")
OMITTABLE = frozenset({"rfc", "curp", "name", "postal_code", "regimes", "status", "issued_on", "id_cif"})
DEFAULT_REGIMES = {
    "fisica": ("Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios",),
    "moral": ("Régimen General de Ley Personas Morales",),
}
_RFC_CHARS = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
_WIDTH, _HEIGHT = letter


# --- shared helpers ----------------------------------------------------------------------------


def new_canvas(buffer: io.BytesIO, title: str, author: str) -> Canvas:
    """A letter-size canvas whose bytes depend only on what is drawn (invariant=1 fixes the
    creation date and the document id)."""
    canvas = Canvas(buffer, pagesize=letter, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("claim-intake samples")
    canvas.setProducer("claim-intake samples")
    return canvas


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A real, scannable QR code of `data`, drawn as vector squares so that no image encoder
    can make the bytes vary."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        col = 0
        while col < len(row):  # one rectangle per horizontal run of dark modules
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            canvas.rect(x + start * module, top, (col - start) * module, module, stroke=0, fill=1)
    canvas.restoreState()


def long_date_es(value: date) -> str:
    """'15 DE NOVIEMBRE DE 2026', as SAT prints dates."""
    return f"{value.day:02d} DE {MONTHS_ES[value.month - 1]} DE {value.year}"


def numeric_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def make_rfc(base: str) -> str:
    """Complete an RFC without its check digit (11 characters for a persona moral, 12 for a
    persona física) with SAT's check digit, so tests can make RFCs that verify."""
    base = base.upper()
    if len(base) not in (11, 12):
        raise ValueError("an RFC without its check digit has 11 or 12 characters")
    padded = base.rjust(12)
    total = sum(_RFC_CHARS.index(c) * (13 - i) for i, c in enumerate(padded))
    digit = (11 - total % 11) % 11
    return base + ("A" if digit == 10 else str(digit))


# --- the certificate ---------------------------------------------------------------------------


def build_csf(
    *,
    rfc: str,
    name: str,
    issued_on: date,
    postal_code: str = "06600",
    regimes: Sequence[str] | None = None,
    status: str = "ACTIVO",
    id_cif: str = "19010123456",
    curp: str | None = None,
    persona: str = "fisica",
    place: str = "CUAUHTEMOC , CIUDAD DE MEXICO",
    omit: Iterable[str] = frozenset(),
) -> bytes:
    """The PDF bytes of a CSF. `omit` names CsfExtraction fields to leave out everywhere they
    would be printed (for CSF-005). `regimes` defaults to the usual one for the persona."""
    omit = frozenset(omit)
    if unknown := omit - OMITTABLE:
        raise ValueError(f"cannot omit {sorted(unknown)}; choose from {sorted(OMITTABLE)}")
    if persona not in DEFAULT_REGIMES:
        raise ValueError("persona is 'fisica' or 'moral'")
    regimes = tuple(DEFAULT_REGIMES[persona] if regimes is None else regimes)
    doc = _Csf(rfc.upper(), name.upper(), issued_on, postal_code, regimes, status, id_cif, curp, persona, place, omit)
    return doc.render()


class _Csf:
    def __init__(self, rfc, name, issued_on, postal_code, regimes, status, id_cif, curp, persona, place, omit):
        self.rfc, self.name, self.issued_on = rfc, name, issued_on
        self.postal_code, self.regimes, self.status = postal_code, regimes, status
        self.id_cif, self.curp, self.persona, self.place = id_cif, curp, persona, place
        self.omit = omit
        self.started = date(issued_on.year - 11, 1, 1)

    def shown(self, field: str) -> bool:
        return field not in self.omit

    def render(self) -> bytes:
        buffer = io.BytesIO()
        canvas = new_canvas(buffer, "Constancia de Situación Fiscal", "SAT")
        self._page_one(canvas)
        self._footer(canvas, 1)
        canvas.showPage()
        self._page_two(canvas)
        self._footer(canvas, 2)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    # page 1: the cédula, place and date, identification and address
    def _page_one(self, c: Canvas) -> None:
        c.setFillColorRGB(0.38, 0.07, 0.17)  # SAT's guinda
        c.setFont("Helvetica-Bold", 15)
        c.drawString(40, 750, "HACIENDA")
        c.setFont("Helvetica", 6)
        c.drawString(40, 741, "SECRETARÍA DE HACIENDA Y CRÉDITO PÚBLICO")
        c.setFont("Helvetica-Bold", 15)
        c.drawString(200, 750, "SAT")
        c.setFont("Helvetica", 6)
        c.drawString(200, 741, "SERVICIO DE ADMINISTRACIÓN TRIBUTARIA")
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica-Bold", 11)
        c.drawRightString(572, 746, "CONSTANCIA DE SITUACIÓN FISCAL")

        # the cédula box
        c.setStrokeColorRGB(0.6, 0.6, 0.6)
        c.roundRect(40, 560, 300, 165, 8, stroke=1, fill=0)
        c.setFont("Helvetica-Bold", 9)
        c.drawCentredString(190, 710, "CÉDULA DE IDENTIFICACIÓN FISCAL")
        if self.shown("rfc") and self.shown("id_cif"):
            draw_qr(c, SAT_QR_URL.format(id_cif=self.id_cif, rfc=self.rfc), 50, 575, 110)
        c.setFont("Helvetica-Bold", 9)
        if self.shown("rfc"):
            c.drawString(172, 680, self.rfc)
        c.setFont("Helvetica", 6.5)
        c.drawString(172, 671, "Registro Federal de Contribuyentes")
        c.setFont("Helvetica-Bold", 8)
        if self.shown("name"):
            for i, line in enumerate(_wrap(self.name, 34)):
                c.drawString(172, 650 - 10 * i, line)
        c.setFont("Helvetica", 6.5)
        c.drawString(172, 622, "Nombre, denominación o razón social")
        c.setFont("Helvetica-Bold", 8)
        if self.shown("id_cif"):
            c.drawString(172, 600, f"idCIF: {self.id_cif}")
        c.setFont("Helvetica-Bold", 7)
        c.drawString(172, 580, "VALIDA TU INFORMACIÓN FISCAL")

        # place and date of issue, and the RFC's barcode
        c.setFont("Helvetica-Bold", 8)
        c.drawString(352, 700, "Lugar y Fecha de Emisión")
        c.setFont("Helvetica", 7)
        if self.shown("issued_on"):
            c.drawString(352, 688, f"{self.place} A {long_date_es(self.issued_on)}")
        if self.shown("rfc"):
            code128.Code128(self.rfc, barHeight=28, barWidth=0.9, humanReadable=False).drawOn(c, 372, 610)
            c.setFont("Helvetica-Bold", 9)
            c.drawCentredString(460, 598, self.rfc)

        y = self._section(c, 535, "Datos de Identificación del Contribuyente:")
        y = self._rows(c, y, self._identification())
        y = self._section(c, y - 14, "Datos del domicilio registrado")
        self._pairs(c, y, self._address())

    def _identification(self) -> list[tuple[str, str | None]]:
        rows: list[tuple[str, str | None]] = []
        if self.shown("rfc"):
            rows.append(("RFC:", self.rfc))
        if self.persona == "fisica":
            if self.shown("curp"):
                rows.append(("CURP:", self.curp or ""))
            if self.shown("name"):
                given, first, second = _split_name(self.name)
                rows += [("Nombre (s):", given), ("Primer Apellido:", first), ("Segundo Apellido:", second)]
            rows.append(("Fecha inicio de operaciones:", long_date_es(self.started)))
        else:
            if self.shown("name"):
                rows.append(("Denominación/Razón Social:", self.name))
            rows.append(("Régimen Capital:", "SOCIEDAD ANONIMA DE CAPITAL VARIABLE"))
            rows.append(("Fecha inicio de operaciones:", long_date_es(self.started)))
        if self.shown("status"):
            rows.append(("Estatus en el padrón:", self.status))
        rows.append(("Fecha de último cambio de estado:", long_date_es(self.started)))
        rows.append(("Nombre Comercial:", ""))
        return rows

    def _address(self) -> list[tuple[str, str]]:
        municipality, _, state = (part.strip() for part in self.place.partition(","))
        cells = []
        if self.shown("postal_code"):
            cells.append(("Código Postal:", self.postal_code))
        cells += [
            ("Tipo de Vialidad:", "CALLE"),
            ("Nombre de Vialidad:", "COLIMA"),
            ("Número Exterior:", "180"),
            ("Número Interior:", ""),
            ("Nombre de la Colonia:", "ROMA NORTE"),
            ("Nombre de la Localidad:", municipality),
            ("Nombre del Municipio o Demarcación Territorial:", municipality),
            ("Nombre de la Entidad Federativa:", state or "CIUDAD DE MEXICO"),
            ("Entre Calle:", "MERIDA"),
            ("Y Calle:", "CORDOBA"),
        ]
        return cells

    # page 2: activities, regimes, obligations and the seal
    def _page_two(self, c: Canvas) -> None:
        y = self._section(c, 740, "Actividades Económicas:")
        y = self._table(
            c,
            y,
            ("Orden", "Actividad Económica", "Porcentaje", "Fecha Inicio", "Fecha Fin"),
            (40, 80, 380, 450, 510),
            [self._activity()],
        )
        y = self._section(c, y - 14, "Regímenes:")
        rows = (
            [] if not self.shown("regimes") else [(regime, numeric_date(self.started), "") for regime in self.regimes]
        )
        y = self._table(c, y, ("Régimen", "Fecha Inicio", "Fecha Fin"), (40, 450, 510), rows)
        y = self._section(c, y - 14, "Obligaciones:")
        y = self._table(
            c,
            y,
            ("Descripción de la Obligación", "Descripción Vencimiento", "Fecha Inicio", "Fecha Fin"),
            (40, 250, 450, 510),
            self._obligations(),
        )
        c.setFont("Helvetica", 6.5)
        notice = (
            "Sus datos personales son incorporados y protegidos en los sistemas del SAT, de conformidad con "
            "los Lineamientos de Protección de Datos Personales y con diversas disposiciones fiscales y "
            "legales sobre confidencialidad y protección de datos, a fin de ejercer las facultades "
            "conferidas a la autoridad fiscal."
        )
        y -= 18
        for line in _wrap(notice, 150):
            c.drawString(40, y, line)
            y -= 9
        stamp = self.issued_on.strftime("%Y/%m/%d")
        rfc = self.rfc if self.shown("rfc") else ""
        chain = f"||{stamp}|{rfc}|CONSTANCIA DE SITUACIÓN FISCAL|{self.id_cif}00000000000000||"
        seal = b64encode(hashlib.sha512(chain.encode()).digest() * 3).decode()
        y -= 8
        c.setFont("Helvetica-Bold", 7)
        c.drawString(40, y, "Cadena Original Sello:")
        c.setFont("Helvetica", 6.5)
        c.drawString(125, y, chain)
        y -= 12
        c.setFont("Helvetica-Bold", 7)
        c.drawString(40, y, "Sello Digital:")
        c.setFont("Helvetica", 6.5)
        for line in _chunks(seal, 120):
            c.drawString(125, y, line)
            y -= 9

    def _activity(self) -> tuple[str, ...]:
        activity = "Asalariado" if self.persona == "fisica" else "Otros servicios relacionados con la salud"
        return ("1", activity, "100", numeric_date(self.started), "")

    def _obligations(self) -> list[tuple[str, ...]]:
        start = numeric_date(self.started)
        if self.persona == "moral":
            return [
                (
                    "Declaración anual de ISR. Personas Morales.",
                    "A más tardar el 31 de marzo del ejercicio siguiente.",
                    start,
                    "",
                ),
                ("Pago definitivo mensual de IVA.", "A más tardar el día 17 del mes inmediato posterior.", start, ""),
            ]
        return [("Declaración anual de ISR. Personas Físicas.", "Conforme a la Ley del ISR.", start, "")]

    # drawing primitives
    def _section(self, c: Canvas, y: float, title: str) -> float:
        c.setFillColorRGB(0.85, 0.85, 0.85)
        c.rect(40, y - 4, 532, 14, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica-Bold", 8.5)
        c.drawString(44, y, title)
        return y - 18

    def _rows(self, c: Canvas, y: float, rows: list[tuple[str, str | None]]) -> float:
        for label, value in rows:
            c.setFont("Helvetica-Bold", 8)
            c.drawString(44, y, label)
            c.setFont("Helvetica", 8)
            if value:
                c.drawString(230, y, value)
            y -= 13
        return y

    def _pairs(self, c: Canvas, y: float, cells: list[tuple[str, str]]) -> float:
        for index in range(0, len(cells), 2):
            for column, (label, value) in enumerate(cells[index : index + 2]):
                x = 44 + column * 266
                c.setFont("Helvetica-Bold", 7.5)
                c.drawString(x, y, label)
                c.setFont("Helvetica", 7.5)
                if value:
                    c.drawString(x + c.stringWidth(label, "Helvetica-Bold", 7.5) + 3, y, value)
            y -= 13
        return y

    def _table(
        self, c: Canvas, y: float, header: Sequence[str], xs: Sequence[float], rows: list[Sequence[str]]
    ) -> float:
        c.setFont("Helvetica-Bold", 7.5)
        for x, text in zip(xs, header, strict=True):
            c.drawString(x + 4, y, text)
        c.setStrokeColorRGB(0.7, 0.7, 0.7)
        c.line(40, y - 3, 572, y - 3)
        y -= 13
        c.setFont("Helvetica", 7.5)
        for row in rows:
            for x, text in zip(xs, row, strict=True):
                if text:
                    c.drawString(x + 4, y, text)
            y -= 12
        return y

    def _footer(self, c: Canvas, page: int) -> None:
        c.setFont("Helvetica", 6.5)
        c.drawString(40, 40, "Contacto")
        c.drawString(40, 32, "Av. Hidalgo 77, col. Guerrero, C.P. 06300, Ciudad de México.")
        c.drawString(40, 24, "Atención telefónica desde cualquier parte del país: MarcaSAT 55 627 22 728")
        c.drawRightString(572, 24, f"Página [{page}] de [2]")


def _split_name(full: str) -> tuple[str, str, str]:
    """Nombre(s), primer and segundo apellido: the last two words are the surnames. The extractor
    joins them back with single spaces, so the split never changes the name it reads."""
    words = full.split()
    if len(words) >= 3:
        return " ".join(words[:-2]), words[-2], words[-1]
    if len(words) == 2:
        return words[0], words[1], ""
    return full, "", ""


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return lines + ([current] if current else [])


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
