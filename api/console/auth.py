"""Who is using the console: the session cookie, the CSRF token of every form, the roles, and
the login rate limit.

- The session lives on the server (storage/users.py); the cookie holds only a random token,
  `HttpOnly`, `SameSite=Lax`, `Secure` when the request came over TLS, scoped to /console.
- Every POST carries the session's CSRF token in the `csrf` field (synchronizer token); the
  login form, before any session exists, a double-submit token (cookie + field). A POST
  without the right token is refused with 403 before it does anything.
- Portal API keys are not looked at here, and the portal API does not look at this cookie: the
  two credentials open nothing of each other's.
- Five failed logins of a user name from one address within five minutes: 429 until the oldest
  falls out of the window (counted from the audit trail, so it holds across replicas)."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from domain.errors import ClaimIntakeError
from storage import audit
from storage.users import Session, session_of

SESSION_COOKIE = "ci_console"
LOGIN_CSRF_COOKIE = "ci_console_login"
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW = timedelta(minutes=5)
COOKIE_PATH = "/console"

# who may do what; compliance reads everything and changes nothing
ACT_ON_FOLIOS = ("operator",)
SEE_PERSONAL_DATA = ("operator", "admin")
READ_AUDIT = ("compliance", "admin")
MANAGE_USERS = ("admin",)


class ConsoleRefused(ClaimIntakeError):  # not InputError: routes catch that to wrap use-case errors
    """A console request refused: rendered as a Spanish error page with `status`."""

    def __init__(self, status: int, message_es: str):
        super().__init__(message_es)
        self.status, self.message_es = status, message_es


class NotLoggedIn(ClaimIntakeError):
    """A page asked for without a live session: the browser is sent to the login page."""


def engine_of(request: Request):
    return request.app.state.ctx["storage"].state.engine


def audit_action(
    request: Request, session: Session, action: str, *, folio: str | None = None, detail: dict[str, Any] | None = None
) -> None:
    """One audit row for what a signed-in user did or viewed: who, with which role, from where."""
    audit.append(
        engine_of(request),
        session.user.name,
        action,
        role=session.user.role,
        folio=folio,
        source=client_address(request),
        detail=detail,
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def current_session(request: Request) -> Session | None:
    return session_of(engine_of(request), request.cookies.get(SESSION_COOKIE))


def require_session(request: Request) -> Session:
    """For pages (GET): a live session, else off to the login page."""
    session = current_session(request)
    if session is None:
        raise NotLoggedIn()
    return session


async def require_form(request: Request, *roles: str, max_files: int = 0) -> tuple[Session, FormData]:
    """For actions (POST): a live session of one of `roles` and the right CSRF token, else 403.
    The token is checked first: a forged form is refused whoever's cookie it rides on. Files
    are accepted only where the action takes them (`max_files`)."""
    session = current_session(request)
    if session is None:
        raise ConsoleRefused(403, "La sesión no es válida o expiró; inicie sesión de nuevo.")
    try:
        form = await request.form(max_files=max_files, max_fields=20)
    except HTTPException:  # more files or fields than the action takes
        raise ConsoleRefused(413, "Demasiados archivos o campos en el formulario.") from None
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise ConsoleRefused(403, "Formulario rechazado: falta el token CSRF o no es válido.")
    if session.user.role not in roles:
        audit.append(
            engine_of(request),
            session.user.name,
            "refused",
            role=session.user.role,
            folio=request.path_params.get("folio"),
            source=client_address(request),
            detail={"path": request.url.path},
        )
        raise ConsoleRefused(403, f"El rol «{session.user.role}» no puede realizar esta acción.")
    return session, form


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def login_csrf(request: Request) -> str:
    """The login form's token: the one already in the browser's cookie, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def login_csrf_ok(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())


def login_throttled(request: Request, name: str) -> bool:
    failures = audit.recent_count(engine_of(request), name, "login_failed", client_address(request), LOGIN_WINDOW)
    return failures >= LOGIN_FAILURES_ALLOWED
