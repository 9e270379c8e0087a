import json

import pytest

from domain.folio import ManifestError, parse_manifest

BASE = {"folio": "RB-1", "claim_type": "reembolso", "received_at": "2026-11-20T10:15:00-06:00"}


def parse(**changes):
    return parse_manifest(json.dumps({**BASE, **changes}).encode())


def test_only_three_fields_are_required():
    manifest = parse()
    assert manifest.stage.value == "initial" and manifest.service_country == "MX" and not manifest.abroad


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"claim_type": "reembolzo"}, "claim_type"),
        ({"received_at": "2026-11-20T10:15:00"}, "received_at"),  # a time without offset is ambiguous
        ({"holder": {"name": "A", "rfc": "NOT-AN-RFC"}}, "holder.rfc"),
        ({"bank": {"clabe": "12345"}}, "bank.clabe"),
        ({"patient": {"name": "A", "relationship": "primo"}}, "patient.relationship"),
        ({"policy": {"number": "1", "valid_from": "ayer"}}, "policy.valid_from"),
        ({"documents": [{"file": "a.pdf", "declared_kind": "selfie"}]}, "documents.0.declared_kind"),
        ({"portl": "typo"}, "portl"),  # unknown fields are refused, not ignored
    ],
)
def test_a_bad_field_gives_one_message_naming_it(changes, field):
    with pytest.raises(ManifestError, match=rf"field '{field}'"):
        parse(**changes)


def test_missing_required_field_is_named():
    raw = json.dumps({"folio": "RB-1", "claim_type": "reembolso"}).encode()
    with pytest.raises(ManifestError, match="field 'received_at'"):
        parse_manifest(raw)


@pytest.mark.parametrize(
    "raw, why",
    [
        (b"", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"{" * 100_000, "nested too deeply|not valid JSON"),
        (b'{"folio": "' + b"x" * 2_000_000 + b'"}', "too large"),
        (b"\xff\xfe{}", "not valid JSON"),
    ],
)
def test_unusable_json_is_refused_with_the_reason(raw, why):
    with pytest.raises(ManifestError, match=why):
        parse_manifest(raw)


def test_declared_kind_is_looked_up_by_file_name():
    manifest = parse(documents=[{"file": "f.pdf", "declared_kind": "invoice_pdf"}])
    assert manifest.declared_kind("f.pdf").value == "invoice_pdf"
    assert manifest.declared_kind("g.pdf") is None
