"""No personal identifier leaves the pipeline unmasked in logs or Prefect artifacts."""

from __future__ import annotations

import json
import logging
import re
from datetime import date

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Not \b: "_" is a word character, and file names join identifiers to words with it.
RFC = re.compile(r"(?<![A-Z0-9Ñ&])[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}(?![A-Z0-9])", re.IGNORECASE)
CURP = re.compile(r"(?<![A-Z0-9])[A-Z][AEIOUX][A-Z]{2}\d{6}[HM][A-Z]{5}[A-Z0-9]\d(?![A-Z0-9])", re.IGNORECASE)
CLABE = re.compile(r"(?<!\d)\d{18}(?!\d)")


def leaks(text: str) -> list[str]:
    return RFC.findall(text) + CURP.findall(text) + CLABE.findall(text)


def test_masking_catches_every_pattern():
    from domain.masking import mask_text

    raw = "RFC LOGM850312QH4 CURP LOGM850312MDFPRR09 CLABE 012180001234567897 moral BMS030731PC4"
    assert len(leaks(raw)) == 4
    assert leaks(mask_text(raw)) == []


@pytest.mark.parametrize(
    "name",
    [
        "LOGM850312QH5_csf.pdf",
        "csf-LOGM850312QH5.pdf",
        "csf_logm850312qh5.pdf",
        "012180001234567897.pdf",
        "clabe_012180001234567897_mayo.pdf",
        "LOGM850312MDFPRR09_curp.jpg",
        "BMS030731PC4-factura.xml",
    ],
)
def test_identifiers_inside_file_names_are_masked(name):
    from domain.masking import mask_text

    assert len(leaks(name)) == 1
    masked = mask_text(name)
    assert leaks(masked) == [] and masked.endswith(name[-4:])
    assert "850312" not in masked and "030731" not in masked and "0121800012" not in masked


def test_sample_run_logs_and_artifacts_carry_no_identifiers(home, sample_folios, caplog):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.intake import intake_folio

    caplog.set_level(logging.DEBUG)
    folios = []
    for folio_dir in sample_folios:
        expected = json.loads((folio_dir.parent / f"{folio_dir.name}.expected.json").read_text())
        folios.append(intake_folio(str(folio_dir), date.fromisoformat(expected["as_of"])).folio)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("claim_intake", "prefect", "flows"))
    )
    assert leaks(logged) == [], "unmasked identifiers in logs"

    keys = ["folio-" + f.lower() for f in folios]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
    assert len({a.key for a in artifacts}) == len(folios)
    published = "\n".join(json.dumps(a.data, ensure_ascii=False) + (a.description or "") for a in artifacts)
    assert leaks(published) == [], "unmasked identifiers in Prefect artifacts"


def _folio_named_after_identifiers(source, target, rename: dict[str, str], extra_dir: str | None = None):
    """A copy of a sample folio whose files are named as claimants name them: after their RFC
    or CLABE."""
    import shutil

    shutil.copytree(source, target)
    for old, new in rename.items():
        (target / old).rename(target / new)
    if extra_dir:  # not a regular file: the pipeline logs that it skips it, by name
        (target / extra_dir).mkdir()
    return target


def test_files_named_after_identifiers_are_masked_for_operators(tmp_path, sample_folios, monkeypatch):
    """stderr, the routing table, report.html, the notice, the Prefect artifacts and the routed
    event show the file names masked; the JSON decision (the contract's documents[].file) keeps
    them."""
    import time
    from datetime import timedelta

    from cli_runner import cli
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.events.filters import EventFilter, EventOccurredFilter, EventResourceFilter
    from prefect.settings import PREFECT_API_URL
    from prefect.types._datetime import now

    by_name = {p.name: p for p in sample_folios}
    manifest = json.loads((by_name["AC-2026-000402"] / "folio.json").read_text())
    rfc, clabe = manifest["holder"]["rfc"], manifest["bank"]["clabe"]
    bank = _folio_named_after_identifiers(
        by_name["AC-2026-000402"], tmp_path / "AC-2026-000402", {"estado_cuenta.pdf": f"{clabe}_estado_cuenta.pdf"}
    )
    csf = _folio_named_after_identifiers(
        by_name["DF-2026-000302"],
        tmp_path / "DF-2026-000302",
        {"constancia.pdf": f"{rfc}_constancia.pdf"},
        extra_dir=f"{rfc}_anexos",
    )
    since = now("UTC")
    home = tmp_path / "home"
    monkeypatch.setenv("COLUMNS", "250")  # the routing table on one line per folio
    result = cli("process", str(bank), str(csf), "--as-of", "2026-11-20", home=home, api_url=PREFECT_API_URL.value())
    assert result.returncode == 0, result.stderr
    assert f"{rfc[:4]}******{rfc[-3:]}_anexos" in result.stderr  # the skipped directory was logged, masked
    assert "*" * 14 + clabe[-4:] + "_estado_cuenta.pdf" in result.stdout  # its BANK-002 reason, masked
    for shown, where in ((result.stderr, "stderr"), (result.stdout, "the routing table")):
        assert leaks(shown) == [], f"unmasked identifiers in {where}"
        assert rfc not in shown and clabe not in shown

    for folio, named in (("AC-2026-000402", f"{clabe}_estado_cuenta.pdf"), ("DF-2026-000302", f"{rfc}_constancia.pdf")):
        report = (home / "reports" / folio / "report.html").read_text(encoding="utf-8")
        assert leaks(report) == [], f"unmasked identifiers in {folio}'s report.html"
        notices = sorted((home / "reports" / folio).glob("notice-*"))  # to the provider, in pago_proveedor
        assert notices, f"{folio} is pending documents: it has a notice"
        for notice in notices:
            assert leaks(notice.read_text(encoding="utf-8")) == [], f"unmasked identifiers in {notice.name}"
        decision = json.loads((home / "reports" / folio / "decision-001.json").read_text(encoding="utf-8"))
        assert named in [d["file"] for d in decision["documents"]]  # the contract keeps the name as sent

    from domain.config import Settings
    from reports.render import write_period_report
    from storage import open_storage

    today = date.today()
    period = write_period_report(
        open_storage(Settings(home=home)).state.engine,
        today - timedelta(days=1),
        today + timedelta(days=1),
        tmp_path / "period",
    )
    for path in period.values():
        assert leaks(path.read_text(encoding="utf-8")) == [], f"unmasked identifiers in {path.name}"

    keys = [
        "folio-ac-2026-000402",
        "folio-ac-2026-000402-report",
        "folio-df-2026-000302",
        "folio-df-2026-000302-report",
    ]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
        event_filter = EventFilter(
            occurred=EventOccurredFilter(since=since, until=since + timedelta(hours=1)),
            resource=EventResourceFilter(id_prefix=["claim-intake.folio."]),
        )
        deadline, events = time.monotonic() + 60, []  # events reach the server asynchronously
        while time.monotonic() < deadline and len(events) < 2:
            events = client.read_events(filter=event_filter, limit=50).events
            time.sleep(0.5)
    assert {a.key for a in artifacts} == set(keys)
    published = "\n".join(json.dumps(a.data, ensure_ascii=False) + (a.description or "") for a in artifacts)
    assert "*" * 14 + clabe[-4:] + "_estado_cuenta.pdf" in published
    assert leaks(published) == [], "unmasked identifiers in Prefect artifacts"
    assert len(events) >= 2
    emitted = "\n".join(e.model_dump_json() for e in events)
    assert leaks(emitted) == [], "unmasked identifiers in the routed events"
