"""Document kinds and their Spanish names, as CONTRACT.md lists them.

What each kind is (its signals, reader and rules) is its module in extractors/kinds, a layer
above: the members stay here because decisions, requirements, validators and notices name kinds
and the domain imports nothing above it. Every member has a module there
(tests/unit/test_kind_registry.py), and their order breaks exact ties in classification."""

from enum import StrEnum


class DocumentKind(StrEnum):
    CFDI_XML = "cfdi_xml"
    INVOICE_PDF = "invoice_pdf"
    FOREIGN_INVOICE = "foreign_invoice"
    TAX_STATUS_CERTIFICATE = "tax_status_certificate"
    BANK_STATEMENT = "bank_statement"
    CLAIM_FORM = "claim_form"
    REIMBURSEMENT_FORM = "reimbursement_form"
    MEDICAL_REPORT = "medical_report"
    PRESCRIPTION = "prescription"
    STUDENT_CERTIFICATE = "student_certificate"
    DEPENDENT_DECLARATION = "dependent_declaration"
    CARE_ORDER = "care_order"
    PAYMENT_COMPLEMENT = "payment_complement"
    OTHER = "other"

    @property
    def name_es(self) -> str:
        return SPANISH_NAMES[self]


SPANISH_NAMES: dict[DocumentKind, str] = {
    DocumentKind.CFDI_XML: "factura electrónica (XML con su PDF)",
    DocumentKind.INVOICE_PDF: "representación impresa (PDF) de la factura",
    DocumentKind.FOREIGN_INVOICE: "factura del extranjero",
    DocumentKind.TAX_STATUS_CERTIFICATE: "constancia de situación fiscal",
    DocumentKind.BANK_STATEMENT: "estado de cuenta bancario",
    DocumentKind.CLAIM_FORM: "formulario de reclamación firmado",
    DocumentKind.REIMBURSEMENT_FORM: "formulario de solicitud de reembolso",
    DocumentKind.MEDICAL_REPORT: "informe médico",
    DocumentKind.PRESCRIPTION: "receta médica",
    DocumentKind.STUDENT_CERTIFICATE: "constancia de estudios",
    DocumentKind.DEPENDENT_DECLARATION: "declaración de dependiente soltero",
    DocumentKind.CARE_ORDER: "orden de atención",
    DocumentKind.PAYMENT_COMPLEMENT: "complemento de pago",
    DocumentKind.OTHER: "documento no reconocido",
}

# Kinds whose file must be XML; every other kind is a PDF or an image.
XML_KINDS = frozenset({DocumentKind.CFDI_XML, DocumentKind.PAYMENT_COMPLEMENT})
