"""Invoice PDF (the "representación impresa" of a CFDI): UUID, RFCs and total from its text.

Pure text parsing of what the loader already read; nothing is opened here. The SAT QR URL
printed on most invoices (…?id=UUID&re=RFC&rr=RFC&tt=TOTAL&fe=…) is the most reliable source
when its text survives extraction, so it wins; labels ("Folio Fiscal", "RFC Emisor", "Total")
come next, and bare patterns last."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from domain.extractions import InvoicePdfExtraction

from .content import DocumentContent

UUID_RE = re.compile(r"\b([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})\b", re.IGNORECASE)
RFC_RE = re.compile(r"(?<![A-Z0-9Ñ&])([A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3})(?![A-Z0-9])")
_AMOUNT = r"\$?\s*([0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]{1,6})?|[0-9]+(?:\.[0-9]{1,6})?)"
_QR = re.compile(
    r"[?&]id=([0-9A-Fa-f-]{36}).{0,40}?[&]re=([A-ZÑ&0-9]{12,13}).{0,10}?[&]rr=([A-ZÑ&0-9]{12,13})"
    r"(?:.{0,10}?[&]tt=([0-9.]+))?",
    re.IGNORECASE | re.DOTALL,
)
_UUID_LABEL = re.compile(r"(?:folio\s+fiscal|uuid)\s*[:#]?\s*" + UUID_RE.pattern, re.IGNORECASE)
_ISSUER_LABEL = re.compile(r"rfc\s*(?:del\s+)?emisor\s*[:#]?\s*([A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3})", re.IGNORECASE)
_RECEIVER_LABEL = re.compile(r"rfc\s*(?:del\s+)?receptor\s*[:#]?\s*([A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3})", re.IGNORECASE)
# "Total" at the start of a line or after a separator, never "Subtotal" / "Total de impuestos".
_TOTAL_LABEL = re.compile(r"(?<![A-Za-z])total(?:\s+a\s+pagar|\s+factura|\s+mxn)?\s*[:=]?\s*" + _AMOUNT, re.IGNORECASE)


def _money(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def extract_invoice_pdf(content: DocumentContent) -> InvoicePdfExtraction:
    text = content.text or ""
    uuid = issuer = receiver = None
    total = None
    qr = _QR.search(text.replace("\n", ""))
    if qr:
        uuid, issuer, receiver = qr.group(1).upper(), qr.group(2).upper(), qr.group(3).upper()
        total = _money(qr.group(4))
    if uuid is None and (m := _UUID_LABEL.search(text) or UUID_RE.search(text)):
        uuid = m.group(1).upper()
    if issuer is None and (m := _ISSUER_LABEL.search(text)):
        issuer = m.group(1).upper()
    if receiver is None and (m := _RECEIVER_LABEL.search(text)):
        receiver = m.group(1).upper()
    if issuer is None or receiver is None:
        found = [r for r in dict.fromkeys(m.group(1) for m in RFC_RE.finditer(text.upper()))]
        if issuer is None and found:
            issuer = found[0]
        rest = [r for r in found if r != issuer]
        if receiver is None and rest:
            receiver = rest[0]
    if total is None:
        totals = [
            _money(m.group(1))
            for m in _TOTAL_LABEL.finditer(text)
            if not text[max(0, m.start() - 3) : m.start()].lower().endswith("sub")
        ]
        totals = [t for t in totals if t is not None]
        if totals:
            total = totals[-1]  # the grand total is printed after the partial ones
    return InvoicePdfExtraction(
        uuid=uuid, issuer_rfc=issuer, receiver_rfc=receiver, total=total, text=content.text_info
    )
