"""Model -> XHTML, the one serialization that the EPUB and the PDF both build on.

The markup follows markdown-it's own HTML (the same elements, the same footnote section) so
that a manuscript means the same thing here as in any CommonMark tool; it is XML-well-formed
(`<br />`, escaped text, no characters XML forbids) and its anchors are valid XML IDs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
from ..walk import block_inline_runs, iter_blocks, iter_inlines

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"

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
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{lang}" xml:lang="{lang}">\n'
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
    number: int
    body: FootnoteDef | Note
    #: The anchors of the references to this note, in document order.
    ref_anchors: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"fn{self.number}"


@dataclass
class NoteNumbering:
    """Notes are numbered in the order of their first reference, as markdown-it does."""

    entries: list[NoteEntry]
    by_label: dict[str, NoteEntry]
    #: For each reference node (keyed by identity: equal nodes are distinct references), its note
    #: and its own anchor.
    refs: dict[int, tuple[NoteEntry, str]]

    @classmethod
    def of(cls, doc: Document) -> NoteNumbering:
        definitions = {b.label: b for b in iter_blocks(doc.blocks) if isinstance(b, FootnoteDef)}
        numbering = cls([], {}, {})
        for block in iter_blocks(doc.blocks):
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
        return numbering

    def add(self, body: FootnoteDef | Note) -> NoteEntry:
        entry = NoteEntry(len(self.entries) + 1, body)
        self.entries.append(entry)
        return entry

    def link(self, ref: FootnoteRef | Note, entry: NoteEntry) -> None:
        n = len(entry.ref_anchors)
        anchor = f"fnref{entry.number}" + (f"-{n}" if n else "")
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
    ) -> None:
        self.doc = doc
        self.anchors = anchors or Anchors()
        self.href = self.anchors.href
        #: Print pages beginning in a block (by `iter_blocks` index): (text offset, page label).
        self.page_breaks = page_breaks or {}
        self.block_numbers = {id(block): n for n, block in enumerate(iter_blocks(doc.blocks))} if page_breaks else {}
        self._breaks: list[tuple[int, str]] = []  # those of the block being written, in order
        self._written = 0  # characters of text written so far in that block
        #: A book's outline may not skip a level (WCAG, PDF/UA): under the title (h1) a `###`
        #: that follows no `##` is set as h2, its own level kept as a class for the stylesheet.
        self.continuous_headings = continuous_headings
        self._last_level = 1
        self.image_source = image_source
        #: Add EPUB's `epub:type` semantics (reading systems show notes as pop-ups with them).
        self.epub = epub
        self.notes = NoteNumbering.of(doc)
        self.heading_ids = {b.identifier for b in iter_blocks(doc.blocks) if isinstance(b, Heading)}

    # Blocks

    def blocks(self, blocks: Iterable[Block], tight: bool = False) -> str:
        return "".join(self.block(block, tight) for block in blocks)

    def block(self, block: Block, tight: bool = False) -> str:
        breaks = self.page_breaks.get(self.block_numbers.get(id(block), -1))
        if not breaks:
            return self._block(block, tight)
        if not isinstance(block, (Paragraph, Heading)):  # a page that begins at a list, a table…
            return "".join(page_break(label) for _, label in breaks) + self._block(block, tight)
        self._breaks, self._written = sorted(breaks, key=lambda b: b[0]), 0  # stable: pages keep their order
        html = self._block(block, tight)
        rest = "".join(page_break(label) for _, label in self._breaks)  # past the text's end
        self._breaks = []
        closing = html.rindex("</") if not tight else len(html.rstrip("\n"))
        return html[:closing] + rest + html[closing:]

    def _block(self, block: Block, tight: bool = False) -> str:
        match block:
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
                return "<hr />\n"
            case Table():
                return self.table(block)
            case FootnoteDef():
                return ""  # notes are gathered by `footnotes()`
            case Figure(image=image, caption=caption):
                figcaption = f"<figcaption>{self.inlines(caption)}</figcaption>" if caption else ""
                return f"<figure>{self.inline(image)}{figcaption}</figure>\n"
            case RawBlock(format=format, text=text):
                # Sanitized and made well-formed by the reader (`sanitize.py`); other formats are not ours.
                return text + "\n" if format == "html" and text else ""
            case Div(blocks=blocks, attr=attr):
                return f"<div{attr_html(attr)}>\n{self.blocks(blocks)}</div>\n"
            case LineBlock(lines=lines):
                # One box per line, so that a long line can hang (verse); an empty line separates.
                written = "".join(f'<div class="line">{self.inlines(line) or "&#160;"}</div>\n' for line in lines)
                return f'<div class="line-block">\n{written}</div>\n'
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
        caption = f"<caption>{self.inlines(table.caption)}</caption>\n" if table.caption else ""
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
                return f"<a{attrs(href=self.link_target(target), title=title or None)}>{self.inlines(content)}</a>"
            case Image(alt=alt, source=source, title=title, attr=attr):
                src = self.image_source(source)
                return f"<img{attrs(src=src, alt=alt_text(alt), title=title or None)}{attr_html(attr)} />"
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
            out += [escape(text[start:cut]), page_break(label)]
            start = cut
        self._written += len(text)
        return "".join(out) + escape(text[start:])

    def link_target(self, target: str) -> str:
        # A link to a heading must follow it into whichever file holds it.
        if target.startswith("#") and target[1:] in self.heading_ids:
            return self.href(target[1:])
        return target

    def note_ref(self, ref: FootnoteRef | Note) -> str:
        found = self.notes.refs.get(id(ref))
        if found is None:  # a reference to a note that does not exist stays as typed
            return escape(f"[^{ref.label}]") if isinstance(ref, FootnoteRef) else ""
        entry, anchor = found
        self.anchors.place(anchor)
        index = entry.ref_anchors.index(anchor)
        caption = f"[{entry.number}" + (f":{index}" if index else "") + "]"
        link = attrs(href=self.href(entry.anchor), id=anchor, role="doc-noteref")
        epub_type = ' epub:type="noteref"' if self.epub else ""
        return f'<sup class="footnote-ref"><a{link}{epub_type}>{caption}</a></sup>'

    # Notes

    def footnotes(self, entries: Sequence[NoteEntry], heading: str = "") -> str:
        """The notes section, as markdown-it writes it after the text; with a `heading` (for a
        document of its own), titled instead of set off by a rule."""
        if not entries:
            return ""
        items = "".join(self.footnote(entry) for entry in entries)
        epub_type = ' epub:type="endnotes"' if self.epub else ""
        opening = f"<h2>{escape(heading)}</h2>\n" if heading else ""
        return (
            ("" if heading else '<hr class="footnotes-sep" />\n')
            + f'<section class="footnotes" role="doc-endnotes"{epub_type}>\n{opening}'
            + f'<ol class="footnotes-list">\n{items}</ol>\n</section>\n'
        )

    def footnote(self, entry: NoteEntry) -> str:
        backrefs = "".join(
            f" <a{attrs(href=self.href(anchor), class_='footnote-backref', role='doc-backlink')}>{_BACKREF_MARK}</a>"
            for anchor in entry.ref_anchors
        )
        blocks: Sequence[Block] = (
            entry.body.blocks if isinstance(entry.body, FootnoteDef) else (Paragraph(entry.body.content),)
        )
        body = self.blocks(blocks)
        if blocks and isinstance(blocks[-1], Paragraph):
            # The way back goes inside the last paragraph, after its text.
            body = body.removesuffix("</p>\n") + f"{backrefs}</p>\n"
        else:
            body += backrefs
        return f"<li{attrs(id=entry.anchor, class_='footnote-item')}>{body}</li>\n"


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
