"""Typed extractions, one model per document kind.

Extractors fill these from bytes and never decide anything; validators read them. Every field
an extractor could not find is None, so "not found" is never confused with a wrong value."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Extraction(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def public_fields(self) -> dict[str, Any]:
        """The fields as JSON-ready values, for the decision's `extracted`."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"kind"})


class HiddenText(BaseModel):
    """Text a person cannot see on one page of a PDF (PKG-009), or a key field whose text layer
    disagrees with an OCR of where it is printed. Counts and places only: never the hidden text,
    which may carry someone's RFC or CLABE."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page: int  # 1-based
    # invisible (render mode 3), clip_only (mode 7), off_page, tiny, background_colour,
    # under_image, or ocr_disagrees (key-field cross-check)
    cause: str
    chars: int = 0
    field: str | None = None  # ocr_disagrees: rfc, clabe, uuid, total, issued_on, ...


class TextInfo(BaseModel):
    """How the text of a PDF or image was obtained; legibility rules read this."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pages: int = 0
    chars: int = 0
    ocr: bool = False
    ocr_mean_confidence: float | None = None
    ocr_words: int | None = None
    # PKG-009: what was hidden in the text layer; the pages concerned were read by OCR instead.
    # None (not []) when nothing was found, so ordinary documents' JSON does not change.
    hidden_text: list[HiddenText] | None = None


class Concept(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    clave_prod_serv: str
    description: str
    amount: Decimal
    discount: Decimal | None = None


class TaxLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tax: str  # 001 ISR, 002 IVA, 003 IEPS, or a local tax name
    amount: Decimal
    rate: Decimal | None = None
    local: bool = False


class CfdiExtraction(_Extraction):
    """A CFDI read from its XML; a type-P CFDI is a payment complement, everything else an
    invoice."""

    kind: Literal["cfdi_xml", "payment_complement"] = "cfdi_xml"
    version: str | None = None
    uuid: str | None = None
    serie: str | None = None
    folio: str | None = None
    issued_at: datetime | None = None
    doc_type: str | None = None  # TipoDeComprobante: I, E, T, N, P
    issuer_rfc: str | None = None
    issuer_name: str | None = None
    issuer_regime: str | None = None
    receiver_rfc: str | None = None
    receiver_name: str | None = None
    receiver_postal_code: str | None = None
    receiver_regime: str | None = None
    cfdi_use: str | None = None
    payment_method: str | None = None  # MetodoPago: PUE, PPD
    payment_form: str | None = None
    currency: str | None = None
    subtotal: Decimal | None = None
    discount: Decimal | None = None
    total: Decimal | None = None
    total_transferred: Decimal | None = None
    total_withheld: Decimal | None = None
    concepts: list[Concept] = Field(default_factory=list)
    withholdings: list[TaxLine] = Field(default_factory=list)
    certificate_number: str | None = None
    seal_tail: str | None = None  # last 8 characters of Sello: the `fe` of SAT's status query
    stamped: bool = False
    stamp_seal_matches: bool | None = None  # TFD SelloCFD == Sello
    stamped_at: datetime | None = None
    related_documents: list[str] = Field(default_factory=list)  # Pagos IdDocumento UUIDs
    # Added for the CFDI rules (optional, so older stored extractions still load):
    place_of_issue: str | None = None  # LugarExpedicion (postal code)
    local_transferred: Decimal | None = None  # implocal TotaldeTraslados (CFDI-014)
    local_withheld: Decimal | None = None  # implocal TotaldeRetenciones (CFDI-014, CFDI-019)
    # TimbreFiscalDigital SelloSAT (CFDI-004): True verified, False does not verify, None not
    # checked; `sat_seal_not_checked` then says why (no_directory, certificate_not_available, ...).
    sat_certificate_number: str | None = None  # NoCertificadoSAT
    sat_seal_verified: bool | None = None
    sat_seal_not_checked: str | None = None


class InvoicePdfExtraction(_Extraction):
    kind: Literal["invoice_pdf"] = "invoice_pdf"
    uuid: str | None = None
    issuer_rfc: str | None = None
    receiver_rfc: str | None = None
    total: Decimal | None = None
    text: TextInfo = Field(default_factory=TextInfo)


class ForeignInvoiceExtraction(_Extraction):
    kind: Literal["foreign_invoice"] = "foreign_invoice"
    provider_name: str | None = None
    country: str | None = None  # ISO 3166 alpha-2 when recognised
    issued_on: date | None = None
    total: Decimal | None = None
    currency: str | None = None
    text: TextInfo = Field(default_factory=TextInfo)


class CsfExtraction(_Extraction):
    kind: Literal["tax_status_certificate"] = "tax_status_certificate"
    rfc: str | None = None
    curp: str | None = None
    name: str | None = None
    postal_code: str | None = None
    regimes: list[str] = Field(default_factory=list)
    # c_RegimenFiscal codes (605, 612, 626, ...) of the regimes without a "Fecha Fin", where the
    # description is recognised: what CFDI-016 and CFDI-019 compare with the invoice's codes.
    regime_codes: list[str] = Field(default_factory=list)
    status: str | None = None  # "Estatus en el padrón"
    issued_on: date | None = None  # from "Lugar y Fecha de Emisión"
    issue_place: str | None = None
    id_cif: str | None = None
    text: TextInfo = Field(default_factory=TextInfo)


class BankStatementExtraction(_Extraction):
    kind: Literal["bank_statement"] = "bank_statement"
    bank_name: str | None = None
    holder_name: str | None = None
    clabe: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    text: TextInfo = Field(default_factory=TextInfo)


FormKind = Literal[
    "claim_form",
    "reimbursement_form",
    "medical_report",
    "prescription",
    "student_certificate",
    "dependent_declaration",
    "care_order",
]


class FormExtraction(_Extraction):
    """Forms and medical documents: what completeness and cross-checks need from them."""

    kind: FormKind
    title: str | None = None
    patient_name: str | None = None
    document_date: date | None = None
    signed: bool | None = None
    clabe: str | None = None  # a reimbursement form may carry the account
    care_order_account: str | None = None
    text: TextInfo = Field(default_factory=TextInfo)


class OtherExtraction(_Extraction):
    kind: Literal["other"] = "other"
    text: TextInfo = Field(default_factory=TextInfo)


Extraction = Annotated[
    CfdiExtraction
    | InvoicePdfExtraction
    | ForeignInvoiceExtraction
    | CsfExtraction
    | BankStatementExtraction
    | FormExtraction
    | OtherExtraction,
    Field(discriminator="kind"),
]
