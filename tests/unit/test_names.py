"""The one name normaliser: tolerant of how a name is written, never of who it names."""

import pytest

from domain.config import default_ruleset
from validators.names import name_in_text, normalize_name, same_person

HONORIFICS = default_ruleset().honorifics


@pytest.mark.parametrize(
    "other",
    [
        "maria fernanda lopez garcia",  # case
        "MARÍA FERNANDA LÓPEZ GARCÍA",  # accents
        "LOPEZ GARCIA MARIA FERNANDA",  # surnames first, as banks print
        "Lic. María Fernanda López García",  # honorific with a dot
        "SRA. LOPEZ-GARCIA, MARIA FERNANDA",  # honorific, hyphen, comma
        "  Dra.  María   Fernanda López García  ",  # spacing
    ],
)
def test_same_person_tolerates_how_the_name_is_written(other):
    assert same_person("MARIA FERNANDA LOPEZ GARCIA", other, HONORIFICS)


@pytest.mark.parametrize(
    "other",
    [
        "MARIA FERNANDA LOPEZ GARCES",  # one surname differs
        "MARIA LOPEZ GARCIA",  # a given name is missing
        "MARIA FERNANDA LOPEZ GARCIA RUIZ",  # an extra surname
        "JUAN CARLOS PEREZ NUÑEZ",
    ],
)
def test_same_person_rejects_a_different_person(other):
    assert not same_person("MARIA FERNANDA LOPEZ GARCIA", other, HONORIFICS)


def test_repeated_words_count():
    assert not same_person("JOSE JOSE PEREZ", "JOSE PEREZ", HONORIFICS)
    assert same_person("JOSE JOSE PEREZ", "PEREZ JOSE JOSE", HONORIFICS)


def test_empty_names_are_nobody():
    assert not same_person("", "", HONORIFICS)
    assert not same_person(None, "MARIA LOPEZ", HONORIFICS)
    assert not same_person("Sr.", "Lic.", HONORIFICS)  # only honorifics: nothing left to compare


def test_honorifics_come_from_the_argument():
    assert same_person("ING JUAN PEREZ", "JUAN PEREZ", HONORIFICS)
    assert not same_person("ING JUAN PEREZ", "JUAN PEREZ", ["SR"])


def test_normalize_name_folds_and_sorts():
    assert normalize_name("Dr. José Ñúñez-O'Brien", HONORIFICS) == ("JOSE", "NUNEZ", "OBRIEN")


def test_company_names_keep_their_legal_form_consistently():
    assert same_person("CLINICA DEL VALLE, S.A. DE C.V.", "Clínica del Valle SA de CV", HONORIFICS)


def test_name_in_text():
    description = "CONSULTA MEDICA PACIENTE: LOPEZ GARCIA MARIA FERNANDA CUENTA 123456"
    assert name_in_text("María Fernanda López García", description, HONORIFICS)
    assert not name_in_text("Juan López García", description, HONORIFICS)
    assert not name_in_text("", description, HONORIFICS)


# --- legal forms of companies (RULES.md: dropped as a suffix, in any spelling of dots and spaces) ---

LEGAL_FORMS = default_ruleset().legal_forms


def test_the_rule_set_lists_rules_md_legal_forms():
    assert set(LEGAL_FORMS) >= {
        "S.A.",
        "S.A. DE C.V.",
        "S.A.B. DE C.V.",
        "S.A.P.I. DE C.V.",
        "S. DE R.L.",
        "S. DE R.L. DE C.V.",
        "S.C.",
        "S.C. DE R.L.",
        "A.C.",
        "I.A.P.",
        "S.A.S.",
    }


@pytest.mark.parametrize(
    "written",
    [
        "CLINICA DEL VALLE, S.A. DE C.V.",
        "Clínica del Valle, S.A. de C.V.",
        "CLINICA DEL VALLE SA DE CV",
        "CLINICA DEL VALLE S A DE C V",
        "CLINICA DEL VALLE S.A.DE C.V.",
        "CLINICA DEL VALLE, S.A.",
        "CLINICA DEL VALLE, S.A.B. DE C.V.",
        "CLINICA DEL VALLE SAPI DE CV",
        "Clínica del Valle, S.A.P.I. de C.V.",
        "CLINICA DEL VALLE, S. DE R.L.",
        "Clinica del Valle S. de R.L. de C.V.",
        "CLINICA DEL VALLE S DE RL DE CV",
        "CLINICA DEL VALLE, S.C.",
        "CLINICA DEL VALLE S C",
        "CLINICA DEL VALLE S.C. DE R.L.",
        "CLINICA DEL VALLE, A.C.",
        "CLINICA DEL VALLE I.A.P.",
        "CLINICA DEL VALLE, S.A.S.",
        "CLINICA DEL VALLE SAS",
        "VALLE CLINICA DEL, S.A. DE C.V.",
    ],
)
def test_a_company_is_the_same_with_or_without_its_legal_form(written):
    assert same_person(written, "CLINICA DEL VALLE", HONORIFICS, LEGAL_FORMS)
    assert same_person("CLINICA DEL VALLE", written, HONORIFICS, LEGAL_FORMS)


def test_legal_forms_are_dropped_only_as_the_trailing_suffix():
    """Word order is ignored for everything else, but a legal form follows the name by law (LGSM
    art. 88 and the like): the same letters anywhere else are part of the name."""
    assert normalize_name("SAS CLINICA DEL VALLE", HONORIFICS, LEGAL_FORMS) == ("CLINICA", "DEL", "SAS", "VALLE")
    assert not same_person("SAS CLINICA DEL VALLE", "CLINICA DEL VALLE", HONORIFICS, LEGAL_FORMS)
    assert normalize_name("GRUPO SAS DEL NORTE, S.A.S.", HONORIFICS, LEGAL_FORMS) == ("DEL", "GRUPO", "NORTE", "SAS")
    assert normalize_name("FARMACIA ROSAS", HONORIFICS, LEGAL_FORMS) == ("FARMACIA", "ROSAS")  # whole words only
    assert normalize_name("CLINICA SAN ISIDRO, S.A. DE C.V.", HONORIFICS, LEGAL_FORMS) == ("CLINICA", "ISIDRO", "SAN")
    assert not same_person("CLINICA DEL VALLE SA DE CV", "CLINICA DEL NORTE SA DE CV", HONORIFICS, LEGAL_FORMS)


def test_a_name_that_is_only_a_legal_form_keeps_it():
    assert normalize_name("S.A. de C.V.", HONORIFICS, LEGAL_FORMS) == ("CV", "DE", "SA")


def test_legal_forms_come_from_the_argument():
    assert not same_person("CLINICA DEL VALLE SA DE CV", "CLINICA DEL VALLE", HONORIFICS)
    assert same_person(
        "CLINICA DEL VALLE SOCIEDAD COOPERATIVA", "CLINICA DEL VALLE", HONORIFICS, ["SOCIEDAD COOPERATIVA"]
    )


def test_name_in_text_with_legal_forms():
    assert name_in_text("CLINICA DEL VALLE, S.A. DE C.V.", "PAGO A CLINICA DEL VALLE CUENTA 1", HONORIFICS, LEGAL_FORMS)
