"""Online cross-check of a Constancia de Situación Fiscal against SAT's QR validation page.

GET `{sat_csf_url}?D1=10&D2=1&D3={idCIF}_{RFC}` and read the data rows as SAT prints them
(`<span style="font-weight: bold;">Label:</span>` … `<td role="gridcell"
style="text-align:left;">value</td>`) with satcfdi's own parser. Three outcomes:
- a page with taxpayer data -> `CsfOnline(found=True, ...)`;
- SAT's page without taxpayer data (no record for that idCIF and RFC) -> `found=False`;
- anything else (timeout, HTTP error, a body that is not SAT's page) -> `SatUnavailable`.
A page counts as SAT's page without data only when it is the validator's JSF page (its form or
view state is there): an HTML error page of a proxy on a bad day must not reject anyone."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import httpx

from domain.sat import CSF_SERVICE, CsfOnline

from .resilience import (
    CONNECTION,
    HTTP,
    MALFORMED,
    TIMEOUT,
    SatHttpClient,
    SatUnavailable,
    call_with_retries,
)

SERVICE = CSF_SERVICE
# Rows of the page that are personal contact data and not needed as evidence.
_PRIVATE = frozenset(
    {
        "CURP",
        "Correo electrónico",
        "Nombre de la vialidad",
        "Número exterior",
        "Número interior",
        "Tipo de vialidad",
        "Fecha Nacimiento",
        "AL",
        "Entre Calle",
        "Y Calle",
    }
)
_JSF_MARKERS = (b"javax.faces.viewstate", b"validadorqr")


def csf_query_url(base_url: str, id_cif: str, rfc: str) -> str:
    return f"{base_url}?D1=10&D2=1&D3={id_cif.strip()}_{rfc.strip().upper()}"


def parse_csf_page(body: bytes, *, rfc: str, id_cif: str, checked_at: datetime | None = None) -> CsfOnline:
    from satcfdi.csf import _parse_response  # SAT's layout, as satcfdi reads it

    checked_at = checked_at or datetime.now(UTC)
    digest = hashlib.sha256(body).hexdigest()
    head = body[:200_000].lower()
    if b"<html" not in head and b"<!doctype html" not in head:
        raise SatUnavailable(MALFORMED, "the answer is not an HTML page", raw=body[:500].decode("utf-8", "replace"))
    try:
        data = _parse_response(body)
    except ValueError:
        if any(marker in head for marker in _JSF_MARKERS):
            return CsfOnline(rfc=rfc, id_cif=id_cif, found=False, page_sha256=digest, checked_at=checked_at)
        raise SatUnavailable(
            MALFORMED, "an HTML page that is not SAT's validation page", raw=body[:500].decode("utf-8", "replace")
        ) from None
    except Exception as exc:  # noqa: BLE001 - a date SAT printed differently, a broken row: not an answer
        raise SatUnavailable(MALFORMED, f"unreadable validation page: {type(exc).__name__}: {exc}") from None
    regimes = data.pop("Regimenes", [])
    rows = {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in data.items() if k not in _PRIVATE}
    name = (
        data.get("Denominación o Razón Social")
        or " ".join(str(data.get(k) or "").strip() for k in ("Nombre", "Apellido Paterno", "Apellido Materno")).strip()
    )
    codes, texts = [], []
    for regime in regimes:
        code = regime.get("RegimenFiscal")
        if code is None:
            continue
        if getattr(code, "code", None):
            codes.append(str(code.code))
        texts.append(str(getattr(code, "description", None) or code))
    rows["Régimen"] = "; ".join(texts)
    return CsfOnline(
        rfc=rfc,
        id_cif=id_cif,
        found=True,
        status=(str(data.get("Situación del contribuyente") or "").strip() or None),
        name=name or None,
        postal_code=(str(data.get("CP") or "").strip() or None),
        regimes=texts,
        regime_codes=codes,
        rows=rows,
        page_sha256=digest,
        checked_at=checked_at,
    )


class CsfCheckClient(SatHttpClient):
    """`check(rfc, id_cif)` -> CsfOnline, or SatUnavailable after the retry policy."""

    url_setting = "csf_url"
    user_agent = "claim-intake/csf-check"
    follow_redirects = True

    def check(self, rfc: str, id_cif: str) -> CsfOnline:
        url = csf_query_url(self.url, id_cif, rfc)

        def once() -> CsfOnline:
            return parse_csf_page(self._get(url), rfc=rfc.strip().upper(), id_cif=id_cif.strip())

        return call_with_retries(
            once,
            service=SERVICE,
            policy=self.retry,
            breaker=self.breaker,
            before_attempt=self.limiter.acquire if self.limiter is not None else None,
            sleep=self._sleep,
        )

    def _get(self, url: str) -> bytes:
        try:
            response = self._http.get(url)
        except httpx.TimeoutException as exc:
            raise SatUnavailable(TIMEOUT, f"{type(exc).__name__}: no answer within the timeout") from None
        except httpx.TransportError as exc:
            raise SatUnavailable(CONNECTION, f"{type(exc).__name__}: {exc}"[:300]) from None
        if response.status_code != 200:
            raise SatUnavailable(
                HTTP, f"HTTP {response.status_code}", http_status=response.status_code, raw=response.text[:1000]
            )
        return response.content
