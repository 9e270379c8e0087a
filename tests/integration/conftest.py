"""Fixtures of the integration tests: the services they run for real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sat.resilience import reset_breakers
from satsim import SatSimulator


@pytest.fixture
def sim() -> Iterator[SatSimulator]:
    """A SAT simulator (status web service and CSF validation page) on a free port, with the
    process-wide circuit breakers closed before and after, so no test inherits another's outage."""
    reset_breakers()
    with SatSimulator() as simulator:
        yield simulator
    reset_breakers()
