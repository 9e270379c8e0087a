"""A local SIMULATOR of SAT's web services, for tests and demos. It is not SAT.

It speaks what the real services speak, over real HTTP on 127.0.0.1:
- ConsultaCFDIService (SOAP 1.1, POST, SOAPAction http://tempuri.org/IConsultaCFDIService/Consulta):
  answers from `SatSimulator.cfdi`, with CodigoEstatus, EsCancelable, Estado, EstatusCancelacion
  and ValidacionEFOS as SAT does; "N - 602" for an unknown UUID or an expression that does not
  match the stored invoice (as SAT does when re/rr/tt do not match);
- the CSF QR validation page (GET validadorqr.jsf?D1=10&D2=1&D3={idCIF}_{RFC}): the data rows
  as SAT prints them, from `SatSimulator.csf`.

Every answer says it comes from the simulator (Server header, an XML/HTML comment, the page
title). Fault modes a test switches on: latency, HTTP 503, garbage body, connection reset, hang.

    with SatSimulator() as sim:
        sim.add_cfdi(uuid, "Cancelado")
        sim.set_fault("503", times=2)
        ... settings.sat_status_url = sim.status_url ...
"""

from .server import SIMULATOR_LABEL, Call, SatSimulator, SimCfdi, SimCsf

__all__ = ["SIMULATOR_LABEL", "Call", "SatSimulator", "SimCfdi", "SimCsf"]
