"""SAT's 69-B list (EFOS) in its published format, and CFDI-008 from it or from ValidacionEFOS."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sat.efos import DEFINITIVO, PRESUNTO, load_efos_list, parse_efos_csv
from sat.status import SatStatus
from validators.sat import CfdiSatAnswer, cfdi_sat_findings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "efos_69b_sample.csv"
UUID = "76B27345-D033-507E-BB24-54638DAF4992"


def vigente(efos: str = "200") -> SatStatus:
    return SatStatus(
        uuid=UUID,
        expression="?",
        codigo_estatus="S - Comprobante obtenido satisfactoriamente.",
        estado="Vigente",
        validacion_efos=efos,
        checked_at=datetime.now(UTC),
        endpoint="x",
        raw_xml="<raw/>",
    )


def test_the_sample_is_in_sats_encoding_and_parses():
    data = SAMPLE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # Windows-1252, as SAT publishes it
    efos = load_efos_list(str(SAMPLE))
    assert len(efos) == 5
    assert "ACTUALIZADA" in efos.heading
    entry = efos.lookup("ssi150610qw2")
    assert (entry.situation, entry.name) == (PRESUNTO, "SERVICIOS SIMULADOS IÑIGUEZ, S.C.")
    assert efos.lookup("FAC120304AB1").situation == DEFINITIVO and efos.lookup("FAC120304AB1").rejects
    assert not efos.lookup("MEDD800101AB3").rejects  # Desvirtuado
    assert not efos.lookup("CLN090909XY4").rejects  # Sentencia Favorable
    assert efos.lookup("XAXX010101000") is None
    assert entry.publications["Publicación DOF presuntos"] == "14/03/2025"


def test_header_found_by_name_and_utf8_copies_accepted():
    text = (
        '"Información actualizada"\n\n"No","RFC","Nombre del Contribuyente","Situación del contribuyente"\n'
        '1,"AAA010101AA1","ÁGUILA","Definitivo"\n2,"BBB010101BB2","B","Desvirtuado"\n'
    )
    for encoded in (text.encode("cp1252"), text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        efos = parse_efos_csv(encoded)
        assert efos.lookup("AAA010101AA1").name == "ÁGUILA" and len(efos) == 2
    with pytest.raises(ValueError):
        parse_efos_csv(b"a,b,c\n1,2,3\n")


def test_cfdi_008_from_the_list_or_from_validacion_efos():
    efos = load_efos_list(str(SAMPLE))
    listed = cfdi_sat_findings(
        CfdiSatAnswer(uuid=UUID, issuer_rfc="SSI150610QW2", status=vigente(), efos_entry=efos.lookup("SSI150610QW2"))
    )
    assert [(f.code, f.outcome) for f in listed] == [("CFDI-008", "reject")]
    assert listed[0].evidence["listado_69b"]["situation"] == "Presunto"
    by_status = cfdi_sat_findings(CfdiSatAnswer(uuid=UUID, issuer_rfc="X", status=vigente("100")))
    assert [f.code for f in by_status] == ["CFDI-008"] and by_status[0].evidence["raw_answer"] == "<raw/>"
    cleared = cfdi_sat_findings(
        CfdiSatAnswer(uuid=UUID, issuer_rfc="MEDD800101AB3", status=vigente(), efos_entry=efos.lookup("MEDD800101AB3"))
    )
    assert cleared == []


def test_an_unreadable_configured_list_is_retry():
    found = cfdi_sat_findings(
        CfdiSatAnswer(
            uuid=UUID, issuer_rfc="X", status=vigente(), efos_error={"service": "Listado 69-B", "failed": "timeout"}
        )
    )
    assert [(f.code, f.outcome) for f in found] == [("CFDI-007", "retry")]
