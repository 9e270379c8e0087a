"""Client of SAT's ConsultaCFDIService (SOAP 1.1): is this CFDI Vigente, Cancelado or unknown
to SAT, and is its issuer listed under article 69-B (ValidacionEFOS)?

One call: POST the printed expression `?re=&rr=&tt=&id=&fe=` to the endpoint with SOAPAction
`http://tempuri.org/IConsultaCFDIService/Consulta`. Timeouts, retries with backoff + jitter,
the circuit breaker and the shared rate limiter come from sat.resilience / sat.ratelimit. Any
answer that is not a well-formed ConsultaResult is a failure (`SatUnavailable`), never a state."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import httpx
from lxml import etree

from domain.sat import CANCELADO, NO_ENCONTRADO, STATUS_SERVICE, VIGENTE, SatStatus

from .resilience import (
    CONNECTION,
    HTTP,
    INVALID_REQUEST,
    MALFORMED,
    TIMEOUT,
    SatHttpClient,
    SatUnavailable,
    call_with_retries,
)

SERVICE = STATUS_SERVICE
SOAP_ACTION = "http://tempuri.org/IConsultaCFDIService/Consulta"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TEMPURI = "http://tempuri.org/"
RESULT_NS = "http://schemas.datacontract.org/2004/07/Sat.Cfdi.Negocio.ConsultaCfdi.Servicio"
_FIELDS = ("CodigoEstatus", "EsCancelable", "Estado", "EstatusCancelacion", "ValidacionEFOS")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


# ------------------------------------------------------------------------------ the expression


def format_total(total: Decimal | str) -> str:
    """`tt` as the CFDI 3.3/4.0 QR prints it: up to 6 decimals, non-significant zeros dropped
    but one decimal kept (1500.00 -> 1500.0, 1234.560 -> 1234.56, 0 -> 0.0)."""
    try:
        value = Decimal(str(total))
    except InvalidOperation:
        raise ValueError(f"total {total!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"total {total!r} is not a valid amount")
    text = f"{value.quantize(Decimal('0.000001')):f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _rfc(rfc: str) -> str:
    # '&' is legal in RFCs and would split the expression; SAT expects it escaped.
    return rfc.strip().upper().replace("&", "&amp;")


def status_expression(
    issuer_rfc: str, receiver_rfc: str, total: Decimal | str, uuid: str, seal_tail: str | None
) -> str:
    expr = f"?re={_rfc(issuer_rfc)}&rr={_rfc(receiver_rfc)}&tt={format_total(total)}&id={uuid.strip().upper()}"
    if seal_tail:
        expr += f"&fe={seal_tail[-8:]}"
    return expr


def soap_envelope(expression: str) -> bytes:
    if "]]>" in expression:
        raise ValueError("expression cannot contain ']]>'")
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:tem="{TEMPURI}"><soapenv:Header/><soapenv:Body>'
        f"<tem:Consulta><tem:expresionImpresa><![CDATA[{expression}]]></tem:expresionImpresa></tem:Consulta>"
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


# ------------------------------------------------------------------------------ the answer


def parse_answer(
    body: bytes, *, uuid: str, expression: str, endpoint: str, checked_at: datetime | None = None
) -> SatStatus:
    """The ConsultaResult of a SOAP answer, or SatUnavailable(MALFORMED) with the raw text."""
    raw = body.decode("utf-8", errors="replace")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SatUnavailable(MALFORMED, f"not XML: {exc}", raw=raw) from None
    fault = root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault")
    if fault is not None:
        text = " ".join(t.strip() for t in fault.itertext() if t.strip())
        raise SatUnavailable(MALFORMED, f"SOAP fault: {text[:200]}", raw=raw)
    result = root.find(f"{{{SOAP_NS}}}Body/{{{TEMPURI}}}ConsultaResponse/{{{TEMPURI}}}ConsultaResult")
    if result is None:
        raise SatUnavailable(MALFORMED, "no ConsultaResponse/ConsultaResult in the answer", raw=raw)
    values = {name: (result.findtext(f"{{{RESULT_NS}}}{name}") or "").strip() or None for name in _FIELDS}
    code = values["CodigoEstatus"]
    if not code:
        raise SatUnavailable(MALFORMED, "ConsultaResult without CodigoEstatus", raw=raw)
    if code.startswith("S") and values["Estado"] not in (VIGENTE, CANCELADO):
        raise SatUnavailable(MALFORMED, f"CodigoEstatus {code!r} with Estado {values['Estado']!r}", raw=raw)
    if code.startswith("N") and "602" not in code:
        # 601: the expression is not valid. The document is not at fault and retrying the same
        # expression will not help; the caller still reports it as "could not be obtained".
        raise SatUnavailable(INVALID_REQUEST, f"SAT refused the query: {code}", raw=raw, retryable=False)
    if not code.startswith(("S", "N")):
        raise SatUnavailable(MALFORMED, f"unknown CodigoEstatus {code!r}", raw=raw)
    return SatStatus(
        uuid=uuid.upper(),
        expression=expression,
        codigo_estatus=code,
        estado=values["Estado"] or (NO_ENCONTRADO if "602" in code else None),
        es_cancelable=values["EsCancelable"],
        estatus_cancelacion=values["EstatusCancelacion"],
        validacion_efos=values["ValidacionEFOS"],
        checked_at=checked_at or datetime.now(UTC),
        endpoint=endpoint,
        raw_xml=raw,
    )


# ------------------------------------------------------------------------------ the client


class StatusClient(SatHttpClient):
    """`consult(...)` -> SatStatus, or SatUnavailable after the retry policy. Thread-safe."""

    url_setting = "status_url"
    user_agent = "claim-intake/sat-status"
    follow_redirects = False

    def consult_cfdi(self, ext) -> SatStatus:
        """For a domain.extractions.CfdiExtraction."""
        missing = [f for f in ("issuer_rfc", "receiver_rfc", "total", "uuid") if getattr(ext, f) in (None, "")]
        if missing:
            raise SatUnavailable(
                INVALID_REQUEST,
                f"the CFDI lacks {', '.join(missing)} for the status query",
                service=SERVICE,
                retryable=False,
            )
        return self.consult(ext.issuer_rfc, ext.receiver_rfc, ext.total, ext.uuid, ext.seal_tail)

    def consult(self, issuer_rfc: str, receiver_rfc: str, total, uuid: str, seal_tail: str | None) -> SatStatus:
        expression = status_expression(issuer_rfc, receiver_rfc, total, uuid, seal_tail)
        body = soap_envelope(expression)

        def once() -> SatStatus:
            answer = self._post(body)
            return parse_answer(answer, uuid=uuid, expression=expression, endpoint=self.url)

        return call_with_retries(
            once,
            service=SERVICE,
            policy=self.retry,
            breaker=self.breaker,
            before_attempt=self.limiter.acquire if self.limiter is not None else None,
            sleep=self._sleep,
        )

    def _post(self, body: bytes) -> bytes:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}"', "Accept": "text/xml"}
        try:
            response = self._http.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise SatUnavailable(TIMEOUT, f"{type(exc).__name__}: no answer within the timeout") from None
        except httpx.TransportError as exc:
            raise SatUnavailable(CONNECTION, f"{type(exc).__name__}: {exc}"[:300]) from None
        if response.status_code >= 500 or response.status_code in (408, 429):
            if response.status_code == 500 and b"Fault" in response.content[:4000]:
                pass  # a SOAP fault comes with 500: parsed (and reported) as malformed below
            else:
                raise SatUnavailable(
                    HTTP, f"HTTP {response.status_code}", http_status=response.status_code, raw=response.text[:2000]
                )
        elif response.status_code >= 400:
            raise SatUnavailable(
                HTTP, f"HTTP {response.status_code}", http_status=response.status_code, raw=response.text[:2000]
            )
        return response.content
