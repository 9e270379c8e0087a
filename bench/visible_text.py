"""Benchmark: what PKG-009 costs on ordinary documents.

    .venv/bin/python bench/visible_text.py [-n 5]

1. Hidden-text detection (extractors/visible_text.py): read_content of every PDF of bench/folio.py's
   typical folio with the page-object walk and without it (the loader's call replaced by a no-op),
   this process's CPU ms per folio and per PDF, best of `n` rounds (the machine is shared: the
   minimum is the cost, the rest is other people's load).
2. Key-field cross-check (extractors/key_fields.py): CPU ms (this process + tesseract) per
   digital CSF, bank statement and invoice PDF of the typical folio, median of `n`."""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def detection(pdfs: list[tuple[str, bytes]], rounds: int) -> dict[str, float]:
    import extractors.loader as loader

    real = loader.hidden_text
    best = {"with": float("inf"), "without": float("inf")}
    try:
        for _ in range(rounds):
            for label, check in (("with", real), ("without", lambda *args: [])):
                loader.hidden_text = check
                start = time.process_time()
                for _ in range(5):
                    for name, data in pdfs:
                        loader.read_content(name, data, "application/pdf")
                best[label] = min(best[label], (time.process_time() - start) / 5 * 1000)
    finally:
        loader.hidden_text = real
    return best


def cross_check(pdfs: list[tuple[str, bytes]], rounds: int) -> list[tuple[str, str, float, int]]:
    import extractors
    from extractors.key_fields import KEY_FIELDS
    from extractors.key_fields import cross_check as check

    rows = []
    for name, data in pdfs:
        doc = extractors.read_document(name, data, "application/pdf")
        if doc.kind not in KEY_FIELDS:
            continue
        times, found = [], None
        for _ in range(rounds):
            start = cpu()
            found = check(data, doc.kind, doc.extraction)
            times.append((cpu() - start) * 1000)
        rows.append((name, doc.kind.value, statistics.median(times), len(found or [])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5)
    args = parser.parse_args()
    from bench.folio import typical_folio

    folio = typical_folio(Path(tempfile.mkdtemp(prefix="bench-hidden-")))
    pdfs = [(p.name, p.read_bytes()) for p in sorted(folio.iterdir()) if p.suffix == ".pdf"]
    started = time.perf_counter()
    best = detection(pdfs, args.n)
    added = best["with"] - best["without"]
    print(f"typical folio, {len(pdfs)} PDFs, read_content CPU ms (best of {args.n}):")
    print("| | CPU ms |\n|---|---|")
    print(f"| without hidden-text detection | {best['without']:.1f} |")
    print(f"| with it | {best['with']:.1f} |")
    print(f"| added per folio / per PDF | {added:.1f} / {added / len(pdfs):.2f} |")
    print(f"\nkey-field cross-check, CPU ms per document (this process + tesseract), median of {args.n}:")
    print("| document | kind | CPU ms | disagreements |\n|---|---|---|---|")
    for name, kind, ms, found in cross_check(pdfs, args.n):
        print(f"| {name} | {kind} | {ms:.0f} | {found} |")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
