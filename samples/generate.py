"""Generate the sample folios in samples/folios/: deterministic, so a re-run changes no byte.

Each folio is a directory with its documents and `folio.json`; beside it, `<folio>.expected.json`
holds the intake date, route and finding codes the pipeline must give. Run: `python -m samples.generate`."""

from __future__ import annotations

import io
import json
import shutil
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PIL import Image

from samples.builders import forms
from samples.builders.bank import build_statement, make_clabe
from samples.builders.cfdi import Line, Party, build_cfdi, build_invoice_pdf
from samples.builders.csf import build_csf, make_rfc

OUT = Path(__file__).parent / "folios"
RECEIVED = "2026-11-20T10:15:00-06:00"
AS_OF = date(2026, 11, 20)
INSURER = Party(rfc="BMS030731PC4", name="BUPA MEXICO COMPANIA DE SEGUROS", regime="601", postal_code="11000")
HOLDER = Party(rfc=make_rfc("LOGM850312QH"), name="MARIA FERNANDA LOPEZ GARCIA", regime="605", postal_code="03100")
DOCTOR = Party(rfc=make_rfc("PEHJ7001015T"), name="JUAN PEREZ HERNANDEZ", regime="612", postal_code="06700")
PHARMACY = Party(rfc="FGU830930PD3", name="FARMACIA GUADALAJARA", regime="601", postal_code="44100")
PROVIDER = Party(rfc=make_rfc("ROSA800101AB"), name="ANA ROSALES SANCHEZ", regime="612", postal_code="44600")
NAMESPACE = uuidlib.UUID("6f1c1f1e-3d3a-4b8a-9a55-0c1a2b3c4d5e")
HOLDER_CLABE = make_clabe("012", "1800012345678")
PROVIDER_CLABE = make_clabe("072", "1800098765432")


def invoice_uuid(folio: str, n: int) -> str:
    return str(uuidlib.uuid5(NAMESPACE, f"{folio}/{n}")).upper()


@dataclass
class Folio:
    name: str
    manifest: dict
    route: str
    codes: list[str]
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, name: str, data: bytes) -> Folio:
        self.files[name] = data
        return self


def manifest(folio: str, claim_type: str, **extra) -> dict:
    base = {
        "folio": folio,
        "claim_type": claim_type,
        "stage": "initial",
        "received_at": RECEIVED,
        "insurer_rfc": INSURER.rfc,
        "policy": {"number": "10234567", "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
        "holder": {"name": HOLDER.name, "rfc": HOLDER.rfc, "email": "mf@example.com"},
        "patient": {"name": HOLDER.name, "relationship": "titular", "birth_date": "1985-03-12"},
        "portal": "online-services",
        "service_country": "MX",
        "bank": {"clabe": HOLDER_CLABE, "holder": HOLDER.name},
        "bank_account_on_file": False,
    }
    base.update(extra)
    return base


def fees_invoice(
    folio: str, n: int, *, issuer: Party = DOCTOR, receiver: Party = HOLDER, amount: str = "1500.00", **kwargs
) -> tuple[str, bytes, bytes]:
    uuid = invoice_uuid(folio, n)
    xml = build_cfdi(
        uuid=uuid,
        issuer=issuer,
        receiver=receiver,
        lines=[Line("85121502", "Consulta de medicina general", Decimal("1"), Decimal(amount), iva_rate=None)],
        issued_at=datetime(2026, 11, 10, 12, 30, n % 60),
        folio=str(1000 + n),
        **kwargs,
    )
    return uuid, xml, build_invoice_pdf(xml)


def pharmacy_invoice(folio: str, n: int) -> tuple[str, bytes, bytes]:
    uuid = invoice_uuid(folio, n)
    xml = build_cfdi(
        uuid=uuid,
        issuer=PHARMACY,
        receiver=HOLDER,
        lines=[
            Line(
                "51101500",
                "Amoxicilina 500 mg caja con 21 capsulas",
                Decimal("1"),
                Decimal("385.50"),
                iva_rate=Decimal("0"),
            )
        ],
        issued_at=datetime(2026, 11, 11, 9, 0, 0),
        serie="F",
        folio=str(7000 + n),
    )
    return uuid, xml, build_invoice_pdf(xml)


def add_pair(f: Folio, pair: tuple[str, bytes, bytes]) -> Folio:
    uuid, xml, pdf = pair
    return f.add(f"{uuid}.xml", xml).add(f"{uuid}.pdf", pdf)


def reimbursement_basics(f: Folio, *, skip: tuple[str, ...] = ()) -> Folio:
    on = date(2026, 11, 10)
    docs = {
        "formulario_reclamacion.pdf": lambda: forms.claim_form(
            patient=HOLDER.name, holder=HOLDER.name, policy="10234567", on=on
        ),
        "solicitud_reembolso.pdf": lambda: forms.reimbursement_form(
            patient=HOLDER.name, holder=HOLDER.name, policy="10234567", on=on
        ),
        "informe_medico.pdf": lambda: forms.medical_report(patient=HOLDER.name, doctor=DOCTOR.name, on=on),
        "estado_cuenta.pdf": lambda: build_statement(
            layout="bbva",
            holder=HOLDER.name,
            clabe=HOLDER_CLABE,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
        ),
    }
    for name, make in docs.items():
        if name not in skip:
            f.add(name, make())
    return f


def jpeg_photo_of(pdf_text_lines: list[str]) -> bytes:
    """A small JPEG with legible text, as a phone photo of a form would be after cropping."""
    from PIL import ImageDraw, ImageFont

    image = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=34)
    for i, line in enumerate(pdf_text_lines):
        draw.text((60, 60 + i * 60), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def folios() -> list[Folio]:
    out: list[Folio] = []

    # -- routes to adjudication --------------------------------------------------------------
    f = Folio("RB-2026-000101", manifest("RB-2026-000101", "reembolso"), "adjudication", [])
    out.append(add_pair(reimbursement_basics(f), fees_invoice(f.name, 1)))

    f = Folio(
        "RB-2026-000102",
        manifest("RB-2026-000102", "reembolso", bank_account_on_file=True, bank=None),
        "adjudication",
        [],
    )
    reimbursement_basics(f, skip=("estado_cuenta.pdf",))
    add_pair(f, fees_invoice(f.name, 1))
    add_pair(f, pharmacy_invoice(f.name, 2))
    f.add("receta.pdf", forms.prescription(patient=HOLDER.name, doctor=DOCTOR.name, on=date(2026, 11, 10)))
    out.append(f)

    f = Folio(
        "RB-2026-000103",
        manifest("RB-2026-000103", "reembolso", stage="subsequent", bank_account_on_file=True, bank=None),
        "adjudication",
        [],
    )
    f.add(
        "solicitud_reembolso.pdf",
        forms.reimbursement_form(patient=HOLDER.name, holder=HOLDER.name, policy="10234567", on=date(2026, 11, 12)),
    )
    out.append(add_pair(f, fees_invoice(f.name, 1, amount="2200.00")))

    f = Folio(
        "RB-2026-000104",
        manifest("RB-2026-000104", "reembolso", service_country="US", bank_account_on_file=True, bank=None),
        "adjudication",
        [],
    )
    reimbursement_basics(f, skip=("estado_cuenta.pdf",))
    f.add(
        "invoice_mercy_hospital.pdf",
        forms.foreign_invoice(
            provider="Mercy General Hospital",
            country="United States",
            patient=HOLDER.name,
            on=date(2026, 11, 3),
            total=Decimal("845.00"),
        ),
    )
    out.append(f)

    provider = {
        "name": PROVIDER.name,
        "rfc": PROVIDER.rfc,
        "care_order_account": "OA-2026-55123",
        "email": "dra.rosales@example.com",
    }
    f = Folio(
        "PP-2026-000201",
        manifest(
            "PP-2026-000201",
            "pago_proveedor",
            provider=provider,
            bank={"clabe": PROVIDER_CLABE, "holder": PROVIDER.name},
            portal="mi-portal-medico",
        ),
        "adjudication",
        [],
    )
    uuid = invoice_uuid(f.name, 1)
    xml = build_cfdi(
        uuid=uuid,
        issuer=PROVIDER,
        receiver=INSURER,
        issued_at=datetime(2026, 11, 12, 16, 0, 0),
        lines=[
            Line(
                "85121502",
                f"Consulta OA-2026-55123 paciente {HOLDER.name}",
                Decimal("1"),
                Decimal("1200.00"),
                iva_rate=None,
            )
        ],
        payment_method="PPD",
        payment_form="99",
        cfdi_use="G03",
        isr_withholding_rate=Decimal("0.10"),
    )
    f.add(f"{uuid}.xml", xml).add(f"{uuid}.pdf", build_invoice_pdf(xml))
    f.add(
        "orden_atencion.pdf",
        forms.care_order(
            account="OA-2026-55123",
            patient=HOLDER.name,
            doctor=PROVIDER.name,
            on=date(2026, 11, 12),
            amount=Decimal("1200.00"),
        ),
    )
    f.add(
        "constancia_fiscal.pdf",
        build_csf(
            rfc=PROVIDER.rfc,
            name=PROVIDER.name,
            issued_on=date(2026, 11, 5),
            postal_code=PROVIDER.postal_code,
            regimes=["Régimen de las Personas Físicas con Actividades Empresariales y Profesionales"],
        ),
    )
    f.add(
        "estado_cuenta_banorte.pdf",
        build_statement(
            layout="banorte",
            holder=PROVIDER.name,
            clabe=PROVIDER_CLABE,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
        ),
    )
    out.append(f)

    f = Folio("DF-2026-000301", manifest("DF-2026-000301", "datos_fiscales", bank=None), "adjudication", [])
    out.append(
        f.add(
            "constancia_situacion_fiscal.pdf",
            build_csf(rfc=HOLDER.rfc, name=HOLDER.name, issued_on=date(2026, 10, 21), postal_code=HOLDER.postal_code),
        )
    )

    f = Folio("AC-2026-000401", manifest("AC-2026-000401", "alta_cuenta"), "adjudication", [])
    out.append(
        f.add(
            "estado_de_cuenta.pdf",
            build_statement(
                layout="santander",
                holder="Lic. " + HOLDER.name.title(),
                clabe=HOLDER_CLABE,
                period_start=date(2026, 7, 21),
                period_end=date(2026, 8, 20),
            ),
        )
    )

    f = Folio("RB-2026-000105", manifest("RB-2026-000105", "reembolso"), "adjudication", ["PKG-007"])
    reimbursement_basics(f)
    add_pair(f, fees_invoice(f.name, 1))
    out.append(f.add("informe_medico_copia.pdf", f.files["informe_medico.pdf"]))

    # -- routes to pending documents, one rule family each ------------------------------------
    f = Folio("RB-2026-000501", manifest("RB-2026-000501", "reembolso"), "pending_documents", ["PKG-001", "PKG-002"])
    add_pair(reimbursement_basics(f), fees_invoice(f.name, 1))
    f.add("notas del doctor.docx", b"PK\x03\x04" + b"\x00" * 60)
    out.append(f.add("foto_receta.jpg", png_bytes()))

    f = Folio("RB-2026-000502", manifest("RB-2026-000502", "reembolso"), "pending_documents", ["PKG-003", "REQ-001"])
    reimbursement_basics(f, skip=("informe_medico.pdf",))
    add_pair(f, fees_invoice(f.name, 1))
    out.append(
        f.add(
            "informe_médico.pdf", forms.medical_report(patient=HOLDER.name, doctor=DOCTOR.name, on=date(2026, 11, 10))
        )
    )

    f = Folio("RB-2026-000503", manifest("RB-2026-000503", "reembolso"), "pending_documents", ["PKG-006", "REQ-001"])
    reimbursement_basics(f, skip=("informe_medico.pdf",))
    add_pair(f, fees_invoice(f.name, 1))
    out.append(f.add("informe_medico.pdf", b""))

    f = Folio(
        "DF-2026-000302",
        manifest("DF-2026-000302", "datos_fiscales", bank=None),
        "pending_documents",
        ["CSF-002", "REQ-001"],
    )
    out.append(
        f.add(
            "constancia.pdf",
            build_csf(rfc=HOLDER.rfc, name=HOLDER.name, issued_on=date(2026, 10, 20), postal_code=HOLDER.postal_code),
        )
    )

    f = Folio(
        "DF-2026-000303",
        manifest("DF-2026-000303", "datos_fiscales", bank=None),
        "pending_documents",
        ["CSF-003", "REQ-001"],
    )
    out.append(
        f.add(
            "constancia.pdf",
            build_csf(
                rfc=HOLDER.rfc,
                name=HOLDER.name,
                issued_on=date(2026, 11, 18),
                postal_code=HOLDER.postal_code,
                status="SUSPENDIDO",
                id_cif="19010123457",
            ),
        )
    )

    f = Folio(
        "DF-2026-000304",
        manifest("DF-2026-000304", "datos_fiscales", bank=None),
        "pending_documents",
        ["CSF-001", "REQ-001"],
    )
    out.append(
        f.add(
            "constancia.jpg",
            jpeg_photo_of(
                [
                    "CONSTANCIA DE SITUACION FISCAL",
                    "CEDULA DE IDENTIFICACION FISCAL",
                    f"RFC: {HOLDER.rfc}",
                    "Estatus en el padron: ACTIVO",
                    "idCIF: 19010123456",
                ]
            ),
        )
    )

    f = Folio("AC-2026-000402", manifest("AC-2026-000402", "alta_cuenta"), "pending_documents", ["BANK-002", "REQ-001"])
    out.append(
        f.add(
            "estado_cuenta.pdf",
            build_statement(
                layout="banamex",
                holder=HOLDER.name,
                clabe=HOLDER_CLABE,
                period_start=date(2026, 7, 20),
                period_end=date(2026, 8, 19),
            ),
        )
    )

    bad_clabe = HOLDER_CLABE[:-1] + str((int(HOLDER_CLABE[-1]) + 1) % 10)
    f = Folio(
        "AC-2026-000403",
        manifest("AC-2026-000403", "alta_cuenta", bank={"clabe": bad_clabe, "holder": HOLDER.name}),
        "pending_documents",
        ["BANK-003", "REQ-001"],
    )
    out.append(
        f.add(
            "estado_cuenta.pdf",
            build_statement(
                layout="hsbc",
                holder=HOLDER.name,
                clabe=bad_clabe,
                period_start=date(2026, 10, 1),
                period_end=date(2026, 10, 31),
            ),
        )
    )

    f = Folio("AC-2026-000404", manifest("AC-2026-000404", "alta_cuenta"), "pending_documents", ["BANK-005", "REQ-001"])
    out.append(
        f.add(
            "estado_cuenta.pdf",
            build_statement(
                layout="bbva",
                holder="ROBERTO LOPEZ GARCIA",
                clabe=HOLDER_CLABE,
                period_start=date(2026, 10, 1),
                period_end=date(2026, 10, 31),
            ),
        )
    )

    f = Folio("RB-2026-000504", manifest("RB-2026-000504", "reembolso"), "pending_documents", ["REQ-001"])
    out.append(add_pair(reimbursement_basics(f, skip=("informe_medico.pdf",)), fees_invoice(f.name, 1)))

    f = Folio("RB-2026-000505", manifest("RB-2026-000505", "reembolso"), "pending_documents", ["CFDI-010", "REQ-001"])
    uuid, xml, _ = fees_invoice(f.name, 1)
    out.append(reimbursement_basics(f).add(f"{uuid}.xml", xml))

    f = Folio("RB-2026-000506", manifest("RB-2026-000506", "reembolso"), "pending_documents", ["CFDI-011", "REQ-001"])
    uuid, xml, pdf = fees_invoice(f.name, 1)
    out.append(reimbursement_basics(f).add("factura.xml", xml).add("factura.pdf", pdf))

    f = Folio("RB-2026-000507", manifest("RB-2026-000507", "reembolso"), "pending_documents", ["CFDI-013"])
    reimbursement_basics(f)
    for n in range(1, 7):
        add_pair(f, fees_invoice(f.name, n, amount=f"{900 + n * 50}.00"))
    out.append(f)

    child = {"name": "DIEGO LOPEZ RAMIREZ", "relationship": "hijo", "birth_date": "2005-06-01"}
    f = Folio(
        "RB-2026-000508", manifest("RB-2026-000508", "reembolso", patient=child), "pending_documents", ["REQ-001"]
    )
    out.append(add_pair(reimbursement_basics(f), fees_invoice(f.name, 1)))
    return out


def write(folio: Folio, root: Path = OUT) -> Path:
    folder = root / folio.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in folio.files.items():
        (folder / name).write_bytes(data)
    (folder / "folio.json").write_text(
        json.dumps(folio.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    codes = set(folio.codes)
    if any(name.endswith(".xml") for name in folio.files):
        # The samples are signed by their own test CA, not SAT's: under the default trust store
        # (SAT's production CAs) every sample invoice honestly carries this warning.
        codes.add("CFDI-021")
    expected = {"as_of": AS_OF.isoformat(), "route": folio.route, "codes": sorted(codes)}
    expected_path(folder).write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    return folder


def expected_path(folder: Path) -> Path:
    """Beside the folio, not inside it: everything inside a folio directory is an upload."""
    return folder.parent / f"{folder.name}.expected.json"


def main() -> None:
    made = [write(f) for f in folios()]
    print(f"wrote {len(made)} sample folios under {OUT}")


if __name__ == "__main__":
    main()
