"""The registry of document kinds: every module of this package that declares `KIND` (a
KindSpec) is a kind. Classification (extractors.classify), extraction (extractors.extract),
per-kind validation (`validate_document` below) and the reader pool's preload list
(extractors.sandbox) read from here, so a new kind is a new module here, its member in
domain.kinds and its requirements in the rule set (docs/architecture.md).

The modules are found with pkgutil on first use, not at import, and kept: sorted by name, so the
order (which breaks exact ties between kinds' scores) does not depend on the file system."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from domain.findings import Finding
from domain.kinds import DocumentKind
from validators import validate_document as validate_common
from validators.context import DocumentContext, ReadResult

from .spec import KindSpec, ReadOptions, Signal

__all__ = ["KindSpec", "KindRules", "ReadResult", "ReadOptions", "Signal", "kinds", "spec", "validate_document"]


@cache
def _modules() -> dict[str, KindSpec]:
    """module name -> its KindSpec, for every module of this package that declares one."""
    found: dict[str, KindSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared = getattr(module, "KIND", None)
        if isinstance(declared, KindSpec):
            found[module.__name__] = declared
    return found


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
