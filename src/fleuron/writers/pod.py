"""Print-on-demand profiles: what KDP, IngramSpark and Lulu publish for a paperback's interior,
in one table, and what it changes in the book's layout (bleed, trim, margins by page count, no
crop marks, the PDF variant) and checks (page counts). Each figure's source is in README.md,
"Print-on-demand profiles".

The inside margin depends on the page count, which depends on the margins: `pipeline.render`
lays the book out with the margins of the smallest bracket, counts its pages, and lays it out
again only when the count falls in another bracket (`settled`).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import FleuronError
from ..messages import _
from ..units import MM_PER_INCH

if TYPE_CHECKING:
    from ..model import Document
    from .pdf import PrintOptions, Trim

log = logging.getLogger("fleuron")

#: The running head's band above the text block (`print.css`: 5 mm of padding and its line):
#: the top margin keeps it clear of the service's safety margin, which heads and folios respect.
HEAD_MM = 9.5
#: How far a trim may be from a service's size and still be it (mm): their sizes are given in
#: inches to two decimals (A5, 5.83 × 8.27 in, is 148.08 × 210.06 mm).
TOLERANCE_MM = 0.6


@dataclass(frozen=True)
class Service:
    """One service's rules for a black-and-white paperback interior (lengths in inches)."""

    name: str
    label: str
    #: (width, height) in inches, as the service lists them.
    trims: tuple[tuple[float, float], ...]
    #: (first page count, last page count, inside margin) brackets, in order.
    inside: tuple[tuple[int, int, float], ...]
    #: The least margin on the other three sides (with bleed), and the safety margin that text
    #: (folios and running heads included) must keep from the trim.
    outside: float
    min_pages: int
    #: The most pages on white paper (Fleuron's default paper).
    max_pages: int
    #: A custom trim range ((min width, max width), (min height, max height)), when it takes one.
    custom: tuple[tuple[float, float], tuple[float, float]] | None = None
    #: The PDF variant the service asks for; None leaves the book's.
    variant: str | None = None
    bleed: float = 0.125
    #: Whether the interior's bleed runs along the spine too. KDP and IngramSpark size an
    #: interior page trim + 0.125 in wide (bleed on the outside, top and bottom only: their
    #: formula); Lulu wants it on all four sides.
    spine_bleed: bool = False
    #: Lower maxima on another paper, as (front matter's `paper:`, most pages).
    max_pages_on: tuple[tuple[str, int], ...] = ()

    def most_pages(self, paper: str = "") -> int:
        """The most pages on `paper` (empty: white, as the front matter's `paper:` defaults)."""
        return dict(self.max_pages_on).get(paper.strip().lower(), self.max_pages)

    def inside_margin(self, pages: int) -> float:
        """The inside margin for a book of `pages` pages (the first bracket's below it, the
        last one's above it: the page-count check says what is wrong with those)."""
        for _first, last, margin in self.inside:
            if pages <= last:
                return margin
        return self.inside[-1][2]

    def accepts(self, trim: Trim) -> bool:
        sizes = [(w * MM_PER_INCH, h * MM_PER_INCH) for w, h in self.trims]
        if any(abs(trim.width - w) <= TOLERANCE_MM and abs(trim.height - h) <= TOLERANCE_MM for w, h in sizes):
            return True
        if self.custom is None:
            return False
        (min_w, max_w), (min_h, max_h) = self.custom
        return (
            min_w * MM_PER_INCH <= trim.width <= max_w * MM_PER_INCH
            and min_h * MM_PER_INCH <= trim.height <= max_h * MM_PER_INCH
        )

    def trims_shown(self) -> str:
        sizes = ", ".join(f"{w:g}×{h:g} in" for w, h in self.trims)
        if self.custom is not None:
            (min_w, max_w), (min_h, max_h) = self.custom
            sizes += _(
                "; or any width from {min_w:g} to {max_w:g} in and height from {min_h:g} to {max_h:g} in",
                min_w=min_w,
                max_w=max_w,
                min_h=min_h,
                max_h=max_h,
            )
        return sizes


# fmt: off
# Each figure's source page is in README.md, "Print-on-demand profiles".
SERVICES: dict[str, Service] = {
    "kdp": Service(
        name="kdp",
        label="Amazon KDP",
        trims=(
            (5, 8), (5.06, 7.81), (5.25, 8), (5.5, 8.5), (6, 9), (6.14, 9.21), (6.69, 9.61), (7, 10),
            (7.44, 9.69), (7.5, 9.25), (8, 10), (8.25, 6), (8.25, 8.25), (8.5, 8.5), (8.5, 11),
            (8.27, 11.69), (8.25, 11),
        ),
        inside=((24, 150, 0.375), (151, 300, 0.5), (301, 500, 0.625), (501, 700, 0.75), (701, 828, 0.875)),
        # With bleed (a profile always sets it); 0.25 in would do without.
        outside=0.375,
        min_pages=24,
        # Black ink on white paper; the 8.25 and 8.5 in wide trims and A4 stop lower (590-800),
        # none of them a trim of Fleuron's.
        max_pages=828,
        custom=((4, 8.5), (6, 11.69)),
        max_pages_on=(("cream", 776),),
    ),
    "ingramspark": Service(
        name="ingramspark",
        label="IngramSpark",
        trims=(
            (4, 6), (4.25, 7), (4.37, 7), (4.72, 7.48), (5, 7), (5, 8), (5.06, 7.81), (5.25, 8),
            (5.5, 8.25), (5.5, 8.5), (5.83, 8.27), (6, 9), (6.14, 9.21), (6.625, 10.25), (6.69, 9.61),
            (7, 10), (7.44, 9.69), (7.5, 9.25), (8, 8), (8, 10), (8.25, 11), (8.27, 11.69), (8.5, 8.5),
            (8.5, 11),
        ),
        inside=((18, 1200, 0.5),),
        outside=0.5,
        min_pages=18,
        # 50 lb white paper; 50 lb crème stops at 1050.
        max_pages=1200,
        variant="pdf/x-1a",
        max_pages_on=(("cream", 1050),),
    ),
    "lulu": Service(
        name="lulu",
        label="Lulu",
        trims=(
            (4.25, 6.87), (5.5, 8.5), (5.83, 8.27), (6, 9), (6.14, 9.21), (7, 10), (7.44, 9.68),
            (8.27, 11.69), (8.5, 8.5), (8.5, 11),
        ),
        # The 0.5 in safety margin plus Lulu's gutter addition for the page count. Its table
        # leaves 60 pages out ("less than 60", "61 to 150") and gives 400 to two rows: each
        # takes the wider margin.
        inside=((32, 59, 0.5), (60, 150, 0.625), (151, 399, 1.0), (400, 600, 1.125), (601, 800, 1.25)),
        outside=0.5,
        min_pages=32,
        max_pages=800,
        spine_bleed=True,
    ),
}
# fmt: on


def service(name: str, file: str | None = None) -> Service:
    found = SERVICES.get(name.strip().lower())
    if found is None:
        raise FleuronError(
            _(
                "unknown print-on-demand service '{name}'; choose among {choices}",
                name=name,
                choices=", ".join(SERVICES),
            ),
            file,
        )
    return found


def of(doc: Document, options: PrintOptions) -> Service | None:
    """The book's service: `--pod` (or fleuron.toml's [print] pod, given as a default of the
    front matter), else the front matter's `pod:`; None without one."""
    name = options.pod or doc.meta.pod
    if not name:
        return None
    source = doc.blocks[0].pos.file if doc.blocks and not options.pod else None
    return service(name, source)


@dataclass(frozen=True)
class Geometry:
    """What the book's layout takes from its profile."""

    trim: Trim
    bleed_mm: float
    marks: bool
    variant: str | None
    #: False: the pages' bleed is cut off along the spine (`Service.spine_bleed`).
    spine_bleed: bool = True


def geometry(doc: Document, options: PrintOptions, trim: Trim, bleed_mm: float) -> Geometry:
    """The book's trim (margins widened to the service's least ones for `options.pages`), bleed,
    marks and variant under its profile; as they are without one."""
    chosen = of(doc, options)
    if chosen is None:
        return Geometry(trim, bleed_mm, options.marks, options.variant)
    if not chosen.accepts(trim):
        raise FleuronError(
            _(
                "{service} does not print a {width:g}×{height:g} mm trim; it takes {trims}",
                service=chosen.label,
                width=trim.width,
                height=trim.height,
                trims=chosen.trims_shown(),
            )
        )
    variant = options.variant
    if chosen.variant is not None:
        if variant not in (None, chosen.variant):
            raise FleuronError(
                _(
                    "{service} takes {wanted}, not {variant}: drop --pdf-variant or choose {wanted}",
                    service=chosen.label,
                    wanted=chosen.variant,
                    variant=variant,
                )
            )
        variant = chosen.variant
    outside = chosen.outside * MM_PER_INCH
    margins = dataclasses.replace(
        trim,
        inner=max(trim.inner, chosen.inside_margin(options.pages) * MM_PER_INCH),
        outer=max(trim.outer, outside),
        top=max(trim.top, outside + HEAD_MM),
        bottom=max(trim.bottom, outside),
    )
    return Geometry(margins, chosen.bleed * MM_PER_INCH, False, variant, chosen.spine_bleed)


def settled(doc: Document, options: PrintOptions, pages: int) -> PrintOptions | None:
    """The options to lay the book out again with, when its `pages` pages fall in another bracket
    of its service's inside margins than the one it was laid out for; None when they do not
    (and then the page count is checked against the service's limits)."""
    from .pdf import BLEED_MM, trim_of

    chosen = of(doc, options)
    if chosen is None:
        return None
    trim = trim_of(doc, options)
    again = dataclasses.replace(options, pages=pages)
    if geometry(doc, again, trim, BLEED_MM).trim != geometry(doc, options, trim, BLEED_MM).trim:
        return again
    if options.marks:
        log.warning(_("{service} refuses crop marks: the book has none", service=chosen.label))
    for problem in page_count_problems(chosen, pages, doc.meta.paper):
        log.warning(problem)
    return None


def page_count_problems(chosen: Service, pages: int, paper: str = "") -> list[str]:
    """What the service says of `pages` pages on `paper` (empty: white)."""
    most = chosen.most_pages(paper)
    if pages < chosen.min_pages:
        return [_("{service} prints at least {count} pages; the book has {pages}", service=chosen.label,
                  count=chosen.min_pages, pages=pages)]  # fmt: skip
    if pages > most:
        return [_("{service} prints at most {count} pages; the book has {pages}", service=chosen.label,
                  count=most, pages=pages)]  # fmt: skip
    return []
