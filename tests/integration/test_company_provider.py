"""A company provider (persona moral, régimen 601) in provider billing: CFDI 4.0 and the CSF print
its name without its legal form, its bank statement with it. RULES.md: names are compared after
dropping legal-form suffixes everywhere (BANK-005, CFDI-016, CFDI-018, CSF-008), so the folio goes
to adjudication like any other complete folio."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from factories import simulator_settings, teach_simulator

from domain.decision import Route
from samples import generate as g
from samples.builders.bank import build_statement
from samples.builders.cfdi import Line, Party, build_cfdi, build_invoice_pdf
from samples.builders.csf import build_csf, make_rfc

COMPANY = Party(rfc=make_rfc("CVA050101AB"), name="CLINICA DEL VALLE", regime="601", postal_code="44600")
ACCOUNT = "OA-2026-77001"


def company_folio(root: Path, statement_holder: str = "CLINICA DEL VALLE, S.A. DE C.V.") -> Path:
    provider = {"name": COMPANY.name, "rfc": COMPANY.rfc, "care_order_account": ACCOUNT, "email": "pagos@cdv.example"}
    f = g.Folio(
        "PP-2026-000901",
        g.manifest("PP-2026-000901", "pago_proveedor", provider=provider, bank={"clabe": g.PROVIDER_CLABE}),
        "adjudication",
        [],
    )
    uuid = g.invoice_uuid(f.name, 1)
    xml = build_cfdi(
        uuid=uuid,
        issuer=COMPANY,
        receiver=g.INSURER,
        issued_at=datetime(2026, 11, 12, 16, 0, 0),
        lines=[
            Line(
                "85121502",
                f"Consulta {ACCOUNT} paciente {g.HOLDER.name}",
                Decimal("1"),
                Decimal("1200.00"),
                iva_rate=None,
            )
        ],
        payment_method="PPD",
        payment_form="99",
        cfdi_use="G03",
    )
    f.add(f"{uuid}.xml", xml).add(f"{uuid}.pdf", build_invoice_pdf(xml))
    f.add(
        "orden_atencion.pdf",
        g.forms.care_order(
            account=ACCOUNT,
            patient=g.HOLDER.name,
            doctor=g.DOCTOR.name,
            on=date(2026, 11, 12),
            amount=Decimal("1200.00"),
        ),
    )
    f.add(
        "constancia_fiscal.pdf",
        build_csf(
            rfc=COMPANY.rfc,
            name=COMPANY.name,
            issued_on=date(2026, 11, 5),
            postal_code=COMPANY.postal_code,
            persona="moral",
        ),
    )
    f.add(
        "estado_cuenta.pdf",
        build_statement(
            layout="banorte",
            holder=statement_holder,
            clabe=g.PROVIDER_CLABE,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
        ),
    )
    return g.write(f, root)


def process(folio_dir: Path):
    from flows.intake import process_folio

    return process_folio.fn(str(folio_dir), g.AS_OF).decision


def test_the_statement_prints_the_legal_form_and_the_folio_is_complete(home, tmp_path):
    decision = process(company_folio(tmp_path / "folios"))
    assert (decision.route, decision.codes()) == (Route.ADJUDICATION, ["CFDI-021"]), [
        (d.file, [f.code for f in d.findings]) for d in decision.documents
    ]


def test_another_company_on_the_statement_is_still_bank005(home, tmp_path):
    decision = process(company_folio(tmp_path / "folios", statement_holder="CLINICA DEL NORTE, S.A. DE C.V."))
    assert decision.route is Route.PENDING_DOCUMENTS and "BANK-005" in decision.codes()


def test_csf008_through_the_intake_drops_the_legal_form_sat_prints(home, tmp_path, monkeypatch, ruleset):
    """The intake hands the rule set's legal forms to the SAT checks: SAT's page printing the
    company's name with its legal form does not contradict a CSF printing it without."""
    from test_sat_flow import read_sample  # the evaluation's reading, through the use case

    from sat.resilience import reset_breakers
    from satsim import SatSimulator

    folio_dir = company_folio(tmp_path / "folios")
    reset_breakers()
    with SatSimulator() as sim:
        read = read_sample(folio_dir, simulator_settings(sim, tmp_path / "scratch"), ruleset)
        teach_simulator(sim, read)
        [csf] = [d.extraction for d in read.values() if d.kind.value == "tax_status_certificate"]
        sim.add_csf(csf.id_cif, csf.rfc, name=f"{csf.name}, S.A. DE C.V.", status=csf.status)
        for key, value in {
            "SAT_CHECKS": "true",
            "SAT_STATUS_URL": sim.status_url,
            "SAT_CSF_URL": sim.csf_url,
            "SAT_TIMEOUT_S": "0.5",
            "SAT_RETRY_BASE_DELAY_S": "0.01",
        }.items():
            monkeypatch.setenv(f"CLAIM_INTAKE_{key}", value)
        try:
            decision = process(folio_dir)
        finally:
            reset_breakers()
        assert sim.count("csf") >= 1
    assert (decision.route, decision.codes()) == (Route.ADJUDICATION, ["CFDI-021"])
