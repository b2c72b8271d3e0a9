"""The printed book's full cover, `--format cover`: one page holding the back, the spine and the
front, laid out by WeasyPrint from `styles/cover.css` (a project's own wins) and the geometry
computed here. Not to be confused with `cover.py`, the ebook's cover image.

The figures, and where they come from:
- the trim is the book's (`pdf.trim_of`): width × 2 + the spine, by the book's height; the
  bleed is the book's on every side (3 mm, or a print-on-demand service's 0.125 in: `pod.py`),
  and so are the crop marks and the PDF variant (PDF/X: `pdfx.py`, through `layout.lay_out`);
  TrimBox and BleedBox are set as the book's are (`layout.py`'s finisher);
- the spine is the book's page count × the paper's thickness per page: 0.002252 in for white
  paper, 0.0025 in for cream (the figures KDP and IngramSpark publish for their papers), unless
  `paper_caliper_mm:` gives the paper's own;
- nothing is set within 6.35 mm (0.25 in, KDP's and IngramSpark's safety margin) of the trim or
  of the spine's folds, except the spine's own text, which keeps 1.6 mm (0.0625 in, KDP) from
  each fold;
- the spine carries text from 80 pages (KDP's threshold: a thinner spine is blank), reading bottom
  to top in French (and in the other continental languages), top to bottom in English;
- the barcode is the ISBN's EAN-13 at 100 % (`barcode.py`), in a white box at the back's lower right,
  the ISBN printed above it hyphenated by ISBN International's ranges (python-stdnum's copy of
  RangeMessage.xml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..model import Document
from ..units import MM_PER_INCH, MM_PER_POINT
from . import pod
from .barcode import LEFT_QUIET, MODULE_MM, MODULES, RIGHT_QUIET, ean13_svg
from .files import project_files
from .fonts import BookFonts, book_fonts
from .formats import COVER_STYLESHEETS
from .images import resolve_cover
from .layout import LayoutJob, lay_out
from .pdf import BLEED_MM, MARKS_MM, PrintOptions, Trim, print_head, trim_of
from .stylesheets import stylesheet
from .timestamp import release_time
from .xhtml import escape, xhtml_document

#: The paper's thickness per page (one side of a leaf), in inches, as the print-on-demand
#: services publish it for their papers.
PAPER_INCHES_PER_PAGE = {"white": 0.002252, "cream": 0.0025}
#: No text nearer than this to the trim or to a fold.
SAFETY_MM = 0.25 * MM_PER_INCH
#: The spine's text keeps this from each fold.
SPINE_FOLD_MM = 0.0625 * MM_PER_INCH
#: A thinner book's spine stays blank.
SPINE_TEXT_PAGES = 80
#: The spine's text, at most (pt), and the share of the spine's free width its line may take.
SPINE_FONT_PT = 11.0
_SPINE_LINE = 0.75
#: Languages whose spines read top to bottom; the others read bottom to top.
TOP_TO_BOTTOM = frozenset({"en"})
#: The barcode's guard bars (mm): shorter than the nominal 22.85 mm, as book covers print it.
BARCODE_HEIGHT_MM = 18.0


def page_thickness_mm(paper: str, caliper_mm: float = 0.0) -> float:
    """The thickness of one page (half a leaf) in mm: the given caliper, else the paper's figure."""
    if caliper_mm:
        return caliper_mm
    return PAPER_INCHES_PER_PAGE[paper or "white"] * MM_PER_INCH


@dataclass(frozen=True)
class CoverGeometry:
    """The cover's panels, in mm from the trimmed cover's left edge (the back's)."""

    trim: Trim
    pages: int
    spine: float
    bleed: float
    #: The book's crop marks and PDF variant (a print-on-demand service's, under its profile).
    marks: bool = False
    variant: str | None = None

    @property
    def width(self) -> float:
        return 2 * self.trim.width + self.spine

    @property
    def height(self) -> float:
        return self.trim.height

    @property
    def folds(self) -> tuple[float, float]:
        return self.trim.width, self.trim.width + self.spine

    @property
    def spine_text(self) -> bool:
        return self.pages >= SPINE_TEXT_PAGES


def cover_geometry(doc: Document, options: PrintOptions, pages: int) -> CoverGeometry:
    """The book's trim, bleed, marks and variant, as the book's layout has them (`pod.geometry`:
    a print-on-demand service's bleed and variant), and the spine of `pages` pages."""
    book = pod.geometry(doc, options, trim_of(doc, options), BLEED_MM)
    spine = pages * page_thickness_mm(doc.meta.paper, doc.meta.paper_caliper_mm)
    return CoverGeometry(book.trim, pages, spine, book.bleed_mm, book.marks, book.variant)


def cover_pdf(doc: Document, options: PrintOptions | None, pages: int) -> bytes:
    """The full cover of a book of `pages` pages, laid out in this process."""
    return lay_out(cover_job(doc, options or PrintOptions(), pages)).pdf


def cover_job(doc: Document, options: PrintOptions, pages: int) -> LayoutJob:
    fonts = book_fonts(doc)
    geometry = cover_geometry(doc, options, pages)
    files = [*fonts.paths, *([resolve_cover(doc).path] if doc.meta.cover else [])]
    families = (fonts.family, *sorted(fonts.families - {fonts.family}))
    release = int(release_time(doc.meta).timestamp())
    html = cover_html(doc, geometry, fonts)
    project = project_files(doc).with_files(files)
    return LayoutJob(html, project, families, geometry.variant, geometry.bleed, doc.meta.identifier + "#cover", release)


# --- The page ----------------------------------------------------------------------------


def cover_html(doc: Document, geometry: CoverGeometry, fonts: BookFonts) -> str:
    body = (
        '<div class="cover">\n'
        + _back(doc)
        + f'<section class="spine">{_spine(doc, geometry, fonts)}</section>\n'
        + _front(doc)
        + "</div>\n"
    )
    css = _geometry_css(geometry, doc.meta.lang) + "".join(stylesheet(doc, name) for name in COVER_STYLESHEETS)
    return xhtml_document(doc.meta.title, doc.meta.lang, body, print_head(doc, fonts, css))


def _geometry_css(geometry: CoverGeometry, lang: str) -> str:
    """The page and its three panels (positioned from the trim's top left corner); cover.css
    sets what is in them."""
    trim, bleed, spine, marks = geometry.trim, geometry.bleed, geometry.spine, geometry.marks
    fold, fold2 = geometry.folds
    # The spine's line, a quarter turned: laid out as long as the cover is high (less the
    # safety margins), then turned about its centre, which is the spine's.
    length = geometry.height - 2 * SAFETY_MM
    turn = "90deg" if lang.lower().split("-")[0] in TOP_TO_BOTTOM else "-90deg"
    return (
        f"@page {{ size: {geometry.width:.4f}mm {geometry.height}mm; bleed: {bleed + (MARKS_MM if marks else 0)}mm; "
        f"marks: {'crop cross' if marks else 'none'}; margin: 0; }}\n"
        f".back, .spine, .front {{ top: 0; height: {geometry.height}mm; }}\n"
        f".back {{ left: 0; width: {trim.width}mm; }}\n"
        f".spine {{ left: {fold}mm; width: {spine:.4f}mm; }}\n"
        f".front {{ left: {fold2:.4f}mm; width: {trim.width}mm; }}\n"
        f".front .art {{ top: -{bleed}mm; bottom: -{bleed}mm; right: -{bleed}mm; left: 0; "
        f"width: {trim.width + bleed}mm; height: {geometry.height + 2 * bleed}mm; }}\n"
        f".spine-line {{ width: {length}mm; height: {spine:.4f}mm; left: {(spine - length) / 2:.4f}mm; "
        f"top: {(geometry.height - spine) / 2:.4f}mm; transform: rotate({turn}); }}\n"
    )


def _back(doc: Document) -> str:
    meta = doc.meta
    # Paragraphs at blank lines; a line's end is a space (the typography's no-break spaces kept).
    paragraphs = [re.sub(r"[ \t]*\n[ \t]*", " ", par.strip(" \t\n")) for par in meta.back_cover.split("\n\n")]
    blurb = "".join(f"<p>{escape(par)}</p>\n" for par in paragraphs if par)
    parts = [f'<div class="blurb">\n{blurb}</div>\n'] if blurb else []
    if meta.price:
        parts.append(f'<p class="price">{escape(meta.price)}</p>\n')
    if meta.isbn:
        parts.append(_barcode(meta.isbn))
    return '<section class="back">\n' + "".join(parts) + "</section>\n"


def _barcode(isbn: str) -> str:
    """The EAN-13 in its white box: the hyphenated ISBN above, the digits below, in the
    places the symbology gives them (the first left of the bars, then two groups of six)."""
    from stdnum import isbn as isbn_ranges

    width = (LEFT_QUIET + MODULES + RIGHT_QUIET) * MODULE_MM

    def digits(text: str, start: int, modules: int) -> str:
        return (
            f'<span class="digits" style="left: {start * MODULE_MM:.3f}mm; width: {modules * MODULE_MM:.3f}mm">'
            f"{text}</span>"
        )

    human = (
        digits(isbn[0], 0, LEFT_QUIET - 1)
        + digits(isbn[1:7], LEFT_QUIET + 3, 42)
        + digits(isbn[7:], LEFT_QUIET + 3 + 42 + 5, 42)
    )
    return (
        f'<div class="barcode" style="width: {width:.3f}mm">\n'
        f'<p class="isbn">ISBN {escape(isbn_ranges.format(isbn))}</p>\n'
        f"{ean13_svg(isbn, BARCODE_HEIGHT_MM)}\n"
        f'<p class="human" aria-hidden="true">{human}</p>\n'
        "</div>\n"
    )


def _spine(doc: Document, geometry: CoverGeometry, fonts: BookFonts) -> str:
    if not geometry.spine_text:
        return ""
    meta = doc.meta
    author = ", ".join(meta.authors)
    text = meta.title + ("   " + author if author else "")
    size = _spine_font_size(text, geometry, _regular(fonts))
    author_html = f' <span class="spine-author">{escape(author)}</span>' if author else ""
    return (
        f'<div class="spine-line" style="font-size: {size:.2f}pt">'
        f'<span class="spine-title">{escape(meta.title)}</span>{author_html}</div>'
    )


def _spine_font_size(text: str, geometry: CoverGeometry, face: Path) -> float:
    """The largest size, up to `SPINE_FONT_PT`, at which the line fits the spine's width (its
    folds' margins kept) and its length."""
    across = (geometry.spine - 2 * SPINE_FOLD_MM) / MM_PER_POINT  # the room between the folds, in points
    size = min(SPINE_FONT_PT, across * _SPINE_LINE)
    along = (geometry.height - 2 * SAFETY_MM) / MM_PER_POINT
    length = _text_length(text, face) * size  # the author's small capitals are narrower than this
    if length > along:
        size *= along / length
    return max(size, 0.0)


@cache
def _text_length(text: str, face: Path) -> float:
    """The advance of `text` set at 1 pt in the face (in points)."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(face), 1000)
    return float(font.getlength(text)) / 1000


def _regular(fonts: BookFonts) -> Path:
    faces = {(face.role, face.style, face.weight): face.path for face in fonts.faces}
    return faces.get(("text", "normal", 400)) or next(f.path for f in fonts.faces if f.role == "text")


def _front(doc: Document) -> str:
    meta = doc.meta
    lines = [f'<h1 class="title">{escape(meta.title)}</h1>']
    if meta.subtitle:
        lines.append(f'<p class="subtitle">{escape(meta.subtitle)}</p>')
    plate = '<div class="plate">\n' + "\n".join(lines) + "\n</div>\n"
    authors = "".join(f'<p class="author">{escape(author)}</p>\n' for author in meta.authors)
    publisher = f'<p class="publisher">{escape(meta.publisher)}</p>\n' if meta.publisher else ""
    art = ""
    if meta.cover:
        art = f'<img class="art" src="{escape(resolve_cover(doc).path.as_uri(), True)}" alt="" />\n'
    kind = "front with-art" if art else "front"
    return (
        f'<section class="{kind}">\n{art}{plate}'
        f'<div class="authors">\n{authors}</div>\n<div class="foot">\n{publisher}</div>\n</section>\n'
    )
