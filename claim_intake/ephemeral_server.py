"""Prefect's ephemeral API server, started by the command itself and tied to it.

Only for `CLAIM_INTAKE_PREFECT_SERVER=ephemeral` (claim_intake/local_server.py keeps a server per
home otherwise): a kill -9 of the command must not leave uvicorn running (processes/children.py
says how children are tied)."""

from __future__ import annotations

import subprocess
from functools import lru_cache
from typing import Any

from prefect.server.api import server as prefect_server
from prefect.settings import get_current_settings

from processes.children import popen_tie


def start_prefect_server() -> None:
    """Start Prefect's ephemeral API server now, from the calling (main) thread, tied to it, if
    this command is going to need one (no PREFECT_API_URL; ephemeral mode allowed).

    Prefect starts it lazily from whichever thread first needs the API (the events worker is a
    thread of its own) and with a plain Popen, so a kill -9 of the command left uvicorn running.
    Prefect's SubprocessASGIServer is a per-port singleton that builds the uvicorn command
    itself: registering a subclass instance as that singleton keeps Prefect's command, settings
    and shutdown, and only adds the tie to the one Popen call of `_run_uvicorn_command`."""
    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        return
    _tied_server_class()().start()


@lru_cache(maxsize=1)
def _tied_server_class():
    class _TiedPopen:
        """What `_run_uvicorn_command` sees as the `subprocess` module during the one call: the
        real module, except that Popen ties the child to this thread."""

        def __getattr__(self, name):
            return getattr(subprocess, name)

        @staticmethod
        def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:  # noqa: N802 - the name Prefect calls
            return subprocess.Popen(*args, **{**kwargs, **popen_tie()})

    class TiedSubprocessASGIServer(prefect_server.SubprocessASGIServer):
        def _run_uvicorn_command(self):
            held, prefect_server.subprocess = prefect_server.subprocess, _TiedPopen()  # type: ignore[assignment] # stands in for the module
            try:
                return super()._run_uvicorn_command()
            finally:
                prefect_server.subprocess = held

    return TiedSubprocessASGIServer
