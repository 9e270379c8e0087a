"""SAT status client against the local SAT simulator over real HTTP: states to codes, timeouts,
retries, breaker, malformed answers (CFDI-005/006/007/008)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from sat.resilience import CircuitBreaker, RetryPolicy, SatUnavailable
from sat.status import StatusClient, format_total, parse_answer, soap_envelope, status_expression
from satsim import SatSimulator
from validators.sat import CfdiSatAnswer, cfdi_sat_findings

UUID = "76B27345-D033-507E-BB24-54638DAF4992"
RE, RR = "AAA010101AAA", "LOGM850312AB1"
FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05)


def client(sim, **kw) -> StatusClient:
    kw.setdefault("timeout_s", 0.5)
    kw.setdefault("retry", FAST)
    return StatusClient(sim.status_url, **kw)


def consult(c: StatusClient, uuid: str = UUID, total="1500.00"):
    return c.consult(RE, RR, Decimal(total), uuid, "XYZ+abcdefgh12345678")


def findings_for(c: StatusClient, uuid: str = UUID):
    try:
        status, error = consult(c, uuid), None
    except SatUnavailable as exc:
        status, error = None, exc.evidence()
    return cfdi_sat_findings(CfdiSatAnswer(uuid=uuid, issuer_rfc=RE, status=status, status_error=error))


def test_expression_as_sat_prints_it():
    assert format_total(Decimal("1500.00")) == "1500.0"
    assert format_total(Decimal("1234.560")) == "1234.56"
    assert format_total("0") == "0.0"
    assert format_total(Decimal("0.1234567")) == "0.123457"
    expr = status_expression("A&C010101AB1", RR.lower(), Decimal("10.50"), UUID.lower(), "....ABCDEFGH")
    assert expr == f"?re=A&amp;C010101AB1&rr={RR}&tt=10.5&id={UUID}&fe=ABCDEFGH"
    body = soap_envelope(expr).decode()
    assert "<tem:Consulta><tem:expresionImpresa><![CDATA[?re=" in body


@pytest.mark.parametrize(
    "estado, efos, codes",
    [
        ("Vigente", "200", []),
        ("Cancelado", "200", ["CFDI-005"]),
        ("Vigente", "100", ["CFDI-008"]),
        ("Cancelado", "100", ["CFDI-005", "CFDI-008"]),
    ],
)
def test_each_status_maps_to_its_code(sim, estado, efos, codes):
    sim.add_cfdi(UUID, estado, efos=efos, issuer_rfc=RE, receiver_rfc=RR, total="1500", seal_tail="12345678")
    found = findings_for(client(sim))
    assert [f.code for f in found] == codes
    assert all(f.outcome == "reject" for f in found)
    for f in found:
        assert "SIMULATOR" in f.evidence["raw_answer"]  # the raw SAT answer is the evidence


def test_not_found_is_cfdi_006_and_a_wrong_total_is_not_found(sim):
    sim.add_cfdi(UUID, "Vigente", issuer_rfc=RE, receiver_rfc=RR, total="1500")
    status = consult(client(sim), total="1500.01")
    assert status.not_found and status.estado == "No Encontrado" and "602" in status.codigo_estatus
    [finding] = findings_for(client(sim), "11111111-2222-3333-4444-555555555555")
    assert finding.code == "CFDI-006" and finding.outcome == "reject"
    assert finding.evidence["codigo_estatus"] == "N - 602: Comprobante no encontrado."


def test_parses_every_field_and_keeps_the_raw_answer(sim):
    sim.add_cfdi(UUID, "Cancelado", es_cancelable="Cancelable sin aceptación")
    status = consult(client(sim))
    assert (
        status.codigo_estatus,
        status.estado,
        status.es_cancelable,
        status.estatus_cancelacion,
        status.validacion_efos,
    ) == (
        "S - Comprobante obtenido satisfactoriamente.",
        "Cancelado",
        "Cancelable sin aceptación",
        "Cancelado sin aceptación",
        "200",
    )
    assert "<a:Estado>Cancelado</a:Estado>" in status.raw_xml
    assert status.expression.endswith("&fe=12345678")


def test_a_hang_is_cut_at_the_timeout(sim):
    sim.set_fault("hang")
    c = client(sim, timeout_s=0.3, retry=RetryPolicy(attempts=1))
    started = time.monotonic()
    with pytest.raises(SatUnavailable) as err:
        consult(c)
    assert err.value.kind == "timeout"
    assert time.monotonic() - started < 1.5


def test_503s_then_success_recovers(sim):
    sim.add_cfdi(UUID, "Vigente")
    sim.set_fault("503", times=2)
    status = consult(client(sim))
    assert status.estado == "Vigente"
    assert sim.count("status") == 3


@pytest.mark.parametrize(
    "fault, kind",
    [("503", "http_error"), ("garbage", "malformed_answer"), ("reset", "connection"), ("hang", "timeout")],
)
def test_an_outage_is_cfdi_007_retry_never_a_rejection(sim, fault, kind):
    sim.add_cfdi(UUID, "Cancelado")
    sim.set_fault(fault)
    [finding] = findings_for(client(sim, timeout_s=0.2))
    assert (finding.code, finding.outcome) == ("CFDI-007", "retry")
    assert finding.evidence["failed"] == kind and finding.evidence["attempts"] == 3
    assert sim.count("status") == 3  # bounded


def test_the_breaker_stops_calling_then_tries_again():
    clock = [0.0]
    breaker = CircuitBreaker(failures=2, cooldown_s=30, clock=lambda: clock[0])
    with SatSimulator() as sim:
        sim.add_cfdi(UUID, "Vigente")
        sim.set_fault("503")
        c = client(sim, breaker=breaker, retry=RetryPolicy(attempts=1))
        for _ in range(2):
            with pytest.raises(SatUnavailable):
                consult(c)
        with pytest.raises(SatUnavailable) as err:
            consult(c)
        assert err.value.kind == "circuit_open" and sim.count("status") == 2
        sim.set_fault(None)
        clock[0] = 31  # cool-down over: one trial call, which succeeds and closes it
        assert consult(c).estado == "Vigente" and breaker.state == "closed"


def test_wrong_soap_action_and_invalid_expression_are_not_answers(sim):
    with pytest.raises(SatUnavailable) as err:
        client(sim).consult(RE, "", Decimal(1), UUID, None)  # rr empty: SAT says 601
    assert err.value.kind == "invalid_request" and err.value.attempts == 1
    fault = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        b"<faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>"
    )
    with pytest.raises(SatUnavailable) as err:
        parse_answer(fault, uuid=UUID, expression="?", endpoint="x")
    assert err.value.kind == "malformed_answer"
