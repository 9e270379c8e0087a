"""sat.resilience on tenacity (retries) and pybreaker (breaker): the envelope of the backoff, what
counts against the breaker, and the state the sweep reads (issue 12: libraries, not hand-written)."""

from __future__ import annotations

import pytest

from sat.resilience import (
    CIRCUIT_OPEN,
    INVALID_REQUEST,
    RATE_LIMITED,
    TIMEOUT,
    CircuitBreaker,
    RetryPolicy,
    SatUnavailable,
    call_with_retries,
)


def failing(kind: str, retryable: bool = True):
    def once():
        raise SatUnavailable(kind, "down", retryable=retryable)

    return once


def test_backoff_waits_between_half_and_all_of_the_capped_doubling():
    slept: list[float] = []
    policy = RetryPolicy(attempts=5, base_delay_s=1.0, max_delay_s=3.0)
    with pytest.raises(SatUnavailable) as err:
        call_with_retries(failing(TIMEOUT), service="s", policy=policy, sleep=slept.append)
    assert err.value.attempts == 5 and err.value.service == "s"
    assert len(slept) == 4
    for wait, full in zip(slept, (1.0, 2.0, 3.0, 3.0), strict=True):
        assert full / 2 <= wait <= full


def test_a_refused_request_is_not_retried():
    slept: list[float] = []
    with pytest.raises(SatUnavailable) as err:
        call_with_retries(
            failing(INVALID_REQUEST, retryable=False), service="s", policy=RetryPolicy(), sleep=slept.append
        )
    assert err.value.attempts == 1 and slept == []


def test_only_outages_count_against_the_breaker():
    clock = [0.0]
    breaker = CircuitBreaker(failures=2, cooldown_s=10, clock=lambda: clock[0])
    once = RetryPolicy(attempts=1)
    for _ in range(3):  # SAT answering "invalid request" or no rate-limit slot: SAT is not down
        for refusal in (failing(INVALID_REQUEST, retryable=False), failing(RATE_LIMITED, retryable=False)):
            with pytest.raises(SatUnavailable):
                call_with_retries(refusal, service="s", policy=once, breaker=breaker)
    with pytest.raises(ValueError):  # a bug in our code is not an outage either
        call_with_retries(lambda: int("x"), service="s", policy=once, breaker=breaker)
    assert breaker.state == "closed"
    for _ in range(2):
        with pytest.raises(SatUnavailable) as err:
            call_with_retries(failing(TIMEOUT), service="s", policy=once, breaker=breaker)
        assert err.value.kind == TIMEOUT  # the call that trips it reports its own failure
    assert breaker.state == "open"


def test_the_breaker_is_half_open_after_the_cooldown_without_a_call():
    """The sweep defers while a breaker is "open": after the cool-down it must not read "open",
    or no trial call would ever be made."""
    clock = [100.0]
    breaker = CircuitBreaker(failures=1, cooldown_s=30, clock=lambda: clock[0])
    with pytest.raises(SatUnavailable):
        call_with_retries(failing(TIMEOUT), service="s", policy=RetryPolicy(attempts=1), breaker=breaker)
    clock[0] = 110.0
    with pytest.raises(SatUnavailable) as err:
        call_with_retries(lambda: "never called", service="s", policy=RetryPolicy(attempts=1), breaker=breaker)
    assert err.value.kind == CIRCUIT_OPEN and err.value.attempts == 0
    assert "after 1 consecutive failures; next trial in 20 s" in err.value.detail
    assert breaker.state == "open"
    clock[0] = 130.0
    assert breaker.state == "half_open"
    with pytest.raises(SatUnavailable):  # the trial fails: open again for a whole cool-down
        call_with_retries(failing(TIMEOUT), service="s", policy=RetryPolicy(attempts=1), breaker=breaker)
    assert breaker.state == "open"
    clock[0] = 161.0
    assert call_with_retries(lambda: "ok", service="s", policy=RetryPolicy(attempts=1), breaker=breaker) == "ok"
    assert breaker.state == "closed"
