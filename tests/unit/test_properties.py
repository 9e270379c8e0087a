"""Property tests: whatever an extractor hands them, validators answer with findings, never an
exception; whatever bytes an uploader sends, the CFDI and CSF readers answer, never raise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.config import default_ruleset
from domain.extractions import (
    BankStatementExtraction,
    CfdiExtraction,
    Concept,
    CsfExtraction,
    ForeignInvoiceExtraction,
    TaxLine,
    TextInfo,
)
from domain.findings import Finding
from domain.folio import FolioManifest
from extractors.content import DocumentContent
from validators.context import DocumentContext

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = default_ruleset()
SAMPLE_XML = next((Path(__file__).resolve().parents[2] / "samples" / "folios" / "RB-2026-000101").glob("*.xml"))

text = st.one_of(st.none(), st.text(max_size=40))
dates = st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
money = st.one_of(
    st.none(), st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
)
rfc = st.one_of(st.none(), st.from_regex(r"[A-Z&Ñ]{3,4}[0-9]{6}[A-Z0-9]{3}", fullmatch=True), st.text(max_size=14))
text_info = st.builds(
    TextInfo,
    pages=st.integers(0, 50),
    chars=st.integers(0, 10_000),
    ocr=st.booleans(),
    ocr_mean_confidence=st.one_of(st.none(), st.floats(0, 100)),
    ocr_words=st.one_of(st.none(), st.integers(0, 999)),
)

manifests = st.builds(
    lambda claim_type, stage, country, holder_rfc, provider: FolioManifest.model_validate(
        {
            "folio": "P-1",
            "claim_type": claim_type,
            "stage": stage,
            "received_at": "2026-11-20T10:00:00-06:00",
            "service_country": country,
            "insurer_rfc": "BMS030731PC4",
            "holder": {"name": "MARIA LOPEZ", "rfc": holder_rfc} if holder_rfc else None,
            "provider": provider,
            "bank": {"clabe": "012180001234567897", "holder": "MARIA LOPEZ"},
            "policy": {"valid_from": "2026-01-01", "valid_to": "2026-12-31"},
        }
    ),
    claim_type=st.sampled_from(["reembolso", "pago_proveedor", "datos_fiscales", "alta_cuenta"]),
    stage=st.sampled_from(["initial", "subsequent"]),
    country=st.sampled_from(["MX", "US", "CU"]),
    holder_rfc=st.sampled_from([None, "LOGM850312QH4", "BMS030731PC4"]),
    provider=st.sampled_from([None, {"name": "ANA ROSALES", "rfc": "ROSA800101AB4", "care_order_account": "OA-1"}]),
)


def context(manifest, media_type="application/pdf") -> DocumentContext:
    return DocumentContext(manifest, date(2026, 11, 20), RULES, "doc.pdf", media_type)


def assert_findings(found) -> None:
    assert isinstance(found, list) and all(isinstance(f, Finding) for f in found)


@SETTINGS
@given(
    st.builds(
        CsfExtraction,
        rfc=rfc,
        curp=text,
        name=text,
        postal_code=text,
        status=text,
        issued_on=dates,
        regimes=st.lists(st.text(max_size=30), max_size=4),
        id_cif=text,
        text=text_info,
    ),
    manifests,
    st.sampled_from(["application/pdf", "image/jpeg"]),
)
def test_csf_rules_never_raise(extraction, manifest, media_type):
    from validators.csf import validate_csf

    assert_findings(validate_csf(extraction, context(manifest, media_type)))


@SETTINGS
@given(
    st.builds(
        BankStatementExtraction,
        bank_name=text,
        holder_name=text,
        clabe=st.one_of(st.none(), st.from_regex(r"[0-9]{18}", fullmatch=True), st.text(max_size=20)),
        period_start=dates,
        period_end=dates,
        text=text_info,
    ),
    manifests,
)
def test_bank_rules_never_raise(extraction, manifest):
    from validators.bank import validate_bank_statement

    assert_findings(validate_bank_statement(extraction, context(manifest)))


@SETTINGS
@given(
    st.builds(
        ForeignInvoiceExtraction,
        provider_name=text,
        country=st.one_of(st.none(), st.text(max_size=3)),
        issued_on=dates,
        total=money,
        currency=text,
    ),
    manifests,
)
def test_foreign_invoice_rules_never_raise(extraction, manifest):
    from validators.cfdi import validate_foreign_invoice

    assert_findings(validate_foreign_invoice(extraction, context(manifest)))


concepts = st.lists(
    st.builds(
        Concept,
        clave_prod_serv=st.from_regex(r"[0-9]{8}", fullmatch=True),
        description=st.text(max_size=60),
        amount=st.decimals(0, 10**6, places=2),
        discount=st.one_of(st.none(), st.decimals(0, 10**3, places=2)),
    ),
    max_size=4,
)


@SETTINGS
@given(
    st.builds(
        CfdiExtraction,
        version=st.sampled_from([None, "4.0", "3.3", "3.2"]),
        uuid=text,
        serie=text,
        folio=text,
        doc_type=st.sampled_from([None, "I", "E", "P", "N", "T"]),
        issuer_rfc=rfc,
        issuer_name=text,
        issuer_regime=st.sampled_from([None, "601", "612", "626", "605"]),
        receiver_rfc=rfc,
        receiver_name=text,
        payment_method=st.sampled_from([None, "PUE", "PPD"]),
        currency=st.sampled_from([None, "MXN", "USD", "JPY"]),
        subtotal=money,
        discount=money,
        total=money,
        total_transferred=money,
        total_withheld=money,
        concepts=concepts,
        withholdings=st.lists(
            st.builds(TaxLine, tax=st.sampled_from(["001", "002", "ISH"]), amount=st.decimals(0, 10**5, places=2)),
            max_size=3,
        ),
        issued_at=st.one_of(st.none(), st.datetimes()),
    ),
    manifests,
)
def test_cfdi_rules_never_raise_on_any_extraction(extraction, manifest):
    from extractors.cfdi_xml import CfdiParse
    from validators.cfdi import validate_cfdi

    parse = CfdiParse(extraction=extraction, version=extraction.version)
    assert_findings(validate_cfdi(parse, context(manifest, "application/xml")))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_cfdi_reader_answers_any_mutation_of_a_real_invoice(data):
    """Fuzz target: byte flips, truncations and insertions into a signed, stamped CFDI."""
    from extractors.cfdi_xml import parse_cfdi

    original = bytearray(SAMPLE_XML.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        at = data.draw(st.integers(0, max(0, len(original) - 1)))
        if op == "flip" and original:
            original[at] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del original[at:]
        else:
            original[at:at] = data.draw(st.binary(max_size=16))
    parse = parse_cfdi(bytes(original))
    assert parse.ok or parse.error  # an answer either way, never an exception


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_csf_and_bank_readers_answer_any_text(page):
    from extractors.bank_statement import extract_bank_statement
    from extractors.csf import extract_csf

    content = DocumentContent("x.pdf", b"%PDF-", "application/pdf", (page,), TextInfo(pages=1, chars=len(page)))
    assert isinstance(extract_csf(content), CsfExtraction)
    assert isinstance(extract_bank_statement(content), BankStatementExtraction)
