"""Constancia de Situación Fiscal: builder -> PDF text (pypdfium2) -> extractor -> CSF rules."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest
from factories import codes, manifest, pdf_content

from domain.config import default_ruleset
from domain.extractions import CsfExtraction
from domain.kinds import DocumentKind
from extractors.content import DocumentContent
from extractors.csf import extract_csf, regime_code
from samples.builders.csf import build_csf, make_rfc
from validators.context import DocumentContext
from validators.csf import mask_rfc, validate_csf
from validators.skipped import skipped_rules

RULESET = default_ruleset()
AS_OF = date(2026, 11, 20)
RFC = make_rfc("LOGM850312AB")  # verifies
MORAL_RFC = make_rfc("CVA010203QW")
NAME = "MARIA FERNANDA LOPEZ GARCIA"
CURP = "LOGM850312MDFPRR09"
SEVERAL = [
    "Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios",
    "Régimen de las Personas Físicas con Actividades Empresariales y Profesionales",
    "Régimen Simplificado de Confianza",
]


@cache
def read(**kwargs) -> CsfExtraction:
    kwargs.setdefault("rfc", RFC)
    kwargs.setdefault("name", NAME)
    kwargs.setdefault("issued_on", AS_OF - timedelta(days=5))
    if "regimes" in kwargs:
        kwargs["regimes"] = list(kwargs["regimes"])
    if "omit" in kwargs:
        kwargs["omit"] = set(kwargs["omit"])
    return extract_csf(pdf_content(build_csf(**kwargs), "csf.pdf"))


def ctx(*, media_type="application/pdf", as_of=AS_OF, ruleset=RULESET, **fields) -> DocumentContext:
    data = {
        "claim_type": "datos_fiscales",
        "received_at": datetime(2026, 11, 20, 10, tzinfo=UTC).isoformat(),
        "holder": {"name": NAME, "rfc": RFC},
    }
    data.update(fields)
    return DocumentContext(
        manifest=manifest(**data),
        as_of=as_of,
        ruleset=ruleset,
        file_name="csf.pdf",
        media_type=media_type,
    )


def skipped_csf_rules(context: DocumentContext) -> list:
    """What the decision lists as skipped for a folio with this document (validators.skipped)."""
    return skipped_rules(context.manifest, {DocumentKind.TAX_STATUS_CERTIFICATE})


# --- extraction ------------------------------------------------------------------------------


def test_persona_fisica_round_trip_with_several_regimes():
    got = read(
        regimes=tuple(SEVERAL),
        curp=CURP,
        issued_on=date(2026, 11, 15),
        postal_code="44100",
        id_cif="21050098765",
        place="GUADALAJARA , JALISCO",
    )
    assert got.rfc == RFC
    assert got.curp == CURP
    assert got.name == NAME
    assert got.postal_code == "44100"
    assert got.regimes == SEVERAL
    assert got.regime_codes == ["605", "612", "626"]
    assert got.status == "ACTIVO"
    assert got.issued_on == date(2026, 11, 15)
    assert got.issue_place == "GUADALAJARA , JALISCO"
    assert got.id_cif == "21050098765"


def test_persona_moral_round_trip():
    got = read(rfc=MORAL_RFC, name="CLINICA DEL VALLE SA DE CV", persona="moral", issued_on=date(2026, 10, 21))
    assert (got.rfc, got.name, got.curp) == (MORAL_RFC, "CLINICA DEL VALLE SA DE CV", None)
    assert got.regimes == ["Régimen General de Ley Personas Morales"]
    assert got.regime_codes == ["601"]
    assert got.issued_on == date(2026, 10, 21)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_spanish_month_is_read(month):
    issued = date(2026, month, 28)
    assert read(issued_on=issued).issued_on == issued


def test_text_without_accents_and_with_other_spacing_still_reads():
    data = build_csf(rfc=RFC, name="MARÍA NÚÑEZ", issued_on=date(2026, 9, 1), status="REACTIVADO")
    raw = pdf_content(data, "csf.pdf")
    stripped = tuple(
        "".join(c for c in unicodedata.normalize("NFKD", page) if not unicodedata.combining(c))
        .replace(": ", ":")
        .replace("Nombre (s)", "Nombre(s)")
        for page in raw.pages
    )
    got = extract_csf(DocumentContent("csf.pdf", data, "application/pdf", stripped))
    assert (got.rfc, got.name, got.status, got.postal_code) == (RFC, "MARIA NUNEZ", "REACTIVADO", "06600")
    assert got.issued_on == date(2026, 9, 1)
    assert got.regime_codes == ["605"]


def test_wrapped_regime_rows_are_joined():
    text = (
        "Regímenes:\nRégimen Fecha Inicio Fecha Fin\n"
        "Régimen de las Personas Físicas con Actividades Empresariales y 01/01/2020\n"
        "Profesionales\n"
        "Régimen de Arrendamiento 01/01/2018 31/12/2019\n"
        "Obligaciones:\n"
    )
    got = extract_csf(DocumentContent("csf.pdf", b"", "application/pdf", (text,)))
    assert got.regimes == [
        "Régimen de las Personas Físicas con Actividades Empresariales y Profesionales",
        "Régimen de Arrendamiento",
    ]
    assert got.regime_codes == ["612"]  # the ended regime is listed but not in force


def test_regime_codes_of_sat_descriptions():
    assert (
        regime_code("Régimen de las Actividades Empresariales con ingresos a través de Plataformas Tecnológicas")
        == "625"
    )
    assert regime_code("Sin obligaciones fiscales") == "616"
    assert regime_code("Régimen desconocido") is None


def test_builder_is_deterministic():
    kwargs = dict(rfc=RFC, name=NAME, issued_on=date(2026, 11, 1))
    assert build_csf(**kwargs) == build_csf(**kwargs)


@pytest.mark.parametrize("field", ["rfc", "name", "postal_code", "regimes", "status", "issued_on", "id_cif", "curp"])
def test_omitted_fields_are_not_found(field):
    got = read(omit=(field,), curp=CURP)
    assert not getattr(got, field)
    others = {"rfc", "name", "postal_code", "regimes", "status", "issued_on"} - {field}
    assert all(getattr(got, f) for f in others)


# --- rules -----------------------------------------------------------------------------------


def test_a_good_certificate_has_no_findings():
    assert validate_csf(read(), ctx()) == []
    assert skipped_csf_rules(ctx()) == []


def test_csf001_an_image_is_refused_alone():
    findings = validate_csf(CsfExtraction(), ctx(media_type="image/jpeg"))
    assert codes(findings) == ["CSF-001"]
    assert "PDF" in findings[0].message_es


def test_csf002_thirty_days_is_accepted_thirty_one_is_not():
    assert validate_csf(read(issued_on=AS_OF - timedelta(days=30)), ctx()) == []
    findings = validate_csf(read(issued_on=AS_OF - timedelta(days=31)), ctx())
    assert codes(findings) == ["CSF-002"]
    assert findings[0].evidence == {
        "issued_on": "2026-10-20",
        "as_of": "2026-11-20",
        "age_days": 31,
        "max_age_days": 30,
    }
    assert "2026-10-20" in findings[0].message_es and "SAT" in findings[0].message_es


def test_csf002_threshold_comes_from_the_ruleset():
    strict = RULESET.model_copy(update={"thresholds": RULESET.thresholds.model_copy(update={"csf_max_age_days": 10})})
    assert codes(validate_csf(read(issued_on=AS_OF - timedelta(days=11)), ctx(ruleset=strict))) == ["CSF-002"]


@pytest.mark.parametrize("status", ["SUSPENDIDO", "CANCELADO", "BAJA"])
def test_csf003_status_other_than_active(status):
    findings = validate_csf(read(status=status), ctx())
    assert codes(findings) == ["CSF-003"]
    assert findings[0].evidence["status"] == status


def test_csf003_reactivado_is_accepted():
    assert validate_csf(read(status="REACTIVADO"), ctx()) == []


def test_csf004_rfc_differs_from_the_holder():
    other = make_rfc("PEJC900101XY")
    findings = validate_csf(read(rfc=other), ctx())
    assert codes(findings) == ["CSF-004"]
    assert findings[0].evidence["declared_in"] == "holder.rfc"
    assert other not in findings[0].message_es and other not in str(findings[0].evidence)  # masked
    assert mask_rfc(other) in findings[0].message_es


def test_csf004_provider_billing_compares_the_provider_rfc():
    provider = {"name": "CLINICA DEL VALLE SA DE CV", "rfc": MORAL_RFC}
    moral = read(rfc=MORAL_RFC, name="CLINICA DEL VALLE SA DE CV", persona="moral")
    assert validate_csf(moral, ctx(claim_type="pago_proveedor", provider=provider)) == []
    findings = validate_csf(read(), ctx(claim_type="pago_proveedor", provider=provider))
    assert codes(findings) == ["CSF-004"]
    assert findings[0].evidence["declared_in"] == "provider.rfc"


def test_csf004_skipped_when_no_rfc_is_declared():
    context = ctx(holder={"name": NAME})
    assert validate_csf(read(rfc=make_rfc("PEJC900101XY")), context) == []
    assert [(s.code, s.why) for s in skipped_csf_rules(context)] == [("CSF-004", "no holder.rfc declared")]
    provider_context = ctx(claim_type="pago_proveedor", provider={"name": "X"})
    assert [(s.code, s.why) for s in skipped_csf_rules(provider_context)] == [("CSF-004", "no provider.rfc declared")]


@pytest.mark.parametrize("field", ["rfc", "name", "postal_code", "regimes", "status", "issued_on"])
def test_csf005_each_required_field(field):
    findings = validate_csf(read(omit=(field,)), ctx())
    assert codes(findings) == ["CSF-005"]
    assert findings[0].evidence == {"missing": [field]}


def test_csf005_lists_every_missing_field():
    findings = validate_csf(read(omit=("postal_code", "regimes")), ctx())
    assert findings[0].evidence == {"missing": ["postal_code", "regimes"]}
    assert "código postal" in findings[0].message_es and "régimen fiscal" in findings[0].message_es


def test_csf006_bad_check_digit_warns_only():
    bad = RFC[:-1] + ("0" if RFC[-1] != "0" else "1")
    findings = validate_csf(read(rfc=bad), ctx(holder={"name": NAME, "rfc": bad}))
    assert codes(findings) == ["CSF-006"]
    assert findings[0].outcome == "warn"
    assert findings[0].evidence["reason"] == "check_digit"


def test_csf006_generic_rfc_verifies():
    generic = CsfExtraction(
        rfc="XAXX010101000", name=NAME, postal_code="06600", regimes=["x"], status="ACTIVO", issued_on=AS_OF
    )
    assert validate_csf(generic, ctx(holder={"name": NAME})) == []


def test_csf006_malformed_rfc():
    odd = CsfExtraction(
        rfc="LOGM851312AB1", name=NAME, postal_code="06600", regimes=["x"], status="ACTIVO", issued_on=AS_OF
    )
    findings = validate_csf(odd, ctx(holder={"name": NAME}))
    assert codes(findings) == ["CSF-006"]
    assert findings[0].evidence["reason"] == "format"


def test_several_causes_give_several_findings():
    findings = validate_csf(read(status="SUSPENDIDO", issued_on=AS_OF - timedelta(days=90)), ctx())
    assert codes(findings) == ["CSF-002", "CSF-003"]


def test_regimes_table_continued_on_the_next_page():
    text = (
        "Regímenes:\nRégimen Fecha Inicio Fecha Fin\n"
        "Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios 01/01/2015\n"
        "Contacto\nAv. Hidalgo 77, col. Guerrero, C.P. 06300, Ciudad de México.\n"
        "Atención telefónica desde cualquier parte del país: MarcaSAT 55 627 22 728 Página [1] de [2]\n"
        "Régimen Simplificado de Confianza 01/01/2022\nObligaciones:\n"
    )
    got = extract_csf(DocumentContent("csf.pdf", b"", "application/pdf", (text,)))
    assert got.regime_codes == ["605", "626"]
    assert got.regimes[1] == "Régimen Simplificado de Confianza"


def test_values_printed_below_their_labels():
    text = (
        f"Datos de Identificación del Contribuyente:\nRFC:\n{RFC}\nCURP:\n{CURP}\nNombre (s):\nMARIA FERNANDA\n"
        "Primer Apellido:\nLOPEZ\nSegundo Apellido:\nFecha inicio de operaciones:\n01 DE ENERO DE 2015\n"
        "Estatus en el padrón:\nACTIVO\nNombre Comercial:\nDatos del domicilio registrado\n"
        "Código Postal:\n06600\n"
    )
    got = extract_csf(DocumentContent("csf.pdf", b"", "application/pdf", (text,)))
    assert (got.rfc, got.curp, got.name, got.status, got.postal_code) == (
        RFC,
        CURP,
        "MARIA FERNANDA LOPEZ",
        "ACTIVO",
        "06600",
    )
