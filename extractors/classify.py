"""Which kind a document is, from what it says: titles and phrases for PDFs and OCR'd images, the
root element for XML. The portal's declared kind is only a tie-breaker, because claimants pick
the wrong upload slot all the time."""

from __future__ import annotations

from domain.decision import Classification
from domain.kinds import DocumentKind as K

from . import kinds, sniff
from .content import DocumentContent
from .text import fold

TITLE_WINDOW = 600  # a phrase in the document's head is a title, and weighs more
MIN_SCORE = 5  # below this nothing was recognised: the kind is `other` (REQ-002)
# A kind scoring this much has its title and labels: distinctive markers (worth MIN_SCORE) are not
# looked for, which spares validating CLABEs and reading periods on every document.
STRONG_SCORE = 2 * MIN_SCORE + 2
XML_HEAD = 8192  # an XML kind is recognised from this many first bytes


def classify(content: DocumentContent, declared: K | None = None) -> Classification:
    if content.media_type == sniff.XML:
        return _classify_xml(content, declared)
    return classify_folded(content.folded, declared)


def _classify_xml(content: DocumentContent, declared: K | None) -> Classification:
    head = content.data[:XML_HEAD]
    for spec in kinds.kinds():
        if spec.recognise_xml is not None and (reason := spec.recognise_xml(head)):
            return Classification(kind=spec.kind, confidence=1.0, reason=reason, declared_kind=declared)
    # Any other XML is judged as a CFDI so that the claimant hears why it is not one (CFDI-001).
    return Classification(
        kind=K.CFDI_XML, confidence=0.5, reason="XML sin raíz cfdi:Comprobante reconocible", declared_kind=declared
    )


def classify_text(text: str, declared: K | None = None) -> Classification:
    return classify_folded(fold(text), declared)


def distinctive_markers(folded: str) -> dict[K, str]:
    """Markers only one kind prints, worth a whole title (each kind's `marker`: an idCIF with its
    number on SAT's certificate, a CLABE that verifies next to a statement period on a bank
    statement). A document showing one is that kind even when its other fields are missing, so
    it gets that kind's precise finding (CSF-005, BANK-006) instead of `other`."""
    found: dict[K, str] = {}
    for spec in kinds.kinds():
        if spec.marker is not None and (marker := spec.marker(folded)):
            found[spec.kind] = marker
    return found


def classify_folded(folded: str, declared: K | None = None) -> Classification:
    """`folded`: the text through extractors.text.fold."""
    head = folded[:TITLE_WINDOW]
    scores: dict[K, int] = {}
    hits: dict[K, list[str]] = {}
    for spec in kinds.kinds():
        kind = spec.kind
        for signal in spec.signals:
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
