"""Per-folio report files: the decision as JSON (the contract) and a readable HTML page.

Personal identifiers in the HTML are partly masked, as compliance allows; the JSON is the
stored decision itself."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .decision import Decision
from .masking import mask_text

_env = Environment(loader=PackageLoader("claim_intake", "templates"), autoescape=select_autoescape(["html"]))
_env.filters["mask"] = lambda value: mask_text(str(value))


def write_folio_report(decision: Decision, reports_dir: Path, history_len: int) -> dict[str, Path]:
    folder = Path(reports_dir) / decision.folio
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"decision-{history_len:03d}.json"
    json_path.write_text(decision.model_dump_json(indent=2), encoding="utf-8")
    html_path = folder / "report.html"
    html_path.write_text(_env.get_template("folio_report.html").render(d=decision), encoding="utf-8")
    (folder / "latest.json").write_text(json.dumps({"decision": json_path.name}), encoding="utf-8")
    return {"json": json_path, "html": html_path}
