"""The API's dispatcher (api/trigger.py): batches by a window under a trickle, and batches that
grow while its runs still wait for a worker, so a burst or a sustained load pays a flow run's
start-up once per many folios. The runner and the run states are stand-ins (this is a unit test
of one class); the deployed path is measured end to end by bench/throughput.py."""

from __future__ import annotations

import threading
import time

from api.trigger import Dispatcher, Job


class FakeRuns:
    """Starts 'runs' that stay waiting until the test lets them start."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.waiting: set[str] = set()
        self.lock = threading.Lock()

    def run(self, batch: list[Job]) -> str:
        with self.lock:
            run_id = f"run-{len(self.batches)}"
            self.batches.append([j.folio for j in batch])
            self.waiting.add(run_id)
            return run_id

    def not_started(self, ids: list[str]) -> set[str]:
        with self.lock:
            return {i for i in ids if i in self.waiting}


def _wait_for(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_trickle_goes_out_one_window_at_a_time():
    runs = FakeRuns()
    dispatcher = Dispatcher(runs.run, window_s=0.1, batch_max=200, not_started=runs.not_started)
    dispatcher.submit(Job("F-1", 1))
    _wait_for(lambda: len(runs.batches) == 1)
    runs.waiting.clear()  # the first run started
    dispatcher.submit(Job("F-2", 1))
    _wait_for(lambda: len(runs.batches) == 2)
    dispatcher.close()
    assert runs.batches == [["F-1"], ["F-2"]]


def test_while_a_run_waits_for_a_worker_the_next_batch_grows_and_goes_when_it_starts():
    runs = FakeRuns()
    dispatcher = Dispatcher(runs.run, window_s=0.1, batch_max=200, not_started=runs.not_started, max_waiting=1)
    dispatcher.submit(Job("F-0", 1))
    _wait_for(lambda: len(runs.batches) == 1)
    for n in range(1, 51):  # arrive over ~1 s, ten windows' worth, while run-0 waits
        dispatcher.submit(Job(f"F-{n}", 1))
        time.sleep(0.02)
    time.sleep(0.3)
    assert len(runs.batches) == 1, "no second run while the first still waits"
    with runs.lock:
        runs.waiting.discard("run-0")  # a worker took it
    _wait_for(lambda: len(runs.batches) == 2)
    dispatcher.close()
    assert runs.batches[1] == [f"F-{n}" for n in range(1, 51)]


def test_a_full_batch_goes_even_while_runs_wait():
    runs = FakeRuns()
    dispatcher = Dispatcher(runs.run, window_s=0.05, batch_max=10, not_started=runs.not_started)
    for n in range(35):
        dispatcher.submit(Job(f"F-{n}", 1))
    _wait_for(lambda: sum(len(b) for b in runs.batches) >= 30)
    assert all(len(b) <= 10 for b in runs.batches)
    with runs.lock:
        runs.waiting.clear()
    _wait_for(lambda: sum(len(b) for b in runs.batches) == 35)
    dispatcher.close()


def test_when_run_states_cannot_be_read_batches_go_as_without_the_check():
    runs = FakeRuns()

    def broken(ids: list[str]) -> set[str]:
        raise ConnectionError("Prefect unreachable")

    dispatcher = Dispatcher(runs.run, window_s=0.05, batch_max=200, not_started=broken)
    dispatcher.submit(Job("F-1", 1))
    _wait_for(lambda: len(runs.batches) == 1)
    dispatcher.submit(Job("F-2", 1))
    _wait_for(lambda: len(runs.batches) == 2)
    dispatcher.close()
