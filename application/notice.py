"""The pending-documents notice to the claimant: recorded, written beside the reports and
uploaded to the blob store before it is sent, so a send failure loses nothing."""

from __future__ import annotations

from dataclasses import dataclass

from domain.config import Settings
from domain.decision import Decision
from domain.errors import InputError
from domain.folio import FolioManifest
from notify.notices import NoticeStore, build_notice, deliver, write_notice_files
from storage import Storage

from .record import upload_reports
from .services import Services


@dataclass(frozen=True)
class NoticeSent:
    """What became of a notice: its row id, its status (pending | sent | failed) and its HTML file."""

    id: int
    status: str
    html: str


def notify_claimant(decision: Decision, manifest: FolioManifest, services: Services) -> NoticeSent | None:
    """None when the decision needs no notice. A failed send raises notify.notices.NoticeNotSent
    after recording it, so a caller with retries (the flow's task) sends it again."""
    notice = build_notice(decision, manifest)
    if notice is None:
        return None
    storage = services.storage
    notices = NoticeStore(storage.state.engine)
    notice_id = notices.record(notice, decision.evaluated_at)
    files = write_notice_files(notice, storage.reports_dir, len(notices.list(folio=decision.folio)))
    upload_reports(storage, decision.folio, files.values())
    status = deliver(notices, notice_id, services.settings)
    return NoticeSent(notice_id, status, str(files["html"]))


def notices_of(storage: Storage, folio: str) -> list[dict]:
    """Every pending-documents notice of a folio, oldest first, with its delivery status."""
    return NoticeStore(storage.state.engine).list(folio=folio)


def resend_notice(storage: Storage, settings: Settings, folio: str, notice_id: int) -> str:
    """Send a recorded notice of `folio` again (an operator's resend); its new status. A notice
    already sent stays sent; a send failure is recorded and raises NoticeNotSent."""
    store = NoticeStore(storage.state.engine)
    if not any(row["id"] == notice_id for row in store.list(folio=folio)):
        raise InputError(f"folio {folio}: no notice {notice_id}")
    return deliver(store, notice_id, settings)
