"""The `recover-undecided` flow: finish the folios a crashed intake run left without a decision.

Started by the automation `claim-intake: recover after an intake run crashed`
(flows/automations.py) each time a run of `intake-batch` or `intake-folio` enters CRASHED, be it
because its worker noticed the flow-run process die or because its heartbeats stopped (a dead
machine). A placeholder for now: it only logs; the recovery itself is written next to the intake
use cases. Its name and signature (no parameters) are what the automation and prefect.yaml use."""

from __future__ import annotations

from prefect import flow, get_run_logger


@flow(name="recover-undecided", log_prints=False, persist_result=False)
def recover_undecided() -> None:
    """Re-run what a crashed intake run left undecided (not written yet: logs and returns)."""
    get_run_logger().info("nothing to recover yet")
