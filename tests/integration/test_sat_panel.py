"""The console's SAT panel: real HTTP probes (a live server, a closed port, a server that never
answers) return within one timeout, and the awaiting_sat breakdown counts each folio once per
retry reason of its last decision."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest
from factories import decision

from application.sat_panel import waiting_reasons
from domain.decision import Route
from domain.rules import finding
from sat.reachability import probe


class _Up(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path != "/broken" else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def up():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def silent():
    """Accepts connections and never answers."""
    sock = socket.create_server(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()


def test_probe_tells_up_from_down_within_one_timeout(up, silent):
    closed = socket.create_server(("127.0.0.1", 0))
    closed_url = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    closed.close()
    started = time.monotonic()
    got = {
        r.service: r
        for r in probe({"up": up + "/svc", "5xx": up + "/broken", "silent": silent, "closed": closed_url}, 0.5)
    }
    assert time.monotonic() - started < 1.5  # in parallel: one timeout, not four
    assert got["up"].answers and got["up"].detail == "HTTP 200"
    assert not got["5xx"].answers and got["5xx"].detail == "HTTP 503"
    assert not got["silent"].answers and "tiempo" in got["silent"].detail
    assert not got["closed"].answers and "conexión" in got["closed"].detail


def test_waiting_reasons_count_each_folio_once_per_reason():
    cfdi_timeout = finding("CFDI-007", "status_unavailable", {"uuid": "u", "failed": "timeout"})
    csf_open = finding("CSF-007", "validation_unavailable", {"failed": "circuit_open"})
    decisions = [
        decision(Route.AWAITING_SAT, "A", folio_findings=[cfdi_timeout, cfdi_timeout]),
        decision(Route.AWAITING_SAT, "B", folio_findings=[cfdi_timeout, csf_open]),
        decision(Route.AWAITING_SAT, "C", folio_findings=[csf_open]),
        decision(Route.AWAITING_SAT, "D"),
    ]
    assert waiting_reasons(decisions) == [("CFDI-007", "timeout", 2), ("CSF-007", "circuit_open", 2)]
