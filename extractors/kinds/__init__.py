"""The registry of document kinds: every module of this package that declares `KIND` (a
KindSpec) is a kind. Classification (extractors.classify), extraction (extractors.extract),
per-kind validation (`validate_document` below) and the reader pool's preload list
(extractors.sandbox) read from here.

A new kind touches:
- extractors/kinds/<kind>.py: how it is recognised (signals, a distinctive marker, or its XML
  root), its reader and its rules (a reader or validator of its own, if it needs one, goes in
  extractors/ and validators/ as usual);
- domain/kinds.py: its DocumentKind member and Spanish name (the domain names kinds in
  decisions, requirements and notices, and may import nothing above it);
- domain/extractions.py only when its extraction has fields of its own (a form-like kind adds
  its value to FormKind);
- domain/defaults/ruleset.yaml: where it is required (and rules_es.yaml for any new rule code).

The modules are found with pkgutil on first use, not at import, and kept in the order DocumentKind
declares the kinds (CONTRACT.md's): that order breaks exact ties between two kinds' scores in
classification (before the registry, the order of classify.SIGNALS did; over the labelled,
real-world and sample documents, 251 of them, the two orders classify every one alike)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from domain.findings import Finding
from domain.kinds import DocumentKind
from validators import validate_document as validate_common
from validators.context import DocumentContext, KindRules, ReadResult

from .spec import KindSpec, ReadOptions, Signal

__all__ = [
    "KindRules",
    "KindSpec",
    "ReadOptions",
    "ReadResult",
    "Signal",
    "kind_modules",
    "kinds",
    "spec",
    "validate_document",
]


@cache
def _modules() -> dict[str, KindSpec]:
    """module name -> its KindSpec, for every module of this package that declares one."""
    found: dict[str, KindSpec] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared = getattr(module, "KIND", None)
        if isinstance(declared, KindSpec):
            found[module.__name__] = declared
    order = list(DocumentKind)
    return dict(sorted(found.items(), key=lambda item: order.index(item[1].kind)))


def kinds() -> tuple[KindSpec, ...]:
    """Every registered kind, in the registry's order."""
    return tuple(_modules().values())


def kind_modules() -> list[str]:
    """The kinds' modules (and through them their readers), for the reader pool to preload."""
    return list(_modules())


@cache
def _by_kind() -> dict[DocumentKind, KindSpec]:
    return {s.kind: s for s in kinds()}


def spec(kind: DocumentKind) -> KindSpec:
    """The kind's spec; every DocumentKind has one (tests/unit/test_kind_registry.py)."""
    return _by_kind()[kind]


def validate_document(doc: ReadResult, ctx: DocumentContext) -> list[Finding]:
    """Every document-level rule for one read document (an extractors.ReadDocument): the rules
    of every file (validators.validate_document), then its kind's own."""
    return validate_common(doc, ctx, spec(doc.kind).rules)
