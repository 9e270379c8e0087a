"""Benchmark: a typical digital folio, stage by stage, against the floor of calling the same
libraries directly; the whole flow through Prefect; folios per hour with 1 and 2 processes;
peak RSS for a 50 MB folio.

    .venv/bin/python bench/folio.py [-n 10] [--skip-prefect] [--skip-rss]

The typical folio (issue 8): 1 CSF, a 4-page bank statement, 3 invoice pairs (XML + PDF), a
claim form, a reimbursement form and a medical report, reembolso, built with the samples'
builders. "Document work" is the evaluation use case (packaging, read, validate, decide), reading
in-process (CLAIM_INTAKE_READ_SANDBOX=false) so that the ratio compares like with like; the
sandboxed read is reported on its own row. The floor is pypdfium2's text of every page the
pipeline reads plus, per XML, lxml parse + compiled XSD + seal verification (bench/cfdi.py's
floor): work no implementation can skip. CPU times include child processes."""

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
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
AS_OF = date(2026, 11, 20)


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def typical_folio(root: Path, name: str = "BENCH-0001", scanned_page: bool = False) -> Path:
    from samples import generate as g
    from samples.builders.bank import build_statement

    folio = g.Folio(name, g.manifest(name, "reembolso"), "adjudication", [])
    g.reimbursement_basics(folio, skip=("estado_cuenta.pdf",))
    folio.add(
        "estado_cuenta.pdf",
        build_statement(
            layout="bbva",
            holder=g.HOLDER.name,
            clabe=g.HOLDER_CLABE,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            pages=4,
        ),
    )
    from samples.builders.csf import build_csf

    folio.add(
        "constancia.pdf",
        build_csf(rfc=g.HOLDER.rfc, name=g.HOLDER.name, issued_on=date(2026, 11, 5), postal_code=g.HOLDER.postal_code),
    )
    for n in range(1, 4):
        g.add_pair(folio, g.fees_invoice(name, n, amount=f"{1000 + n * 100}.00"))
    if scanned_page:
        from samples.builders.scan import scanned_jpeg

        folio.add("receta_foto.jpg", scanned_jpeg(folio.files["informe_medico.pdf"]))
    folder = g.write(folio, root)
    g.expected_path(folder).unlink()
    return folder


def uncached(services, run: int):
    """`services` under a rule set of its own version for this run: the evaluation always asks the
    extraction cache, which would otherwise serve every run after the first without reading."""
    from application.services import Services

    ruleset = services.ruleset.model_copy(update={"version": f"{services.ruleset.version}+bench{run}"})
    return Services(services.settings, ruleset, services.storage)


def stage_times(folio_dir: Path, runs: int) -> dict[str, list[float]]:
    """CPU seconds per stage of the use case (application), in-process reads, every run read anew."""
    from application.evaluate import evaluate_folio
    from application.folio_dir import read_folio_dir
    from application.originals import store_originals
    from application.record import record_decision
    from application.services import services_for
    from domain.config import Settings

    os.environ["CLAIM_INTAKE_READ_SANDBOX"] = "false"
    base = services_for(Settings(home=Path(tempfile.mkdtemp(prefix="bench-home-"))))
    out: dict[str, list[float]] = {k: [] for k in ("store", "evaluate", "record")}
    for run in range(runs + 1):  # the first run warms caches (schemas, fonts) and is dropped
        services = uncached(base, run)
        t = cpu()
        mb, files = read_folio_dir(folio_dir)
        stored = store_originals(mb, files, services.storage)
        t_store = cpu() - t
        t = cpu()
        evaluation = evaluate_folio(stored, services, as_of=AS_OF)
        t_eval = cpu() - t
        t = cpu()
        record_decision(evaluation.decision, evaluation.uuids, services.storage)
        t_rec = cpu() - t
        for key, value in zip(out, (t_store, t_eval, t_rec), strict=True):
            out[key].append(value)
    assert evaluation.decision.route.value == "adjudication", evaluation.decision.codes()
    return {k: v[1:] for k, v in out.items()}


def floor_times(folio_dir: Path, runs: int) -> list[float]:
    import pypdfium2

    from bench.cfdi import floor_once
    from extractors import cfdi_xml as cx

    schema, xslt = cx.compiled_schema("4.0"), cx._cadena_xslt("4.0")
    files = [(p.suffix.lower(), p.read_bytes()) for p in sorted(folio_dir.iterdir()) if p.name != "folio.json"]
    times = []
    for _ in range(runs + 1):
        t = cpu()
        for suffix, data in files:
            if suffix == ".xml":
                floor_once(data, schema, xslt)
            elif suffix == ".pdf":
                pdf = pypdfium2.PdfDocument(data)
                for page in pdf:
                    page.get_textpage().get_text_range()
                pdf.close()
        times.append(cpu() - t)
    return times[1:]


def distinct_folios(root: Path, prefix: str, count: int) -> list[Path]:
    """`count` typical folios whose every file differs in bytes (a salt after each PDF's %%EOF,
    the folio name in each CFDI), so no run is served by the extraction cache."""
    folios = []
    for i in range(count):
        folder = typical_folio(root, f"{prefix}-{i:04d}")
        for pdf in folder.glob("*.pdf"):
            pdf.write_bytes(pdf.read_bytes() + f"\n%bench {prefix} {i}\n".encode())
        folios.append(folder)
    return folios


def accepted(dirs: list[Path]) -> list[str]:
    """The folios as the intake API accepts them (blobs registered under the folio's lock) in
    this environment's storage; intake-batch takes their ids. Not timed: it is the API's work."""
    from accepted import accept_dir  # tests/accepted.py

    from domain.config import Settings
    from storage import open_storage

    storage = open_storage(Settings())
    return [accept_dir(d, storage, "bench")[0] for d in dirs]


def flow_times(root: Path, runs: int, batch: int) -> dict[str, float]:
    """Wall ms per folio: the flow's task body called plainly (the work), the intake-folio
    flow (one run per folio), and intake-batch (`batch` folios per run), all reading in the
    sandbox as production does, each folio new to the extraction cache. Prefect is a test
    server on SQLite in a subprocess, as in the demo."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from flows import intake

    os.environ["CLAIM_INTAKE_READ_SANDBOX"] = "true"
    plain_dirs, flow_dirs = distinct_folios(root, "PLAIN", runs + 1), distinct_folios(root, "FLOW", runs + 1)
    batch_dirs = distinct_folios(root, "BATCH", batch * 6)

    def median_ms(walls: list[float]) -> float:
        return statistics.median(walls[1:]) * 1000  # the first run warms up and is dropped

    os.environ["CLAIM_INTAKE_HOME"] = tempfile.mkdtemp(prefix="bench-plain-")
    walls = []
    for d in plain_dirs:
        t = time.perf_counter()
        intake.process_folio.fn(str(d), AS_OF)
        walls.append(time.perf_counter() - t)
    out = {"plain_ms": median_ms(walls)}
    os.environ["CLAIM_INTAKE_HOME"] = tempfile.mkdtemp(prefix="bench-flow-")
    with prefect_test_harness(server_startup_timeout=60):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):  # as the CLI runs it
            walls = []
            for d in flow_dirs:
                t = time.perf_counter()
                intake.intake_folio(str(d), AS_OF)
                walls.append(time.perf_counter() - t)
        out["flow_ms"] = median_ms(walls)
        half = len(batch_dirs) // 2
        batch_ids = accepted(batch_dirs)
        for label, heartbeat, dirs in (
            ("batch_ms", 180, batch_ids[:half]),
            ("batch_no_heartbeat_ms", None, batch_ids[half:]),
        ):
            # heartbeats on (Prefect's default), as a worker runs it; off shows what stopping
            # the heartbeat thread costs: up to a second per run (it sleeps in whole seconds)
            walls = []
            with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: heartbeat}):
                for start in range(0, len(dirs), batch):
                    group = dirs[start : start + batch]
                    t = time.perf_counter()
                    routes = intake.intake_batch(group, AS_OF)
                    walls.append((time.perf_counter() - t) / len(group))
                    assert set(routes.values()) == {"adjudication"}, routes
            out[label] = median_ms(walls)  # the first batch warms up, like a worker's first run
    return out


def throughput(folio_dir: Path, folios: int, processes: int) -> float:
    """Folios per hour through the plain pipeline (sandboxed reads) in N parallel processes."""
    code = (
        f"import sys, os, time, tempfile; from pathlib import Path; sys.path.insert(0, {str(ROOT)!r})\n"
        "os.environ['CLAIM_INTAKE_READ_WORKERS']='1'\n"
        "from bench.folio import run_pipeline\n"
        "if __name__ == '__main__':\n"
        f"    run_pipeline(Path({str(folio_dir)!r}), int(sys.argv[1]))\n"
    )
    each = folios // processes
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", code, str(each)]) for _ in range(processes)]
    for p in procs:
        assert p.wait() == 0
    return each * processes / (time.perf_counter() - start) * 3600


def run_pipeline(folio_dir: Path, n: int) -> None:
    """The folio `n` times through the intake use case, every time read anew."""
    from application.intake import take_in_folio
    from application.services import services_for, shutdown
    from domain.config import Settings

    base = services_for(Settings(home=Path(tempfile.mkdtemp(prefix="bench-tp-"))))
    for run in range(n):
        take_in_folio(folio_dir, uncached(base, run), AS_OF)
    shutdown()


def own_peak_kb() -> int:
    """This process's peak RSS (VmHWM). Not ru_maxrss: Linux keeps that across exec, so a child
    started by a big parent reports the parent's size (407 MB here after the flow rows ran, for
    a pipeline that peaks at 286 MB); VmHWM belongs to the new address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def descendants_peak_kb() -> int:
    """The largest peak RSS (VmHWM) among this process's live descendants: the sandbox's readers
    are forked by a forkserver, so RUSAGE_CHILDREN never sees them."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - mine
        mine |= frontier
    peak = 0
    for pid in mine:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak


def peak_rss_50mb(root: Path) -> float:
    """Peak RSS (MB, this process and its readers) for a folio of ~50 MB of PDFs."""
    import io

    from PIL import Image
    from reportlab.pdfgen import canvas

    folio = typical_folio(root, "BENCH-BIG")
    noise = os.urandom(1)  # deterministic size, incompressible content
    for i in range(7):  # ~47 MB of files: under the 50 MiB limit, so every file is read
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, invariant=1)
        image = Image.frombytes("L", (2400, 2200), (noise * 0) + os.urandom(2400 * 2200))
        pdf.drawInlineImage(image, 0, 0, 600, 800)
        pdf.drawString(40, 40, "ANEXO")
        pdf.showPage()
        pdf.save()
        (folio / f"anexo_{i}.pdf").write_bytes(buffer.getvalue())
    size = sum(p.stat().st_size for p in folio.iterdir())
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\nfrom bench.folio import run_pipeline\n"
        "if __name__ == '__main__':\n"
        f"    run_pipeline(Path({str(folio)!r}), 1)\n"
        "    from bench.folio import descendants_peak_kb, own_peak_kb\n"
        "    print(own_peak_kb(), descendants_peak_kb())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    print(
        f"  50 MB folio: {size / 1e6:.1f} MB of files; parent peak {int(out[0]) / 1024:.0f} MB, "
        f"largest reader {int(out[1]) / 1024:.0f} MB"
    )
    return max(int(out[0]), int(out[1])) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="runs per measurement")
    parser.add_argument("--skip-prefect", action="store_true")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--folios", type=int, default=40, help="folios for the throughput rows")
    parser.add_argument("--batch", type=int, default=20, help="folios per intake-batch run")
    args = parser.parse_args()
    # The document work is measured, not SAT: the checks (on by default, at SAT's URLs) are
    # switched off for the flow rows, as the pipeline rows never call SAT.
    os.environ["CLAIM_INTAKE_SAT_CHECKS"] = "false"
    root = Path(tempfile.mkdtemp(prefix="bench-folio-"))
    folio = typical_folio(root)
    stages = stage_times(folio, args.n)
    floor = floor_times(folio, args.n)
    med = {k: statistics.median(v) * 1000 for k, v in stages.items()}
    work = med["evaluate"]
    floor_ms = statistics.median(floor) * 1000
    print(f"typical digital folio ({sum(1 for p in folio.iterdir()) - 1} files), CPU ms, median of {args.n}:")
    print("| stage | CPU ms |\n|---|---|")
    for k, v in med.items():
        print(f"| {k} | {v:.1f} |")
    print(f"| floor: pypdfium2 text + lxml/XSD/seal, called directly | {floor_ms:.1f} |")
    print(f"| document work (evaluate: packaging, read, validate, decide) / floor | {work / floor_ms:.2f}x |")
    rows = {"document_work_ms": work, "floor_ms": floor_ms, "ratio": work / floor_ms}
    if not args.skip_prefect:
        flows = flow_times(root, args.n, args.batch)
        plain, one, many = flows["plain_ms"], flows["flow_ms"], flows["batch_ms"]
        print(
            f"| the flow's task body (`process_folio.fn`: store, read in the sandbox, validate, record) called plainly, wall ms | {plain:.0f} |"
        )
        print(f"| intake-folio flow, one run per folio, wall ms | {one:.0f} (orchestration {1 - plain / one:.0%}) |")
        print(
            f"| intake-batch flow, {args.batch} folios per run, wall ms per folio | {many:.0f} "
            f"(orchestration {1 - plain / many:.0%}) |"
        )
        quiet = flows["batch_no_heartbeat_ms"]
        print(
            f"| the same with Prefect's flow heartbeats off, wall ms per folio | {quiet:.0f} "
            f"(orchestration {1 - plain / quiet:.0%}) |"
        )
        rows.update(flows)
    for label, scanned in (("digital", False), ("with one scanned page", True)):
        target = folio if not scanned else typical_folio(root, "BENCH-SCAN", scanned_page=True)
        one, two = throughput(target, args.folios, 1), throughput(target, args.folios, 2)
        print(f"| folios/hour, {label}: 1 process {one:,.0f}; 2 processes {two:,.0f} ({two / one:.2f}x) |")
        rows[f"per_hour_{'scan' if scanned else 'digital'}"] = [one, two]
    if not args.skip_rss:
        rows["peak_rss_mb"] = peak_rss_50mb(root)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
