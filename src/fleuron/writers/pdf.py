"""Model -> PDF, laid out by WeasyPrint: the book (trim, bleed, front matter, running heads) and
the A4 handout, from the XHTML writer's output and `styles/` (`text.css` shared by both, then
`print.css` or `handout.css`, the family in `fonts.toml`).

`book_html` is the exact standalone document WeasyPrint renders for the book (`--format html`
writes it). WeasyPrint may load only the manuscript's own images and the book's font files:
its URL fetcher refuses everything else, so no glyph comes from a font the project does not
name (a character none of its faces has is reported before the build). `book_job` and
`handout_job` say all that, and `layout.py` does it, in this process or in a second one.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import FleuronError
from ..messages import _
from ..model import (
    Block,
    Code,
    CodeBlock,
    Div,
    Document,
    Figure,
    FootnoteDef,
    FootnoteRef,
    Heading,
    LineBlock,
    Note,
    Paragraph,
    RawInline,
    Text,
)
from ..storage import write_atomically
from ..walk import block_inline_runs, iter_blocks, iter_inlines, plain_text
from . import pod, setlines
from .files import project_files
from .fonts import BookFonts, book_fonts
from .formats import BOOK_STYLESHEETS, HANDOUT_STYLESHEETS
from .images import local_images
from .index import END, START, has_marks, print_template, provisional
from .labels import Labels, book_labels
from .layout import LayoutJob, lay_out
from .setlines import Kind
from .stylesheets import default_styles_dir, stylesheet, stylesheet_path
from .timestamp import release_time
from .xhtml import (
    STANDALONE_PARTS,
    NoteEntry,
    XhtmlWriter,
    attrs,
    escape,
    note_blocks,
    opens_chapter,
    ornament_css,
    part_kind,
    per_chapter,
    xhtml_document,
)

log = logging.getLogger("fleuron")


BLEED_MM = 3.0
#: With crop marks, the sheet grows by this much on each side, so that the marks (drawn by
#: WeasyPrint in the outer half of that area) stay clear of the 3 mm bleed.
MARKS_MM = 12.0


@dataclass(frozen=True)
class Trim:
    """A book format: the trimmed page and its margins (mm), and the type size (pt)."""

    width: float
    height: float
    inner: float
    outer: float
    top: float
    bottom: float
    font_size: float

    @property
    def text_height(self) -> float:
        return self.height - self.top - self.bottom


#: Margins: a gutter wide enough for a glued binding, a wider outer margin, a deeper foot.
TRIMS: dict[str, Trim] = {
    "a5": Trim(148, 210, inner=18, outer=22, top=21, bottom=27, font_size=11),
    "6x9in": Trim(152.4, 228.6, inner=19, outer=23, top=22, bottom=29, font_size=11),
    "110x178mm": Trim(110, 178, inner=13, outer=15, top=16, bottom=21, font_size=9.5),
}
DEFAULT_TRIM = "a5"


@dataclass(frozen=True)
class PrintOptions:
    #: A key of `TRIMS`; None takes the front matter's `trim`, else A5.
    trim: str | None = None
    #: Crop and registration marks around the bleed, for the print shop that asks for them.
    marks: bool = False
    #: A WeasyPrint PDF variant (pdf/ua-1, pdf/a-3b…); None is `DEFAULT_VARIANT`.
    variant: str | None = None
    #: The booklet's creep compensation (mm): how far the innermost sheet's pages move towards the fold.
    creep: float = 0.0
    #: A print-on-demand service (kdp, ingramspark, lulu; `pod.py`); None takes the front matter's `pod`.
    pod: str | None = None
    #: The page count the service's inside margin is chosen for: 0 before the first layout.
    pages: int = 0


# --- The book ----------------------------------------------------------------------------


def trim_of(doc: Document, options: PrintOptions) -> Trim:
    name = options.trim or doc.meta.trim or DEFAULT_TRIM
    trim = TRIMS.get(name.lower())
    if trim is None:
        where = "--trim" if options.trim else _("the front matter's 'trim'")
        source = doc.blocks[0].pos.file if doc.blocks and not options.trim else None
        message = _(
            "unknown trim '{name}' in {where}; choose among {choices}", name=name, where=where, choices=", ".join(TRIMS)
        )
        raise FleuronError(message, source)
    return trim


def book_html(doc: Document, options: PrintOptions | None = None, fonts: BookFonts | None = None) -> str:
    options = options or PrintOptions()
    fonts = fonts or book_fonts(doc)
    words = book_labels(doc.meta)
    writer = PrintWriter(doc, image_source=_image_uri(doc))
    front, text = _front_matter(doc.blocks)
    body = (
        _title_page(doc)
        + _imprint(doc, fonts, words)
        + "".join(f'<div class="front-page">\n{writer.block(block)}</div>\n' for block in front)
        + _contents(doc, words)
        + _list_of_figures(doc, writer, words)
        + f"<main{attrs(class_='drop-caps' if doc.meta.drop_caps else None)}>\n"
        + "".join(
            f"<section{attrs(class_='part intro' if i == 0 and not _opens_part(group[0]) else 'part')}>\n"
            f"{writer.blocks(_drop_cap(group) if doc.meta.drop_caps else group)}</section>\n"
            for i, group in enumerate(_parts(text))
        )
        + _notes(writer, words)
        + _index(doc, words)
        + "</main>\n"
        + _colophon(doc, fonts, words)
    )
    shape = pod.geometry(doc, options, trim_of(doc, options), BLEED_MM)
    css = _book_geometry(shape.trim, shape.marks, shape.bleed_mm) + _stylesheets(doc, BOOK_STYLESHEETS)
    html = xhtml_document(doc.meta.title, doc.meta.lang, body, print_head(doc, fonts, css))
    trim = shape.trim
    return _set_lines(doc, html, fonts, "book", BOOK_STYLESHEETS, trim.width - trim.inner - trim.outer, trim.font_size)


def _drop_cap(part: tuple[Block, ...]) -> tuple[Block, ...]:
    """The part with its first paragraph's first letter in a `drop-cap` span, when the part
    opens with a chapter's heading (an epigraph may stand between them)."""
    if not part or not opens_chapter(part[0]):
        return part
    for number, block in enumerate(part[1:], 1):
        if part_kind(block) == "epigraph":
            continue
        if isinstance(block, Paragraph) and block.content and isinstance(block.content[0], Text):
            text = block.content[0].text
            if text[:1].isalpha():
                letter = RawInline("html", f'<span class="drop-cap">{escape(text[0])}</span>')
                content = (letter, Text(text[1:]), *block.content[1:])
                return (*part[:number], dataclasses.replace(block, content=content), *part[number + 1 :])
        return part
    return part


def _front_matter(blocks: tuple[Block, ...]) -> tuple[list[Block], tuple[Block, ...]]:
    """The parts printed before the contents, each on a right-hand page of its own: the
    dedication, wherever it is written, and an epigraph at the head of the text (the book's;
    an epigraph after a heading heads its chapter). The rest is the text, in order."""
    front: list[Block] = []
    text: list[Block] = []
    for block in blocks:
        kind = part_kind(block)
        if kind == "dedication" or (kind == "epigraph" and not text):
            front.append(block)
        else:
            text.append(block)
    return front, tuple(text)


def _opens_part(block: Block) -> bool:
    return opens_chapter(block) or part_kind(block) in STANDALONE_PARTS


def _parts(blocks: tuple[Block, ...]) -> list[tuple[Block, ...]]:
    """The text cut before each `#` or `##` heading, and around a foreword, acknowledgments or
    afterword: each part opens on a right-hand page."""
    parts: list[list[Block]] = [[]]
    after_part = False
    for block in blocks:
        if (_opens_part(block) or after_part) and parts[-1]:
            parts.append([])
        parts[-1].append(block)
        after_part = part_kind(block) in STANDALONE_PARTS
    # A part of nothing but note definitions (printed with the notes) would be a blank opening.
    return [tuple(part) for part in parts if not all(isinstance(b, FootnoteDef) for b in part)]


def _title_page(doc: Document) -> str:
    authors = "".join(f'<p class="author">{escape(author)}</p>\n' for author in doc.meta.authors)
    return f'<section class="titlepage">\n{authors}<h1 class="title">{escape(doc.meta.title)}</h1>\n</section>\n'


def _imprint(doc: Document, fonts: BookFonts, words: Labels) -> str:
    meta = doc.meta
    colon = words.colon
    day = meta.date or release_time(meta).date()
    lines = [f'<p class="imprint-title">{escape(meta.title)}</p>']
    lines += [f"<p>{escape(author)}</p>" for author in meta.authors]
    if meta.rights:
        lines.append(f"<p>{escape(meta.rights)}</p>")
    lines.append(f'<p>{words.identifier}{colon} <span class="identifier">{escape(meta.identifier)}</span></p>')
    lines.append(f"<p>{words.published}{colon} {words.long_date(day)}</p>")
    return '<section class="imprint">\n<div class="imprint-text">\n' + "\n".join(lines) + "\n</div>\n</section>\n"


def _colophon(doc: Document, fonts: BookFonts, words: Labels) -> str:
    day = doc.meta.date or release_time(doc.meta).date()
    return (
        '<section class="end">\n<div class="colophon">\n'
        f"<p>{escape(words.set_in.format(family=fonts.family))}</p>\n"
        f"<p>{words.finished.format(date=words.long_date(day))}</p>\n</div>\n</section>\n"
    )


def _contents(doc: Document, words: Labels) -> str:
    """The table of contents: parts and their sections (those of a foreword or an afterword
    too), then the notes and the index; page numbers filled in by WeasyPrint."""
    entries = []
    for block in _front_matter(doc.blocks)[1]:
        inner = iter_blocks(block.blocks) if part_kind(block) in STANDALONE_PARTS and isinstance(block, Div) else ()
        for heading in (block, *inner):
            if isinstance(heading, Heading) and heading.level <= 3 and heading.identifier:
                kind = "toc-part" if heading.level <= 2 else "toc-section"
                link = f'<a href="#{escape(heading.identifier, True)}">{escape(plain_text(heading.content))}</a>'
                entries.append(f'<li class="{kind}">{link}</li>\n')
    if _has_notes(doc) and doc.meta.notes == "end":
        entries.append(f'<li class="toc-part"><a href="#fleuron-notes">{words.notes}</a></li>\n')
    if has_marks(doc):
        entries.append(f'<li class="toc-part"><a href="#fleuron-index">{words.index}</a></li>\n')
    if not entries:
        return ""
    return (
        '<nav class="toc" role="doc-toc" aria-labelledby="fleuron-toc">\n'
        f'<h2 class="toc-title" id="fleuron-toc">{words.contents}</h2>\n<ol>\n{"".join(entries)}</ol>\n</nav>\n'
    )


def _list_of_figures(doc: Document, writer: XhtmlWriter, words: Labels) -> str:
    """With `list_of_figures`, the figures with their captions and pages, after the contents."""
    if not doc.meta.list_of_figures:
        return ""
    entries = []
    for block in iter_blocks(doc.blocks):
        if isinstance(block, Figure) and block.caption:
            number = writer.numbers.get(id(block))
            label = f"{escape(words.figure)}\u00a0{number}. " if number else ""
            href = escape(writer.figure_anchor(block), True)
            caption = escape(plain_text(block.caption))
            entries.append(f'<li class="toc-part"><a href="#{href}">{label}{caption}</a></li>\n')
    if not entries:
        return ""
    return (
        '<nav class="toc lof" aria-labelledby="fleuron-lof">\n'
        f'<h2 class="toc-title" id="fleuron-lof">{words.list_of_figures}</h2>\n<ol>\n{"".join(entries)}</ol>\n</nav>\n'
    )


def _has_notes(doc: Document) -> bool:
    return any(
        isinstance(inline, FootnoteRef | Note)
        for block in iter_blocks(doc.blocks)
        for run in block_inline_runs(block)
        for inline in iter_inlines(run)
    )


def _notes(writer: XhtmlWriter, words: Labels) -> str:
    """The endnotes (`notes: end`); at the foot of the pages, the notes are in the text."""
    if not writer.notes.entries or writer.doc.meta.notes != "end":
        return ""
    notes = writer.footnotes(writer.notes.entries, heading=words.notes)
    return f'<section class="part notes" id="fleuron-notes">\n{notes}</section>\n'


def _index(doc: Document, words: Labels) -> str:
    """The index, in two columns; its page numbers are the layout's (`index.py`)."""
    template = print_template(doc)
    if not template:
        return ""
    return (
        f'<section class="part index" id="fleuron-index" role="doc-index">\n<h2>{words.index}</h2>\n'
        f'<ul class="index-groups">{START}{provisional(template)}{END}</ul>\n</section>\n'
    )


def _book_geometry(trim: Trim, marks: bool, bleed_mm: float = BLEED_MM) -> str:
    """The page set-up of one trim: size, bleed, marks, mirrored margins, type size."""
    bleed = bleed_mm + (MARKS_MM if marks else 0)
    return (
        f"@page {{ size: {trim.width}mm {trim.height}mm; bleed: {bleed}mm; "
        f"marks: {'crop cross' if marks else 'none'}; margin-top: {trim.top}mm; margin-bottom: {trim.bottom}mm; }}\n"
        f"@page :left {{ margin-left: {trim.outer}mm; margin-right: {trim.inner}mm; }}\n"
        f"@page :right {{ margin-left: {trim.inner}mm; margin-right: {trim.outer}mm; }}\n"
        f"html {{ font-size: {trim.font_size}pt; }}\n"
        # The title, imprint and colophon pages place their text within the full height of the page.
        f".titlepage, .imprint, .end {{ height: {trim.text_height - 1:.1f}mm; }}\n"
    )


class PrintWriter(XhtmlWriter):
    """The XHTML writer for print: note calls as superior figures without brackets, each note
    at the foot of the page that calls it (`float: footnote`, `text.css`) unless the front
    matter asks for endnotes, and cross-references that say the target's page."""

    def __init__(self, doc: Document, image_source: Callable[[str], str] = str, chapters: bool | None = None) -> None:
        chapters = per_chapter(doc.meta) if chapters is None else chapters
        super().__init__(doc, image_source=image_source, note_chapters=chapters)
        self.cross_references = True
        self.foot = doc.meta.notes != "end"

    def note_ref(self, ref: FootnoteRef | Note) -> str:
        found = self.notes.refs.get(id(ref))
        if found is None:
            return super().note_ref(ref)
        entry, anchor = found
        if self.foot and entry.ref_anchors[0] == anchor:
            # The note itself, where it is called: WeasyPrint moves it to the page's foot and
            # leaves its call (`::footnote-call`) here.
            number = {"data-number": str(entry.number)}
            return f"<span{attrs(class_='footnote', id=entry.anchor, **number)}>{self.foot_note(entry)}</span>"
        link = attrs(href=self.href(entry.anchor), id=anchor, role="doc-noteref")
        return f'<sup class="footnote-ref"><a{link}>{entry.number}</a></sup>'

    def foot_note(self, entry: NoteEntry) -> str:
        """A note's text inside its call's paragraph: phrasing content only (a `<p>` there
        would close the paragraph), each paragraph of the note a block span."""
        paragraphs = []
        for block in iter_blocks(tuple(note_blocks(entry))):
            match block:
                case Paragraph(content=content):
                    paragraphs.append(self.inlines(content))
                case LineBlock(lines=lines):
                    paragraphs.append("<br />".join(self.inlines(line) for line in lines))
                case CodeBlock(text=code):
                    paragraphs.append(f"<code>{escape(code)}</code>")
                case _:
                    pass
        return "".join(f'<span class="footnote-p">{text}</span>' for text in paragraphs)


# --- The handout -------------------------------------------------------------------------


def handout_html(doc: Document, fonts: BookFonts | None = None) -> str:
    """The same text on A4 for an office printer: a title block, then the text, no breaks forced."""
    fonts = fonts or book_fonts(doc)
    meta = doc.meta
    words = book_labels(doc.meta)
    # No chapter opens a page here: notes run through the text unless told to start again.
    writer = PrintWriter(doc, image_source=_image_uri(doc), chapters=meta.note_numbering == "chapter")
    block = [f'<h1 class="title">{escape(meta.title)}</h1>']
    block += [f'<p class="author">{escape(author)}</p>' for author in meta.authors]
    if meta.description:
        block.append(f'<p class="description">{escape(meta.description)}</p>')
    block.append(f'<p class="date">{words.long_date(meta.date or release_time(meta).date())}</p>')
    end = writer.notes.entries and meta.notes == "end"
    notes = writer.footnotes(writer.notes.entries, heading=words.notes) if end else ""
    body = (
        '<header class="title-block">\n' + "\n".join(block) + "\n</header>\n"
        f"<main{attrs(class_='drop-caps' if meta.drop_caps else None)}>\n{writer.blocks(doc.blocks)}{notes}"
        f"{_index(doc, words)}</main>\n"
    )
    html = xhtml_document(meta.title, meta.lang, body, print_head(doc, fonts, _stylesheets(doc, HANDOUT_STYLESHEETS)))
    return _set_lines(doc, html, fonts, "handout", HANDOUT_STYLESHEETS, *HANDOUT_TEXT)


#: The handout's text block width (mm) and type size (pt), as `handout.css` sets them: A4, 33 mm
#: side margins, 12 pt.
HANDOUT_TEXT = (210.0 - 2 * 33.0, 12.0)


# --- Shared ------------------------------------------------------------------------------


def _set_lines(
    doc: Document, html: str, fonts: BookFonts, kind: Kind, sheets: tuple[str, ...], width_mm: float, size: float
) -> str:
    """The paragraphs broken by total fit (`setlines.py`) unless the book asks for `greedy`.
    With Fleuron's own stylesheets the frame is known from the geometry; a project's own are
    read by a probe of WeasyPrint."""
    if doc.meta.line_breaking == "greedy":
        return html
    own = all(stylesheet_path(doc, name).parent == default_styles_dir() for name in sheets)
    frame = setlines.frame(width_mm, size, kind == "book") if own else None
    return setlines.set_lines(html, fonts, kind, frame)


def _image_uri(doc: Document) -> Callable[[str], str]:
    images = local_images(doc)
    return lambda source: images[source].path.as_uri() if source in images else source


def _stylesheets(doc: Document, names: tuple[str, ...]) -> str:
    return "".join(stylesheet(doc, name) for name in names) + ornament_css(doc.meta)


def print_head(doc: Document, fonts: BookFonts, css: str) -> str:
    """The `<head>` of a print document (the book, the handout, the cover): the PDF's metadata
    and its stylesheets after the book's fonts."""
    meta = doc.meta
    stamp = release_time(meta).strftime("%Y-%m-%dT%H:%M:%SZ")
    # WeasyPrint turns these into the PDF's metadata (title comes from <title>, language from lang).
    head_meta = {
        "description": meta.description,
        "keywords": ", ".join(meta.keywords),
        "author": ", ".join(meta.authors),
        "dcterms.created": stamp,
        "dcterms.modified": stamp,
        "generator": "Fleuron",
    }
    head = "".join(
        f'<meta name="{name}" content="{escape(value, True)}" />\n' for name, value in head_meta.items() if value
    )
    return head + f"<style>\n{fonts.css()}{css}</style>\n"


def write_pdf(doc: Document, path: Path, options: PrintOptions | None = None) -> None:
    write_atomically(path, pdf_bytes(doc, options))


def pdf_bytes(doc: Document, options: PrintOptions | None = None, *, html: str | None = None) -> bytes:
    """The book, laid out in this process. `html`, when given, is `book_html(doc, options)` already made."""
    return lay_out(book_job(doc, options, html=html)).pdf


def book_job(
    doc: Document, options: PrintOptions | None = None, *, html: str | None = None, write: bool = True
) -> LayoutJob:
    """What laying out the book needs (`layout.py`), in this process or another."""
    options = options or PrintOptions()
    fonts = book_fonts(doc)
    html = html or book_html(doc, options, fonts)
    shape = pod.geometry(doc, options, trim_of(doc, options), BLEED_MM)  # a service's bleed and variant
    job = _job(doc, html, fonts, replace(options, variant=shape.variant), shape.bleed_mm, doc.meta.identifier, write)
    return replace(job, spine_bleed=shape.spine_bleed)


def handout_job(doc: Document, options: PrintOptions | None = None) -> LayoutJob:
    options = options or PrintOptions()
    fonts = book_fonts(doc)
    return _job(doc, handout_html(doc, fonts), fonts, options, 0.0, doc.meta.identifier + "#handout", True)


def _job(
    doc: Document, html: str, fonts: BookFonts, options: PrintOptions, bleed_mm: float, key: str, write: bool
) -> LayoutJob:
    _report_missing_glyphs(doc, fonts)
    images = [image.path for image in local_images(doc).values()]
    project = project_files(doc).with_files([*images, *fonts.paths])
    families = (fonts.family, *sorted(fonts.families - {fonts.family}))
    release = int(release_time(doc.meta).timestamp())
    index = print_template(doc) if has_marks(doc) else ()
    return LayoutJob(html, project, families, options.variant, bleed_mm, key, release, write, index)


def _report_missing_glyphs(doc: Document, fonts: BookFonts) -> None:
    """Warn, at its line, about a character that none of the book's faces can draw."""
    text = fonts.text_coverage()
    mono = fonts.mono_coverage() or text
    reported: set[str] = set()
    for block in iter_blocks(doc.blocks):
        found: list[tuple[str, frozenset[int]]] = []
        if isinstance(block, CodeBlock):
            found.append((block.text, mono))
        for run in block_inline_runs(block):
            for inline in iter_inlines(run):
                if isinstance(inline, Code):
                    found.append((inline.text, mono))
                elif isinstance(inline, Text):
                    found.append((inline.text, text))
        for chars, coverage in found:
            for char in chars:
                if ord(char) not in coverage and not char.isspace() and char not in reported:
                    reported.add(char)
                    message = _(
                        "{file}:{line}: {char!r} (U+{code:04X}) is not in the book's font {family}; "
                        "it would come from another font",
                        file=block.pos.file,
                        line=block.pos.line,
                        char=char,
                        code=ord(char),
                        family=fonts.family,
                    )
                    log.warning(message)
