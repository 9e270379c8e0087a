"""What operators see in Prefect after a folio run, read back through the Prefect client: the
run's tags (claim type, portal, route), the markdown and table artifacts, and the
`claim-intake.folio.routed` event."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")
FOLIO = "PP-2026-000201"


def test_run_tags_artifacts_and_routed_event(home, sample_folios):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterName,
        FlowRunFilterTags,
    )
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventResourceFilter
    from prefect.types._datetime import now

    from flows.intake import intake_folio

    folio_dir = next(p for p in sample_folios if p.name == FOLIO)
    manifest = json.loads((folio_dir / "folio.json").read_text())
    expected = json.loads((folio_dir.parent / f"{FOLIO}.expected.json").read_text())
    since = now("UTC")
    decision = intake_folio(str(folio_dir), date.fromisoformat(expected["as_of"]))
    tags = [
        f"claim_type:{manifest['claim_type']}",
        f"portal:{manifest.get('portal') or 'none'}",
        f"route:{decision.route.value}",
    ]
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[FOLIO]), tags=FlowRunFilterTags(all_=tags))
        )
        assert runs, f"no flow run of {FOLIO} tagged {tags}"
        run = max(runs, key=lambda r: r.created)
        key = "folio-" + FOLIO.lower()
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key, key + "-report"]))
        )
        assert {a.type for a in artifacts if a.flow_run_id == run.id} == {"table", "markdown"}
        markdown = next(a for a in artifacts if a.flow_run_id == run.id and a.type == "markdown").data
        assert f"`{decision.route.value}`" in markdown and "report.html" in markdown
        event_filter = EventFilter(
            event=EventNameFilter(name=["claim-intake.folio.routed"]),
            resource=EventResourceFilter(id=[f"claim-intake.folio.{FOLIO}"]),
            occurred=EventOccurredFilter(since=since, until=since + timedelta(hours=1)),
        )
        deadline = time.monotonic() + 60  # events reach the server asynchronously
        events = []
        while time.monotonic() < deadline and not events:
            events = client.read_events(filter=event_filter, limit=50).events  # the server caps at 50
            if not events:
                time.sleep(0.5)
    assert events, "no claim-intake.folio.routed event"
    event = events[0]
    assert event.payload["route"] == decision.route.value and event.payload["codes"] == decision.codes()
    assert event.payload["claim_type"] == manifest["claim_type"]
    assert any(r.id == f"prefect.flow-run.{run.id}" for r in event.related)
