"""What happens to an accepted upload: a flow run, gathered into small batches.

Run model (docs/deploy.md has the numbers): a Prefect process worker pays ~6 s to start each
flow run (a fresh Python that imports Prefect and the pipeline), while one digital folio needs
well under a second of work. So the API does not start one run per upload: a dispatcher thread
gathers the folios accepted within `api_batch_window_s` (or until `api_batch_max`) and starts ONE
run of the `intake-batch` deployment for them, with an idempotency key made of the folios and
their upload numbers, so a dispatcher retry never starts the same batch twice. Under a trickle a
batch is one folio (latency = window + start-up); under a burst the start-up is shared.

With no deployment configured (`CLAIM_INTAKE_API_DEPLOYMENT` unset: the embedded default) the
same dispatcher runs the flow in-process in its own thread, one batch at a time."""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
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
    def __init__(self, run_batch, window_s: float = 1.0, batch_max: int = 20, on_started=None):
        self._run_batch = run_batch  # (list[Job]) -> flow run id or None
        self._on_started = on_started or (lambda jobs, run_id: None)
        self.window_s, self.batch_max = window_s, batch_max
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
            batch, deadline, stop = [first], time.monotonic() + self.window_s, False
            while len(batch) < self.batch_max:
                try:
                    job = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._dispatch(batch)
            if stop:
                return

    def _dispatch(self, batch: list[Job]) -> None:
        for attempt in range(5):
            try:
                run_id = self._run_batch(batch)
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


def deployment_runner(deployment_name: str):
    """Start runs of a Prefect deployment through its REST API (Prefect OSS has no inbound
    webhooks): the `intake-batch` deployment, whose flow takes the batch's folio ids, gets the
    whole batch in one run."""
    from prefect.client.orchestration import get_client  # Prefect's client only when the API uses deployments

    def run(batch: list[Job]) -> str | None:
        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(deployment_name)
            props = (deployment.parameter_openapi_schema or {}).get("properties", {})
            if "folios" not in props:
                raise ConfigError(
                    f"deployment {deployment_name!r} does not take 'folios' (folio ids): "
                    "the intake API hands workers intake-batch runs"
                )
            return str(
                client.create_flow_run_from_deployment(
                    deployment.id, parameters={"folios": [j.folio for j in batch]}, idempotency_key=batch_key(batch)
                ).id
            )

    return run


def in_process_runner():
    """The embedded default: run the batch flow right here, in the dispatcher thread."""

    def run(batch: list[Job]) -> None:
        from flows.intake import intake_batch  # the flows (and Prefect) load with the first batch, not with the app

        intake_batch([j.folio for j in batch])
        return None

    return run
