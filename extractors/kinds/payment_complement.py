"""A CFDI of type P (complemento de pago): read and judged as any CFDI."""

from __future__ import annotations

from domain.kinds import DocumentKind

from . import cfdi_xml
from .spec import KindSpec


def recognise(head: bytes) -> str | None:
    if cfdi_xml.CFDI_ROOT.search(head) and cfdi_xml.TYPE_P.search(head):
        return "CFDI con TipoDeComprobante P"
    return None


KIND = KindSpec(DocumentKind.PAYMENT_COMPLEMENT, cfdi_xml.read, cfdi_xml.rules, recognise_xml=recognise)
