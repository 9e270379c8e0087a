"""Fixtures of the end-to-end tests: the CLI and the API as operators and portals use them."""

from __future__ import annotations

import pytest
from prefect.settings import PREFECT_API_URL


@pytest.fixture(scope="module")
def api_url(prefect_harness) -> str:
    """The session's Prefect server, so each CLI process skips starting an ephemeral one."""
    return PREFECT_API_URL.value()
