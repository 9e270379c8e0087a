"""The one name normaliser: tolerant of how a name is written, never of who it names."""

import pytest

from claim_intake.config import default_ruleset
from validators.names import name_in_text, normalize_name, same_person

HONORIFICS = default_ruleset().honorifics


@pytest.mark.parametrize("other", [
    "maria fernanda lopez garcia",                 # case
    "MARÍA FERNANDA LÓPEZ GARCÍA",                 # accents
    "LOPEZ GARCIA MARIA FERNANDA",                 # surnames first, as banks print
    "Lic. María Fernanda López García",            # honorific with a dot
    "SRA. LOPEZ-GARCIA, MARIA FERNANDA",           # honorific, hyphen, comma
    "  Dra.  María   Fernanda López García  ",     # spacing
])
def test_same_person_tolerates_how_the_name_is_written(other):
    assert same_person("MARIA FERNANDA LOPEZ GARCIA", other, HONORIFICS)


@pytest.mark.parametrize("other", [
    "MARIA FERNANDA LOPEZ GARCES",     # one surname differs
    "MARIA LOPEZ GARCIA",              # a given name is missing
    "MARIA FERNANDA LOPEZ GARCIA RUIZ",  # an extra surname
    "JUAN CARLOS PEREZ NUÑEZ",
])
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
