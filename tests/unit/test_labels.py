"""extractors.labels: a label is found however it is worded, accented, punctuated or spaced."""

from __future__ import annotations

import pytest

from extractors.dates import fold_text
from extractors.labels import fold_label, label_regex, value_after

POSTAL = ("Código Postal", "C.P.", "CP", "Cod. Postal", "Postal code", "ZIP")


@pytest.mark.parametrize(
    "line",
    [
        "Código Postal: 06600",
        "CODIGO POSTAL 06600",
        "C.P. 06600",
        "C. P.: 06600",
        "CP 06600",
        "Cod. Postal:06600",
        "Postal Code: 06600",
        "código  postal :  06600",
        "ZIP: 06600",
    ],
)
def test_every_wording_of_a_label_reads_its_value(line):
    assert value_after(fold_text(line), POSTAL) == "06600"


def test_label_is_a_whole_word():
    # "CP" inside a word is not the label.
    assert value_after(fold_text("CPU 12345"), POSTAL) is None
    assert label_regex(POSTAL).search(fold_text("ACP: 1")) is None


def test_value_stops_at_the_next_label():
    stop = label_regex(("Tipo de Vialidad", "Nombre de Vialidad"))
    text = fold_text("Código Postal:06600 Tipo de Vialidad: CALLE")
    assert value_after(text, POSTAL, stop) == "06600"


def test_value_on_the_next_line_when_the_label_ends_its_line():
    text = fold_text("Nombre del titular\nMARIA LOPEZ PEREZ\nCLABE 012180001234567897")
    assert value_after(text, ("Nombre del titular", "Titular")) == "MARIA LOPEZ PEREZ"


def test_original_text_keeps_accents():
    original = "Nombre: José Núñez"
    assert value_after(fold_text(original), ("Nombre",), original=original) == "José Núñez"


def test_fold_label():
    assert fold_label("  Código   Postal: ") == "CODIGO POSTAL"
    assert fold_label("C.P.") == "C P"
