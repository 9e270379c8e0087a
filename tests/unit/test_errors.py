"""One exception root (domain.errors): every exception class the product defines is on one of
its branches, and the command line's exit code follows the branch (issue 12, item 5)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from claim_intake.cli_errors import EXIT_FAILURE, EXIT_INPUT, exit_code
from domain.errors import ClaimIntakeError, ConfigError, DocumentError, InputError, ServiceError, StorageError

PACKAGES = (
    "claim_intake",
    "api",
    "flows",
    "application",
    "extractors",
    "validators",
    "storage",
    "sat",
    "notify",
    "reports",
    "processes",
    "domain",
)
# Alembic's env.py runs a migration when imported; its revisions define no classes.
NOT_IMPORTED = ("storage.migrations.",)


def _product_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if not info.name.startswith(NOT_IMPORTED):
                names.append(info.name)
    return names


def _exception_classes() -> dict[str, type[BaseException]]:
    found = {}
    for name in _product_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException):
                found[f"{name}.{cls.__qualname__}"] = cls
    return found


def test_every_exception_of_the_product_derives_from_the_root():
    classes = _exception_classes()
    assert len(classes) >= 12  # the walk found the product's exceptions, not nothing
    strays = sorted(name for name, cls in classes.items() if not issubclass(cls, ClaimIntakeError))
    assert strays == []


@pytest.mark.parametrize(
    "qualified, branch",
    [
        ("domain.folio.ManifestError", InputError),
        ("storage.state.FolioTaken", InputError),
        ("api.uploads.UploadRefused", InputError),
        ("extractors.content.UnreadableDocument", DocumentError),
        ("extractors.ocr.OcrError", DocumentError),
        ("sat.resilience.SatUnavailable", ServiceError),
        ("notify.mailer.MailError", ServiceError),
        ("notify.notices.NoticeNotSent", ServiceError),
        ("claim_intake.local_server.ServerError", ServiceError),
        ("storage.blobs.BlobCorrupted", StorageError),
        ("domain.errors.ConfigError", ConfigError),
    ],
)
def test_each_known_error_is_on_its_branch(qualified, branch):
    module, name = qualified.rsplit(".", 1)
    assert issubclass(getattr(importlib.import_module(module), name), branch)


def test_builtin_bases_that_callers_catch_are_kept():
    from domain.folio import ManifestError
    from extractors.ocr import OcrError

    assert issubclass(ManifestError, ValueError) and issubclass(ConfigError, ValueError)
    assert issubclass(OcrError, RuntimeError)


@pytest.mark.parametrize(
    "exc, code",
    [
        (InputError("folio.json: missing"), EXIT_INPUT),
        (DocumentError("damaged"), EXIT_FAILURE),
        (ServiceError("SAT down"), EXIT_FAILURE),
        (StorageError("corrupted"), EXIT_FAILURE),
        (ConfigError("bad rule set"), EXIT_FAILURE),
        (RuntimeError("a bug"), EXIT_FAILURE),
    ],
)
def test_the_exit_code_follows_the_branch(exc, code):
    assert exit_code(exc) == code


def test_a_subclass_of_input_error_is_exit_2():
    from domain.folio import ManifestError
    from storage.state import FolioTaken

    assert exit_code(ManifestError("x")) == exit_code(FolioTaken("x")) == EXIT_INPUT == 2
