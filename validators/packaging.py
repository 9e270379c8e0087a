"""Packaging rules PKG-001 to PKG-008: what the portals refuse before anyone reads a document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.config import Ruleset
from domain.extractions import TextInfo
from domain.findings import Finding
from domain.rules import finding

ALLOWED_EXTENSIONS: dict[str, str] = {
    "xml": "application/xml",
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
_SAFE_STEM = re.compile(r"^[A-Za-z0-9_\- ]+$")
_ESCAPED_BYTE = re.compile(r"\\x[89a-f][0-9a-f]")  # a byte of a name that is not UTF-8, as shown
_TYPE_NAMES = {
    "application/xml": "XML",
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "application/zip": "ZIP",
    "application/x-empty": "vacío",
    "application/octet-stream": "desconocido",
}


@dataclass(frozen=True)
class FileFacts:
    """What storage learned about one original before anything parsed it."""

    name: str
    size: int
    sha256: str
    media_type: str  # sniffed from the bytes

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[1].lower() if "." in self.name.strip(".") else ""


def _type_name(media_type: str) -> str:
    return _TYPE_NAMES.get(media_type, media_type)


def folio_limits(files: list[FileFacts], ruleset: Ruleset) -> list[Finding]:
    """PKG-004 and PKG-005: the folio is refused whole, never trimmed silently."""
    limits = ruleset.thresholds
    findings = []
    if len(files) > limits.max_files:
        findings.append(
            finding(
                "PKG-004",
                "too_many_files",
                {"files": len(files), "limit": limits.max_files},
                files=len(files),
                limit=limits.max_files,
            )
        )
    total = sum(f.size for f in files)
    if total > limits.max_bytes:
        findings.append(
            finding(
                "PKG-005",
                "too_large",
                {"bytes": total, "limit": limits.max_bytes},
                total_mb=total / 1048576,
                limit_mb=limits.max_bytes / 1048576,
            )
        )
    return findings


# What is not a regular file (pipeline.read_folio_dir): (why, in the claimant's words; in evidence).
_NOT_A_FILE = {
    "inode/symlink": ("es un enlace simbólico, no un archivo; no se sigue", "symbolic link, not followed"),
    "inode/directory": ("es una carpeta, no un archivo; no se abre", "directory, not read"),
    "inode/fifo": ("es una tubería (FIFO), no un archivo; no se lee", "FIFO, not read"),
    "inode/socket": ("es un socket, no un archivo; no se lee", "socket, not read"),
    "inode/chardevice": ("es un dispositivo, no un archivo; no se lee", "character device, not read"),
    "inode/blockdevice": ("es un dispositivo, no un archivo; no se lee", "block device, not read"),
}


def file_type_findings(facts: FileFacts) -> list[Finding]:
    """PKG-001, PKG-002 and PKG-006 for an empty file or an entry that is not a regular file
    (PKG-006: it cannot be opened, because it is never opened): a file with any of these is not
    read."""
    if facts.media_type.startswith("inode/"):
        why, entry = _NOT_A_FILE.get(facts.media_type, ("no es un archivo regular; no se abre", "not a regular file"))
        found = unreadable(why)
        return [found.model_copy(update={"evidence": {**found.evidence, "entry": entry}})]
    ext = facts.extension
    expected = ALLOWED_EXTENSIONS.get(ext)
    if expected is None:
        shown = f".{ext}" if ext else "sin extensión"
        return [
            finding(
                "PKG-001",
                "type_not_accepted",
                {"extension": ext, "sniffed": facts.media_type},
                extension=shown,
            )
        ]
    if facts.size == 0:
        return [unreadable("el archivo está vacío (0 bytes)")]
    if facts.media_type != expected:
        return [
            finding(
                "PKG-002",
                "extension_mismatch",
                {"extension": ext, "sniffed": facts.media_type},
                extension=ext.upper(),
                content=_type_name(facts.media_type),
            )
        ]
    return []


def name_findings(facts: FileFacts) -> list[Finding]:
    """PKG-003: accents, ñ, `$ # % & /` or extra dots in the name. The content is still read,
    so the claimant learns every problem of the file at once."""
    stem = facts.name.rsplit(".", 1)[0] if facts.extension else facts.name
    if _SAFE_STEM.match(stem):
        return []
    bad = sorted({c for c in stem if not re.match(r"[A-Za-z0-9_\- ]", c)})
    not_utf8 = _ESCAPED_BYTE.findall(facts.name)
    if not_utf8:  # pipeline.display_name escaped them: the name as sent is not text at all
        return [
            finding(
                "PKG-003",
                "not_utf8",
                {"characters": bad, "not_utf8_bytes": sorted(set(not_utf8))},
                name=facts.name,
            )
        ]
    return [
        finding(
            "PKG-003",
            "special_characters",
            {"characters": bad},
            characters=" ".join(bad),
        )
    ]


_OBJECT_REPR = re.compile(r"\s*<[\w.]+ object at 0x[0-9a-fA-F]+>")


def unreadable(reason: str) -> Finding:
    """PKG-006 with the reason the opener gave, without any Python object's repr a library put
    in its message (`<_io.BytesIO object at 0x…>` means nothing to a claimant)."""
    reason = _OBJECT_REPR.sub("", reason)
    return finding(
        "PKG-006",
        "unreadable",
        {"reason": reason},
        reason=reason,
    )


def duplicate_finding(first_file: str) -> Finding:
    return finding(
        "PKG-007",
        "duplicate",
        {"same_as": first_file},
        first_file=first_file,
    )


def find_duplicates(files: Iterable[FileFacts]) -> dict[str, str]:
    """Name of each repeated file -> name of the first file with the same bytes."""
    first: dict[str, str] = {}
    repeats = {}
    for facts in files:
        if not facts.sha256:  # not a regular file: no bytes to compare
            continue
        if facts.sha256 in first:
            repeats[facts.name] = first[facts.sha256]
        else:
            first[facts.sha256] = facts.name
    return repeats


def legibility(info: TextInfo, ruleset: Ruleset) -> list[Finding]:
    """PKG-008 for OCR'd documents: too unsure of its words, or no words at all."""
    if not info.ocr:
        return []
    limits = ruleset.thresholds
    confidence = info.ocr_mean_confidence or 0.0
    if info.chars >= limits.min_text_chars and confidence >= limits.ocr_min_confidence:
        return []
    return [
        finding(
            "PKG-008",
            "illegible",
            {
                "ocr_mean_confidence": confidence,
                "threshold": limits.ocr_min_confidence,
                "chars": info.chars,
                "min_chars": limits.min_text_chars,
                "words": info.ocr_words,
            },
        )
    ]
