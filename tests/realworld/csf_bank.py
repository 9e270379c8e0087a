"""Constancias de Situación Fiscal and bank statements in layouts that are not the samples'.

Every layout here is drawn from scratch with reportlab, modelled on what SAT's several vintages,
other generators and Mexican banks print: labels worded and punctuated differently, values in the
cell to the right or on the next line, tables drawn column by column (so the text layer's reading
order puts all labels before all values), dates in every form, periods as ranges or as a month plus
a cut-off date, postal codes inside an address line, regimes printed with their code. The
samples' builders are not used for any layout; only their helpers for a check digit, a vector QR
and pixel degradation (tools, not layouts).

Expected values are what a claims clerk reads from the page; the accuracy test compares them with
the extraction after folding case, accents and spacing."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from clabe import compute_control_digit
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen.canvas import Canvas

from samples.builders.csf import draw_qr, make_rfc
from samples.builders.scan import Degradation, scanned_jpeg, scanned_pdf

from .cases import Case

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
ABBR = ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC")
_CURP_CHARS = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def make_curp(base17: str) -> str:
    """A CURP whose check digit verifies (RENAPO's weighted sum over the first 17 characters)."""
    total = sum(_CURP_CHARS.index(c) * (18 - i) for i, c in enumerate(base17))
    return base17 + str((10 - total % 10) % 10)


def make_clabe(bank: str, plaza: str, account: str) -> str:
    body = bank + plaza + account.zfill(11)
    return body + compute_control_digit(body)


def long_es(value: date, upper: bool = True) -> str:
    text = f"{value.day:02d} de {MONTHS[value.month - 1]} de {value.year}"
    return text.upper() if upper else text


def dmy(value: date, sep: str = "/") -> str:
    return f"{value.day:02d}{sep}{value.month:02d}{sep}{value.year}"


def d_mon_y(value: date, sep: str = "-", case: str = "upper") -> str:
    mon = ABBR[value.month - 1]
    mon = mon.capitalize() if case == "title" else mon.lower() if case == "lower" else mon
    return f"{value.day:02d}{sep}{mon}{sep}{value.year}"


def grouped(number: str, size: int = 4, sep: str = " ") -> str:
    return sep.join(number[i : i + size] for i in range(0, len(number), size))


# --- drawing ------------------------------------------------------------------------------------


class Doc:
    """A deterministic canvas with the few drawing verbs the layouts use."""

    def __init__(self, size=letter, producer: str = "iText 7.1"):
        self.buffer = io.BytesIO()
        self.c = Canvas(self.buffer, pagesize=size, invariant=1, pageCompression=1)
        self.c.setProducer(producer)
        self.c.setCreator(producer)
        self.width, self.height = size

    def text(self, x, y, value, size=9, bold=False, font=None, right=False, center=False, gray=0.0):
        self.c.setFillGray(gray)
        self.c.setFont(font or ("Helvetica-Bold" if bold else "Helvetica"), size)
        if right:
            self.c.drawRightString(x, y, value)
        elif center:
            self.c.drawCentredString(x, y, value)
        else:
            self.c.drawString(x, y, value)
        self.c.setFillGray(0)

    def line(self, x1, y1, x2, y2, width=0.5, gray=0.0):
        self.c.setStrokeGray(gray)
        self.c.setLineWidth(width)
        self.c.line(x1, y1, x2, y2)

    def box(self, x, y, w, h, fill=None, stroke=True):
        if fill is not None:
            self.c.setFillGray(fill)
        self.c.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if fill is not None else 0)
        self.c.setFillGray(0)

    def band(self, x, y, w, h, rgb):
        self.c.setFillColorRGB(*rgb)
        self.c.rect(x, y, w, h, stroke=0, fill=1)
        self.c.setFillGray(0)

    def page(self):
        self.c.showPage()

    def bytes(self) -> bytes:
        self.c.save()
        return self.buffer.getvalue()


# --- Constancias de Situación Fiscal ---------------------------------------------------------------


@dataclass(frozen=True)
class Taxpayer:
    rfc: str
    name: str
    given: str = ""
    first: str = ""
    second: str = ""
    curp: str | None = None
    postal_code: str = "06700"
    street: str = "COLIMA"
    number: str = "180"
    colonia: str = "ROMA NORTE"
    municipio: str = "CUAUHTÉMOC"
    estado: str = "CIUDAD DE MÉXICO"
    regimes: tuple[tuple[str, str], ...] = ()  # (code, description)
    status: str = "ACTIVO"
    issued_on: date = date(2025, 11, 3)
    id_cif: str = "25010123456"
    moral: bool = False

    def expected(self, with_id_cif: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "rfc": self.rfc,
            "name": self.name,
            "postal_code": self.postal_code,
            "regime_codes": sorted(code for code, _ in self.regimes),
            "status": self.status,
            "issued_on": self.issued_on.isoformat(),
        }
        if self.curp:
            out["curp"] = self.curp
        if with_id_cif:
            out["id_cif"] = self.id_cif
        return out


MARIA = Taxpayer(
    rfc=make_rfc("LOGM850312QX"),
    name="MARÍA FERNANDA LÓPEZ GARCÍA",
    given="MARÍA FERNANDA",
    first="LÓPEZ",
    second="GARCÍA",
    curp=make_curp("LOGM850312MDFPRR0"),
    regimes=(
        ("605", "Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios"),
        ("612", "Régimen de las Personas Físicas con Actividades Empresariales y Profesionales"),
    ),
)
JOSE = Taxpayer(
    rfc=make_rfc("NURJ790825H4"),
    name="JOSÉ ANTONIO NÚÑEZ RAMÍREZ",
    given="JOSÉ ANTONIO",
    first="NÚÑEZ",
    second="RAMÍREZ",
    curp=make_curp("NURJ790825HJCXMS0"),
    postal_code="44160",
    street="AV. CHAPULTEPEC",
    number="480",
    colonia="AMERICANA",
    municipio="GUADALAJARA",
    estado="JALISCO",
    regimes=(("621", "Régimen de Incorporación Fiscal"),),
    status="REACTIVADO",
    issued_on=date(2025, 10, 21),
    id_cif="19040056789",
)
ANA = Taxpayer(
    rfc=make_rfc("TEGA920214LK"),
    name="ANA SOFÍA TREVIÑO DE LA GARZA",
    given="ANA SOFÍA",
    first="TREVIÑO",
    second="DE LA GARZA",
    curp=make_curp("TEGA920214MNLRRN0"),
    postal_code="64060",
    street="AV. CONSTITUCIÓN",
    number="2050 PTE",
    colonia="OBISPADO",
    municipio="MONTERREY",
    estado="NUEVO LEÓN",
    regimes=(("626", "Régimen Simplificado de Confianza"),),
    issued_on=date(2025, 10, 28),
    id_cif="23030098765",
)
COMERCIAL = Taxpayer(
    rfc=make_rfc("CBA120315RT"),
    name="COMERCIALIZADORA DEL BAJÍO, S.A. DE C.V.",
    postal_code="37160",
    street="BLVD. ADOLFO LÓPEZ MATEOS",
    number="1520",
    colonia="JARDINES DEL MORAL",
    municipio="LEÓN",
    estado="GUANAJUATO",
    regimes=(("601", "General de Ley Personas Morales"),),
    issued_on=date(2025, 11, 5),
    id_cif="12090034567",
    moral=True,
)
LUIS = Taxpayer(
    rfc=make_rfc("PEOL880707S2"),
    name="LUIS ENRIQUE PEÑA OCHOA",
    given="LUIS ENRIQUE",
    first="PEÑA",
    second="OCHOA",
    curp=make_curp("PEOL880707HPLXCS0"),
    postal_code="72000",
    street="CALLE 5 DE MAYO",
    number="14 INT 3",
    colonia="CENTRO",
    municipio="PUEBLA",
    estado="PUEBLA",
    regimes=(
        ("605", "Sueldos y Salarios e Ingresos Asimilados a Salarios"),
        ("606", "Arrendamiento"),
        ("626", "Régimen Simplificado de Confianza"),
    ),
    issued_on=date(2025, 11, 1),
    id_cif="21070011223",
)


def _qr(doc: Doc, t: Taxpayer, x: float, y: float, size: float) -> None:
    url = f"https://siat.sat.gob.mx/app/qr/faces/pages/mobile/validadorqr.jsf?D1=10&D2=1&D3={t.id_cif}_{t.rfc}"
    draw_qr(doc.c, url, x, y, size)


def csf_sat_current(t: Taxpayer) -> bytes:
    """SAT's current printout: cédula box with QR, issue place and date beside it; data tables
    with label and value cells on one row, two pairs a row in the address table."""
    doc = Doc(producer="SAT - Servicio de Administración Tributaria")
    d, top = doc, doc.height - 50
    d.text(50, top, "SHCP", 14, bold=True, gray=0.35)
    d.text(330, top, "CONSTANCIA DE SITUACIÓN FISCAL", 12, bold=True)
    d.box(45, top - 200, 250, 180)
    d.text(55, top - 35, "CÉDULA DE IDENTIFICACIÓN FISCAL", 10, bold=True)
    _qr(d, t, 60, top - 150, 90)
    d.text(160, top - 70, t.rfc, 9, bold=True)
    d.text(160, top - 80, "Registro Federal de Contribuyentes", 6)
    for i, part in enumerate(_wrap(t.name, 24)):
        d.text(160, top - 100 - 9 * i, part, 8, bold=True)
    d.text(160, top - 130, "Nombre, denominación o razón social", 6)
    d.text(60, top - 170, f"idCIF: {t.id_cif}", 9, bold=True)
    d.text(60, top - 185, "VALIDA TU INFORMACIÓN FISCAL", 7)
    d.text(320, top - 60, "Lugar y Fecha de Emisión", 9, bold=True)
    d.text(320, top - 75, f"{t.municipio} , {t.estado}", 8)
    d.text(320, top - 86, f"A {long_es(t.issued_on)}", 8)
    y = top - 235
    d.band(45, y - 4, 520, 16, (0.85, 0.85, 0.85))
    d.text(50, y, "Datos de Identificación del Contribuyente:", 9, bold=True)
    rows = [("RFC:", t.rfc)]
    if t.moral:
        rows += [("Denominación/Razón Social:", t.name), ("Régimen Capital:", "SOCIEDAD ANONIMA DE CAPITAL VARIABLE")]
    else:
        rows += [
            ("CURP:", t.curp or ""),
            ("Nombre (s):", t.given),
            ("Primer Apellido:", t.first),
            ("Segundo Apellido:", t.second),
        ]
    rows += [
        ("Fecha inicio de operaciones:", "01 DE MARZO DE 2012"),
        ("Estatus en el padrón:", t.status),
        ("Fecha de último cambio de estado:", "01 DE MARZO DE 2012"),
        ("Nombre Comercial:", ""),
    ]
    for label, value in rows:
        y -= 16
        d.line(45, y - 4, 565, y - 4, 0.3, 0.6)
        d.text(50, y, label, 8, bold=True)
        d.text(260, y, value, 8)
    y -= 30
    d.band(45, y - 4, 520, 16, (0.85, 0.85, 0.85))
    d.text(50, y, "Datos del domicilio registrado", 9, bold=True)
    pairs = [
        ("Código Postal:", t.postal_code, "Tipo de Vialidad:", "CALLE"),
        ("Nombre de Vialidad:", t.street, "Número Exterior:", t.number),
        ("Número Interior:", "", "Nombre de la Colonia:", t.colonia),
        ("Nombre de la Localidad:", t.municipio, "Nombre del Municipio o Demarcación Territorial:", t.municipio),
        ("Nombre de la Entidad Federativa:", t.estado, "Entre Calle:", ""),
    ]
    for l1, v1, l2, v2 in pairs:
        y -= 16
        d.text(50, y, l1, 7, bold=True)
        d.text(50 + 6 * len(l1) * 0.62, y, v1, 7)
        d.text(310, y, l2, 7, bold=True)
        d.text(310 + 6 * len(l2) * 0.62, y, v2, 7)
    d.page()
    y = doc.height - 60
    d.text(50, y, "Actividades Económicas:", 9, bold=True)
    y -= 14
    d.text(50, y, "Orden  Actividad Económica  Porcentaje  Fecha Inicio  Fecha Fin", 7, bold=True)
    y -= 12
    d.text(50, y, "1  Asalariado  100  01/03/2012", 7)
    y -= 30
    d.text(50, y, "Regímenes:", 9, bold=True)
    y -= 14
    d.text(50, y, "Régimen", 8, bold=True)
    d.text(400, y, "Fecha Inicio", 8, bold=True)
    d.text(480, y, "Fecha Fin", 8, bold=True)
    for _, description in t.regimes:
        y -= 13
        d.text(50, y, description, 8)
        d.text(400, y, "01/03/2012", 8)
    y -= 30
    d.text(50, y, "Obligaciones:", 9, bold=True)
    y -= 14
    d.text(50, y, "Descripción de la Obligación  Descripción Vencimiento  Fecha Inicio  Fecha Fin", 7, bold=True)
    y -= 40
    d.text(50, y, "Cadena Original Sello:", 8, bold=True)
    d.text(50, y - 10, f"||{t.issued_on:%Y/%m/%d}|{t.rfc}|CONSTANCIA DE SITUACIÓN FISCAL|{t.id_cif}||", 6)
    return d.bytes()


def csf_sat_2019(t: Taxpayer) -> bytes:
    """An older vintage: "Constancia" title first, labels without colons in one column and values
    in another, the issue date numeric on its own labelled line, the status as "Situación"."""
    d = Doc(size=letter, producer="Acrobat Distiller 10.0")
    top = d.height - 60
    d.text(d.width / 2, top, "CONSTANCIA DE SITUACIÓN FISCAL", 13, bold=True, center=True)
    d.text(d.width / 2, top - 16, "SERVICIO DE ADMINISTRACIÓN TRIBUTARIA", 9, center=True)
    d.text(60, top - 50, "CÉDULA DE IDENTIFICACIÓN FISCAL", 9, bold=True)
    d.text(60, top - 64, f"ID CIF {t.id_cif}", 9)
    d.text(60, top - 90, "Lugar de Emisión", 8, bold=True)
    d.text(180, top - 90, f"{t.municipio}, {t.estado}", 8)
    d.text(60, top - 104, "Fecha de Emisión", 8, bold=True)
    d.text(180, top - 104, dmy(t.issued_on), 8)
    y = top - 140
    d.text(60, y, "DATOS DE IDENTIFICACIÓN DEL CONTRIBUYENTE", 9, bold=True)
    rows = [
        ("R.F.C.", t.rfc),
        ("C.U.R.P.", t.curp or ""),
        ("Nombre(s)", t.given),
        ("Apellido Paterno", t.first),
        ("Apellido Materno", t.second),
        ("Situación del contribuyente", t.status),
    ]
    for label, value in rows:
        y -= 15
        d.text(60, y, label, 8)
        d.text(230, y, value, 8, bold=True)
    y -= 30
    d.text(60, y, "DOMICILIO FISCAL", 9, bold=True)
    for label, value in (
        ("Calle", t.street),
        ("No. Exterior", t.number),
        ("Colonia", t.colonia),
        ("C.P.", t.postal_code),
        ("Municipio o Delegación", t.municipio),
        ("Entidad Federativa", t.estado),
    ):
        y -= 15
        d.text(60, y, label, 8)
        d.text(230, y, value, 8, bold=True)
    y -= 30
    d.text(60, y, "RÉGIMEN(ES) FISCAL(ES)", 9, bold=True)
    y -= 14
    d.text(60, y, "Descripción", 8, bold=True)
    d.text(420, y, "Fecha de alta", 8, bold=True)
    for _, description in t.regimes:
        y -= 13
        d.text(60, y, description.upper(), 8)
        d.text(420, y, "15-ENE-2014", 8)
    y -= 30
    d.text(60, y, "OBLIGACIONES FISCALES", 9, bold=True)
    d.text(60, y - 14, "Declaración anual de ISR. Personas Físicas.", 8)
    return d.bytes()


def csf_reprint(t: Taxpayer) -> bytes:
    """A reprint from another generator (accounting software's "consulta"): mixed case, labels
    drawn as one column and values as another afterwards (text-layer order loses the pairing),
    ISO issue date, regimes with code in a list."""
    d = Doc(size=A4, producer="Microsoft: Print To PDF")
    top = d.height - 60
    d.band(0, d.height - 40, d.width, 40, (0.1, 0.3, 0.2))
    d.text(40, d.height - 26, "Consulta de Constancia de Situación Fiscal", 13, bold=True, gray=1.0)
    labels = [
        "R.F.C.:",
        "CURP:" if t.curp else "Tipo de persona:",
        "Nombre / Razón social:",
        "Situación en el padrón:",
        "Código postal:",
        "Id. CIF:",
        "Fecha de emisión:",
    ]
    values = [
        t.rfc,
        t.curp or ("Moral" if t.moral else "Física"),
        _title(t.name),
        t.status.capitalize(),
        t.postal_code,
        t.id_cif,
        t.issued_on.isoformat(),
    ]
    y0 = top - 40
    for i, label in enumerate(labels):  # the label column first ...
        d.text(50, y0 - 18 * i, label, 9, bold=True)
    for i, value in enumerate(values):  # ... then the value column
        d.text(220, y0 - 18 * i, value, 9)
    y = y0 - 18 * len(labels) - 30
    d.text(50, y, "Regímenes fiscales vigentes", 10, bold=True)
    for code, description in t.regimes:
        y -= 16
        d.text(60, y, f"• {code} - {description}", 9)
    y -= 30
    d.text(50, y, "Domicilio", 10, bold=True)
    d.text(60, y - 16, f"{_title(t.street)} {t.number}, Col. {_title(t.colonia)}", 9)
    d.text(60, y - 30, f"{_title(t.municipio)}, {_title(t.estado)}", 9)
    d.text(50, 40, "Documento generado a partir de la Constancia de Situación Fiscal emitida por el SAT.", 7, gray=0.4)
    return d.bytes()


def csf_codes_address(t: Taxpayer) -> bytes:
    """Regimes printed with their code, the postal code inside the one-line address, the issue
    date as "Emitida el 26-OCT-2025", labels in capitals with varied punctuation."""
    d = Doc(size=letter, producer="PDFsharp 1.50")
    top = d.height - 55
    d.text(50, top, "CONSTANCIA DE SITUACION FISCAL", 14, bold=True)
    d.text(50, top - 16, "Cédula de Identificación Fiscal", 9, gray=0.3)
    _qr(d, t, d.width - 140, top - 85, 80)
    d.text(50, top - 45, f"EMITIDA EL {d_mon_y(t.issued_on)} EN {t.municipio}, {t.estado}", 8)
    d.text(50, top - 58, f"IDCIF {t.id_cif}", 8, bold=True)
    y = top - 110
    name_label = "DENOMINACION O RAZON SOCIAL" if t.moral else "NOMBRE DEL CONTRIBUYENTE"
    rows = (
        [("RFC", t.rfc)]
        + ([] if t.moral else [("CURP", t.curp or "")])
        + [
            (name_label, t.name),
            ("ESTATUS", t.status),
            (
                "DOMICILIO FISCAL",
                f"{t.street} {t.number}, COL. {t.colonia}, {t.municipio}, {t.estado}, C.P. {t.postal_code}",
            ),
        ]
    )
    for label, value in rows:
        d.text(50, y, label, 7, bold=True, gray=0.3)  # caption above its value
        d.text(50, y - 11, value, 9)
        d.line(50, y - 15, 560, y - 15, 0.3, 0.7)
        y -= 32
    y -= 10
    d.text(50, y, "REGIMENES", 9, bold=True)
    d.text(50, y - 13, "CLAVE", 7, bold=True)
    d.text(100, y - 13, "DESCRIPCION", 7, bold=True)
    d.text(460, y - 13, "ALTA", 7, bold=True)
    for code, description in t.regimes:
        y -= 13
        d.text(50, y - 13, code, 8)
        d.text(100, y - 13, description, 8)
        d.text(460, y - 13, "2019-07-01", 8)
    return d.bytes()


def csf_fragment(t: Taxpayer) -> bytes:
    """A short crop of a certificate's cédula (under 40 characters of crisp text): its idCIF and RFC."""
    d = Doc(size=(300, 120), producer="Quartz PDFContext")
    d.text(10, 95, f"idCIF: {t.id_cif}", 12, bold=True)
    d.text(10, 70, t.rfc, 12)
    return d.bytes()


def _title(value: str) -> str:
    small = {"DE", "DEL", "LA", "LAS", "LOS", "Y"}
    words = value.split()
    return " ".join(w.lower() if w in small and i else w.capitalize() for i, w in enumerate(words))


def _wrap(value: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in value.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return lines + [current] if current else lines


CSF_LAYOUTS: tuple[tuple[str, Callable[[Taxpayer], bytes], Taxpayer, bool], ...] = (
    ("csf:sat-current", csf_sat_current, MARIA, True),
    ("csf:sat-current-moral", csf_sat_current, COMERCIAL, True),
    ("csf:sat-2019", csf_sat_2019, JOSE, True),
    ("csf:reprint", csf_reprint, ANA, True),
    ("csf:codes-address", csf_codes_address, LUIS, True),
    ("csf:codes-address-moral", csf_codes_address, COMERCIAL, True),
)


# --- bank statements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    holder: str
    clabe: str
    start: date
    end: date
    account: str
    address: tuple[str, ...] = (
        "AV. REVOLUCIÓN 1425 DEPTO 302",
        "COL. GUADALUPE INN",
        "ÁLVARO OBREGÓN, CDMX",
        "C.P. 01020",
    )
    pages: int = 1
    seed: int = 0
    cutoff: date | None = None  # month-only layouts: the cut-off date closes the period
    others: tuple[str, ...] = field(default=())  # other banks' CLABEs named in movements

    def expected(self, month_only: bool = False) -> dict[str, object]:
        start = self.start.replace(day=1) if month_only else self.start
        return {
            "holder_name": self.holder,
            "clabe": self.clabe,
            "period_start": start.isoformat(),
            "period_end": (self.cutoff or self.end).isoformat(),
        }


def _movements(s: Statement, count: int) -> list[tuple[date, str, str, str, str]]:
    rng = random.Random(s.seed)
    balance = 18_450.75
    span = max((s.end - s.start).days, 1)
    rows = []
    concepts = [
        "SPEI RECIBIDO",
        "PAGO TARJETA DE CREDITO",
        "COMPRA OXXO",
        "DEPOSITO EN EFECTIVO",
        "RETIRO CAJERO",
        "TRASPASO A TERCEROS",
        "PAGO DE NOMINA",
        "COMISION MANEJO DE CUENTA",
        "DOMICILIACION CFE",
        "FARMACIA SAN PABLO",
        "UBER TRIP",
    ]
    for i in range(count):
        day = s.start + timedelta(days=min(span, int(i * span / max(count, 1))))
        concept = rng.choice(concepts)
        if concept == "SPEI RECIBIDO" and s.others:
            concept = f"SPEI RECIBIDO CTA {rng.choice(s.others)}"
        amount = round(rng.uniform(50, 9_000), 2)
        credit = concept.startswith(("SPEI RECIBIDO", "DEPOSITO", "PAGO DE NOMINA"))
        balance += amount if credit else -amount
        rows.append(
            (day, concept, "" if credit else f"{amount:,.2f}", f"{amount:,.2f}" if credit else "", f"{balance:,.2f}")
        )
    return rows


def _table(
    d: Doc,
    s: Statement,
    y: float,
    rows,
    *,
    ruled: bool,
    date_fmt: Callable[[date], str],
    headers=("FECHA", "CONCEPTO", "CARGOS", "ABONOS", "SALDO"),
    x0: float = 45,
    bottom: float = 70,
) -> list:
    """Movements from `y` down; returns the rows that did not fit."""
    cols = (x0, x0 + 70, x0 + 330, x0 + 410, x0 + 490)
    if ruled:
        d.box(x0 - 4, y - 4, 530, 16, fill=0.9)
    for x, head in zip(cols, headers, strict=True):
        d.text(x if x < cols[2] else x + 60, y, head, 7.5, bold=True, right=x >= cols[2])
    y -= 16
    for index, (day, concept, charge, credit, balance) in enumerate(rows):
        if y < bottom:
            return rows[index:]
        d.text(cols[0], y, date_fmt(day), 7.5)
        d.text(cols[1], y, concept, 7.5)
        d.text(cols[2] + 60, y, charge, 7.5, right=True)
        d.text(cols[3] + 60, y, credit, 7.5, right=True)
        d.text(cols[4] + 60, y, balance, 7.5, right=True)
        if ruled:
            d.line(x0 - 4, y - 4, x0 + 526, y - 4, 0.3, 0.5)
        y -= 14
    return []


def _more_pages(d: Doc, s: Statement, rows, bank: str, *, ruled: bool, date_fmt) -> None:
    page = 2
    while rows and page <= s.pages:
        d.page()
        d.text(45, d.height - 40, bank, 11, bold=True)
        d.text(d.width - 45, d.height - 40, f"Página {page} de {s.pages}", 8, right=True)
        d.text(45, d.height - 60, "DETALLE DE MOVIMIENTOS (CONTINUACIÓN)", 9, bold=True)
        rows = _table(d, s, d.height - 85, rows, ruled=ruled, date_fmt=date_fmt)
        page += 1


def bank_bbva(s: Statement) -> bytes:
    """Holder unlabelled above the address, period "DEL dd/mm/yyyy AL dd/mm/yyyy", CLABE in a
    summary box to the right, ruled movements over two pages."""
    d = Doc(producer="StreamServe Communication Server")
    top = d.height - 45
    d.band(0, d.height - 30, d.width, 30, (0.0, 0.27, 0.55))
    d.text(45, d.height - 20, "BBVA", 16, bold=True, gray=1.0)
    d.text(d.width - 45, top - 10, "Estado de Cuenta", 11, bold=True, right=True)
    d.text(d.width - 45, top - 24, "Libretón Básico Cuenta Digital", 9, right=True)
    d.text(45, top - 50, s.holder, 9, bold=True)
    for i, line in enumerate(s.address):
        d.text(45, top - 62 - 11 * i, line, 8)
    x = 330
    info = [
        ("Periodo", f"DEL {dmy(s.start)} AL {dmy(s.end)}"),
        ("Fecha de Corte", dmy(s.end)),
        ("No. de Cuenta", s.account),
        ("No. de Cliente", "D1234567"),
        ("Cuenta CLABE", s.clabe),
    ]
    for i, (label, value) in enumerate(info):
        d.text(x, top - 50 - 12 * i, label, 8)
        d.text(x + 90, top - 50 - 12 * i, value, 8)
    d.text(45, top - 140, "Detalle de Movimientos Realizados", 10, bold=True)
    rows = _movements(s, 60)
    rest = _table(
        d,
        s,
        top - 160,
        rows,
        ruled=True,
        date_fmt=lambda v: f"{v.day:02d}/{ABBR[v.month - 1]}",
        headers=("OPER", "DESCRIPCION", "CARGOS", "ABONOS", "SALDO"),
    )
    _more_pages(d, s, rest, "BBVA", ruled=True, date_fmt=lambda v: f"{v.day:02d}/{ABBR[v.month - 1]}")
    return d.bytes()


def bank_banorte(s: Statement) -> bytes:
    """Month-only period ("Periodo: OCTUBRE 2025") plus "Fecha de corte", "Nombre del Cliente:"
    on the holder's line, CLABE in groups of 3-3-11-1."""
    d = Doc(producer="Exstream")
    top = d.height - 50
    d.text(45, top, "BANORTE", 18, bold=True, gray=0.2)
    d.text(d.width - 45, top, "ESTADO DE CUENTA / ENLACE PERSONAL", 10, bold=True, right=True)
    d.text(45, top - 35, f"Nombre del Cliente: {s.holder}", 9)
    d.text(45, top - 48, "Domicilio: " + ", ".join(s.address), 7.5)
    d.text(45, top - 75, f"Periodo: {MONTHS[s.start.month - 1].upper()} {s.start.year}", 9, bold=True)
    d.text(250, top - 75, f"Fecha de corte: {long_es(s.cutoff or s.end)}", 9)
    c = s.clabe
    d.text(45, top - 90, f"CLABE: {c[:3]} {c[3:6]} {c[6:17]} {c[17]}", 9)
    d.text(250, top - 90, f"Número de cuenta: {s.account}", 9)
    d.text(45, top - 120, "RESUMEN DEL PERIODO", 9, bold=True)
    d.text(
        45, top - 133, "Saldo inicial 18,450.75   Depósitos 32,100.00   Retiros 28,900.12   Saldo final 21,650.63", 8
    )
    rows = _movements(s, 25)
    _table(d, s, top - 165, rows, ruled=False, date_fmt=lambda v: d_mon_y(v, "-", "upper")[:6])
    return d.bytes()


def bank_santander(s: Statement) -> bytes:
    """ "PERIODO DEL 01-OCT-2025 AL 31-OCT-2025", "TITULAR" with the name on the next line,
    "CUENTA CLABE" grouped by 4, three pages with ruled movements."""
    d = Doc(producer="Santander Statements")
    top = d.height - 45
    d.band(0, d.height - 34, d.width, 34, (0.93, 0.0, 0.0))
    d.text(45, d.height - 23, "Santander", 17, bold=True, gray=1.0)
    d.text(d.width - 45, top - 20, "ESTADO DE CUENTA SUPER CUENTA", 10, bold=True, right=True)
    d.text(45, top - 45, "TITULAR", 7.5, bold=True)
    d.text(45, top - 57, s.holder, 9)
    for i, line in enumerate(s.address[:3]):
        d.text(45, top - 69 - 10 * i, line, 7.5)
    d.text(320, top - 45, f"PERIODO DEL {d_mon_y(s.start)} AL {d_mon_y(s.end)}", 8.5, bold=True)
    d.text(320, top - 59, f"CUENTA CLABE: {grouped(s.clabe)}", 8.5)
    d.text(320, top - 73, f"CONTRATO: {s.account}", 8.5)
    d.text(45, top - 120, "DETALLE DE MOVIMIENTOS CUENTA DE CHEQUES", 9, bold=True)
    rows = _movements(s, 110)

    def fmt(v: date) -> str:
        return d_mon_y(v, "-")

    rest = _table(
        d,
        s,
        top - 140,
        rows,
        ruled=True,
        date_fmt=fmt,
        headers=("FECHA", "DESCRIPCIÓN", "RETIROS", "DEPÓSITOS", "SALDO"),
    )
    _more_pages(d, s, rest, "Santander", ruled=True, date_fmt=fmt)
    return d.bytes()


def bank_banamex(s: Statement) -> bytes:
    """Spelled range "del 1 al 31 de octubre de 2025", "CLIENTE:" label, lower-case labels,
    no ruled lines, another bank's CLABE in the movements."""
    d = Doc(producer="Citibanamex eStatements")
    top = d.height - 50
    d.text(45, top, "citibanamex", 18, bold=True, gray=0.25)
    d.text(d.width - 45, top, "Estado de cuenta Cuenta Perfiles", 10, right=True)
    d.text(45, top - 35, f"CLIENTE: {s.holder}", 9, bold=True)
    d.text(45, top - 48, " ".join(s.address), 7)
    d.text(45, top - 70, f"periodo: del {s.start.day} al {s.end.day} de {MONTHS[s.end.month - 1]} de {s.end.year}", 9)
    d.text(45, top - 83, f"fecha de corte: {long_es(s.end, upper=False)}", 9)
    d.text(330, top - 70, f"clabe interbancaria: {grouped(s.clabe, 6)}", 9)
    d.text(330, top - 83, f"número de cuenta: {s.account}", 9)
    rows = _movements(s, 70)

    def fmt(v: date) -> str:
        return f"{v.day:02d} {ABBR[v.month - 1].lower()}"

    rest = _table(
        d, s, top - 120, rows, ruled=False, date_fmt=fmt, headers=("fecha", "concepto", "retiros", "depósitos", "saldo")
    )
    _more_pages(d, s, rest, "citibanamex", ruled=False, date_fmt=fmt)
    return d.bytes()


def bank_hsbc(s: Statement) -> bytes:
    """Labels column drawn first, values column after (the text layer separates them), period
    "01 OCT 2025 - 31 OCT 2025", CLABE as "CLABE Interbancaria"."""
    d = Doc(producer="HSBC Document Server")
    top = d.height - 50
    d.band(45, top - 4, 22, 22, (0.86, 0.0, 0.07))
    d.text(75, top, "HSBC", 16, bold=True)
    d.text(d.width - 45, top, "Estado de Cuenta Flexible", 10, bold=True, right=True)
    labels = ["Nombre del titular", "Número de cuenta", "CLABE Interbancaria", "Periodo", "Fecha de corte"]
    values = [s.holder, s.account, s.clabe, f"{d_mon_y(s.start, ' ')} - {d_mon_y(s.end, ' ')}", d_mon_y(s.end, " ")]
    for i, label in enumerate(labels):
        d.text(45, top - 40 - 14 * i, label, 8.5, bold=True)
    for i, value in enumerate(values):
        d.text(200, top - 40 - 14 * i, value, 8.5)
    rows = _movements(s, 20)
    _table(d, s, top - 140, rows, ruled=True, date_fmt=lambda v: d_mon_y(v, " "))
    return d.bytes()


def bank_scotiabank(s: Statement) -> bytes:
    """Month-only period labelled "Mes" with a cut-off "Corte al", "Titular de la cuenta:" and
    a holder printed in title case."""
    d = Doc(producer="Scotiabank Inverlat")
    top = d.height - 50
    d.text(45, top, "Scotiabank", 18, bold=True, gray=0.2)
    d.text(d.width - 45, top, "Estado de Cuenta Única", 10, right=True)
    d.text(45, top - 35, f"Titular de la cuenta: {s.holder}", 9)
    d.text(45, top - 49, f"Cuenta CLABE {s.clabe}", 9)
    d.text(330, top - 35, f"Mes: {MONTHS[s.start.month - 1].capitalize()} de {s.start.year}", 9)
    d.text(
        330,
        top - 49,
        f"Corte al {(s.cutoff or s.end).day} de {MONTHS[(s.cutoff or s.end).month - 1]} de {(s.cutoff or s.end).year}",
        9,
    )
    rows = _movements(s, 30)
    _table(d, s, top - 90, rows, ruled=False, date_fmt=lambda v: dmy(v))
    return d.bytes()


def bank_inbursa(s: Statement) -> bytes:
    """ISO dates "2025-10-01 al 2025-10-31", a boxed "CLIENTE" caption with the name below."""
    d = Doc(producer="Inbursa Reports")
    top = d.height - 50
    d.text(45, top, "INBURSA", 16, bold=True, gray=0.2)
    d.text(d.width - 45, top, "ESTADO DE CUENTA EFE", 10, right=True)
    d.box(45, top - 80, 260, 55)
    d.text(52, top - 38, "CLIENTE", 7, bold=True)
    d.text(52, top - 52, s.holder, 9)
    d.text(52, top - 64, s.address[0], 7)
    d.box(315, top - 80, 250, 55)
    d.text(322, top - 38, f"PERIODO: {s.start.isoformat()} AL {s.end.isoformat()}", 8)
    d.text(322, top - 52, f"CLABE: {s.clabe}", 8)
    d.text(322, top - 66, f"CUENTA: {s.account}", 8)
    rows = _movements(s, 25)
    _table(d, s, top - 110, rows, ruled=True, date_fmt=lambda v: v.isoformat())
    return d.bytes()


def bank_azteca(s: Statement) -> bytes:
    """ "Nombre del cuentahabiente" with the value in the cell to the right, period with
    dates as "01/Oct/2025 - 31/Oct/2025", CLABE with dashes."""
    d = Doc(producer="Banco Azteca")
    top = d.height - 50
    d.text(45, top, "Banco Azteca", 16, bold=True, gray=0.15)
    d.text(d.width - 45, top, "Estado de cuenta Guardadito Digital", 9, right=True)
    d.text(45, top - 35, "Nombre del cuentahabiente", 8, bold=True)
    d.text(200, top - 35, s.holder, 9)
    d.text(45, top - 49, "Periodo", 8, bold=True)
    d.text(200, top - 49, f"{d_mon_y(s.start, '/', 'title')} - {d_mon_y(s.end, '/', 'title')}", 9)
    c = s.clabe
    d.text(45, top - 63, "CLABE", 8, bold=True)
    d.text(200, top - 63, f"{c[:3]}-{c[3:6]}-{c[6:17]}-{c[17]}", 9)
    rows = _movements(s, 20)
    _table(d, s, top - 100, rows, ruled=False, date_fmt=lambda v: d_mon_y(v, "/", "title"))
    return d.bytes()


def bank_bancoppel(s: Statement) -> bytes:
    """A period that is not a calendar month ("Período del 16/09/2025 al 15/10/2025"), holder as
    "Cliente:" on the same line as the account number, other CLABEs in the movements."""
    d = Doc(producer="BanCoppel")
    top = d.height - 50
    d.text(45, top, "BanCoppel", 16, bold=True, gray=0.2)
    d.text(d.width - 45, top, "Estado de Cuenta Efectiva", 10, right=True)
    d.text(45, top - 35, f"Cliente: {s.holder}", 9)
    d.text(360, top - 35, f"No. de cuenta: {s.account}", 9)
    d.text(45, top - 49, f"Período del {dmy(s.start)} al {dmy(s.end)}", 9)
    d.text(360, top - 49, f"CLABE {s.clabe}", 9)
    rows = _movements(s, 30)
    _table(d, s, top - 85, rows, ruled=True, date_fmt=dmy)
    return d.bytes()


def bank_banregio_business(s: Statement) -> bytes:
    """A business account: "Razón Social:", spelled range over months ("del 1 de octubre al 31 de
    octubre de 2025"), RFC next to the name, two pages unruled."""
    d = Doc(producer="Banregio Empresarial")
    top = d.height - 50
    d.text(45, top, "banregio", 18, bold=True, gray=0.3)
    d.text(d.width - 45, top, "ESTADO DE CUENTA EMPRESARIAL", 10, bold=True, right=True)
    d.text(45, top - 35, f"Razón Social: {s.holder}", 9, bold=True)
    d.text(45, top - 48, f"RFC: {COMERCIAL.rfc}", 8)
    d.text(45, top - 61, "Domicilio: " + ", ".join(s.address), 7)
    d.text(
        45,
        top - 85,
        (
            f"Periodo del {s.start.day} de {MONTHS[s.start.month - 1]} al {s.end.day} de "
            f"{MONTHS[s.end.month - 1]} de {s.end.year}"
        ),
        9,
    )
    d.text(45, top - 98, f"CLABE Interbancaria: {s.clabe}", 9)
    d.text(330, top - 98, f"Cuenta: {s.account}", 9)
    rows = _movements(s, 80)
    rest = _table(d, s, top - 130, rows, ruled=False, date_fmt=lambda v: dmy(v))
    _more_pages(d, s, rest, "banregio", ruled=False, date_fmt=dmy)
    return d.bytes()


def bank_nu(s: Statement) -> bytes:
    """A digital bank: name in title case at the top without a label, period "1 oct 2025 - 31
    oct 2025", "Tu CLABE" grouped by 3-3-4-4-4."""
    d = Doc(size=A4, producer="Nu México Statements")
    top = d.height - 50
    d.band(0, d.height - 80, d.width, 80, (0.51, 0.04, 0.82))
    d.text(45, d.height - 40, "nu", 24, bold=True, gray=1.0)
    d.text(45, d.height - 65, "Estado de cuenta de tu Cuenta Nu", 10, gray=1.0)
    d.text(45, top - 60, "Titular", 8, gray=0.4)
    d.text(45, top - 73, s.holder, 11, bold=True)
    d.text(45, top - 100, "Periodo", 8, gray=0.4)
    d.text(
        45,
        top - 113,
        f"{s.start.day} {ABBR[s.start.month - 1].lower()} {s.start.year} - {s.end.day} {ABBR[s.end.month - 1].lower()} {s.end.year}",
        10,
    )
    c = s.clabe
    d.text(300, top - 60, "Tu CLABE", 8, gray=0.4)
    d.text(300, top - 73, f"{c[:3]} {c[3:6]} {c[6:10]} {c[10:14]} {c[14:]}", 11)
    d.text(300, top - 100, "Rendimiento anual", 8, gray=0.4)
    d.text(300, top - 113, "15.00 %", 10)
    rows = _movements(s, 22)
    _table(
        d,
        s,
        top - 150,
        rows,
        ruled=False,
        date_fmt=lambda v: f"{v.day} {ABBR[v.month - 1].lower()}",
        headers=("Fecha", "Descripción", "Salió", "Entró", "Saldo"),
    )
    return d.bytes()


def bank_hey(s: Statement) -> bytes:
    """Labels and values in two columns drawn separately, spelled dates for both ends of the
    period ("20 de septiembre de 2025 al 19 de octubre de 2025"), a cut-off that equals the end."""
    d = Doc(producer="Hey Banco")
    top = d.height - 50
    d.text(45, top, "hey, banco", 16, bold=True)
    d.text(d.width - 45, top, "Estado de cuenta Hey Débito", 10, right=True)
    labels = ("Cliente", "Periodo", "Fecha de corte", "CLABE", "Cuenta")
    values = (
        s.holder,
        f"{long_es(s.start, False)} al {long_es(s.end, False)}",
        long_es(s.end, False),
        s.clabe,
        s.account,
    )
    for i, value in enumerate(values):  # values first, then labels: the reverse reading order
        d.text(160, top - 40 - 14 * i, value, 9)
    for i, label in enumerate(labels):
        d.text(45, top - 40 - 14 * i, label, 9, bold=True)
    rows = _movements(s, 25)
    _table(d, s, top - 130, rows, ruled=True, date_fmt=lambda v: dmy(v, "."))
    return d.bytes()


def bank_mercadopago(s: Statement) -> bytes:
    """No "estado de cuenta" title: "Resumen de cuenta", month-only period "octubre 2025" and a
    "Fecha de corte", the holder as "A nombre de"."""
    d = Doc(size=A4, producer="Mercado Pago")
    top = d.height - 50
    d.text(45, top, "mercado pago", 16, bold=True, gray=0.1)
    d.text(d.width - 45, top, "Resumen de cuenta", 11, bold=True, right=True)
    d.text(45, top - 35, f"A nombre de: {s.holder}", 9)
    d.text(45, top - 49, f"CLABE: {s.clabe}", 9)
    d.text(330, top - 35, f"Periodo: {MONTHS[s.start.month - 1]} {s.start.year}", 9)
    d.text(330, top - 49, f"Fecha de corte: {dmy(s.cutoff or s.end)}", 9)
    d.text(
        45,
        top - 75,
        "Saldo inicial $ 2,500.00     Ingresos $ 9,800.00     Egresos $ 7,100.00     Saldo final $ 5,200.00",
        8,
    )
    rows = _movements(s, 18)
    _table(
        d, s, top - 100, rows, ruled=False, date_fmt=dmy, headers=("Fecha", "Movimiento", "Egreso", "Ingreso", "Saldo")
    )
    return d.bytes()


def bank_afirme_business(s: Statement) -> bytes:
    """Period as two labelled dates ("Fecha inicial" / "Fecha final") in separate cells, a business
    holder under "Denominación", CLABE labelled "No. CLABE"."""
    d = Doc(producer="Afirme")
    top = d.height - 50
    d.text(45, top, "AFIRME", 16, bold=True, gray=0.2)
    d.text(d.width - 45, top, "ESTADO DE CUENTA PYME", 10, right=True)
    d.text(45, top - 35, "Denominación", 7.5, bold=True)
    d.text(45, top - 47, s.holder, 9)
    d.text(45, top - 70, "Fecha inicial", 7.5, bold=True)
    d.text(45, top - 82, dmy(s.start, "-"), 9)
    d.text(160, top - 70, "Fecha final", 7.5, bold=True)
    d.text(160, top - 82, dmy(s.end, "-"), 9)
    d.text(300, top - 70, "No. CLABE", 7.5, bold=True)
    d.text(300, top - 82, s.clabe, 9)
    rows = _movements(s, 75)
    rest = _table(d, s, top - 115, rows, ruled=True, date_fmt=lambda v: dmy(v, "-"))
    _more_pages(d, s, rest, "AFIRME", ruled=True, date_fmt=lambda v: dmy(v, "-"))
    return d.bytes()


def bank_bajio(s: Statement) -> bytes:
    """Name top-right beside the logo, "No. Cliente" and "Periodo: 01/10/2025 - 31/10/2025" in
    one line, CLABE in the summary at the bottom of the first page."""
    d = Doc(producer="BanBajío")
    top = d.height - 50
    d.text(45, top, "BanBajío", 16, bold=True, gray=0.2)
    d.text(d.width - 45, top, s.holder, 9, bold=True, right=True)
    d.text(d.width - 45, top - 12, s.address[0], 7, right=True)
    d.text(45, top - 35, "ESTADO DE CUENTA CUENTA CONECTA", 10, bold=True)
    d.text(45, top - 50, f"No. Cliente: 00451237    Periodo: {dmy(s.start)} - {dmy(s.end)}", 8.5)
    rows = _movements(s, 26)
    _table(d, s, top - 80, rows, ruled=True, date_fmt=dmy, bottom=120)
    d.text(45, 95, "RESUMEN", 8, bold=True)
    d.text(45, 82, f"Titular: {s.holder}    Cuenta CLABE: {s.clabe}", 8)
    return d.bytes()


def bank_spin(s: Statement) -> bytes:
    """An English-labelled digital account summary (a foreign-owned fintech): "Account holder",
    "Statement period: October 1 - 31, 2025", "CLABE"."""
    d = Doc(size=letter, producer="Spin Statements")
    top = d.height - 50
    d.text(45, top, "Spin by OXXO", 15, bold=True)
    d.text(d.width - 45, top, "Estado de cuenta / Account statement", 10, right=True)
    d.text(45, top - 35, f"Account holder: {s.holder}", 9)
    d.text(45, top - 49, f"Statement period: {s.start:%B} {s.start.day} - {s.end.day}, {s.end.year}", 9)
    d.text(45, top - 63, f"CLABE: {s.clabe}", 9)
    rows = _movements(s, 20)
    _table(
        d,
        s,
        top - 95,
        rows,
        ruled=False,
        date_fmt=lambda v: f"{v:%b} {v.day:02d}",
        headers=("Date", "Description", "Debit", "Credit", "Balance"),
    )
    return d.bytes()


OCT = (date(2025, 10, 1), date(2025, 10, 31))
SEP = (date(2025, 9, 1), date(2025, 9, 30))


def _statements() -> list[tuple[str, Callable[[Statement], bytes], Statement, bool]]:
    other = (make_clabe("072", "180", "00987654321"), make_clabe("002", "180", "45678901234"))
    person = "MARÍA FERNANDA LÓPEZ GARCÍA"
    business = "COMERCIALIZADORA DEL BAJÍO, S.A. DE C.V."
    return [
        (
            "bank:bbva-personal-2p",
            bank_bbva,
            Statement(
                "LUIS ENRIQUE PEÑA OCHOA", make_clabe("012", "180", "01234567890"), *OCT, "0123456789", pages=2, seed=1
            ),
            False,
        ),
        (
            "bank:banorte-month-cutoff",
            bank_banorte,
            Statement(
                person, make_clabe("072", "580", "01122334455"), *OCT, "1122334455", seed=2, cutoff=date(2025, 10, 31)
            ),
            True,
        ),
        (
            "bank:santander-3p",
            bank_santander,
            Statement(
                "JOSÉ ANTONIO NÚÑEZ RAMÍREZ",
                make_clabe("014", "320", "56001234567"),
                *SEP,
                "56-00123456-7",
                pages=3,
                seed=3,
                others=other,
            ),
            False,
        ),
        (
            "bank:banamex-spelled",
            bank_banamex,
            Statement(
                "Ana Sofía Treviño de la Garza",
                make_clabe("002", "580", "70123456789"),
                *OCT,
                "7012 3456789",
                pages=2,
                seed=4,
                others=other,
            ),
            False,
        ),
        (
            "bank:hsbc-columns",
            bank_hsbc,
            Statement(person, make_clabe("021", "180", "04055667788"), *OCT, "4055667788", seed=5),
            False,
        ),
        (
            "bank:scotiabank-month-cutoff",
            bank_scotiabank,
            Statement(
                "Luis Enrique Peña Ochoa",
                make_clabe("044", "180", "25600112233"),
                *SEP,
                "25600112233",
                seed=6,
                cutoff=date(2025, 9, 30),
            ),
            True,
        ),
        (
            "bank:inbursa-iso",
            bank_inbursa,
            Statement(
                "JOSE ANTONIO NUÑEZ RAMIREZ", make_clabe("036", "180", "50012345678"), *OCT, "50012345678", seed=7
            ),
            False,
        ),
        (
            "bank:azteca-right-cell",
            bank_azteca,
            Statement(person, make_clabe("127", "180", "01234509876"), *OCT, "01234509876", seed=8),
            False,
        ),
        (
            "bank:bancoppel-offmonth",
            bank_bancoppel,
            Statement(
                "ANA SOFÍA TREVIÑO DE LA GARZA",
                make_clabe("137", "180", "10020030040"),
                date(2025, 9, 16),
                date(2025, 10, 15),
                "10020030040",
                seed=9,
                others=other,
            ),
            False,
        ),
        (
            "bank:banregio-business-2p",
            bank_banregio_business,
            Statement(business, make_clabe("058", "580", "02200110022"), *OCT, "022-001100-22", pages=2, seed=10),
            False,
        ),
        (
            "bank:nu-digital",
            bank_nu,
            Statement(
                "María Fernanda López García", make_clabe("638", "180", "00012345678"), *OCT, "00012345678", seed=11
            ),
            False,
        ),
        (
            "bank:hey-reversed-columns",
            bank_hey,
            Statement(
                "LUIS ENRIQUE PEÑA OCHOA",
                make_clabe("058", "320", "12312312312"),
                date(2025, 9, 20),
                date(2025, 10, 19),
                "12312312312",
                seed=12,
            ),
            False,
        ),
        (
            "bank:mercadopago-month-cutoff",
            bank_mercadopago,
            Statement(
                "José Antonio Núñez Ramírez",
                make_clabe("722", "969", "01055512345"),
                *OCT,
                "1055512345",
                seed=13,
                cutoff=date(2025, 10, 31),
            ),
            True,
        ),
        (
            "bank:afirme-business-2p",
            bank_afirme_business,
            Statement(business, make_clabe("062", "580", "00123498765"), *SEP, "123498765", pages=2, seed=14),
            False,
        ),
        (
            "bank:bajio-bottom-clabe",
            bank_bajio,
            Statement(person, make_clabe("030", "180", "04512370001"), *OCT, "4512370001", seed=15),
            False,
        ),
        (
            "bank:spin-english",
            bank_spin,
            Statement(
                "Ana Sofia Trevino de la Garza", make_clabe("728", "969", "00077788899"), *OCT, "77788899", seed=16
            ),
            False,
        ),
    ]


# Scans: an office scan (PDF of images) and a phone photo (JPEG), mild to rough.
SCAN = Degradation(dpi=200, skew=1.2, blur=0.5, noise=20, quality=70, seed=3)
PHOTO = Degradation(dpi=200, skew=-2.0, blur=0.8, noise=30, quality=60, seed=5)
SCANNED_BANKS = ("bank:banorte-month-cutoff", "bank:santander-3p", "bank:nu-digital")


@lru_cache(maxsize=1)
def _cases() -> tuple[Case, ...]:
    out: list[Case] = []
    for layout, build, taxpayer, with_id_cif in CSF_LAYOUTS:
        data = build(taxpayer)
        stem = "constancia_" + layout.split(":")[1]
        expected = taxpayer.expected(with_id_cif)
        out.append(Case(f"{stem}.pdf", data, "tax_status_certificate", "digital", layout, expected))
        scanned = expected
        out.append(
            Case(
                f"{stem}_escaneo.pdf",
                scanned_pdf(data, SCAN, max_pages=2),
                "tax_status_certificate",
                "scanned",
                layout,
                scanned,
            )
        )
        out.append(
            Case(
                f"{stem}_foto.jpg",
                scanned_jpeg(data, PHOTO),
                "tax_status_certificate",
                "scanned",
                layout,
                {k: v for k, v in scanned.items() if k != "regime_codes" or build is not csf_sat_current},
            )
        )
    out.append(
        Case(
            "recorte_cedula.pdf",
            csf_fragment(MARIA),
            "tax_status_certificate",
            "digital",
            "csf:fragment",
            {"id_cif": MARIA.id_cif, "rfc": MARIA.rfc},
        )
    )
    for layout, build, statement, month_only in _statements():
        data = build(statement)
        stem = "estado_cuenta_" + layout.split(":")[1]
        expected = statement.expected(month_only)
        out.append(Case(f"{stem}.pdf", data, "bank_statement", "digital", layout, expected))
        if layout in SCANNED_BANKS:
            out.append(
                Case(
                    f"{stem}_escaneo.pdf",
                    scanned_pdf(data, SCAN, max_pages=1),
                    "bank_statement",
                    "scanned",
                    layout,
                    expected,
                )
            )
    return tuple(out)


def cases() -> list[Case]:
    return list(_cases())
