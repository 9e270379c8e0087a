"""SAT's published list of article 69-B taxpayers (EFOS), as SAT publishes it.

The file (`Listado_Completo_69-B.csv`) is CSV encoded in Windows-1252 (latin-1 family), with a
few heading lines before the header row. Columns: "No", "RFC", "Nombre del Contribuyente",
"Situación del contribuyente", then the office numbers and publication dates of each stage
(presunción, desvirtuado, definitivo, sentencia favorable; SAT page and DOF). The header row is
found by its names, not by a line count, so a heading line more or less does not matter.

Situations: Presunto, Definitivo, Desvirtuado, Sentencia Favorable. Only Presunto and Definitivo
reject (CFDI-008): a taxpayer who disproved the presumption or won in court is not an EFOS."""

from __future__ import annotations

import csv
import io
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import httpx

from domain.sat import DEFINITIVO, DESVIRTUADO, EFOS_SERVICE, PRESUNTO, SENTENCIA, EfosEntry

from .resilience import CONNECTION, HTTP, MALFORMED, TIMEOUT, SatUnavailable

SERVICE = EFOS_SERVICE
_SITUATIONS = {
    "PRESUNTO": PRESUNTO,
    "DEFINITIVO": DEFINITIVO,
    "DESVIRTUADO": DESVIRTUADO,
    "SENTENCIA FAVORABLE": SENTENCIA,
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").strip().upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class EfosList:
    entries: dict[str, EfosEntry]
    source: str = ""
    heading: str = ""  # the heading lines, e.g. "Información actualizada al ..."

    def lookup(self, rfc: str | None) -> EfosEntry | None:
        return self.entries.get((rfc or "").strip().upper()) if rfc else None

    def __len__(self) -> int:
        return len(self.entries)


def decode(data: bytes) -> str:
    """SAT's file is Windows-1252; accept UTF-8 (with or without BOM) too, for re-saved copies."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # cp1252 leaves five bytes undefined; latin-1 maps all


def parse_efos_csv(data: bytes, source: str = "") -> EfosList:
    text = decode(data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header_at = None
    for i, row in enumerate(rows[:50]):
        folded = [_fold(c) for c in row]
        if "RFC" in folded and any(c.startswith("SITUACION DEL CONTRIBUYENTE") for c in folded):
            header_at = i
            break
    if header_at is None:
        raise ValueError(f"{source or 'EFOS list'}: no header row with 'RFC' and 'Situación del contribuyente'")
    header = [_fold(c) for c in rows[header_at]]
    raw_header = [c.strip() for c in rows[header_at]]
    col_rfc = header.index("RFC")
    col_sit = next(i for i, c in enumerate(header) if c.startswith("SITUACION DEL CONTRIBUYENTE"))
    col_name = next((i for i, c in enumerate(header) if c.startswith("NOMBRE DEL CONTRIBUYENTE")), None)
    col_no = next((i for i, c in enumerate(header) if c in ("NO", "NO.", "NUMERO", "#")), None)
    other = [i for i in range(len(header)) if i not in (col_rfc, col_sit, col_name, col_no)]
    entries: dict[str, EfosEntry] = {}
    for row in rows[header_at + 1 :]:
        if len(row) <= max(col_rfc, col_sit):
            continue
        rfc = row[col_rfc].strip().upper()
        situation = _SITUATIONS.get(_fold(row[col_sit]))
        if not rfc or situation is None:
            continue
        entries[rfc] = EfosEntry(
            rfc=rfc,
            name=row[col_name].strip() if col_name is not None and col_name < len(row) else "",
            situation=situation,
            number=row[col_no].strip() if col_no is not None and col_no < len(row) else "",
            publications={raw_header[i]: row[i].strip() for i in other if i < len(row) and raw_header[i]},
        )
    heading = " ".join(" ".join(c.strip() for c in r if c.strip()) for r in rows[:header_at]).strip()
    return EfosList(entries, source, heading)


_cache: dict[str, tuple[float, EfosList]] = {}
_cache_lock = threading.Lock()
URL_TTL_S = 6 * 3600  # SAT updates the list about monthly; re-download at most every 6 h


def load_efos_list(source: str, *, timeout_s: float = 30.0) -> EfosList:
    """The list from a path or an http(s) URL, parsed once per file version (path: mtime) or
    per URL_TTL_S (URL). A URL that cannot be fetched raises SatUnavailable."""
    is_url = source.startswith(("http://", "https://"))
    key_time = time.time() if is_url else Path(source).stat().st_mtime
    with _cache_lock:
        hit = _cache.get(source)
        if hit and ((is_url and key_time - hit[0] < URL_TTL_S) or (not is_url and hit[0] == key_time)):
            return hit[1]
    data = _fetch(source, timeout_s) if is_url else Path(source).read_bytes()
    try:
        parsed = parse_efos_csv(data, source)
    except ValueError as exc:
        raise SatUnavailable(MALFORMED, str(exc), service=SERVICE) from None
    with _cache_lock:
        _cache[source] = (key_time, parsed)
    return parsed


def _fetch(url: str, timeout_s: float) -> bytes:
    try:
        response = httpx.get(url, timeout=httpx.Timeout(timeout_s), follow_redirects=True)
    except httpx.TimeoutException as exc:
        raise SatUnavailable(TIMEOUT, type(exc).__name__, service=SERVICE) from None
    except httpx.TransportError as exc:
        raise SatUnavailable(CONNECTION, f"{type(exc).__name__}: {exc}", service=SERVICE) from None
    if response.status_code != 200:
        raise SatUnavailable(HTTP, f"HTTP {response.status_code}", service=SERVICE, http_status=response.status_code)
    return response.content
