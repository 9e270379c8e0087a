"""The intake steps as plain functions, in the order the flow runs them.

Each step composes extractors, validators and storage and nothing else; the Prefect flow
(flows/intake.py) wraps each one in a task, and tests and benchmarks can call them directly."""

from __future__ import annotations

import errno
import logging
import os
import stat
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

import extractors
import validators
from domain.config import Ruleset, Settings, Thresholds
from domain.decision import Decision, DocumentResult, DocumentStatus
from domain.findings import Finding, has_reject
from domain.folio import MANIFEST_NAME, FolioManifest, ManifestError, parse_manifest
from domain.kinds import DocumentKind
from extractors import sandbox
from storage import Storage
from validators.context import DocumentContext, EvaluatedDocument
from validators.packaging import FileFacts
from validators.skipped import sat_checks_off

log = logging.getLogger("claim_intake.pipeline")


class InputError(ManifestError):
    """The folio directory itself is unusable (CLI exit 2): missing, unreadable, no folio.json."""


@dataclass(frozen=True)
class IncomingFile:
    """One entry of a folio directory as found there. `data` is None when the entry is not read
    into memory: a regular file of a folio over a folio-wide limit (stored by streaming it from
    `path`), or an entry that is not a regular file at all (`entry`, e.g. "inode/symlink": never
    opened, never followed)."""

    name: str  # as shown: bytes that are not UTF-8 escaped (\xe9)
    data: bytes | None = field(default=None, repr=False)
    path: Path | None = None
    size: int = 0
    entry: str | None = None  # media type of what is not a regular file (inode/symlink, inode/fifo, ...)


class _Originals(dict):
    """name -> bytes of a stored folio; a file streamed to the blob store is fetched from there
    only when something reads it (a folio over a limit is never read)."""

    def __init__(self, data: dict[str, bytes], digests: dict[str, str], blobs) -> None:
        super().__init__(data)
        self._digests, self._blobs = digests, blobs

    def __missing__(self, name: str) -> bytes:
        if name not in self._digests:
            raise KeyError(name)
        self[name] = data = self._blobs.get(self._digests[name])
        return data


@dataclass(frozen=True)
class StoredFolio:
    manifest: FolioManifest
    files: list[FileFacts]
    data: dict[str, bytes] = field(repr=False)  # name -> bytes, to read without a round trip


_ENTRY_TYPES = (
    (stat.S_ISLNK, "inode/symlink"),
    (stat.S_ISDIR, "inode/directory"),
    (stat.S_ISFIFO, "inode/fifo"),
    (stat.S_ISSOCK, "inode/socket"),
    (stat.S_ISCHR, "inode/chardevice"),
    (stat.S_ISBLK, "inode/blockdevice"),
)
_NOFOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def display_name(name: str) -> str:
    """A file name as the answer, the database and the logs show it: bytes that are not UTF-8
    (os.listdir hands them over as lone surrogates, which no encoder accepts) become `\\xe9`."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_folio_dir(folio_dir: Path, limits: Thresholds | None = None) -> tuple[bytes, list[IncomingFile]]:
    """The manifest's bytes and every entry beside it, nothing parsed. Nothing is followed:
    folio.json must be a regular file, and an entry that is not one (link, FIFO, directory) is
    returned as such without being opened. Every entry is lstat'ed first: when the folio breaks
    a folio-wide limit (`limits`: PKG-004, PKG-005; default the rule set's defaults) no file is
    read into memory, they are stored by streaming and the folio is refused whole."""
    folio_dir = Path(folio_dir)
    if not folio_dir.is_dir():
        raise InputError(f"{folio_dir}: no such folio directory")
    manifest = _read_regular(folio_dir / MANIFEST_NAME, missing="missing (every folio needs a folio.json)")
    try:
        names = sorted(n for n in os.listdir(folio_dir) if n != MANIFEST_NAME)
    except OSError as exc:
        raise InputError(f"{folio_dir}: cannot be listed ({exc.strerror or exc})") from None
    entries = [_entry(folio_dir / name) for name in names]
    limits = limits or Thresholds()
    if len(entries) > limits.max_files or sum(e.size for e in entries) > limits.max_bytes:
        return manifest, entries  # streamed by store_originals, never held
    # an entry listed from the folder always has its path
    return manifest, [replace(e, data=_read_regular(e.path)) if e.entry is None else e for e in entries]  # type: ignore[arg-type]


def _entry(path: Path) -> IncomingFile:
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise InputError(f"{display_name(str(path))}: cannot be read ({exc.strerror or exc})") from None
    name = display_name(path.name)
    if stat.S_ISREG(info.st_mode):
        return IncomingFile(name, path=path, size=info.st_size)
    entry = next((kind for test, kind in _ENTRY_TYPES if test(info.st_mode)), "inode/unknown")
    log.warning("%s: %s, not opened", name, entry)
    return IncomingFile(name, path=path, entry=entry)


def _open_regular(path: Path, missing: str = "no such file"):
    """A binary file object for `path`, never through a symbolic link, never blocking on a
    FIFO, and only if it is a regular file; otherwise InputError naming the path and why."""
    shown = display_name(str(path))
    try:
        fd = os.open(path, _NOFOLLOW)
    except FileNotFoundError:
        raise InputError(f"{shown}: {missing}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{shown}: is a symbolic link; links are not followed, send the file itself") from None
        raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise InputError(f"{shown}: not a regular file")
    return handle


def _read_regular(path: Path, missing: str = "no such file") -> bytes:
    with _open_regular(path, missing) as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise InputError(f"{display_name(str(path))}: cannot be read ({exc.strerror or exc})") from None


class _Head:
    """Passes a stream through, keeping its first KiB (to sniff the type) and its length."""

    def __init__(self, stream) -> None:
        self.stream, self.head, self.size = stream, b"", 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        if len(self.head) < 1024:
            self.head += chunk[: 1024 - len(self.head)]
        self.size += len(chunk)
        return chunk


def _store(incoming: IncomingFile, storage: Storage) -> FileFacts:
    """One entry into the blob store: in memory, streamed from disk, or (not a regular file)
    not at all: it is only described."""
    if incoming.entry is not None:
        return FileFacts(incoming.name, 0, "", incoming.entry)
    if incoming.data is not None:
        digest = storage.blobs.put(incoming.data)
        return FileFacts(incoming.name, len(incoming.data), digest, extractors.sniff_media_type(incoming.data))
    with _open_regular(incoming.path) as handle:  # type: ignore[arg-type] # neither data nor entry: a path
        tee = _Head(handle)
        digest = storage.blobs.put_stream(tee)
    return FileFacts(incoming.name, tee.size, digest, extractors.sniff_media_type(tee.head))


def store_originals(
    manifest_bytes: bytes, files: list[IncomingFile], storage: Storage, owner: str | None = None
) -> StoredFolio:  # owner: StateStore.register_folio's
    """Every original goes to the blob store before anything parses it, folio.json included,
    so that even a folio refused for its manifest loses nothing. Entries that are not regular
    files are described (they become a finding), not stored: there are no bytes to keep."""
    storage.blobs.put(manifest_bytes)
    facts = [_store(incoming, storage) for incoming in files]
    manifest = parse_manifest(manifest_bytes)
    storage.state.register_folio(manifest, owner)
    storage.state.record_files(manifest.folio, [(f.name, f.sha256, f.size, f.media_type) for f in facts if f.sha256])
    data = {f.name: f.data for f in files if f.data is not None}
    return StoredFolio(manifest, facts, _Originals(data, {f.name: f.sha256 for f in facts if f.sha256}, storage.blobs))


@dataclass
class PackagingResult:
    folio_findings: list[Finding]
    file_findings: dict[str, list[Finding]]
    to_read: list[str]  # files whose content is read: right type, not a duplicate
    duplicates: dict[str, str]  # repeated file -> first file with the same bytes

    @property
    def refused_whole(self) -> bool:
        return bool(self.folio_findings)


def check_packaging(stored: StoredFolio, ruleset: Ruleset) -> PackagingResult:
    limits = validators.packaging.folio_limits(stored.files, ruleset)
    if limits:  # PKG-004/005: stored, not evaluated; that finding is the whole answer
        return PackagingResult(limits, {}, [], {})
    duplicates = validators.packaging.find_duplicates(stored.files)
    file_findings, to_read = {}, []
    for facts in stored.files:
        found = validators.packaging.file_type_findings(facts)
        type_ok = not found
        found += validators.packaging.name_findings(facts)
        if facts.name in duplicates:
            found.append(validators.packaging.duplicate_finding(duplicates[facts.name]))
        elif type_ok:
            to_read.append(facts.name)
        file_findings[facts.name] = found
    return PackagingResult([], file_findings, to_read, duplicates)


def read_documents(
    stored: StoredFolio,
    packaging: PackagingResult,
    ruleset: Ruleset,
    trust_store=None,
    stamp_certificates=None,
    cache=None,
) -> dict[str, extractors.ReadDocument]:
    """`cache` (storage.extraction_cache.ExtractionCache, optional): files read before under the
    same rule set are taken from it instead of being read again (re-uploads)."""
    facts = {f.name: f for f in stored.files}
    out: dict[str, extractors.ReadDocument | None] = {}  # None: a placeholder, keeping the files' order
    keys: dict[str, tuple[str, bytes, str, str | None, int]] = {}
    jobs: list[sandbox.ReadJob] = []
    for name in packaging.to_read:
        declared = stored.manifest.declared_kind(name)
        key = (
            facts[name].sha256,
            stored.data[name],
            name,
            declared.value if declared else None,
            ruleset.thresholds.min_text_chars,
        )
        doc = cache.get(*key) if cache is not None else None
        if doc is None:  # read below, in the sandbox, within the per-document budgets
            keys[name] = key
            jobs.append(sandbox.ReadJob(name, stored.data[name], facts[name].media_type, declared))
        out[name] = doc
    fresh = sandbox.read(jobs, ruleset.thresholds, trust_store=trust_store, stamp_certificates=stamp_certificates)
    out.update(fresh)
    if cache is not None:  # an overrun may pass under less load: not kept
        cache.put_many(
            [(keys[name][0], doc, *keys[name][2:]) for name, doc in fresh.items() if not sandbox.overran(doc)]
        )
    return out  # type: ignore[return-value] # every placeholder was filled by the sandbox's read


def validate_documents(
    stored: StoredFolio,
    read: dict[str, extractors.ReadDocument],
    ruleset: Ruleset,
    as_of: date,
    known_uuids: dict[str, str],
    sat_findings: dict[str, list[Finding]] | None = None,
) -> dict[str, list[Finding]]:
    """`sat_findings`: what the SAT checks found per file (sat.checks), added to the file's own."""
    facts = {f.name: f for f in stored.files}
    out = {}
    for name, doc in read.items():
        ctx = DocumentContext(stored.manifest, as_of, ruleset, name, facts[name].media_type, known_uuids)
        out[name] = validators.validate_document(doc, ctx) + list((sat_findings or {}).get(name, []))
    return out


def decide(
    stored: StoredFolio,
    packaging: PackagingResult,
    read: dict[str, extractors.ReadDocument],
    doc_findings: dict[str, list[Finding]],
    ruleset: Ruleset,
    as_of: date,
    evaluated_at: datetime,
    first_complete_at: datetime | None = None,
) -> Decision:
    manifest = stored.manifest
    if packaging.refused_whole:
        documents = [
            DocumentResult(
                file=f.name,
                sha256=f.sha256,
                size=f.size,
                media_type=f.media_type,
                kind=manifest.declared_kind(f.name) or DocumentKind.OTHER,
                status=DocumentStatus.NOT_EVALUATED,
            )
            for f in stored.files
        ]
        return _decision(manifest, ruleset, as_of, evaluated_at, documents, packaging.folio_findings, [], [], None)

    findings = {
        f.name: list(packaging.file_findings.get(f.name, [])) + doc_findings.get(f.name, []) for f in stored.files
    }
    evaluated = []
    for facts in stored.files:
        doc = read.get(facts.name)
        kind = doc.kind if doc else (manifest.declared_kind(facts.name) or DocumentKind.OTHER)
        evaluated.append(
            EvaluatedDocument(
                file=facts.name,
                kind=kind,
                accepted=not has_reject(findings[facts.name]),
                extraction=doc.extraction if doc else None,
                duplicate_of=packaging.duplicates.get(facts.name),
                read=doc is not None and not doc.unreadable,
            )
        )
    folio_level = validators.validate_folio(manifest, as_of, ruleset, evaluated, read)
    for name, extra in folio_level.document_findings.items():
        findings[name].extend(extra)
    documents = []
    for facts, ev in zip(stored.files, evaluated, strict=True):
        doc = read.get(facts.name)
        status = (
            DocumentStatus.DUPLICATE
            if ev.duplicate_of
            else DocumentStatus.REJECTED
            if has_reject(findings[facts.name])
            else DocumentStatus.ACCEPTED
        )
        documents.append(
            DocumentResult(
                file=facts.name,
                sha256=facts.sha256,
                size=facts.size,
                media_type=facts.media_type,
                kind=ev.kind,
                status=status,
                classification=doc.classification if doc else None,
                extracted=_public(doc.extraction) if doc else {},
                findings=findings[facts.name],
            )
        )
    return _decision(
        manifest,
        ruleset,
        as_of,
        evaluated_at,
        documents,
        folio_level.findings,
        folio_level.missing,
        folio_level.skipped,
        first_complete_at,
    )


def _public(extraction: object | None) -> dict:
    return extraction.public_fields() if extraction is not None and hasattr(extraction, "public_fields") else {}


def _decision(
    manifest, ruleset, as_of, evaluated_at, documents, folio_findings, missing, skipped, first_complete_at
) -> Decision:
    every = list(folio_findings) + [f for d in documents for f in d.findings]
    route = validators.routing.route_for(every)
    complete_at, due = validators.routing.completion(route, evaluated_at, first_complete_at)
    return Decision(
        folio=manifest.folio,
        route=route,
        ruleset=ruleset.version,
        evaluated_at=evaluated_at,
        as_of=as_of,
        complete_at=complete_at,
        payment_due=due,
        documents=documents,
        folio_findings=folio_findings,
        missing=missing,
        skipped_rules=skipped,
    )


def load_trust_store(settings: Settings):
    """The CA store CFDI certificates must chain to (CFDI-021), loaded once per process."""
    from extractors.cfdi_xml import sat_production_store, trust_store_from_dir

    if settings.cfdi_trust_store is None:
        return sat_production_store()
    return trust_store_from_dir(str(Path(settings.cfdi_trust_store).resolve()))


def load_stamp_certificates(settings: Settings):
    """SAT's stamp certificates for SelloSAT (CFDI-004), or None when none are configured."""
    from extractors.cfdi_xml import stamp_certificates_from_dir

    if settings.sat_stamp_certificates is None:
        return None
    return stamp_certificates_from_dir(str(Path(settings.sat_stamp_certificates).resolve()))


def cfdi_uuids(read: dict[str, extractors.ReadDocument]) -> dict[str, str]:
    """UUID -> file, for the cross-folio index (CFDI-012)."""
    out: dict[str, str] = {}
    for name, doc in read.items():
        uuid = getattr(doc.extraction, "uuid", None)
        if uuid and doc.kind in (DocumentKind.CFDI_XML, DocumentKind.PAYMENT_COMPLEMENT):
            out.setdefault(uuid.upper(), name)
    return out


def stored_folio_from_storage(folio: str, storage: Storage) -> tuple[StoredFolio, date]:
    """The folio exactly as it was last evaluated, rebuilt from storage alone (the awaiting_sat
    sweep re-evaluates without the upload directory): the manifest from the folio row, the
    files and the intake date from the last decision, every byte from the blob store (verified
    against its SHA-256). Raises InputError naming the folio and the file when something is
    missing, so a caller can report it instead of crashing."""
    from storage.blobs import BlobCorrupted

    last = storage.state.last_decision(folio)
    if last is None:
        raise InputError(f"folio {folio}: no decision stored, nothing to re-evaluate")
    stored_manifest = storage.state.manifest(folio)
    if stored_manifest is None:
        raise InputError(f"folio {folio}: no manifest stored")
    try:
        manifest = FolioManifest.model_validate(stored_manifest)
    except ValidationError as exc:
        raise InputError(f"folio {folio}: stored manifest is no longer valid ({exc})") from None
    facts, data = [], {}
    for doc in last.documents:
        if not doc.sha256:  # an entry that was not a regular file: nothing was stored
            facts.append(FileFacts(doc.file, doc.size, doc.sha256, doc.media_type or "inode/unknown"))
            continue
        try:
            data[doc.file] = storage.blobs.get(doc.sha256)
        except (OSError, ValueError, BlobCorrupted) as exc:  # missing or corrupted original
            raise InputError(f"folio {folio}: original {doc.file} ({doc.sha256[:12]}) unreadable: {exc}") from None
        facts.append(
            FileFacts(doc.file, doc.size, doc.sha256, doc.media_type or extractors.sniff_media_type(data[doc.file]))
        )
    return StoredFolio(manifest, facts, data), last.as_of


def with_sat_evidence(decision: Decision, evidence: dict[str, dict] | None) -> Decision:
    """Put what SAT answered for each document (sat.checks.answers_evidence: `sat_status`,
    `sat_csf_check`, raw answer included) into that document's `extracted`, so the answer is
    kept with the decision even when it raised no finding."""
    if not evidence:
        return decision
    documents = [
        d.model_copy(update={"extracted": {**d.extracted, **evidence[d.file]}}) if d.file in evidence else d
        for d in decision.documents
    ]
    return decision.model_copy(update={"documents": documents})


def without_sat(decision: Decision) -> Decision:
    """The decision of a run with the SAT checks switched off: every SAT rule is listed under
    `skipped_rules` with the reason (CONTRACT.md), so the decision, its history and its report
    show that SAT was not asked."""
    listed = {s.code for s in decision.skipped_rules}
    extra = [s for s in sat_checks_off() if s.code not in listed]
    return decision.model_copy(update={"skipped_rules": list(decision.skipped_rules) + extra})


def after_retry_budget(
    decision: Decision, first_complete_at: datetime | None = None, waiting_since: datetime | None = None
) -> Decision:
    """RULES.md: after the retry budget a folio goes to adjudication with its `retry` findings
    still visible (never silently). Only an awaiting_sat decision changes: a reject still wins.
    Each open retry finding's evidence says the budget ran out and since when it waited."""
    from domain.decision import Route
    from domain.findings import Outcome

    if decision.route is not Route.AWAITING_SAT:
        return decision
    note: dict[str, bool | str] = {"retry_budget_exhausted": True}
    if waiting_since is not None:
        note["awaiting_sat_since"] = waiting_since.isoformat()

    def mark(findings):
        return [
            f.model_copy(update={"evidence": {**f.evidence, **note}}) if f.outcome is Outcome.RETRY else f
            for f in findings
        ]

    documents = [d.model_copy(update={"findings": mark(d.findings)}) for d in decision.documents]
    folio_findings = mark(decision.folio_findings)
    every = folio_findings + [f for d in documents for f in d.findings]
    route = validators.routing.route_for(every, retry_budget_exhausted=True)
    complete_at, due = validators.routing.completion(route, decision.evaluated_at, first_complete_at)
    return decision.model_copy(
        update={
            "route": route,
            "documents": documents,
            "folio_findings": folio_findings,
            "complete_at": complete_at,
            "payment_due": due,
        }
    )


def add_files(folio: str, new_files: list[Path], storage: Storage, dest: Path) -> Path:
    """Re-upload: store the new files first (content-addressed, recorded against the folio), then
    lay the folio out again in `dest` (folio.json from storage and the newest version of every
    file, old and new, from the blob store) for the intake flow to re-evaluate as a whole.
    Raises InputError naming the folio or the file when something is unusable."""
    import json
    import shutil

    from storage.blobs import BlobCorrupted

    stored_manifest = storage.state.manifest(folio) if hasattr(storage.state, "manifest") else None
    if stored_manifest is None:
        raise InputError(f"folio {folio}: unknown (process it first with `claim-intake process`)")
    incoming = []
    for path in new_files:
        path = Path(path)
        if path.name == MANIFEST_NAME:
            raise InputError(f"{path}: folio.json cannot be re-uploaded; only documents")
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        incoming.append(IncomingFile(display_name(path.name), path=path))
    # Stored before anything else happens, streamed (a re-upload is never held whole); like a
    # folio's files, never through a link.
    facts = [(f.name, f.sha256, f.size, f.media_type) for f in (_store(item, storage) for item in incoming)]
    storage.state.record_files(folio, facts)
    newest: dict[str, str] = {}
    for row in storage.state.files(folio):  # oldest first: a later upload of a name wins
        newest[row["name"]] = row["sha256"]
    for name, digest, _, _ in facts:
        newest[name] = digest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / MANIFEST_NAME).write_text(json.dumps(stored_manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    for name, digest in newest.items():
        try:
            _copy_blob(storage.blobs, digest, dest / name)
        except (OSError, ValueError, BlobCorrupted) as exc:
            raise InputError(f"folio {folio}: stored original {name} ({digest[:12]}) unreadable: {exc}") from None
    return dest


def _copy_blob(blobs, digest: str, target: Path) -> None:
    """A stored original onto disk, streamed when the store can (both of ours can)."""
    if hasattr(blobs, "copy_to"):
        blobs.copy_to(digest, target)
    else:
        target.write_bytes(blobs.get(digest))
