"""The latest PDF report of a folio, for the console's compliance download.

`folio-report-pdfs` (flows/report.py) renders each folio's report.pdf off the routing path; a
download that comes before that flow ran (or after a newer decision rewrote report.html) renders
it here, on demand, through the same reports code, and keeps it where the flow would have, so the
flow then finds it current. Only a folio with no decision at all has no report to give."""

from __future__ import annotations

from domain.errors import InputError
from reports.render import PDF_SOURCE, pdf_is_current, pdf_of, pdf_source_note, write_pending_pdf
from storage import ReportMissing, Storage

from .record import upload_reports

HTML, PDF = "report.html", "report.pdf"


class ReportNotReady(InputError):
    """The folio has no report yet: it was never evaluated."""


def folio_report_pdf(storage: Storage, folio: str) -> bytes:
    """The PDF of the folio's latest report (rendered now when the stored one is missing or was
    made from an older report.html)."""
    try:
        html = storage.blobs.get_report(folio, HTML)
    except ReportMissing:
        raise ReportNotReady(f"folio {folio} has no report yet") from None
    try:
        if pdf_is_current(html, storage.blobs.get_report(folio, PDF_SOURCE)):
            return storage.blobs.get_report(folio, PDF)
    except ReportMissing:
        pass
    folder = storage.reports_dir / folio
    if (folder / HTML).is_file():  # this process writes the reports (the local store, a worker)
        path = write_pending_pdf(folder)
        upload_reports(storage, folio, [path, folder / PDF_SOURCE])
        return path.read_bytes()
    pdf = pdf_of(html.decode("utf-8"))  # reports live only in the blob store (S3, another host)
    storage.blobs.put_report(folio, PDF, pdf, "application/pdf")
    storage.blobs.put_report(folio, PDF_SOURCE, pdf_source_note(html), "text/plain")
    return pdf
