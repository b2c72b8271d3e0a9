"""HTML written by authors -> model nodes: what the common tags mean, never markup shown as text.

`html_blocks(text, path, line)` and `html_inlines(text, path, line)` read a fragment; the
Markdown reader feeds `HtmlBuilder` tag by tag, with the Markdown nodes that stand between the
tags (a `<div class="theatre">` line, Markdown paragraphs, `</div>`: one `Div`).

What each tag becomes is in the tables below (`<br>` a line break, `<em>`/`<i>` an emphasis,
`<sup>`… a `Styled` run, `<span>`/`<div>` with their classes, `<a href>` a link when its URL is
http, https, mailto or `#anchor`…). Anything else is dropped with one warning naming the file and
the line: its text stays where it was, except inside `<script>`, `<style>` and the like, whose
content goes too. Nothing here copies markup to an output: writers only ever see model nodes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..messages import _
from ..model import (
    NO_ATTR,
    Alignment,
    Attr,
    Block,
    BlockQuote,
    BulletList,
    Cell,
    Code,
    CodeBlock,
    Definition,
    DefinitionList,
    Div,
    Emph,
    HardBreak,
    Heading,
    Inline,
    InlineStyle,
    Link,
    ListItem,
    OrderedList,
    Paragraph,
    Ruby,
    SoftBreak,
    SourcePos,
    Span,
    Strong,
    Styled,
    Table,
    Text,
    ThematicBreak,
)
from ..walk import block_inline_runs, iter_blocks

log = logging.getLogger("fleuron")

#: Tags whose text runs become a `Styled` run.
STYLE_TAGS: dict[str, InlineStyle] = {
    "sup": "superscript",
    "sub": "subscript",
    "small": "small",
    "u": "underline",
    "ins": "underline",
    "s": "strikeout",
    "del": "strikeout",
    "strike": "strikeout",
    "mark": "mark",
    "abbr": "abbr",
    "cite": "cite",
}
#: Classes of a span (`<span class>`, `[x]{.classe}`) that mean a `Styled` run.
STYLE_CLASSES: dict[str, InlineStyle] = {
    "smallcaps": "smallcaps",
    "underline": "underline",
    "mark": "mark",
    "small": "small",
    "cite": "cite",
    "strikeout": "strikeout",
    "abbr": "abbr",
}
_INLINE_TAGS = frozenset({"em", "i", "strong", "b", "span", "a", "q", "code", "ruby", "rt", "rp", *STYLE_TAGS})
#: Blocks holding blocks; text directly inside them makes paragraphs.
_BLOCK_CONTAINERS = frozenset({"div", "blockquote", "li", "dd"})
#: Blocks holding a run of text.
_TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "td", "th", "pre"})
_STRUCTURE = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr"})
_VOID = frozenset(
    {"br", "hr", "wbr", "img", "input", "area", "base", "col", "embed", "link", "meta", "source", "track"}
)
#: Dropped with everything inside them: what runs, loads, or is no text for a reader.
DROPPED_WITH_CONTENT = frozenset(
    "script style iframe frame frameset object embed applet noscript noembed noframes template "
    "svg math textarea select title head".split()
)
#: Silently gone: comments, and `<rp>`'s parentheses (the writers put their own).
_SILENT = frozenset({"rp", "wbr"})
URL_SCHEMES = ("http://", "https://", "mailto:")
#: Markup nested deeper than this loses its tags (its text stays): writers recurse on the tree.
MAX_DEPTH = 32
#: An XML name: what an identifier must be (EPUB's ids are XML ids).
XML_ID = re.compile(r"[A-Za-z_][\w.-]*")
_ALIGNS: dict[str, Alignment] = {"left": "left", "center": "center", "right": "right"}


def html_blocks(text: str, path: str = "<string>", line: int = 1) -> tuple[Block, ...]:
    """An HTML fragment as blocks (its loose text as paragraphs)."""
    builder = HtmlBuilder(path, line, blocks=True)
    builder.feed(text, line)
    return builder.finish_blocks()


def html_inlines(text: str, path: str = "<string>", line: int = 1, *, in_link: bool = False) -> tuple[Inline, ...]:
    """An HTML fragment as a run of inlines (block tags lose their tags, not their text);
    `in_link`: it stands in a link, so that its own links lose theirs."""
    builder = HtmlBuilder(path, line, blocks=False, in_link=in_link)
    builder.feed(text, line)
    return builder.finish_inlines()


@dataclass
class _Frame:
    tag: str
    attrs: dict[str, str]
    line: int
    #: `blocks`: holds blocks, its loose text makes paragraphs; `inlines`: a run of text;
    #: `structure`: a list, a table or a row, holding items; `skip`: dropped with its content;
    #: `transparent`: a dropped tag, its content going where it would without it.
    kind: str
    blocks: list[Block] = field(default_factory=list)
    inlines: list[Any] = field(default_factory=list)  # inlines, and `_Annotation`s in a ruby
    items: list[Any] = field(default_factory=list)
    is_link: bool = False


@dataclass(frozen=True)
class _Annotation:
    """An `<rt>`: the reading of the ruby base before it."""

    text: str


#: The parents an item needs, and what text straight inside a structure opens.
_PARENTS = {
    "li": ("ul", "ol"),
    "dt": ("dl",),
    "dd": ("dl",),
    "tr": ("table", "thead", "tbody", "tfoot"),
    "td": ("tr",),
    "th": ("tr",),
    "thead": ("table",),
    "tbody": ("table",),
    "tfoot": ("table",),
}
_AUTO_OPEN = {
    "ul": ("li",),
    "ol": ("li",),
    "dl": ("dd",),
    "table": ("tr", "td"),
    "thead": ("tr", "td"),
    "tbody": ("tr", "td"),
    "tfoot": ("tr", "td"),
    "tr": ("td",),
}
#: HTML's other block elements: dropped, but their text stays apart from what surrounds it.
_BLOCKISH = frozenset(
    "address article aside center details dialog fieldset figcaption figure footer form header hgroup main "
    "nav section summary caption body html".split()
)


class HtmlBuilder:
    """Builds model nodes from HTML tags and text, and from model nodes given between them."""

    def __init__(self, path: str, line: int, *, blocks: bool, in_link: bool = False) -> None:
        self.path = path
        self.in_link = in_link
        self.stack = [_Frame("", {}, line, "blocks" if blocks else "inlines")]
        self.fed = False  # whether any HTML came (a run of Markdown alone is left as it is)
        # A file being built should say these; a text parsed in memory need not.
        self._warn = log.warning if not path.startswith("<") else log.debug

    # --- Input ------------------------------------------------------------------------------

    def feed(self, html: str, line: int) -> None:
        """Tags, text and entities of `html`, whose first line is the file's line `line`."""
        self.fed = True
        parser = _Parser(self, line)
        parser.feed(html)
        if parser.rawdata.lstrip().startswith("<"):  # what the tokenizer holds back: a tag left open
            self.drop(_("an unfinished HTML tag"), parser.line())
            parser.rawdata = ""
        parser.close()

    def add_inline(self, node: Inline) -> None:
        top = self._top()
        if top.kind == "structure":
            self._auto_open(top, self.stack[-1].line)
            top = self._top()
        if top.kind != "skip":
            top.inlines.append(node)

    def add_block(self, node: Block) -> None:
        frame = self._block_frame(node.pos.line)
        if frame is not None:
            self._flush(frame)
            frame.blocks.append(node)

    def finish_blocks(self) -> tuple[Block, ...]:
        while len(self.stack) > 1:
            self._pop()
        self._flush(self.stack[0])
        return tuple(self.stack[0].blocks)

    def finish_inlines(self) -> tuple[Inline, ...]:
        while len(self.stack) > 1:
            self._pop()
        run = _merge(self.stack[0].inlines)
        return _merge(_trim_breaks(run)[1]) if self.fed else run

    def drop(self, what: str, line: int) -> None:
        self._warn(_("{where}: {what} dropped (its text is kept)", where=f"{self.path}:{line}", what=what))

    # --- Events -----------------------------------------------------------------------------

    def text(self, data: str, line: int) -> None:
        top = self._top()
        if top.kind == "skip":
            return
        if top.kind == "structure":
            if not data.strip():
                return
            self._auto_open(top, line)
            top = self._top()
        if top.tag == "pre":
            top.inlines.append(Text(data))
            return
        if top.kind == "blocks" and not top.inlines and not data.strip():
            return  # the spaces and line ends between blocks
        for i, piece in enumerate(re.split(r"[ \t]*\r?\n\s*", data)):
            if i:
                top.inlines.append(SoftBreak())
            if piece:
                top.inlines.append(Text(piece))

    def start(self, tag: str, attrs: dict[str, str], line: int) -> None:
        void = tag in _VOID
        if self._top().kind == "skip" or tag in _SILENT:
            if not void:
                self.stack.append(_Frame(tag, attrs, line, "skip"))
            return
        if tag in DROPPED_WITH_CONTENT:
            self._warn(_("{where}: <{tag}> dropped with its content", where=f"{self.path}:{line}", tag=tag))
            if not void:
                self.stack.append(_Frame(tag, attrs, line, "skip"))
            return
        if tag in ("br", "hr"):
            self._check_attributes(tag, attrs, (), line)
            if tag == "br":
                self.add_inline(HardBreak())
            elif self._can_hold_blocks():
                self.add_block(ThematicBreak(pos=SourcePos(self.path, line)))
            return
        known = tag in _INLINE_TAGS or tag in _BLOCK_CONTAINERS or tag in _TEXT_BLOCKS or tag in _STRUCTURE
        if not known or len(self.stack) > MAX_DEPTH:
            self.drop(_("the tag <{tag}>", tag=tag) if known is False else _("<{tag}> nested too deep", tag=tag), line)
            if not void:
                self._transparent(tag, attrs, line)
            return
        if tag in _INLINE_TAGS:
            self._start_inline(tag, attrs, line)
        elif not self._can_hold_blocks():
            if not any(f.tag in ("td", "th", "pre") for f in self.stack):
                self.drop(_("the tag <{tag}> inside a line of text", tag=tag), line)
            self._transparent(tag, attrs, line)
        else:
            self._start_block(tag, attrs, line)

    def end(self, tag: str, line: int) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            frame = self.stack[depth]
            if frame.tag == tag:
                while len(self.stack) > depth:
                    self._pop()
                return
            if frame.kind == "skip":
                return  # inside a script, only its own end tag counts
        if tag not in _VOID and tag not in _SILENT and tag not in DROPPED_WITH_CONTENT:
            self.drop(_("a closing </{tag}> with no opening tag", tag=tag), line)

    # --- Structure --------------------------------------------------------------------------

    def _top(self) -> _Frame:
        """The innermost frame that holds content (a dropped tag's goes through it)."""
        return next(f for f in reversed(self.stack) if f.kind != "transparent")

    def _transparent(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self._boundary(tag)
        self.stack.append(_Frame(tag, attrs, line, "transparent"))

    def _boundary(self, tag: str) -> None:
        """A dropped block's text stays apart from the text around it."""
        if tag in _BLOCKISH or tag in _BLOCK_CONTAINERS or tag in _TEXT_BLOCKS or tag in _STRUCTURE:
            top = self._top()
            if top.kind == "blocks":
                self._flush(top)
            elif top.kind == "inlines" and top.inlines:
                top.inlines.append(Text(" "))

    def _can_hold_blocks(self) -> bool:
        """Whether a block may start here, closing the runs of text open (as HTML's `<p>` is)."""
        for frame in reversed(self.stack):
            if frame.kind in ("blocks", "structure"):
                return True
            if frame.kind == "inlines" and (frame.tag not in _INLINE_TAGS and frame.tag not in ("p", "dt")):
                return False  # a heading, a cell, `pre`, or a fragment read as inlines
        return False

    def _close_runs(self) -> None:
        while self._top().kind == "inlines" or self.stack[-1].kind == "transparent":
            self._pop()

    def _auto_open(self, top: _Frame, line: int) -> None:
        for tag in _AUTO_OPEN.get(top.tag, ()):
            self._start_block(tag, {}, line)

    def _start_inline(self, tag: str, attrs: dict[str, str], line: int) -> None:
        if self._top().kind == "structure":
            self._auto_open(self._top(), line)
        is_link = False
        if tag == "a" and "href" in attrs:
            href = attrs["href"].strip()
            if self.in_link or any(f.is_link for f in self.stack):
                self.drop(_("a link inside a link"), line)
            elif not (href.lower().startswith(URL_SCHEMES) or re.fullmatch(r"#[\w.:-]+", href)):
                self.drop(_("a link to {target!r} (only http, https, mailto and #anchor)", target=href[:80]), line)
            else:
                is_link = True
        self._check_attributes(tag, attrs, {"a": ("href", "title"), "abbr": ("title",)}.get(tag, ()), line)
        self.stack.append(_Frame(tag, attrs, line, "inlines", is_link=is_link))

    def _start_block(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self._close_runs()
        parents = _PARENTS.get(tag)
        if parents:
            if not any(f.tag in parents for f in self.stack):
                if tag not in ("li", "dt", "dd"):
                    self.drop(_("the tag <{tag}> out of a table", tag=tag), line)
                    self._transparent(tag, attrs, line)
                    return
                self._start_block("ul" if tag == "li" else "dl", {}, line)  # an item alone: a list of its own
            while self._top().tag not in parents:
                self._pop()  # the previous item, row or cell ends
        elif self._top().kind == "structure":
            self._auto_open(self._top(), line)
        if attrs:
            kept = {"ol": ("start",), "td": ("align",), "th": ("align",)}.get(tag, ())
            self._check_attributes(tag, attrs, kept, line)
        if self._top().kind == "blocks":
            self._flush(self._top())
        kind = "blocks" if tag in _BLOCK_CONTAINERS else "inlines" if tag in _TEXT_BLOCKS else "structure"
        self.stack.append(_Frame(tag, attrs, line, kind))

    def _block_frame(self, line: int) -> _Frame | None:
        """The frame a Markdown block goes to: the runs open above it close (a Markdown
        paragraph after `<p>` ends it), except a `<span class>` on a line of its own before
        blocks, which is then a div; in a list, an item opens."""
        top = self.stack[-1]
        if top.tag == "span" and top.kind == "inlines" and not top.inlines:
            top.kind, top.tag = "blocks", "div"
            return top
        if not self._can_hold_blocks():
            return None
        self._close_runs()
        if self._top().kind == "structure":
            self._auto_open(self._top(), line)
        top = self._top()
        return top if top.kind == "blocks" else None

    def _flush(self, frame: _Frame) -> None:
        """A block's loose text becomes a paragraph."""
        content = _strip(_merge(frame.inlines))
        frame.inlines.clear()
        if content:
            frame.blocks.append(Paragraph(content, pos=SourcePos(self.path, frame.line)))

    def _pop(self) -> None:
        frame = self.stack.pop()
        if frame.kind == "transparent":
            self._boundary(frame.tag)
            return
        if frame.kind == "skip":
            return
        parent = self._top()
        if frame.tag in _INLINE_TAGS:
            # The line ends an element starts or ends with are outside it (`<b>` at a line's end).
            before, frame.inlines[:], after = _trim_breaks(tuple(frame.inlines))
            if not frame.inlines and frame.tag not in ("a", "q"):
                # An empty element says nothing (`<i class="x">` alone on its line, `<b>` then `<b>`).
                parent.inlines += [*before, *after]
                return
            inline = self._inline_node(frame)
            if isinstance(inline, _Annotation) and parent.tag != "ruby":
                inline = Text(inline.text)  # a reading out of a ruby: text
            parent.inlines += [*before, inline, *after]
            return
        if frame.kind == "blocks":
            self._flush(frame)
        node = self._block_node(frame, SourcePos(self.path, frame.line))
        if node is None:
            return
        if isinstance(node, (ListItem, Definition, tuple)):
            parent.items.append(node)
        elif parent.kind == "blocks":
            self._flush(parent)
            parent.blocks.append(node)
        elif parent.kind == "inlines":  # a block in a cell (which holds one run): its text, after a break
            for run in (r for block in iter_blocks((node,)) for r in block_inline_runs(block) if r):
                parent.inlines += [HardBreak(), *run] if parent.inlines else run

    def _check_attributes(self, tag: str, attrs: dict[str, str], kept: Sequence[str], line: int) -> None:
        ignored = [
            name for name in attrs if name not in (*kept, "id", "class", "lang") and not name.startswith("data-")
        ]
        if "id" in attrs and not XML_ID.fullmatch(attrs["id"]):
            ignored.append("id")
        if ignored:
            self.drop(_("the attributes {names} of <{tag}>", names=", ".join(sorted(ignored)), tag=tag), line)

    def _inline_node(self, frame: _Frame) -> Inline | _Annotation:
        content = _merge(frame.inlines)
        attrs = frame.attrs
        node: Inline
        match frame.tag:
            case "em" | "i":
                node = Emph(content)
            case "strong" | "b":
                node = Strong(content)
            case "q":  # the French typography makes them « » with their spaces
                node = _run((Text('"'), *content, Text('"')))
            case "code":
                node = Code(_plain(content))
            case "a":
                node = Link(content, attrs["href"].strip(), attrs.get("title", "")) if frame.is_link else _run(content)
            case "span":
                return span_node(content, _attr(attrs))
            case "ruby":
                node = _ruby(frame.inlines)
            case "rt":
                return _Annotation(_plain(content))
            case _:
                tag = frame.tag
                node = Styled(STYLE_TAGS[tag], content, attrs.get("title", "") if tag == "abbr" else "")
        return _wrap_inline(node, attrs)

    def _block_node(self, frame: _Frame, pos: SourcePos) -> Block | ListItem | Definition | tuple[Any, ...] | None:
        attrs = frame.attrs
        content = _strip(_merge(frame.inlines))
        block: Block
        match frame.tag:
            case "p":
                if not content:
                    return None
                block = Paragraph(content, pos=pos)
            case "h1" | "h2" | "h3" | "h4" | "h5" | "h6":
                attr = _attr(attrs)
                return Heading(int(frame.tag[1]), content, attr.identifier, attr.classes, pos=pos)
            case "pre":
                text = "".join(i.text if isinstance(i, Text) else "\n" for i in frame.inlines).removeprefix("\n")
                block = CodeBlock(text if text.endswith("\n") or not text else text + "\n", pos=pos)
            case "div":
                return Div(tuple(frame.blocks), _attr(attrs), pos=pos)
            case "blockquote":
                block = BlockQuote(tuple(frame.blocks), pos=pos)
            case "li":
                return ListItem(tuple(frame.blocks), pos=pos)
            case "dt":
                return Definition(content, (), pos=pos)
            case "dd":
                return ("dd", tuple(frame.blocks))
            case "td" | "th":
                return ("cell", content, frame.tag == "th", _ALIGNS.get(attrs.get("align", "").lower(), "default"))
            case "tr":
                return ("row", tuple(frame.items))
            case "thead" | "tbody" | "tfoot":
                return ("rows", tuple(frame.items))
            case "ul" | "ol":
                items = tuple(i for i in frame.items if isinstance(i, ListItem))
                if not items:
                    return None
                tight = all(len(i.blocks) <= 1 for i in items)
                start = attrs.get("start", "1").strip()
                block = (
                    BulletList(items, tight, pos=pos)
                    if frame.tag == "ul"
                    else OrderedList(items, int(start) if re.fullmatch(r"[0-9]{1,9}", start) else 1, tight, pos=pos)
                )
            case "dl":
                found = _definition_list(frame.items, pos)
                if found is None:
                    return None
                block = found
            case "table":
                found = _table(frame.items, pos)
                if found is None:
                    return None
                block = found
            case _:
                return None
        attr = _attr(attrs)
        return block if attr == NO_ATTR else Div((block,), attr, pos=pos)


def span_node(content: tuple[Inline, ...], attr: Attr) -> Inline:
    """A span (`<span class>`, `[x]{.classe}`): one of `STYLE_CLASSES` makes it a `Styled` run,
    inside a span holding what else it carries."""
    style = next((c for c in attr.classes if c in STYLE_CLASSES), None)
    if style is None:
        return Span(content, attr)
    title = attr.get("title") if style == "abbr" else ""
    pairs = tuple(p for p in attr.pairs if not (style == "abbr" and p[0] == "title"))
    rest = Attr(attr.identifier, tuple(c for c in attr.classes if c != style), pairs)
    node = Styled(STYLE_CLASSES[style], content, title)
    return node if rest == NO_ATTR else Span((node,), rest)


def _attr(attrs: dict[str, str]) -> Attr:
    identifier = attrs.get("id", "").strip()
    pairs = [("lang", attrs["lang"].strip())] if attrs.get("lang", "").strip() else []
    pairs += [(name.removeprefix("data-"), value) for name, value in attrs.items() if name.startswith("data-")]
    return Attr(
        identifier if XML_ID.fullmatch(identifier) else "",
        tuple(dict.fromkeys(attrs.get("class", "").split())),
        tuple(pairs),
    )


def _wrap_inline(node: Inline, attrs: dict[str, str]) -> Inline:
    """An element's id, classes and language, which its node cannot carry, on a span around it."""
    attr = _attr(attrs)
    return node if attr == NO_ATTR else Span((node,), attr)


def _run(content: tuple[Inline, ...]) -> Inline:
    """A run as one node: itself when it is one, otherwise a span without attributes (which
    `_merge` then opens, as the writers would)."""
    return content[0] if len(content) == 1 else Span(content)


def _ruby(parts: list[Any]) -> Inline:
    """`<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby>`: each base with the reading after it."""
    out: list[Inline] = []
    base: list[Inline] = []
    for part in parts:
        if isinstance(part, _Annotation):
            out.append(Ruby(_merge(base), part.text))
            base = []
        else:
            base.append(part)
    out.extend(base)
    return _run(_merge(out))


def _definition_list(items: list[Any], pos: SourcePos) -> Block | None:
    entries: list[Definition] = []
    for item in items:
        if isinstance(item, Definition):
            entries.append(item)
        elif isinstance(item, tuple) and item[0] == "dd":
            if not entries:
                entries.append(Definition((), (), pos=pos))
            last = entries[-1]
            entries[-1] = Definition(last.term, (*last.definitions, item[1]), pos=last.pos)
    return DefinitionList(tuple(entries), pos=pos) if entries else None


def _table(items: list[Any], pos: SourcePos) -> Block | None:
    rows: list[tuple[Any, ...]] = []
    for item in items:
        if isinstance(item, tuple) and item[0] == "rows":
            rows.extend(r for r in item[1] if isinstance(r, tuple) and r[0] == "row")
        elif isinstance(item, tuple) and item[0] == "row":
            rows.append(item)
    cells = [[c for c in row[1] if isinstance(c, tuple) and c[0] == "cell"] for row in rows]
    cells = [row for row in cells if row]
    if not cells:
        return None
    width = max(len(row) for row in cells)
    header_row: list[Any] = cells[0] if all(c[2] for c in cells[0]) else []
    body = cells[1:] if header_row else cells

    def run(row: list[Any]) -> tuple[Cell, ...]:
        return tuple(c[1] for c in row) + ((),) * (width - len(row))

    first = header_row or cells[0]
    aligns: tuple[Alignment, ...] = tuple(first[i][3] if i < len(first) else "default" for i in range(width))
    return Table(aligns, run(header_row), tuple(run(row) for row in body), pos=pos)


def _merge(run: Sequence[Any]) -> tuple[Inline, ...]:
    """Adjacent texts joined, spans without attributes opened, stray readings made text."""
    out: list[Inline] = []
    for node in _opened(run):
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif isinstance(node, SoftBreak) and out and isinstance(out[-1], SoftBreak):
            continue  # the line ends around a dropped tag: one
        elif not (isinstance(node, Text) and not node.text):
            out.append(node)
    return tuple(out)


def _opened(run: Sequence[Any]) -> Iterator[Inline]:
    for node in run:
        if isinstance(node, _Annotation):
            yield Text(node.text)
        elif isinstance(node, Span) and node.attr == NO_ATTR:
            yield from _opened(node.content)
        else:
            yield node


def _trim_breaks(run: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The soft line breaks that open a run, the run without them and those that close it."""
    start, end = 0, len(run)
    while start < end and isinstance(run[start], SoftBreak):
        start += 1
    while end > start and isinstance(run[end - 1], SoftBreak):
        end -= 1
    return run[:start], run[start:end], run[end:]


def _strip(run: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A paragraph's run without the spaces and line ends around it (HTML's are not text)."""
    items = list(run)
    while items and (isinstance(items[0], SoftBreak) or (isinstance(items[0], Text) and not items[0].text.strip())):
        items.pop(0)
    while items and (isinstance(items[-1], SoftBreak) or (isinstance(items[-1], Text) and not items[-1].text.strip())):
        items.pop()
    if items and isinstance(items[0], Text):
        items[0] = Text(items[0].text.lstrip())
    if items and isinstance(items[-1], Text):
        items[-1] = Text(items[-1].text.rstrip())
    return tuple(items)


def _plain(run: Sequence[Inline]) -> str:
    """A run's text for an element that holds text only (`<rt>`, `<code>`): a ruby's reading
    kept after its base (`walk.plain_text` leaves readings out, as a title does)."""
    from ..walk import plain_text

    parts = []
    for inline in run:
        if isinstance(inline, Ruby):
            parts.append(_plain(inline.base) + inline.annotation)
        elif isinstance(inline, (Emph, Strong, Link, Styled, Span)):
            parts.append(_plain(inline.content))
        else:
            parts.append(plain_text((inline,)))
    return "".join(parts)


class _Parser(HTMLParser):
    """The standard library's HTML tokenizer: tags, text (entities decoded), comments."""

    def __init__(self, builder: HtmlBuilder, line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = builder
        self.first_line = line

    def line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        self.builder.start(tag.lower(), values, self.line())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self.builder.end(tag.lower(), self.line())

    def handle_endtag(self, tag: str) -> None:
        self.builder.end(tag.lower(), self.line())

    def handle_data(self, data: str) -> None:
        self.builder.text(data, self.line())

    def handle_comment(self, data: str) -> None:
        pass  # an author's note to self, as in pandoc

    def handle_decl(self, decl: str) -> None:
        self.builder.drop(_("the declaration <!{what}>", what=decl[:40]), self.line())

    def handle_pi(self, data: str) -> None:
        self.builder.drop(_("the instruction <?{what}>", what=data[:40]), self.line())

    def unknown_decl(self, data: str) -> None:
        self.builder.drop(_("the declaration <!{what}>", what=data[:40]), self.line())
