"""Clients of SAT's web services and the 69-B list: what the SAT checks (CFDI-005…008, CSF-007/008)
ask, with timeouts, bounded retries, a circuit breaker and a rate limiter shared through the
state database. Failures surface as `SatUnavailable`, which the validators turn into `retry`.

- sat.status      ConsultaCFDIService (SOAP) client and its answer model
- sat.csf_check   CSF QR validation page client
- sat.efos        the published 69-B list (CSV)
- sat.checks      gathers the answers for a folio's documents (cache, limiter, breaker)
"""

from .resilience import SatUnavailable

__all__ = ["SatUnavailable"]
