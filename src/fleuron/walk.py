"""One generic traversal of the model. It never enters `Code`, `CodeBlock`, `RawInline` or
`RawBlock`: no pass given to it can touch verbatim text or markup."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import assert_never

from .model import (
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

InlineRun = tuple[Inline, ...]


def iter_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, depth first, in document order (containers before their children)."""
    for block in blocks:
        yield block
        for child in child_blocks(block):
            yield from iter_blocks(child)


def child_blocks(block: Block) -> Iterator[tuple[Block, ...]]:
    match block:
        case BulletList(items=items) | OrderedList(items=items):
            for item in items:
                yield item.blocks
        case BlockQuote(blocks=blocks) | FootnoteDef(blocks=blocks) | Div(blocks=blocks):
            yield blocks
        case DefinitionList(items=definitions):
            for definition in definitions:
                yield from definition.definitions
        case (
            Paragraph() | Heading() | CodeBlock() | ThematicBreak() | Table() | Figure() | RawBlock() | LineBlock()
            | PageBreak()
        ):  # fmt: skip
            pass
        case _:
            assert_never(block)


def block_inline_runs(block: Block) -> Iterator[InlineRun]:
    """The runs of inline text a block holds directly (not those of its child blocks)."""
    match block:
        case Paragraph(content=content) | Heading(content=content):
            yield content
        case Table(header=header, rows=rows, caption=caption):
            if caption:
                yield caption
            yield from header
            for row in rows:
                yield from row
        case Figure(image=image, caption=caption):
            yield image.alt
            yield caption
        case LineBlock(lines=lines):
            yield from lines
        case DefinitionList(items=definitions):
            for definition in definitions:
                yield definition.term
        case (
            BulletList() | OrderedList() | BlockQuote() | FootnoteDef() | CodeBlock() | ThematicBreak() | RawBlock()
            | Div() | PageBreak()
        ):  # fmt: skip
            pass
        case _:
            assert_never(block)


def iter_inlines(run: InlineRun) -> Iterator[Inline]:
    """Every inline of a run, depth first, entering emphasis, links, image alt texts and notes."""
    for inline in run:
        yield inline
        match inline:
            case (
                Emph(content=content) | Strong(content=content) | Link(content=content) | Note(content=content)
                | Styled(content=content) | Span(content=content) | Ruby(base=content)
            ):  # fmt: skip
                yield from iter_inlines(content)
            case Image(alt=alt):
                yield from iter_inlines(alt)
            case Text() | Code() | SoftBreak() | HardBreak() | FootnoteRef() | RawInline():
                pass
            case _:
                assert_never(inline)


def block_ids(block: Block) -> Iterator[str]:
    """The ids `block` writes on its own element and on the inlines it holds directly (not
    those of its child blocks, nor those in an image's description, which is no element)."""
    match block:
        case Heading(identifier=own) | Table(identifier=own) | Div(attr=Attr(identifier=own)):
            pass
        case Figure(image=image):
            own = image.attr.identifier
        case _:
            own = ""
    if own:
        yield own
    runs = (block.caption,) if isinstance(block, Figure) else block_inline_runs(block)
    for run in runs:
        yield from _inline_ids(run)


def _inline_ids(run: Iterable[Inline]) -> Iterator[str]:
    for inline in run:
        match inline:
            case Span(attr=attr, content=content):
                if attr.identifier:
                    yield attr.identifier
                yield from _inline_ids(content)
            case Image(attr=attr):
                if attr.identifier:
                    yield attr.identifier
            case (
                Emph(content=content) | Strong(content=content) | Link(content=content) | Note(content=content)
                | Styled(content=content) | Ruby(base=content)
            ):  # fmt: skip
                yield from _inline_ids(content)
            case _:
                pass


def plain_text(run: InlineRun, line_break: str = " ") -> str:
    """The text a reader sees, without markup: for titles, tables of contents and alt texts.
    Line breaks become `line_break`."""
    parts: list[str] = []
    for inline in iter_inlines(run):
        match inline:
            case Text(text=text) | Code(text=text):
                parts.append(text)
            case SoftBreak() | HardBreak():
                parts.append(line_break)
            case RawInline(text=text):
                parts.append(markup_text(text))
            case _:
                pass
    return "".join(parts)


_TAG = re.compile(r"<[^>]*>")


def markup_text(markup: str) -> str:
    """The text of a raw node's well-formed markup (attribute values are escaped in it)."""
    return html.unescape(_TAG.sub("", markup))


def merge_texts(run: Iterable[Inline]) -> InlineRun:
    """The run with adjacent text nodes joined into one."""
    merged: list[Inline] = []
    for inline in run:
        if isinstance(inline, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + inline.text)
        else:
            merged.append(inline)
    return tuple(merged)


def map_inline_runs(doc: Document, change: Callable[[InlineRun], InlineRun]) -> Document:
    """A copy of `doc` where every inline run of every block has gone through `change`.

    `change` sees a block's whole run at once (so context crosses emphasis boundaries); the
    runs nested inside emphasis or links are its business. Code blocks are never given to it.
    """

    def blocks(seq: tuple[Block, ...]) -> tuple[Block, ...]:
        return tuple(one(block) for block in seq)

    def items(seq: tuple[ListItem, ...]) -> tuple[ListItem, ...]:
        return tuple(replace(item, blocks=blocks(item.blocks)) for item in seq)

    def one(block: Block) -> Block:
        match block:
            case Paragraph(content=content) | Heading(content=content):
                return replace(block, content=change(content))
            case BulletList(items=seq) | OrderedList(items=seq):
                return replace(block, items=items(seq))
            case BlockQuote(blocks=seq) | FootnoteDef(blocks=seq) | Div(blocks=seq):
                return replace(block, blocks=blocks(seq))
            case LineBlock(lines=lines):
                return replace(block, lines=tuple(change(line) for line in lines))
            case DefinitionList(items=items_):
                return replace(
                    block,
                    items=tuple(
                        replace(item, term=change(item.term), definitions=tuple(blocks(d) for d in item.definitions))
                        for item in items_
                    ),
                )
            case Table(header=header, rows=rows, caption=caption):
                return replace(
                    block,
                    caption=change(caption) if caption else caption,
                    header=tuple(change(cell) for cell in header),
                    rows=tuple(tuple(change(cell) for cell in row) for row in rows),
                )
            case Figure(image=image, caption=caption):
                return replace(block, image=replace(image, alt=change(image.alt)), caption=change(caption))
            case CodeBlock() | ThematicBreak() | RawBlock() | PageBreak():
                return block
            case _:
                assert_never(block)

    return replace(doc, blocks=blocks(doc.blocks))
