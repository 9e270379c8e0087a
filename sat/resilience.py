"""What keeps SAT's bad days out of the pipeline: bounded retries with backoff and jitter, a
circuit breaker, and one error type that says what failed.

A failure here never becomes a rejection: callers turn `SatUnavailable` into a `retry` finding
(CFDI-007, CSF-007) with `SatUnavailable.evidence()` as its evidence."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

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
    """SAT's answer could not be obtained. `kind` is one of the constants above."""

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


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` calls at most; before call n+1 wait base * 2**(n-1), capped, with full jitter
    in [delay/2, delay]."""

    attempts: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 4.0

    def delay(self, failed_attempts: int, rng: Callable[[], float] = random.random) -> float:
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** (failed_attempts - 1))
        return delay / 2 + rng() * delay / 2


class CircuitBreaker:
    """Stops calling a service after `failures` consecutive failed calls (each call already
    retried) for `cooldown_s`; then lets one trial call through (half-open): success closes it,
    failure opens it again. Thread-safe; one per service and process (see `breaker_for`)."""

    def __init__(self, failures: int = 5, cooldown_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half_open" if self._clock() - self._opened_at >= self.cooldown_s else "open"

    def before_call(self) -> None:
        """Raises SatUnavailable(CIRCUIT_OPEN) while open."""
        with self._lock:
            if self._opened_at is None:
                return
            remaining = self.cooldown_s - (self._clock() - self._opened_at)
            if remaining > 0 or self._trial_running:
                raise SatUnavailable(
                    CIRCUIT_OPEN,
                    f"circuit open after {self._consecutive} consecutive failures; "
                    f"next trial in {max(remaining, 0):.0f} s",
                    retryable=False,
                )
            self._trial_running = True

    def success(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_running = False

    def failure(self) -> None:
        with self._lock:
            self._consecutive += 1
            self._trial_running = False
            if self._opened_at is not None or self._consecutive >= self.failures:
                self._opened_at = self._clock()

    def release(self) -> None:
        """A call that never reached the service: neither success nor failure."""
        with self._lock:
            self._trial_running = False

    def reset(self) -> None:
        self.success()


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
    for a failure; a non-retryable one (SAT said our request is invalid) stops at once. The
    breaker counts the whole call as one success or failure."""
    if breaker is not None:
        try:
            breaker.before_call()
        except SatUnavailable as exc:
            exc.service = service
            raise
    last: SatUnavailable | None = None
    for attempt in range(1, policy.attempts + 1):
        if before_attempt is not None:
            try:
                before_attempt()
            except SatUnavailable as exc:
                exc.service, exc.attempts = service, attempt - 1
                if breaker is not None:
                    breaker.release()
                raise
        try:
            result = once()
        except SatUnavailable as exc:
            exc.service, exc.attempts, last = service, attempt, exc
            if not exc.retryable:
                break
            if attempt < policy.attempts:
                sleep(policy.delay(attempt))
            continue
        if breaker is not None:
            breaker.success()
        return result
    assert last is not None
    if breaker is not None:  # a non-retryable answer means the service is up
        breaker.failure() if last.retryable else breaker.success()
    raise last


class SatHttpClient:
    """What every SAT client shares: an httpx client whose connect and read are each bounded by
    the timeout (a hang is cut there), the retry policy, the circuit breaker and the shared rate
    limiter. Subclasses say which URL setting they serve and how they identify themselves."""

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
        limiter=None,
        transport=None,
        sleep=None,
    ):
        import time as _time

        import httpx

        self.url = url
        self.retry = retry or RetryPolicy()
        self.breaker = breaker
        self.limiter = limiter
        self._sleep = sleep or _time.sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            follow_redirects=self.follow_redirects,
            headers={"User-Agent": self.user_agent},
        )

    @classmethod
    def from_settings(cls, settings, *, limiter=None, **kw):
        url = getattr(settings, cls.url_setting)
        breaker = breaker_for(url, settings.sat_breaker_failures, settings.sat_breaker_cooldown_s)
        return cls(
            url,
            timeout_s=settings.sat_timeout_s,
            retry=RetryPolicy(
                attempts=settings.sat_retry_attempts,
                base_delay_s=settings.sat_retry_base_delay_s,
                max_delay_s=8 * settings.sat_retry_base_delay_s,
            ),
            breaker=breaker,
            limiter=limiter,
            **kw,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
