"""`fleuron preflight`: what a print shop would reject in a book PDF, as a list.

Given a PDF, it reads that file; given a manuscript (or a project), it lays the book out
through the pipeline first, in memory, and reads the result. The checks:

- `resolution`: an image under 300 ppi at the size it is printed (its file named when the
  manuscript is known, matched by its pixel size);
- `fonts`: a font not embedded;
- `boxes`: a page without TrimBox or BleedBox;
- `bleed`, `margin`: text past the trim (in the bleed) or within the safety margin: the
  service's margins (the inside one by page count) with a print-on-demand profile, 1/8 in
  otherwise; read with poppler's `pdftotext -bbox`, whose word boxes are the glyphs' own;
- `rgb`, `transparency`, `x-…`: for a PDF/X (or a profile that asks for one, IngramSpark's
  X-1a), what `writers/pdfx.py`'s check finds;
- `trim`, `pages`: a trim size or a page count the profile refuses.

pikepdf reads the file (content streams operator by operator, for the images' printed sizes).
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import FleuronError
from .messages import _
from .units import MM_PER_POINT
from .writers import pdfx, pod

#: The resolution below which a shop refuses a picture at its printed size.
MIN_PPI = 300
#: The safety margin without a profile: text 1/8 in inside the trim.
DEFAULT_SAFETY_IN = 0.125
#: How far past a margin a glyph's box may reach (pt): poppler's boxes include the font's
#: ascent and descent, which a letter at the very margin does not ink.
SLACK_PT = 0.5


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    #: 1-based; 0 for the whole file.
    page: int = 0

    def __str__(self) -> str:
        where = _("page {page}", page=self.page) if self.page else _("file")
        return f"{where}: {self.code}: {self.message}"


def preflight(
    target: Path | None, service: str | None = None, variant: str | None = None, *, allow_outside: bool = False
) -> list[Finding]:
    """What a shop would reject in the PDF `target`, or in the book of the manuscript `target`."""
    if target is not None and target.suffix.lower() == ".pdf":
        if not target.is_file():
            raise FleuronError(_("no such file; give a PDF or a manuscript"), str(target))
        return check_pdf(target.read_bytes(), pod.service(service) if service else None, variant)
    from .pipeline import load_book, plan, render
    from .writers.images import local_images

    request = plan(target, print_options=_options(service, variant), allow_outside=allow_outside)
    doc = load_book(request.sources, request.config.defaults)
    pdf, _pages = render(doc, ["pdf"], request.print_options)["pdf"]
    chosen = pod.of(doc, request.print_options)
    names: dict[tuple[int, int], list[str]] = {}
    for source, image in local_images(doc).items():
        names.setdefault(_pixel_size(image.path), []).append(source)
    return check_pdf(pdf, chosen, variant, {size: ", ".join(found) for size, found in names.items()})


def _options(service: str | None, variant: str | None) -> Any:
    from .writers.pdf import PrintOptions

    return PrintOptions(variant=variant, pod=service)


def _pixel_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(path) as picture:
            return picture.size
    except OSError:
        return (0, 0)


def check_pdf(
    pdf: bytes,
    service: pod.Service | None = None,
    variant: str | None = None,
    image_names: dict[tuple[int, int], str] | None = None,
) -> list[Finding]:
    import pikepdf

    try:
        document = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as error:
        raise FleuronError(_("not a PDF that can be read: {reason}", reason=error)) from None
    with document:
        variant = variant or (service.variant if service else None) or declared_variant(document)
        findings: list[Finding] = []
        if pdfx.is_pdfx(variant):
            assert variant is not None
            findings += [Finding(p.code, p.message, p.page) for p in pdfx.check(document, variant)]
        else:
            for number, page in enumerate(document.pages, start=1):
                findings += [Finding(code, message, number) for code, message in pdfx.page_problems(page, None)]
        findings += _profile_findings(document, service)
        for number, page in enumerate(document.pages, start=1):
            for width, height, ppi in image_resolutions(page):
                if ppi < MIN_PPI - 0.5:
                    name = (image_names or {}).get((width, height)) or _("an image of {width}×{height} px",
                                                                          width=width, height=height)  # fmt: skip
                    findings.append(Finding("resolution", _("{name}: {ppi:.0f} ppi at its printed size (300 needed)",
                                                            name=name, ppi=ppi), number))  # fmt: skip
        findings += _text_findings(pdf, document, service)
    return sorted(set(findings), key=lambda f: (f.page, f.code, f.message))


def declared_variant(document: Any) -> str | None:
    """The PDF/X variant a file declares (Info's GTS_PDFXVersion, else the XMP's), if any."""
    declared = str(document.docinfo.get("/GTS_PDFXVersion", "")) or str(
        document.open_metadata().get("pdfxid:GTS_PDFXVersion") or ""
    )
    for name, prefix in (("pdf/x-1a", "PDF/X-1a"), ("pdf/x-3", "PDF/X-3"), ("pdf/x-4", "PDF/X-4")):
        if declared.startswith(prefix):
            return name
    return None


def _profile_findings(document: Any, service: pod.Service | None) -> Iterator[Finding]:
    if service is None:
        return
    pages = len(document.pages)
    for problem in pod.page_count_problems(service, pages):
        yield Finding("pages", problem)
    if not pages:
        return
    trim = [float(v) for v in document.pages[0].obj.get("/TrimBox", document.pages[0].MediaBox)]
    width, height = (trim[2] - trim[0]) * MM_PER_POINT, (trim[3] - trim[1]) * MM_PER_POINT
    from .writers.pdf import Trim

    if not service.accepts(Trim(width, height, 0, 0, 0, 0, 0)):
        yield Finding("trim", _("{service} does not print a {width:g}×{height:g} mm trim; it takes {trims}",
                                service=service.label, width=round(width, 1), height=round(height, 1),
                                trims=service.trims_shown()))  # fmt: skip
    for number, page in enumerate(document.pages, start=1):
        if "/BleedBox" in page.obj and "/TrimBox" in page.obj:
            bleed = [float(v) for v in page.obj.BleedBox]
            trim_box = [float(v) for v in page.obj.TrimBox]
            widths = [trim_box[0] - bleed[0], trim_box[1] - bleed[1], bleed[2] - trim_box[2], bleed[3] - trim_box[3]]
            if any(abs(w - service.bleed * 72) > 0.5 for w in widths):
                yield Finding("bleed", _("the bleed is not {bleed:g} in on every side", bleed=service.bleed), number)


# --- Images -------------------------------------------------------------------------------


def image_resolutions(page: Any) -> Iterator[tuple[int, int, float]]:
    """Each image a page draws: its pixel size and its resolution (the lesser of the two axes)
    at the size the content stream's transformation matrix gives it, forms followed."""
    yield from _images_in(page, page.obj.get("/Resources"), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0)


Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _images_in(stream: Any, resources: Any, ctm: Matrix, depth: int) -> Iterator[tuple[int, int, float]]:
    import pikepdf

    if depth > 8 or resources is None:
        return
    stack: list[Matrix] = []
    xobjects = resources.get("/XObject", {})
    for instruction in pikepdf.parse_content_stream(stream, "q Q cm Do"):
        operator = str(instruction.operator)
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q" and stack:
            ctm = stack.pop()
        elif operator == "cm":
            ctm = _multiply(tuple(float(v) for v in instruction.operands), ctm)  # type: ignore[arg-type]
        elif operator == "Do" and instruction.operands[0] in xobjects:
            child = xobjects[instruction.operands[0]]
            if child.get("/Subtype") == "/Image":
                width, height = int(child.Width), int(child.Height)
                printed_w = math.hypot(ctm[0], ctm[1]) / 72
                printed_h = math.hypot(ctm[2], ctm[3]) / 72
                if printed_w > 0 and printed_h > 0:
                    yield width, height, min(width / printed_w, height / printed_h)
            elif child.get("/Subtype") == "/Form":
                matrix = tuple(float(v) for v in child.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                yield from _images_in(child, child.get("/Resources"), _multiply(matrix, ctm), depth + 1)  # type: ignore[arg-type]


# --- Text ---------------------------------------------------------------------------------


def _text_findings(pdf: bytes, document: Any, service: pod.Service | None) -> Iterator[Finding]:
    """Text past the trim or inside the safety margin, a finding per page and kind."""
    pages = len(document.pages)
    for number, words in enumerate(word_boxes(pdf), start=1):
        page = document.pages[number - 1]
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.MediaBox)]
        outside = (service.outside if service else DEFAULT_SAFETY_IN) * 72
        inside = (service.inside_margin(pages) if service else DEFAULT_SAFETY_IN) * 72
        # Odd pages are right-hand pages: their inside edge is on the left.
        left, right = (inside, outside) if number % 2 else (outside, inside)
        bled, close = [], []
        for text, x0, y0, x1, y1 in words:
            # poppler's y runs down from the media box's top; the PDF's up from its bottom.
            ux0, ux1 = media[0] + x0, media[0] + x1
            uy0, uy1 = media[3] - y1, media[3] - y0
            if (
                ux0 < trim[0] - SLACK_PT
                or ux1 > trim[2] + SLACK_PT
                or uy0 < trim[1] - SLACK_PT
                or uy1 > trim[3] + SLACK_PT
            ):
                bled.append(text)
            elif (
                ux0 < trim[0] + left - SLACK_PT
                or ux1 > trim[2] - right + SLACK_PT
                or uy0 < trim[1] + outside - SLACK_PT
                or uy1 > trim[3] - outside + SLACK_PT
            ):
                close.append(text)
        if bled:
            yield Finding("bleed", _("text past the trim: {words}", words=_shown(bled)), number)
        if close:
            margin = _("the safety margin ({outside:g} in; inside {inside:g} in)", outside=outside / 72,
                       inside=inside / 72)  # fmt: skip
            yield Finding("margin", _("text within {margin}: {words}", margin=margin, words=_shown(close)), number)


def _shown(words: list[str]) -> str:
    shown = " ".join(words[:8])
    return shown + (" …" if len(words) > 8 else "")


def word_boxes(pdf: bytes) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words and their boxes (pt, from the media box's top left), as poppler's
    `pdftotext -bbox` gives them."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise FleuronError(_("preflight needs poppler's pdftotext: install it with `apt-get install poppler-utils`"))
    with tempfile.TemporaryDirectory(prefix="fleuron-preflight-") as folder:
        source = Path(folder) / "book.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(
            [tool, "-bbox", "-nopgbrk", str(source), "-"], capture_output=True, check=False, timeout=600
        )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()
        raise FleuronError(_("pdftotext could not read the PDF: {reason}", reason=reason))
    root = etree.fromstring(done.stdout, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    pages = []
    for page in root.iter("{*}page"):
        words = []
        for word in page.iter("{*}word"):
            x0, y0, x1, y1 = (float(word.get(key, "0")) for key in ("xMin", "yMin", "xMax", "yMax"))
            words.append((word.text or "", x0, y0, x1, y1))
        pages.append(words)
    return pages
