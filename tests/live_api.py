"""The intake API (and its console) served by a real uvicorn on 127.0.0.1 in a thread, as
`claim-intake api serve` runs it (with the slow-client deadlines): shared by the e2e API and
console tests and the upload-limit test."""

from __future__ import annotations

import threading
import time

import uvicorn

from api.serving import uvicorn_config
from domain.config import Settings


class LiveServer:
    def __init__(self, app, port: int, settings: Settings):
        self.server = uvicorn.Server(uvicorn_config(app, settings, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(30)
