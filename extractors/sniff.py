"""What a file really is, from its bytes: the extension is what the uploader claims, the magic
number is what the parsers will face."""

from __future__ import annotations

import filetype

PDF = "application/pdf"
XML = "application/xml"
JPEG = "image/jpeg"
PNG = "image/png"
EMPTY = "application/x-empty"
UNKNOWN = "application/octet-stream"

# Byte-order marks, longest first (UTF-32 LE starts with UTF-16 LE's), with the codec each names.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# `<?` in UTF-16/32 without a byte-order mark (XML 1.0, appendix F).
_BOMLESS = (
    (b"\x00\x00\x00<\x00\x00\x00?", "utf-32-be"),
    (b"<\x00\x00\x00?\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)


def sniff_media_type(data: bytes) -> str:
    """The media type the bytes carry, from the magic number at the start: a JPEG whose comment
    segment holds `%PDF-` is a JPEG. Only bytes no start-anchored magic number claims are
    recognised as a PDF by a header later in the first KiB (PDF readers accept one there). XML is
    recognised by its first markup, after any byte-order mark or white space, in UTF-8, UTF-16
    or UTF-32 (whether a CFDI may be in those is the CFDI reader's question, CFDI-002)."""
    if not data:
        return EMPTY
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return PDF
    if _looks_like_xml(head):
        return XML
    guessed = filetype.guess_mime(head)
    if guessed:
        return guessed
    return PDF if b"%PDF-" in head else UNKNOWN


def _looks_like_xml(head: bytes) -> bool:
    text = _decoded_head(head)
    if text is None:
        return False
    text = text.lstrip()
    if text.startswith("<?xml"):
        return True
    # A document element without a declaration: "<" then a name start character.
    return len(text) > 1 and text[0] == "<" and (text[1].isascii() and (text[1].isalpha() or text[1] in "_:"))


def _decoded_head(head: bytes) -> str | None:
    """The start of the bytes as text, in the encoding a byte-order mark or a UTF-16/32 `<?`
    names (else as Latin-1, which any byte decodes in: only ASCII markup is looked for)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    for start, codec in _BOMLESS:
        if head.startswith(start):
            return head.decode(codec, errors="replace")
    return head.decode("latin-1")
