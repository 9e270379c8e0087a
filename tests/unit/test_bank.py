"""Bank statements: builder (five bank layouts) -> PDF text (pypdfium2) -> extractor -> BANK rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

import pytest
from clabe import validate_clabe
from factories import codes, manifest, pdf_content

from domain.config import default_ruleset
from domain.extractions import BankStatementExtraction
from domain.kinds import DocumentKind
from extractors.bank_statement import extract_bank_statement
from extractors.content import DocumentContent
from samples.builders.bank import BANK_CODES, BANK_NAMES, LAYOUTS, build_statement, make_clabe
from validators.bank import mask_clabe, months_before, validate_bank_statement
from validators.context import DocumentContext
from validators.skipped import skipped_rules

RULESET = default_ruleset()
AS_OF = date(2026, 11, 20)
HOLDER = "MARIA FERNANDA LOPEZ GARCIA"
OCT = (date(2026, 10, 1), date(2026, 10, 31))
CLABES = {layout: make_clabe(BANK_CODES[layout], "00123456789") for layout in LAYOUTS}
BBVA = CLABES["bbva"]


@cache
def read(layout="bbva", holder=HOLDER, clabe=None, start=OCT[0], end=OCT[1], pages=1) -> BankStatementExtraction:
    data = build_statement(
        layout=layout, holder=holder, clabe=clabe or CLABES[layout], period_start=start, period_end=end, pages=pages
    )
    return extract_bank_statement(pdf_content(data, "estado.pdf"))


def skipped_bank_rules(context: DocumentContext) -> list:
    """What the decision lists as skipped for a folio with this document (validators.skipped)."""
    return skipped_rules(context.manifest, {DocumentKind.BANK_STATEMENT})


def ctx(*, media_type="application/pdf", as_of=AS_OF, **fields) -> DocumentContext:
    data = {
        "claim_type": "alta_cuenta",
        "received_at": datetime(2026, 11, 20, 10, tzinfo=UTC).isoformat(),
        "holder": {"name": HOLDER},
        "bank": {"clabe": BBVA},
    }
    data.update(fields)
    return DocumentContext(
        manifest=manifest(**data),
        as_of=as_of,
        ruleset=RULESET,
        file_name="estado.pdf",
        media_type=media_type,
    )


def ok(**changes) -> BankStatementExtraction:
    values = dict(bank_name="BBVA México", holder_name=HOLDER, clabe=BBVA, period_start=OCT[0], period_end=OCT[1])
    values.update(changes)
    return BankStatementExtraction(**values)


# --- builder and extraction ------------------------------------------------------------------


def test_there_are_five_layouts_with_their_banks_codes():
    assert set(LAYOUTS) == {"bbva", "banorte", "santander", "banamex", "hsbc"}
    assert {layout: clabe[:3] for layout, clabe in CLABES.items()} == {
        "bbva": "012",
        "banorte": "072",
        "santander": "014",
        "banamex": "002",
        "hsbc": "021",
    }
    assert all(validate_clabe(c) for c in CLABES.values())


def test_make_clabe_computes_the_control_digit():
    assert make_clabe("012", "18000123456789") == make_clabe("012", "00123456789")
    assert validate_clabe(make_clabe("072", "58012345678"))
    with pytest.raises(ValueError):
        make_clabe("12", "00123456789")
    with pytest.raises(ValueError):
        make_clabe("012", "123456789012345")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("pages", [1, 3])
def test_each_layout_round_trips(layout, pages):
    got = read(layout, pages=pages)
    assert got.bank_name == BANK_NAMES[layout]
    assert got.holder_name == HOLDER
    assert got.clabe == CLABES[layout]
    assert (got.period_start, got.period_end) == OCT


@pytest.mark.parametrize("layout", [layout for layout in LAYOUTS if layout != "banorte"])
def test_periods_across_months_and_years(layout):
    for start, end in ((date(2026, 9, 16), date(2026, 10, 15)), (date(2025, 12, 16), date(2026, 1, 15))):
        got = read(layout, start=start, end=end)
        assert (got.period_start, got.period_end) == (start, end)


def test_month_only_period_ends_at_the_cut_off_date():
    got = read("banorte", start=date(2026, 9, 16), end=date(2026, 10, 15))
    assert (got.period_start, got.period_end) == (date(2026, 10, 1), date(2026, 10, 15))


def test_month_only_without_cut_off_has_no_end():
    text = "BANORTE\nNombre del cliente: MARIA LOPEZ\nPeriodo: OCTUBRE 2026\n"
    got = extract_bank_statement(DocumentContent("e.pdf", b"", "application/pdf", (text,)))
    assert got.period_start == date(2026, 10, 1) and got.period_end is None


@pytest.mark.parametrize("layout", ["banorte", "banamex"])
def test_clabe_split_in_groups_is_read(layout):
    assert read(layout).clabe == CLABES[layout]


def test_accented_holder_is_kept_as_printed():
    assert read("santander", holder="María Fernanda López García").holder_name == "MARÍA FERNANDA LÓPEZ GARCÍA"


def test_movement_pages_are_not_mined_for_the_clabe():
    page1 = "BBVA\nMARIA LOPEZ GARCIA\nCALLE 1\nPeriodo DEL 01/10/2026 AL 31/10/2026\n"
    movements = "Detalle de movimientos\n02/10/2026 SPEI ENVIADO CLABE 014180000252535257 100.00\n"
    got = extract_bank_statement(DocumentContent("e.pdf", b"", "application/pdf", (page1, "Resumen\n", movements)))
    assert got.clabe is None
    assert got.holder_name == "MARIA LOPEZ GARCIA"


def test_second_page_fills_what_the_first_lacked():
    page1 = "BBVA\nMARIA LOPEZ GARCIA\nCALLE 1\nPeriodo DEL 01/10/2026 AL 31/10/2026\n"
    page2 = f"Datos de la cuenta\nCLABE: {BBVA}\n"
    got = extract_bank_statement(DocumentContent("e.pdf", b"", "application/pdf", (page1, page2)))
    assert got.clabe == BBVA


def test_spelled_period_across_the_new_year():
    text = "SANTANDER\nTitular: MARIA LOPEZ\nPERIODO DEL 16 DE DICIEMBRE AL 15 DE ENERO DE 2027\n"
    got = extract_bank_statement(DocumentContent("e.pdf", b"", "application/pdf", (text,)))
    assert (got.period_start, got.period_end) == (date(2026, 12, 16), date(2027, 1, 15))


def test_builder_is_deterministic():
    kwargs = dict(layout="hsbc", holder=HOLDER, clabe=CLABES["hsbc"], period_start=OCT[0], period_end=OCT[1], pages=2)
    assert build_statement(**kwargs) == build_statement(**kwargs)


# --- rules -----------------------------------------------------------------------------------


def test_a_good_statement_has_no_findings():
    assert validate_bank_statement(read("bbva"), ctx()) == []
    assert skipped_bank_rules(ctx()) == []


def test_bank001_an_image_is_refused_alone():
    findings = validate_bank_statement(BankStatementExtraction(), ctx(media_type="image/jpeg"))
    assert codes(findings) == ["BANK-001"]


@pytest.mark.parametrize(
    ("as_of", "months", "expected"),
    [
        (date(2026, 11, 20), 3, date(2026, 8, 20)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2026, 2, 15), 3, date(2025, 11, 15)),
        (date(2026, 12, 31), 1, date(2026, 11, 30)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
    ],
)
def test_months_before(as_of, months, expected):
    assert months_before(as_of, months) == expected


def test_bank002_exactly_three_months_is_accepted_one_day_more_is_not():
    assert validate_bank_statement(read(start=date(2026, 8, 1), end=date(2026, 8, 20)), ctx()) == []
    findings = validate_bank_statement(read(start=date(2026, 7, 20), end=date(2026, 8, 19)), ctx())
    assert codes(findings) == ["BANK-002"]
    assert findings[0].evidence == {
        "period_end": "2026-08-19",
        "as_of": "2026-11-20",
        "max_age_months": 3,
        "oldest_accepted": "2026-08-20",
    }


def test_bank002_month_end_clamping():
    context = ctx(as_of=date(2026, 5, 31))
    assert validate_bank_statement(ok(period_end=date(2026, 2, 28)), context) == []
    assert codes(validate_bank_statement(ok(period_end=date(2026, 2, 27)), context)) == ["BANK-002"]


def test_bank003_no_clabe():
    findings = validate_bank_statement(ok(clabe=None), ctx(bank=None))
    assert codes(findings) == ["BANK-003"]
    assert findings[0].evidence["problems"] == ["missing"]


def test_bank003_bad_control_digit_read_from_the_pdf():
    bad = BBVA[:-1] + str((int(BBVA[-1]) + 1) % 10)
    got = read("bbva", clabe=bad)
    assert got.clabe == bad
    findings = validate_bank_statement(got, ctx(bank={"clabe": BBVA}))
    assert codes(findings) == ["BANK-003"]  # not also BANK-004: one cause, one finding
    assert findings[0].evidence == {
        "problems": ["control_digit"],
        "clabe": "**************" + bad[-4:],
        "bank_code": "012",
    }


def test_bank003_unknown_bank_code():
    unknown = make_clabe("999", "00123456789")
    got = read("hsbc", clabe=unknown)
    findings = validate_bank_statement(got, ctx(bank=None))
    assert codes(findings) == ["BANK-003"]
    assert findings[0].evidence["problems"] == ["bank_code"]
    assert "999" in findings[0].message_es


def test_bank003_wrong_length():
    findings = validate_bank_statement(ok(clabe="01218000123456789"), ctx(bank=None))
    assert codes(findings) == ["BANK-003"]


def test_bank004_clabe_differs_from_the_declared_one():
    other = make_clabe("012", "00999999999")
    findings = validate_bank_statement(read("bbva"), ctx(bank={"clabe": other}))
    assert codes(findings) == ["BANK-004"]
    assert findings[0].evidence == {"clabe_statement": mask_clabe(BBVA), "clabe_declared": mask_clabe(other)}
    assert BBVA not in findings[0].message_es and other not in findings[0].message_es


def test_bank004_skipped_without_declared_clabe():
    context = ctx(bank=None)
    assert validate_bank_statement(read("bbva"), context) == []
    assert [(s.code, s.why) for s in skipped_bank_rules(context)] == [("BANK-004", "no bank.clabe declared")]


@pytest.mark.parametrize(
    "declared",
    [
        "Lic. María Fernanda López García",
        "LOPEZ GARCIA MARIA FERNANDA",
        "maria fernanda lopez-garcia",
    ],
)
def test_bank005_same_person_written_differently_is_accepted(declared):
    assert (
        validate_bank_statement(
            read("santander", holder="María Fernanda López García"), ctx(holder={"name": declared}, bank=None)
        )
        == []
    )


def test_bank005_different_person_is_rejected():
    findings = validate_bank_statement(
        read("banorte", holder="JUAN CARLOS PEREZ LOPEZ"), ctx(bank={"clabe": CLABES["banorte"]})
    )
    assert codes(findings) == ["BANK-005"]
    assert findings[0].evidence["declared_in"] == "holder.name"


def test_bank005_declared_bank_holder_comes_first():
    context = ctx(bank={"clabe": BBVA, "holder": "JUAN CARLOS PEREZ LOPEZ"})
    findings = validate_bank_statement(ok(), context)
    assert codes(findings) == ["BANK-005"] and findings[0].evidence["declared_in"] == "bank.holder"
    assert validate_bank_statement(ok(holder_name="PEREZ LOPEZ JUAN CARLOS"), context) == []


def test_bank005_provider_billing_uses_the_provider_name():
    context = ctx(claim_type="pago_proveedor", provider={"name": "Clínica del Valle, S.A. de C.V."}, bank=None)
    assert validate_bank_statement(ok(holder_name="CLINICA DEL VALLE SA DE CV"), context) == []
    findings = validate_bank_statement(ok(), context)
    assert codes(findings) == ["BANK-005"] and findings[0].evidence["declared_in"] == "provider.name"


def test_bank005_provider_billing_without_provider_falls_back_to_the_holder():
    context = ctx(claim_type="pago_proveedor", bank=None)
    findings = validate_bank_statement(ok(holder_name="ANYBODY ELSE"), context)
    assert codes(findings) == ["BANK-005"] and findings[0].evidence["declared_in"] == "holder.name"


def test_bank005_skipped_when_no_name_is_declared():
    context = ctx(holder=None, bank=None)
    assert validate_bank_statement(ok(holder_name="ANYBODY ELSE"), context) == []
    assert ("BANK-005", "no bank.holder, provider.name or holder.name declared") in [
        (s.code, s.why) for s in skipped_bank_rules(context)
    ]


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"holder_name": None}, ["holder_name"]),
        ({"period_start": None, "period_end": None}, ["period_end"]),
        ({"holder_name": None, "period_end": None}, ["holder_name", "period_end"]),
    ],
)
def test_bank006_holder_or_period_not_found(changes, missing):
    findings = validate_bank_statement(ok(**changes), ctx())
    assert codes(findings) == ["BANK-006"]
    assert findings[0].evidence == {"missing": missing}


def test_bank006_from_a_statement_without_those_facts():
    text = f"HSBC\nEstado de cuenta\nCLABE {CLABES['hsbc']}\nSaldo final 1,000.00\n"
    got = extract_bank_statement(DocumentContent("e.pdf", b"", "application/pdf", (text,)))
    assert codes(validate_bank_statement(got, ctx(bank=None))) == ["BANK-006"]


def test_company_holder_keeps_its_whole_name():
    got = read("banorte", holder="GRUPO MEDICO DE MEXICO SA DE CV")
    assert got.holder_name == "GRUPO MEDICO DE MEXICO SA DE CV"
    assert read("bbva", holder="CLINICA DEL VALLE SA DE CV").holder_name == "CLINICA DEL VALLE SA DE CV"


def test_bank005_a_company_statement_prints_the_legal_form_the_declared_name_omits():
    """A company provider (régimen 601) declares its name as CFDI 4.0 and the CSF print it,
    without its legal form; its bank prints it with one."""
    statement = read("banorte", holder="CLINICA DEL VALLE, S.A. DE C.V.")
    assert "S.A. DE C.V" in (statement.holder_name or "")
    context = ctx(
        claim_type="pago_proveedor",
        provider={"name": "CLINICA DEL VALLE", "rfc": "CVA050101AB1"},
        bank={"clabe": CLABES["banorte"]},
    )
    assert validate_bank_statement(statement, context) == []
    other = read("banorte", holder="CLINICA DEL NORTE, S.A. DE C.V.")
    assert codes(validate_bank_statement(other, context)) == ["BANK-005"]
