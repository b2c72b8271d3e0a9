"""Markdown (CommonMark, tables, footnotes, YAML front matter) -> the document model.

markdown-it-py does the parsing; this module only turns its token stream into model nodes and
the front matter into `Metadata`. Raw HTML is not recognised (markdown-it's `html` option is
off), so a manuscript's `<tags>` are read as text and come out escaped; with `raw_html: sanitize`
the text is parsed again with it on, and each piece of HTML goes through `sanitize.py` into a
`RawBlock` or `RawInline`.

Nesting is bounded (`MAX_BLOCK_LEVEL`, `MAX_INLINE_LEVEL`): markdown-it silently drops what lies
beyond its own limit, and every writer recurses on the tree; deeper text is a clean error.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import FleuronError
from ..messages import _
from ..model import (
    Alignment,
    Block,
    BlockQuote,
    BulletList,
    Cell,
    Code,
    CodeBlock,
    Document,
    Emph,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Inline,
    Link,
    ListItem,
    Note,
    OrderedList,
    Paragraph,
    RawBlock,
    RawInline,
    SoftBreak,
    SourcePos,
    Strong,
    Table,
    Text,
    ThematicBreak,
)
from .identifiers import IdentifierMaker
from .metadata import KNOWN_KEYS, is_front_matter, raw_html_mode, read_front_matter

#: markdown-it stops parsing blocks nested this deep (and drops the rest of the text).
MAX_NESTING = 20
#: A block opening at this level may have lost content to that limit: refused, with its line.
MAX_BLOCK_LEVEL = MAX_NESTING - 1
#: Emphasis, links and inline HTML nested deeper than this are refused (CommonMark would nest
#: 10,000 levels for 20,000 `*` around a word; layout engines recurse on such trees).
MAX_INLINE_LEVEL = 32


def markdown_parser(front_matter: bool = True, html: bool = False) -> MarkdownIt:
    """The parser Fleuron reads with; tests compare against its own HTML renderer."""
    md = MarkdownIt("commonmark", {"html": html, "maxNesting": MAX_NESTING}).enable("table")
    if front_matter:
        md.use(front_matter_plugin)
    # Footnote definitions stay where they were written; writers decide where notes go.
    return md.use(footnote_plugin, move_to_end=False)


def read_markdown(text: str, path: str = "<string>", defaults: Mapping[str, Any] | None = None) -> Document:
    env: dict[str, Any] = {}
    md = markdown_parser()
    tokens = md.parse(text, env)
    front = ""
    front_line = 1
    if tokens and tokens[0].type == "front_matter":
        if is_front_matter(tokens[0].content):
            front = tokens[0].content
            front_line = 2  # the YAML starts on the line after the opening `---`
            if raw_html_mode(front, path, front_line, defaults) == "sanitize":
                env = {}
                md = markdown_parser(html=True)
                tokens = md.parse(text, env)
            tokens = tokens[1:]
        else:  # `---`, text, `---`: a rule and a heading, as CommonMark reads it
            env = {}
            md = markdown_parser(front_matter=False)
            tokens = md.parse(text, env)
    elif _unclosed_front_matter(text):
        raise FleuronError(_("the front matter that opens the file is not closed: end it with a line '---'"), path, 1)
    _check_nesting(tokens, path)
    converter = _Converter(path, env, md)
    blocks = converter.blocks(tokens)
    meta = read_front_matter(front, path, front_line, blocks, defaults)
    return Document(meta, blocks)


_ALIGNS: dict[str, Alignment] = {
    "text-align:left": "left",
    "text-align:center": "center",
    "text-align:right": "right",
}


class _Converter:
    """Walks markdown-it's flat token stream and builds nested model nodes."""

    def __init__(self, path: str, env: dict[str, Any], md: MarkdownIt | None = None) -> None:
        self.path = path
        self.env = env
        self.md = md or markdown_parser()
        self.notes: dict[int, Any] = env.get("footnotes", {}).get("list", {})
        self.ids = IdentifierMaker()
        self.in_link = 0  # how many links the inlines being read stand in

    def pos(self, token: Token) -> SourcePos:
        return SourcePos(self.path, token.map[0] + 1 if token.map else 0)

    # Blocks: each `*_open` token is matched with its `*_close` by nesting level.

    def blocks(self, tokens: Sequence[Token]) -> tuple[Block, ...]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            end = _closing(tokens, i) if token.nesting == 1 else i
            # The front matter plugin can also match inside a container (`- ---`); markdown-it
            # renders nothing for it there, and neither do we.
            if token.type != "front_matter":
                block = self.block(token, tokens[i + 1 : end])
                if not (isinstance(block, RawBlock) and not block.text.strip()):  # sanitized to nothing
                    out.append(block)
            i = end + 1
        return tuple(out)

    def block(self, token: Token, inner: Sequence[Token]) -> Block:
        pos = self.pos(token)
        match token.type:
            case "paragraph_open":
                return Paragraph(self.inline(inner[0]), pos=pos)
            case "heading_open":
                content = self.inline(inner[0])
                return Heading(int(token.tag[1:]), content, self.ids.make(content), pos=pos)
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
                return self.table(inner, pos)
            case "footnote_reference_open":
                return FootnoteDef(token.meta["label"], self.blocks(inner), pos=pos)
            case "html_block":  # only parsed with `raw_html: sanitize`
                from ..sanitize import sanitize_html  # here: nh3 is only for `raw_html: sanitize`

                return RawBlock("html", sanitize_html(token.content), pos=pos)
        raise FleuronError(_("unexpected Markdown token {kind!r}", kind=token.type), self.path, pos.line)

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
        return self.inlines(token.children or [])

    def inlines(self, tokens: Sequence[Token]) -> tuple[Inline, ...]:
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

    def inline_node(self, token: Token, inner: Sequence[Token]) -> Inline | None:
        match token.type:
            case "text" | "text_special":
                return Text(token.content) if token.content else None
            case "softbreak":
                return SoftBreak()
            case "hardbreak":
                return HardBreak()
            case "code_inline":
                return Code(token.content)
            case "em_open":
                return Emph(self.inlines(inner))
            case "strong_open":
                return Strong(self.inlines(inner))
            case "link_open":
                title = str(token.attrGet("title") or "")
                self.in_link += 1
                try:
                    content = self.inlines(inner)
                finally:
                    self.in_link -= 1
                return Link(content, str(token.attrGet("href") or ""), title)
            case "image":
                alt = self.inlines(token.children or [])
                title = str(token.attrGet("title") or "")
                return Image(alt, str(token.attrGet("src") or ""), title)
            case "footnote_ref":
                if "label" in token.meta:
                    return FootnoteRef(token.meta["label"])
                return Note(self.inlines(self.notes[token.meta["id"]]["tokens"]))
        raise FleuronError(_("unexpected Markdown inline token {kind!r}", kind=token.type), self.path)

    def raw_inline(self, tokens: Sequence[Token]) -> RawInline | None:
        """Inline HTML, from an opening tag to its closing one with what stands between them
        (rendered by markdown-it), or a lone tag, sanitized."""
        from ..sanitize import sanitize_html

        html: str = self.md.renderer.renderInline(list(tokens), self.md.options, self.env)  # type: ignore[attr-defined]
        clean = sanitize_html(html, inline=True, in_link=self.in_link > 0)
        return RawInline("html", clean) if clean else None


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
