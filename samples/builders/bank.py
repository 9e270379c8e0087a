"""Sample bank statements (estados de cuenta) in the layouts of big Mexican banks.

Each layout prints the holder, the CLABE and the period the way that bank does (labels, date
formats, where on the page), because the extractor has to cope with all of them: BBVA prints the
holder without a label above the address and the period as "DEL dd/mm/yyyy AL dd/mm/yyyy";
Banorte prints only the month plus a "Fecha de corte" and splits the CLABE in groups; Santander
spells the dates out; Banamex writes in lower case and groups the CLABE by four; HSBC puts the
holder under its label and abbreviates months. Pages after the first carry movements only, as in
real statements."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from clabe import compute_control_digit
from reportlab.pdfgen.canvas import Canvas

from .csf import MONTHS_ES, MONTHS_ES_SHORT, new_canvas, numeric_date


@dataclass(frozen=True)
class _Bank:
    code: str
    name: str  # what the extractor reports for this bank
    legal: str
    color: tuple[float, float, float]


BANKS = {
    "bbva": _Bank(
        "012",
        "BBVA México",
        "BBVA MÉXICO, S.A., INSTITUCIÓN DE BANCA MÚLTIPLE, GRUPO FINANCIERO BBVA MÉXICO",
        (0.0, 0.27, 0.55),
    ),
    "banorte": _Bank(
        "072",
        "Banorte",
        "BANCO MERCANTIL DEL NORTE, S.A., INSTITUCIÓN DE BANCA MÚLTIPLE, GRUPO FINANCIERO BANORTE",
        (0.86, 0.0, 0.13),
    ),
    "santander": _Bank(
        "014",
        "Santander",
        "BANCO SANTANDER MÉXICO, S.A., INSTITUCIÓN DE BANCA MÚLTIPLE, GRUPO FINANCIERO SANTANDER MÉXICO",
        (0.93, 0.0, 0.0),
    ),
    "banamex": _Bank(
        "002", "Banamex", "BANCO NACIONAL DE MÉXICO, S.A., INTEGRANTE DEL GRUPO FINANCIERO BANAMEX", (0.0, 0.3, 0.6)
    ),
    "hsbc": _Bank(
        "021", "HSBC", "HSBC MÉXICO, S.A., INSTITUCIÓN DE BANCA MÚLTIPLE, GRUPO FINANCIERO HSBC", (0.86, 0.0, 0.07)
    ),
}
LAYOUTS: tuple[str, ...] = tuple(BANKS)
BANK_CODES = {layout: bank.code for layout, bank in BANKS.items()}
BANK_NAMES = {layout: bank.name for layout, bank in BANKS.items()}
ADDRESS = ("CALLE COLIMA 180 INT 4", "COL ROMA NORTE", "CUAUHTEMOC, CIUDAD DE MEXICO", "C.P. 06700")


def make_clabe(bank_code: str, account: str) -> str:
    """An 18-digit CLABE: the 3-digit bank code, 14 digits of plaza + account, and the control
    digit the clabe library computes. Up to 11 digits are an account (plaza 180 is added, zeros
    on the left); 12 to 14 digits already include the plaza and are zero-filled to 14."""
    if len(bank_code) != 3 or not bank_code.isdigit():
        raise ValueError("bank_code has 3 digits")
    account = account.replace(" ", "")
    if not account.isdigit() or len(account) > 14:
        raise ValueError("account has at most 14 digits (plaza + account)")
    body = bank_code + ("180" + account.zfill(11) if len(account) <= 11 else account.zfill(14))
    return body + compute_control_digit(body)


def build_statement(
    *,
    layout: str,
    holder: str,
    clabe: str,
    period_start: date,
    period_end: date,
    bank_name: str | None = None,
    pages: int = 1,
) -> bytes:
    """A statement PDF in the given layout. In "banorte" only the month of `period_end` and the
    cut-off date (= `period_end`) are printed, as that bank does; pass whole months to it when
    a test compares the period read back."""
    if layout not in BANKS:
        raise ValueError(f"unknown layout {layout!r}; choose from {LAYOUTS}")
    if pages < 1:
        raise ValueError("a statement has at least one page")
    bank = BANKS[layout]
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, "Estado de cuenta", bank_name or bank.name)
    facts = _Facts(bank, bank_name or bank.name, holder.upper(), clabe, period_start, period_end, pages)
    _PAGE_ONE[layout](canvas, facts)
    _footer(canvas, facts, 1)
    canvas.showPage()
    movements = _movements(facts)
    per_page = max(1, -(-len(movements) // max(1, pages - 1)))
    for page in range(2, pages + 1):
        chunk = movements[(page - 2) * per_page : (page - 1) * per_page]
        _movements_page(canvas, facts, chunk)
        _footer(canvas, facts, page)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class _Facts:
    bank: _Bank
    bank_name: str
    holder: str
    clabe: str
    start: date
    end: date
    pages: int

    @property
    def account(self) -> str:
        return self.clabe[6:17] if len(self.clabe) == 18 else "00000000000"


# --- page one, one function per bank ----------------------------------------------------------


def _header_bar(c: Canvas, facts: _Facts, title: str) -> None:
    c.setFillColorRGB(*facts.bank.color)
    c.rect(0, 742, 612, 50, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont("Helvetica-Bold", 22)
    c.drawString(36, 758, facts.bank_name.upper() if len(facts.bank_name) <= 6 else facts.bank_name)
    c.setFont("Helvetica", 10)
    c.drawRightString(576, 760, title)
    c.setFillColorRGB(0, 0, 0)


def _bbva(c: Canvas, f: _Facts) -> None:
    _header_bar(c, f, "Estado de Cuenta")
    c.setFont("Helvetica", 8)
    c.drawString(36, 728, "Libretón Básico Cuenta Digital")
    c.setFont("Helvetica-Bold", 9)
    c.drawString(36, 700, f.holder)  # BBVA prints no label: the name sits above the address
    c.setFont("Helvetica", 8)
    for i, line in enumerate(ADDRESS):
        c.drawString(36, 688 - 11 * i, line)
    _kv_column(
        c,
        340,
        700,
        [
            ("Periodo", f"DEL {numeric_date(f.start)} AL {numeric_date(f.end)}"),
            ("Fecha de Corte", numeric_date(f.end)),
            ("No. de Cuenta", f.account[1:]),
            ("No. de Cliente", "B" + f.account[-7:]),
            ("R.F.C", "XAXX010101000"),
            ("CLABE interbancaria", f.clabe),
        ],
        label_width=95,
    )
    _summary(c, f, 560, "Comportamiento")


def _banorte(c: Canvas, f: _Facts) -> None:
    c.setFillColorRGB(*f.bank.color)
    c.setFont("Helvetica-Bold", 24)
    c.drawString(36, 750, f.bank_name.upper())
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica-Bold", 12)
    c.drawRightString(576, 755, "ESTADO DE CUENTA / ENLACE DIGITAL")
    c.setStrokeColorRGB(*f.bank.color)
    c.setLineWidth(2)
    c.line(36, 740, 576, 740)
    c.setLineWidth(1)
    _kv_column(
        c,
        36,
        715,
        [
            ("Nombre del cliente:", f.holder),
            ("Domicilio:", ", ".join(ADDRESS[:2])),
            ("", ", ".join(ADDRESS[2:])),
        ],
        label_width=95,
    )
    c.setFillColorRGB(0.95, 0.95, 0.95)
    c.rect(36, 610, 540, 60, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    _kv_column(
        c,
        44,
        655,
        [
            ("Periodo:", f"{MONTHS_ES[f.end.month - 1]} {f.end.year}"),
            ("Fecha de corte:", numeric_date(f.end)),
            ("Cuenta CLABE:", _grouped(f.clabe, (3, 3, 11, 1))),
        ],
        label_width=80,
    )
    _kv_column(
        c,
        330,
        655,
        [
            ("Número de cuenta:", f.account[1:]),
            ("Moneda:", "PESOS"),
            ("Sucursal:", "0180 CENTRO"),
        ],
        label_width=85,
    )
    _summary(c, f, 580, "Resumen del periodo")


def _santander(c: Canvas, f: _Facts) -> None:
    _header_bar(c, f, "ESTADO DE CUENTA INTEGRAL")
    c.setFont("Helvetica-Bold", 9)
    c.drawString(36, 720, "CUENTA SUPER NÓMINA")
    c.setFont("Helvetica", 8.5)
    c.drawString(36, 705, f"PERIODO DEL {_long(f.start, with_year=False)} AL {_long(f.end)}")
    _kv_column(
        c,
        36,
        680,
        [
            ("Titular:", f.holder),
            ("Número de cliente:", f.account[-8:]),
            ("CLABE:", f.clabe),
        ],
        label_width=90,
    )
    c.setFont("Helvetica", 8)
    for i, line in enumerate(ADDRESS):
        c.drawString(360, 680 - 11 * i, line)
    _summary(c, f, 600, "RESUMEN DE SALDOS")


def _banamex(c: Canvas, f: _Facts) -> None:
    c.setFillColorRGB(*f.bank.color)
    c.setFont("Helvetica-Bold", 20)
    c.drawString(36, 752, f.bank_name)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 9)
    c.drawString(36, 738, "Estado de cuenta Cuenta Perfiles")
    if f.start.month == f.end.month and f.start.year == f.end.year:
        period = f"del {f.start.day} al {f.end.day} de {MONTHS_ES[f.end.month - 1].lower()} de {f.end.year}"
    else:
        period = (
            f"del {f.start.day} de {MONTHS_ES[f.start.month - 1].lower()} de {f.start.year} "
            f"al {f.end.day} de {MONTHS_ES[f.end.month - 1].lower()} de {f.end.year}"
        )
    c.setFont("Helvetica", 8.5)
    c.drawRightString(576, 752, f"Período {period}")
    c.setStrokeColorRGB(0.7, 0.7, 0.7)
    c.roundRect(36, 640, 260, 80, 6)
    c.roundRect(316, 640, 260, 80, 6)
    _kv_column(
        c,
        44,
        705,
        [
            ("Cliente:", f.holder),
            ("", ADDRESS[0]),
            ("", ADDRESS[1]),
            ("", ADDRESS[3]),
        ],
        label_width=40,
    )
    _kv_column(
        c,
        324,
        705,
        [
            ("Número de cuenta:", f.account[-7:]),
            ("Sucursal:", "870"),
            ("CLABE Interbancaria:", _grouped(f.clabe, (4, 4, 4, 4, 2))),
        ],
        label_width=90,
    )
    _summary(c, f, 600, "Resumen por medio de acceso")


def _hsbc(c: Canvas, f: _Facts) -> None:
    _header_bar(c, f, "Estado de Cuenta Flexible")
    c.setFont("Helvetica-Bold", 8)
    c.drawString(36, 720, "Nombre del titular")
    c.drawString(320, 720, "PERIODO")
    c.setFont("Helvetica", 9)
    c.drawString(36, 708, f.holder)
    c.drawString(320, 708, f"{_abbr(f.start)} AL {_abbr(f.end)}")
    c.setFont("Helvetica-Bold", 8)
    c.drawString(320, 690, "Fecha de corte")
    c.setFont("Helvetica", 9)
    c.drawString(320, 678, _abbr(f.end))
    c.setFont("Helvetica", 8)
    for i, line in enumerate(ADDRESS):
        c.drawString(36, 690 - 11 * i, line)
    c.setFont("Helvetica-Bold", 8)
    c.drawString(320, 660, "CLABE")
    c.setFont("Helvetica", 9)
    c.drawString(320, 648, f.clabe)
    _summary(c, f, 590, "Resumen de la cuenta")


_PAGE_ONE = {"bbva": _bbva, "banorte": _banorte, "santander": _santander, "banamex": _banamex, "hsbc": _hsbc}


# --- shared pieces ----------------------------------------------------------------------------


def _kv_column(c: Canvas, x: float, y: float, rows: list[tuple[str, str]], label_width: float) -> None:
    for label, value in rows:
        c.setFont("Helvetica-Bold", 8)
        if label:
            c.drawString(x, y, label)
        c.setFont("Helvetica", 8)
        c.drawString(x + label_width, y, value)
        y -= 12


def _summary(c: Canvas, f: _Facts, y: float, title: str) -> None:
    rng = random.Random(f"{f.clabe}{f.end}")
    opening = rng.randint(1_000_00, 90_000_00) / 100
    deposits = rng.randint(10_000_00, 40_000_00) / 100
    charges = rng.randint(1_000_00, 9_000_00) / 100
    c.setFont("Helvetica-Bold", 9)
    c.drawString(36, y, title)
    rows = [
        ("Saldo anterior", opening),
        ("Depósitos / Abonos (+)", deposits),
        ("Retiros / Cargos (-)", charges),
        ("Saldo final", opening + deposits - charges),
    ]
    c.setFont("Helvetica", 8)
    for i, (label, amount) in enumerate(rows):
        c.drawString(36, y - 14 - 12 * i, label)
        c.drawRightString(300, y - 14 - 12 * i, f"{amount:,.2f}")


def _movements(f: _Facts) -> list[tuple[str, str, str, str]]:
    """Deterministic movements within the period; some name other banks and accounts, which is
    exactly what the extractor must not mistake for the statement's own."""
    rng = random.Random(f"{f.clabe}{f.start}{f.end}")
    days = max(1, (f.end - f.start).days)
    texts = (
        "SPEI RECIBIDO BANORTE REF {n}",
        "PAGO TARJETA DE CREDITO",
        "COMPRA FARMACIA SAN PABLO",
        "SPEI ENVIADO CLABE 014180{n:011d}7",
        "DEPOSITO EN EFECTIVO",
        "COMISION MANEJO DE CUENTA",
        "TRASPASO A TERCEROS HSBC {n}",
    )
    rows = []
    for i in range(22 * max(1, f.pages - 1)):
        day = f.start + timedelta(days=rng.randrange(days + 1))
        text = rng.choice(texts).format(n=rng.randrange(10**7, 10**8))
        amount = f"{rng.randint(100_00, 9_000_00) / 100:,.2f}"
        rows.append((numeric_date(day), text, amount if i % 3 else "", "" if i % 3 else amount))
    return sorted(rows, key=lambda r: (r[0][6:], r[0][3:5], r[0][:2]))


def _movements_page(c: Canvas, f: _Facts, rows: list[tuple[str, str, str, str]]) -> None:
    c.setFont("Helvetica-Bold", 10)
    c.drawString(36, 750, "Detalle de movimientos realizados")
    c.setFont("Helvetica-Bold", 8)
    for x, head in ((36, "Fecha"), (110, "Descripción"), (420, "Cargos"), (500, "Abonos")):
        c.drawString(x, 730, head)
    c.line(36, 726, 576, 726)
    c.setFont("Helvetica", 8)
    y = 712
    for day, text, charge, deposit in rows:
        c.drawString(36, y, day)
        c.drawString(110, y, text)
        if charge:
            c.drawRightString(470, y, charge)
        if deposit:
            c.drawRightString(556, y, deposit)
        y -= 13


def _footer(c: Canvas, f: _Facts, page: int) -> None:
    c.setFont("Helvetica", 6)
    c.drawString(36, 30, f.bank.legal)
    c.drawRightString(576, 30, f"Página {page} de {f.pages}")


def _grouped(digits: str, sizes: tuple[int, ...]) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(digits[i : i + size])
        i += size
    out.append(digits[i:])
    return " ".join(part for part in out if part)


def _long(value: date, with_year: bool = True) -> str:
    text = f"{value.day:02d} DE {MONTHS_ES[value.month - 1]}"
    return f"{text} DE {value.year}" if with_year else text


def _abbr(value: date) -> str:
    return f"{value.day:02d}-{MONTHS_ES_SHORT[value.month - 1]}-{value.year}"
