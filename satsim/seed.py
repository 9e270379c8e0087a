"""Seed the SAT SIMULATOR's table from folios on disk, so a demo routes meaningfully offline.

Every CFDI found becomes a `Vigente` row bound to its own expression (issuer, receiver, total,
seal tail: a query that does not match answers 602 as SAT does); every PDF tax-status
certificate with an idCIF becomes a validation page that says what the certificate says (same
status, name, postal code, regimes), so the online cross-check neither adds nor removes a
finding for the samples. Files are read with the project's own extractors; only `.xml` and
`.pdf` files are opened (no OCR), and a file that cannot be read is skipped, not fatal."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .server import SatSimulator

log = logging.getLogger("satsim.seed")
_SUFFIXES = (".xml", ".pdf")


def seed_from_folios(sim: SatSimulator, folio_dirs: Iterable[Path]) -> dict[str, int]:
    """Teach `sim` every CFDI and CSF of `folio_dirs` (folders holding a folio.json, or a folder
    of such folders). Returns how many rows of each kind were added."""
    import extractors
    from domain.kinds import DocumentKind as K

    added = {"cfdi": 0, "csf": 0}
    certificates: dict[tuple[str, str], list] = {}
    for path in _files(folio_dirs):
        try:
            data = path.read_bytes()
            doc = extractors.read_document(path.name, data, extractors.sniff_media_type(data))
        except Exception as exc:  # noqa: BLE001 - a broken sample must not stop the simulator
            log.warning("seed: skipping %s: %s", path.name, exc)
            continue
        ext = doc.extraction
        if doc.unreadable or ext is None:
            continue
        if (
            doc.kind in (K.CFDI_XML, K.PAYMENT_COMPLEMENT)
            and ext.uuid
            and ext.issuer_rfc
            and ext.receiver_rfc
            and ext.total is not None
        ):
            sim.add_cfdi(
                ext.uuid,
                "Vigente",
                issuer_rfc=ext.issuer_rfc,
                receiver_rfc=ext.receiver_rfc,
                total=str(ext.total),
                seal_tail=ext.seal_tail,
            )
            added["cfdi"] += 1
        elif doc.kind is K.TAX_STATUS_CERTIFICATE and getattr(ext, "id_cif", None) and getattr(ext, "rfc", None):
            certificates.setdefault((ext.id_cif, ext.rfc.upper()), []).append((path, ext))
    for (id_cif, rfc), found in sorted(certificates.items()):
        # SAT has one current record per idCIF + RFC; certificates of it that disagree can only be
        # snapshots of different days, and the page shows the latest: the last issued wins.
        found.sort(key=lambda item: (item[1].issued_on or date.min, str(item[0])))
        path, ext = found[-1]
        if len({(e.status, e.name) for _, e in found}) > 1:
            log.warning(
                "seed: %d certificates of one idCIF disagree; the page follows the last issued, %s", len(found), path
            )
        kw = {"status": ext.status or "ACTIVO"}
        if ext.name:
            kw["razon_social" if len(rfc) == 12 else "name"] = ext.name
        if ext.postal_code:
            kw["postal_code"] = ext.postal_code
        if ext.regimes:
            kw["regimes"] = list(ext.regimes)
        sim.add_csf(id_cif, rfc, **kw)
        added["csf"] += 1
    return added


def _files(folio_dirs: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for root in folio_dirs:
        root = Path(root)
        folders = (
            [root]
            if (root / "folio.json").is_file()
            else sorted(p for p in root.iterdir() if p.is_dir() and (p / "folio.json").is_file())
            if root.is_dir()
            else []
        )
        for folder in folders:
            out += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
    return out
