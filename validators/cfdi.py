"""CFDI and foreign-invoice rules (RULES.md: CFDI-001…021 except the SAT-service ones, FOR-*).

Pure: every input is an argument (the parse result, the folio context, the rule set). The
expensive, byte-level checks (XSD, seal, chain) were done by extractors.cfdi_xml; this module
only turns their results and the extracted fields into findings a claimant can act on.

Order inside `validate_cfdi` follows "one finding per cause": a document that is not a CFDI
(CFDI-001) or has an unaccepted version or encoding (CFDI-002) gets that finding alone, because
every other rule would only describe the same defect again."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from domain.config import RetentionRules, Ruleset
from domain.extractions import CfdiExtraction, CsfExtraction, ForeignInvoiceExtraction
from domain.findings import Finding, Outcome
from domain.folio import ClaimType, FolioManifest
from domain.masking import mask_rfc
from domain.rules import finding, rule
from domain.text import fold as fold_case_accents

from .context import DocumentContext, EvaluatedDocument
from .csf import declared_rfc
from .names import name_in_text, same_person

# CFDI-019's rates (002_… Q9) are the rule set's `cfdi_retention` (domain.config.RetentionRules).
# Currencies without minor units (ISO 4217); every other currency is rounded to cents.
_ZERO_DECIMAL = frozenset(
    {
        "XXX",
        "JPY",
        "CLP",
        "KRW",
        "PYG",
        "ISK",
        "VND",
        "UGX",
        "XAF",
        "XOF",
        "XPF",
        "KMF",
        "RWF",
        "DJF",
        "GNF",
        "VUV",
        "BIF",
    }
)
_VERSION_WHY = {
    "3.2": "la versión 3.2 del CFDI dejó de ser válida en 2018",
    "3.0": "la versión 3.0 del CFDI ya no es válida",
    "2.2": "es un CFD (versión 2.x), no un CFDI",
    "2.0": "es un CFD (versión 2.x), no un CFDI",
}
_SEAL_WHY = {
    "missing_seal": "no trae sello digital o certificado del emisor",
    "certificate_unreadable": "el certificado del emisor incluido en el XML no se puede leer",
    "bad_signature": "el sello digital no corresponde al contenido: el XML fue modificado después de emitirse",
    "cadena_failed": "no se pudo calcular la cadena original del comprobante",
    "number_mismatch": "el número de certificado declarado no corresponde al certificado incluido",
    "rfc_mismatch": "el RFC del emisor no corresponde al del certificado con que se selló",
}


def _fold(text: str) -> str:
    """Upper case without accents, for searching inside descriptions."""
    return fold_case_accents(text or "")


def _f(code: str, cause: str, params: Mapping[str, Any] | None = None, /, **evidence: Any) -> Finding:
    """The catalogue's finding for `code` (domain.rules), its message the template of `cause`
    filled with `params`, without the evidence that is None."""
    return finding(code, cause, _present(evidence), **(params or {}))


def _present(evidence: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in evidence.items() if v is not None}


def _s(value: Any) -> Any:
    """Decimals as strings in evidence, so the JSON shows exactly what the invoice says."""
    return str(value) if isinstance(value, Decimal) else value


# ------------------------------------------------------------------------------ one document


def validate_cfdi(parse: Any, ctx: DocumentContext, *, chain_outcome: Outcome = Outcome.WARN) -> list[Finding]:
    """Every document-level CFDI rule for one parsed XML (an extractors.cfdi_xml.CfdiParse).
    `chain_outcome` makes CFDI-021 a rejection where the deployment wants that."""
    if parse is None or parse.error_kind in ("malformed", "not_cfdi") or parse.extraction is None:
        why = getattr(parse, "error", None) or "no se pudo leer"
        return [
            _f(
                "CFDI-001",
                "not_cfdi",
                error=why[:300],
            )
        ]
    ext: CfdiExtraction = parse.extraction
    version_finding = check_version(parse.version or ext.version, ext, ctx.ruleset)
    if version_finding or parse.error_kind == "version":
        return [version_finding or _version_refused(parse.version or ext.version)]
    if getattr(parse, "encoding", None):  # a re-encoded copy, not the file the issuer stamped
        return [
            _f(
                "CFDI-002",
                "encoding",
                {"encoding": parse.encoding},
                encoding=parse.encoding,
                required="UTF-8",
            )
        ]

    rs, m = ctx.ruleset, ctx.manifest
    out: list[Finding] = []
    if parse.schema_errors:
        out.append(
            _f(
                "CFDI-002",
                "schema",
                errors=list(parse.schema_errors[:5]),
                version=ext.version,
            )
        )
    out += check_seal(parse.seal)
    out += check_stamp(ext, getattr(parse, "stamp", None))
    is_payment = ext.doc_type == "P"
    if not is_payment:
        out += check_type(ext)
    if not is_payment and ext.doc_type == "I" and m.claim_type is ClaimType.REEMBOLSO:
        out += check_receiver(ext, m, rs)
    out += check_file_name(ext, ctx.file_name, rs.xml_name_patterns)
    out += check_cross_folio(ext, m.folio, ctx.known_uuids)
    if not is_payment:
        out += check_amounts(ext, parse.concepts)
    if not is_payment and ext.doc_type == "I" and m.claim_type is ClaimType.PAGO_PROVEEDOR:
        out += check_provider_billing(ext, m, rs)
    if not is_payment:
        out += check_dates(ext, m, ctx.as_of, rs)
    out += check_chain(parse.chain, parse.seal, chain_outcome)
    return out


def _version_refused(version: str | None) -> Finding:
    why = _VERSION_WHY.get(version or "", f"la versión {version or 'indicada'} del CFDI no se acepta")
    return _f(
        "CFDI-002",
        "version_refused",
        {"why": why},
        version=version,
    )


def check_version(version: str | None, ext: CfdiExtraction, rs: Ruleset) -> Finding | None:
    """CFDI-002 (version part): 4.0 always; 3.3 only when issued before the configured date."""
    if version == "4.0":
        return None
    cutoff = rs.thresholds.cfdi33_accepted_before
    if version == "3.3":
        if ext.issued_at is not None and ext.issued_at.date() < cutoff:
            return None
        return _f(
            "CFDI-002",
            "version_33",
            {"issued_on": _d(ext.issued_at), "cutoff": cutoff},
            version=version,
            issued_at=_d(ext.issued_at),
            accepted_before=cutoff.isoformat(),
        )
    return _version_refused(version)


def _d(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def check_seal(seal: Any) -> list[Finding]:
    """CFDI-003."""
    if seal is None or seal.verified:
        return []
    why = _SEAL_WHY.get(seal.reason or "", "el sello digital no es válido")
    return [
        _f(
            "CFDI-003",
            "seal_invalid",
            {"why": why},
            reason=seal.reason,
            certificate_number=seal.certificate_number,
        )
    ]


def check_stamp(ext: CfdiExtraction, stamp: Any = None) -> list[Finding]:
    """CFDI-004: no TFD, a TFD of another seal, or (when the SAT stamp certificate named by
    NoCertificadoSAT was available: extractors.cfdi_xml.StampCheck) a SelloSAT that does not
    verify. A stamp seal that could not be checked is no finding; the extraction says why."""
    if not ext.stamped:
        return [
            _f(
                "CFDI-004",
                "no_tfd",
                reason="no_tfd",
            )
        ]
    if ext.stamp_seal_matches is False:
        return [
            _f(
                "CFDI-004",
                "tfd_seal_mismatch",
                reason="tfd_seal_mismatch",
                uuid=ext.uuid,
            )
        ]
    if stamp is not None and stamp.verified is False:
        return [
            _f(
                "CFDI-004",
                "sat_seal_invalid",
                reason="sat_seal_invalid",
                detail=stamp.reason,
                sat_certificate_number=stamp.certificate_number,
                uuid=ext.uuid,
            )
        ]
    return []


def check_type(ext: CfdiExtraction) -> list[Finding]:
    """CFDI-015: an invoice must be type I; P is handled as a payment complement elsewhere."""
    if ext.doc_type == "I":
        return []
    names = {"E": "egreso (nota de crédito)", "T": "traslado", "N": "nómina"}
    shown = names.get(ext.doc_type or "", ext.doc_type or "desconocido")
    return [
        _f(
            "CFDI-015",
            "not_income",
            {"shown": shown},
            doc_type=ext.doc_type,
        )
    ]


def holder_invoice(ext: CfdiExtraction, prefixes: Iterable[str]) -> bool:
    """Fees/nursing/pharmacy invoice: every concept's ClaveProdServ in the configured families."""
    prefixes = tuple(prefixes)
    return bool(ext.concepts) and all(c.clave_prod_serv.startswith(prefixes) for c in ext.concepts)


def check_receiver(ext: CfdiExtraction, m: FolioManifest, rs: Ruleset) -> list[Finding]:
    """CFDI-009 (reimbursement): holder/contractor allowed only for fees, nursing and pharmacy."""
    receiver = (ext.receiver_rfc or "").upper()
    insurers = set(rs.insurer_rfcs)
    if receiver in insurers:
        return []
    holder = (m.holder.rfc or "").upper() if m.holder else ""
    contractor = (m.contractor.rfc or "").upper() if m.contractor and m.contractor.rfc else ""
    personal = {r for r in (holder, contractor) if r}
    insurer = sorted(insurers)[0]
    if holder_invoice(ext, rs.holder_prefixes):
        if receiver in personal:
            return []
        if not holder and not contractor:
            return []  # cannot tell: reported as a skipped rule (validators.skipped)
        return [
            _f(
                "CFDI-009",
                "holder_family",
                {"insurer": insurer},
                receiver_rfc=receiver,
                family="holder",
            )
        ]
    return [
        _f(
            "CFDI-009",
            "insurer_only",
            {"insurer": insurer},
            receiver_rfc=receiver,
            family="insurer",
            claves=sorted({c.clave_prod_serv for c in ext.concepts})[:10],
        )
    ]


def check_file_name(ext: CfdiExtraction, file_name: str, patterns: Sequence[str]) -> list[Finding]:
    """CFDI-011: XML names must keep the UUID, Serie+Folio or a configured provider pattern."""
    if not file_name.lower().endswith(".xml"):
        return []
    stem = file_name.rsplit(".", 1)[0]
    upper = stem.upper()
    if ext.uuid and ext.uuid.upper() in upper:
        return []
    if ext.uuid and ext.uuid.upper().replace("-", "") in upper.replace("-", ""):
        return []
    if ext.folio:
        serie = re.escape((ext.serie or "").upper())
        pattern = (
            rf"(?<![A-Z0-9]){serie}[-_ ]?{re.escape(ext.folio.upper())}(?![0-9])"
            if serie
            else rf"(?<![A-Z0-9]){re.escape(ext.folio.upper())}(?![0-9])"
        )
        if re.search(pattern, upper):
            return []
    for pat in patterns:
        try:
            if re.search(pat, stem, re.IGNORECASE):
                return []
        except re.error:
            continue
    return [
        _f(
            "CFDI-011",
            "renamed",
            file=file_name,
            uuid=ext.uuid,
            serie=ext.serie,
            folio=ext.folio,
        )
    ]


def check_cross_folio(ext: CfdiExtraction, folio: str, known_uuids: dict[str, str]) -> list[Finding]:
    """CFDI-012 (across folios)."""
    if not ext.uuid:
        return []
    index = {k.upper(): v for k, v in known_uuids.items()}
    other = index.get(ext.uuid.upper())
    if other is None or other == folio:
        return []
    return [
        _f(
            "CFDI-012",
            "other_folio",
            {"uuid": ext.uuid, "other_folio": other},
            uuid=ext.uuid,
            other_folio=other,
        )
    ]


def _unit(currency: str | None) -> Decimal:
    return Decimal(1) if (currency or "").upper() in _ZERO_DECIMAL else Decimal("0.01")


def _decimals(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def _bounds(a: Decimal, b: Decimal, unit: Decimal) -> tuple[Decimal, Decimal]:
    """SAT's tolerance for a product of two rounded numbers (Anexo 20, "límites"): each factor
    may be off by half its last decimal; the result is truncated / rounded up to the currency."""
    ha, hb = Decimal(5) / 10 ** (_decimals(a) + 1), Decimal(5) / 10 ** (_decimals(b) + 1)
    low = ((a - ha) * (b - hb)).quantize(unit, rounding=ROUND_FLOOR)
    high = ((a + ha) * (b + hb)).quantize(unit, rounding=ROUND_CEILING)
    return low, high


def check_amounts(ext: CfdiExtraction, concepts: Sequence[Any] = ()) -> list[Finding]:
    """CFDI-014: SubTotal − Descuento + traslados − retenciones (federal and local) = Total within
    one unit of the currency (each term is rounded on its own), concept sums = SubTotal, and
    each concept's Importe / tax inside SAT's product tolerance."""
    if ext.subtotal is None or ext.total is None:
        return []
    unit = _unit(ext.currency)
    problems: list[dict[str, Any]] = []
    expected = (
        ext.subtotal
        - (ext.discount or 0)
        + (ext.total_transferred or 0)
        - (ext.total_withheld or 0)
        + (ext.local_transferred or 0)
        - (ext.local_withheld or 0)
    )
    if abs(expected - ext.total) > unit:
        problems.append({"check": "total", "expected": _s(expected), "found": _s(ext.total)})
    if ext.concepts:
        concept_sum = sum((c.amount for c in ext.concepts), Decimal(0))
        if abs(concept_sum - ext.subtotal) > unit:
            problems.append({"check": "subtotal", "expected": _s(concept_sum), "found": _s(ext.subtotal)})
        disc_sum = sum((c.discount or Decimal(0) for c in ext.concepts), Decimal(0))
        if abs(disc_sum - (ext.discount or 0)) > unit:
            problems.append({"check": "discount", "expected": _s(disc_sum), "found": _s(ext.discount or 0)})
    for i, c in enumerate(concepts):
        if c.quantity is not None and c.unit_value is not None and c.amount is not None:
            low, high = _bounds(c.quantity, c.unit_value, unit)
            if not low <= c.amount <= high:
                problems.append(
                    {
                        "check": "concept_amount",
                        "concept": i + 1,
                        "expected_range": [_s(low), _s(high)],
                        "found": _s(c.amount),
                    }
                )
        for tax, factor, rate, base, amount in tuple(c.transferred) + tuple(c.withheld):
            if factor == "Tasa" and rate is not None and base is not None and amount is not None:
                low, high = _bounds(base, rate, unit)
                if not low <= amount <= high:
                    problems.append(
                        {
                            "check": "concept_tax",
                            "concept": i + 1,
                            "tax": tax,
                            "expected_range": [_s(low), _s(high)],
                            "found": _s(amount),
                        }
                    )
    if not problems:
        return []
    return [
        _f(
            "CFDI-014",
            "amounts",
            problems=problems[:10],
        )
    ]


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_provider_billing(ext: CfdiExtraction, m: FolioManifest, rs: Ruleset) -> list[Finding]:
    """CFDI-017, CFDI-018, CFDI-019 (provider billing, 002_… Q8/Q9)."""
    out = []
    if ext.payment_method != "PPD":
        out.append(
            _f(
                "CFDI-017",
                "not_ppd",
                payment_method=ext.payment_method,
            )
        )
    out += check_concept_reference(ext, m, rs)
    out += check_retention(ext, rs.cfdi_retention)
    return out


def _contains_account(text: str, account: str) -> bool:
    compact = re.sub(r"[^A-Z0-9]", "", _fold(account))
    if not compact:
        return False
    pattern = r"(?<![A-Z0-9])" + r"[-\s./]?".join(map(re.escape, compact)) + r"(?![A-Z0-9])"
    return re.search(pattern, _fold(text)) is not None


def check_concept_reference(ext: CfdiExtraction, m: FolioManifest, rs: Ruleset) -> list[Finding]:
    """CFDI-018: the care-order account and the patient's name must both be in the description
    of one and the same concept (one in each of two concepts does not tie them together). A
    value the folio does not declare is not required (reported as a skipped rule)."""
    account = m.provider.care_order_account if m.provider else None
    patient = m.patient.name if m.patient else None
    if not account and not patient:
        return []
    has_account = [not account or _contains_account(c.description, account) for c in ext.concepts]
    has_patient = [
        not patient or name_in_text(patient, c.description, rs.honorifics, rs.legal_forms) for c in ext.concepts
    ]
    if any(a and p for a, p in zip(has_account, has_patient, strict=True)):
        return []
    missing = []
    if not any(has_account):
        missing.append("cuenta de la orden de atención")
    if not any(has_patient):
        missing.append("nombre del paciente")
    if missing:
        return [
            _f(
                "CFDI-018",
                "missing",
                {"missing": ", ".join(missing)},
                missing=missing,
            )
        ]
    return [
        _f(
            "CFDI-018",
            "split_concepts",
            missing=[],
            reason="different_concepts",
            account_in_concepts=[i + 1 for i, a in enumerate(has_account) if a],
            patient_in_concepts=[i + 1 for i, p in enumerate(has_patient) if p],
        )
    ]


def _is_cedular(name: str) -> bool:
    return "CEDULAR" in _fold(name)


def _pct(rate: Decimal) -> str:
    return f"{rate * 100:.4f}".rstrip("0").rstrip(".") + " %"


def check_retention(ext: CfdiExtraction, rules: RetentionRules | None = None) -> list[Finding]:
    """CFDI-019: ISR (and the Jalisco cedular) withheld at the rate the rule set gives the
    issuer's regime. Personas morales (12-character RFC) withhold nothing. The cedular rates
    apply when the invoice carries a cedular, or when the rule set says the cedular is required
    and the invoice was issued in a cedular state (LugarExpedicion in `cedular_postal_codes`)."""
    rules = rules or RetentionRules()
    rfc, regime = ext.issuer_rfc or "", ext.issuer_regime or ""
    base = (ext.subtotal or Decimal(0)) - (ext.discount or Decimal(0))
    isr = sum((w.amount for w in ext.withholdings if w.tax == "001" and not w.local), Decimal(0))
    cedular = sum((w.amount for w in ext.withholdings if w.local and _is_cedular(w.tax)), Decimal(0))
    has_cedular = any(w.local and _is_cedular(w.tax) for w in ext.withholdings)
    tol = Decimal("0.01") * max(1, len(ext.concepts))
    if len(rfc) == 12:
        if isr or cedular:
            return [
                _f(
                    "CFDI-019",
                    "legal_person",
                    regime=regime,
                    isr_withheld=_s(isr),
                    cedular_withheld=_s(cedular),
                )
            ]
        return []
    entry = rules.isr_by_regime.get(regime)
    if len(rfc) != 13 or entry is None:
        return []
    required = rules.cedular_required and rules.cedular_applies(ext.place_of_issue)
    with_cedular = has_cedular or required
    isr_rate = entry.isr_with_cedular if with_cedular else entry.isr
    expected_isr = _money(base * isr_rate)
    expected_ced = _money(base * rules.cedular_rate) if with_cedular else Decimal(0)
    if abs(isr - expected_isr) <= tol and abs(cedular - expected_ced) <= tol:
        return []
    label = entry.label or f"régimen {regime}"
    rate_text = f"{_pct(isr_rate)} de ISR"
    if with_cedular:
        rate_text += f" más {_pct(rules.cedular_rate)} de impuesto cedular de Jalisco"
    why = ""
    if required and not has_cedular:
        why = (
            f" La factura se expidió en Jalisco (código postal {ext.place_of_issue}), donde se debe retener "
            "el impuesto cedular, y no lo incluye."
        )
    return [
        _f(
            "CFDI-019",
            "wrong_rate",
            {"label": label, "rate_text": rate_text, "base": _s(_money(base)), "why": why},
            regime=regime,
            base=_s(_money(base)),
            expected_isr=_s(expected_isr),
            isr_withheld=_s(isr),
            expected_cedular=_s(expected_ced) if with_cedular else None,
            cedular_withheld=_s(cedular) if with_cedular else None,
            cedular_required=True if required else None,
            place_of_issue=ext.place_of_issue if required else None,
        )
    ]


def check_dates(ext: CfdiExtraction, m: FolioManifest, as_of: date, rs: Ruleset) -> list[Finding]:
    """CFDI-020: outside the policy's validity, or older than the prescription limit."""
    if ext.issued_at is None:
        return []
    issued = ext.issued_at.date()
    reasons = []
    policy = m.policy
    if policy and policy.valid_from and issued < policy.valid_from:
        reasons.append(f"es anterior al inicio de vigencia de la póliza ({policy.valid_from:%d/%m/%Y})")
    if policy and policy.valid_to and issued > policy.valid_to:
        reasons.append(f"es posterior al fin de vigencia de la póliza ({policy.valid_to:%d/%m/%Y})")
    years = rs.thresholds.invoice_max_age_years
    limit = as_of - relativedelta(years=years)  # 29 February: the 28th
    if issued < limit:
        reasons.append(f"tiene más de {years} años respecto a la fecha de recepción")
    if not reasons:
        return []
    return [
        _f(
            "CFDI-020",
            "date",
            {"issued": issued, "reasons": " y ".join(reasons)},
            issued_on=issued.isoformat(),
            valid_from=_iso(policy.valid_from if policy else None),
            valid_to=_iso(policy.valid_to if policy else None),
            oldest_accepted=limit.isoformat(),
        )
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def check_chain(chain: Any, seal: Any = None, outcome: Outcome = Outcome.WARN) -> list[Finding]:
    """CFDI-021: certificate not issued by a CA in the trust store, or not valid on Fecha."""
    reasons = []
    if chain is not None and not chain.trusted and chain.reason != "no_certificate":
        reasons.append(chain.reason)
    if seal is not None and seal.valid_at_issue is False:
        reasons.append("certificate_not_valid_at_issue")
    if not reasons:
        return []
    return [
        rule("CFDI-021").finding(
            rule("CFDI-021").message("untrusted_chain"),
            _present(
                {
                    "reasons": reasons,
                    "issuer": chain.issuer if chain else None,
                    "trust_store": chain.store if chain else None,
                }
            ),
            outcome=outcome,
        )
    ]


# -------------------------------------------------------------------------------- foreign


def validate_foreign_invoice(ext: ForeignInvoiceExtraction, ctx: DocumentContext) -> list[Finding]:
    """FOR-001 (excluded country) and FOR-002 (unreadable essentials). The invoice's own country
    wins; when it could not be read, the declared country of care stands in for it."""
    rs, m = ctx.ruleset, ctx.manifest
    out = []
    country = (ext.country or "").upper() or None
    source = "invoice" if country else "service_country"
    country = country or (m.service_country if m.abroad else None)
    if country and country in set(rs.excluded_countries):
        out.append(
            _f(
                "FOR-001",
                "excluded_country",
                country=country,
                source=source,
            )
        )
    missing = [
        label
        for label, value in (("total", ext.total), ("fecha", ext.issued_on), ("proveedor", ext.provider_name))
        if value is None
    ]
    if missing:
        out.append(
            _f(
                "FOR-002",
                "unreadable_fields",
                {"missing": ", ".join(missing)},
                missing=missing,
            )
        )
    return out


# ------------------------------------------------------------------------------ folio level


@dataclass(frozen=True)
class InvoiceFile:
    """What folio-level CFDI rules need from one file."""

    file: str
    kind: str  # cfdi_xml | payment_complement | invoice_pdf | foreign_invoice
    uuid: str | None = None
    doc_type: str | None = None


@dataclass
class CfdiFolioFindings:
    findings: list[Finding] = field(default_factory=list)  # folio-level (CFDI-013)
    document_findings: dict[str, list[Finding]] = field(default_factory=dict)  # CFDI-010, CFDI-012, CFDI-016
    # Payment complement file -> its link to the folio's invoices (JSON-ready; no rule code:
    # a complement may pay an invoice submitted in an earlier folio). See payment_links().
    payment_links: dict[str, dict[str, Any]] = field(default_factory=dict)


def _stem(name: str) -> str:
    return (name.rsplit(".", 1)[0] if "." in name else name).upper()


def pairing_findings(files: Sequence[InvoiceFile], service_country: str) -> dict[str, list[Finding]]:
    """CFDI-010: for care in Mexico every invoice XML needs its PDF and every invoice PDF its
    XML; paired by the UUID read in the PDF, else by file stem."""
    if service_country != "MX":
        return {}
    xmls = [f for f in files if f.kind == "cfdi_xml"]
    pdfs = [f for f in files if f.kind == "invoice_pdf"]
    paired_xml: set[str] = set()
    paired_pdf: set[str] = set()
    by_uuid: dict[str, list[str]] = {}
    for x in xmls:
        if x.uuid:
            by_uuid.setdefault(x.uuid.upper(), []).append(x.file)
    by_stem: dict[str, list[str]] = {}
    for x in xmls:
        by_stem.setdefault(_stem(x.file), []).append(x.file)
    for p in pdfs:
        match = by_uuid.get((p.uuid or "").upper()) or by_stem.get(_stem(p.file))
        if match:
            paired_pdf.add(p.file)
            paired_xml.update(match)
    out: dict[str, list[Finding]] = {}
    for x in xmls:
        if x.file not in paired_xml:
            out.setdefault(x.file, []).append(
                _f(
                    "CFDI-010",
                    "missing_pdf",
                    missing="pdf",
                    uuid=x.uuid,
                )
            )
    for p in pdfs:
        if p.file not in paired_pdf:
            out.setdefault(p.file, []).append(
                _f(
                    "CFDI-010",
                    "missing_xml",
                    missing="xml",
                    uuid=p.uuid,
                )
            )
    return out


def duplicate_uuid_findings(files: Sequence[InvoiceFile]) -> dict[str, list[Finding]]:
    """CFDI-012 (inside the folio): the same UUID in two different XML files. The first file by
    name is kept; each later one is rejected naming it. Byte-identical files are PKG-007 and
    must not be passed here."""
    first: dict[str, str] = {}
    out: dict[str, list[Finding]] = {}
    for f in sorted(
        (f for f in files if f.kind in ("cfdi_xml", "payment_complement") and f.uuid), key=lambda f: f.file
    ):
        key = (f.uuid or "").upper()  # never empty: filtered above
        if key in first:
            out.setdefault(f.file, []).append(
                _f(
                    "CFDI-012",
                    "repeated",
                    {"uuid": f.uuid, "first_file": first[key]},
                    uuid=f.uuid,
                    same_as=first[key],
                )
            )
        else:
            first[key] = f.file
    return out


def invoice_count_findings(files: Sequence[InvoiceFile], ruleset: Ruleset) -> list[Finding]:
    """CFDI-013: invoices in the claim = distinct type-I CFDI UUIDs (or XML files without one)
    plus foreign invoices."""
    keys = set()
    for f in files:
        if f.kind == "cfdi_xml" and f.doc_type in ("I", None):
            keys.add(("uuid", f.uuid.upper()) if f.uuid else ("file", f.file))
        elif f.kind == "foreign_invoice":
            keys.add(("file", f.file))
    limit = ruleset.thresholds.max_invoices
    if len(keys) <= limit:
        return []
    return [
        _f(
            "CFDI-013",
            "too_many",
            {"count": len(keys), "limit": limit},
            count=len(keys),
            limit=limit,
        )
    ]


def invoice_files(docs: Iterable[EvaluatedDocument]) -> list[InvoiceFile]:
    """From validators.context.EvaluatedDocument: the invoice files, byte duplicates left out."""
    out = []
    for d in docs:
        kind = getattr(d.kind, "value", d.kind)
        if kind not in ("cfdi_xml", "payment_complement", "invoice_pdf", "foreign_invoice"):
            continue
        if getattr(d, "duplicate_of", None):
            continue
        ext = d.extraction
        doc_type = getattr(ext, "doc_type", None)
        if kind == "cfdi_xml" and doc_type == "P":  # a type-P CFDI is a payment complement, whatever its label
            kind = "payment_complement"
        out.append(InvoiceFile(d.file, kind, getattr(ext, "uuid", None), doc_type))
    return out


def _cfdis(docs: Iterable[EvaluatedDocument], doc_type: str) -> list[tuple[str, CfdiExtraction]]:
    """(file, extraction) of the CFDI of that TipoDeComprobante, byte duplicates left out."""
    out = []
    for d in docs:
        ext = d.extraction
        if getattr(d, "duplicate_of", None) or not isinstance(ext, CfdiExtraction) or ext.doc_type != doc_type:
            continue
        out.append((d.file, ext))
    return sorted(out, key=lambda pair: pair[0])


def payment_links(docs: Sequence[EvaluatedDocument]) -> dict[str, dict[str, Any]]:
    """Payment complements (type P, Pagos 2.0) linked to the folio's invoices by IdDocumento:
    complement file -> {related_documents, linked_invoices: {uuid: invoice file}, unlinked}.
    A complement that points to no invoice of the folio is recorded here (`unlinked`), not as a
    finding: RULES.md has no code for it, and it may pay an invoice of an earlier folio."""
    invoices: dict[str, str] = {}
    for name, ext in _cfdis(docs, "I"):
        if ext.uuid:
            invoices.setdefault(ext.uuid.upper(), name)
    out = {}
    for name, ext in _cfdis(docs, "P"):
        related = [u.upper() for u in ext.related_documents]
        out[name] = {
            "uuid": ext.uuid,
            "related_documents": related,
            "linked_invoices": {u: invoices[u] for u in related if u in invoices},
            "unlinked": [u for u in related if u not in invoices],
        }
    return out


def _csfs(docs: Iterable[EvaluatedDocument]) -> list[tuple[str, CsfExtraction]]:
    return sorted(
        (
            (d.file, d.extraction)
            for d in docs
            if isinstance(d.extraction, CsfExtraction) and not getattr(d, "duplicate_of", None)
        ),
        key=lambda pair: pair[0],
    )


def _party_csf(csfs: list[tuple[str, CsfExtraction]], declared: str | None) -> tuple[str, CsfExtraction] | None:
    """The party's CSF: the one carrying the declared RFC; without a declared RFC, the folio's
    only CSF. A CSF of another RFC than the declared one is CSF-004's, not compared here."""
    if declared:
        return next(((n, c) for n, c in csfs if (c.rfc or "").upper() == declared.upper()), None)
    return csfs[0] if len(csfs) == 1 else None


def party_csf_findings(
    manifest: FolioManifest, ruleset: Ruleset, docs: Sequence[EvaluatedDocument]
) -> dict[str, list[Finding]]:
    """CFDI-016 (warn): an invoice's party data differ from that party's CSF in the folio. In
    reimbursements the receiver (RFC, name, DomicilioFiscalReceptor, RegimenFiscalReceptor) of
    each invoice issued to the holder (not to the insurer or to a distinct contractor) against
    the holder's CSF; in provider billing the issuer (RFC, name, RegimenFiscal) against the
    provider's CSF. One finding per cause: when the RFCs differ, the other fields belong to
    another taxpayer and are not compared; and in reimbursements with a declared holder RFC an
    RFC difference is always already CFDI-009 (receiver not the holder) or CSF-004 (CSF not the
    holder's), so it is not repeated here."""
    claim = manifest.claim_type
    if claim not in (ClaimType.REEMBOLSO, ClaimType.PAGO_PROVEEDOR):
        return {}
    declared, _source = declared_rfc(manifest)
    found = _party_csf(_csfs(docs), declared)
    if found is None:
        return {}
    csf_file, csf = found
    csf_rfc = (csf.rfc or "").upper()
    insurers = set(ruleset.insurer_rfcs)
    holder_rfc = (manifest.holder.rfc or "").upper() if manifest.holder and manifest.holder.rfc else ""
    contractor = (manifest.contractor.rfc or "").upper() if manifest.contractor and manifest.contractor.rfc else ""
    out: dict[str, list[Finding]] = {}
    for name, ext in _cfdis(docs, "I"):
        if claim is ClaimType.REEMBOLSO:
            party, whose = "receiver", "del titular"
            rfc, party_name, regime = (ext.receiver_rfc or "").upper(), ext.receiver_name, ext.receiver_regime
            postal = ext.receiver_postal_code
            if rfc in insurers or (contractor and contractor != holder_rfc and rfc == contractor):
                continue
        else:
            party, whose = "issuer", "del proveedor"
            rfc, party_name, regime, postal = (ext.issuer_rfc or "").upper(), ext.issuer_name, ext.issuer_regime, None
        differences: list[dict[str, Any]] = []
        if rfc and csf_rfc and rfc != csf_rfc:
            if claim is ClaimType.REEMBOLSO and holder_rfc:
                continue
            differences.append({"field": "rfc", "invoice": mask_rfc(rfc), "csf": mask_rfc(csf_rfc)})
        else:
            if (
                party_name
                and csf.name
                and not same_person(party_name, csf.name, ruleset.honorifics, ruleset.legal_forms)
            ):
                differences.append({"field": "name", "invoice": party_name, "csf": csf.name})
            if postal and csf.postal_code and postal.strip() != csf.postal_code.strip():
                differences.append({"field": "postal_code", "invoice": postal, "csf": csf.postal_code})
            if regime and csf.regime_codes and regime not in csf.regime_codes:
                differences.append({"field": "regime", "invoice": regime, "csf": sorted(csf.regime_codes)})
        if not differences:
            continue
        labels = {
            "rfc": "RFC",
            "name": "nombre",
            "postal_code": "código postal del domicilio fiscal",
            "regime": "régimen fiscal",
        }
        shown = ", ".join(labels[d["field"]] for d in differences)
        role = "receptor" if party == "receiver" else "emisor"
        out.setdefault(name, []).append(
            _f(
                "CFDI-016",
                "mismatch",
                {"role": role, "shown": shown, "whose": whose},
                party=party,
                csf_file=csf_file,
                uuid=ext.uuid,
                differences=differences,
            )
        )
    return out


def folio_cfdi_findings(
    manifest: FolioManifest, ruleset: Ruleset, docs: Sequence[EvaluatedDocument], read: dict[str, Any] | None = None
) -> CfdiFolioFindings:
    """Every folio-level CFDI rule: CFDI-010, CFDI-012 and CFDI-016 (findings of documents),
    CFDI-013; plus the payment complements' links to the folio's invoices (`payment_links`)."""
    files = invoice_files(docs)
    result = CfdiFolioFindings()
    parts = (
        pairing_findings(files, manifest.service_country),
        duplicate_uuid_findings(files),
        party_csf_findings(manifest, ruleset, docs),
    )
    for part in parts:
        for name, found in part.items():
            result.document_findings.setdefault(name, []).extend(found)
    result.findings = invoice_count_findings(files, ruleset)
    result.payment_links = payment_links(docs)
    return result
