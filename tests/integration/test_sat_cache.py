"""The per-UUID status cache and the rate limiter shared through the state database."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from sat.checks import SatServices
from sat.csf_check import CsfCheckClient
from sat.ratelimit import DbRateLimiter
from sat.resilience import RetryPolicy, SatUnavailable
from sat.status import StatusClient
from storage.engine import make_engine
from storage.sat_cache import SatStatusCache

UUID = "76B27345-D033-507E-BB24-54638DAF4992"
CFDI = SimpleNamespace(
    uuid=UUID, issuer_rfc="AAA010101AAA", receiver_rfc="LOGM850312AB1", total=Decimal("1500.00"), seal_tail="12345678"
)
FAST = RetryPolicy(attempts=2, base_delay_s=0.01)


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'state.sqlite'}")


def services(sim, engine, max_age=timedelta(hours=24)) -> SatServices:
    return SatServices(
        status=StatusClient(sim.status_url, timeout_s=0.5, retry=FAST),
        csf=CsfCheckClient(sim.csf_url, timeout_s=0.5, retry=FAST),
        cache=SatStatusCache(engine, max_age),
    )


def test_n_lookups_inside_the_window_make_one_sat_call(sim, engine):
    sim.add_cfdi(UUID, "Vigente")
    svc = services(sim, engine)
    answers = [svc.cfdi_status(CFDI) for _ in range(10)]
    assert sim.count("status") == 1
    assert [a.from_cache for a in answers] == [False] + [True] * 9
    assert all(a.estado == "Vigente" and "SIMULATOR" in a.raw_xml for a in answers)


def test_vigente_is_asked_again_after_its_age_and_for_adjudication_on_another_day(sim, engine):
    sim.add_cfdi(UUID, "Vigente")
    svc = services(sim, engine, max_age=timedelta(hours=24))
    svc.cfdi_status(CFDI)
    now = datetime.now(UTC)
    assert svc.cache.get(UUID, now=now + timedelta(hours=23)) is not None
    assert svc.cache.get(UUID, now=now + timedelta(hours=25)) is None
    assert svc.cache.get(UUID, now=now, adjudication_today=True) is not None  # obtained today
    assert svc.cache.get(UUID, now=now + timedelta(days=1), adjudication_today=True) is None
    sim.cfdi[UUID].estado = "Cancelado"
    assert svc.cfdi_status(CFDI, now=now + timedelta(hours=25)).estado == "Cancelado"
    assert sim.count("status") == 2


def test_cancelado_is_final(sim, engine):
    sim.add_cfdi(UUID, "Cancelado")
    svc = services(sim, engine, max_age=timedelta(0))
    svc.cfdi_status(CFDI)
    later = datetime.now(UTC) + timedelta(days=400)
    assert svc.cfdi_status(CFDI, now=later, adjudication_today=True).estado == "Cancelado"
    assert sim.count("status") == 1


def test_failures_are_never_cached(sim, engine):
    sim.add_cfdi(UUID, "Vigente")
    sim.set_fault("503")
    svc = services(sim, engine)
    with pytest.raises(SatUnavailable):
        svc.cfdi_status(CFDI)
    assert svc.cache.get(UUID) is None
    with pytest.raises(TypeError):
        svc.cache.put({"estado": "Vigente"})
    sim.set_fault(None)
    assert svc.cfdi_status(CFDI).from_cache is False


def test_the_rate_limit_holds_under_8_concurrent_callers(sim, engine):
    rate, burst, per_thread = 40.0, 2, 5
    limiter = DbRateLimiter(engine, "sat_status", rate, burst)
    sim.add_cfdi(UUID, "Vigente")
    errors = []

    def worker():
        c = StatusClient(sim.status_url, timeout_s=2, retry=FAST, limiter=limiter)
        try:
            for _ in range(per_thread):
                c.consult_cfdi(CFDI)
        except Exception as exc:  # noqa: BLE001 - collected: the test asserts that no thread failed
            errors.append(exc)
        finally:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    times = sorted(c.at for c in sim.calls)
    assert len(times) == 40
    # GCRA: n calls need at least (n - burst) / rate seconds; the server saw them that spread out
    assert times[-1] - started >= (40 - burst) / rate * 0.9
    for i in range(len(times)):
        in_window = sum(1 for t in times[i:] if t - times[i] < 0.5)
        assert in_window <= 0.5 * rate + burst + 1


def test_a_refused_caller_is_told_how_long_to_wait(engine):
    limiter = DbRateLimiter(engine, "x", rate_per_s=1, burst=1)
    assert limiter.try_acquire() == 0.0
    wait = limiter.try_acquire()
    assert 0.5 < wait <= 1.0
    cheap = DbRateLimiter(engine, "cost", rate_per_s=1e6, burst=1000)
    started = time.perf_counter()
    for _ in range(50):
        assert cheap.try_acquire() == 0.0
    assert (time.perf_counter() - started) / 50 < 0.02  # milliseconds per call, not seconds
