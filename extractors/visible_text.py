"""Text in a PDF's text layer that a person looking at the page cannot see (PKG-009).

A text layer is what pypdfium2 reads, but a person (and SAT, and the bank) sees the rendered
page. A forger can print one RFC on the page (as an image, say) and carry another in a text
layer nobody sees: drawn in render mode 3 (invisible) or 7 (clip only), outside the page box,
in the background colour, too small to see, or painted over by an image drawn later. Such a
page must be judged by what it shows, so the loader OCRs it instead of believing its text.

Only the page's object list is walked (two ctypes calls per object, a few more per text object,
no rendering): ~0.1 ms for a page of text, ~1 ms for a page whose QR code is drawn as ~500
vector squares (bench/visible_text.py); pixels are touched only for near-white text over a
shape (a few milliseconds' crop) or once something hidden is found (the page's OCR). Objects inside Form XObjects are visited too, with their form's matrix
applied, so nesting the hidden text in a form does not hide it from this check."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

import pypdfium2
import pypdfium2.raw as pdfium
from pypdfium2_raw.bindings import _libs

# Causes, in the order they are tried (one cause per text object).
INVISIBLE, CLIP_ONLY, OFF_PAGE, TINY, BACKGROUND, UNDER_IMAGE = (
    "invisible",
    "clip_only",
    "off_page",
    "tiny",
    "background_colour",
    "under_image",
)
_INVISIBLE_MODES = {pdfium.FPDF_TEXTRENDERMODE_INVISIBLE: INVISIBLE, pdfium.FPDF_TEXTRENDERMODE_CLIP: CLIP_ONLY}
_FILL_MODES = {0, 2, 4, 6}  # modes whose glyphs are painted with the fill colour
_STROKE_ONLY_MODES = {1, 5}
MIN_HIDDEN_CHARS = 3  # per page: a stray invisible space or marker is not a second text layer
MIN_VISIBLE_HEIGHT_PT = 1.0  # glyphs shorter than this (1/72 in) cannot be read on the page
NEAR_WHITE = 240  # 0-255 per channel: "the page's colour" on a white page
COVERED_FRACTION = 0.8  # an opaque image over this much of a text's box hides it


@dataclass(frozen=True)
class HiddenRun:
    """One page's text of one cause: how many visible characters (not spaces) it carries."""

    page: int  # 1-based
    cause: str
    chars: int


class _Obj:
    """A page object in paint order with its box (left, bottom, right, top) in page space. A
    plain slotted class: pages carry hundreds of these and a frozen dataclass costs 3x more."""

    __slots__ = ("order", "kind", "box", "raw", "matrix")

    def __init__(self, order: int, kind: int, box: tuple[float, float, float, float] | None, raw, matrix=None):
        self.order, self.kind, self.box, self.raw, self.matrix = order, kind, box, raw, matrix

    def boxed(self) -> _Obj | None:
        """Itself with its box computed (paths are walked without one); None if pdfium has none."""
        if self.box is None:
            box = _bounds(self.raw)
            if box is None:
                return None
            self.box = box if self.matrix in (None, _IDENTITY) else _transform(box, self.matrix)
        return self


def hidden_text(page: pypdfium2.PdfPage, textpage: pypdfium2.PdfTextPage, number: int) -> list[HiddenRun]:
    """The page's hidden text, grouped by cause; [] for an ordinary page. `number` is 1-based.
    Text a page's text layer does not yield is never read, so it does not matter here: a page
    without characters (a scan) is not walked at all."""
    if textpage.count_chars() <= 0:
        return []
    objects, paths, _ = _walk(_address(page.raw), form=False, matrix=_IDENTITY, start=0)
    texts = [o for o in objects if o.kind == pdfium.FPDF_PAGEOBJ_TEXT]
    if not texts:
        return []
    page_box = tuple(page.get_bbox())
    painted = _Painted(objects, paths)
    probe = _Probe()
    counts: dict[str, int] = {}
    for text in texts:
        cause = _cause(page, text, page_box, painted, probe)
        if cause:
            counts[cause] = counts.get(cause, 0) + _visible_chars(text.raw, textpage)
    return [HiddenRun(number, cause, chars) for cause, chars in counts.items() if chars >= MIN_HIDDEN_CHARS]


_PAINTING = (pdfium.FPDF_PAGEOBJ_PATH, pdfium.FPDF_PAGEOBJ_IMAGE, pdfium.FPDF_PAGEOBJ_SHADING)


class _Painted:
    """The page's images, shadings and paths, largest first, so that "what covers this text"
    stops at the first shape smaller than the text (a QR code's hundreds of modules are never
    compared with a line of text). Fill colours are asked of pdfium only when needed."""

    def __init__(self, objects: list[_Obj], paths: list):
        self._objects, self._paths = objects, paths
        self._shapes: list[tuple[float, _Obj]] | None = None
        self._images: list[tuple[float, _Obj]] | None = None
        self._colours: dict[int, tuple | None] = {}

    @property
    def shapes(self) -> list[tuple[float, _Obj]]:
        """Every painting object with its box, largest first; paths are boxed on first use."""
        if self._shapes is None:
            paths = (_Obj(order, pdfium.FPDF_PAGEOBJ_PATH, None, raw, matrix) for order, raw, matrix in self._paths)
            boxed = [o.boxed() for o in self._objects if o.kind in _PAINTING] + [p.boxed() for p in paths]
            self._shapes = sorted(
                ((_area(o.box), o) for o in boxed if o is not None), key=lambda pair: pair[0], reverse=True
            )
        return self._shapes

    @property
    def images(self) -> list[tuple[float, _Obj]]:
        """Opaque images only, largest first: what can hide text drawn before it."""
        if self._images is None:
            opaque = [
                o
                for o in self._objects
                if o.kind == pdfium.FPDF_PAGEOBJ_IMAGE and not _api().FPDFPageObj_HasTransparency(o.raw)
            ]
            self._images = sorted(((_area(o.box), o) for o in opaque), key=lambda pair: pair[0], reverse=True)
        return self._images

    def covering(self, text: _Obj, shapes: list[tuple[float, _Obj]]):
        """Those of `shapes` whose box covers most of the text's box."""
        needed = COVERED_FRACTION * _area(text.box)
        for area, shape in shapes:
            if area < needed:
                return
            if _overlap(text.box, shape.box) >= needed:
                yield shape

    def under(self, text: _Obj):
        """Every shape drawn before the text that touches its box (asked for near-white text only)."""
        return (shape for _, shape in self.shapes if shape.order < text.order and _overlap(text.box, shape.box) > 0)

    def fill(self, shape: _Obj) -> tuple | None:
        if shape.order not in self._colours:
            self._colours[shape.order] = _fill_colour(shape) if shape.kind == pdfium.FPDF_PAGEOBJ_PATH else None
        return self._colours[shape.order]


class _Probe:
    """The per-text pdfium calls of one page, bound once, with one buffer for the colour's four
    out-parameters: these run for every text object of every page, so what Python does around
    each ctypes call is most of their cost."""

    def __init__(self):
        api = _api()
        self.mode_of = api.FPDFTextObj_GetTextRenderMode
        self._fill, self._stroke = api.FPDFPageObj_GetFillColor, api.FPDFPageObj_GetStrokeColor
        self._channels = (ctypes.c_uint * _CHANNELS)()
        base, size = ctypes.addressof(self._channels), ctypes.sizeof(ctypes.c_uint)
        self._addresses = tuple(base + i * size for i in range(_CHANNELS))

    def colour(self, raw: int, stroke: bool = False) -> tuple[int, int, int, int] | None:
        if not (self._stroke if stroke else self._fill)(raw, *self._addresses):
            return None
        return tuple(self._channels)


def _cause(page, text: _Obj, page_box, painted: _Painted, probe: _Probe) -> str | None:
    mode = probe.mode_of(text.raw)
    if mode in _INVISIBLE_MODES:
        return _INVISIBLE_MODES[mode]
    box = text.box
    assert box is not None  # only texts with a box are judged (see the caller)
    if _outside(box, page_box):
        return OFF_PAGE
    if box[3] - box[1] < MIN_VISIBLE_HEIGHT_PT:
        return TINY
    if _paint_is_background(page, text, mode, page_box, painted, probe):
        return BACKGROUND
    if painted.images and any(image.order > text.order for image in painted.covering(text, painted.images)):
        return UNDER_IMAGE
    return None


def _paint_is_background(page, text: _Obj, mode: int, page_box, painted: _Painted, probe: _Probe) -> bool:
    """Glyphs painted fully transparent, or near-white on what looks white. Near-white glyphs
    with nothing painted under them are on the white page: hidden, no pixels needed. Near-white
    glyphs over an image, a shading or a filled shape of another colour (white text on a dark
    band, or over a page image that is white there) are decided by rendering only the text's
    box: if it renders as one flat colour, no glyph can be seen. Ordinary text is never rendered
    and other colours are not compared with the shapes under them (grey on a grey box): walking
    every path under every line would cost more than reading the page; the key-field
    cross-check (extractors.key_fields) covers those on the fields that matter."""
    if mode in _FILL_MODES:
        colour = probe.colour(text.raw)
    elif mode in _STROKE_ONLY_MODES:
        colour = probe.colour(text.raw, stroke=True)
    else:
        return False
    if colour is None:
        return False
    red, green, blue, alpha = colour
    if alpha == 0:
        return True
    if min(red, green, blue) < NEAR_WHITE:
        return False
    coloured = any(_not_white(shape, painted) for shape in painted.under(text))
    return not coloured or _renders_flat(page, text.box, page_box)


def _fill_colour(shape: _Obj) -> tuple[int, int, int, int] | None:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    drawn = _api().FPDFPath_GetDrawMode(shape.raw, ctypes.pointer(fill_mode), ctypes.pointer(stroke))
    if not drawn or fill_mode.value == pdfium.FPDF_FILLMODE_NONE:
        return None
    return _colour(_api().FPDFPageObj_GetFillColor, shape.raw)


FLAT_SPREAD = 24  # grey levels between the darkest and lightest pixel of a box with no visible glyph


def _renders_flat(page, box, page_box) -> bool:
    """Render only the text's box (2 px per point, grayscale: a millisecond or two) and see
    whether anything shows in it. A rotated page is not cropped reliably: not judged."""
    if page.get_rotation():
        return False
    left, bottom, right, top = (
        max(box[0], page_box[0]),
        max(box[1], page_box[1]),
        min(box[2], page_box[2]),
        min(box[3], page_box[3]),
    )
    if right - left < 1 or top - bottom < 1:
        return False
    crop = (left - page_box[0], bottom - page_box[1], page_box[2] - right, page_box[3] - top)
    image = page.render(scale=2, crop=crop, grayscale=True, may_draw_forms=False).to_pil()
    darkest, lightest = image.convert("L").getextrema()
    return lightest - darkest < FLAT_SPREAD


def _not_white(shape: _Obj, painted: _Painted) -> bool:
    """An image or shading, or a filled path of another colour (a stroked outline under the
    text does not make white glyphs readable)."""
    if shape.kind != pdfium.FPDF_PAGEOBJ_PATH:
        return True
    colour = painted.fill(shape)
    return colour is not None and min(colour[:3]) < NEAR_WHITE


_CHANNELS = 4


def _colour(getter, raw: int) -> tuple[int, int, int, int] | None:
    """(r, g, b, a) 0-255. The four out-parameters are one c_uint array: a call per text object
    of an ordinary page, so allocating four ctypes objects each time showed in the profile."""
    channels = (ctypes.c_uint * _CHANNELS)()
    base = ctypes.addressof(channels)
    size = ctypes.sizeof(ctypes.c_uint)
    if not getter(raw, base, base + size, base + 2 * size, base + 3 * size):
        return None
    return tuple(channels)


def _visible_chars(raw: int, textpage: pypdfium2.PdfTextPage) -> int:
    """Characters other than spaces in one text object (UTF-16LE with a terminator)."""
    get_text, page = _api().FPDFTextObj_GetText, _address(textpage.raw)
    size = get_text(raw, page, None, 0)
    if size <= 2:
        return 0
    buffer = ctypes.create_string_buffer(size)
    get_text(raw, page, ctypes.addressof(buffer), size)
    text = buffer.raw[: size - 2].decode("utf-16-le", errors="replace")
    return sum(1 for c in text if not c.isspace())


# ------------------------------------------------------------------------------ pdfium calls

_P, _F, _I = ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_int)
_SIGNATURES = {  # name: (argtypes, restype)
    "FPDFPage_CountObjects": ((_P,), ctypes.c_int),
    "FPDFPage_GetObject": ((_P, ctypes.c_int), _P),
    "FPDFFormObj_CountObjects": ((_P,), ctypes.c_int),
    "FPDFFormObj_GetObject": ((_P, ctypes.c_ulong), _P),
    "FPDFPageObj_GetType": ((_P,), ctypes.c_int),
    "FPDFPageObj_GetBounds": ((_P, _F, _F, _F, _F), ctypes.c_int),
    "FPDFPageObj_GetMatrix": ((_P, ctypes.POINTER(pdfium.FS_MATRIX)), ctypes.c_int),
    "FPDFPageObj_GetFillColor": ((_P, _P, _P, _P, _P), ctypes.c_int),
    "FPDFPageObj_GetStrokeColor": ((_P, _P, _P, _P, _P), ctypes.c_int),
    "FPDFPageObj_HasTransparency": ((_P,), ctypes.c_int),
    "FPDFPath_GetDrawMode": ((_P, _I, _I), ctypes.c_int),
    "FPDFTextObj_GetTextRenderMode": ((_P,), ctypes.c_int),
    "FPDFTextObj_GetText": ((_P, _P, _P, ctypes.c_ulong), ctypes.c_ulong),
}


@cache
def _api() -> SimpleNamespace:
    """Private prototypes of the few pdfium functions walked per object, taking and returning
    plain addresses (c_void_p): pypdfium2.raw's typed handles build a ctypes pointer object per
    call, which made walking a page with a QR code (~560 objects) 2.7x slower. Made on first
    use, not at import; pypdfium2's own prototypes are left as they are."""
    library = _libs["pdfium"]
    api = {}
    for name, (argtypes, restype) in _SIGNATURES.items():
        function = library[name]  # indexing gives a new function object: its types are ours alone
        function.argtypes, function.restype = argtypes, restype
        api[name] = function
    return SimpleNamespace(**api)


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


# ------------------------------------------------------------------------------ geometry

_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


MAX_FORM_DEPTH = 16  # forms nested deeper than this are not opened (pdfium stops drawing them too)


def _walk(
    parent,
    *,
    form: bool,
    matrix,
    start: int,
    paths: list | None = None,
    depth: int = 0,
) -> tuple[list[_Obj], list, int]:
    """Every object in paint order, Form XObjects opened, boxes in page space: (texts, images
    and shadings as _Obj; paths as bare (order, handle, matrix), boxed only if ever needed: a
    QR code drawn as vectors is hundreds of them). `order` is the paint position over the whole
    page (later objects paint over earlier ones); the last item is the order after the walk.
    The four floats pdfium writes the bounds into are allocated once per walk, not per object."""
    api = _api()
    count_objects, get_object = (
        (api.FPDFFormObj_CountObjects, api.FPDFFormObj_GetObject)
        if form
        else (api.FPDFPage_CountObjects, api.FPDFPage_GetObject)
    )
    get_type, get_bounds = api.FPDFPageObj_GetType, api.FPDFPageObj_GetBounds
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = (ctypes.pointer(left), ctypes.pointer(bottom), ctypes.pointer(right), ctypes.pointer(top))
    identity = matrix == _IDENTITY
    form_kind, path_kind = pdfium.FPDF_PAGEOBJ_FORM, pdfium.FPDF_PAGEOBJ_PATH
    out, paths = [], [] if paths is None else paths
    order = start
    add_path = paths.append
    for index in range(max(count_objects(parent), 0)):
        raw = get_object(parent, index)
        kind = get_type(raw) if raw else -1
        if kind == path_kind:
            add_path((order, raw, matrix))
        elif kind == form_kind:
            if depth < MAX_FORM_DEPTH:
                inner, _, order = _walk(
                    raw, form=True, matrix=_compose(_matrix(raw), matrix), start=order, paths=paths, depth=depth + 1
                )
                out += inner
            continue
        elif kind > 0 and get_bounds(raw, *refs):
            box = (left.value, bottom.value, right.value, top.value)
            out.append(_Obj(order, kind, box if identity else _transform(box, matrix), raw))
        order += 1
    return out, paths, order


def _bounds(raw: int) -> tuple[float, float, float, float] | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not _api().FPDFPageObj_GetBounds(raw, *(ctypes.pointer(v) for v in (left, bottom, right, top))):
        return None
    return left.value, bottom.value, right.value, top.value


def _matrix(raw) -> tuple[float, ...]:
    m = pdfium.FS_MATRIX()
    if not _api().FPDFPageObj_GetMatrix(raw, ctypes.pointer(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner, outer) -> tuple[float, ...]:
    """inner then outer (PDF row-vector convention: p' = p · inner · outer)."""
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _transform(box, matrix) -> tuple[float, float, float, float]:
    a, b, c, d, e, f = matrix
    left, bottom, right, top = box
    xs, ys = [], []
    for x, y in ((left, bottom), (left, top), (right, bottom), (right, top)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


def _outside(box, page_box) -> bool:
    return box[2] < page_box[0] or box[0] > page_box[2] or box[3] < page_box[1] or box[1] > page_box[3]


def _area(box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _overlap(one, other) -> float:
    width = min(one[2], other[2]) - max(one[0], other[0])
    height = min(one[3], other[3]) - max(one[1], other[1])
    return max(0.0, width) * max(0.0, height)
