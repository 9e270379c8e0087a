"""A document no other kind recognised (REQ-002): only its text is kept."""

from __future__ import annotations

from domain.extractions import OtherExtraction
from domain.kinds import DocumentKind

from ..content import DocumentContent
from .spec import KindSpec, ReadOptions


def read(content: DocumentContent, options: ReadOptions) -> tuple[OtherExtraction, None]:
    return OtherExtraction(text=content.text_info), None


KIND = KindSpec(DocumentKind.OTHER, read)
