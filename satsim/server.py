"""The simulator itself: a ThreadingHTTPServer in a daemon thread (see the package docstring)."""

from __future__ import annotations

import html
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

SIMULATOR_LABEL = "claim-intake SAT SIMULATOR - not SAT"
STATUS_PATH = "/ConsultaCFDIService.svc"
CSF_PATH = "/app/qr/faces/pages/mobile/validadorqr.jsf"
SOAP_ACTION = "http://tempuri.org/IConsultaCFDIService/Consulta"
FAULT_MODES = ("503", "garbage", "reset", "hang")

FOUND = "S - Comprobante obtenido satisfactoriamente."
NOT_FOUND = "N - 602: Comprobante no encontrado."
INVALID = "N - 601: La expresión impresa proporcionada no es válida."


@dataclass
class SimCfdi:
    estado: str = "Vigente"  # Vigente | Cancelado
    efos: str = "200"  # ValidacionEFOS: 200 not listed, 100 listed
    es_cancelable: str = "Cancelable con aceptación"
    estatus_cancelacion: str | None = None
    # When set, the query must carry these values (SAT answers 602 otherwise).
    issuer_rfc: str | None = None
    receiver_rfc: str | None = None
    total: str | None = None
    seal_tail: str | None = None


@dataclass
class SimCsf:
    rfc: str
    status: str = "ACTIVO"
    name: str | None = None  # persona física: "NOMBRE(S) APELLIDO_P APELLIDO_M"
    nombre: str | None = None
    apellido_paterno: str | None = None
    apellido_materno: str | None = None
    razon_social: str | None = None  # persona moral
    curp: str | None = None
    postal_code: str = "06000"
    regimes: list[str] = field(
        default_factory=lambda: ["Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios"]
    )


@dataclass(frozen=True)
class Call:
    at: float
    service: str  # "status" | "csf" | "other"
    query: str  # the printed expression, or the D3 value
    fault: str | None


class SatSimulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, default_estado: str | None = None):
        self.cfdi: dict[str, SimCfdi] = {}
        self.csf: dict[tuple[str, str], SimCsf] = {}
        self.default_estado = default_estado  # answer for unknown UUIDs; None = 602
        self.calls: list[Call] = []
        self.latency_s = 0.0
        self.hang_s = 60.0
        self._fault: str | None = None
        self._fault_left: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def status_url(self) -> str:
        return self.base_url + STATUS_PATH

    @property
    def csf_url(self) -> str:
        return self.base_url + CSF_PATH

    def start(self) -> SatSimulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sat-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases hanging handlers
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SatSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the table and the faults -------------------------------------------------------------
    def add_cfdi(self, uuid: str, estado: str = "Vigente", efos: str = "200", **kw) -> SimCfdi:
        entry = SimCfdi(estado=estado, efos=efos, **kw)
        if estado == "Cancelado" and "estatus_cancelacion" not in kw:
            entry.estatus_cancelacion = "Cancelado sin aceptación"
        self.cfdi[uuid.upper()] = entry
        return entry

    def add_csf(self, id_cif: str, rfc: str, **kw) -> SimCsf:
        entry = SimCsf(rfc=rfc.upper(), **kw)
        self.csf[(id_cif, rfc.upper())] = entry
        return entry

    def set_fault(self, mode: str | None, times: int | None = None, latency_s: float | None = None) -> None:
        """`mode` in FAULT_MODES for the next `times` requests (None: until cleared); None clears."""
        if mode is not None and mode not in FAULT_MODES:
            raise ValueError(f"unknown fault {mode!r}; one of {FAULT_MODES}")
        with self._lock:
            self._fault, self._fault_left = mode, times
            if latency_s is not None:
                self.latency_s = latency_s

    def count(self, service: str | None = None, contains: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for c in self.calls
                if (service is None or c.service == service)
                and (contains is None or contains.upper() in c.query.upper())
            )

    def _take_fault(self) -> str | None:
        with self._lock:
            if self._fault is None:
                return None
            mode = self._fault
            if self._fault_left is not None:
                self._fault_left -= 1
                if self._fault_left <= 0:
                    self._fault, self._fault_left = None, None
            return mode

    def _record(self, service: str, query: str, fault: str | None) -> None:
        with self._lock:
            self.calls.append(Call(time.time(), service, query, fault))

    # -- answers ------------------------------------------------------------------------------
    def status_answer(self, expression: str) -> str:
        params = _expression_params(expression)
        uuid = params.get("id", "").upper()
        if not uuid or not params.get("re") or not params.get("rr") or not params.get("tt"):
            return _soap_result(INVALID, None, None, None, None)
        entry = self.cfdi.get(uuid)
        if entry is None and self.default_estado:
            entry = SimCfdi(estado=self.default_estado)
        if entry is None or not _matches(entry, params):
            return _soap_result(NOT_FOUND, None, "No Encontrado", None, None)
        return _soap_result(FOUND, entry.es_cancelable, entry.estado, entry.estatus_cancelacion, entry.efos)

    def csf_page(self, d3: str) -> str:
        id_cif, _, rfc = d3.partition("_")
        entry = self.csf.get((id_cif, rfc.upper()))
        return _csf_html(entry, rfc.upper())


def _expression_params(expression: str) -> dict[str, str]:
    text = expression.strip().lstrip("?").replace("&amp;", "\x00")
    out = {}
    for part in text.split("&"):
        key, _, value = part.partition("=")
        out[key.strip().lower()] = value.replace("\x00", "&").strip()
    return out


def _same_amount(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


def _matches(entry: SimCfdi, params: dict[str, str]) -> bool:
    if entry.issuer_rfc and params.get("re", "").upper() != entry.issuer_rfc.upper():
        return False
    if entry.receiver_rfc and params.get("rr", "").upper() != entry.receiver_rfc.upper():
        return False
    if entry.total and not _same_amount(params.get("tt", ""), entry.total):
        return False
    return not (entry.seal_tail and params.get("fe") != entry.seal_tail[-8:])


def _el(name: str, value: str | None) -> str:
    if value is None:
        return f'<a:{name} i:nil="true"/>'
    return f"<a:{name}>{html.escape(value, quote=False)}</a:{name}>"


def _soap_result(code, cancelable, estado, cancel_status, efos) -> str:
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<!-- {SIMULATOR_LABEL} -->"
        '<s:Body><ConsultaResponse xmlns="http://tempuri.org/"><ConsultaResult '
        'xmlns:a="http://schemas.datacontract.org/2004/07/Sat.Cfdi.Negocio.ConsultaCfdi.Servicio" '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        + _el("CodigoEstatus", code)
        + _el("EsCancelable", cancelable)
        + _el("Estado", estado)
        + _el("EstatusCancelacion", cancel_status)
        + _el("ValidacionEFOS", efos)
        + "</ConsultaResult></ConsultaResponse></s:Body></s:Envelope>"
    )


def _soap_fault(reason: str) -> str:
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        '<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>'
        f'<faultstring xml:lang="en-US">{html.escape(reason)}</faultstring></s:Fault></s:Body></s:Envelope>'
    )


_ROW = (
    '<tr class="ui-widget-content" role="row"><td role="gridcell" style="text-align:right;">'
    '<span style="font-weight: bold;">{label}:</span></td>'
    '<td role="gridcell" style="text-align:left;">{value}</td></tr>'
)


def _rows(pairs) -> str:
    return "".join(_ROW.format(label=html.escape(k), value=html.escape(v or "")) for k, v in pairs)


def _section(title: str, pairs) -> str:
    return (
        f'<li data-role="list-divider" role="heading">{html.escape(title)}</li><li>'
        f'<table role="grid"><tbody>{_rows(pairs)}</tbody></table></li>'
    )


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>{SIMULATOR_LABEL}</title></head><body><!-- {SIMULATOR_LABEL} -->"
        f'<form id="ubicacionForm" method="post" action="{CSF_PATH}">'
        '<input type="hidden" name="javax.faces.ViewState" value="sim:0"/>'
        f"{body}</form></body></html>"
    )


def _csf_html(entry: SimCsf | None, rfc: str) -> str:
    if entry is None:
        return _page(
            '<div class="ui-messages-error">No se encontró información del contribuyente '
            "con los datos proporcionados.</div>"
        )
    if entry.razon_social:
        ident = [
            ("Denominación o Razón Social", entry.razon_social),
            ("Régimen de capital", "SOCIEDAD ANONIMA"),
            ("Fecha de constitución", "01-01-2010"),
            ("Fecha de Inicio de operaciones", "01-01-2010"),
            ("Situación del contribuyente", entry.status),
            ("Fecha del último cambio de situación", "01-01-2010"),
        ]
    else:
        words = (entry.name or "").split()
        nombre = entry.nombre or " ".join(words[:-2]) or (entry.name or "")
        paterno = (
            entry.apellido_paterno if entry.apellido_paterno is not None else (words[-2] if len(words) > 2 else "")
        )
        materno = (
            entry.apellido_materno if entry.apellido_materno is not None else (words[-1] if len(words) > 2 else "")
        )
        ident = [
            ("CURP", entry.curp or ""),
            ("Nombre", nombre),
            ("Apellido Paterno", paterno),
            ("Apellido Materno", materno),
            ("Fecha Nacimiento", "12-03-1985"),
            ("Fecha de Inicio de operaciones", "01-06-2010"),
            ("Situación del contribuyente", entry.status),
            ("Fecha del último cambio de situación", "01-06-2010"),
        ]
    location = [
        ("Entidad Federativa", "CIUDAD DE MEXICO"),
        ("Municipio o delegación", "CUAUHTEMOC"),
        ("Colonia", "CENTRO"),
        ("Tipo de vialidad", "CALLE"),
        ("Nombre de la vialidad", "REFORMA"),
        ("Número exterior", "1"),
        ("Número interior", ""),
        ("CP", entry.postal_code),
        ("Correo electrónico", ""),
        ("AL", "CIUDAD DE MEXICO 1"),
    ]
    fiscal = []
    for regime in entry.regimes:
        fiscal += [("Régimen", regime), ("Fecha de alta", "01-06-2010")]
    body = (
        f"<div>El RFC: {html.escape(rfc)}, tiene asociada la siguiente información.</div>"
        '<ul data-role="listview">'
        + _section("Datos de Identificación", ident)
        + _section("Datos de Ubicación (domicilio fiscal, vigente)", location)
        + _section("Características fiscales (vigente)", fiscal)
        + "</ul>"
    )
    return _page(body)


def _handler_for(sim: SatSimulator):
    class Handler(BaseHTTPRequestHandler):
        server_version = "claim-intake-satsim/1 (SIMULATOR, not SAT)"
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            path = urlsplit(self.path).path
            if path != STATUS_PATH:
                sim._record("other", self.path, None)
                return self._send(404, "text/plain", "not found")
            match = re.search(r"<!\[CDATA\[(.*?)\]\]>", body, re.S) or re.search(
                r"expresionImpresa>(.*?)</", body, re.S
            )
            expression = (
                html.unescape(match.group(1))
                if match and "CDATA" not in match.group(0)
                else (match.group(1) if match else "")
            )
            fault = sim._take_fault()
            sim._record("status", expression, fault)
            if self._apply(fault, "status"):
                return
            action = (self.headers.get("SOAPAction") or "").strip('"')
            if action != SOAP_ACTION:
                return self._send(
                    500,
                    "text/xml; charset=utf-8",
                    _soap_fault(f"The message with Action '{action}' cannot be processed at the receiver."),
                )
            self._send(200, "text/xml; charset=utf-8", sim.status_answer(expression))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != CSF_PATH:
                sim._record("other", self.path, None)
                return self._send(404, "text/plain", "not found")
            query = parse_qs(parts.query)
            d3 = unquote((query.get("D3") or [""])[0])
            fault = sim._take_fault()
            sim._record("csf", d3, fault)
            if self._apply(fault, "csf"):
                return
            self._send(200, "text/html;charset=UTF-8", sim.csf_page(d3))

        def _apply(self, fault: str | None, service: str) -> bool:
            if sim.latency_s:
                sim._stop.wait(sim.latency_s)
            if fault is None:
                return False
            if fault == "503":
                self._send(
                    503,
                    "text/html",
                    f"<html><body><h1>Service Unavailable</h1><!-- {SIMULATOR_LABEL} --></body></html>",
                )
            elif fault == "garbage":
                garbage = (
                    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Consulta'
                    if service == "status"
                    else "\x00\x17\x03 upstream proxy error \xff"
                )
                self._send(200, "text/xml" if service == "status" else "application/octet-stream", garbage)
            elif fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
            elif fault == "hang":
                sim._stop.wait(sim.hang_s)
                self.close_connection = True
            return True

        def _send(self, code: int, content_type: str, text: str) -> None:
            data = text.encode("utf-8", errors="replace")
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Simulator", SIMULATOR_LABEL)
            self.end_headers()
            self.wfile.write(data)

    return Handler
