"""OpenDocument text (.odt, LibreOffice) -> the document model, read from the package's XML
with lxml (README, "Word and OpenDocument": odfpy would give the same tree, slower, and one
more dependency).

- headings are `text:h` with their outline level; the Title and Subtitle paragraphs, and
  quotations (`Quotations`, or a paragraph indented from the left), by their style's chain
  (`style:parent-style-name`), whose programmatic names do not change with the language;
- lists are nested as written, numbered or bulleted by their list style's level, with its
  start value, an item's own start value and `text:continue-numbering`;
- spaces follow ODF's rules: runs of white space in the XML are one space, `text:s` keeps
  its count; no-break spaces are characters and stay;
- a table of contents, an index, page numbers and counts are dropped; other fields keep
  their text; tracked changes are accepted (the body already holds the inserted text; the
  deleted text lives in `text:tracked-changes`, which is left out); comments are dropped;
  page breaks (a paragraph's `fo:break-before`) go. Each kind is counted and said once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import FleuronError
from ..messages import _
from ..model import (
    Block,
    BlockQuote,
    BulletList,
    Document,
    Figure,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Inline,
    ListItem,
    OrderedList,
    Paragraph,
    SourcePos,
    Table,
    Text,
)
from .html import URL_SCHEMES
from .identifiers import IdentifierMaker
from .package import (
    Dropped,
    Package,
    Properties,
    Runs,
    image_url,
    joined_with_breaks,
    local,
    read_package,
    table_of_rows,
)
from .pandoc import split_authors

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
XLINK = "http://www.w3.org/1999/xlink"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DC = "http://purl.org/dc/elements/1.1/"


def t(name: str) -> str:
    return f"{{{TEXT}}}{name}"


def s(name: str) -> str:
    return f"{{{STYLE}}}{name}"


#: Fields whose text means nothing in a book that makes its own pages and contents.
DROPPED_FIELDS = frozenset({"page-number", "page-count", "page-continuation", "word-count", "character-count"})
DROPPED_INDEXES = frozenset(
    {"table-of-content", "alphabetical-index", "illustration-index", "table-index", "object-index",
     "user-index", "bibliography"}
)  # fmt: skip
#: Fields and marks whose content is not text (their text, if any, is not the author's).
_SKIPPED = frozenset(
    {"bookmark", "bookmark-start", "bookmark-end", "reference-mark", "reference-mark-start", "reference-mark-end",
     "change", "change-start", "change-end", "soft-page-break", "alphabetical-index-mark",
     "alphabetical-index-mark-start", "alphabetical-index-mark-end", "toc-mark", "toc-mark-start", "toc-mark-end",
     "user-index-mark", "user-index-mark-start", "user-index-mark-end", "sequence-decls", "variable-decls",
     "user-field-decls", "tracked-changes"}
)  # fmt: skip
QUOTE_STYLES = frozenset({"Quotations", "Quote", "Quotation"})
CAPTION_STYLES = frozenset({"Caption", "FigureCaption", "Figure", "Illustration", "Drawing"})
TABLE_CAPTION_STYLES = frozenset({"TableCaption", "Table"})
_STYLE_KINDS = {
    **dict.fromkeys(QUOTE_STYLES, "quote"),
    **dict.fromkeys(CAPTION_STYLES, "caption"),
    **dict.fromkeys(TABLE_CAPTION_STYLES, "table-caption"),
}
#: A paragraph indented this much from the left (0.5 cm) is a quotation.
QUOTE_INDENT_CM = 0.5
#: A table cell or row repeated more than this is cut there (a spreadsheet's 16,384 columns).
MAX_REPEAT = 100


def read_odt(path: Path | str, defaults: Mapping[str, Any] | None = None) -> Document:
    return read_package(path, "odt", _OdtReader, defaults)


@dataclass
class _Style:
    parent: str = ""
    props: dict[str, bool] = field(default_factory=dict)
    indent_cm: float = 0.0
    page_break: bool = False
    list_style: str = ""


@dataclass
class _ListLevel:
    ordered: bool
    start: int


class _OdtReader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.dropped = Dropped(package.name)
        self.pos = SourcePos(package.name, 0)
        mimetype = package.read("mimetype").strip() if package.has("mimetype") else b""
        if not package.has("content.xml") or (mimetype and not mimetype.startswith(b"application/vnd.oasis")):
            raise FleuronError(
                _(
                    "this is not an OpenDocument text (.odt): {what}; give an .odt file, or rename the file after "
                    "what it is",
                    what=_("the package holds no OpenDocument text (content.xml)"),
                ),
                package.name,
            )
        if mimetype and mimetype != b"application/vnd.oasis.opendocument.text":
            raise FleuronError(
                _(
                    "this is not an OpenDocument text (.odt): {what}; give an .odt file, or rename the file after "
                    "what it is",
                    what=mimetype.decode("ascii", "replace"),
                ),
                package.name,
            )
        self.content = package.xml("content.xml")
        self.styles_root = package.xml_if_any("styles.xml")
        self.styles: dict[str, _Style] = {}
        self.lists: dict[str, dict[int, _ListLevel]] = {}
        self.default_lang = ""
        for root in (self.styles_root, self.content):
            if root is not None:
                self._read_styles(root)
        self.ids = IdentifierMaker()
        self.note_count = 0
        self.in_note = False
        self.after_space = True
        self.pending_notes: list[FootnoteDef] = []
        self.counters: dict[str, int] = {}  # a list style's last number, for lists that continue
        self.props = Properties()

    # --- Styles ---------------------------------------------------------------------------

    def _read_styles(self, root: etree._Element) -> None:
        for element in root.iter(s("style"), s("default-style")):
            name = element.get(s("name"), "")
            style = _Style(parent=element.get(s("parent-style-name"), ""))
            style.list_style = element.get(s("list-style-name"), "")
            text_props = element.find(s("text-properties"))
            if text_props is not None:
                style.props = _text_props(text_props)
                if local(element) == "default-style" and element.get(s("family")) == "paragraph":
                    language, country = text_props.get(f"{{{FO}}}language"), text_props.get(f"{{{FO}}}country")
                    if language and language != "zxx":
                        self.default_lang = f"{language}-{country}" if country and country != "none" else language
            para_props = element.find(s("paragraph-properties"))
            if para_props is not None:
                style.indent_cm = _cm(para_props.get(f"{{{FO}}}margin-left", ""))
                style.page_break = "page" in (
                    para_props.get(f"{{{FO}}}break-before", ""),
                    para_props.get(f"{{{FO}}}break-after", ""),
                )
            if name:
                self.styles[name] = style
        for list_style in root.iter(t("list-style")):
            levels: dict[int, _ListLevel] = {}
            for level in list_style:
                number = _int(level.get(t("level")), 1)
                start = _int(level.get(t("start-value")), 1)
                levels[number] = _ListLevel(local(level) == "list-level-style-number", start)
            self.lists[list_style.get(s("name"), "")] = levels

    def _chain(self, name: str) -> Iterator[tuple[str, _Style]]:
        seen: set[str] = set()
        while name and name in self.styles and name not in seen:
            seen.add(name)
            yield name, self.styles[name]
            name = self.styles[name].parent
        if name and name not in seen and name not in self.styles:
            yield name, _Style()  # a style named but not defined: its name still says what it is

    # --- Properties -----------------------------------------------------------------------

    def properties(self) -> Properties:
        props = self.props
        meta_root = self.package.xml_if_any("meta.xml")
        meta = meta_root.find(f"{{{OFFICE}}}meta") if meta_root is not None else None
        if meta is not None:

            def text_of(tag: str) -> str:
                element = meta.find(tag)
                return (element.text or "").strip() if element is not None else ""

            props.title = props.title or text_of(f"{{{DC}}}title")
            props.description = props.description or text_of(f"{{{DC}}}description")
            props.lang = text_of(f"{{{DC}}}language")
            if not props.authors:
                props.authors = split_authors(text_of(f"{{{META}}}initial-creator") or text_of(f"{{{DC}}}creator"))
            keywords = [k for e in meta.iter(f"{{{META}}}keyword") for k in re.split(r"[,;]", e.text or "")]
            subject = text_of(f"{{{DC}}}subject")
            props.keywords = keywords + ([subject] if subject else [])
            for user in meta.iter(f"{{{META}}}user-defined"):
                props.add_custom(user.get(f"{{{META}}}name") or "", (user.text or "").strip())
        props.lang = props.lang or self.default_lang
        return props

    # --- Blocks ---------------------------------------------------------------------------

    def body(self) -> tuple[Block, ...]:
        body = self.content.find(f"{{{OFFICE}}}body")
        text = body.find(f"{{{OFFICE}}}text") if body is not None else None
        if text is None:
            return ()
        for changes in text.iter(t("tracked-changes")):
            self.dropped.add("tracked change", count=len(changes.findall(t("changed-region"))))
        return tuple(self.blocks(self._children(text)))

    def blocks(self, elements: Iterator[etree._Element]) -> list[Block]:
        """The blocks of these elements; consecutive quotations in one block quote, an image
        paragraph and its caption as a figure, each note after its block."""
        out: list[Block] = []
        quotes: list[Block] = []
        notes: list[FootnoteDef] = []
        figure: Image | None = None
        table_caption: tuple[Inline, ...] = ()

        def flush() -> None:
            nonlocal figure
            if quotes:
                out.append(BlockQuote(tuple(quotes), pos=self.pos))
                quotes.clear()
            if figure is not None:
                out.append(Paragraph((figure,), pos=self.pos))
                figure = None
            out.extend(notes)
            notes.clear()

        for child in elements:
            name = local(child)
            captioned = False
            if name in ("p", "h"):
                kind, content, new_notes = self.paragraph(child)
                if content and kind in ("title", "subtitle", "author", "date", "abstract") and not self.in_note:
                    self.props.add_paragraph(kind, content)
                elif not content:
                    pass
                elif kind == "quote":
                    if figure is not None:
                        flush()
                    quotes.append(Paragraph(content, pos=self.pos))
                elif kind == "caption" and figure is not None:
                    out.append(Figure(figure, content, pos=self.pos))
                    figure = None
                    flush()
                elif kind == "table-caption" and out and isinstance(out[-1], Table) and not out[-1].caption:
                    last = out[-1]  # LibreOffice sets a table's caption below it
                    out[-1] = Table(last.aligns, last.header, last.rows, content, pos=self.pos)
                elif kind == "table-caption":
                    flush()
                    table_caption, captioned = content, True
                elif len(content) == 1 and isinstance(content[0], Image) and not self.in_note:
                    flush()
                    figure = content[0]
                elif kind == "heading":
                    flush()
                    level = _int(child.get(t("outline-level")), 1)
                    out.append(Heading(min(max(level, 1), 6), content, self.ids.make(content), pos=self.pos))
                else:
                    flush()
                    out.append(Paragraph(content, pos=self.pos))
                notes += new_notes
            elif name == "list":
                flush()
                out.extend(self.list(child, 1, ""))
            elif name == "table":
                flush()
                saved, self.pending_notes = self.pending_notes, []
                table = self.table(child)
                if table is not None:
                    if table_caption:
                        table = Table(table.aligns, table.header, table.rows, table_caption, pos=self.pos)
                    out.append(table)
                notes += self.pending_notes
                self.pending_notes = saved
            if not captioned:
                table_caption = ()
            if not quotes and figure is None:
                out.extend(notes)
                notes.clear()
        flush()
        return out

    def _children(self, container: etree._Element) -> Iterator[etree._Element]:
        """Blocks through sections and the like; indexes dropped (counted)."""
        for child in container:
            name = local(child)
            if name in DROPPED_INDEXES:
                self.dropped.add("field", "TOC" if name == "table-of-content" else name)
            elif name in ("section", "index-body", "deletion"):
                if name != "deletion":
                    yield from self._children(child)
            elif name in ("p", "h", "list", "table", "numbered-paragraph"):
                if name == "numbered-paragraph":
                    yield from self._children(child)
                else:
                    yield child

    def paragraph(self, element: etree._Element) -> tuple[str, tuple[Inline, ...], list[FootnoteDef]]:
        """What the paragraph is (by its element and style chain), its content and its notes."""
        style_name = element.get(t("style-name"), "")
        chain = list(self._chain(style_name))
        if chain and chain[0][1].page_break:
            self.dropped.add("page break")
        runs = Runs()
        self.after_space = True
        saved, self.pending_notes = self.pending_notes, []
        self.inline_children(element, runs, {}, "")
        notes, self.pending_notes = self.pending_notes, saved
        content = runs.inlines()
        names = [name for name, _style in chain]
        kind = "paragraph"
        if local(element) == "h":
            kind = "heading"
        if any(name == "Title" for name in names):
            kind = "title"
        elif any(name == "Subtitle" for name in names):
            kind = "subtitle"
        elif kind == "heading":
            pass
        elif names and names[0] in ("Author", "Date", "Abstract"):
            kind = names[0].lower()
        elif any(name in _STYLE_KINDS for name in names):
            # The nearest style that says decides: pandoc's TableCaption is based on Caption.
            kind = next(_STYLE_KINDS[name] for name in names if name in _STYLE_KINDS)
        elif next((style.indent_cm for _name, style in chain if style.indent_cm), 0.0) >= QUOTE_INDENT_CM:
            kind = "quote"
        return kind, content, notes

    def list(self, element: etree._Element, depth: int, style_name: str) -> list[Block]:
        """A list as written; a list of headings (LibreOffice's numbered chapters) gives the headings."""
        style_name = element.get(t("style-name"), "") or style_name
        level = self.lists.get(style_name, {}).get(depth, _ListLevel(False, 1))
        continues = element.get(t("continue-numbering")) == "true" or element.get(t("continue-list"))
        key = f"{style_name}/{depth}"
        number = self.counters[key] + 1 if continues and key in self.counters else level.start
        start = None
        items: list[ListItem] = []
        headings: list[Block] = []
        notes: list[FootnoteDef] = []  # the items' notes, after the list
        for item in element:
            if local(item) not in ("list-item", "list-header"):
                continue
            if item.get(t("start-value")):
                number = _int(item.get(t("start-value")), number)
            if start is None:
                start = number
            blocks: list[Block] = []
            for child in self._children(item):
                if local(child) == "list":
                    blocks.extend(self.list(child, depth + 1, style_name))
                elif local(child) == "h":
                    _kind, content, heading_notes = self.paragraph(child)
                    notes += heading_notes
                    if content:
                        headings.append(Heading(min(max(_int(child.get(t("outline-level")), 1), 1), 6),
                                                content, self.ids.make(content), pos=self.pos))  # fmt: skip
                else:
                    blocks.extend(self.blocks(iter([child])))
            notes += [b for b in blocks if isinstance(b, FootnoteDef)]
            blocks = [b for b in blocks if not isinstance(b, FootnoteDef)]
            if blocks:
                items.append(ListItem(tuple(blocks)))
            if local(item) == "list-item":
                self.counters[key] = number
                number += 1
        out: list[Block] = list(headings)
        if items:
            tight = all(len(item.blocks) <= 2 for item in items)
            if level.ordered:
                out.append(OrderedList(tuple(items), start=start or 1, tight=tight, pos=self.pos))
            else:
                out.append(BulletList(tuple(items), tight=tight, pos=self.pos))
        return out + notes

    def table(self, element: etree._Element) -> Table | None:
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        for row in _rows(element):
            cells: list[tuple[Inline, ...]] = []
            for cell in row:
                if local(cell) not in ("table-cell", "covered-table-cell"):
                    continue
                content = self.cell(cell) if local(cell) == "table-cell" else ()
                repeat = min(_int(cell.get(f"{{{TABLE}}}number-columns-repeated"), 1), MAX_REPEAT)
                cells += [content] + [()] * (repeat - 1)
            repeat = min(_int(row.get(f"{{{TABLE}}}number-rows-repeated"), 1), MAX_REPEAT)
            rows += [tuple(cells)] * (repeat if any(cells) else 1)
        while rows and not any(rows[-1]):
            rows.pop()
        return table_of_rows(rows, self.pos)

    def cell(self, cell: etree._Element) -> tuple[Inline, ...]:
        runs: list[tuple[Inline, ...]] = []
        for paragraph in cell.iter(t("p"), t("h")):
            _kind, content, notes = self.paragraph(paragraph)
            self.pending_notes += notes
            runs.append(content)
        return joined_with_breaks(runs)

    # --- Inlines --------------------------------------------------------------------------

    def add_text(self, runs: Runs, raw: str | None, styles: dict[str, bool], link: str) -> None:
        if not raw:
            return
        text = re.sub(r"[ \t\r\n]+", " ", raw)
        if self.after_space and text.startswith(" "):
            text = text[1:]
        if text:
            self.after_space = text.endswith(" ")
            runs.text(text, [k for k, on in styles.items() if on], link)

    def inline_children(self, element: etree._Element, runs: Runs, styles: dict[str, bool], link: str) -> None:
        self.add_text(runs, element.text, styles, link)
        for child in element:
            self.inline(child, runs, styles, link)
            self.add_text(runs, child.tail, styles, link)

    def inline(self, element: etree._Element, runs: Runs, styles: dict[str, bool], link: str) -> None:
        name = local(element)
        namespace = etree.QName(element).namespace if isinstance(element.tag, str) else ""
        if namespace == TEXT and name in _SKIPPED:
            return
        if namespace == TEXT and name == "span":
            inner = dict(styles)
            for _name, style in reversed(list(self._chain(element.get(t("style-name"), "")))):
                inner.update(style.props)
            self.inline_children(element, runs, inner, link)
        elif (namespace == TEXT and name == "a") or (namespace == DRAW and name == "a"):
            href = element.get(f"{{{XLINK}}}href", "")
            target = href if href.lower().startswith(URL_SCHEMES) else ""
            self.inline_children(element, runs, styles, target or link)
        elif namespace == TEXT and name == "s":
            runs.text(" " * min(_int(element.get(t("c")), 1), 100), (), link)
            self.after_space = True
        elif namespace == TEXT and name == "tab":
            runs.text(" ", (), link)
            self.after_space = True
        elif namespace == TEXT and name == "line-break":
            runs.atom(HardBreak(), (), link)
            self.after_space = True
        elif namespace == TEXT and name == "note":
            self.note(element, runs)
        elif namespace == OFFICE and name == "annotation":
            self.dropped.add("comment")
        elif namespace == OFFICE and name == "annotation-end":
            return
        elif namespace == TEXT and name in DROPPED_FIELDS:
            self.dropped.add("field", name.upper().replace("-", " "))
        elif namespace == DRAW and name == "frame":
            self.frame(element, runs, link)
        elif namespace == DRAW and name in ("custom-shape", "rect", "ellipse", "line", "g", "polygon", "path"):
            for paragraph in element.iter(t("p")):
                runs.text(" ", (), link)
                self.inline_children(paragraph, runs, styles, link)
        else:  # a field (date, title, chapter, cross-reference…), ruby, meta: its text as shown
            self.inline_children(element, runs, styles, link)

    def note(self, element: etree._Element, runs: Runs) -> None:
        body = element.find(t("note-body"))
        if body is None or self.in_note:
            return
        self.note_count += 1
        label = str(self.note_count)
        runs.atom(FootnoteRef(label))
        self.in_note = True
        try:
            blocks = tuple(self.blocks(self._children(body)))
        finally:
            self.in_note, self.after_space = False, False
        self.pending_notes.append(
            FootnoteDef(label, blocks or (Paragraph((Text(label),), pos=self.pos),), pos=self.pos)
        )

    def frame(self, element: etree._Element, runs: Runs, link: str) -> None:
        title_el = element.find(f"{{{SVG}}}title")
        desc_el = element.find(f"{{{SVG}}}desc")
        title = "".join(str(x) for x in title_el.itertext()).strip() if title_el is not None else ""
        alt = ("".join(str(x) for x in desc_el.itertext()).strip() if desc_el is not None else "") or title
        images = element.findall(f"{{{DRAW}}}image")
        box = element.find(f"{{{DRAW}}}text-box")
        if box is not None:
            for paragraph in box.iter(t("p"), t("h")):
                runs.text(" ", (), link)
                self.inline_children(paragraph, runs, {}, link)
            return
        if not images:
            if element.find(f"{{{DRAW}}}object") is not None or element.find(f"{{{DRAW}}}object-ole") is not None:
                self.dropped.add("object", "OLE")
            return
        kinds = []
        for image in images:
            href = image.get(f"{{{XLINK}}}href", "")
            if not href or re.match(r"[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith(("/", "../")):
                kinds.append(_("linked, not inside the document"))
                continue
            part = href.removeprefix("./")
            if not self.package.has(part):
                kinds.append(_("linked, not inside the document"))
                continue
            url = image_url(self.package.read(part))
            if url is not None:
                runs.atom(Image((Text(alt),) if alt else (), url, title), (), link)
                self.after_space = False
                return
            kinds.append(Path(part).suffix.lstrip(".").upper() or "?")
        self.dropped.add("image", kinds[0] if kinds else "?")


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    """Header rows first, then the rest, through row groups."""
    for child in table:
        name = local(child)
        if name == "table-row":
            yield child
        elif name in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _rows(child)


def _text_props(props: etree._Element) -> dict[str, bool]:
    found: dict[str, bool] = {}
    style = props.get(f"{{{FO}}}font-style")
    if style is not None:
        found["emph"] = style in ("italic", "oblique")
    weight = props.get(f"{{{FO}}}font-weight")
    if weight is not None:
        found["strong"] = weight == "bold" or (weight.isdigit() and int(weight) >= 600)
    variant = props.get(f"{{{FO}}}font-variant")
    if variant is not None:
        found["smallcaps"] = variant == "small-caps"
    position = props.get(s("text-position"))
    if position is not None:
        first = position.split()[0] if position.split() else "0%"
        raised = first == "super" or (
            first.rstrip("%").lstrip("-").replace(".", "").isdigit() and float(first.rstrip("%")) > 0
        )
        lowered = first == "sub" or (first.startswith("-") and first.rstrip("%")[1:].replace(".", "").isdigit())
        found["superscript"], found["subscript"] = raised, lowered
    return found


_UNITS_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72, "pc": 2.54 / 6, "px": 2.54 / 96}


def _cm(length: str) -> float:
    match = re.fullmatch(r"\s*(-?[0-9.]+)\s*([a-z]+)\s*", length or "")
    if not match or match.group(2) not in _UNITS_CM:
        return 0.0
    try:
        return float(match.group(1)) * _UNITS_CM[match.group(2)]
    except ValueError:
        return 0.0


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
