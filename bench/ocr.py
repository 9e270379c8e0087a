"""Benchmark: seconds per scanned page through the OCR path, against tesseract called directly on
the same image in its fastest good configuration, and peak memory for a 20-page scanned PDF.

    .venv/bin/python bench/ocr.py [-n 5]

The page is a sample CSF's first page rendered at 200 dpi and degraded like a scan (2° skew,
blur, noise, JPEG q70), upright, so the orientation check does not run (a turned page costs one
OSD run and a second read on top; reported separately). The floor is the faster of
`tesseract page.pgm - -l spa --psm 6 tsv` and the same on the JPEG file, OMP_THREAD_LIMIT=1, one
run at a time; the pipeline row is `extractors.loader.read_content` on the JPEG bytes (open,
verify, decompression-bomb check, grayscale, tesseract, TSV parse). Median wall seconds over n
runs; CPU seconds include the tesseract child. The 20-page PDF rows run in a child process so
its peak RSS is that of the read alone: the loader (first page only: it is a bank statement)
and all 20 pages OCR'd in parallel with `ocr_images`."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["OMP_THREAD_LIMIT"] = "1"

from samples.builders.bank import build_statement, make_clabe  # noqa: E402 - after the sys.path set-up above
from samples.builders.csf import build_csf, make_rfc  # noqa: E402 - after the sys.path set-up above
from samples.builders.scan import Degradation, degrade, render_pages, scanned_pdf, to_jpeg  # noqa: E402 - after the sys.path set-up above

HOW = Degradation(dpi=200, skew=2.0, blur=0.8, noise=30, quality=70, seed=3)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn, n: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(n):
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(walls), statistics.median(cpus)


def page_rows(n: int) -> list[tuple[str, float, float]]:
    import pytesseract

    from extractors.loader import read_content

    csf = build_csf(rfc=make_rfc("LOGM850312QH"), name="MARIA FERNANDA LOPEZ GARCIA", issued_on=date(2026, 11, 2))
    page = degrade(render_pages(csf, HOW.dpi, 1)[0], HOW)
    jpeg = to_jpeg(page, HOW.quality)
    turned = to_jpeg(page.rotate(90, expand=True), HOW.quality)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pgm, jpg = Path(tmp, "page.pgm"), Path(tmp, "page.jpg")
        page.save(pgm)
        jpg.write_bytes(jpeg)
        direct = []
        for path in (pgm, jpg):
            args = ["tesseract", str(path), "-", "-l", "spa", "--psm", "6", "tsv"]
            wall, cpu = _timed(lambda args=args: subprocess.run(args, capture_output=True, check=True), n)
            direct.append((wall, cpu, path.suffix))
        wall, cpu, suffix = min(direct)
        rows.append((f"floor: tesseract --psm 6 tsv on the {suffix[1:].upper()} file, directly", wall, cpu))
        rows.append(
            ("pipeline: read_content(JPEG bytes)", *_timed(lambda: read_content("p.jpg", jpeg, "image/jpeg"), n))
        )
        rows.append(
            (
                "pytesseract.image_to_data(PIL image), for comparison",
                *_timed(lambda: pytesseract.image_to_data(page, lang="spa", config="--psm 6"), n),
            )
        )
        rows.append(
            (
                "pipeline, page turned 90° (OSD + read upright)",
                *_timed(lambda: read_content("t.jpg", turned, "image/jpeg"), max(1, n // 2)),
            )
        )
    return rows


def child_pdf20(mode: str) -> None:
    """Run in a fresh process: read a 20-page scanned statement and print time and peak RSS."""
    from extractors.loader import read_content
    from extractors.ocr import ocr_images
    from samples.builders.scan import render_pages as render

    pdf = Path(sys.argv[3]).read_bytes()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0, t0 = _cpu(), time.perf_counter()
    if mode == "loader":
        content = read_content("estado.pdf", pdf, "application/pdf")
        pages = len(content.pages)
    else:
        images = render(pdf, 150)
        pages = len(ocr_images(images))
    out = {
        "wall": time.perf_counter() - t0,
        "cpu": _cpu() - c0,
        "pages": pages,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "base_mb": base / 1024,
    }
    print(json.dumps(out))


def pdf20_rows() -> list[dict]:
    statement = build_statement(
        layout="bbva",
        holder="MARIA FERNANDA LOPEZ GARCIA",
        clabe=make_clabe("012", "1800012345678"),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        pages=20,
    )
    scanned = scanned_pdf(statement, Degradation(dpi=150, skew=1.0, noise=20, quality=70))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "scan20.pdf")
        path.write_bytes(scanned)
        for mode in ("loader", "all"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True, check=True
            )
            rows.append(
                {"mode": mode, "size_mb": len(scanned) / 1e6, **json.loads(done.stdout.strip().splitlines()[-1])}
            )
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_pdf20(sys.argv[2])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=5)
    n = parser.parse_args().n
    rows = page_rows(n)
    floor = rows[0][1]
    print(f"\nOne scanned page (200 dpi, 1700x2200, CSF page 1), median of {n}, this machine:\n")
    print("| path | s/page (wall) | CPU s | × floor |")
    print("|---|---|---|---|")
    for name, wall, cpu in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / floor:.2f} |")
    print("\n20-page scanned bank statement (150 dpi JPEG pages in a PDF), fresh process each:\n")
    print("| read | pages OCR'd | wall s | CPU s | peak RSS MB |")
    print("|---|---|---|---|---|")
    for row in pdf20_rows():
        name = (
            "read_content (statement: first page only)"
            if row["mode"] == "loader"
            else "all 20 pages, ocr_images (2 workers)"
        )
        print(f"| {name} | {row['pages']} | {row['wall']:.1f} | {row['cpu']:.1f} | {row['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
