"""What can be checked here of the production files that cannot run here (no container engine, no
Kubernetes on this machine): deploy/Containerfile agrees with scripts/setup and pyproject.toml
and its commands exist; deploy/k8s/base-job-template.json renders to a Job that runs that image
as its user with the settings from a ConfigMap and a Secret; every deployment of prefect.yaml
beats as often as the crash-detection automation expects."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from prefect.utilities.templating import apply_values, find_placeholders

from flows.automations import HEARTBEAT_S, SILENCE_S

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = (ROOT / "deploy" / "Containerfile").read_text()
TEMPLATE = json.loads((ROOT / "deploy" / "k8s" / "base-job-template.json").read_text())
TEST_ONLY_APT = {"postgresql", "chromium"}  # the tests' PostgreSQL server, the console's browser tests


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, argument) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(line for line in CONTAINERFILE.splitlines() if not line.startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


def _setup_apt_packages() -> set[str]:
    match = re.search(r"^APT_PACKAGES=\(([^)]*)\)", (ROOT / "scripts" / "setup").read_text(), re.M)
    assert match, "scripts/setup no longer lists APT_PACKAGES=(…)"
    return set(match.group(1).split())


def _image_apt_packages() -> set[str]:
    runs = " ".join(arg for ins, arg in _instructions() if ins == "RUN")
    match = re.search(r"apt-get install -y --no-install-recommends ([^&]+)", runs)
    assert match, "the Containerfile installs no apt packages"
    return set(match.group(1).split())


def test_image_installs_what_setup_installs_but_the_test_only_packages():
    assert _image_apt_packages() == _setup_apt_packages() - TEST_ONLY_APT
    assert _setup_apt_packages() >= TEST_ONLY_APT, "a test-only package left scripts/setup: update this test"


def test_image_is_debian_python_311_with_the_pinned_dependencies():
    (base,) = [arg for ins, arg in _instructions() if ins == "FROM"]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim-bookworm", base), base
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "3.11" in project["requires-python"] or ">=3.11" in project["requires-python"]
    runs = " ".join(arg for ins, arg in _instructions() if ins == "RUN")
    assert "pip install -c constraints.txt ." in runs

    def norm(name: str) -> str:  # PEP 503: SQLAlchemy, sqlalchemy; pydantic_core, pydantic-core
        return re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()

    pins = {norm(n): v for n, v in (x.split("==") for x in (ROOT / "constraints.txt").read_text().split() if "==" in x)}
    for requirement in project["dependencies"]:  # constraints.txt pins what pyproject.toml pins
        name, version = requirement.split("==")
        assert pins.get(norm(name)) == version, requirement


def test_image_holds_every_package_and_the_deployments():
    copied = {arg.split()[0] for ins, arg in _instructions() if ins == "COPY"}
    copied |= {word for ins, arg in _instructions() if ins == "COPY" for word in arg.split()[:-1]}
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.rstrip("*") for p in include}
    assert packages <= copied, packages - copied
    assert {"pyproject.toml", "constraints.txt", "README.md", "prefect.yaml", "alembic.ini"} <= copied
    # the deployments' entry points are files under the image's checkout (CLAIM_INTAKE_ROOT)
    for deployment in yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]:
        assert deployment["entrypoint"].split("/")[0] in copied, deployment["entrypoint"]
    env = " ".join(arg for ins, arg in _instructions() if ins == "ENV")
    assert "CLAIM_INTAKE_ROOT=/app" in env and "CLAIM_INTAKE_HOME=" in env
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".claim-intake", ".git"} <= set(ignored)


def _user_id() -> int:
    users = [arg for ins, arg in _instructions() if ins == "USER"]
    assert users, "the image runs as root"
    return int(users[-1].split(":")[0])


def test_image_runs_as_a_user_that_is_not_root():
    assert _user_id() != 0
    order = [ins for ins, _ in _instructions()]
    assert order.index("USER") < order.index("CMD")
    assert "RUN" not in order[order.index("USER") :], "nothing is installed as the service user"


def _cmd() -> list[str]:
    (cmd,) = [arg for ins, arg in _instructions() if ins == "CMD"]
    return json.loads(cmd)


@pytest.mark.parametrize(
    "argv",
    [
        _cmd(),  # the API: the image's default command
        ["prefect", "worker", "start", "--pool", "claim-intake", "--limit", "4"],  # a process worker
        ["claim-intake", "db", "upgrade"],  # migrations, before the API replicas start
    ],
    ids=["cmd-api", "worker", "migrations"],
)
def test_image_commands_exist(argv):
    """Each command the image runs (its CMD) or docs/deploy.md runs in it answers --help here,
    from the same package, and knows the options it is given."""
    words = [a for a in argv if not a.startswith("-")]
    command = words[:3]
    exe = Path(sys.executable).with_name(command[0])
    done = subprocess.run([str(exe), *command[1:], "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    options = [a for a in argv if a.startswith("--")]
    assert all(option in done.stdout for option in options), (options, done.stdout)


def test_api_listens_on_every_interface_in_the_image():
    argv = _cmd()
    assert argv[:3] == ["claim-intake", "api", "serve"]
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert f"EXPOSE {argv[argv.index('--port') + 1]}" in CONTAINERFILE


def _template_defaults() -> dict:
    return {k: v["default"] for k, v in TEMPLATE["variables"]["properties"].items() if "default" in v}


def test_k8s_template_declares_every_placeholder():
    used = {p.name for p in find_placeholders(TEMPLATE["job_configuration"])}
    declared = set(TEMPLATE["variables"]["properties"])
    assert used <= declared, used - declared


def test_k8s_template_renders_a_job_running_the_image_as_its_user():
    values = {**_template_defaults(), "env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}, "name": "run"}
    job = apply_values(TEMPLATE["job_configuration"], values)["job_manifest"]
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert job["kind"] == "Job" and pod["restartPolicy"] == "Never" and container["name"] == "prefect-job"
    assert container["image"] == TEMPLATE["variables"]["properties"]["image"]["default"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == _user_id()
    # the settings come from a ConfigMap and a Secret, not from `env`, which a deployment's
    # job_variables (prefect.yaml's heartbeat) replace as a whole
    assert container["envFrom"] == [
        {"configMapRef": {"name": "claim-intake-settings"}},
        {"secretRef": {"name": "claim-intake-secrets"}},
    ]
    assert container["env"] == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
    assert set(container["resources"]) == {"requests", "limits"}
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/var/lib/claim-intake", "/tmp"} <= mounts  # the read-only image's only writable places
    assert "CLAIM_INTAKE_HOME=/var/lib/claim-intake" in CONTAINERFILE


def test_every_deployment_beats_as_often_as_the_crash_automation_expects():
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    for deployment in deployments:
        env = deployment["work_pool"]["job_variables"]["env"]
        assert int(env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"]) == HEARTBEAT_S, deployment["name"]
        assert deployment["work_pool"]["name"] == "claim-intake"
    assert HEARTBEAT_S >= 30 and SILENCE_S >= 3 * HEARTBEAT_S  # Prefect's minimum; two beats may be lost
    (recover,) = [d for d in deployments if d["name"] == "recover-undecided"]
    assert recover["entrypoint"] == "flows/recover.py:recover_undecided"
