"""PKG-009: the PDF's text layer is not what a person sees on the page.

The reader (extractors.visible_text and the key-field cross-check) records what it found on the
document's TextInfo and has already read those pages from their pixels; this rule only tells
the adjudicator why, since the document is then judged on what its pages show. A warning, not
a rejection: scanners legitimately lay an invisible OCR layer under a page image, and the
validators that follow judge the visible content either way."""

from __future__ import annotations

from domain.extractions import TextInfo
from domain.findings import Finding
from domain.rules import finding

_CAUSES_ES = {
    "invisible": "texto invisible (modo de trazo 3)",
    "clip_only": "texto usado solo como recorte (modo de trazo 7)",
    "off_page": "texto fuera de la página",
    "tiny": "texto demasiado pequeño para leerse",
    "background_colour": "texto del color del fondo",
    "under_image": "texto tapado por una imagen",
    "ocr_disagrees": "un dato clave cuyo texto difiere de lo que muestra la página",
}


def hidden_text_findings(info: TextInfo) -> list[Finding]:
    """One PKG-009 per document, with every page and cause in its evidence (counts, never the
    hidden text: it may carry another person's RFC or CLABE)."""
    if not info.hidden_text:
        return []
    causes = list(dict.fromkeys(h.cause for h in info.hidden_text))
    pages = sorted({h.page for h in info.hidden_text})
    fields = sorted({h.field for h in info.hidden_text if h.field})
    described = "; ".join(_CAUSES_ES.get(c, c) for c in causes)
    shown = ", ".join(str(p) for p in pages)
    return [
        finding(
            "PKG-009",
            "hidden_text",
            {
                "hidden": [h.model_dump(exclude_none=True) for h in info.hidden_text],
                "pages": pages,
                "causes": causes,
                **({"fields": fields} if fields else {}),
            },
            causes=described,
            pages=shown,
        )
    ]
