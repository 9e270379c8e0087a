"""Classification accuracy over the labelled set (tests/labelled/generate.py): every kind,
several layouts each, digital and scanned. The measured accuracy is printed for the README."""

from __future__ import annotations

from collections import Counter

from labelled.generate import labelled_set
from labelled.reads import read_labelled

TARGETS = {"digital": 0.98, "scanned": 0.95}


def test_the_set_is_large_and_varied():
    items = labelled_set()
    assert len(items) >= 60
    groups = Counter(item.group for item in items)
    assert groups["digital"] >= 30 and groups["scanned"] >= 20
    layouts: dict[str, set[str]] = {}
    for item in items:
        layouts.setdefault(item.kind, set()).add(item.layout)
    for kind, seen in layouts.items():
        if kind not in ("cfdi_xml", "invoice_pdf"):  # CFDI come from the samples, one layout
            assert len(seen) >= 2, kind
    assert any(item.name.endswith(".jpg") for item in items)


def test_accuracy_per_group_meets_the_targets(capsys):
    right, total, misses = Counter(), Counter(), []
    for item, doc in read_labelled():
        total[item.group] += 1
        if doc.kind.value == item.kind:
            right[item.group] += 1
        else:
            misses.append((item.name, item.kind, doc.kind.value, doc.classification and doc.classification.reason))
    with capsys.disabled():
        for group in sorted(total):
            print(f"\nlabelled set, {group}: {right[group]}/{total[group]} = {right[group] / total[group]:.1%}")
    for group, target in TARGETS.items():
        assert right[group] / total[group] >= target, (group, misses)


def test_every_classification_says_why_and_how_sure():
    for item, doc in read_labelled():
        assert doc.classification is not None, item.name
        assert 0 < doc.classification.confidence <= 1, item.name
        assert doc.classification.reason, item.name


def test_scans_went_through_ocr_with_word_confidences():
    scanned = [(item, doc) for item, doc in read_labelled() if item.group == "scanned"]
    assert scanned
    for item, doc in scanned:
        info = doc.content.text_info
        assert info.ocr and info.ocr_words and info.ocr_mean_confidence is not None, item.name
