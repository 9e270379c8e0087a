"""The bytes of one uploaded file and the text read from them, shared by classification and the
kind extractors so that each PDF is opened and read once."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from domain.errors import DocumentError
from domain.extractions import TextInfo

from .text import fold


class UnreadableDocument(DocumentError):
    """The bytes cannot be opened as what they claim to be (PKG-006): zero bytes, truncated or
    corrupt PDF or image, password-protected PDF. The message says why, in plain words."""


@dataclass(frozen=True)
class DocumentContent:
    """What extractors receive: the original bytes, the media type sniffed from them, and, for
    PDFs and images, the text of each page (empty for XML)."""

    name: str
    data: bytes
    media_type: str
    pages: tuple[str, ...] = ()
    text_info: TextInfo = field(default_factory=TextInfo)

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @cached_property
    def folded(self) -> str:
        """The text upper-cased, accents removed, spaces collapsed (extractors.text.fold), made
        once: classification and the extractors each compared against it."""
        return fold(self.text)

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0] if "." in self.name else self.name
