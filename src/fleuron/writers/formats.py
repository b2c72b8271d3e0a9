"""The output formats, in one table: each one's name, file name, stylesheets, what it is made
from, and the function that makes it. The configuration's choices, the command line's help,
the incremental keys and the pipeline's rendering all read this table; a new output format is
one writer module and one entry here.

Light on purpose: `fleuron.toml` is validated against it before any writer is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Document
    from .layout import Laid
    from .pdf import PrintOptions

EPUB_STYLESHEETS = ("epub.css",)
BOOK_STYLESHEETS = ("text.css", "print.css")
HANDOUT_STYLESHEETS = ("text.css", "handout.css")
COVER_STYLESHEETS = ("cover.css",)

#: What formats are made from; a build makes each of these once, for all the formats that need it.
BOOK_HTML = "book html"  # the book's standalone HTML
BOOK_PAGES = "book pages"  # the book's layout, for the first text of each page
BOOK_PDF = "book pdf"  # the book's layout, written as a PDF
HANDOUT_PDF = "handout pdf"  # the handout's layout, written as a PDF
#: What the book's layout process is started for.
BOOK_LAYOUT = frozenset({BOOK_PAGES, BOOK_PDF})


@dataclass(frozen=True)
class Made:
    """What a build made once and shares between the formats that need it."""

    doc: Document
    html: str = ""
    book: Laid | None = None
    handout: Laid | None = None
    #: The print flags the build was given (the cover's geometry, the booklet's creep).
    options: PrintOptions | None = None


#: An output's bytes, and its page count when it has pages.
Rendered = tuple[bytes, int | None]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    #: Appended to the book's slug to name the file.
    suffix: str
    #: One line for the command line's help.
    description: str
    #: Every stylesheet the output depends on (an input of its incremental key).
    stylesheets: tuple[str, ...]
    needs: frozenset[str]
    make: Callable[[Made], Rendered]
    #: Built when neither `fleuron.toml` nor the command line names the formats.
    default: bool = True


def _epub(made: Made) -> Rendered:
    from .epub import epub_bytes  # ebooklib and lxml: only for an EPUB
    from .pagemap import page_breaks

    assert made.book is not None
    return epub_bytes(made.doc, page_breaks(made.doc, list(made.book.page_texts))), made.book.pages


def _book(made: Made) -> Rendered:
    assert made.book is not None
    return made.book.pdf, made.book.pages


def _handout(made: Made) -> Rendered:
    assert made.handout is not None
    return made.handout.pdf, made.handout.pages


def _html(made: Made) -> Rendered:
    return made.html.encode("utf-8"), None


def _cover(made: Made) -> Rendered:
    from .print_cover import cover_pdf  # WeasyPrint, in this process: one page

    assert made.book is not None
    return cover_pdf(made.doc, made.options, made.book.pages), 1


def _booklet(made: Made) -> Rendered:
    from .booklet import impose  # pikepdf

    assert made.book is not None
    pdf, sides = impose(made.book.pdf, creep_mm=made.options.creep if made.options else 0.0)
    return pdf, sides


FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        # The ebook's page list follows the book's pages: the book's stylesheets are inputs too.
        OutputFormat("epub", ".epub", "the EPUB 3 ebook", EPUB_STYLESHEETS + BOOK_STYLESHEETS,
                     frozenset({BOOK_HTML, BOOK_PAGES}), _epub),
        OutputFormat("pdf", ".pdf", "the book, ready for a print shop", BOOK_STYLESHEETS,
                     frozenset({BOOK_HTML, BOOK_PDF}), _book),
        OutputFormat("handout", "-handout.pdf", "the text on A4 for an office printer", HANDOUT_STYLESHEETS,
                     frozenset({HANDOUT_PDF}), _handout),
        OutputFormat("html", ".html", "the book's HTML, as WeasyPrint lays it out", BOOK_STYLESHEETS,
                     frozenset({BOOK_HTML}), _html, default=False),
        # The spine's width follows the book's page count: the book's stylesheets are inputs too.
        OutputFormat("cover", "-cover.pdf", "the printed book's full cover: back, spine and front",
                     COVER_STYLESHEETS + BOOK_STYLESHEETS, frozenset({BOOK_HTML, BOOK_PAGES}), _cover, default=False),
        OutputFormat("booklet", "-booklet.pdf", "the book's pages two per A4 side, to fold into a booklet",
                     BOOK_STYLESHEETS, frozenset({BOOK_HTML, BOOK_PDF}), _booklet, default=False),
    )
}  # fmt: skip
DEFAULT_FORMATS = tuple(name for name, fmt in FORMATS.items() if fmt.default)


def needs(formats: Iterable[str]) -> frozenset[str]:
    """What the given formats are made from, together (unknown names need nothing)."""
    return frozenset().union(*(FORMATS[name].needs for name in formats if name in FORMATS))


def unknown_format(names: Iterable[str]) -> str | None:
    """The message for the first of `names` that is no format, if any."""
    from ..messages import _

    unknown = [name for name in names if name not in FORMATS]
    if not unknown:
        return None
    return _("unknown format '{name}'; choose among {choices}", name=unknown[0], choices=", ".join(FORMATS))
