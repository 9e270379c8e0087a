"""uvicorn's HTTP/1.1 protocol with deadlines for slow clients (issue 13 #13).

uvicorn bounds only the idle time between requests (`timeout_keep_alive`): a client that sends
its request head or body a byte at a time, or opens a connection and says nothing, holds the
connection and its upload for as long as it likes, and a few hundred such clients hold the API.
This protocol gives every request two deadlines, as Apache's mod_reqtimeout does:

- the head (request line and headers) must be complete `api_header_timeout_s` after the
  connection opened or the request's first byte arrived; past that the client gets a bare 408
  and the connection is closed;
- the body must be complete `api_body_timeout_s` after the head, plus one second for every
  `api_body_min_rate` bytes received, so an upload at a sane rate always finishes while a
  trickle is cut. Past that the application sees the client disconnect (the upload's staging
  directory is removed as for any broken upload), the client gets 408 if no answer was started,
  and the connection is closed.

`claim-intake api serve` uses it; `uvicorn_config()` builds the same for tests and embedding.
uvicorn's own command line cannot select it: behind another server, set that server's timeouts."""

from __future__ import annotations

import asyncio
import json

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from domain.config import Settings, current_settings

_HEAD_408 = json.dumps(
    {"error": {"code": "REQUEST_TIMEOUT", "message": "the request headers were not received in time"}}
).encode()
_BODY_408 = json.dumps(
    {"error": {"code": "REQUEST_TIMEOUT", "message": "the request body was not received in time"}}
).encode()


class TimedH11Protocol(H11Protocol):
    """H11Protocol plus the head and body deadlines above (one timer per connection)."""

    settings: Settings | None = None  # None: the environment's (current_settings())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        api = (self.settings or current_settings()).api
        self.header_timeout_s = api.header_timeout_s
        self.body_timeout_s = api.body_timeout_s
        self.body_min_rate = api.body_min_rate
        self._phase: str | None = None  # "head" | "body" | None (idle: keep-alive's business)
        self._started = 0.0
        self._body_bytes = 0
        self._timer: asyncio.TimerHandle | None = None

    # -- when each phase starts and ends ---------------------------------------------------
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._enter("head")

    def data_received(self, data: bytes) -> None:
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._enter("head")  # the first byte of the next request on a kept-alive connection
        elif self._phase == "body":
            self._body_bytes += len(data)
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        if self.transport is None or self.transport.is_closing():
            return self._cancel()
        state = self.conn.their_state
        if self._phase == "head" and state is not h11.IDLE:
            self._enter("body") if state is h11.SEND_BODY else self._leave()
        elif self._phase == "body" and state is not h11.SEND_BODY:
            self._leave()

    def connection_lost(self, exc) -> None:
        self._cancel()
        super().connection_lost(exc)

    # -- the timer -----------------------------------------------------------------------
    def _enter(self, phase: str) -> None:
        self._phase, self._started, self._body_bytes = phase, self.loop.time(), 0
        self._arm()

    def _leave(self) -> None:
        self._phase = None
        self._cancel()

    def _deadline(self) -> float:
        if self._phase == "head":
            return self._started + self.header_timeout_s
        return self._started + self.body_timeout_s + self._body_bytes / self.body_min_rate

    def _arm(self) -> None:
        self._cancel()
        self._timer = self.loop.call_at(self._deadline(), self._check)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        """The deadline moves while body bytes arrive; act only once it has really passed."""
        self._timer = None
        if self._phase is None or self.transport.is_closing():
            return
        if self.loop.time() < self._deadline():
            return self._arm()
        if self._phase == "head":
            self._expire_head()
        else:
            self._expire_body()

    def _expire_head(self) -> None:
        self.logger.warning("closing a connection whose request headers took over %.0f s", self.header_timeout_s)
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_HEAD_408), _HEAD_408)
        )
        self._close()

    def _expire_body(self) -> None:
        self.logger.warning(
            "closing a connection whose request body took over its deadline (%d bytes received)", self._body_bytes
        )
        cycle = self.cycle
        if cycle is not None and not cycle.response_started and self.conn.our_state is h11.SEND_RESPONSE:
            cycle.response_started = cycle.response_complete = True
            self.transport.write(
                self.conn.send(
                    h11.Response(
                        status_code=408,
                        reason=b"Request Timeout",
                        headers=[
                            (b"content-type", b"application/json"),
                            (b"connection", b"close"),
                            (b"content-length", str(len(_BODY_408)).encode()),
                        ],
                    )
                )
            )
            self.transport.write(self.conn.send(h11.Data(data=_BODY_408)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        self._close()

    def _close(self) -> None:
        """Close, and let a request still running see the client gone (http.disconnect)."""
        self._phase = None
        if self.cycle is not None:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()


def protocol_for(settings: Settings) -> type[TimedH11Protocol]:
    """TimedH11Protocol with these settings rather than the environment's (tests, embedding)."""
    return type("TimedH11Protocol", (TimedH11Protocol,), {"settings": settings})


def uvicorn_config(app, settings: Settings, **kwargs) -> uvicorn.Config:
    return uvicorn.Config(app, http=protocol_for(settings), **kwargs)
