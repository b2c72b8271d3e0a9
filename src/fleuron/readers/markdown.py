"""Markdown (CommonMark, tables, footnotes, YAML front matter, and pandoc's extensions as book
manuscripts use them) -> the document model.

markdown-it-py does the parsing, with the rules of `pandoc.py` for pandoc's syntax (heading
attributes, fenced divs, bracketed spans, line blocks, `\newpage`, the `%` title block) and the
plugins for definition lists, `^sup^`, `~sub~` and `~~strike~~`; this module turns its token
stream into model nodes and the front matter into `Metadata`.

Raw HTML, by `raw_html:` in the front matter: `read` (the default) gives each tag its meaning in
the model through `html.py` (`<br>` a line break, `<div class>` a div around the Markdown between
its lines, `<i>` an emphasis…), dropping the rest with a warning; `escape` reads tags as text,
which the outputs show; `sanitize` keeps the markup an allow-list lets through (`sanitize.py`)
as `RawBlock` and `RawInline`.

Nesting is bounded (`MAX_BLOCK_LEVEL`, `MAX_INLINE_LEVEL`): markdown-it silently drops what lies
beyond its own limit, and every writer recurses on the tree; deeper text is a clean error.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.front_matter.index import _front_matter_rule
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from ..errors import FleuronError
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
    Document,
    Emph,
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
    SoftBreak,
    SourcePos,
    Strong,
    Styled,
    Table,
    Text,
    ThematicBreak,
)
from .html import XML_ID, HtmlBuilder, span_node
from .identifiers import IdentifierMaker
from .metadata import KNOWN_KEYS, is_front_matter, raw_html_mode, read_front_matter
from .pandoc import pandoc_plugin, split_authors, title_block, xml_id

log = logging.getLogger("fleuron")

#: markdown-it stops parsing blocks nested this deep (and drops the rest of the text).
MAX_NESTING = 20
#: A block opening at this level may have lost content to that limit: refused, with its line.
MAX_BLOCK_LEVEL = MAX_NESTING - 1
#: Emphasis, links and inline HTML nested deeper than this are refused (CommonMark would nest
#: 10,000 levels for 20,000 `*` around a word; layout engines recurse on such trees).
MAX_INLINE_LEVEL = 32


#: The rules the front matter plugin's rule may interrupt, as the plugin registers it.
_FRONT_MATTER_ALT = ["paragraph", "reference", "blockquote", "list"]


def _front_matter_first(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The plugin's rule, on the text's first line only: the plugin also matches the first line
    of a container that opens the text (`- *---`), and that line's words would be lost."""
    if state.level or state.bMarks[start_line] + state.tShift[start_line]:
        return False
    return bool(_front_matter_rule(state, start_line, end_line, silent))


def markdown_parser(front_matter: bool = True, html: bool = False, notes_at_end: bool = False) -> MarkdownIt:
    """The parser Fleuron reads with; tests compare against its own HTML renderer (which wants
    the notes at the end)."""
    md = MarkdownIt("commonmark", {"html": html, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
    if front_matter:
        md.use(front_matter_plugin).block.ruler.at("front_matter", _front_matter_first, {"alt": _FRONT_MATTER_ALT})
    # Footnote definitions stay where they were written; writers decide where notes go.
    md.use(footnote_plugin, move_to_end=notes_at_end)
    return md.use(deflist_plugin).use(superscript_plugin).use(sub_plugin).use(pandoc_plugin)


def read_markdown(text: str, path: str = "<string>", defaults: Mapping[str, Any] | None = None) -> Document:
    env: dict[str, Any] = {}
    fields, text = title_block(text) if not text.startswith("---") else ({}, text)
    if fields:
        defaults = {**(defaults or {}), **_title_block_keys(fields, path)}
    # Parsed once with HTML on, as the default `raw_html: read` wants it; again only when the
    # front matter asks for `escape`, or turns out to be a rule and a heading.
    md = markdown_parser(html=True)
    tokens = md.parse(text, env)
    front = ""
    front_line = 1
    has_front = False
    mode = raw_html_mode("", path, front_line, defaults)
    if tokens and tokens[0].type == "front_matter":
        if is_front_matter(tokens[0].content):
            has_front = True
            front = tokens[0].content
            front_line = 2  # the YAML starts on the line after the opening `---`
            mode = raw_html_mode(front, path, front_line, defaults)
            tokens = tokens[1:]
        else:  # `---`, text, `---`: a rule and a heading, as CommonMark reads it
            env = {}
            md = markdown_parser(front_matter=False, html=mode != "escape")
            tokens = md.parse(text, env)
    elif _unclosed_front_matter(text):
        raise FleuronError(_("the front matter that opens the file is not closed: end it with a line '---'"), path, 1)
    if mode == "escape" and md.options["html"]:
        env = {}
        md = markdown_parser(front_matter=has_front, html=False)
        tokens = md.parse(text, env)[1 if has_front else 0 :]
    _check_nesting(tokens, path)
    converter = _Converter(path, env, md, mode)
    converter.ids.taken.update(_explicit_ids(tokens, path))
    blocks = converter.blocks(tokens)
    meta = read_front_matter(front, path, front_line, blocks, defaults)
    return Document(meta, blocks)


def _title_block_keys(fields: Mapping[str, tuple[str, int]], path: str) -> dict[str, Any]:
    """Pandoc's `%` lines as front matter values; a date that is not YYYY-MM-DD (pandoc's is
    free text) is left out, with a warning."""
    keys: dict[str, Any] = {}
    if "title" in fields:
        keys["title"] = " ".join(fields["title"][0].split("\n"))
    if "author" in fields:
        keys["author"] = split_authors(fields["author"][0])
    if "date" in fields:
        value, line = fields["date"]
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            keys["date"] = value.strip()
        else:
            warn = log.warning if not path.startswith("<") else log.debug
            where = f"{path}:{line}"
            warn(_("{where}: the title block's date {value!r} is not YYYY-MM-DD; left out", where=where, value=value))
    return keys


def _explicit_ids(tokens: Sequence[Token], path: str) -> set[str]:
    """Every `{#id}` written (headings, divs, tables, spans, images), taken before any
    identifier is derived from a heading's text: a derived one never takes a given one."""
    ids = set()
    for token in tokens:
        line = token.map[0] + 1 if token.map else None
        for node in (token, *(token.children or ())):
            attr = node.meta.get("attr") if node.meta else None
            if isinstance(attr, Attr) and attr.identifier:
                _check_identifier(attr.identifier, path, line)
                ids.add(attr.identifier)
    return ids


def _check_identifier(identifier: str, path: str, line: int | None) -> None:
    if not XML_ID.fullmatch(identifier):
        message = _(
            "'#{identifier}' is no identifier: start it with a letter, then letters, digits, '-', '_' or '.'",
            identifier=identifier,
        )
        raise FleuronError(message, path, line)


_ALIGNS: dict[str, Alignment] = {
    "text-align:left": "left",
    "text-align:center": "center",
    "text-align:right": "right",
}


class _Converter:
    """Walks markdown-it's flat token stream and builds nested model nodes."""

    def __init__(self, path: str, env: dict[str, Any], md: MarkdownIt | None = None, mode: str = "escape") -> None:
        self.path = path
        self.env = env
        self.md = md or markdown_parser()
        self.mode = mode
        self.ids = IdentifierMaker()
        self.in_link = 0  # how many links the inlines being read stand in
        self.line_offset = 0  # for Markdown read from the lines of an HTML block

    @functools.cached_property
    def fragments(self) -> MarkdownIt:
        """The parser of a piece of Markdown between HTML lines, parsed on its own: never as a
        front matter (made only for a text that has such pieces)."""
        return markdown_parser(front_matter=False, html=self.md.options["html"])

    @property
    def notes(self) -> dict[int, Any]:
        """The inline notes (`^[…]`) markdown-it gathered, those of an HTML block's lines too."""
        notes: dict[int, Any] = self.env.get("footnotes", {}).get("list", {})
        return notes

    def pos(self, token: Token) -> SourcePos:
        return SourcePos(self.path, token.map[0] + 1 + self.line_offset if token.map else 0)

    # Blocks: each `*_open` token is matched with its `*_close` by nesting level.

    def blocks(self, tokens: Sequence[Token]) -> tuple[Block, ...]:
        # HTML blocks and the Markdown blocks between them build one tree (`<div>`, Markdown, `</div>`).
        builder = HtmlBuilder(self.path, 0, blocks=True)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = _closing(tokens, i) if token.nesting == 1 else i
            # The front matter plugin can also match inside a container (`- ---`); markdown-it
            # renders nothing for it there, and neither do we.
            if token.type == "html_block" and self.mode == "read":
                self.html_block(token, builder)
            elif token.type != "front_matter":
                block = self.block(token, tokens[i + 1 : end])
                if block is not None and not (isinstance(block, RawBlock) and not block.text.strip()):
                    builder.add_block(block)
            i = end + 1
        return builder.finish_blocks()

    def html_block(self, token: Token, builder: HtmlBuilder) -> None:
        """An HTML block's tag lines go to the builder; its other lines are Markdown (pandoc's
        `markdown_in_html_blocks`), except in `<pre>`, `<script>`, comments… which are one piece."""
        line = self.pos(token).line
        if _VERBATIM_HTML.match(token.content):
            builder.feed(token.content, line)
            return
        lines = token.content.split("\n")
        start = 0
        while start < len(lines):
            html = bool(_TAG_LINE.match(lines[start]))
            end = start + 1
            while end < len(lines) and (
                (html and _open_tag("\n".join(lines[start:end])))  # a tag over several lines
                or (bool(_TAG_LINE.match(lines[end])) == html and (html or lines[end].strip()))
            ):
                end += 1
            chunk = "\n".join(lines[start:end])
            if html:
                builder.feed(chunk, line + start)
            elif chunk.strip():
                self.markdown_lines(chunk, line + start - 1, builder)
            start = end

    def markdown_lines(self, text: str, offset: int, builder: HtmlBuilder) -> None:
        tokens = self.fragments.parse(text, self.env)
        _check_nesting(tokens, self.path)
        saved, self.line_offset = self.line_offset, offset
        try:
            for block in self.blocks(tokens):
                builder.add_block(block)
        finally:
            self.line_offset = saved

    def block(self, token: Token, inner: Sequence[Token]) -> Block | None:
        pos = self.pos(token)
        match token.type:
            case "paragraph_open":
                content = self.inline(inner[0])
                if not content and any(t.type == "html_inline" for t in inner[0].children or ()):
                    return None  # nothing but tags, dropped
                return Paragraph(content, pos=pos)
            case "heading_open":
                content = self.inline(inner[0])
                attr = token.meta.get("attr", NO_ATTR)
                identifier = attr.identifier or self.ids.make(content)
                return Heading(int(token.tag[1:]), content, identifier, attr.classes, pos=pos)
            case "bullet_list_open":
                return BulletList(self.items(inner), _is_tight(token, inner), pos=pos)
            case "ordered_list_open":
                start = token.attrGet("start")
                start = 1 if start is None else int(start)
                return OrderedList(self.items(inner), start, _is_tight(token, inner), pos=pos)
            case "blockquote_open":
                return BlockQuote(self.blocks(inner), pos=pos)
            case "fence":
                return CodeBlock(token.content, unescapeAll(token.info).strip(), pos=pos)
            case "code_block":
                return CodeBlock(token.content, pos=pos)
            case "hr":
                return ThematicBreak(pos=pos)
            case "table_open":
                table = self.table(inner, pos)
                caption = token.meta.get("caption")
                identifier = token.meta.get("attr", NO_ATTR).identifier
                return replace(table, caption=self.inline(caption) if caption else (), identifier=identifier)
            case "footnote_reference_open":
                return FootnoteDef(token.meta["label"], self.blocks(inner), pos=pos)
            case "div_open":
                return Div(self.blocks(inner), token.meta["attr"], pos=pos)
            case "line_block_open":
                return LineBlock(tuple(self.inline(t) for t in inner if t.type == "inline"), pos=pos)
            case "page_break":
                return PageBreak(pos=pos)
            case "dl_open":
                return self.definitions(inner, pos)
            case "html_block":  # only here with `raw_html: sanitize`
                from ..sanitize import sanitize_html  # here: nh3 is only for `raw_html: sanitize`

                return RawBlock("html", sanitize_html(token.content), pos=pos)
        raise FleuronError(_("unexpected Markdown token {kind!r}", kind=token.type), self.path, pos.line)

    def definitions(self, inner: Sequence[Token], pos: SourcePos) -> DefinitionList:
        items: list[Definition] = []
        i = 0
        while i < len(inner):
            end = _closing(inner, i)
            if inner[i].type == "dt_open":
                items.append(Definition(self.inline(inner[i + 1]), (), pos=self.pos(inner[i])))
            elif items:  # `dd_open`: markdown-it gives each a term before it
                last = items[-1]
                items[-1] = Definition(last.term, (*last.definitions, self.blocks(inner[i + 1 : end])), pos=last.pos)
            i = end + 1
        return DefinitionList(tuple(items), pos=pos)

    def items(self, inner: Sequence[Token]) -> tuple[ListItem, ...]:
        items = []
        i = 0
        while i < len(inner):
            end = _closing(inner, i)
            items.append(ListItem(self.blocks(inner[i + 1 : end]), pos=self.pos(inner[i])))
            i = end + 1
        return tuple(items)

    def table(self, inner: Sequence[Token], pos: SourcePos) -> Table:
        aligns: list[Alignment] = []
        rows: list[tuple[Cell, ...]] = []
        for i, token in enumerate(inner):
            if token.type == "tr_open":
                rows.append(())
            elif token.type in ("th_open", "td_open"):
                rows[-1] += (self.inline(inner[i + 1]),)
                if token.type == "th_open":
                    aligns.append(_ALIGNS.get(str(token.attrGet("style") or ""), "default"))
        return Table(tuple(aligns), rows[0], tuple(rows[1:]), pos=pos)

    # Inlines: the children of an `inline` token, nested the same way.

    def inline(self, token: Token) -> tuple[Inline, ...]:
        return self.inlines(token.children or [], self.pos(token).line)

    def inlines(self, tokens: Sequence[Token], line: int = 0) -> tuple[Inline, ...]:
        if self.mode == "sanitize":
            return self.sanitized_inlines(tokens)
        # Inline HTML and the Markdown between its tags build one run (`<span class="x">*a*</span>`).
        builder = HtmlBuilder(self.path, line, blocks=False, in_link=self.in_link > 0)
        after_br = False
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = _closing(tokens, i) if token.nesting == 1 else i
            if token.type == "html_inline":
                builder.feed(token.content, line)
                after_br = bool(_BR.fullmatch(token.content))
            elif not (after_br and token.type == "softbreak"):  # `<br />` at a line's end: one break
                node = self.inline_node(token, tokens[i + 1 : end], line)
                if node is not None:
                    builder.add_inline(node)
                after_br = False
            if token.type in ("softbreak", "hardbreak"):
                line += 1 if line else 0
            i = end + 1
        return builder.finish_inlines()

    def sanitized_inlines(self, tokens: Sequence[Token]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = _closing(tokens, i) if token.nesting == 1 else i
            if token.type == "html_inline":
                end = _html_closing(tokens, i)
                node: Inline | None = self.raw_inline(tokens[i : end + 1])
                if node is not None:
                    out.append(node)
                i = end + 1
                continue
            node = self.inline_node(token, tokens[i + 1 : end])
            if isinstance(node, Text) and out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + node.text)
            elif node is not None:
                out.append(node)
            i = end + 1
        return tuple(out)

    def inline_node(self, token: Token, inner: Sequence[Token], line: int = 0) -> Inline | None:
        match token.type:
            case "text" | "text_special":
                return Text(token.content) if token.content else None
            case "softbreak":
                return SoftBreak()
            case "hardbreak":
                return HardBreak()
            case "code_inline":
                return Code(token.content)
            case "em_open" | "strong_open" | "s_open" | "sup_open" | "sub_open":
                content = self.inlines(inner, line)
                if not content:
                    return None  # it held nothing but tags, dropped
                if token.type == "em_open":
                    return Emph(content)
                if token.type == "strong_open":
                    return Strong(content)
                return Styled(_STYLES[token.type], content)
            case "span_open":
                attr = token.meta["attr"]
                _check_identifier(attr.identifier or "x", self.path, line or None)
                return span_node(self.inlines(inner, line), attr)
            case "link_open":
                title = str(token.attrGet("title") or "")
                self.in_link += 1
                try:
                    content = self.inlines(inner, line)
                finally:
                    self.in_link -= 1
                href = str(token.attrGet("href") or "")
                return Link(content, "#" + xml_id(href[1:]) if href.startswith("#") else href, title)
            case "image":
                alt = self.inlines(token.children or [], line)
                title = str(token.attrGet("title") or "")
                attr = token.meta.get("attr", NO_ATTR)
                _check_identifier(attr.identifier or "x", self.path, line or None)
                return Image(alt, str(token.attrGet("src") or ""), title, attr)
            case "footnote_ref":
                if "label" in token.meta:
                    return FootnoteRef(token.meta["label"])
                return Note(self.inlines(self.notes[token.meta["id"]]["tokens"], line))
        raise FleuronError(_("unexpected Markdown inline token {kind!r}", kind=token.type), self.path)

    def raw_inline(self, tokens: Sequence[Token]) -> RawInline | None:
        """Inline HTML, from an opening tag to its closing one with what stands between them
        (rendered by markdown-it), or a lone tag, sanitized."""
        from ..sanitize import sanitize_html

        html: str = self.md.renderer.renderInline(list(tokens), self.md.options, self.env)  # type: ignore[attr-defined]
        clean = sanitize_html(html, inline=True, in_link=self.in_link > 0)
        return RawInline("html", clean) if clean else None


#: HTML blocks read whole: their lines are no Markdown (code, scripts, comments, declarations).
_VERBATIM_HTML = re.compile(r"[ \t]*<(?:(?:pre|script|style|textarea)(?=[\s/>]|$)|[!?])", re.IGNORECASE)
#: A line of an HTML block that starts with a tag: HTML; the others are Markdown.
_TAG_LINE = re.compile(r"[ \t]*</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|$)")
_STYLES: dict[str, InlineStyle] = {"s_open": "strikeout", "sup_open": "superscript", "sub_open": "subscript"}
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_OPENING_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
_VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: What may stand between an inline tag and its closing tag to be rendered with them; a note
#: or an image stays out (their numbering and packaging are the writers').
_RENDERABLE = frozenset(
    "text text_special softbreak hardbreak code_inline em_open em_close strong_open strong_close "
    "link_open link_close html_inline".split()
)


def _html_closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the `html_inline` token closing the tag opened at `start` (in the same run, at
    the same depth), or `start` itself when it closes nothing."""
    opening = _OPENING_TAG.match(tokens[start].content)
    if opening is None or tokens[start].content.rstrip().endswith("/>"):
        return start
    name = opening[1].lower()
    if name in _VOID_TAGS:
        return start
    closing = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE)
    same = re.compile(rf"<{re.escape(name)}(?=[\s/>])", re.IGNORECASE)
    open_tags, depth = 1, 0
    for i in range(start + 1, len(tokens)):
        token = tokens[i]
        if token.type not in _RENDERABLE:
            return start
        depth += token.nesting
        if depth < 0:
            return start  # the run closes (an emphasis around the tag) before the tag does
        if depth == 0 and token.type == "html_inline":
            if closing.fullmatch(token.content.strip()):
                open_tags -= 1
                if open_tags == 0:
                    return i
            elif same.match(token.content):
                open_tags += 1
    return start


def _open_tag(html: str) -> bool:
    """Whether `html` ends inside a tag (`<div` then `class="x">` on the next line)."""
    return html.rfind("<") > html.rfind(">")


def _check_nesting(tokens: Sequence[Token], path: str) -> None:
    for token in tokens:
        if token.nesting == 1 and token.level >= MAX_BLOCK_LEVEL:
            message = _(
                "quotes or lists are nested too deep here (at most {levels} levels); flatten them",
                levels=MAX_BLOCK_LEVEL - 1,
            )
            raise FleuronError(message, path, token.map[0] + 1 if token.map else None)
        for child in token.children or ():
            if child.level > MAX_INLINE_LEVEL:
                message = _(
                    "emphasis, links or HTML nested more than {levels} levels deep; simplify this line",
                    levels=MAX_INLINE_LEVEL,
                )
                raise FleuronError(message, path, token.map[0] + 1 if token.map else None)


def _unclosed_front_matter(text: str) -> bool:
    """`---` on the first line, then `key: value` lines, and no `---` to end them."""
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].rstrip() != "---":
        return False
    block = "\n".join(itertools.takewhile(lambda line: line.strip() and line.rstrip() not in ("---", "..."), lines[1:]))
    # Only when it names a key Fleuron knows: `---` then `Note: …` is a rule and a paragraph.
    known = re.compile(rf"^({'|'.join(KNOWN_KEYS)})[ \t]*:", re.MULTILINE)
    return bool(known.search(block)) and not any(line.rstrip() in ("---", "...") for line in lines[1:])


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the token closing the one opened at `start`."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    raise ValueError(f"unclosed {tokens[start].type}")  # markdown-it always closes what it opens


def _is_tight(list_open: Token, inner: Sequence[Token]) -> bool:
    """markdown-it marks a tight list by hiding the paragraphs directly inside its items."""
    item_paragraphs = [t for t in inner if t.type == "paragraph_open" and t.level == list_open.level + 2]
    return all(t.hidden for t in item_paragraphs)
