"""A rate limiter shared by every worker that uses the same state database.

GCRA (the "generic cell rate algorithm", a token bucket kept as one number): each limiter is one
row holding the theoretical arrival time `tat`. A call is admitted by one atomic conditional
UPDATE — `tat = max(tat, now) + interval` where `max(tat, now) + interval - now <= burst *
interval` — so admitting costs one short write transaction (about a millisecond on SQLite WAL),
and PostgreSQL's row lock or SQLite's write lock makes it exact across threads, processes and
machines. No polling of a lock: a refused caller is told how long to sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, case, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from storage.schema import sat_rate_limits as _t

from .resilience import RATE_LIMITED, SatUnavailable


class DbRateLimiter:
    def __init__(
        self,
        engine: Engine,
        name: str,
        rate_per_s: float,
        burst: int = 1,
        *,
        max_wait_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.engine, self.name = engine, name
        self.interval = 1.0 / rate_per_s
        self.window = burst * self.interval
        self.max_wait_s = max_wait_s
        self._clock, self._sleep = clock, sleep
        _t.create(engine, checkfirst=True)
        self._ensure_row()

    def _ensure_row(self) -> None:
        with self.engine.begin() as conn:
            if conn.execute(select(_t.c.name).where(_t.c.name == self.name)).first():
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(_t).values(name=self.name, tat=0.0))
        except IntegrityError:
            pass  # another worker created it first

    def try_acquire(self) -> float:
        """0.0 when admitted, else the seconds to wait before a call could be admitted."""
        now = self._clock()
        base = case((_t.c.tat > now, _t.c.tat), else_=literal(now))
        with self.engine.begin() as conn:
            admitted = conn.execute(
                update(_t)
                .where(_t.c.name == self.name, base + self.interval - now <= self.window + 1e-9)
                .values(tat=base + self.interval)
            ).rowcount
            if admitted:
                return 0.0
            tat = conn.execute(select(_t.c.tat).where(_t.c.name == self.name)).scalar_one()
        return max(tat + self.interval - self.window - now, 0.001)

    def acquire(self) -> None:
        """Block until admitted; SatUnavailable(RATE_LIMITED) after `max_wait_s`."""
        deadline = self._clock() + self.max_wait_s
        while True:
            wait = self.try_acquire()
            if wait == 0.0:
                return
            if self._clock() + wait > deadline:
                raise SatUnavailable(  # waiting longer in this call would not help: not retried
                    RATE_LIMITED,
                    f"no slot in the shared rate limit {self.name!r} within {self.max_wait_s:.0f} s",
                    retryable=False,
                )
            self._sleep(wait)
