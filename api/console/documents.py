"""The folio's documents as a person sees them: a preview of each page, drawn on the server from
the stored original (application.preview), and the folio's PDF report (application.folio_report).

Previews show what the claimant sent, RFCs and names included, so each one served is a view of
personal data: any signed-in role may see them (the issue: "everyone"), and every preview served
writes a `view_preview` audit row (who, folio, document, page). The PDF report is the compliance
file; its download writes `download_report`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from application.folio_report import ReportNotReady, folio_report_pdf
from application.preview import NoSuchDocument, page_preview

from .auth import ConsoleRefused, audit_action, require_session

PLACEHOLDER = Path(__file__).resolve().parent / "static" / "sin-vista-previa.png"
MAX_PAGE = 500  # no original has more pages than the rule set lets through; a bigger n is a typo
PREVIEW_CACHE = "private, max-age=300"  # the original never changes; the session may end

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/folios/{folio}/documents/{index}/pages/{page}.png")
async def page_png(request: Request, folio: str, index: int, page: int) -> Response:
    """Page `page` (1-based) of the document at `index` (0-based, as the folio page lists them)
    of the folio's last decision; a placeholder (still image/png, `X-Preview: unavailable`)
    when the original cannot be drawn: damaged, hostile, missing, or no such page."""
    session = require_session(request)
    if not 1 <= page <= MAX_PAGE:
        raise ConsoleRefused(404, "No existe esa página.")
    storage = request.app.state.ctx["storage"]
    try:
        preview = await run_in_threadpool(page_preview, storage, folio, index, page)
    except NoSuchDocument:
        raise ConsoleRefused(404, f"El folio «{folio}» no tiene ese documento.") from None
    audit_action(
        request,
        session,
        "view_preview",
        folio=folio,
        detail={"document": index, "page": page, "drawn": bool(preview.png)},
    )
    headers = {"Cache-Control": PREVIEW_CACHE, "X-Content-Type-Options": "nosniff"}
    if preview.png is None:
        return Response(
            PLACEHOLDER.read_bytes(), media_type="image/png", headers={**headers, "X-Preview": "unavailable"}
        )
    return Response(preview.png, media_type="image/png", headers={**headers, "X-Preview-Pages": str(preview.pages)})


@router.get("/folios/{folio}/report.pdf")
async def report_pdf(request: Request, folio: str) -> Response:
    """The folio's latest PDF report (rendered now if `folio-report-pdfs` has not yet)."""
    session = require_session(request)
    try:
        pdf = await run_in_threadpool(folio_report_pdf, request.app.state.ctx["storage"], folio)
    except ReportNotReady:
        raise ConsoleRefused(404, f"El folio «{folio}» aún no tiene informe.") from None
    except ValueError:  # not a folio id (a slash, dots): the store refuses to build a location
        raise ConsoleRefused(404, f"No existe el folio «{folio}».") from None
    audit_action(request, session, "download_report", folio=folio, detail={"bytes": len(pdf)})
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="informe-{folio}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
