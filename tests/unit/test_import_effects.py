"""No side effect at import (issue 12, item 5): importing the CLI leaves the environment as it
was, importing the CFDI reader leaves satcfdi as shipped. Each check runs in a fresh interpreter,
where nothing else imported or ran them first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFECT_DEFAULTS = ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED", "PREFECT_LOGGING_LEVEL")
SAMPLE_CFDI = ROOT / "samples" / "folios" / "RB-2026-000101" / "76B27345-D033-507E-BB24-54638DAF4992.xml"


def _run(code: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in PREFECT_DEFAULTS}
    env.update(PYTHONPATH=str(ROOT), CLAIM_INTAKE_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_leaves_the_environment_unchanged(tmp_path):
    seen = _run(
        "import json, os; before = dict(os.environ); import claim_intake.cli; "
        "print(json.dumps({'same': dict(os.environ) == before}))",
        tmp_path,
    )
    assert seen == {"same": True}


def test_a_command_still_quiets_prefect_before_it_runs(tmp_path):
    seen = _run(
        "import json, os; from typer.testing import CliRunner; from claim_intake.cli import app; "
        "result = CliRunner().invoke(app, ['history', 'NO-SUCH-FOLIO']); "
        f"print(json.dumps({{'exit': result.exit_code, **{{k: os.environ.get(k) for k in {PREFECT_DEFAULTS!r}}}}}))",
        tmp_path,
    )
    assert seen == {
        "exit": 2,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }


def test_importing_the_cfdi_reader_leaves_satcfdi_unpatched_until_a_cfdi_is_read(tmp_path):
    seen = _run(
        "import json; from pathlib import Path; import satcfdi.catalogs as c; shipped = c.select; "
        "import extractors.cfdi_xml as x; after_import = c.select is shipped; "
        f"data = Path({str(SAMPLE_CFDI)!r}).read_bytes(); "
        "uuid = x.parse_cfdi(data, check_schema=False, check_seal=False).extraction.uuid; "
        "patched = c.select; x.parse_cfdi(data, check_schema=False, check_seal=False); "
        "print(json.dumps({'after_import': after_import, 'read': uuid, "
        "'after_read': c.select is shipped, 'once': c.select is patched}))",
        tmp_path,
    )
    assert seen == {
        "after_import": True,
        "read": "76B27345-D033-507E-BB24-54638DAF4992",
        "after_read": False,
        "once": True,
    }
