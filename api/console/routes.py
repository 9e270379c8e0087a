"""The console's pages and actions under /console (issue 16): login and logout, the queues, a
folio, claim and release, the audited view of personal data, and the audit trail.

Reads go through storage; actions through the same queue claim/release the intake API uses.
Nothing here reads, validates or decides a folio: the console never composes an evaluation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import literal, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from application.notice import notices_of, resend_notice
from application.preview import page_count
from application.sat_panel import sat_panel
from domain.errors import InputError
from domain.masking import mask_text
from notify.notices import NoticeNotSent
from storage import QUEUES, audit
from storage.findings import FILTERS as FINDING_FILTERS
from storage.findings import FindingQuery, code_counts, iter_findings, page_of_findings
from storage.reporting import FINDING_COLUMNS
from storage.users import (
    ROLES,
    UserError,
    authenticate,
    close_session,
    create_user,
    disable_user,
    list_users,
    open_session,
)

from ..uploads import UploadRefused, check_file_name
from . import views
from .auth import (
    ACT_ON_FOLIOS,
    LOGIN_CSRF_COOKIE,
    MANAGE_USERS,
    READ_AUDIT,
    SEE_PERSONAL_DATA,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    ConsoleRefused,
    audit_action,
    client_address,
    current_session,
    engine_of,
    login_csrf,
    login_csrf_ok,
    login_throttled,
    require_form,
    require_session,
    set_cookie,
)
from .resubmit import Staged, resubmit, staging

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
NOTICES = {
    "claimed": "Folio tomado: ahora está asignado a usted.",
    "released": "Folio liberado: volvió a la cola.",
    "empty": "No hay folios sin asignar en esta cola.",
    "not-claimed": "El folio no está asignado a usted; no se liberó.",
    "taken": "El folio ya está asignado o ya no está en esa cola.",
    "submitted": "Documentos recibidos: el folio se está evaluando de nuevo; recargue en unos segundos.",
    "rerun": "El folio se está evaluando de nuevo; recargue en unos segundos.",
    "user-created": "Usuario creado.",
    "user-disabled": "Usuario desactivado; sus sesiones terminaron.",
    "notice-sent": "Aviso enviado.",
    "notice-pending": "El aviso quedó guardado sin enviar: no hay servidor de correo configurado.",
    "notice-failed": "El aviso no se pudo enviar; el error quedó registrado.",
}

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.filters["when"] = views.when
templates.env.globals["QUEUE_TITLES"] = views.QUEUE_TITLES

router = APIRouter(prefix="/console", include_in_schema=False)


def _state(request: Request):
    return request.app.state.ctx["storage"].state


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    session = context.pop("session", None) or current_session(request)
    return templates.TemplateResponse(
        request,
        name,
        {"session": session, "notice": NOTICES.get(request.query_params.get("aviso", "")), **context},
        status_code=status,
    )


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _known_queue(name: str) -> str:
    if name not in QUEUES:
        raise ConsoleRefused(404, f"No existe la cola «{name}».")
    return name


# -- login ---------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return _see_other("/console/queues/adjudication")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    token = login_csrf(request)
    response = _page(request, "login.html", csrf=token, session=None)
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not login_csrf_ok(request, form.get("csrf", "")):
        raise ConsoleRefused(403, "Formulario rechazado: falta el token CSRF o no es válido.")
    name = form.get("usuario", "").strip().lower()[:64]  # the audit trail's actor column holds 64
    engine, source = engine_of(request), client_address(request)
    if login_throttled(request, name):
        raise ConsoleRefused(429, "Demasiados intentos fallidos; espere unos minutos e intente de nuevo.")
    user = authenticate(engine, name, form.get("contrasena", ""))
    if user is None:
        audit.append(engine, name or "-", "login_failed", source=source)
        return _page(request, "login.html", 401, csrf=form["csrf"], error="Usuario o contraseña incorrectos.")
    token, session = open_session(engine, user, SESSION_LIFETIME)
    audit.append(engine, user.name, "login", role=user.role, source=source)
    response = _see_other("/console/queues/adjudication")
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session, _ = await require_form(request, "operator", "compliance", "admin")
    close_session(engine_of(request), request.cookies.get(SESSION_COOKIE))
    audit.append(engine_of(request), session.user.name, "logout", role=session.user.role)
    response = _see_other("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


# -- queues --------------------------------------------------------------------------------
@router.get("/queues/{queue}", response_class=HTMLResponse)
def queue_page(request: Request, queue: str, page: int = 1) -> Response:
    session = require_session(request)
    state, page = _state(request), max(1, page)
    counts = state.queue_counts()
    entries = state.queue_page(_known_queue(queue), PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return _page(
        request,
        "queue.html",
        session=session,
        queue=queue,
        counts=counts,
        rows=views.queue_rows(entries, datetime.now(UTC)),
        page=page,
        pages=max(1, -(-counts[queue] // PAGE_SIZE)),
        can_act=session.user.role in ACT_ON_FOLIOS,
        sat=_sat_panel(request) if queue == "awaiting_sat" else None,
    )


def _sat_panel(request: Request):
    """Shown on the awaiting_sat page only: its probe may cost up to ~1.5 s once a minute."""
    ctx = request.app.state.ctx
    return sat_panel(ctx["settings"], ctx["storage"])


@router.post("/queues/{queue}/claim")
async def claim_next(request: Request, queue: str) -> Response:
    session, _ = await require_form(request, *ACT_ON_FOLIOS)
    folio = _state(request).claim_next(_known_queue(queue), session.user.name)
    if folio is None:
        return _see_other(f"/console/queues/{queue}?aviso=empty")
    audit_action(
        request,
        session,
        "claim",
        folio=folio,
        detail={"queue": queue},
    )
    return _see_other(f"/console/folios/{folio}?aviso=claimed")


# -- a folio -------------------------------------------------------------------------------
def _folio_page(request: Request, folio: str, session, reveal: bool) -> HTMLResponse:
    state = _state(request)
    row = state.folio_row(folio)
    if row is None:
        raise ConsoleRefused(404, f"No existe el folio «{folio}».")
    history = state.history(folio)
    last = history[-1] if history else None
    entry = state.queue_entry(folio)
    show_audit = session.user.role in READ_AUDIT
    return _page(
        request,
        "folio.html",
        session=session,
        folio=folio,
        row=row,
        entry=entry,
        last=last,
        waits_for=views.waits_for(last) if last else [],
        timeline=views.timeline(history, state.flow_runs(folio)),
        documents=views.documents(last, reveal, _page_counts(request, last)) if last else [],
        folio_findings=views.folio_findings(last, reveal) if last else [],
        missing=[views.kind_es(k.value) for k in last.missing] if last else [],
        reveal=reveal,
        can_act=session.user.role in ACT_ON_FOLIOS,
        can_reveal=session.user.role in SEE_PERSONAL_DATA,
        audit_rows=audit.entries(engine_of(request), folio=folio, limit=50) if show_audit else None,
        notices=views.notices(notices_of(request.app.state.ctx["storage"], folio), reveal),
    )


def _page_counts(request: Request, decision) -> list[int]:
    storage = request.app.state.ctx["storage"]
    return [page_count(storage, doc) for doc in decision.documents]


@router.get("/folios/{folio}", response_class=HTMLResponse)
def folio_page(request: Request, folio: str) -> Response:
    return _folio_page(request, folio, require_session(request), reveal=False)


@router.post("/folios/{folio}/personal-data", response_class=HTMLResponse)
async def folio_personal_data(request: Request, folio: str) -> Response:
    """The folio page with RFC, CURP and CLABE in full; the view is written to the audit trail
    before anything is shown."""
    session, _ = await require_form(request, *SEE_PERSONAL_DATA)
    if _state(request).folio_row(folio) is None:
        raise ConsoleRefused(404, f"No existe el folio «{folio}».")
    audit_action(
        request,
        session,
        "view_personal_data",
        folio=folio,
    )
    return _folio_page(request, folio, session, reveal=True)


@router.post("/folios/{folio}/claim")
async def claim_folio(request: Request, folio: str) -> Response:
    session, _ = await require_form(request, *ACT_ON_FOLIOS)
    state = _state(request)
    queue = state.queue_of(folio)
    # the queue's own atomic claim, limited to this one folio
    got = state.claim_next(queue, session.user.name, select(literal(folio))) if queue else None
    if got is None:
        return _see_other(f"/console/folios/{folio}?aviso=taken")
    audit_action(
        request,
        session,
        "claim",
        folio=folio,
        detail={"queue": queue},
    )
    return _see_other(f"/console/folios/{folio}?aviso=claimed")


@router.post("/folios/{folio}/release")
async def release_folio(request: Request, folio: str) -> Response:
    session, _ = await require_form(request, *ACT_ON_FOLIOS)
    state = _state(request)
    if not state.release(folio, session.user.name):
        return _see_other(f"/console/folios/{folio}?aviso=not-claimed")
    audit_action(
        request,
        session,
        "release",
        folio=folio,
        detail={"queue": state.queue_of(folio)},
    )
    return _see_other(f"/console/folios/{folio}?aviso=released")


@router.post("/folios/{folio}/documents")
async def upload_documents(request: Request, folio: str) -> Response:
    """Documents sent on the claimant's behalf: staged, then the whole folio is evaluated again
    by the intake flow (resubmit.py) and a decision appended."""
    ctx = request.app.state.ctx
    session, form = await require_form(request, *ACT_ON_FOLIOS, max_files=ctx["max_files"])
    if _state(request).folio_row(folio) is None:
        raise ConsoleRefused(404, f"No existe el folio «{folio}».")
    uploads = [f for f in form.getlist("archivos") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise ConsoleRefused(422, "Elija al menos un documento.")
    staged = staging(ctx)
    try:
        names = await _stage(uploads, staged, ctx["max_bytes"])
        await run_in_threadpool(resubmit, ctx, folio, staged)
    except InputError as exc:
        raise ConsoleRefused(422, f"No se pudo recibir: {exc}") from None
    finally:
        await run_in_threadpool(staged.discard)
    audit_action(
        request,
        session,
        "upload",
        folio=folio,
        detail={"files": [mask_text(n) for n in names]},  # a file may be named after an RFC
    )
    return _see_other(f"/console/folios/{folio}?aviso=submitted")


async def _stage(uploads: list[UploadFile], staged: Staged, max_bytes: int) -> list[str]:
    names: list[str] = []
    total = 0
    for upload in uploads:
        try:
            name = check_file_name(Path(upload.filename or "").name)
        except UploadRefused as exc:
            raise ConsoleRefused(422, f"Nombre de archivo no válido: {exc.message}") from None
        if name in names:
            raise ConsoleRefused(422, f"El archivo «{name}» viene dos veces.")
        out = staged.open(name)
        while chunk := await upload.read(1 << 20):
            total += len(chunk)
            if total > max_bytes:
                raise ConsoleRefused(413, f"Los documentos pasan de {max_bytes // (1 << 20)} MiB.")
            await run_in_threadpool(out.write, chunk)
        names.append(name)
    return names


@router.post("/folios/{folio}/rerun")
async def rerun(request: Request, folio: str) -> Response:
    """Evaluate the folio again with the documents it has (e.g. after SAT came back)."""
    session, _ = await require_form(request, *ACT_ON_FOLIOS)
    if _state(request).folio_row(folio) is None:
        raise ConsoleRefused(404, f"No existe el folio «{folio}».")
    try:
        await run_in_threadpool(resubmit, request.app.state.ctx, folio)
    except InputError as exc:
        raise ConsoleRefused(422, f"No se pudo evaluar de nuevo: {exc}") from None
    audit_action(
        request,
        session,
        "rerun",
        folio=folio,
    )
    return _see_other(f"/console/folios/{folio}?aviso=rerun")


@router.post("/folios/{folio}/notices/{notice_id}/resend")
async def resend(request: Request, folio: str, notice_id: int) -> Response:
    """Send a pending-documents notice again (the same use case as `claim-intake notices --retry`)."""
    session, _ = await require_form(request, *ACT_ON_FOLIOS)
    ctx = request.app.state.ctx
    try:
        status = resend_notice(ctx["storage"], ctx["settings"], folio, notice_id)
    except InputError as exc:
        raise ConsoleRefused(404, f"No existe ese aviso: {exc}") from None
    except NoticeNotSent:
        status = "failed"
    audit_action(
        request,
        session,
        "resend_notice",
        folio=folio,
        detail={"notice": notice_id, "status": status},
    )
    return _see_other(f"/console/folios/{folio}?aviso=notice-{status}")


# -- compliance: findings of a period -------------------------------------------------------


def _period(request: Request) -> tuple[date, date, dict[str, str]]:
    today = datetime.now(UTC).date()
    params = request.query_params
    try:
        start = date.fromisoformat(params.get("desde") or (today - timedelta(days=30)).isoformat())
        end = date.fromisoformat(params.get("hasta") or today.isoformat())
    except ValueError:
        raise ConsoleRefused(422, "Las fechas van como AAAA-MM-DD.") from None
    if end < start:
        raise ConsoleRefused(422, "«hasta» es anterior a «desde».")
    return start, end, {k: params[k] for k in FINDING_FILTERS if params.get(k)}


def _query(request: Request) -> FindingQuery:
    start, end, chosen = _period(request)
    return FindingQuery(start, end, chosen)


@router.get("/findings", response_class=HTMLResponse)
def findings_page(request: Request, page: int = 1) -> Response:
    """Every finding of the decisions made in a period, filtered by rule code, route, claim
    type, portal, document kind or outcome; counts per code as bars that filter by their code.
    Read from decision_findings: one GROUP BY for the bars and the total, one indexed page."""
    session = require_session(request)
    query = _query(request)
    counts = code_counts(engine_of(request), query)
    page = max(1, page)
    rows = page_of_findings(engine_of(request), query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    period = {"desde": query.start.isoformat(), "hasta": query.end.isoformat()}
    return _page(
        request,
        "findings.html",
        session=session,
        start=query.start,
        end=query.end,
        chosen=query.chosen,
        total=counts.total,
        rows=views.masked(rows, False),
        bars=(bars := views.code_bars(counts.counts)),
        chart_height=views.chart_height(bars),
        page=page,
        pages=max(1, -(-counts.total // PAGE_SIZE)),
        query=urlencode({**period, **query.chosen}),
        base_query=urlencode(period),
    )


@router.get("/findings.csv")
def findings_csv(request: Request) -> Response:
    """The same findings as CSV (the columns of the period report's CSV), identifiers masked,
    streamed in batches read one after another (never the whole period in memory). The export
    is the list as counted when it began (storage.findings.iter_findings)."""
    session = require_session(request)
    query = _query(request)
    engine = engine_of(request)
    counts = code_counts(engine, query)
    audit_action(
        request,
        session,
        "export_findings",
        detail={
            "from": query.start.isoformat(),
            "to": query.end.isoformat(),
            **query.chosen,
            "rows": counts.total,
        },
    )
    name = f"hallazgos-{query.start}_{query.end}.csv"
    return StreamingResponse(
        views.csv_lines(iter_findings(engine, query, counts.last_decision), FINDING_COLUMNS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- users (admin) ----------------------------------------------------------------------------
@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    session = require_session(request)
    if session.user.role not in MANAGE_USERS:
        raise ConsoleRefused(403, f"El rol «{session.user.role}» no puede administrar usuarios.")
    return _page(request, "users.html", session=session, users=list_users(engine_of(request)), roles=ROLES)


@router.post("/users")
async def user_create(request: Request) -> Response:
    session, form = await require_form(request, *MANAGE_USERS)
    name, role, password = (str(form.get(k) or "") for k in ("usuario", "rol", "contrasena"))
    try:
        create_user(engine_of(request), name.strip().lower(), role, password)
    except UserError as exc:
        raise ConsoleRefused(422, f"No se creó el usuario: {exc}") from None
    audit_action(
        request,
        session,
        "user_create",
        detail={"user": name.strip().lower(), "role": role},
    )
    return _see_other("/console/users?aviso=user-created")


@router.post("/users/{name}/disable")
async def user_disable(request: Request, name: str) -> Response:
    session, _ = await require_form(request, *MANAGE_USERS)
    if name == session.user.name:
        raise ConsoleRefused(422, "No puede desactivar su propia cuenta.")
    if not disable_user(engine_of(request), name):
        raise ConsoleRefused(404, f"No hay un usuario activo «{name}».")
    audit_action(
        request,
        session,
        "user_disable",
        detail={"user": name},
    )
    return _see_other("/console/users?aviso=user-disabled")


# -- the audit trail -----------------------------------------------------------------------
@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, page: int = 1, folio: str | None = None) -> Response:
    session = require_session(request)
    if session.user.role not in READ_AUDIT:
        raise ConsoleRefused(403, f"El rol «{session.user.role}» no puede ver la bitácora.")
    page = max(1, page)
    rows = audit.entries(
        engine_of(request), folio=folio or None, limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE
    )
    return _page(
        request,
        "audit.html",
        session=session,
        rows=rows,
        page=page,
        folio=folio or "",
        more=len(rows) == AUDIT_PAGE_SIZE,
    )
