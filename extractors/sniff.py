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

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_media_type(data: bytes) -> str:
    """The media type the bytes carry. PDF readers accept a header anywhere in the first KiB,
    so a PDF is recognised there too; XML is recognised by its first markup, after any BOM or
    white space."""
    if not data:
        return EMPTY
    head = data[:1024]
    if head.startswith(b"%PDF-") or b"%PDF-" in head:
        return PDF
    if _looks_like_xml(head):
        return XML
    guessed = filetype.guess_mime(head)
    return guessed or UNKNOWN


def _looks_like_xml(head: bytes) -> bool:
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    head = head.lstrip()
    if head.startswith(b"<?xml"):
        return True
    # A document element without a declaration: "<" then a name start character.
    return len(head) > 1 and head[:1] == b"<" and (head[1:2].isalpha() or head[1:2] in b"_:")

