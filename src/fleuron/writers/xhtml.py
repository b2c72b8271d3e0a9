"""Model -> XHTML, the one serialization that the EPUB and the PDF both build on.

The markup follows markdown-it's own HTML (the same elements, the same footnote section) so
that a manuscript means the same thing here as in any CommonMark tool; it is XML-well-formed
(`<br />`, escaped text, no characters XML forbids) and its anchors are valid XML IDs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import assert_never

from ..model import (
    Attr,
    Block,
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    DefinitionList,
    Div,
    Document,
    Emph,
    Figure,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Inline,
    InlineStyle,
    LineBlock,
    Link,
    ListItem,
    Metadata,
    Note,
    OrderedList,
    PageBreak,
    Paragraph,
    RawBlock,
    RawInline,
    Ruby,
    SoftBreak,
    Span,
    Strong,
    Styled,
    Table,
    Text,
    ThematicBreak,
)
from ..walk import block_ids, block_inline_runs, iter_blocks, iter_inlines, plain_text
from .index import IndexMarks
from .labels import book_labels

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
Z3998 = "http://www.daisy.org/z3998/2012/vocab/structure/#"

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BACKREF_MARK = "\u21a9\ufe0e"  # ↩ with the text-style selector, as markdown-it writes it


def escape(text: str, quote: bool = False) -> str:
    text = _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


#: Each inline style's element, and the class that names it when the element alone does not.
STYLE_ELEMENTS: dict[InlineStyle, tuple[str, str | None]] = {
    "superscript": ("sup", None),
    "subscript": ("sub", None),
    "smallcaps": ("span", "smallcaps"),
    "underline": ("u", None),
    "strikeout": ("s", None),
    "mark": ("mark", None),
    "small": ("small", None),
    "cite": ("cite", None),
    "abbr": ("abbr", None),
}
_DATA_NAME = re.compile(r"[a-z_][a-z0-9_.-]*")

#: The classes of a `Div` that give it a book part's meaning: its element, its `epub:type`
#: (EPUB 3 Structural Semantics; verse from the Z39.98 vocabulary, as Standard Ebooks marks
#: it: the SSV has no verse) and its DPUB-ARIA role (none for verse: ARIA has no such role).
PARTS: dict[str, tuple[str, str, str | None]] = {
    "dedication": ("section", "dedication", "doc-dedication"),
    "epigraph": ("div", "epigraph", "doc-epigraph"),
    "foreword": ("section", "foreword", "doc-foreword"),
    "acknowledgments": ("section", "acknowledgments", "doc-acknowledgments"),
    "afterword": ("section", "afterword", "doc-afterword"),
    "verse": ("div", "z3998:verse", None),
}
#: The parts that stand apart from the chapters, where they are written: a part opening on a
#: right-hand page (print) or a document of their own (EPUB). The dedication and the book's
#: epigraph go before the contents.
STANDALONE_PARTS = ("foreword", "acknowledgments", "afterword")
#: The image attributes that size it (pandoc's `{width=50%}`), as CSS.
_SIZES = ("width", "height")


def part_kind(block: Block) -> str | None:
    """The book part a block is (`::: dedication`…), by its first class that names one."""
    if isinstance(block, Div):
        return next((c for c in block.attr.classes if c in PARTS), None)
    return None


def attr_html(attr: Attr, extra_class: str | None = None) -> str:
    """An `Attr` as HTML attributes: its id, its classes, `lang`, and its other pairs as
    `data-*` (the only names XHTML lets an author invent)."""
    classes = " ".join(c for c in (extra_class, *attr.classes) if c) or None
    lang = attr.get("lang") or None
    pairs = {
        f"data-{name}": value
        for name, value in attr.pairs
        if name != "lang" and _DATA_NAME.fullmatch(name) and not name.startswith("xml")
    }
    out = attrs(id=attr.identifier or None, class_=classes, lang=lang)
    if lang:
        out += attrs(xml_lang=lang).replace("xml_lang", "xml:lang")
    return out + "".join(attrs(**{name: value}) for name, value in pairs.items())


def attrs(**values: str | None) -> str:
    """` name="value"` pairs, skipping None; `class_` is written `class`."""
    return "".join(
        f' {name.rstrip("_")}="{escape(value, quote=True)}"' for name, value in values.items() if value is not None
    )


def xhtml_document(title: str, lang: str, body: str, head: str = "") -> str:
    """A complete XHTML5 document (also valid HTML), language marked for XML and HTML readers."""
    lang = escape(lang, quote=True)
    # The Z39.98 vocabulary (verse) is no default one of EPUB: its prefix is declared.
    prefix = f' epub:prefix="z3998: {Z3998}"' if 'epub:type="z3998:' in body else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}"{prefix} lang="{lang}" xml:lang="{lang}">\n'
        f'<head>\n<meta charset="utf-8" />\n<title>{escape(title)}</title>\n{head}</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def to_xhtml(doc: Document) -> str:
    """The document's body content as a well-formed XHTML fragment, notes at the end."""
    writer = XhtmlWriter(doc)
    return writer.blocks(doc.blocks) + writer.footnotes(writer.notes.entries)


# --- Footnote numbering ------------------------------------------------------------------


@dataclass
class NoteEntry:
    #: The number the reader sees (per chapter or through the book).
    number: int
    body: FootnoteDef | Note
    #: The anchors of the references to this note, in document order.
    ref_anchors: list[str] = field(default_factory=list)
    #: The note's place among all the book's notes: its anchors' number, unique in the book.
    sequence: int = 0
    #: The heading of the chapter that first calls it (None before the first chapter).
    chapter: Heading | None = None

    @property
    def anchor(self) -> str:
        return f"fn{self.sequence or self.number}"


def per_chapter(meta: Metadata) -> bool:
    """Notes are numbered per chapter unless the front matter says `note_numbering: book`, at the
    foot of the pages and at the end alike: endnotes are then grouped under their chapters'
    titles, as French books set them (`XhtmlWriter.footnotes`)."""
    return (meta.note_numbering or "chapter") == "chapter"


def opens_chapter(block: Block) -> bool:
    """A `#` or `##` heading opens a chapter: a new page in print, a new document in an EPUB."""
    return isinstance(block, Heading) and block.level <= 2


@dataclass
class NoteNumbering:
    """Notes are numbered in the order of their first reference, as markdown-it does; with
    `chapters`, the count starts again at each chapter (anchors stay unique in the book)."""

    entries: list[NoteEntry]
    by_label: dict[str, NoteEntry]
    #: For each reference node (keyed by identity: equal nodes are distinct references), its note
    #: and its own anchor.
    refs: dict[int, tuple[NoteEntry, str]]

    #: Where the count stands in the current chapter.
    counted: int = 0
    chapter: Heading | None = None

    @classmethod
    def of(cls, doc: Document, chapters: bool = False) -> NoteNumbering:
        definitions = {b.label: b for b in iter_blocks(doc.blocks) if isinstance(b, FootnoteDef)}
        numbering = cls([], {}, {})
        for top in doc.blocks:
            if opens_chapter(top):
                numbering.counted = 0 if chapters else numbering.counted
                numbering.chapter = top if isinstance(top, Heading) else None
            numbering.scan(top, definitions)
        return numbering

    def scan(self, top: Block, definitions: dict[str, FootnoteDef]) -> None:
        numbering = self
        for block in iter_blocks((top,)):
            for run in block_inline_runs(block):
                for inline in iter_inlines(run):
                    if isinstance(inline, FootnoteRef) and inline.label in definitions:
                        entry = numbering.by_label.get(inline.label)
                        if entry is None:
                            entry = numbering.add(definitions[inline.label])
                            numbering.by_label[inline.label] = entry
                        numbering.link(inline, entry)
                    elif isinstance(inline, Note):
                        numbering.link(inline, numbering.add(inline))

    def add(self, body: FootnoteDef | Note) -> NoteEntry:
        self.counted += 1
        entry = NoteEntry(self.counted, body, sequence=len(self.entries) + 1, chapter=self.chapter)
        self.entries.append(entry)
        return entry

    def link(self, ref: FootnoteRef | Note, entry: NoteEntry) -> None:
        n = len(entry.ref_anchors)
        anchor = f"fnref{entry.sequence}" + (f"-{n}" if n else "")
        entry.ref_anchors.append(anchor)
        self.refs[id(ref)] = (entry, anchor)


# --- Writer ------------------------------------------------------------------------------


class Anchors:
    """Where anchors live. In one file, `#anchor`; an EPUB, split into several documents,
    answers `other.xhtml#anchor` and learns from `place` where each note reference was written."""

    def href(self, anchor: str) -> str:
        return "#" + anchor

    def place(self, anchor: str) -> None:
        pass


class XhtmlWriter:
    """Renders the blocks and inlines of one document."""

    def __init__(
        self,
        doc: Document,
        anchors: Anchors | None = None,
        image_source: Callable[[str], str] = str,
        epub: bool = False,
        page_breaks: Mapping[int, list[tuple[int, str]]] | None = None,
        continuous_headings: bool = False,
        note_chapters: bool = False,
    ) -> None:
        self.doc = doc
        self.anchors = anchors or Anchors()
        self.href = self.anchors.href
        #: Print pages beginning in a block (by `iter_blocks` index): (text offset, page label).
        self.page_breaks = page_breaks or {}
        self.block_numbers = {id(block): n for n, block in enumerate(iter_blocks(doc.blocks))} if page_breaks else {}
        self._breaks: list[tuple[int, str]] = []  # those of the block being written, in order
        #: The print page each index mark falls on, as the page breaks written so far say.
        self.mark_pages: dict[str, str] = {}
        self._page = ""
        self._written = 0  # characters of text written so far in that block
        #: A book's outline may not skip a level (WCAG, PDF/UA): under the title (h1) a `###`
        #: that follows no `##` is set as h2, its own level kept as a class for the stylesheet.
        self.continuous_headings = continuous_headings
        self._last_level = 1
        self.image_source = image_source
        #: Add EPUB's `epub:type` semantics (reading systems show notes as pop-ups with them).
        self.epub = epub
        self.notes = NoteNumbering.of(doc, chapters=note_chapters)
        self.note_chapters = note_chapters
        #: Notes called in the text written so far whose text is not yet written (`popup_notes`).
        self.pending_notes: list[NoteEntry] = []
        self.words = book_labels(doc.meta)
        self.marks = IndexMarks.of(doc)
        #: Links to these are cross-references: headings, figures, tables.
        self.anchor_ids = target_ids(doc)
        self.target_texts = _target_texts(doc)
        #: Cross-references say the target's page (print) and number: set by the print writer.
        self.cross_references = False
        self._verse = False
        self.numbers, self.xref_labels = _numbers(doc, self.words.figure, self.words.table)
        figures = (b for b in iter_blocks(doc.blocks) if isinstance(b, Figure))
        self._figure_ranks = {id(figure): rank for rank, figure in enumerate(figures, 1)}

    # Blocks

    def blocks(self, blocks: Iterable[Block], tight: bool = False) -> str:
        return "".join(self.block(block, tight) for block in blocks)

    def block(self, block: Block, tight: bool = False) -> str:
        breaks = self.page_breaks.get(self.block_numbers.get(id(block), -1))
        if not breaks:
            return self._block(block, tight)
        if not isinstance(block, (Paragraph, Heading)):  # a page that begins at a list, a table…
            return "".join(self.page_break(label) for _, label in breaks) + self._block(block, tight)
        self._breaks, self._written = sorted(breaks, key=lambda b: b[0]), 0  # stable: pages keep their order
        html = self._block(block, tight)
        rest = "".join(self.page_break(label) for _, label in self._breaks)  # past the text's end
        self._breaks = []
        closing = html.rindex("</") if not tight else len(html.rstrip("\n"))
        return html[:closing] + rest + html[closing:]

    def page_break(self, label: str) -> str:
        self._page = label
        return page_break(label)

    def _block(self, block: Block, tight: bool = False) -> str:
        match block:
            case Paragraph(content=content) if self._verse:
                return self.stanza(content)
            case Paragraph(content=content):
                # Tight list items hold their text without <p>, as CommonMark renders them.
                return self.inlines(content) + "\n" if tight else f"<p>{self.inlines(content)}</p>\n"
            case Heading(level=level, content=content, identifier=identifier, classes=classes):
                level = min(max(level, 1), 6)
                shown, level_class = level, None
                if self.continuous_headings:
                    shown = min(level, self._last_level + 1)
                    level_class = f"level-{level}" if shown != level else None
                    self._last_level = shown
                class_ = " ".join(c for c in (level_class, *classes) if c) or None
                tag = f"h{shown}"
                return f"<{tag}{attrs(id=identifier or None, class_=class_)}>{self.inlines(content)}</{tag}>\n"
            case BulletList(items=items, tight=tight_list):
                return f"<ul>\n{self.items(items, tight_list)}</ul>\n"
            case OrderedList(items=items, start=start, tight=tight_list):
                start_attr = attrs(start=str(start) if start != 1 else None)
                return f"<ol{start_attr}>\n{self.items(items, tight_list)}</ol>\n"
            case BlockQuote(blocks=blocks):
                return f"<blockquote>\n{self.blocks(blocks)}</blockquote>\n"
            case CodeBlock(text=text, info=info):
                language = info.split(maxsplit=1)[0] if info.strip() else None
                class_ = "language-" + language if language else None
                return f"<pre><code{attrs(class_=class_)}>{escape(text)}</code></pre>\n"
            case ThematicBreak():
                # A scene break: the stylesheet draws the ornament; the label names it for a screen reader.
                label = attrs(class_="scene-break", **{"aria-label": self.words.scene_break})
                return f"<hr{label} />\n"
            case Table():
                return self.table(block)
            case FootnoteDef():
                return ""  # notes are gathered by `footnotes()`
            case Figure():
                return self.figure(block)
            case RawBlock(format=format, text=text):
                # Sanitized and made well-formed by the reader (`sanitize.py`); other formats are not ours.
                return text + "\n" if format == "html" and text else ""
            case Div(blocks=blocks, attr=attr):
                kind = part_kind(block)
                if kind is None:
                    return f"<div{attr_html(attr)}>\n{self.blocks(blocks)}</div>\n"
                tag, epub_type, role = PARTS[kind]
                meaning = attrs(role=role) + (f' epub:type="{epub_type}"' if self.epub else "")
                outer, self._verse = self._verse, kind == "verse"
                inner = self.blocks(blocks)
                self._verse = outer
                return f"<{tag}{attr_html(attr)}{meaning}>\n{inner}</{tag}>\n"
            case LineBlock(lines=lines):
                # One box per line, so that a long line can hang (verse); an empty line separates.
                written = "".join(f'<div class="line">{self.inlines(line) or "&#160;"}</div>\n' for line in lines)
                marked = ' epub:type="z3998:verse"' if self.epub and not self._verse else ""
                return f'<div class="line-block"{marked}>\n{written}</div>\n'
            case PageBreak():
                return '<div class="page-break"></div>\n'  # print starts a new page; an ebook shows nothing
            case DefinitionList(items=items):
                entries = "".join(
                    f"<dt>{self.inlines(item.term)}</dt>\n"
                    + "".join(
                        f"<dd>{self.blocks(d, tight=_one_paragraph(d)).rstrip(chr(10))}</dd>\n"
                        for d in item.definitions
                    )
                    for item in items
                )
                return f"<dl>\n{entries}</dl>\n"
            case _:
                assert_never(block)

    def stanza(self, content: Sequence[Inline]) -> str:
        """A paragraph of verse: each of its lines a box of its own (so that a long one hangs)."""
        lines: list[list[Inline]] = [[]]
        for inline in content:
            if isinstance(inline, SoftBreak | HardBreak):
                lines.append([])
            else:
                lines[-1].append(inline)
        written = "".join(f'<div class="line">{self.inlines(line) or "&#160;"}</div>\n' for line in lines)
        return f'<div class="stanza">\n{written}</div>\n'

    def figure(self, figure: Figure) -> str:
        """`figure` and `figcaption`; the anchor on the figure; its number before the caption.
        A caption that only repeats the image's description is hidden from screen readers,
        which read the description already (as pandoc does)."""
        image = figure.image
        number = self.numbers.get(id(figure))
        label = f'<span class="figure-number">{escape(self.words.figure)}\u00a0{number}.</span> ' if number else ""
        caption = self.inlines(figure.caption)
        hidden = "true" if caption and not number and plain_text(figure.caption) == alt_text(image.alt) else None
        hide = attrs(**{"aria-hidden": hidden})
        figcaption = f"<figcaption{hide}>{label}{caption}</figcaption>" if label or caption else ""
        own = attrs(id=self.figure_anchor(figure) or None)
        return (
            f"<figure{own}>{self.image(replace(image, attr=replace(image.attr, identifier='')))}{figcaption}</figure>\n"
        )

    def figure_anchor(self, figure: Figure) -> str:
        """A figure's anchor: its own (`{#fig:id}`) or, for the list of figures, one by its rank."""
        if figure.image.attr.identifier or not self.doc.meta.list_of_figures:
            return figure.image.attr.identifier
        return f"figure-{self._figure_ranks.get(id(figure), 0)}"

    def image(self, image: Image) -> str:
        src = self.image_source(image.source)
        sizes = ";".join(f"{name}:{_css_length(image.attr.get(name))}" for name in _SIZES if image.attr.get(name))
        rest = replace(image.attr, pairs=tuple((k, v) for k, v in image.attr.pairs if k not in _SIZES))
        extra = attrs(style=sizes or None)
        return f"<img{attrs(src=src, alt=alt_text(image.alt), title=image.title or None)}{attr_html(rest)}{extra} />"

    def items(self, items: Sequence[ListItem], tight: bool) -> str:
        return "".join(f"<li>{self.blocks(item.blocks, tight).removesuffix(chr(10))}</li>\n" for item in items)

    def table(self, table: Table) -> str:
        def row(cells: Sequence[tuple[Inline, ...]], tag: str) -> str:
            out = []
            for i, cell in enumerate(cells):
                align = table.aligns[i] if i < len(table.aligns) else "default"
                style = f"text-align:{align}" if align != "default" else None
                out.append(f"<{tag}{attrs(style=style)}>{self.inlines(cell)}</{tag}>\n")
            return "<tr>\n" + "".join(out) + "</tr>\n"

        body = "".join(row(cells, "td") for cells in table.rows)
        tbody = f"<tbody>\n{body}</tbody>\n" if table.rows else ""
        number = self.numbers.get(id(table))
        label = f'<span class="table-number">{escape(self.words.table)}\u00a0{number}.</span> ' if number else ""
        caption = f"<caption>{label}{self.inlines(table.caption)}</caption>\n" if table.caption else ""
        opening = f"<table{attrs(id=table.identifier or None)}>\n{caption}"
        return f"{opening}<thead>\n{row(table.header, 'th')}</thead>\n{tbody}</table>\n"

    # Inlines

    def inlines(self, run: Iterable[Inline]) -> str:
        return "".join(self.inline(inline) for inline in run)

    def inline(self, inline: Inline) -> str:
        match inline:
            case Text(text=text):
                return self.text(text)
            case Emph(content=content):
                return f"<em>{self.inlines(content)}</em>"
            case Strong(content=content):
                return f"<strong>{self.inlines(content)}</strong>"
            case Code(text=text):
                self._written += len(text)  # counted like text, for page breaks (pagemap.py)
                return f"<code>{escape(text)}</code>"
            case Link(content=content, target=target, title=title):
                return self.link(content, target, title)
            case Image():
                return self.image(inline)
            case SoftBreak():
                return "\n"
            case HardBreak():
                return "<br />\n"
            case FootnoteRef() | Note():
                return self.note_ref(inline)
            case RawInline(format=format, text=text):
                return text if format == "html" else ""
            case Styled(style=style, content=content, title=title):
                tag, class_ = STYLE_ELEMENTS[style]
                return f"<{tag}{attrs(class_=class_, title=title or None)}>{self.inlines(content)}</{tag}>"
            case Span(content=content, attr=attr):
                anchor = self.marks.anchors.get(id(inline))
                if anchor:  # an index mark: the index's locators link here
                    self.anchors.place(anchor)
                    if self._page:
                        self.mark_pages[anchor] = self._page
                    attr = replace(attr, identifier=anchor)
                return f"<span{attr_html(attr)}>{self.inlines(content)}</span>"
            case Ruby(base=base, annotation=annotation):
                # <rp> shows the reading in parentheses where ruby is not supported.
                return f"<ruby>{self.inlines(base)}<rp>(</rp><rt>{escape(annotation)}</rt><rp>)</rp></ruby>"
            case _:
                assert_never(inline)

    def text(self, text: str) -> str:
        if not self._breaks:
            return escape(text)
        out, start = [], 0
        while self._breaks and self._breaks[0][0] < self._written + len(text):
            offset, label = self._breaks.pop(0)
            cut = max(offset - self._written, start)
            while start < cut < len(text) and text[cut - 1].isalnum() and text[cut].isalnum():
                cut -= 1  # never inside a word: before it
            out += [escape(text[start:cut]), self.page_break(label)]
            start = cut
        self._written += len(text)
        return "".join(out) + escape(text[start:])

    def link_target(self, target: str) -> str:
        # A link to a heading, a figure or a table must follow it into whichever file holds it.
        if target.startswith("#") and target[1:] in self.anchor_ids:
            return self.href(target[1:])
        return target

    def link(self, content: Sequence[Inline], target: str, title: str) -> str:
        text = self.inlines(content)
        extra = ""
        anchor = target[1:] if target.startswith("#") and target[1:] in self.anchor_ids else ""
        number = self.xref_labels.get(anchor)
        if anchor and not text:
            # `[](#fig-id)`, `@fig:id`: the link says what it points to ("figure 3", or the
            # title, the caption), never nothing (a screen reader would read an empty link).
            text, number = escape(number or self.target_texts.get(anchor) or anchor), None
        if self.cross_references and anchor:
            # In print, the target's page (and number) follows the link (`text.css`, a.xref).
            extra = attrs(class_="xref", **{"data-page": self.words.page_abbr, "data-number": number})
        return f"<a{attrs(href=self.link_target(target), title=title or None)}{extra}>{text}</a>"

    def note_ref(self, ref: FootnoteRef | Note) -> str:
        found = self.notes.refs.get(id(ref))
        if found is None:  # a reference to a note that does not exist stays as typed
            return escape(f"[^{ref.label}]") if isinstance(ref, FootnoteRef) else ""
        entry, anchor = found
        self.anchors.place(anchor)
        index = entry.ref_anchors.index(anchor)
        if self.epub:  # a pop-up note: its text follows in this document (`popup_notes`)
            if index == 0:
                self.anchors.place(entry.anchor)
                self.pending_notes.append(entry)
            caption = str(entry.number)
        else:
            caption = f"[{entry.number}" + (f":{index}" if index else "") + "]"
        link = attrs(href=self.href(entry.anchor), id=anchor, role="doc-noteref")
        epub_type = ' epub:type="noteref"' if self.epub else ""
        return f'<sup class="footnote-ref"><a{link}{epub_type}>{caption}</a></sup>'

    # Notes

    def popup_notes(self) -> str:
        """The notes called since the last call, each in an `aside` that reading systems show
        as a pop-up (Apple Books, Kobo, Thorium, Kindle) and hide from the text where they can;
        after the text that calls them in the same document (Kobo opens a pop-up only for a
        note further on in the document), with a link back. Where no pop-up is shown, they read
        as the chapter's notes."""
        written = []
        while self.pending_notes:  # a note may call another
            entry = self.pending_notes.pop(0)
            number = attrs(href=self.href(entry.ref_anchors[0]), class_="footnote-label", role="doc-backlink")
            label = f"<a{number}>{entry.number}</a>.\u00a0"
            more = "".join(
                f" <a{attrs(href=self.href(a), class_='footnote-backref', role='doc-backlink')}>{_BACKREF_MARK}</a>"
                for a in entry.ref_anchors[1:]
            )
            body = self.blocks(note_blocks(entry))
            body = f"<p>{label}{body[3:]}" if body.startswith("<p>") else f"<p>{label}</p>\n{body}"
            if more:
                body = body.removesuffix("</p>\n") + f"{more}</p>\n" if body.endswith("</p>\n") else body + more
            aside = attrs(id=entry.anchor, class_="footnote", role="doc-footnote")
            written.append(f'<aside{aside} epub:type="footnote">\n{body}</aside>\n')
        return f'<div class="footnotes">\n{"".join(written)}</div>\n' if written else ""

    def footnotes(self, entries: Sequence[NoteEntry], heading: str = "") -> str:
        """The notes section, as markdown-it writes it after the text; with a `heading` (for a
        document of its own), titled instead of set off by a rule."""
        if not entries:
            return ""
        groups: list[tuple[Heading | None, list[NoteEntry]]] = []
        for entry in entries:
            # Numbered per chapter, a titled section groups its notes under each chapter's title.
            if not groups or (heading and self.note_chapters and entry.chapter is not groups[-1][0]):
                groups.append((entry.chapter, []))
            groups[-1][1].append(entry)
        lists = []
        for chapter, group in groups:
            items = "".join(self.footnote(entry) for entry in group)
            # The title as text: its marks and note calls are the chapter's own.
            title = plain_text(chapter.content) if chapter and len(groups) > 1 else ""
            group_title = f'<h3 class="notes-chapter">{escape(title)}</h3>\n' if title else ""
            start = attrs(start=str(group[0].number) if group[0].number != 1 else None)
            lists.append(f'{group_title}<ol class="footnotes-list"{start}>\n{items}</ol>\n')
        epub_type = ' epub:type="endnotes"' if self.epub else ""
        opening = f"<h2>{escape(heading)}</h2>\n" if heading else ""
        return (
            ("" if heading else '<hr class="footnotes-sep" />\n')
            + f'<section class="footnotes" role="doc-endnotes"{epub_type}>\n{opening}'
            + "".join(lists)
            + "</section>\n"
        )

    def footnote(self, entry: NoteEntry) -> str:
        backrefs = "".join(
            f" <a{attrs(href=self.href(anchor), class_='footnote-backref', role='doc-backlink')}>{_BACKREF_MARK}</a>"
            for anchor in entry.ref_anchors
        )
        blocks = note_blocks(entry)
        body = self.blocks(blocks)
        if blocks and isinstance(blocks[-1], Paragraph):
            # The way back goes inside the last paragraph, after its text.
            body = body.removesuffix("</p>\n") + f"{backrefs}</p>\n"
        else:
            body += backrefs
        return f"<li{attrs(id=entry.anchor, class_='footnote-item')}>{body}</li>\n"


def note_blocks(entry: NoteEntry) -> Sequence[Block]:
    return entry.body.blocks if isinstance(entry.body, FootnoteDef) else (Paragraph(entry.body.content),)


def target_ids(doc: Document) -> set[str]:
    """The anchors a link may point to: every id an element is written with (headings,
    figures, tables, divs, spans, images)."""
    return {identifier for block in iter_blocks(doc.blocks) for identifier in block_ids(block)}


def _target_texts(doc: Document) -> dict[str, str]:
    """What an empty link to an anchor says: the heading's title, the figure's or the table's
    caption, the span's text, a div's first words."""
    texts: dict[str, str] = {}
    for block in iter_blocks(doc.blocks):
        match block:
            case Heading(identifier=identifier, content=text) | Table(identifier=identifier, caption=text):
                texts[identifier] = plain_text(text)
            case Figure(image=image, caption=text):
                texts[image.attr.identifier] = plain_text(text)
            case Div(attr=attr, blocks=blocks) if attr.identifier:
                words = next((plain_text(r) for b in iter_blocks(blocks) for r in block_inline_runs(b)), "").split()
                texts[attr.identifier] = " ".join(words[:8]) + ("\u2026" if len(words) > 8 else "")
            case _:
                pass
        for run in block_inline_runs(block):
            for inline in iter_inlines(run):
                if isinstance(inline, Span) and inline.attr.identifier:
                    texts[inline.attr.identifier] = plain_text(inline.content)
    texts.pop("", None)
    return texts


def _numbers(doc: Document, figure: str, table: str) -> tuple[dict[int, int], dict[str, str]]:
    """With `figure_numbers`, each figure's and captioned table's number (by node identity),
    and what a cross-reference to one says ("figure 3"; nouns keep their capital in German)."""
    numbers: dict[int, int] = {}
    names: dict[str, str] = {}
    if not doc.meta.figure_numbers:
        return numbers, names
    capital = doc.meta.lang.lower().startswith("de")
    counts = {"figure": 0, "table": 0}
    for block in iter_blocks(doc.blocks):
        if isinstance(block, Figure):
            kind, word, identifier = "figure", figure, block.image.attr.identifier
        elif isinstance(block, Table) and block.caption:
            kind, word, identifier = "table", table, block.identifier
        else:
            continue
        counts[kind] += 1
        numbers[id(block)] = counts[kind]
        if identifier:
            names[identifier] = f"{word if capital else word.lower()}\u00a0{counts[kind]}"
    return numbers, names


def ornament_css(meta: Metadata) -> str:
    """The scene break's ornament, when the front matter chooses one (the stylesheets draw ⁂)."""
    if not meta.ornament.strip():
        return ""
    text = "".join(f"\\{ord(c):x} " if not c.isalnum() else c for c in meta.ornament.strip())
    return f'hr.scene-break::after {{ content: "{text}"; }}\n'


def _css_length(value: str) -> str:
    """pandoc's sizes: a bare number is in pixels; `50%`, `5cm`, `3in` are kept."""
    return value + "px" if value.replace(".", "", 1).isdigit() else value


def _one_paragraph(blocks: tuple[Block, ...]) -> bool:
    """A definition that is one paragraph is set without `<p>`, as a tight list item is."""
    return len(blocks) == 1 and isinstance(blocks[0], Paragraph)


def page_break(label: str) -> str:
    """Where a page of the print edition begins (EPUB page list, DPUB-ARIA)."""
    label = escape(label, quote=True)
    return f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"></span>'


def alt_text(run: Iterable[Inline]) -> str:
    """An image's alt text as CommonMark defines it: the text without markup, breaks as newlines."""
    parts: list[str] = []
    for inline in run:
        match inline:
            case Text(text=text) | Code(text=text):
                parts.append(text)
            case SoftBreak() | HardBreak():
                parts.append("\n")
            case (
                Emph(content=content) | Strong(content=content) | Link(content=content) | Styled(content=content)
                | Span(content=content) | Ruby(base=content)
            ):  # fmt: skip
                parts.append(alt_text(content))
            case Image(alt=alt):
                parts.append(alt_text(alt))
            case FootnoteRef() | Note() | RawInline():
                pass
            case _:
                assert_never(inline)
    return "".join(parts)
