"""The read step: every file worth reading, through the extraction cache (a file read before
under the same rule set and reading context is not read again) and, for the rest, the reader
sandbox with its per-document budgets."""

from __future__ import annotations

from domain.extractions import CfdiExtraction
from domain.kinds import DocumentKind
from extractors import ReadDocument, sandbox

from .originals import StoredFolio
from .packaging import PackagingResult
from .services import Services

_CFDI_KINDS = (DocumentKind.CFDI_XML, DocumentKind.PAYMENT_COMPLEMENT)


def read_documents(stored: StoredFolio, packaging: PackagingResult, services: Services) -> dict[str, ReadDocument]:
    """name -> ReadDocument for every file packaging let through, in its order."""
    ruleset, cache = services.ruleset, services.extraction_cache
    facts = {f.name: f for f in stored.files}
    out: dict[str, ReadDocument | None] = {}
    keys, jobs = {}, []
    for name in packaging.to_read:
        declared = stored.manifest.declared_kind(name)
        key = (facts[name].sha256, name, declared.value if declared else None, ruleset.thresholds.min_text_chars)
        doc = cache.get(key[0], stored.data[name], *key[1:])
        if doc is None:  # read below, in the sandbox, within the per-document budgets
            keys[name] = key
            jobs.append(sandbox.ReadJob(name, stored.data[name], facts[name].media_type, declared))
        out[name] = doc
    if not jobs:  # all from the cache, or nothing to read (a folio refused whole)
        return {name: doc for name, doc in out.items() if doc is not None}
    fresh = sandbox.read(
        jobs, ruleset.thresholds, trust_store=services.trust_store, stamp_certificates=services.stamp_certificates
    )
    out.update(fresh)
    # an overrun may pass under less load: not kept
    cache.put_many([(keys[name][0], doc, *keys[name][1:]) for name, doc in fresh.items() if not doc.overran])
    return {name: doc for name, doc in out.items() if doc is not None}


def cfdi_uuids(read: dict[str, ReadDocument]) -> dict[str, str]:
    """UUID -> file, for the cross-folio index (CFDI-012)."""
    out: dict[str, str] = {}
    for name, doc in read.items():
        ext = doc.extraction
        if isinstance(ext, CfdiExtraction) and ext.uuid and doc.kind in _CFDI_KINDS:
            out.setdefault(ext.uuid.upper(), name)
    return out
