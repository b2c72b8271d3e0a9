"""Word (.docx, Office Open XML) -> the document model, read from the package's XML with lxml.

Why not mammoth or python-docx (README, "Word and OpenDocument"): mammoth finds headings by
English style names only and drops `w:outlineLvl`; python-docx reads neither notes nor
numbering. Here:

- headings come from the outline level (the paragraph's, or its style's through `basedOn`),
  or from a built-in style's *name* (`heading 1`, `Title`…), never from its id: French Word
  writes `w:styleId="Titre1"`, German `Überschrift1`, for `w:name="heading 1"`;
- lists from `numbering.xml`: each paragraph's `numId`/`ilvl`, the level's format and start,
  a `w:num`'s `startOverride`, numbers continued across nums of one `abstractNum` as Word does;
  a heading that Word numbers stays a heading;
- fields: a hyperlink field is a link; a table of contents, page numbers and page references
  are dropped (the book makes its own); any other field keeps the text Word shows;
- tracked changes are accepted (insertions in, deletions out); comments, page and section
  breaks are dropped; each kind is counted and said once (`package.Dropped`).
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
    Document,
    Figure,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Inline,
    Paragraph,
    SourcePos,
    Table,
    Text,
)
from .html import URL_SCHEMES
from .identifiers import IdentifierMaker
from .package import (
    Dropped,
    ListEntry,
    Package,
    Properties,
    Runs,
    image_url,
    joined_with_breaks,
    local,
    nest_lists,
    part_path,
    read_package,
    table_of_rows,
)
from .pandoc import split_authors

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
V = "urn:schemas-microsoft-com:vml"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


#: Fields whose text means nothing in a book that makes its own pages and contents.
DROPPED_FIELDS = frozenset({"TOC", "PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "PAGEREF", "NOTEREF", "INDEX", "TOA"})
#: Built-in style names (lower case, as `w:name` holds them whatever Word's language).
QUOTE_STYLES = frozenset({"quote", "intense quote", "block text"})
CAPTION_STYLES = frozenset({"caption", "image caption"})
TABLE_CAPTION_STYLES = frozenset({"table caption"})
_STYLE_KINDS = {
    **dict.fromkeys(QUOTE_STYLES, "quote"),
    **dict.fromkeys(CAPTION_STYLES, "caption"),
    **dict.fromkeys(TABLE_CAPTION_STYLES, "table-caption"),
}
#: A paragraph indented this much (in twentieths of a point: 0.5 cm) with no list is a quotation.
QUOTE_INDENT = 283


def read_docx(path: Path | str, defaults: Mapping[str, Any] | None = None) -> Document:
    return read_package(path, "docx", _DocxReader, defaults)


@dataclass
class _Style:
    name: str = ""
    based_on: str = ""
    outline: int | None = None
    num_id: str = ""
    ilvl: int | None = None
    indent: int = 0
    run: dict[str, bool] = field(default_factory=dict)


@dataclass
class _Level:
    ordered: bool
    start: int


@dataclass
class _Field:
    kind: str = ""
    instruction: str = ""
    result: bool = False
    link: str = ""
    drop: bool = False


@dataclass
class _Para:
    """A paragraph as read, before blocks are assembled."""

    kind: str  # paragraph heading title subtitle author date abstract quote caption table-caption list
    content: tuple[Inline, ...]
    level: int = 0
    ordered: bool = False
    number: int = 0
    indented: bool = False
    image_only: bool = False
    notes: list[FootnoteDef] = field(default_factory=list)


class _DocxReader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.dropped = Dropped(package.name)
        self.pos = SourcePos(package.name, 0)
        self.rels_cache: dict[str, dict[str, tuple[str, bool]]] = {}
        self.main = self._main_part()
        root = package.xml(self.main)
        if etree.QName(root).namespace == STRICT_W:
            message = _("this .docx is saved as Strict Open XML: save it from Word as 'Word Document (.docx)'")
            raise FleuronError(message, package.name)
        if etree.QName(root).namespace != W or local(root) != "document":
            raise FleuronError(
                _(
                    "this is not a Word document (.docx): {what}; give a .docx file, "
                    "or rename the file after what it is",
                    what=_("its main part is not a Word text"),
                ),
                package.name,
            )
        self.root = root
        self.part = self.main
        self.styles, self.default_style, self.default_lang = self._styles()
        self.nums, self.abstracts = self._numbering()
        self.counters: dict[str, dict[int, int]] = {}
        self.seen_nums: set[str] = set()
        self.fields: list[_Field] = []
        self.ids = IdentifierMaker()
        self.note_count = 0
        self.notes_xml = {
            kind: self._notes(kind) for kind in ("footnotes", "endnotes")
        }  # fmt: skip
        self.pending_notes: list[FootnoteDef] = []
        self.in_note = False
        self.props = Properties()

    # --- Parts -------------------------------------------------------------------------

    def _main_part(self) -> str:
        rels = self._rels_of("")
        for target, _external in rels.values():
            if target.endswith(".xml") and self.package.has(target) and "document" in target.rsplit("/", 1)[-1]:
                return target
        if self.package.has("word/document.xml"):
            return "word/document.xml"
        raise FleuronError(
            _(
                "this is not a Word document (.docx): {what}; give a .docx file, or rename the file after what it is",
                what=_("the package holds no Word text (word/document.xml)"),
            ),
            self.package.name,
        )

    def _rels_of(self, part: str) -> dict[str, tuple[str, bool]]:
        """A part's relationships: id -> (target part or address, external)."""
        if part in self.rels_cache:
            return self.rels_cache[part]
        folder, name = part.rsplit("/", 1) if "/" in part else ("", part)
        rels_part = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        found: dict[str, tuple[str, bool]] = {}
        root = self.package.xml_if_any(rels_part)
        if root is not None:
            for rel in root.iter(f"{{{REL}}}Relationship"):
                target = rel.get("Target", "")
                external = rel.get("TargetMode") == "External"
                found[rel.get("Id", "")] = (target if external else part_path(part, target), external)
        self.rels_cache[part] = found
        return found

    def _related(self, kind: str) -> str:
        for target, external in self._rels_of(self.main).values():
            if not external and target.rsplit("/", 1)[-1].startswith(kind):
                return target
        return ""

    # --- Styles and numbering ---------------------------------------------------------------

    def _styles(self) -> tuple[dict[str, _Style], str, str]:
        styles: dict[str, _Style] = {}
        default, lang = "", ""
        root = self.package.xml_if_any(self._related("styles"))
        if root is None:
            return styles, default, lang
        for element in root.iter(w("lang")):
            rpr = element.getparent()
            holder = rpr.getparent() if rpr is not None else None
            if holder is not None and local(holder) == "rPrDefault":
                lang = element.get(w("val"), "")
        for element in root.iter(w("style")):
            style_id = element.get(w("styleId"), "")
            name = element.find(w("name"))
            based = element.find(w("basedOn"))
            style = _Style(
                name=(name.get(w("val"), "") if name is not None else "").strip().lower(),
                based_on=based.get(w("val"), "") if based is not None else "",
            )
            ppr = element.find(w("pPr"))
            if ppr is not None:
                style.outline, style.num_id, style.ilvl, style.indent = _paragraph_props(ppr)
            rpr = element.find(w("rPr"))
            if rpr is not None:
                style.run = _run_props(rpr)
            styles[style_id] = style
            if element.get(w("type")) == "paragraph" and _on(element.get(w("default"))):
                default = style_id
        return styles, default, lang

    def _chain(self, style_id: str) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            style_id = style.based_on

    def _numbering(self) -> tuple[dict[str, tuple[str, dict[int, int]]], dict[str, dict[int, _Level]]]:
        nums: dict[str, tuple[str, dict[int, int]]] = {}
        abstracts: dict[str, dict[int, _Level]] = {}
        links: dict[str, str] = {}
        root = self.package.xml_if_any(self._related("numbering"))
        if root is None:
            return nums, abstracts
        for abstract in root.iter(w("abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in abstract.iter(w("lvl")):
                levels[_int(lvl.get(w("ilvl")), 0)] = _level(lvl)
            abstract_id = abstract.get(w("abstractNumId"), "")
            abstracts[abstract_id] = levels
            link = abstract.find(w("numStyleLink"))
            if link is not None:
                links[abstract_id] = link.get(w("val"), "")
        for num in root.iter(w("num")):
            ref = num.find(w("abstractNumId"))
            overrides: dict[int, int] = {}
            abstract_id = ref.get(w("val"), "") if ref is not None else ""
            for override in num.iter(w("lvlOverride")):
                ilvl = _int(override.get(w("ilvl")), 0)
                start = override.find(w("startOverride"))
                if start is not None:
                    overrides[ilvl] = _int(start.get(w("val")), 1)
                redefined = override.find(w("lvl"))
                if redefined is not None:  # a level redefined for this num only
                    abstracts.setdefault(f"{abstract_id}/{num.get(w('numId'))}", dict(abstracts.get(abstract_id, {})))
                    abstract_id = f"{abstract_id}/{num.get(w('numId'))}"
                    abstracts[abstract_id][ilvl] = _level(redefined)
                    if redefined.find(w("start")) is not None:
                        overrides.setdefault(ilvl, abstracts[abstract_id][ilvl].start)
            nums[num.get(w("numId"), "")] = (abstract_id, overrides)
        # An abstract numbering that only points to a numbering style takes that style's levels.
        for abstract_id, style_id in links.items():
            for style in self._chain(style_id):
                if style.num_id in nums and nums[style.num_id][0] != abstract_id:
                    abstracts[abstract_id] = abstracts.get(nums[style.num_id][0], {})
                    break
        return nums, abstracts

    def _number(self, num_id: str, ilvl: int) -> tuple[bool, int] | None:
        """Whether the item is numbered, and the number Word shows for it."""
        if num_id not in self.nums:
            return None
        abstract_id, overrides = self.nums[num_id]
        level = self.abstracts.get(abstract_id, {}).get(ilvl, _Level(ordered=False, start=1))
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.seen_nums:
            self.seen_nums.add(num_id)
            for overridden in overrides:
                counters.pop(overridden, None)
        value = counters[ilvl] + 1 if ilvl in counters else overrides.get(ilvl, level.start)
        counters[ilvl] = value
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        return level.ordered, value

    # --- Properties -----------------------------------------------------------------------

    def properties(self) -> Properties:
        props = self.props
        core = self.package.xml_if_any("docProps/core.xml")
        if core is not None:
            values = {local(element): (element.text or "").strip() for element in core}
            props.title = props.title or values.get("title", "")
            if not props.authors:
                props.authors = split_authors(values.get("creator", ""))
            props.lang = values.get("language", "")
            props.description = props.description or values.get("description", "")
            props.keywords = [k for k in re.split(r"[,;]", values.get("keywords", "")) if k.strip()]
        custom = self.package.xml_if_any("docProps/custom.xml")
        if custom is not None:
            for prop in custom:
                props.add_custom(prop.get("name") or "", _text(prop))
        props.lang = props.lang or self.default_lang
        return props

    # --- Blocks -----------------------------------------------------------------------------

    def body(self) -> tuple[Block, ...]:
        body = self.root.find(w("body"))
        if body is None:
            return ()
        return tuple(self.blocks(self.paragraphs(body)))

    def paragraphs(self, container: etree._Element) -> Iterator[_Para | Block]:
        """The container's paragraphs and tables, in order, through content controls,
        custom XML and accepted insertions."""
        for child in container:
            name = local(child)
            if name == "p":
                para = self.paragraph(child)
                if para is not None:
                    yield para
            elif name == "tbl":
                table = self.table(child)
                if table is not None:
                    yield table
            elif name == "sdt":
                if _is_toc(child):
                    self.dropped.add("field", "TOC")
                    continue
                content = child.find(w("sdtContent"))
                if content is not None:
                    yield from self.paragraphs(content)
            elif name in ("customXml", "ins", "moveTo"):
                if name != "customXml":
                    self.dropped.add("tracked change")
                yield from self.paragraphs(child)
            elif name in ("del", "moveFrom"):
                self.dropped.add("tracked change")
            elif name == "AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                if choice is not None:
                    yield from self.paragraphs(choice)

    def blocks(self, items: Iterator[_Para | Block]) -> list[Block]:
        """Paragraphs assembled into blocks: list paragraphs into nested lists, quotations
        into one block quote, an image and its caption into a figure, the Title, Subtitle,
        Author and Date paragraphs into the metadata; each note after its block."""
        out: list[Block] = []
        entries: list[ListEntry] = []
        quotes: list[Block] = []
        notes: list[FootnoteDef] = []
        figure: Image | None = None
        table_caption: tuple[Inline, ...] = ()

        def flush(keep: str = "") -> None:
            nonlocal figure
            if keep != "list" and entries:
                out.extend(nest_lists(entries))
                entries.clear()
            if keep != "quote" and quotes:
                out.append(BlockQuote(tuple(quotes), pos=self.pos))
                quotes.clear()
            if figure is not None and keep != "figure":
                out.append(Paragraph((figure,), pos=self.pos))
                figure = None
            if keep not in ("list", "quote") and notes:
                out.extend(notes)
                notes.clear()

        for item in items:
            if not isinstance(item, _Para):
                if isinstance(item, Table) and table_caption:
                    item = Table(item.aligns, item.header, item.rows, table_caption, pos=item.pos)
                table_caption = ()
                flush()
                out.append(item)
                out.extend(self._take_notes())
                continue
            match item.kind:
                case "title" | "subtitle" | "author" | "date" | "abstract" if not self.in_note:
                    self.props.add_paragraph(item.kind, item.content)
                case "table-caption":
                    flush()
                    table_caption = item.content
                case "caption" if figure is not None:
                    out.append(Figure(figure, item.content, pos=self.pos))
                    figure = None
                    flush()
                case "list":
                    flush("list")
                    entries.append(ListEntry(item.level, item.ordered, item.number, [self._para(item)]))
                case "quote" if item.indented and entries:
                    entries[-1].blocks.append(self._para(item))  # a paragraph that continues an item
                case "quote":
                    flush("quote")
                    quotes.append(self._para(item))
                case "heading":
                    flush()
                    out.append(Heading(item.level, item.content, self.ids.make(item.content), pos=self.pos))
                case _ if item.image_only and not self.in_note:
                    flush()
                    image = item.content[0]
                    assert isinstance(image, Image)
                    figure = image
                case _:
                    flush()
                    out.append(self._para(item))
            notes.extend(item.notes)
            if not entries and not quotes and figure is None:
                out.extend(notes)  # a note's text after the block that calls it
                notes.clear()
        flush()
        return out

    def _para(self, item: _Para) -> Block:
        return Paragraph(item.content, pos=self.pos)

    def _take_notes(self) -> list[FootnoteDef]:
        taken, self.pending_notes = self.pending_notes, []
        return taken

    def paragraph(self, element: etree._Element) -> _Para | None:
        ppr = element.find(w("pPr"))
        outline, num_id, ilvl, indent = _paragraph_props(ppr) if ppr is not None else (None, "", None, 0)
        style_id = ""
        if ppr is not None:
            style = ppr.find(w("pStyle"))
            style_id = style.get(w("val"), "") if style is not None else ""
            if ppr.find(w("sectPr")) is not None:
                self.dropped.add("section break")
            if _on_element(ppr.find(w("pageBreakBefore"))):
                self.dropped.add("page break")
        chain = list(self._chain(style_id or self.default_style))
        names = [style.name for style in chain]
        runs = Runs()
        notes_before = len(self.pending_notes)
        self.inline_children(element, runs, {})
        notes = self.pending_notes[notes_before:]
        del self.pending_notes[notes_before:]
        content = runs.inlines()
        if not content:  # Word's empty paragraphs make space; a page break alone is counted
            self.pending_notes.extend(notes)
            return None
        para = _Para("paragraph", content, notes=notes)
        if num_id == "" and ilvl is None:
            for linked in chain:
                if linked.num_id:
                    num_id, ilvl = linked.num_id, linked.ilvl
                    break
        if not indent:
            indent = next((style.indent for style in chain if style.indent), 0)
        kind = self._kind(outline, chain)
        if kind.startswith("heading"):
            para.kind, para.level = "heading", int(kind[-1])
        elif kind:
            para.kind = kind
        elif num_id and num_id != "0":
            number = self._number(num_id, ilvl or 0)
            if number is not None:
                para.kind, para.level = "list", min(ilvl or 0, 8)
                para.ordered, para.number = number
        if para.kind == "paragraph":
            # The nearest style that says decides: pandoc's Table Caption is based on Caption.
            para.kind = next((_STYLE_KINDS[name] for name in names if name in _STYLE_KINDS), "paragraph")
            # An indented paragraph continues the list item before it, or else is a quotation.
            if para.kind == "paragraph" and indent >= QUOTE_INDENT:
                para.kind, para.indented = "quote", True
            para.image_only = len(content) == 1 and isinstance(content[0], Image)
        return para

    def _kind(self, outline: int | None, chain: list[_Style]) -> str:
        """`headingN`, `title`, `subtitle`, pandoc's `author`, `date`, `abstract`, or "": the
        paragraph's own outline level first, then the nearest style of its chain that says."""
        if outline is not None:
            return "" if outline >= 9 else f"heading{min(outline + 1, 6)}"
        for depth, style in enumerate(chain):
            if style.name in ("title", "subtitle"):
                return style.name
            if style.outline is not None:
                return "" if style.outline >= 9 else f"heading{min(style.outline + 1, 6)}"
            match = re.fullmatch(r"heading (\d)", style.name)
            if match:
                return f"heading{min(max(int(match.group(1)), 1), 6)}"
            if depth == 0 and style.name in ("author", "date", "abstract"):
                return style.name
        return ""

    def table(self, element: etree._Element) -> Table | None:
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        for tr in element.iter(w("tr")):
            if _enclosing_table(tr) is not element:
                continue
            cells: list[tuple[Inline, ...]] = []
            for child in tr:
                tc = child.find(f"{w('sdtContent')}/{w('tc')}") if local(child) == "sdt" else child
                if tc is None or local(tc) != "tc":
                    continue
                cells.append(self.cell(tc))
                span = tc.find(f"{w('tcPr')}/{w('gridSpan')}")
                cells += [()] * (max(_int(span.get(w("val")) if span is not None else None, 1), 1) - 1)
            rows.append(tuple(cells))
        # The first row is the header: the one Word repeats on each page (`tblHeader`), or the
        # one its table styles set apart (`firstRow`, on by default); a second header row is a row.
        return table_of_rows(rows, self.pos)

    def cell(self, tc: etree._Element) -> tuple[Inline, ...]:
        """A cell's paragraphs as one run; a table inside a cell gives its text."""
        runs: list[tuple[Inline, ...]] = []
        for p in tc.iter(w("p")):
            cell_runs = Runs()
            self.inline_children(p, cell_runs, {})
            runs.append(cell_runs.inlines())
        return joined_with_breaks(runs)

    # --- Inlines --------------------------------------------------------------------------

    def inline_children(self, parent: etree._Element, runs: Runs, styles: dict[str, bool], link: str = "") -> None:
        for child in parent:
            self.inline(child, runs, styles, link)

    def _hidden(self) -> bool:
        return any(f.drop or not f.result for f in self.fields)

    def _link(self, link: str) -> str:
        for f in reversed(self.fields):
            if f.link:
                return f.link
        return link

    def inline(self, element: etree._Element, runs: Runs, styles: dict[str, bool], link: str) -> None:
        name = local(element)
        if name == "r":
            self.run(element, runs, link)
        elif name == "hyperlink":
            target = ""
            rel = element.get(f"{{{R}}}id")
            if rel:
                address, external = self._rels_of(self.part).get(rel, ("", False))
                target = address if external and address.lower().startswith(URL_SCHEMES) else ""
            self.inline_children(element, runs, styles, target or link)
        elif name in ("ins", "moveTo"):
            self.dropped.add("tracked change")
            self.inline_children(element, runs, styles, link)
        elif name in ("del", "moveFrom"):
            self.dropped.add("tracked change")
        elif name in ("smartTag", "customXml", "bdo", "dir"):
            self.inline_children(element, runs, styles, link)
        elif name == "sdt":
            content = element.find(w("sdtContent"))
            if content is not None:
                self.inline_children(content, runs, styles, link)
        elif name == "fldSimple":
            self.simple_field(element, runs, styles, link)
        elif name in ("oMath", "oMathPara"):
            if not self._hidden():
                runs.text("".join(t.text or "" for t in element.iter("{*}t")), (), self._link(link))
        elif name == "AlternateContent":
            choice = element.find(f"{{{MC}}}Choice")
            if choice is not None:
                self.inline_children(choice, runs, styles, link)

    def simple_field(self, element: etree._Element, runs: Runs, styles: dict[str, bool], link: str) -> None:
        f = _field(element.get(w("instr"), ""))
        if f.drop:
            self.dropped.add("field", f.kind)
            return
        self.inline_children(element, runs, styles, f.link or link)

    def run(self, element: etree._Element, runs: Runs, link: str) -> None:
        rpr = element.find(w("rPr"))
        props: dict[str, bool] = {}
        if rpr is not None:
            style = rpr.find(w("rStyle"))
            for char_style in reversed(list(self._chain(style.get(w("val"), "") if style is not None else ""))):
                props.update(char_style.run)
            props.update(_run_props(rpr))
        styles = [name for name, on in props.items() if on]
        for child in element:
            self.run_child(child, runs, styles, link)

    def run_child(self, child: etree._Element, runs: Runs, styles: list[str], link: str) -> None:
        name = local(child)
        if name == "fldChar":
            self.field_char(child.get(w("fldCharType"), ""))
            return
        if name == "instrText":
            if self.fields and not self.fields[-1].result:
                self.fields[-1].instruction += child.text or ""
            return
        if self._hidden():
            return
        link = self._link(link)
        if name == "t":
            runs.text(child.text or "", styles, link)
        elif name in ("tab", "ptab"):
            runs.text(" ", (), link)
        elif name == "br":
            kind = child.get(w("type"), "textWrapping")
            if kind in ("page", "column"):
                self.dropped.add("page break")
            else:
                runs.atom(HardBreak(), (), link)
        elif name == "cr":
            runs.atom(HardBreak(), (), link)
        elif name == "noBreakHyphen":
            runs.text("\u2011", styles, link)
        elif name == "softHyphen":
            runs.text("\u00ad", styles, link)
        elif name == "sym":
            code = _int(child.get(w("char")), 0, 16)
            if code and not 0xE000 <= code <= 0xF8FF and code != 0xFFFD:
                runs.text(chr(code), styles, link)
        elif name in ("footnoteReference", "endnoteReference"):
            self.note_reference(child, runs, name.removesuffix("Reference") + "s")
        elif name == "commentReference":
            self.dropped.add("comment")
        elif name == "drawing":
            self.drawing(child, runs, link)
        elif name == "pict":
            self.vml(child, runs, link)
        elif name == "object":
            self.dropped.add("object", "OLE")
        elif name == "AlternateContent":
            choice = child.find(f"{{{MC}}}Choice")
            for grandchild in choice if choice is not None else ():
                self.run_child(grandchild, runs, styles, link)

    def field_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            f = self.fields[-1]
            parsed = _field(f.instruction)
            f.kind, f.link, f.drop, f.result = parsed.kind, parsed.link, parsed.drop, True
            if f.drop and not any(outer.drop for outer in self.fields[:-1]):
                self.dropped.add("field", f.kind)
        elif kind == "end" and self.fields:
            f = self.fields.pop()
            parsed = _field(f.instruction)
            if not f.result and parsed.drop and not any(outer.drop for outer in self.fields):
                self.dropped.add("field", parsed.kind)

    def note_reference(self, element: etree._Element, runs: Runs, kind: str) -> None:
        note = self.notes_xml[kind].get(element.get(w("id"), ""))
        if note is None or self.in_note:
            return
        self.note_count += 1
        label = str(self.note_count)
        runs.atom(FootnoteRef(label))
        saved_part, saved_fields = self.part, self.fields
        self.part, self.fields, self.in_note = self._related(kind), [], True
        try:
            blocks = tuple(self.blocks(self.paragraphs(note)))
        finally:
            self.part, self.fields, self.in_note = saved_part, saved_fields, False
        self.pending_notes.append(
            FootnoteDef(label, blocks or (Paragraph((Text(label),), pos=self.pos),), pos=self.pos)
        )

    def _notes(self, kind: str) -> dict[str, etree._Element]:
        root = self.package.xml_if_any(self._related(kind))
        if root is None:
            return {}
        found = {}
        for note in root:
            if note.get(w("type"), "normal") == "normal":
                found[note.get(w("id"), "")] = note
        return found

    def drawing(self, element: etree._Element, runs: Runs, link: str) -> None:
        frame = next((child for child in element if local(child) in ("inline", "anchor")), None)
        if frame is None:
            return
        doc_pr = frame.find(f"{{{WP}}}docPr")
        alt = (doc_pr.get("descr") or doc_pr.get("title") or "") if doc_pr is not None else ""
        title = (doc_pr.get("title") or "") if doc_pr is not None else ""
        blip = next(frame.iter(f"{{{A}}}blip"), None)
        if blip is None:
            kinds = {local(g).removesuffix("Data") for g in frame.iter(f"{{{A}}}graphicData")}
            uri = next(frame.iter(f"{{{A}}}graphicData"), None)
            text_box = next(frame.iter(w("txbxContent")), None)
            if text_box is not None:
                self.text_box(text_box, runs, link)
                return
            name = (uri.get("uri", "") if uri is not None else "").rsplit("/", 1)[-1] or ", ".join(kinds)
            self.dropped.add("object", name or "drawing")
            return
        self.image(blip.get(f"{{{R}}}embed") or "", blip.get(f"{{{R}}}link") or "", alt, title, runs, link)

    def vml(self, element: etree._Element, runs: Runs, link: str) -> None:
        data = next(element.iter(f"{{{V}}}imagedata"), None)
        text_box = next(element.iter(w("txbxContent")), None)
        if text_box is not None:
            self.text_box(text_box, runs, link)
        if data is None:
            return
        shape = data.getparent()
        alt = (shape.get("alt") or "") if shape is not None else ""
        self.image(
            data.get(f"{{{R}}}id") or "", data.get(f"{{{R}}}href") or "", alt, data.get("title") or "", runs, link
        )

    def text_box(self, content: etree._Element, runs: Runs, link: str) -> None:
        """A text box's words, where it stands in the paragraph (its place on the page goes)."""
        for p in content.iter(w("p")):
            runs.text(" ", (), link)
            self.inline_children(p, runs, {}, link)

    def image(self, embed: str, linked: str, alt: str, title: str, runs: Runs, link: str) -> None:
        rels = self._rels_of(self.part)
        target, external = rels.get(embed, ("", False)) if embed else ("", True)
        if not embed or external or not target or not self.package.has(target):
            self.dropped.add("image", _("linked, not inside the document"))
            return
        url = image_url(self.package.read(target))
        if url is None:
            self.dropped.add("image", Path(target).suffix.lstrip(".").upper() or "?")
            return
        runs.atom(Image((Text(alt.strip()),) if alt.strip() else (), url, title.strip()), (), link)


def _paragraph_props(ppr: etree._Element) -> tuple[int | None, str, int | None, int]:
    outline_el = ppr.find(w("outlineLvl"))
    outline = _int(outline_el.get(w("val")), 9) if outline_el is not None else None
    num_id, ilvl = "", None
    num = ppr.find(w("numPr"))
    if num is not None:
        num_el, ilvl_el = num.find(w("numId")), num.find(w("ilvl"))
        num_id = num_el.get(w("val"), "") if num_el is not None else ""
        ilvl = _int(ilvl_el.get(w("val")), 0) if ilvl_el is not None else None
        if num_id == "0":
            num_id = "0"
    ind = ppr.find(w("ind"))
    indent = 0
    if ind is not None:
        left = _int(ind.get(w("left")) or ind.get(w("start")), 0)
        hanging = _int(ind.get(w("hanging")), 0)
        indent = left - hanging
    return outline, num_id, ilvl, indent


_RUN_FLAGS = {"b": "strong", "i": "emph", "smallCaps": "smallcaps"}


def _run_props(rpr: etree._Element) -> dict[str, bool]:
    props: dict[str, bool] = {}
    for tag, style in _RUN_FLAGS.items():
        element = rpr.find(w(tag))
        if element is not None:
            props[style] = _on(element.get(w("val")))
    align = rpr.find(w("vertAlign"))
    if align is not None:
        value = align.get(w("val"), "")
        props["superscript"] = value == "superscript"
        props["subscript"] = value == "subscript"
    return props


def _level(lvl: etree._Element) -> _Level:
    fmt = lvl.find(w("numFmt"))
    start = lvl.find(w("start"))
    kind = fmt.get(w("val"), "decimal") if fmt is not None else "decimal"
    return _Level(
        ordered=kind not in ("bullet", "none"), start=_int(start.get(w("val")) if start is not None else None, 1)
    )


def _field(instruction: str) -> _Field:
    words = instruction.strip().split()
    kind = words[0].upper() if words else ""
    f = _Field(kind=kind, instruction=instruction, drop=kind in DROPPED_FIELDS)
    if kind == "HYPERLINK":
        match = re.search(r'HYPERLINK\s+(?:\\[a-z]\s+)*"([^"]+)"', instruction, re.IGNORECASE)
        target = match.group(1) if match else (words[1] if len(words) > 1 and not words[1].startswith("\\") else "")
        if "\\l" not in instruction and target.lower().startswith(URL_SCHEMES):
            f.link = target
    return f


def _is_toc(sdt: etree._Element) -> bool:
    gallery = sdt.find(f"{w('sdtPr')}/{w('docPartObj')}/{w('docPartGallery')}")
    return gallery is not None and "content" in gallery.get(w("val"), "").lower()


def _enclosing_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and local(parent) != "tbl":
        parent = parent.getparent()
    return parent


def _on(value: str | None) -> bool:
    return value is None or value.lower() not in ("0", "false", "off", "none")


def _on_element(element: etree._Element | None) -> bool:
    return element is not None and _on(element.get(w("val")))


def _text(element: etree._Element) -> str:
    return "".join(str(text) for text in element.itertext()).strip()


def _int(value: str | None, default: int, base: int = 10) -> int:
    try:
        return int(value, base) if value is not None else default
    except ValueError:
        return default
