"""No personal identifier leaves the pipeline unmasked in logs or Prefect artifacts."""

from __future__ import annotations

import json
import logging
import re
from datetime import date

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")

RFC = re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b")
CURP = re.compile(r"\b[A-Z][AEIOUX][A-Z]{2}\d{6}[HM][A-Z]{5}[A-Z0-9]\d\b")
CLABE = re.compile(r"\b\d{18}\b")


def leaks(text: str) -> list[str]:
    return RFC.findall(text) + CURP.findall(text) + CLABE.findall(text)


def test_masking_catches_every_pattern():
    from claim_intake.masking import mask_text

    raw = "RFC LOGM850312QH4 CURP LOGM850312MDFPRR09 CLABE 012180001234567897 moral BMS030731PC4"
    assert len(leaks(raw)) == 4
    assert leaks(mask_text(raw)) == []


def test_sample_run_logs_and_artifacts_carry_no_identifiers(home, sample_folios, caplog):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.intake import intake_folio

    caplog.set_level(logging.DEBUG)
    folios = []
    for folio_dir in sample_folios:
        expected = json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())
        folios.append(intake_folio(str(folio_dir), date.fromisoformat(expected["as_of"])).folio)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("claim_intake", "prefect", "flows")))
    assert leaks(logged) == [], "unmasked identifiers in logs"

    keys = ["folio-" + f.lower() for f in folios]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
    assert len({a.key for a in artifacts}) == len(folios)
    published = "\n".join(json.dumps(a.data, ensure_ascii=False) + (a.description or "") for a in artifacts)
    assert leaks(published) == [], "unmasked identifiers in Prefect artifacts"
