"""Markdown (CommonMark, tables, footnotes, YAML front matter) -> the document model.

markdown-it-py does the parsing; this module only turns its token stream into model nodes and
the front matter into `Metadata`. Raw HTML is not recognised (markdown-it's `html` option is
off), so a manuscript's `<tags>` are read as text and come out escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import FleuronError
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
    SoftBreak,
    SourcePos,
    Strong,
    Table,
    Text,
    ThematicBreak,
)
from .identifiers import IdentifierMaker
from .metadata import is_front_matter, read_front_matter


def markdown_parser(front_matter: bool = True) -> MarkdownIt:
    """The parser Fleuron reads with; tests compare against its own HTML renderer."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    if front_matter:
        md.use(front_matter_plugin)
    # Footnote definitions stay where they were written; writers decide where notes go.
    return md.use(footnote_plugin, move_to_end=False)


def read_markdown(text: str, path: str = "<string>") -> Document:
    env: dict[str, Any] = {}
    tokens = markdown_parser().parse(text, env)
    front = ""
    front_line = 1
    if tokens and tokens[0].type == "front_matter":
        if is_front_matter(tokens[0].content):
            front = tokens[0].content
            front_line = 2  # the YAML starts on the line after the opening `---`
            tokens = tokens[1:]
        else:  # `---`, text, `---`: a rule and a heading, as CommonMark reads it
            env = {}
            tokens = markdown_parser(front_matter=False).parse(text, env)
    converter = _Converter(path, env)
    blocks = converter.blocks(tokens)
    meta = read_front_matter(front, path, front_line, blocks)
    return Document(meta, blocks)


_ALIGNS: dict[str, Alignment] = {
    "text-align:left": "left",
    "text-align:center": "center",
    "text-align:right": "right",
}


class _Converter:
    """Walks markdown-it's flat token stream and builds nested model nodes."""

    def __init__(self, path: str, env: dict[str, Any]) -> None:
        self.path = path
        self.notes: dict[int, Any] = env.get("footnotes", {}).get("list", {})
        self.ids = IdentifierMaker()

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
                out.append(self.block(token, tokens[i + 1 : end]))
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
        raise FleuronError(f"unexpected Markdown token {token.type!r}", self.path, pos.line)

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
                return Link(self.inlines(inner), str(token.attrGet("href") or ""), title)
            case "image":
                alt = self.inlines(token.children or [])
                title = str(token.attrGet("title") or "")
                return Image(alt, str(token.attrGet("src") or ""), title)
            case "footnote_ref":
                if "label" in token.meta:
                    return FootnoteRef(token.meta["label"])
                return Note(self.inlines(self.notes[token.meta["id"]]["tokens"]))
        raise FleuronError(f"unexpected Markdown inline token {token.type!r}", self.path)


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
