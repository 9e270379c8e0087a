"""What keeps SAT's bad days out of the pipeline: bounded retries with backoff and jitter
(tenacity), a circuit breaker (pybreaker), and one error type that says what failed.

A failure here never becomes a rejection: callers turn `SatUnavailable` into a `retry` finding
(CFDI-007, CSF-007) with `SatUnavailable.evidence()` as its evidence."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, Self, TypeVar

import httpx
import pybreaker
import tenacity

from domain.config import SatSettings
from domain.errors import ServiceError

T = TypeVar("T")

# What can fail, in the words the evidence uses.
TIMEOUT = "timeout"
CONNECTION = "connection"
HTTP = "http_error"
MALFORMED = "malformed_answer"
CIRCUIT_OPEN = "circuit_open"
RATE_LIMITED = "rate_limited"
INVALID_REQUEST = "invalid_request"


class SatUnavailable(ServiceError):
    """SAT's answer could not be obtained. `kind` is one of the constants above; `retryable` is
    False when asking again cannot help (SAT refused the request, the rate limit gave no slot)."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        service: str = "",
        attempts: int = 0,
        http_status: int | None = None,
        raw: str | None = None,
        retryable: bool = True,
    ):
        super().__init__(f"{service or 'SAT'}: {kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.service = service
        self.attempts = attempts
        self.http_status = http_status
        self.raw = raw
        self.retryable = retryable

    def __str__(self) -> str:
        return f"{self.service or 'SAT'}: {self.kind}: {self.detail}"

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "service": self.service,
            "failed": self.kind,
            "detail": self.detail[:300],
            "attempts": self.attempts,
        }
        if self.http_status is not None:
            out["http_status"] = self.http_status
        if self.raw:
            out["raw_answer"] = self.raw[:2000]
        return out


def _is_outage(exc: BaseException) -> bool:
    """What is worth asking again, and what counts against the breaker: SAT did not answer."""
    return isinstance(exc, SatUnavailable) and exc.retryable


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` calls at most; before call n+1 wait d = base * 2**(n-1) capped at max, with
    "equal jitter": a random delay in [d/2, d], so that workers that failed together do not
    all ask again at the same instant."""

    attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 4.0

    def retrying(self, sleep: Callable[[float], None] = time.sleep) -> tenacity.Retrying:
        half = {"multiplier": self.base_delay_s / 2, "max": self.max_delay_s / 2}
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(**half) + tenacity.wait_random_exponential(**half),
            retry=tenacity.retry_if_exception(_is_outage),
            sleep=sleep,
            reraise=True,
        )


class _ClockStorage(pybreaker.CircuitMemoryStorage):
    """pybreaker's in-memory state, with the moment the breaker opened measured on `clock`
    (monotonic by default, so a change of the wall clock neither holds it open nor closes it
    early; a test passes its own). pybreaker compares `opened_at` with the wall clock: it is
    given as "now minus the time the breaker has been open"."""

    def __init__(self, clock: Callable[[], float]):
        super().__init__(pybreaker.STATE_CLOSED)
        self._clock = clock
        self._opened_on_clock: float | None = None

    def open_for_s(self) -> float:
        return 0.0 if self._opened_on_clock is None else self._clock() - self._opened_on_clock

    @property
    def opened_at(self) -> datetime | None:
        if self._opened_on_clock is None:
            return None
        return datetime.now(UTC) - timedelta(seconds=self.open_for_s())

    @opened_at.setter
    def opened_at(self, _wall_clock: datetime) -> None:
        self._opened_on_clock = self._clock()


class CircuitBreaker:
    """Stops calling a service after `failures` consecutive failed calls (each call already
    retried) for `cooldown_s`; then lets one trial call through (half-open): success closes it,
    failure opens it again. A pybreaker.CircuitBreaker underneath: only outages count as
    failures (SAT refusing our request means it is up). pybreaker runs one call at a time per
    breaker (its lock spans the call): the SAT calls of one process to one service are
    serialised, which the shared rate limit mostly does anyway. One per service and process
    (see `breaker_for`)."""

    def __init__(self, failures: int = 5, cooldown_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._storage = _ClockStorage(clock)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=failures,
            reset_timeout=cooldown_s,
            exclude=[lambda exc: not _is_outage(exc)],
            state_storage=self._storage,
            throw_new_error_on_trip=False,  # the call that trips it reports its own failure
        )

    @property
    def state(self) -> str:
        """ "closed", "open" while the cool-down runs (what the sweep defers on), or "half_open"
        once the next call would be the trial."""
        current = self._breaker.current_state
        if current == pybreaker.STATE_CLOSED:
            return "closed"
        if current == pybreaker.STATE_OPEN and self._storage.open_for_s() < self.cooldown_s:
            return "open"
        return "half_open"

    def call(self, fn: Callable[[], T]) -> T:
        """`fn()` through the breaker; SatUnavailable(CIRCUIT_OPEN) while open."""
        try:
            return self._breaker.call(fn)
        except pybreaker.CircuitBreakerError:
            remaining = max(self.cooldown_s - self._storage.open_for_s(), 0)
            raise SatUnavailable(
                CIRCUIT_OPEN,
                f"circuit open after {self._breaker.fail_counter} consecutive failures; "
                f"next trial in {remaining:.0f} s",
                retryable=False,
            ) from None

    def reset(self) -> None:
        self._breaker.close()


_breakers: dict[tuple[str, int, float], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(key: str, failures: int, cooldown_s: float) -> CircuitBreaker:
    """The process-wide breaker of one service endpoint, so every client of it shares its state."""
    with _breakers_lock:
        return _breakers.setdefault((key, failures, cooldown_s), CircuitBreaker(failures, cooldown_s))


def reset_breakers() -> None:
    """Close every breaker (tests and the demo's fresh start)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


def call_with_retries(
    once: Callable[[], T],
    *,
    service: str,
    policy: RetryPolicy,
    breaker: CircuitBreaker | None = None,
    before_attempt: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `once` until it returns, at most `policy.attempts` times. `once` raises SatUnavailable
    for a failure; a non-retryable one (SAT said our request is invalid) stops at once.
    `before_attempt` (the shared rate limit) runs before each attempt. The breaker counts the
    whole call, retries included, as one success or failure."""

    def attempts() -> T:
        for attempt in policy.retrying(sleep):
            with attempt:
                number = attempt.retry_state.attempt_number
                try:
                    if before_attempt is not None:
                        before_attempt()
                except SatUnavailable as exc:
                    exc.attempts = number - 1  # this attempt never reached SAT
                    raise
                try:
                    return once()
                except SatUnavailable as exc:
                    exc.attempts = number
                    raise
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    try:
        return attempts() if breaker is None else breaker.call(attempts)
    except SatUnavailable as exc:
        exc.service = service
        raise


class RateLimiter(Protocol):
    """What a client needs of the shared rate limit (sat.ratelimit.DbRateLimiter)."""

    def acquire(self) -> None: ...


class SatHttpClient:
    """What every SAT client shares: an httpx client whose connect and read are each bounded by
    the timeout (a hang is cut there), the retry policy, the circuit breaker and the shared rate
    limiter. Subclasses say which URL of SatSettings they serve and how they identify themselves."""

    url_setting: str = ""
    user_agent: str = "claim-intake"
    follow_redirects: bool = False

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.url = url
        self.retry = retry or RetryPolicy()
        self.breaker = breaker
        self.limiter = limiter
        self._sleep = sleep or time.sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            follow_redirects=self.follow_redirects,
            headers={"User-Agent": self.user_agent},
        )

    @classmethod
    def from_settings(cls, sat: SatSettings, *, limiter: RateLimiter | None = None, **kw: Any) -> Self:
        url = getattr(sat, cls.url_setting)
        breaker = breaker_for(url, sat.breaker_failures, sat.breaker_cooldown_s)
        return cls(
            url,
            timeout_s=sat.timeout_s,
            retry=RetryPolicy(
                attempts=sat.retry_attempts,
                base_delay_s=sat.retry_base_delay_s,
                max_delay_s=8 * sat.retry_base_delay_s,
            ),
            breaker=breaker,
            limiter=limiter,
            **kw,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
