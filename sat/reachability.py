"""Does SAT answer? A cheap probe of each service's address for the console's panel: one GET
with a short timeout, every service at once, so a page never waits longer than one timeout.

Not a check of any CFDI and not counted by the shared rate limit: it asks for the service's own
page (ConsultaCFDIService's help page, the CSF validator's form), as a browser would. An answer
with a status under 500 means the service is up (it may still refuse a malformed consult); a
timeout, a refused connection or a 5xx means it is not."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from pydantic import BaseModel


class Reachability(BaseModel):
    service: str
    host: str
    answers: bool
    detail: str  # "HTTP 200", "timeout", "connection refused", ...
    millis: int


def probe(services: dict[str, str], timeout_s: float = 1.5) -> list[Reachability]:
    """Each named service's address probed in parallel; returns within about `timeout_s`."""
    if not services:
        return []
    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        return list(pool.map(lambda item: _probe_one(item[0], item[1], timeout_s), services.items()))


def _probe_one(service: str, url: str, timeout_s: float) -> Reachability:
    started = time.monotonic()
    host = httpx.URL(url).host
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout_s), follow_redirects=False) as client:
            status = client.get(url).status_code
        answers, detail = status < 500, f"HTTP {status}"
    except httpx.TimeoutException:
        answers, detail = False, "sin respuesta (tiempo agotado)"
    except httpx.HTTPError as exc:
        answers, detail = False, f"sin conexión ({type(exc).__name__})"
    return Reachability(
        service=service, host=host, answers=answers, detail=detail, millis=int((time.monotonic() - started) * 1000)
    )
