"""Which kind a document is, from what it says: titles and phrases for PDFs and OCR'd images, the
root element for XML. The portal's declared kind is only a tie-breaker, because claimants pick
the wrong upload slot all the time."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clabe import validate_clabe

from domain.decision import Classification
from domain.kinds import DocumentKind as K

from . import sniff
from .content import DocumentContent
from .dates import find_period
from .text import fold

TITLE_WINDOW = 600  # a phrase in the document's head is a title, and weighs more


@dataclass(frozen=True)
class Signal:
    phrase: str
    weight: int


# Strong phrases (titles, unique labels) weigh 6, supporting words 1 or 2.
SIGNALS: dict[K, tuple[Signal, ...]] = {
    K.TAX_STATUS_CERTIFICATE: (
        Signal("CONSTANCIA DE SITUACION FISCAL", 6),
        Signal("CEDULA DE IDENTIFICACION FISCAL", 6),
        Signal("IDCIF", 4),
        Signal("ESTATUS EN EL PADRON", 4),
        Signal("LUGAR Y FECHA DE EMISION", 2),
        Signal("REGIMENES", 1),
        Signal("OBLIGACIONES", 1),
    ),
    K.BANK_STATEMENT: (
        Signal("ESTADO DE CUENTA", 6),
        Signal("CLABE", 2),
        Signal("SALDO", 1),
        Signal("PERIODO", 1),
        Signal("FECHA DE CORTE", 2),
        Signal("MOVIMIENTOS", 1),
        Signal("DEPOSITOS", 1),
        Signal("RETIROS", 1),
    ),
    K.INVOICE_PDF: (
        Signal("REPRESENTACION IMPRESA DE UN CFDI", 6),
        Signal("FOLIO FISCAL", 5),
        Signal("SELLO DIGITAL DEL SAT", 4),
        Signal("SELLO DIGITAL DEL CFDI", 3),
        Signal("USO CFDI", 2),
        Signal("RFC EMISOR", 2),
        Signal("RFC RECEPTOR", 2),
        Signal("FACTURA", 2),
    ),
    K.FOREIGN_INVOICE: (
        Signal("INVOICE", 4),
        Signal("BILL TO", 3),
        Signal("AMOUNT DUE", 3),
        Signal("BALANCE DUE", 3),
        Signal("TAX ID", 1),
        Signal("DATE OF SERVICE", 2),
        Signal("TOTAL DUE", 3),
        # Receipts and other countries' invoices in Spanish (Spain, Colombia, Chile...) and German.
        Signal("RECEIPT", 3),
        Signal("RECHNUNG", 5),
        Signal("PATIENT STATEMENT", 5),
        Signal("TOTAL PAID", 3),
        Signal("TOTAL CHARGES", 3),
        Signal("PHARMACY", 2),
        Signal("THANK YOU", 2),
        Signal("SUBTOTAL", 1),
        Signal("FACTURA ELECTRONICA DE VENTA", 6),
        Signal("BOLETA", 4),
        Signal("BASE IMPONIBLE", 3),
        Signal("TOTAL FACTURA", 3),
        Signal("CIF:", 2),
        Signal("NIT ", 2),
        Signal("RUT ", 2),
        Signal("CUIT ", 2),
        Signal("VAT ", 2),
        Signal("€", 2),
        Signal("£", 2),
        Signal("FACTURA", 2),
        Signal("FACTURE", 4),
        Signal("RECIBO", 2),
        # A foreign country in the letterhead's address ("…, La Habana, Cuba"): names that are no
        # Spanish word's part are matched bare, the others after the address's comma. Few, since
        # every signal is a pass over every document's text.
        Signal("ESPANA", 3),
        Signal("COLOMBIA", 3),
        Signal("ARGENTINA", 3),
        Signal("COSTA RICA", 3),
        Signal("GUATEMALA", 3),
        Signal("GERMANY", 3),
        Signal("UNITED KINGDOM", 3),
        Signal(", USA", 3),
        Signal(", CANADA", 3),
        Signal(", CHILE", 3),
        Signal(", CUBA", 3),
        Signal(", FRANCE", 3),
    ),
    K.CLAIM_FORM: (
        Signal("FORMULARIO DE RECLAMACION", 6),
        Signal("AVISO DE ACCIDENTE O ENFERMEDAD", 6),
        Signal("RECLAMACION DE GASTOS MEDICOS", 5),
        Signal("DATOS DEL ASEGURADO AFECTADO", 2),
    ),
    K.REIMBURSEMENT_FORM: (
        Signal("SOLICITUD DE REEMBOLSO", 6),
        Signal("FORMATO DE REEMBOLSO", 6),
        Signal("DATOS PARA TRANSFERENCIA", 2),
        Signal("REEMBOLSO", 1),
    ),
    K.MEDICAL_REPORT: (
        Signal("INFORME MEDICO", 6),
        Signal("DIAGNOSTICO", 2),
        Signal("CEDULA PROFESIONAL", 1),
        Signal("PADECIMIENTO", 2),
        Signal("TRATAMIENTO", 1),
        Signal("EXPLORACION FISICA", 2),
        # IMSS, ISSSTE and private hospitals' titles for the same document.
        Signal("NOTA DE EGRESO", 6),
        Signal("RESUMEN CLINICO", 6),
        Signal("RESUMEN DE ALTA", 6),
        Signal("NOTA MEDICA", 5),
        Signal("ALTA HOSPITALARIA", 4),
        Signal("HISTORIA CLINICA", 2),
        Signal("MEDICAL REPORT", 6),
        Signal("DISCHARGE SUMMARY", 6),
    ),
    K.PRESCRIPTION: (
        Signal("RECETA MEDICA", 6),
        Signal("RECETA", 4),
        Signal("RP/", 2),
        Signal("INDICACIONES", 1),
        Signal("TOMAR ", 1),
        # IMSS's individual prescription, a doctor's letterhead with "Rx" and dosages, a pharmacy's.
        Signal("RECETA INDIVIDUAL", 6),
        Signal("\nRX\n", 3),
        Signal("\nRP.", 3),
        Signal("MEDICAMENTO", 1),
        Signal("CED. PROF", 1),
        Signal("TABLETA", 1),
        Signal("CADA 8 HORAS", 2),
        Signal("CADA 12 HORAS", 2),
    ),
    K.STUDENT_CERTIFICATE: (
        Signal("CONSTANCIA DE ESTUDIOS", 6),
        Signal("CICLO ESCOLAR", 3),
        Signal("INSCRITO", 2),
        Signal("ALUMNO", 1),
        Signal("ALUMNA", 1),
        Signal("INSCRITA", 2),
        Signal("ALUMNO REGULAR", 3),
        Signal("CONTROL ESCOLAR", 2),
    ),
    K.DEPENDENT_DECLARATION: (
        Signal("DECLARACION DE DEPENDIENTE", 6),
        Signal("DEPENDIENTE ECONOMICO", 3),
        Signal("ESTADO CIVIL SOLTERO", 4),
        Signal("BAJO PROTESTA DE DECIR VERDAD", 2),
        Signal("SOLTERO", 1),
        # Letters written freely: "carta de soltería", "declaración de dependencia económica".
        Signal("CARTA DE SOLTERIA", 6),
        Signal("SOLTERIA", 4),
        Signal("DEPENDENCIA ECONOMICA", 5),
        Signal("DEPENDE ECONOMICAMENTE", 3),
        Signal("DEPENDO ECONOMICAMENTE", 3),
        Signal("SOY SOLTER", 3),
        Signal("SOLTERA", 1),
    ),
    K.CARE_ORDER: (
        Signal("ORDEN DE ATENCION", 6),
        Signal("DETALLE DE PAGO", 3),
        Signal("COASEGURO", 2),
        Signal("MEDICO TRATANTE", 1),
    ),
}

MIN_SCORE = 5  # below this nothing was recognised: the kind is `other` (REQ-002)
# A kind scoring this much has its title and labels: distinctive markers (worth MIN_SCORE) are not
# looked for, which spares validating CLABEs and reading periods on every document.
STRONG_SCORE = 2 * MIN_SCORE + 2
_CFDI_ROOT = re.compile(
    rb"<(?:[\w.-]+:)?Comprobante\b[^>]*xmlns(?::[\w.-]+)?=\"http://www\.sat\.gob\.mx/cfd/[34]\"", re.S
)
_ID_CIF = re.compile(r"\bID\s*\.?\s*CIF\b\s*:?\s*\d{6,15}(?!\d)")
_CLABE_DIGITS = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){17}(?![\d.,]?\d)")
_TYPE_P = re.compile(rb"TipoDeComprobante\s*=\s*[\"']P[\"']")


def classify(content: DocumentContent, declared: K | None = None) -> Classification:
    if content.media_type == sniff.XML:
        return _classify_xml(content, declared)
    return classify_folded(content.folded, declared)


def _classify_xml(content: DocumentContent, declared: K | None) -> Classification:
    head = content.data[:8192]
    if _CFDI_ROOT.search(head):
        if _TYPE_P.search(head):
            return Classification(
                kind=K.PAYMENT_COMPLEMENT, confidence=1.0, reason="CFDI con TipoDeComprobante P", declared_kind=declared
            )
        return Classification(kind=K.CFDI_XML, confidence=1.0, reason="raíz cfdi:Comprobante", declared_kind=declared)
    # Any other XML is judged as a CFDI so that the claimant hears why it is not one (CFDI-001).
    return Classification(
        kind=K.CFDI_XML, confidence=0.5, reason="XML sin raíz cfdi:Comprobante reconocible", declared_kind=declared
    )


def classify_text(text: str, declared: K | None = None) -> Classification:
    return classify_folded(fold(text), declared)


def distinctive_markers(folded: str) -> dict[K, str]:
    """Markers only one kind prints, worth a whole title: an idCIF with its number (SAT's
    certificate), a CLABE that verifies next to a statement period (a bank statement). A document
    showing one is that kind even when its other fields are missing, so it gets that kind's
    precise finding (CSF-005, BANK-006) instead of `other`."""
    found: dict[K, str] = {}
    if _ID_CIF.search(folded):
        found[K.TAX_STATUS_CERTIFICATE] = "idCIF"
    if "CLABE" in folded or _CLABE_DIGITS.search(folded):
        clabes = [re.sub(r"\D", "", m[0]) for m in _CLABE_DIGITS.finditer(folded)]
        if any(validate_clabe(c) for c in clabes):
            period = find_period(folded, years=(2000, 2100), folded=True)
            if period and period.end:
                found[K.BANK_STATEMENT] = "CLABE y periodo"
    return found


def classify_folded(folded: str, declared: K | None = None) -> Classification:
    """`folded`: the text through extractors.text.fold."""
    head = folded[:TITLE_WINDOW]
    scores: dict[K, int] = {}
    hits: dict[K, list[str]] = {}
    for kind, signals in SIGNALS.items():
        for signal in signals:
            if signal.phrase in folded:
                bonus = 2 if signal.weight >= 5 and signal.phrase in head else 0
                scores[kind] = scores.get(kind, 0) + signal.weight + bonus
                hits.setdefault(kind, []).append(signal.phrase)
    if max(scores.values(), default=0) < STRONG_SCORE:  # markers are for documents without titles
        for kind, marker in distinctive_markers(folded).items():
            scores[kind] = scores.get(kind, 0) + MIN_SCORE
            hits.setdefault(kind, []).insert(0, marker)
    if declared in scores:
        scores[declared] += 1  # the portal's slot breaks ties, never outvotes the content
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return Classification(
            kind=K.OTHER,
            confidence=0.0 if not ranked else 0.3,
            reason="sin títulos ni frases reconocibles",
            declared_kind=declared,
        )
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    confidence = round(min(1.0, score / 12) * (score - runner_up) / score, 2) if score else 0.0
    reason = "frases: " + ", ".join(hits[best][:4])
    return Classification(kind=best, confidence=max(confidence, 0.05), reason=reason, declared_kind=declared)
