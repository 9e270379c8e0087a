"""What Prefect says of some flow runs: the API's dispatcher asks which of its runs still wait
for a worker (api/trigger.py), the recovery which runs are still alive (flows/recover.py)."""

from __future__ import annotations

from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId


def state_types(run_ids: list[str]) -> dict[str, str | None]:
    """run id -> its state type ("SCHEDULED", "RUNNING", "CRASHED", ...; None without a state),
    for each of `run_ids` Prefect knows, in one request; a run it no longer knows is absent."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(r) for r in run_ids])), limit=len(run_ids)
        )
    return {str(r.id): (r.state_type.value if r.state_type is not None else None) for r in runs}
