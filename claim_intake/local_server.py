"""The command line's own Prefect server: started once under CLAIM_INTAKE_HOME, reused by every
later command, stopped by `claim-intake server stop`.

Why: without PREFECT_API_URL, Prefect starts a temporary server inside every command (a uvicorn
process, its database migrations, ~4-14 s of wall time on this machine) and throws it away,
runs and all. One server per home costs that once, keeps every folio's flow run visible in the
Prefect UI at its URL, and lets a later command start in the time of its imports.

Layout, under `<home>/prefect-server/`:
  server.json   pid, URL, start time, the process's start tick and the boot id (a pid file that
                survives a reboot, or a pid reused by another process, is recognised as stale)
  server.log    the server's stdout and stderr
  prefect/      its PREFECT_HOME: SQLite database, UI build
  lock          flock'd while a command checks or starts the server, so concurrent first
                commands start one server, not two

The server is the one process a command leaves behind, on purpose: it is started detached (its
own session, stdin closed, output to server.log), with a minimal environment (nothing meant for
the command's own children, such as markers or reader settings, reaches it), bound to 127.0.0.1
on a free port. An operator who set PREFECT_API_URL never gets one (claim_intake.cli decides)."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from domain.errors import ServiceError

STARTUP_TIMEOUT_S = float(os.environ.get("CLAIM_INTAKE_PREFECT_SERVER_TIMEOUT", "180"))
_KEPT_ENVIRONMENT = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")


class ServerError(ServiceError, RuntimeError):
    """The local Prefect server could not be started; the message says why and where its log is."""


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    port: int
    url: str  # the API URL, what PREFECT_API_URL takes
    started_at: float  # epoch seconds
    start_ticks: int  # /proc/<pid>/stat field 22: tells this process from a later one with the same pid
    boot_id: str

    @property
    def ui_url(self) -> str:
        return self.url.removesuffix("/api")

    def uptime_s(self) -> float:
        return max(0.0, time.time() - self.started_at)


def server_dir(home: Path) -> Path:
    return Path(home).resolve() / "prefect-server"


def status(home: Path) -> ServerInfo | None:
    """The running server of this home, or None (never started, stopped, or stale after a reboot)."""
    info = _read_info(server_dir(home))
    return info if info is not None and _alive(info) else None


def ensure_running(home: Path) -> ServerInfo:
    """This home's server, started now if it is not running; under the lock, so that two
    commands starting at once share one server."""
    directory = server_dir(home)
    with _locked(directory):
        info = _read_info(directory)
        if info is not None and _alive(info) and _healthy(info.url, timeout=5):
            return info
        if info is not None and _alive(info):  # alive but not answering: a hung server, replace it
            _terminate(info)
        return _start(directory)


def stop(home: Path, timeout: float = 20) -> ServerInfo | None:
    """Stop this home's server (its whole session); the one that was running, or None."""
    directory = server_dir(home)
    with _locked(directory):
        info = _read_info(directory)
        running = info if info is not None and _alive(info) else None
        if running is not None:
            _terminate(running, timeout)
        (directory / "server.json").unlink(missing_ok=True)
        return running


# ------------------------------------------------------------------------------ internals


@contextmanager
def _locked(directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_info(directory: Path) -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads((directory / "server.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:  # pragma: no cover - not Linux
        return ""


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start tick) of a process, or None if there is none with that pid."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) ": comm may hold spaces
    return fields[0], int(fields[19])


def _alive(info: ServerInfo) -> bool:
    """The process recorded is still running: same boot, same pid, same start tick, not a zombie."""
    if info.boot_id != _boot_id():
        return False
    found = _proc_stat(info.pid)
    return found is not None and found[0] not in ("Z", "X") and found[1] == info.start_ticks


def _healthy(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_environment(directory: Path, port: int) -> dict[str, str]:
    """Only what a Prefect server needs: none of the command's own variables (a marker meant for
    the command's children, PYTHONPATH, CLAIM_INTAKE_*, another PREFECT_* profile)."""
    env = {k: os.environ[k] for k in _KEPT_ENVIRONMENT if k in os.environ}
    env.update(
        {
            "PREFECT_HOME": str(directory / "prefect"),
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
    )
    return env


def _server_command(port: int) -> list[str]:
    """Prefect's own API + UI app under uvicorn, as `prefect server start` serves it, without
    importing Prefect's CLI here (that would cost this command seconds)."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise ServerError("prefect is not installed in this environment")
    prefect_dir = Path(spec.origin).parent
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(prefect_dir.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--lifespan",
        "on",
    ]


def _start(directory: Path) -> ServerInfo:
    (directory / "prefect").mkdir(parents=True, exist_ok=True)
    port = _free_port()
    with open(directory / "server.log", "ab") as log, open(os.devnull, "rb") as devnull:
        process = subprocess.Popen(
            _server_command(port),
            cwd=directory,
            env=_server_environment(directory, port),
            stdin=devnull,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    stat = _proc_stat(process.pid)
    info = ServerInfo(
        pid=process.pid,
        port=port,
        url=f"http://127.0.0.1:{port}/api",
        started_at=time.time(),
        start_ticks=stat[1] if stat else 0,
        boot_id=_boot_id(),
    )
    process.returncode = 0  # detached on purpose: no ResourceWarning when this handle is dropped
    _wait_healthy(info, directory)
    tmp = directory / "server.json.tmp"
    tmp.write_text(json.dumps(asdict(info)))
    tmp.replace(directory / "server.json")
    return info


def _wait_healthy(info: ServerInfo, directory: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not _alive(info):
            _reap(info.pid)
            raise ServerError(f"the local Prefect server exited while starting; see {directory / 'server.log'}")
        if _healthy(info.url, timeout=2):
            return
        time.sleep(0.1)
    _terminate(info)
    raise ServerError(
        f"the local Prefect server did not answer within {STARTUP_TIMEOUT_S:g} s; see {directory / 'server.log'}"
    )


def _terminate(info: ServerInfo, timeout: float = 20) -> None:
    """SIGTERM to the server's session (uvicorn and anything it started), SIGKILL after `timeout`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(info.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:  # pragma: no cover - not our process after all
            return
        deadline = time.monotonic() + timeout
        while _alive(info) and time.monotonic() < deadline:
            _reap(info.pid)
            time.sleep(0.05)
        _reap(info.pid)
        if not _alive(info):
            return


def _reap(pid: int) -> None:
    """When this very process started the server (`server start`, tests), collect its exit."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
