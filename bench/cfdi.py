"""Benchmark: CFDI offline validation per document, against the floor of doing the three
unavoidable steps (lxml parse, compiled XSD validate, seal verify) directly in the same run.

    .venv/bin/python bench/cfdi.py [-n 1000]

Documents are signed and stamped CFDI 4.0 made with samples.builders.cfdi (10 issuers, 1-3
concepts, some with ISR and cedular retentions), so the numbers include real RSA verification.
The "full" row also verifies the TFD's SelloSAT against the samples' stamp-certificate directory
(a second RSA verification the floor does not do). The bench issuers' CSDs are created in
samples.builders.cfdi.SCRATCH_PKI_DIR (a temporary directory), never under samples/pki."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from domain.config import default_ruleset
from domain.folio import FolioManifest
from extractors import cfdi_xml as cx
from samples.builders.cfdi import Line, Party, build_cfdi, stamp_certificates_dir, trust_store_dir
from validators.cfdi import validate_cfdi
from validators.context import DocumentContext


def make_documents(n: int) -> list[bytes]:
    insurer = Party("BMS030731PC4", "BUPA MEXICO COMPANIA DE SEGUROS", "601", "11000")
    issuers = [Party(f"GOM{800101 + i:06d}AB{i % 10}", f"MEDICO DE PRUEBA {i}", "612", "44100") for i in range(10)]
    docs = []
    for i in range(n):
        lines = [
            Line("85121600", f"Consulta {i}-{k}", Decimal(1 + k), Decimal(500 + i % 97) + Decimal("0.25"), None)
            for k in range(1 + i % 3)
        ]
        docs.append(
            build_cfdi(
                uuid=f"6F1C2A3B-0000-4000-8000-{i:012d}",
                issuer=issuers[i % 10],
                receiver=insurer,
                lines=lines,
                issued_at=datetime(2026, 1, 1, 9) + timedelta(hours=i),
                folio=str(1000 + i),
                cfdi_use="G03",
                isr_withholding_rate=Decimal("0.10") if i % 2 else None,
                cedular_rate=Decimal("0.03") if i % 4 == 1 else None,
            )
        )
    return docs


def floor_once(data: bytes, schema, xslt) -> None:
    """The minimum: strict parse, XSD, cadena + RSA verify with an already-parsed certificate."""
    root = cx.parse_xml(data)
    assert schema.validate(root)
    info = cx._certificate_info(root.get("Certificado"))
    import base64

    info.cert.public_key().verify(
        base64.b64decode(root.get("Sello")), str(xslt(root)).encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def timed(fns, docs) -> list[list[float]]:
    """ms per document for each function, interleaved document by document so that a load
    spike on a shared machine hits every row alike instead of skewing one row's ratio."""
    out: list[list[float]] = [[] for _ in fns]
    for d in docs:
        for fn, ms in zip(fns, out, strict=True):
            t = time.perf_counter()
            fn(d)
            ms.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # pyOpenSSL inside satcfdi
    t0 = time.perf_counter()
    docs = make_documents(args.n)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cx.warm_up(("4.0",))
    warm_s = time.perf_counter() - t0
    store = cx.trust_store_from_dir(str(trust_store_dir()))
    stamps = cx.stamp_certificates_from_dir(str(stamp_certificates_dir()))
    schema, xslt = cx.compiled_schema("4.0"), cx._cadena_xslt("4.0")
    rs = default_ruleset()
    manifest = FolioManifest.model_validate(
        {"folio": "BENCH-1", "claim_type": "reembolso", "received_at": "2026-11-20T10:00:00-06:00"}
    )

    def checks_only(d):  # this module's parse + XSD + seal + chain, without the satcfdi extraction
        root = cx.parse_xml(d)
        cx.schema_errors(root, "4.0")
        _, info = cx.verify_seal(root, "4.0", root[0].get("Rfc"), None)
        cx.verify_chain(info, store)

    def full(d):
        p = cx.parse_cfdi(d, trust_store=store, stamp_certificates=stamps)
        assert p.stamp.verified, p.stamp
        validate_cfdi(
            p, DocumentContext(manifest, date(2026, 11, 20), rs, f"{p.extraction.uuid}.xml", "application/xml")
        )

    for d in docs[:20]:  # warm caches (certificates, catalogue sets) outside the timed loops
        floor_once(d, schema, xslt), checks_only(d), full(d)
    labels = (
        "floor: lxml parse + XSD + seal (direct)",
        "parse_xml + schema_errors + verify_seal + chain",
        "full: parse_cfdi (incl. satcfdi extraction, SelloSAT) + validate_cfdi",
    )
    rows = list(zip(labels, timed((lambda d: floor_once(d, schema, xslt), checks_only, full), docs), strict=True))
    floor = statistics.mean(rows[0][1])
    print(f"{args.n} signed+stamped CFDI 4.0 (built in {build_s:.1f} s; schema/XSLT warm-up {warm_s:.2f} s)")
    print(f"{'stage':<70} {'mean ms':>8} {'p50':>7} {'p95':>7} {'max':>7} {'x floor':>8}")
    for label, ms in rows:
        ms_sorted = sorted(ms)
        p95 = ms_sorted[int(len(ms_sorted) * 0.95) - 1]
        print(
            f"{label:<70} {statistics.mean(ms):8.3f} {statistics.median(ms):7.3f} {p95:7.3f} {max(ms):7.3f} "
            f"{statistics.mean(ms) / floor:8.2f}"
        )


if __name__ == "__main__":
    main()
