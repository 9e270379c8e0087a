"""The one root of the product's exceptions and its branches, so that an entry point decides what
to tell the operator by the branch an error is on, never by a list of unrelated classes.

    ClaimIntakeError
    ├── InputError     the folio (or request) as sent is unusable: the sender can fix it (CLI exit 2, API 4xx)
    ├── DocumentError  one document cannot be read (the folio goes on; the document is PKG-006)
    ├── ServiceError   an outside service did not answer: SAT, the mail server, the Prefect server
    ├── StorageError   an original or a record cannot be stored or read back as it was
    └── ConfigError    the deployment's own configuration (rule set, environment) is invalid

A module keeps its own precise class (`ManifestError`, `SatUnavailable`, ...) and derives it
from the branch; it may also derive from a builtin (ValueError, RuntimeError) where callers
catch that."""

from __future__ import annotations


class ClaimIntakeError(Exception):
    """Every error the product raises on purpose derives from this."""


class InputError(ClaimIntakeError):
    """The folio as sent is unusable: missing or invalid folio.json, an unreadable folio directory,
    a refused upload. Said in one line to whoever sent it (CLI exit 2, API 4xx), never a bug."""


class DocumentError(ClaimIntakeError):
    """One document cannot be read (damaged, not what it claims to be, OCR failed)."""


class ServiceError(ClaimIntakeError):
    """An outside service did not answer as it should (SAT, SMTP, the local Prefect server)."""


class StorageError(ClaimIntakeError):
    """What was stored cannot be stored or read back as it was (a corrupted original)."""


class ConfigError(ClaimIntakeError, ValueError):
    """The configuration file or environment is invalid (a ValueError, as pydantic's are)."""
