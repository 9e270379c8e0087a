"""What happens to an accepted upload: a flow run, gathered into batches that grow with the load.

Run model (docs/deploy.md has the numbers): a Prefect process worker starts each flow run as a
fresh Python that imports Prefect and the pipeline and starts its reader pool, ~5 s of CPU,
while one digital folio needs ~30 ms of work. So the API does not start one run per upload: a
dispatcher thread gathers the folios accepted within `api_batch_window_s` and starts ONE run of
the `intake-batch` deployment for them, with an idempotency key made of the folios and their
upload numbers, so a dispatcher retry never starts the same batch twice.

Batches grow with the load: while `api_max_waiting_runs` of this dispatcher's runs still wait
for a worker slot (SCHEDULED in Prefect: no worker has taken them yet), it keeps gathering into
the next batch, up to `api_batch_max` folios, instead of
starting yet another run that would wait too. Under a trickle a batch is one folio (latency =
window + start-up); under a burst or a sustained load the start-up is paid once per hundreds of
folios (bench/throughput.py measured the difference).

With no deployment configured (`CLAIM_INTAKE_API_DEPLOYMENT` unset: the embedded default) the
same dispatcher runs the flow in-process in its own thread, one batch at a time."""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from domain.errors import ConfigError

log = logging.getLogger("claim_intake.api")


@dataclass(frozen=True)
class Job:
    """A folio reference, not a path: the worker reads what was accepted from the database and
    the blob store (application.intake.take_in_accepted)."""

    folio: str
    upload: int  # n-th accepted upload of this folio


class Dispatcher:
    """`run_batch(jobs)` starts a run and returns its id (None: ran it in-process).
    `not_started(ids)`, when given, answers which of those runs still wait for a worker."""

    def __init__(
        self,
        run_batch,
        window_s: float = 1.0,
        batch_max: int = 200,
        on_started=None,
        not_started: Callable[[list[str]], set[str]] | None = None,
        max_waiting: int = 1,
    ):
        self._run_batch = run_batch  # (list[Job]) -> flow run id or None
        self._on_started = on_started or (lambda jobs, run_id: None)
        self._not_started, self.max_waiting = not_started, max_waiting
        self.window_s, self.batch_max = window_s, batch_max
        self._waiting: list[str] = []  # runs this dispatcher started that had not started running when last asked
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="intake-dispatcher", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._queue.put(job)

    def close(self, timeout: float = 30) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            deadline = time.monotonic() + self.window_s
            while len(batch) < self.batch_max and not stop:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    if not self._backlogged():
                        break
                    wait = 0.5  # runs still wait for a worker: gather on, asking again in a moment
                    deadline = time.monotonic() + wait
                try:
                    job = self._queue.get(timeout=wait)
                except queue.Empty:
                    continue
                if job is None:
                    stop = True
                else:
                    batch.append(job)
            self._dispatch(batch)
            if stop:
                return

    def _backlogged(self) -> bool:
        """Whether `max_waiting` of this dispatcher's runs still wait for a worker. Asking
        Prefect fails open: a dispatcher that cannot tell starts the run (as without the check)."""
        if self._not_started is None or len(self._waiting) < self.max_waiting:
            return False
        try:
            still = self._not_started(self._waiting)
        except Exception as exc:  # noqa: BLE001 - only an optimisation: never hold folios back on it
            log.warning("could not read the state of %d run(s): %s", len(self._waiting), type(exc).__name__)
            return False
        self._waiting = [r for r in self._waiting if r in still]
        return len(self._waiting) >= self.max_waiting

    def _dispatch(self, batch: list[Job]) -> None:
        for attempt in range(5):
            try:
                run_id = self._run_batch(batch)
                if run_id is not None:
                    self._waiting.append(run_id)
                self._on_started(batch, run_id)
                return
            except Exception as exc:  # noqa: BLE001 - the Prefect API may be briefly unavailable: retry, same key
                log.warning(
                    "starting a run for %d folio(s) failed (attempt %d): %s",
                    len(batch),
                    attempt + 1,
                    type(exc).__name__,
                )
                time.sleep(min(8, 0.5 * 2**attempt))
        log.error("gave up starting a run for folios %s", [j.folio for j in batch])


def batch_key(batch: list[Job]) -> str:
    return hashlib.sha256(
        "|".join(f"{j.folio}#{j.upload}" for j in sorted(batch, key=lambda j: j.folio)).encode()
    ).hexdigest()


# Not PENDING: a worker took it and its process is starting, in parallel with the next one's
# (holding the next batch until the first runs doubled the time to route a burst of 200).
_NOT_STARTED = ("SCHEDULED",)


class DeploymentRunner:
    """Starts runs of a Prefect deployment through its REST API (Prefect OSS has no inbound
    webhooks): the `intake-batch` deployment, whose flow takes the batch's folio ids, gets the
    whole batch in one run. Also tells which of its runs still wait for a worker."""

    def __init__(self, deployment_name: str) -> None:
        self.deployment_name = deployment_name

    def __call__(self, batch: list[Job]) -> str | None:
        from prefect.client.orchestration import get_client  # Prefect's client only when the API uses deployments

        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(self.deployment_name)
            props = (deployment.parameter_openapi_schema or {}).get("properties", {})
            if "folios" not in props:
                raise ConfigError(
                    f"deployment {self.deployment_name!r} does not take 'folios' (folio ids): "
                    "the intake API hands workers intake-batch runs"
                )
            return str(
                client.create_flow_run_from_deployment(
                    deployment.id, parameters={"folios": [j.folio for j in batch]}, idempotency_key=batch_key(batch)
                ).id
            )

    def not_started(self, run_ids: list[str]) -> set[str]:
        """Those of `run_ids` still SCHEDULED: no worker has taken them yet."""
        from flows.run_states import state_types  # Prefect's client only when the API uses deployments

        return {run for run, state in state_types(run_ids).items() if state in _NOT_STARTED}


def deployment_runner(deployment_name: str) -> DeploymentRunner:
    return DeploymentRunner(deployment_name)


def in_process_runner():
    """The embedded default: run the batch flow right here, in the dispatcher thread."""

    def run(batch: list[Job]) -> None:
        from flows.intake import BatchIncomplete, intake_batch  # the flows (and Prefect) load with the first batch

        try:
            intake_batch([j.folio for j in batch])
        except BatchIncomplete as exc:  # logged per folio; not a failure to start the run: no retry here
            log.error("a batch ended incomplete: %s", exc)
        return None

    return run
