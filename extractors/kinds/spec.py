"""What a document kind is, in one value: how to recognise it, how to read it, which rules judge it.

Each module of this package declares one `KIND = KindSpec(...)`; the registry (this package's
`__init__`) finds them, and classification, extraction, per-kind validation and the reader
pool's preload list all read from it, so adding a kind is adding a module here (plus its
requirements in the rule set)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.extractions import Extraction
from domain.findings import Finding
from domain.kinds import DocumentKind
from validators.context import DocumentContext, KindRules, ReadResult

from ..content import DocumentContent


@dataclass(frozen=True)
class Signal:
    """A phrase (folded: upper case, no accents) whose presence votes for a kind, and its weight:
    titles and unique labels 6, supporting words 1 or 2."""

    phrase: str
    weight: int


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need besides the bytes: the CFDI trust store (extractors.cfdi_xml.TrustStore,
    None meaning SAT's production CAs) and SAT's stamp certificates (None: SelloSAT not checked)."""

    trust_store: Any = None
    stamp_certificates: Any = None


# (typed extraction, kind-specific parse result or None): what ReadDocument keeps.
Reader = Callable[[DocumentContent, ReadOptions], tuple[Extraction | None, Any]]


def no_rules(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    """For kinds with no rules of their own (completeness still counts them)."""
    return []


# An XML file's first 8 KiB -> why it is this kind, or None.
XmlRecogniser = Callable[[bytes], str | None]
# A PDF's or image's folded text -> the marker only this kind prints, or None.
Marker = Callable[[str], str | None]


@dataclass(frozen=True)
class KindSpec:
    """`read`: the kind's extractor. `rules`: its document-level validators (packaging and
    legibility rules run for every kind before them). How extractors.classify recognises it:
    `signals`, phrases in a PDF's or image's text; `marker`, a distinctive marker worth a title
    for documents without one; `recognise_xml`, for a kind that is an XML file."""

    kind: DocumentKind
    read: Reader
    rules: KindRules = no_rules
    signals: tuple[Signal, ...] = ()
    marker: Marker | None = None
    recognise_xml: XmlRecogniser | None = None

    @property
    def name_es(self) -> str:
        """Lives with the enum in the domain: validators, notices and reports name kinds too."""
        return self.kind.name_es
