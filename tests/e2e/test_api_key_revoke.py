"""`claim-intake api-key revoke`: the key stops working; an unknown key is exit 2."""

from __future__ import annotations

from typer.testing import CliRunner

from api.keys import create_key, portal_of
from claim_intake.cli import app
from domain.config import Settings
from storage import open_storage


def test_a_revoked_key_no_longer_names_its_portal(home):
    engine = open_storage(Settings()).state.engine
    kept, revoked = create_key(engine, "online-services"), create_key(engine, "online-services")
    by_id = create_key(engine, "broker")

    runner = CliRunner()
    assert runner.invoke(app, ["api-key", "revoke", revoked]).exit_code == 0
    assert runner.invoke(app, ["api-key", "revoke", by_id[4:20]]).exit_code == 0
    assert portal_of(engine, revoked) is None and portal_of(engine, by_id) is None
    assert portal_of(engine, kept) == "online-services"
    again = runner.invoke(app, ["api-key", "revoke", revoked])
    assert again.exit_code == 2
    assert runner.invoke(app, ["api-key", "revoke", "not-a-key"]).exit_code == 2
