"""Pending-documents notices: what the claimant must fix, in Spanish, by e-mail.

One notice per decision routed to pending documents: every rejected file with the reason in
plain words and what to do (from the rule catalogue, defaults/rules_es.yaml), folio-wide
reasons, and every missing document by its Spanish name. The notice is recorded in the
`notices` table *before* it is sent, so a send failure never loses it: it stays `pending`
(no SMTP host) or becomes `failed` with the reason, and `deliver` can be called again (the
flow's task retries; `claim-intake notices --retry` later)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine, insert, select, update

from domain.config import Settings
from domain.decision import Decision, DocumentStatus, Route
from domain.errors import ServiceError
from domain.findings import Outcome
from domain.folio import FolioManifest
from domain.kinds import DocumentKind
from domain.masking import mask_text
from reports.render import rule_catalogue
from storage.engine import inserted_id
from storage.schema import notices

from .mailer import MailError, send_email

PENDING, SENT, FAILED = "pending", "sent", "failed"
_env = Environment(
    loader=PackageLoader("reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass
class Reason:
    code: str
    reason: str  # the finding's own message, in plain words
    action: str  # what to do, from the catalogue


@dataclass
class RejectedFile:
    file: str
    kind_es: str
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Notice:
    folio: str
    recipient: str | None
    subject: str
    ruleset: str
    evaluated_at: str
    rejected: list[RejectedFile]
    folio_reasons: list[Reason]
    missing: list[str]  # Spanish names
    text: str = ""
    html: str = ""


def _reason(finding) -> Reason:
    entry = rule_catalogue().get(finding.code, {})
    message, action = mask_text(finding.message_es), entry.get("action", "")
    return Reason(finding.code, message, "" if _already_says(message, action) else action)


def _already_says(message: str, action: str) -> bool:
    """Many messages already end with what to do; do not tell the claimant twice."""
    words = {w.strip(".,;:()").lower() for w in action.split() if len(w) > 3}
    said = {w.strip(".,;:()").lower() for w in message.split()}
    return bool(words) and len(words & said) / len(words) >= 0.7


def recipient_of(manifest: FolioManifest) -> str | None:
    """The provider for provider billing, otherwise the policy holder; either as a fallback."""
    holder = manifest.holder.email if manifest.holder else None
    provider = manifest.provider.email if manifest.provider else None
    if manifest.claim_type.value == "pago_proveedor":
        return provider or holder
    return holder or provider


def build_notice(decision: Decision, manifest: FolioManifest) -> Notice | None:
    """The notice for a pending decision, rendered; None for any other route."""
    if decision.route is not Route.PENDING_DOCUMENTS:
        return None
    rejected = [
        RejectedFile(mask_text(d.file), d.kind.name_es, [_reason(f) for f in d.findings if f.outcome is Outcome.REJECT])
        for d in decision.documents
        if d.status is DocumentStatus.REJECTED
    ]
    folio_reasons = [_reason(f) for f in decision.folio_findings if f.outcome is Outcome.REJECT and f.code != "REQ-001"]
    missing = [DocumentKind(k).name_es for k in decision.missing]
    notice = Notice(
        folio=decision.folio,
        recipient=recipient_of(manifest),
        subject=f"Folio {decision.folio}: faltan documentos para continuar con tu trámite",
        ruleset=decision.ruleset,
        evaluated_at=decision.evaluated_at.strftime("%Y-%m-%d %H:%M UTC"),
        rejected=rejected,
        folio_reasons=folio_reasons,
        missing=missing,
    )
    notice.text = _env.get_template("notice.txt").render(n=notice)
    notice.html = _env.get_template("notice.html").render(n=notice)
    return notice


def write_notice_files(notice: Notice, reports_dir: Path, number: int) -> dict[str, Path]:
    """Keep the notice beside the folio's reports: `notice-NNN.txt` and `.html`."""
    folder = Path(reports_dir) / notice.folio
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"text": folder / f"notice-{number:03d}.txt", "html": folder / f"notice-{number:03d}.html"}
    paths["text"].write_text(notice.text, encoding="utf-8")
    paths["html"].write_text(notice.html, encoding="utf-8")
    return paths


class NoticeStore:
    """The `notices` table: recorded first, then sent; status pending | sent | failed."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, notice: Notice, evaluated_at: datetime) -> int:
        """Idempotent per decision: recording the same decision's notice again returns its id."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(notices.c.id).where(
                    notices.c.folio == notice.folio, notices.c.decision_evaluated_at == evaluated_at
                )
            ).first()
            if row:
                return row.id
            return inserted_id(
                conn.execute(
                    insert(notices).values(
                        folio=notice.folio,
                        decision_evaluated_at=evaluated_at,
                        recipient=notice.recipient,
                        subject=notice.subject,
                        body_text=notice.text,
                        body_html=notice.html,
                        status=PENDING,
                        attempts=0,
                        created_at=datetime.now(UTC),
                    )
                )
            )

    def get(self, notice_id: int) -> dict:
        with self.engine.begin() as conn:
            row = conn.execute(select(notices).where(notices.c.id == notice_id)).first()
        if row is None:
            raise KeyError(f"no notice {notice_id}")
        return dict(row._mapping)

    def list(self, folio: str | None = None, status: str | None = None) -> list[dict]:
        query = select(notices).order_by(notices.c.id)
        if folio:
            query = query.where(notices.c.folio == folio)
        if status:
            query = query.where(notices.c.status == status)
        with self.engine.begin() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def _set(self, notice_id: int, **values) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(notices).where(notices.c.id == notice_id).values(**values))

    def mark(self, notice_id: int, status: str, error: str | None = None, attempted: bool = True) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error}
        if attempted:
            values["attempts"] = notices.c.attempts + 1
        if status == SENT:
            values["sent_at"] = datetime.now(UTC)
        self._set(notice_id, **values)


class NoticeNotSent(ServiceError):
    """Sending failed; the notice is recorded as failed and can be retried."""


def deliver(store: NoticeStore, notice_id: int, settings: Settings) -> str:
    """Send one recorded notice. Returns the new status; raises NoticeNotSent on a send failure
    (after recording it) so that a caller with retries tries again."""
    row = store.get(notice_id)
    if row["status"] == SENT:
        return SENT
    if not row["recipient"]:
        store.mark(notice_id, FAILED, "folio.json has no holder.email nor provider.email", attempted=False)
        return FAILED
    if not settings.mail.host:
        store.mark(notice_id, PENDING, "SMTP not configured (CLAIM_INTAKE_SMTP_HOST): stored only", attempted=False)
        return PENDING
    try:
        send_email(settings, row["recipient"], row["subject"], row["body_text"], row["body_html"])
    except MailError as exc:
        store.mark(notice_id, FAILED, str(exc))
        raise NoticeNotSent(f"notice {notice_id} of folio {row['folio']}: {exc}") from None
    store.mark(notice_id, SENT)
    return SENT


def as_dict(notice: Notice) -> dict:
    return asdict(notice)
