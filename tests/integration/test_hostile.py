"""The hostile-input corpus (tests/hostile_corpus.py) through the real pipeline steps: every case
ends with a finding from its expected set or an input error, within the per-document budget,
with every original stored and the good file beside it judged exactly as when it is alone.

Each case is a folio of its own: the hostile file plus a valid tax-status certificate (sample
DF-2026-000301). A loopback HTTP server is the target of every network reference in the corpus
(XXE, external DTD, XSLT PI, JavaScript); it must never be called."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import hostile_corpus as hc
import pytest

from application.evaluate import evaluate_folio
from application.folio_dir import read_folio_dir
from application.originals import store_originals
from application.services import services_for
from domain.config import Settings, default_ruleset
from domain.folio import ManifestError
from extractors import sandbox
from storage import open_storage, sha256_of
from validators.packaging import FileFacts, name_findings

ROOT = Path(__file__).resolve().parents[2]
GOOD_DIR = ROOT / "samples" / "folios" / "DF-2026-000301"
GOOD_FILE = "constancia_situacion_fiscal.pdf"
BUDGET_S = 20.0  # per document in these tests (the default is 60 s)
SLACK_S = 40.0  # a loaded shared CI machine, forkserver start-up; a hang is unbounded


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ENTITY leaked 'LEAKED-FROM-NETWORK'>")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def canary():
    """A real HTTP server on 127.0.0.1 the corpus points its network references at."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", _Recorder.hits
    server.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, canary):
    root = tmp_path_factory.mktemp("hostile")
    return root, {c.id: c for c in hc.generate(root, net_url=canary[0])}


@pytest.fixture(scope="module")
def rules():
    base = default_ruleset()
    return base.model_copy(update={"thresholds": base.thresholds.model_copy(update={"read_timeout_s": BUDGET_S})})


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return open_storage(Settings(home=tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="module")
def good_alone(rules, storage, tmp_path_factory):
    """The good certificate's findings when it is the only file of its folio."""
    folder = _folio(tmp_path_factory.mktemp("alone"), "H-ALONE")
    decision, _, _ = _run(folder, rules, storage)
    [doc] = decision.documents
    return doc.status.value, doc.kind.value, [f.model_dump() for f in doc.findings]


def _folio(folder: Path, folio_id: str, manifest: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOOD_DIR / GOOD_FILE, folder / GOOD_FILE)
    if manifest is None:
        data = json.loads((GOOD_DIR / "folio.json").read_text())
        data["folio"] = folio_id
        manifest = json.dumps(data).encode()
    (folder / "folio.json").write_bytes(manifest)
    return folder


def _run(folder: Path, rules, storage):
    """The intake's steps (store, then the evaluation use case), as the flow runs them;
    (decision, read, seconds spent evaluating, nearly all of it reading)."""
    stored = store_originals(*read_folio_dir(folder), storage)
    started = time.monotonic()
    evaluation = evaluate_folio(stored, services_for(Settings(), rules, storage), as_of=date(2026, 11, 20))
    return evaluation.decision, evaluation.read, time.monotonic() - started


def _assert_all_stored(folder: Path, storage) -> None:
    for path in folder.iterdir():
        data = path.read_bytes()
        assert storage.blobs.exists(sha256_of(data)), f"original lost: {path.name!r}"
        assert storage.blobs.get(sha256_of(data)) == data


def _params(include_big: bool = False):
    for case, _ in hc.cases():
        if case.big != include_big:
            continue
        marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
        yield pytest.param(case.id, id=case.id, marks=marks)


def test_corpus_is_big_enough():
    made = [c for c, _ in hc.cases()]
    assert len(made) >= 60 and len({c.id for c in made}) == len(made)
    assert sum(c.manifest for c in made) >= 2 and any(c.big for c in made)


@pytest.mark.parametrize("case_id", list(_params()))
def test_hostile_case(case_id, corpus, rules, storage, good_alone, tmp_path):
    root, cases = corpus
    case = cases[case_id]
    source = root / case.id
    folder = tmp_path / "folio"
    if case.manifest:
        _folio(folder, "", (source / "folio.json").read_bytes())
        with pytest.raises(ManifestError) as raised:
            _run(folder, rules, storage)
        assert "folio.json" in str(raised.value)
        _assert_all_stored(folder, storage)  # refused, yet nothing the claimant sent is lost
        return

    _folio(folder, f"H-{case.id}"[:60])
    shutil.copy(source / case.filename, folder / case.filename)
    decision, read, reading = _run(folder, rules, storage)

    _assert_all_stored(folder, storage)
    assert reading < BUDGET_S * 2 + SLACK_S, f"{case.id}: reading took {reading:.1f} s"
    docs = {d.file: d for d in decision.documents}
    hostile, good = docs[case.filename], docs[GOOD_FILE]
    codes = {f.code for f in hostile.findings} | {f.code for f in decision.folio_findings}
    doc = read.get(case.filename)
    if case.clean_ok and not (codes & case.expect):
        assert doc is not None and not doc.unreadable and hostile.status.value == "accepted", hostile
    else:
        assert codes & case.expect, f"{case.id}: {sorted(codes)} has none of {sorted(case.expect)}"
        if "PKG-005" not in codes:
            assert hostile.status.value == "rejected"
    if doc is not None and doc.unreadable:  # a reason the claimant can act on, not a stack trace
        assert "Traceback" not in doc.unreadable and len(doc.unreadable) < 300
    if "PKG-005" not in codes:  # the folio was evaluated: the good file exactly as when alone
        assert (good.status.value, good.kind.value, [f.model_dump() for f in good.findings]) == good_alone
    dumped = decision.model_dump_json()
    assert "root:x:0:0" not in dumped and "LEAKED" not in dumped
    assert " object at 0x" not in dumped  # a claimant never reads a Python object's repr


def test_nothing_called_the_network(corpus, canary, request):
    """Runs after the cases (file order): XXE, external DTDs, XSLT PIs and PDF JavaScript never
    reached the loopback server they point at."""
    assert canary[1] == []


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.ini.pdf",
        "/etc/shadow.pdf",
        "a\x00b.pdf",
        "factura\x00.pdf",
        "nul\x00.xml",
        "sub/dir.pdf",
        "..pdf.pdf",
    ],
)
def test_names_that_cannot_exist_on_disk_are_refused(name):
    """`/` and NUL cannot reach the pipeline from a directory, but an API or ZIP upload could
    carry them: the name rule itself refuses them (PKG-003)."""
    found = name_findings(FileFacts(name, 10, "0" * 64, "application/pdf"))
    assert [f.code for f in found] == ["PKG-003"]


def test_a_document_over_its_time_budget_is_unreadable_and_the_worker_is_replaced(rules):
    scan = (ROOT / "samples" / "folios" / "DF-2026-000304" / "constancia.jpg").read_bytes()
    tight = rules.thresholds.model_copy(update={"read_timeout_s": 0.3})
    jobs = [sandbox.ReadJob("scan.jpg", scan, "image/jpeg"), sandbox.ReadJob("scan2.jpg", scan, "image/jpeg")]
    slow = sandbox.read(jobs, tight)
    for doc in slow.values():
        assert doc.unreadable == "excede el tiempo de lectura de 0.3 s"
        assert sandbox.overran(doc)
    good = (GOOD_DIR / GOOD_FILE).read_bytes()
    after = sandbox.read([sandbox.ReadJob("ok.pdf", good, "application/pdf")], tight)["ok.pdf"]
    assert after.unreadable is None and after.kind.value == "tax_status_certificate"


def test_a_document_over_its_memory_budget_is_unreadable(corpus, rules):
    root, cases = corpus
    case = cases["pdf-huge-page"]  # 200 x 200 inches: rendered for OCR, capped at 12 Mpx
    data = (root / case.id / case.filename).read_bytes()
    job = [sandbox.ReadJob("big.pdf", data, "application/pdf")]
    starved = sandbox.read_all(job, sandbox.Budget(60, 100))["big.pdf"]
    assert starved.unreadable and "memoria de lectura de 100 MB" in starved.unreadable
    # Within the default budget the render is capped instead of taking ~1.6 GB, so it reads.
    assert not sandbox.read(job, rules.thresholds)["big.pdf"].unreadable


def test_sandboxed_reads_equal_in_process_reads(sample_folios, rules):
    """ReadDocument crosses the process boundary intact (pickling), for every sample file."""
    import extractors
    from extractors.cfdi_xml import sat_production_store

    trust = sat_production_store()  # what the evaluation uses when no trust store is configured
    for folio_dir in sample_folios[::3]:
        jobs = [
            sandbox.ReadJob(p.name, p.read_bytes(), extractors.sniff_media_type(p.read_bytes()))
            for p in sorted(folio_dir.iterdir())
            if p.suffix in (".pdf", ".jpg", ".xml")
        ]
        boxed = sandbox.read_all(jobs, sandbox.Budget(60, 1024, inline_xml_bytes=0), trust_store=trust)
        for job in jobs:
            alone = extractors.read_document(job.name, job.data, job.media_type, trust_store=trust)
            assert boxed[job.name] == alone, (folio_dir.name, job.name)


def test_a_hostile_folio_through_the_prefect_flow(prefect_harness, home, corpus):
    """Several hostile files in one folio, through the real intake-folio flow and storage."""
    from flows.intake import intake_folio

    root, cases = corpus
    folder = _folio(home.parent / "flow-folio", "H-FLOW")
    chosen = [
        "billion-laughs",
        "pdf-encrypted-user-password",
        "jpeg-65k-header",
        "name-rtl-override-pdf",
        "xml-with-pdf-header",
    ]
    for case_id in chosen:
        shutil.copy(root / case_id / cases[case_id].filename, folder / cases[case_id].filename)
    decision = intake_folio(str(folder), date(2026, 11, 20))
    docs = {d.file: d for d in decision.documents}
    assert decision.route.value == "pending_documents"
    for case_id in chosen:
        case = cases[case_id]
        assert {f.code for f in docs[case.filename].findings} & case.expect, case_id
    assert docs[GOOD_FILE].status.value == "accepted"
    storage = open_storage(Settings())
    _assert_all_stored(folder, storage)
    assert len(storage.state.history("H-FLOW")) == 1


@pytest.mark.slow
def test_100mb_xml(corpus, rules, storage, tmp_path):
    """The 100 MB XML: refused whole under the default 50 MiB folio limit (PKG-005), and, with
    the limit raised, read in a worker and refused by the parser's size cap (CFDI-001)."""
    [case] = [c for c, _ in hc.cases() if c.big]
    folder = _folio(tmp_path / "folio", "H-XML100")
    (folder / case.filename).write_bytes(dict(hc.cases())[case]())
    decision, _, _ = _run(folder, rules, storage)
    assert [f.code for f in decision.folio_findings] == ["PKG-005"]
    _assert_all_stored(folder, storage)
    roomy = rules.model_copy(update={"thresholds": rules.thresholds.model_copy(update={"max_bytes": 200 << 20})})
    decision, _, reading = _run(folder, roomy, storage)
    docs = {d.file: d for d in decision.documents}
    assert "CFDI-001" in {f.code for f in docs[case.filename].findings}
    assert docs[GOOD_FILE].status.value == "accepted"
    assert reading < BUDGET_S + SLACK_S
