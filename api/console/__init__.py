"""The operator and compliance web console, served by the intake API's application under
/console (issue 16). `mount_console(app)` adds its routes, static files and error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from . import documents
from .auth import ConsoleRefused, NotLoggedIn, current_session
from .routes import router, templates

STATIC = Path(__file__).resolve().parent / "static"


def mount_console(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(documents.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    @app.exception_handler(NotLoggedIn)
    async def _login_first(request: Request, exc: NotLoggedIn) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(ConsoleRefused)
    async def _refused(request: Request, exc: ConsoleRefused) -> Response:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"session": current_session(request), "status": exc.status, "message": exc.message_es, "notice": None},
            status_code=exc.status,
        )
