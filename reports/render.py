"""Per-folio report files: the decision as JSON (the contract), a compliance page in HTML and the
same page as PDF (WeasyPrint), and the markdown operators see as a Prefect artifact.

The compliance page shows every document, its extracted fields, every finding with its code, the
rule's text (domain.rules, written from RULES.md) and its evidence (SAT's raw answer
included), the rule-set version and the folio's decision history. Personal identifiers are
partly masked, as compliance allows (RFC: initials and homoclave; CLABE: last four digits); the
JSON is the stored decision itself."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from domain.config import SAT_CHECK_CODES
from domain.decision import Decision
from domain.masking import mask_clabe, mask_rfc, mask_text
from domain.rules import catalogue
from storage.reporting import FINDING_COLUMNS, period_data

ROUTE_ES = {
    "adjudication": "Dictamen (completo)",
    "pending_documents": "Documentos pendientes",
    "awaiting_sat": "En espera del SAT",
}
_env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html"]))
_env.filters["mask"] = lambda value: mask_text(str(value))


def as_text(value: Any) -> str:
    """An extracted value as a reader wants it: a list of plain values as the words joined by
    commas ("Régimen de Sueldos, Régimen Simplificado"), anything nested as indented JSON that
    keeps accents as written (Jinja's `tojson` escapes them to "R\\u00e9gimen")."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return str(value)


_env.filters["as_text"] = as_text


@lru_cache(maxsize=1)
def rule_catalogue() -> dict[str, dict[str, str]]:
    """code -> {outcome, rule, action}: the rule catalogue (domain.rules) as templates read it."""
    return {code: {"outcome": r.outcome.value, "rule": r.rule, "action": r.action} for code, r in catalogue().items()}


def mask_fields(value: Any, key: str = "") -> Any:
    """Extracted fields as compliance may see them: RFCs and CLABEs partly hidden, wherever
    they are (a field named so, or inside free text)."""
    if isinstance(value, dict):
        return {k: mask_fields(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_fields(v, key) for v in value]
    if isinstance(value, str):
        lowered = key.lower()
        if "clabe" in lowered:
            return mask_clabe(value)
        if "rfc" in lowered and 12 <= len(value.strip()) <= 13:
            return mask_rfc(value)
        return mask_text(value)
    return value


def _evidence(evidence: dict) -> tuple[str, str | None]:
    """(masked JSON of the evidence, SAT's raw answer masked, if any)."""
    rest = {k: v for k, v in evidence.items() if k != "raw_answer"}
    raw = evidence.get("raw_answer")
    shown = json.dumps(mask_fields(rest), ensure_ascii=False, indent=1, default=str) if rest else ""
    return shown, mask_text(str(raw)) if raw else None


def render_folio_html(decision: Decision, history: list[Decision] | None = None, manifest: dict | None = None) -> str:
    history = history or [decision]
    return _env.get_template("folio_report.html").render(
        d=decision,
        history=history,
        rules=rule_catalogue(),
        route_es=ROUTE_ES,
        mask_fields=mask_fields,
        evidence=_evidence,
        manifest=manifest or {},
        sat_not_asked=sat_not_asked(decision),
    )


def sat_not_asked(decision: Decision) -> list[str]:
    """The SAT rules the decision lists as skipped (the checks were switched off): the report
    says so at its top, so nobody reads an unchecked invoice as a checked one."""
    return [s.code for s in decision.skipped_rules if s.code in SAT_CHECK_CODES]


PDF_SOURCE = "report.pdf.source"  # beside report.pdf: the SHA-256 of the report.html it came from


def pdf_of(html: str) -> bytes:
    """The folio's page as PDF bytes (WeasyPrint), for a store that keeps no report directory."""
    from weasyprint import HTML  # heavy (pango, ~1 s): loaded only when a PDF is made

    return HTML(string=html).write_pdf()


def pdf_is_current(html: bytes, source: bytes) -> bool:
    """A PDF whose noted source is this HTML's digest was rendered from this very page."""
    return source.decode("ascii", "replace").strip() == _digest(html)


def pdf_source_note(html: bytes) -> bytes:
    return (_digest(html) + "\n").encode("ascii")


def write_pdf(html: str, path: Path) -> Path:
    """The same page as PDF, for the compliance file (WeasyPrint, no browser needed). Written
    beside and renamed into place, so nobody ever reads half a PDF."""
    from weasyprint import HTML  # heavy (pango, ~1 s): loaded only when a PDF is written

    partial = path.with_name(path.name + ".partial")
    HTML(string=html).write_pdf(str(partial))
    partial.replace(path)
    return path


def write_folio_report(
    decision: Decision,
    reports_dir: Path,
    history_len: int,
    history: list[Decision] | None = None,
    manifest: dict | None = None,
    pdf: bool = False,
) -> dict[str, Path]:
    """The decision as JSON and the folio's page as HTML; the PDF only when asked, because it
    costs ~0.5 s: the intake flows leave it to `folio-report-pdfs` (write_pending_pdf)."""
    folder = Path(reports_dir) / decision.folio
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"decision-{history_len:03d}.json"
    json_path.write_text(decision.model_dump_json(indent=2), encoding="utf-8")
    html = render_folio_html(decision, history, manifest)
    html_path = folder / "report.html"
    html_path.write_text(html, encoding="utf-8")
    (folder / "latest.json").write_text(json.dumps({"decision": json_path.name}), encoding="utf-8")
    paths = {"json": json_path, "html": html_path}
    if pdf:
        paths["pdf"] = write_pending_pdf(folder)
    return paths


def _pdf_source(folder: Path) -> Path:
    return folder / PDF_SOURCE


def folios_without_current_pdf(reports_dir: Path) -> list[str]:
    """Folios whose report.pdf is missing or was rendered from another report.html than the one
    there now. A digest, not mtimes: an HTML rewritten while its PDF renders must not look done."""
    out = []
    for folder in sorted(p for p in Path(reports_dir).iterdir() if p.is_dir() and (p / "report.html").is_file()):
        source = _pdf_source(folder)
        if (
            not (folder / "report.pdf").is_file()
            or not source.is_file()
            or source.read_text().strip() != _digest((folder / "report.html").read_bytes())
        ):
            out.append(folder.name)
    return out


def write_pending_pdf(folder: Path) -> Path:
    """Render report.pdf from the report.html beside it and note which HTML it came from."""
    html = (folder / "report.html").read_bytes()
    path = write_pdf(html.decode("utf-8"), folder / "report.pdf")
    _pdf_source(folder).write_text(_digest(html) + "\n")
    return path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folio_markdown(decision: Decision, paths: dict[str, str]) -> str:
    """The operator's view of one run, for a Prefect markdown artifact."""
    lines = [
        f"# Folio {decision.folio}",
        "",
        f"**Ruta:** {ROUTE_ES[decision.route.value]} (`{decision.route.value}`) · reglas `{decision.ruleset}`"
        f" · fecha de ingreso {decision.as_of}",
        "",
    ]
    if decision.complete_at:
        lines += [
            f"Completo el {decision.complete_at:%Y-%m-%d %H:%M} UTC; pago a más tardar {decision.payment_due}.",
            "",
        ]
    if skipped_sat := sat_not_asked(decision):
        lines += [
            f"**No se consultó al SAT** (CLAIM_INTAKE_SAT_CHECKS=false): reglas no evaluadas {', '.join(skipped_sat)}.",
            "",
        ]
    reasons = [(f.code, "folio", f.message_es) for f in decision.folio_findings if f.outcome != "warn"]
    reasons += [(f.code, d.file, f.message_es) for d in decision.documents for f in d.findings if f.outcome != "warn"]
    if reasons:
        lines += ["## Motivos", "", "| código | archivo | motivo |", "|---|---|---|"]
        lines += [f"| {c} | {_md(mask_text(file))} | {_md(mask_text(m))} |" for c, file, m in reasons]
        lines.append("")
    if decision.missing:
        lines += ["## Faltan", ""] + [f"- {k.name_es} (`{k.value}`)" for k in decision.missing] + [""]
    warns = sorted(
        {f.code for d in decision.documents for f in d.findings if f.outcome == "warn"}
        | {f.code for f in decision.folio_findings if f.outcome == "warn"}
    )
    if warns:
        lines += [f"Avisos: {', '.join(warns)}", ""]
    lines += ["## Reporte", ""] + [f"- {k}: [{Path(v).name}](file://{v})" for k, v in sorted(paths.items())]
    if "pdf" not in paths and "html" in paths:  # rendered off the routing path by folio-report-pdfs
        lines.append(
            f"- pdf: [report.pdf](file://{Path(paths['html']).with_name('report.pdf')}) (la genera folio-report-pdfs)"
        )
    return "\n".join(lines)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# ------------------------------------------------------------------------------ period report


def write_period_report(engine, start, end, out_dir: Path) -> dict[str, Path]:
    """`findings-<from>_<to>.csv` (every finding of every decision in the period, personal
    identifiers masked) and `summary-<from>_<to>.html` with the charts embedded as PNG."""
    data = period_data(engine, start, end)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"
    csv_path = out_dir / f"findings-{stem}.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FINDING_COLUMNS)
        writer.writeheader()
        for row in data.findings:
            writer.writerow(
                {
                    **row,
                    "evaluated_at": row["evaluated_at"].isoformat(),
                    "message_es": mask_text(row["message_es"]),
                    "file": mask_text(row["file"]) if row["file"] else row["file"],
                }
            )  # named after an RFC?
    html_path = out_dir / f"summary-{stem}.html"
    html_path.write_text(render_period_html(data), encoding="utf-8")
    return {"csv": csv_path, "html": html_path}


def render_period_html(data) -> str:
    rejects = [f for f in data.findings if f["outcome"] == "reject"]
    routes: dict[str, int] = {}
    for d in data.decisions:
        routes[d["route"]] = routes.get(d["route"], 0) + 1
    return _env.get_template("period_summary.html").render(
        data=data,
        rejects=rejects,
        routes=routes,
        route_es=ROUTE_ES,
        charts=period_charts(data),
        rules=rule_catalogue(),
    )


def period_charts(data) -> list[tuple[str, str]]:
    """(title, PNG as a data: URI) for each chart of the summary, drawn with matplotlib."""
    import matplotlib  # heavy (~0.5 s), and only the period summary draws charts

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state between reports

    rejects = [f for f in data.findings if f["outcome"] == "reject"]
    charts = []

    def png(fig) -> str:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    def bars(title: str, counts: Counter, color: str, horizontal: bool = True) -> None:
        fig = Figure(figsize=(6.4, max(2.2, 0.32 * len(counts) + 1)) if horizontal else (6.4, 3))
        ax = fig.subplots()
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if horizontal else sorted(counts.items())
        labels, values = [str(k) for k, _ in items] or ["(ninguno)"], [v for _, v in items] or [0]
        if horizontal:
            ax.barh(labels[::-1], values[::-1], color=color)
            ax.set_xlabel("rechazos")
        else:
            ax.bar(labels, values, color=color)
            ax.tick_params(axis="x", labelrotation=45)
        ax.set_title(title)
        charts.append((title, png(fig)))

    bars("Rechazos por regla", Counter(f["code"] for f in rejects), "#b03a2e")
    bars("Rechazos por tipo de documento", Counter(f["kind"] or "(folio)" for f in rejects), "#ca6f1e")
    bars("Rechazos por portal", Counter(f["portal"] for f in rejects), "#7d3c98")
    bars(
        "Rechazos por día",
        Counter(f["evaluated_at"].strftime("%Y-%m-%d") for f in rejects),
        "#2e86c1",
        horizontal=False,
    )
    fig = Figure(figsize=(6.4, 2.4))
    ax = fig.subplots()
    pending, converted = data.conversions["pending"], data.conversions["adjudicated_after_pending"]
    ax.barh(["con pendientes", "luego completos"], [pending, converted], color=["#a93226", "#229954"])
    rate = f"{100 * converted / pending:.0f} %" if pending else "sin folios pendientes"
    ax.set_title(f"Conversión pendientes → dictamen: {rate}")
    charts.append(("Conversión pendientes → dictamen", png(fig)))
    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.subplots()
    labels = [ROUTE_ES[r] for r in ROUTE_ES if data.queue_hours.get(r)]
    values = [data.queue_hours[r] for r in ROUTE_ES if data.queue_hours.get(r)]
    if values:
        ax.boxplot(values, orientation="horizontal", tick_labels=labels)
    ax.set_xlabel("horas en la cola")
    ax.set_title("Tiempo en cola")
    charts.append(("Tiempo en cola", png(fig)))
    return charts
