"""extractors.csf_meaning: each fact found by meaning is kept only when it is what it claims to be."""

from __future__ import annotations

from datetime import date

from extractors import csf_meaning as m
from extractors.dates import fold_text
from extractors.ids import correct_rfc


def test_postal_code_inside_an_address_line_is_read_and_checked_against_the_catalogue():
    assert m.find_postal_code(fold_text("CALLE 5 DE MAYO 14, COL. CENTRO, PUEBLA, PUEBLA, C.P. 72000")) == "72000"
    assert m.find_postal_code(fold_text("Código postal: 00999")) is None  # not in c_CodigoPostal
    assert m.find_postal_code(fold_text("Código postal: 00000")) is None  # the catalogue's placeholder


def test_postal_code_of_another_state_than_the_printed_one_is_not_read():
    text = "Código Postal: 72000\nNombre de la Entidad Federativa: JALISCO"
    assert m.find_postal_code(fold_text(text)) is None
    assert m.find_postal_code(fold_text(text.replace("JALISCO", "PUEBLA"))) == "72000"


def test_sats_own_footer_address_is_not_the_taxpayers_postal_code():
    assert m.find_postal_code(fold_text("Av. Hidalgo 77, col. Guerrero, C.P. 06300, Ciudad de México.")) is None


def test_regimes_with_codes_or_by_name():
    text = "REGIMENES\nCLAVE DESCRIPCION ALTA\n605 Sueldos y Salarios 2019-07-01\n626 Régimen Simplificado de Confianza 2019-07-01\nOBLIGACIONES"
    assert m.find_regimes(text, fold_text(text))[1] == ["605", "626"]
    text = "RÉGIMEN(ES) FISCAL(ES)\nDescripción Fecha de alta\nRÉGIMEN DE INCORPORACIÓN FISCAL 15-ENE-2014"
    assert m.find_regimes(text, fold_text(text))[1] == ["621"]


def test_an_ended_regime_gives_no_code():
    text = "Regímenes fiscales\n612 Actividades Empresariales 01/01/2015 31/12/2021\n626 Simplificado de Confianza 01/01/2022"
    assert m.find_regimes(text, fold_text(text))[1] == ["626"]


def test_status_is_one_sat_uses():
    assert m.find_status(fold_text("Situación del contribuyente: Reactivado")) == "REACTIVADO"
    assert m.find_status(fold_text("Estatus: pendiente de revisión")) is None


def test_issue_date_in_other_wordings():
    assert m.find_issue_date(fold_text("EMITIDA EL 26-OCT-2025 EN PUEBLA")) == date(2025, 10, 26)
    assert m.find_issue_date(fold_text("Fecha de emisión: 2025-10-28")) == date(2025, 10, 28)
    assert m.find_issue_date(fold_text("Fecha de emisión: 31/11/2025")) is None


def test_curp_must_verify_and_agree_with_the_rfc():
    curp = "LOGM850312MDFPRR00"
    text = f"C.U.R.P. {curp}"
    assert m.find_curp(text, fold_text(text), "LOGM850312AB2", ocr=False) == curp
    assert m.find_curp(text, fold_text(text), "PEOL880707S2A", ocr=False) is None  # another person's RFC
    bad = "C.U.R.P. LOGM850312MDFPRR01"
    assert m.find_curp(bad, fold_text(bad), None, ocr=False) is None


def test_name_from_given_names_and_surnames_skips_ocr_noise_after_the_label():
    text = "Nombre(s) JOSÉ ANTONIO\nApellido Paterno NÚÑEZ\nApellido Materno RAMÍREZ"
    assert m.find_name(text, fold_text(text)) == "JOSÉ ANTONIO NÚÑEZ RAMÍREZ"
    text = "DENOMINACION O RAZON SOCIAL S\nCOMERCIALIZADORA DEL BAJÍO, S.A. DE C.V."
    assert m.find_name(text, fold_text(text)) == "COMERCIALIZADORA DEL BAJÍO, S.A. DE C.V."


def test_ocr_reading_s_as_8_in_an_rfc_is_undone_by_the_check_digit():
    assert correct_rfc(["PEOL88070782A"]) == "PEOL880707S2A"
