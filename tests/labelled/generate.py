"""The labelled set: documents of every kind, digital and scanned, with the kind a person would
give each one. Generated, not committed (deterministic, a few seconds), so the repository stays
small: `python tests/labelled/generate.py OUT_DIR` writes the files and `labels.csv`.

Digital: the sample builders in several layouts per kind, plus the sample folios' own CFDI PDFs
and XMLs. Scanned: pages rendered to pixels and degraded (skew, a page turned 90° or 180°, blur,
noise, JPEG) into image-only PDFs or JPG photos; every distinct sample CSF and bank statement is
among them, so the key-field test can compare each scan with its digital original."""

from __future__ import annotations

import csv
import hashlib
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from samples.builders import forms  # noqa: E402 - after the sys.path set-up above
from samples.builders.bank import LAYOUTS, build_statement, make_clabe  # noqa: E402 - after the sys.path set-up above
from samples.builders.csf import build_csf, make_rfc  # noqa: E402 - after the sys.path set-up above
from samples.builders.scan import Degradation, scanned_jpeg, scanned_pdf  # noqa: E402 - after the sys.path set-up above

SAMPLES = ROOT / "samples" / "folios"
ON = date(2026, 11, 10)
PATIENT, HOLDER, DOCTOR = "MARIA FERNANDA LOPEZ GARCIA", "MARIA FERNANDA LOPEZ GARCIA", "JUAN PEREZ HERNANDEZ"
CHILD = "SOFIA LOPEZ GARCIA"

# Degradations cycled over the scanned items: mild to rough, two of them turned pages.
SCANS = (
    Degradation(skew=2.0, blur=0.8, noise=30, quality=70),
    Degradation(rotate=90, skew=-1.0, noise=20),
    Degradation(skew=-3.0, blur=0.6, noise=25, quality=50),
    Degradation(rotate=180, skew=1.0, noise=20),
    Degradation(dpi=200, skew=1.5, blur=1.0, noise=35, quality=60),
    Degradation(skew=-1.0, noise=15, quality=65),
)


@dataclass(frozen=True)
class Item:
    name: str
    data: bytes
    kind: str
    group: str  # digital | scanned
    layout: str
    original: bytes | None = None  # the digital document a scan was made from


def _forms(layout: str, signed: bool = True) -> dict[str, tuple[str, bytes]]:
    b = layout == "b"
    return {
        "claim_form": (
            "formulario",
            (forms.claim_form_b if b else forms.claim_form)(
                patient=PATIENT, holder=HOLDER, policy="10234567", on=ON, signed=signed
            ),
        ),
        "reimbursement_form": (
            "solicitud",
            (forms.reimbursement_form_b if b else forms.reimbursement_form)(
                patient=PATIENT,
                holder=HOLDER,
                policy="10234567",
                on=ON,
                clabe=make_clabe("012", "1800012345678"),
                signed=signed,
            ),
        ),
        "medical_report": (
            "informe",
            forms.medical_report_b(patient=PATIENT, doctor=DOCTOR, on=ON, signed=signed)
            if b
            else forms.medical_report(patient=PATIENT, doctor=DOCTOR, on=ON),
        ),
        "prescription": (
            "receta",
            (forms.prescription_b if b else forms.prescription)(patient=PATIENT, doctor=DOCTOR, on=ON),
        ),
        "student_certificate": (
            "estudios",
            (forms.student_certificate_b if b else forms.student_certificate)(
                student=CHILD, school="Universidad del Valle de México", on=ON
            ),
        ),
        "dependent_declaration": (
            "dependiente",
            (forms.dependent_declaration_b if b else forms.dependent_declaration)(
                dependent=CHILD, holder=HOLDER, on=ON, signed=signed
            ),
        ),
        "care_order": (
            "orden",
            (forms.care_order_b if b else forms.care_order)(
                account="OA-2026-55123", patient=PATIENT, doctor=DOCTOR, on=ON, amount=Decimal("8500.00")
            ),
        ),
    }


def _csfs() -> list[tuple[str, bytes]]:
    rfc, moral = make_rfc("LOGM850312QH"), make_rfc("CVA010203QW")
    return [
        ("csf_fisica", build_csf(rfc=rfc, name=PATIENT, issued_on=date(2026, 11, 2))),
        (
            "csf_regimenes",
            build_csf(
                rfc=make_rfc("PEHJ7001015T"),
                name=DOCTOR,
                issued_on=date(2026, 10, 28),
                regimes=[
                    "Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios",
                    "Régimen de las Personas Físicas con Actividades Empresariales y Profesionales",
                ],
                curp="PEHJ700101HDFRRN09",
                postal_code="06700",
            ),
        ),
        (
            "csf_moral",
            build_csf(
                rfc=moral,
                name="CLINICA DEL VALLE SA DE CV",
                persona="moral",
                issued_on=date(2026, 11, 15),
                place="GUADALAJARA , JALISCO",
                postal_code="44100",
            ),
        ),
        ("csf_reactivado", build_csf(rfc=rfc, name=PATIENT, issued_on=date(2026, 9, 30), status="REACTIVADO")),
    ]


def _sample_files() -> list[tuple[str, bytes, str]]:
    """Distinct sample CSFs, statements, CFDI PDFs and XMLs, with their kind."""
    out, seen = [], set()
    for path in sorted(SAMPLES.glob("*/*")):
        stem = path.stem.lower()
        if path.suffix == ".pdf" and ("constancia" in stem):
            kind = "tax_status_certificate"
        elif path.suffix == ".pdf" and "estado" in stem:
            kind = "bank_statement"
        elif path.suffix == ".pdf" and (len(stem) == 36 or stem == "factura"):
            kind = "invoice_pdf"
        elif path.suffix == ".xml" and len(stem) == 36:
            kind = "cfdi_xml"
        else:
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest not in seen:
            seen.add(digest)
            out.append((f"{path.parent.name}_{path.name}", data, kind))
    return out


def labelled_set() -> list[Item]:
    items: list[Item] = []
    scans = iter(SCANS * 100)

    def scan(name: str, data: bytes, kind: str, layout: str, jpg: bool = False) -> None:
        how = next(scans)
        how = Degradation(**{**how.__dict__, "seed": len(items)})
        if jpg:
            items.append(Item(f"{name}_foto.jpg", scanned_jpeg(data, how), kind, "scanned", layout, data))
        else:
            items.append(
                Item(f"{name}_escaneo.pdf", scanned_pdf(data, how, max_pages=4), kind, "scanned", layout, data)
            )

    for layout in ("a", "b"):
        for kind, (stem, data) in _forms(layout).items():
            items.append(Item(f"{stem}_{layout}.pdf", data, kind, "digital", layout))
            scan(f"{stem}_{layout}", data, kind, layout, jpg=(kind == "prescription"))
    for kind, (stem, data) in _forms("b", signed=False).items():
        if kind in ("claim_form", "reimbursement_form", "dependent_declaration", "medical_report"):
            items.append(Item(f"{stem}_sin_firma.pdf", data, kind, "digital", "b-unsigned"))
    for stem, data in _csfs():
        items.append(Item(f"{stem}.pdf", data, "tax_status_certificate", "digital", stem))
    scan("csf_moral", _csfs()[2][1], "tax_status_certificate", "csf_moral", jpg=True)
    for layout in LAYOUTS:
        data = build_statement(
            layout=layout,
            holder="Lic. María Fernanda López García",
            clabe=make_clabe("014", "1800055512349"),
            period_start=date(2026, 9, 1),
            period_end=date(2026, 9, 30),
            pages=3,
        )
        items.append(Item(f"estado_{layout}.pdf", data, "bank_statement", "digital", layout))
    for i, (name, data, kind) in enumerate(_sample_files()):
        items.append(Item(name, data, kind, "digital", "sample"))
        if kind in ("tax_status_certificate", "bank_statement") or (kind == "invoice_pdf" and i % 5 == 0):
            scan(name.rsplit(".", 1)[0], data, kind, "sample")
    for i, provider in enumerate(("Mercy General Hospital", "Houston Methodist Clinic")):
        data = forms.foreign_invoice(
            provider=provider, country="United States", patient=PATIENT, on=ON, total=Decimal("1200.00") * (i + 1)
        )
        items.append(Item(f"invoice_{i}.pdf", data, "foreign_invoice", "digital", str(i)))
        if i == 0:
            scan(f"invoice_{i}", data, "foreign_invoice", str(i))
    return items


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "kind", "group", "layout"])
        for item in labelled_set():
            (out / item.name).write_bytes(item.data)
            writer.writerow([item.name, item.kind, item.group, item.layout])


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "labelled-out"))
