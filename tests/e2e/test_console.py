"""The operator and compliance console in a real browser: the system's Chromium driven by
Playwright against the real application (uvicorn on 127.0.0.1, SQLite state) after two sample
folios went through the real pipeline (`claim-intake process`).

Screenshots of the queue page and the folio page are written to CONSOLE_SCREENSHOTS_DIR when it
is set (docs/ holds the committed ones), else to the test's temporary directory."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from cli_runner import cli
from live_api import LiveServer
from pg import free_port
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright

from api.keys import create_key
from domain.config import Settings
from domain.masking import RFC
from storage import audit, open_storage
from storage.users import create_user, list_users

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "folios"
ADJUDICATED, REJECTED = "DF-2026-000301", "DF-2026-000302"  # the second: a CSF rejected (CSF-002)
INCOMPLETE = "RB-2026-000504"  # everything but the medical report
MEDICAL_REPORT = SAMPLES / "RB-2026-000101" / "informe_medico.pdf"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "una contraseña larga"
USERS = {"ana": "operator", "beto": "compliance", "caro": "admin", "dani": "operator"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="the system Chromium (scripts/setup) is absent")


@pytest.fixture(scope="module")
def console(tmp_path_factory, api_url):
    """The processed home, the live server's URL and the state store."""
    home = tmp_path_factory.mktemp("console") / "home"
    as_of = json.loads((SAMPLES / f"{REJECTED}.expected.json").read_text())["as_of"]
    folios = [str(SAMPLES / f) for f in (ADJUDICATED, REJECTED, INCOMPLETE)]
    done = cli("process", *folios, "--as-of", as_of, home=home, api_url=api_url)
    assert done.returncode == 0, done.stderr
    inbox = Inbox()  # started after processing: the notices were recorded unsent, to be resent here
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLAIM_INTAKE_HOME", str(home))  # the flow a re-upload starts reads the environment's home
        env.setenv("CLAIM_INTAKE_SMTP_HOST", "127.0.0.1")
        env.setenv("CLAIM_INTAKE_SMTP_PORT", str(smtp.port))
        env.setenv("PREFECT_API_URL", api_url)  # as `make up` exports it: the timeline links to its UI
        settings = Settings(home=home, api_batch_window_s=0.2)
        storage = open_storage(settings)
        for name, role in USERS.items():
            create_user(storage.state.engine, name, role, PASSWORD)
        # lazy: the application starts pools and reads settings when built, not at collection
        from api.app import create_app

        with LiveServer(create_app(settings), free_port(), settings) as server:
            yield server.url, storage, inbox
    smtp.stop()


class Inbox:
    """What the SMTP server received: (recipients, raw message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def logged_in(browser: Browser, url: str, name: str, role: str | None = None) -> BrowserContext:
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, locale="es-MX")
    page = context.new_page()
    page.goto("/console/queues/adjudication")
    expect(page).to_have_url(re.compile(r"/console/login$"))  # no session yet: off to the login
    page.fill("input[name=usuario]", name)
    page.fill("input[name=contrasena]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header.top .who span")).to_have_text(f"{name} ({role or USERS[name]})")
    page.close()
    return context


def csrf_of(context: BrowserContext) -> str:
    page = context.new_page()
    page.goto("/console/queues/adjudication")
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    page.close()
    assert token
    return token


def screenshots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("CONSOLE_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def full_rfc_of(storage, folio: str) -> str:
    """An RFC the folio's last decision holds in full (its CSF's evidence or fields)."""
    found = RFC.search(storage.state.last_decision(folio).model_dump_json())
    assert found, "the sample folio holds an RFC"
    return found[0]


def acts(storage, folio: str) -> list[dict]:
    """The folio's audit rows, newest first, without the previews each folio page load shows."""
    return [r for r in audit.entries(storage.state.engine, folio=folio) if r["action"] != "view_preview"]


def test_an_operator_finds_a_folio_sees_its_evidence_claims_and_releases_it(console, browser, tmp_path):
    url, storage, _ = console
    shots = screenshots_dir(tmp_path)
    context = logged_in(browser, url, "ana")
    cookie = next(c for c in context.cookies() if c["name"] == "ci_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain http here
    page = context.new_page()

    page.goto("/console/queues/pending_documents")
    row = page.locator("table.queue tbody tr", has_text=REJECTED)
    expect(row).to_contain_text("CSF-002")  # what it waits for
    expect(page.locator(".count[data-queue=adjudication]")).to_have_text("1")
    page.screenshot(path=str(shots / "console-queue.png"), full_page=True)

    row.get_by_role("link", name=REJECTED).click()
    expect(page).to_have_url(re.compile(rf"/console/folios/{REJECTED}$"))
    finding = page.locator(".document .finding", has_text="CSF-002")
    expect(finding).to_be_visible()
    expect(finding.locator("dl.evidence")).to_be_visible()  # its evidence, next to the document
    expect(page.locator(".timeline li")).to_have_count(1)
    rfc = full_rfc_of(storage, REJECTED)
    assert rfc not in page.content()  # masked by default
    expect(page.locator(".document img.preview").first).to_be_visible()
    page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(shots / "console-folio.png"), full_page=True)

    page.get_by_role("button", name="Mostrar datos personales").click()
    expect(page.locator(".notice.warn")).to_be_visible()
    assert rfc in page.content()

    page.goto(f"/console/folios/{REJECTED}")
    page.get_by_role("button", name="Tomar", exact=True).click()
    expect(page.locator("#claimed-by")).to_have_text("ana")
    assert storage.state.queue_entry(REJECTED)["claimed_by"] == "ana"
    page.get_by_role("button", name="Liberar").click()
    expect(page.locator("#claimed-by")).to_have_text("—")
    assert storage.state.queue_entry(REJECTED)["claimed_by"] is None

    rows = audit.entries(storage.state.engine, folio=REJECTED)
    actions = [r["action"] for r in rows if r["actor"] == "ana" and r["action"] != "view_preview"]
    assert actions[:3] == ["release", "claim", "view_personal_data"]  # newest first
    assert any(r["actor"] == "ana" and r["action"] == "view_preview" for r in rows)  # the previews shown
    context.close()
    assert (shots / "console-queue.png").stat().st_size > 10_000


def test_claim_next_from_the_queue_page_is_audited(console, browser):
    url, storage, _ = console
    context = logged_in(browser, url, "dani")
    page = context.new_page()
    page.goto("/console/queues/adjudication")
    page.get_by_role("button", name="Tomar el siguiente").click()
    expect(page).to_have_url(re.compile(rf"/console/folios/{ADJUDICATED}\?aviso=claimed$"))
    expect(page.locator("#claimed-by")).to_have_text("dani")
    page.get_by_role("button", name="Liberar").click()
    expect(page.locator("#claimed-by")).to_have_text("—")
    rows = acts(storage, ADJUDICATED)
    assert [(r["actor"], r["action"]) for r in rows[:2]] == [("dani", "release"), ("dani", "claim")]
    context.close()


def test_compliance_reads_but_is_refused_a_claim_and_personal_data(console, browser):
    url, storage, _ = console
    context = logged_in(browser, url, "beto")
    page = context.new_page()
    page.goto(f"/console/folios/{REJECTED}")
    expect(page.locator(".document .finding", has_text="CSF-002")).to_be_visible()
    expect(page.get_by_role("button", name="Tomar", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Mostrar datos personales")).to_have_count(0)
    expect(page.locator("table.audit")).to_contain_text("view_personal_data")  # compliance sees the trail

    token = csrf_of(context)  # a valid token: the refusal is the role's, not the form's
    for action in ("claim", "personal-data"):
        refused = context.request.post(f"/console/folios/{REJECTED}/{action}", form={"csrf": token})
        assert refused.status == 403
        assert "no puede realizar esta acción" in refused.text()
    refused = context.request.post("/console/queues/pending_documents/claim", form={"csrf": token})
    assert refused.status == 403
    assert storage.state.queue_entry(REJECTED)["claimed_by"] is None  # nothing changed
    rows = audit.entries(storage.state.engine, folio=REJECTED)
    assert not any(r["actor"] == "beto" and r["action"] in ("claim", "view_personal_data") for r in rows)
    assert any(r["actor"] == "beto" and r["action"] == "refused" for r in rows)
    page.goto("/console/audit")
    expect(page.locator("table.audit")).to_contain_text("refused")
    context.close()


def test_a_forged_form_without_the_csrf_token_is_refused(console, browser):
    url, storage, _ = console
    context = logged_in(browser, url, "ana")
    for form in ({}, {"csrf": "forged"}):
        refused = context.request.post(f"/console/folios/{REJECTED}/claim", form=form)
        assert refused.status == 403
        assert "CSRF" in refused.text()
    assert storage.state.queue_entry(REJECTED)["claimed_by"] is None
    login = context.request.post("/console/login", form={"usuario": "ana", "contrasena": PASSWORD})
    assert login.status == 403  # the login form needs its token too
    context.close()


def test_api_keys_and_console_sessions_open_nothing_of_each_other(console, browser):
    url, storage, _ = console
    key = create_key(storage.state.engine, "portal-console")
    with httpx.Client(base_url=url) as client:
        answer = client.get("/console/queues/adjudication", headers={"X-API-Key": key})
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
        refused = client.post(f"/console/folios/{REJECTED}/claim", headers={"X-API-Key": key}, data={"csrf": "x"})
        assert refused.status_code == 403
    context = logged_in(browser, url, "caro")
    assert context.request.get(f"/folios/{REJECTED}").status == 401
    assert context.request.get("/queues/adjudication").status == 401
    context.close()


def test_logins_are_rate_limited_per_user_and_address(console):
    url, storage, _ = console
    create_user(storage.state.engine, "eva", "operator", PASSWORD)
    with httpx.Client(base_url=url) as client:
        form = client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
        statuses = [
            client.post(
                "/console/login", data={"csrf": token, "usuario": "eva", "contrasena": "no es esta"}
            ).status_code
            for _ in range(5)
        ]
        assert statuses == [401] * 5
        right = client.post("/console/login", data={"csrf": token, "usuario": "eva", "contrasena": PASSWORD})
        assert right.status_code == 429
        other = client.post("/console/login", data={"csrf": token, "usuario": "ana", "contrasena": PASSWORD})
        assert other.status_code == 303  # another user from this address is not locked out


def test_an_operator_uploads_the_missing_document_and_the_folio_moves_to_adjudication(console, browser):
    url, storage, _ = console
    assert storage.state.queue_of(INCOMPLETE) == "pending_documents"
    context = logged_in(browser, url, "ana")
    page = context.new_page()
    page.goto(f"/console/folios/{INCOMPLETE}")
    expect(page.locator("#queue")).to_have_text("Documentos pendientes")
    page.set_input_files("input[name=archivos]", str(MEDICAL_REPORT))
    page.get_by_role("button", name="Subir y evaluar de nuevo").click()
    expect(page.locator(".notice")).to_contain_text("Documentos recibidos")
    deadline = time.monotonic() + 120
    while storage.state.queue_of(INCOMPLETE) != "adjudication":  # the intake flow runs in the server
        assert time.monotonic() < deadline, "the re-evaluation did not finish"
        time.sleep(0.5)
    page.reload()
    expect(page.locator("#queue")).to_have_text("Dictaminación")
    expect(page.locator(".timeline li")).to_have_count(2)
    expect(page.locator(".document", has_text="informe_medico.pdf")).to_be_visible()
    upload = acts(storage, INCOMPLETE)[0]
    assert (upload["actor"], upload["action"], upload["detail"]) == ("ana", "upload", {"files": ["informe_medico.pdf"]})

    compliance = logged_in(browser, url, "beto")
    token = csrf_of(compliance)
    refused = compliance.request.post(
        f"/console/folios/{INCOMPLETE}/documents",
        multipart={"csrf": token, "archivos": {"name": "x.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}},
    )
    assert refused.status == 403
    assert len(storage.state.history(INCOMPLETE)) == 2  # nothing re-evaluated
    assert compliance.request.post(f"/console/folios/{INCOMPLETE}/rerun", form={"csrf": token}).status == 403
    compliance.close()
    # an operator's re-run: a new upload number (a new flow run), the same files, a third decision
    assert context.request.post(f"/console/folios/{INCOMPLETE}/rerun", form={"csrf": csrf_of(context)}).ok
    deadline = time.monotonic() + 120
    while len(storage.state.history(INCOMPLETE)) < 3:
        assert time.monotonic() < deadline, "the re-run did not finish"
        time.sleep(0.5)
    assert storage.state.queue_of(INCOMPLETE) == "adjudication"
    assert storage.state.history(INCOMPLETE)[-1].codes() == storage.state.history(INCOMPLETE)[-2].codes()
    context.close()


def test_an_operator_resends_a_notice_and_compliance_cannot(console, browser):
    url, storage, inbox = console
    context = logged_in(browser, url, "ana")
    page = context.new_page()
    page.goto(f"/console/folios/{REJECTED}")
    row = page.locator("table.notices tbody tr").first
    expect(row.locator(".status")).to_have_text("sin enviar")  # processed with no SMTP server configured
    assert "@" in row.inner_text() and "***@" in row.inner_text()  # the recipient masked

    compliance = logged_in(browser, url, "beto")
    notice_id = row.get_attribute("data-notice")
    refused = compliance.request.post(
        f"/console/folios/{REJECTED}/notices/{notice_id}/resend", form={"csrf": csrf_of(compliance)}
    )
    assert refused.status == 403 and inbox.messages == []
    compliance.close()

    row.get_by_role("button", name="Reenviar").click()
    expect(page.locator(".notice")).to_contain_text("Aviso enviado")
    expect(page.locator("table.notices tbody tr").first.locator(".status")).to_have_text("enviado")
    assert len(inbox.messages) == 1
    resent = acts(storage, REJECTED)[0]
    assert (resent["actor"], resent["action"], resent["detail"]) == (
        "ana",
        "resend_notice",
        {"notice": int(notice_id), "status": "sent"},
    )
    context.close()


def test_compliance_drills_down_from_a_code_bar_and_exports_csv(console, browser, tmp_path):
    url, storage, _ = console
    context = logged_in(browser, url, "beto")
    page = context.new_page()
    page.goto("/console/findings")
    bar = page.locator("svg.chart a.chart-bar[data-code=CSF-002]")
    expect(bar).to_be_visible()
    expect(bar.locator("rect")).to_have_count(1)
    bar.locator("rect").click()  # the folios behind the bar
    expect(page).to_have_url(re.compile(r"code=CSF-002"))
    rows = page.locator("table.findings tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(REJECTED)
    if os.environ.get("CONSOLE_SCREENSHOTS_DIR"):
        page.goto("/console/findings")
        page.screenshot(path=str(screenshots_dir(tmp_path) / "console-findings.png"), full_page=True)
        page.goto(page.url + "?code=CSF-002")

    with page.expect_download() as download:
        page.get_by_role("link", name="Exportar CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("evaluated_at,folio,decision_no")
    assert len(lines) == 2 and REJECTED in lines[1] and "CSF-002" in lines[1]
    assert full_rfc_of(storage, REJECTED) not in "\n".join(lines)
    exported = audit.entries(storage.state.engine)[0]
    assert (exported["actor"], exported["action"], exported["detail"]["code"]) == ("beto", "export_findings", "CSF-002")
    context.close()


def test_an_admin_creates_and_disables_a_user_and_an_operator_cannot(console, browser):
    url, storage, _ = console
    admin = logged_in(browser, url, "caro")
    page = admin.new_page()
    page.goto("/console/users")
    page.fill("input[name=usuario]", "fer")
    page.select_option("select[name=rol]", "operator")
    page.fill("input[name=contrasena]", PASSWORD)
    page.get_by_role("button", name="Crear").click()
    expect(page.locator("tr[data-user=fer]")).to_contain_text("operator")
    fer = logged_in(browser, url, "fer", "operator")  # the new account works

    token = csrf_of(fer)
    assert fer.request.get("/console/users").status == 403
    refused = fer.request.post(
        "/console/users", form={"csrf": token, "usuario": "gil", "rol": "admin", "contrasena": PASSWORD}
    )
    assert refused.status == 403 and "gil" not in [u["name"] for u in list_users(storage.state.engine)]

    page.locator("tr[data-user=fer]").get_by_role("button", name="Desactivar").click()
    expect(page.locator("tr[data-user=fer] .disabled")).not_to_have_text("—")
    gone = fer.new_page()
    gone.goto("/console/queues/adjudication")
    expect(gone).to_have_url(re.compile(r"/console/login$"))  # its session ended with the account
    actions = [(r["actor"], r["action"], r["detail"].get("user")) for r in audit.entries(storage.state.engine)[:6]]
    assert ("caro", "user_create", "fer") in actions and ("caro", "user_disable", "fer") in actions
    fer.close()
    admin.close()


def _png(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")


def test_previews_are_drawn_from_the_stored_originals_and_audited(console, browser):
    url, storage, _ = console
    context = logged_in(browser, url, "beto")  # every role sees previews; each one is audited
    page = context.new_page()
    page.goto(f"/console/folios/{REJECTED}")
    doc = page.locator(".document", has_text="CSF-002")
    image = doc.locator("img.preview").first
    expect(image).to_be_visible()
    page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    src = image.get_attribute("src")
    assert src and re.fullmatch(rf"/console/folios/{REJECTED}/documents/\d+/pages/1\.png", src)

    drawn = context.request.get(src)
    assert drawn.status == 200 and drawn.headers["content-type"] == "image/png"
    assert drawn.headers["cache-control"].startswith("private")
    assert "x-preview" not in drawn.headers and int(drawn.headers["x-preview-pages"]) >= 1
    width, height = _png(drawn.body())
    assert max(width, height) <= 1200 and min(width, height) > 100  # a page, not the placeholder's 600x780
    index = int(src.split("/")[-3])
    assert storage.state.last_decision(REJECTED).documents[index].kind.value == "tax_status_certificate"
    rows = audit.entries(storage.state.engine, folio=REJECTED)
    assert any(
        r["actor"] == "beto" and r["action"] == "view_preview" and r["detail"]["document"] == index for r in rows
    )

    beyond = context.request.get(src.replace("/pages/1.png", "/pages/99.png"))
    assert beyond.status == 200 and beyond.headers["x-preview"] == "unavailable"  # a placeholder, not an error
    assert _png(beyond.body()) == (600, 780)
    assert context.request.get(f"/console/folios/{REJECTED}/documents/99/pages/1.png").status == 404

    # An original whose stored bytes no longer match their digest (or a hostile one: see
    # tests/integration/test_previews.py) gives the placeholder, and the page still renders.
    sha = storage.state.last_decision(ADJUDICATED).documents[0].sha256
    blob = next((storage.blobs.root).rglob(sha))
    kept = blob.read_bytes()
    try:
        blob.write_bytes(b"%PDF-1.7 not what was stored")
        broken = context.request.get(f"/console/folios/{ADJUDICATED}/documents/0/pages/1.png")
        assert broken.status == 200 and broken.headers["x-preview"] == "unavailable"
    finally:
        blob.write_bytes(kept)
    context.close()
    anonymous = httpx.get(url + src, follow_redirects=False)
    assert anonymous.status_code == 303  # no session: no preview


def test_compliance_downloads_the_folio_pdf_report_rendered_on_demand(console, browser):
    url, storage, _ = console
    context = logged_in(browser, url, "beto")
    assert not (storage.reports_dir / REJECTED / "report.pdf").exists()  # the PDF flow has not run
    page = context.new_page()
    page.goto(f"/console/folios/{REJECTED}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Informe PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename == f"informe-{REJECTED}.pdf"
    kept = storage.reports_dir / REJECTED / "report.pdf"
    assert kept.read_bytes() == pdf  # kept where folio-report-pdfs puts it: that flow now skips it
    again = context.request.get(f"/console/folios/{REJECTED}/report.pdf")
    assert again.status == 200 and again.body() == pdf  # the stored one, current: not rendered again
    rows = [r for r in audit.entries(storage.state.engine, folio=REJECTED) if r["action"] == "download_report"]
    assert len(rows) == 2 and rows[0]["actor"] == "beto"
    assert context.request.get("/console/folios/NO-SUCH-1/report.pdf").status == 404
    context.close()


def test_each_decision_links_to_the_prefect_flow_run_that_made_it(console, browser):
    url, storage, _ = console
    [run_id] = storage.state.flow_runs(REJECTED)
    assert run_id, "claim-intake process ran the intake flow on the Prefect server"
    context = logged_in(browser, url, "ana")
    page = context.new_page()
    page.goto(f"/console/folios/{REJECTED}")
    link = page.locator(".timeline a.flow-run")
    expect(link).to_have_count(1)
    ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
    assert link.get_attribute("href") == f"{ui}/runs/flow-run/{run_id}"
    assert httpx.get(f"{os.environ['PREFECT_API_URL']}/flow_runs/{run_id}").json()["id"] == run_id
    context.close()


def test_the_awaiting_sat_page_says_whether_sat_answers(console, browser):
    url, storage, _ = console
    context = logged_in(browser, url, "ana")
    page = context.new_page()
    started = time.monotonic()
    page.goto("/console/queues/awaiting_sat")
    assert time.monotonic() - started < 5
    panel = page.locator(".sat-panel")
    expect(panel).to_be_visible()
    if Settings().sat_checks:  # the probe itself: tests/integration/test_sat_panel.py
        expect(panel.locator("li[data-service]")).to_have_count(2)
        expect(panel).to_contain_text(re.compile(r"responde|no responde"))
    else:  # the test environment never asks SAT: the panel says so instead of probing
        expect(panel).to_contain_text("desactivadas")
    expect(panel).to_contain_text(f"{storage.state.queue_counts()['awaiting_sat']} folio(s) esperan al SAT")
    context.close()
