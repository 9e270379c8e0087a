"""A CFDI of type P (complemento de pago): read and judged as any CFDI."""

from __future__ import annotations

from domain.kinds import DocumentKind

from . import cfdi_xml
from .spec import KindSpec

KIND = KindSpec(DocumentKind.PAYMENT_COMPLEMENT, cfdi_xml.read, cfdi_xml.rules)
