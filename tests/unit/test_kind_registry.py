"""The registry of document kinds (extractors.kinds): one module per kind, every kind registered
once, and classification, extraction, per-kind rules and the reader pool's preload all read it."""

from __future__ import annotations

from datetime import date

import extractors
from domain.config import default_ruleset
from domain.extractions import FormExtraction, OtherExtraction, TextInfo
from domain.folio import FolioManifest
from domain.kinds import DocumentKind
from extractors import kinds, sandbox
from extractors.classify import classify_text
from extractors.content import DocumentContent
from extractors.kinds import KindSpec, Signal
from validators.context import DocumentContext


def test_every_kind_has_exactly_one_module_named_after_it():
    specs = kinds.kinds()
    assert [s.kind for s in specs] == list(DocumentKind)  # the domain's order breaks ties
    assert len({s.kind for s in specs}) == len(specs)
    for module, spec in zip(kinds.kind_modules(), specs, strict=True):
        assert module == f"extractors.kinds.{spec.kind.value}"


def test_spanish_name_is_the_domains():
    assert kinds.spec(DocumentKind.TAX_STATUS_CERTIFICATE).name_es == "constancia de situación fiscal"


def test_every_kind_read_from_pdf_or_image_has_signals():
    xml_kinds = {DocumentKind.CFDI_XML, DocumentKind.PAYMENT_COMPLEMENT, DocumentKind.OTHER}
    for spec in kinds.kinds():
        assert bool(spec.signals) == (spec.kind not in xml_kinds), spec.kind


def test_classification_reads_signals_from_the_registry(monkeypatch):
    invented = KindSpec(DocumentKind.CARE_ORDER, kinds.spec(DocumentKind.CARE_ORDER).read, signals=(Signal("ZZQX", 9),))
    monkeypatch.setattr(kinds, "kinds", lambda: (invented,))
    assert classify_text("ZZQX").kind is DocumentKind.CARE_ORDER


def test_extraction_dispatches_through_the_registry():
    content = DocumentContent(name="receta.pdf", data=b"", media_type="application/pdf", pages=("RECETA MEDICA",))
    extraction, parsed = extractors.extract(DocumentKind.PRESCRIPTION, content)
    assert isinstance(extraction, FormExtraction) and extraction.kind == "prescription" and parsed is None
    other, _ = extractors.extract(DocumentKind.OTHER, content)
    assert isinstance(other, OtherExtraction)


def test_kind_rules_run_after_the_common_ones(monkeypatch):
    called = []

    def rules(doc, ctx):
        called.append(doc.kind)
        return []

    monkeypatch.setattr(kinds, "spec", lambda kind: KindSpec(kind, lambda c, o: (None, None), rules))
    content = DocumentContent("f.pdf", b"", "application/pdf", ("x" * 100,), TextInfo(pages=1, chars=100))
    doc = extractors.ReadDocument("f.pdf", "application/pdf", DocumentKind.CLAIM_FORM, content=content)
    manifest = FolioManifest.model_validate(
        {
            "folio": "RB-2026-000001",
            "claim_type": "reembolso",
            "received_at": "2026-11-20T10:00:00-06:00",
            "holder": {"name": "MARIA FERNANDA LOPEZ GARCIA"},
        }
    )
    ctx = DocumentContext(manifest, date(2026, 11, 20), default_ruleset(), "f.pdf", "application/pdf")
    kinds.validate_document(doc, ctx)
    assert called == [DocumentKind.CLAIM_FORM]


def test_the_reader_pool_preloads_every_kind_module(monkeypatch):
    preloaded = []
    monkeypatch.setattr(
        "multiprocessing.context.ForkServerContext.set_forkserver_preload", lambda self, m: preloaded.extend(m)
    )
    sandbox._context()
    assert set(kinds.kind_modules()) <= set(preloaded)


def test_xml_kinds_and_markers_come_from_the_registry(monkeypatch):
    from extractors.classify import classify, distinctive_markers

    read = kinds.spec(DocumentKind.CARE_ORDER).read
    xml_kind = KindSpec(
        DocumentKind.PAYMENT_COMPLEMENT, read, recognise_xml=lambda head: "root" if b"<Z" in head else None
    )
    marked = KindSpec(DocumentKind.CARE_ORDER, read, marker=lambda folded: "QQ" if "QQ" in folded else None)
    monkeypatch.setattr(kinds, "kinds", lambda: (xml_kind, marked))
    xml = DocumentContent("z.xml", b"<Z/>", "application/xml")
    assert (classify(xml).kind, classify(xml).reason) == (DocumentKind.PAYMENT_COMPLEMENT, "root")
    assert distinctive_markers("QQ") == {DocumentKind.CARE_ORDER: "QQ"}
    assert classify_text("QQ").kind is DocumentKind.CARE_ORDER


def test_a_cfdi_and_a_payment_complement_are_told_apart_by_their_modules():
    from extractors.classify import classify

    root = b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" '
    invoice = DocumentContent("a.xml", root + b'TipoDeComprobante="I"/>', "application/xml")
    payment = DocumentContent("p.xml", root + b'TipoDeComprobante="P"/>', "application/xml")
    other = DocumentContent("o.xml", b"<root/>", "application/xml")
    assert classify(invoice).kind is DocumentKind.CFDI_XML and classify(invoice).confidence == 1.0
    assert classify(payment).kind is DocumentKind.PAYMENT_COMPLEMENT
    assert (classify(other).kind, classify(other).confidence) == (DocumentKind.CFDI_XML, 0.5)
