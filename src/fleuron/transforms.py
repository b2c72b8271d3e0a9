"""Transforms of a whole document, beside `walk.py`'s traversals: joining a book's manuscripts
into one document, the book's parts every reader's model gains (`book_parts`: an image alone in
its paragraph is a figure, the front matter's dedication and epigraph are blocks), and the model
without its source positions (what goes into the outputs)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from .model import (
    NOWHERE,
    Attr,
    Block,
    Div,
    Document,
    Figure,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Inline,
    Link,
    Paragraph,
    SoftBreak,
    Text,
)
from .walk import iter_blocks


def join_chapters(docs: Sequence[Document]) -> Document:
    """The manuscripts of a book, in order, as one document described by the first one's front
    matter; each later one's notes and anchors kept apart from those before it."""
    book = docs[0]
    for number, chapter in enumerate(docs[1:], 2):
        book = dataclasses.replace(book, blocks=book.blocks + _separate(chapter, number, book).blocks)
    return book


def book_parts(doc: Document) -> Document:
    """What the book's parts mean, whichever reader built the model: an image alone in its
    paragraph is a figure captioned by its description (pandoc's `implicit_figures`); the
    front matter's `dedication:` and `epigraph:` are the same blocks as `::: dedication` and
    `::: epigraph` at the head of the text."""
    figured: Document = map_nodes(doc, _figure)
    front: list[Block] = []
    pos = doc.blocks[0].pos if doc.blocks else NOWHERE  # the first block says where the project is
    for name, text in (("dedication", doc.meta.dedication), ("epigraph", doc.meta.epigraph)):
        if text.strip():
            lines: list[Inline] = []
            for line in text.strip().splitlines():
                lines += [HardBreak(), Text(line.strip())] if lines else [Text(line.strip())]
            front.append(Div((Paragraph(tuple(lines), pos=pos),), Attr(classes=(name,)), pos=pos))
    return dataclasses.replace(figured, blocks=(*front, *figured.blocks)) if front else figured


def _figure(node: Any) -> Any:
    if not isinstance(node, Paragraph):
        return node
    content = [
        inline
        for inline in node.content
        if not (isinstance(inline, SoftBreak) or (isinstance(inline, Text) and not inline.text.strip()))
    ]
    if len(content) == 1 and isinstance(content[0], Image):
        return Figure(content[0], content[0].alt, pos=node.pos)
    return node


def without_positions(doc: Document) -> Document:
    """`doc` with every source position cleared: where the text lies does not go into the outputs."""
    cleared: Document = map_nodes(doc, _clear_position)
    return dataclasses.replace(cleared, meta=dataclasses.replace(doc.meta, cover_pos=NOWHERE))


def _clear_position(node: Any) -> Any:
    return dataclasses.replace(node, pos=NOWHERE) if hasattr(node, "pos") else node


def _separate(chapter: Document, number: int, book: Document) -> Document:
    """A later manuscript's note labels prefixed with its number, and those of its heading
    identifiers that the book already has suffixed with it (links to them follow)."""
    taken = {b.identifier for b in iter_blocks(book.blocks) if isinstance(b, Heading)}
    labels = {b.label for b in iter_blocks(chapter.blocks) if isinstance(b, FootnoteDef)}
    own = {b.identifier for b in iter_blocks(chapter.blocks) if isinstance(b, Heading)}
    renamed: dict[str, str] = {}
    for identifier in sorted(own & taken):
        candidate, extra = f"{identifier}-{number}", 1
        while candidate in taken | own | set(renamed.values()):  # "intro-2" may be a heading of its own
            extra += 1
            candidate = f"{identifier}-{number}-{extra}"
        renamed[identifier] = candidate

    def rename(node: Any) -> Any:
        if isinstance(node, (FootnoteRef, FootnoteDef)) and node.label in labels:
            node = dataclasses.replace(node, label=f"{number}/{node.label}")
        if isinstance(node, Heading) and node.identifier in renamed:
            node = dataclasses.replace(node, identifier=renamed[node.identifier])
        if isinstance(node, Link) and node.target.startswith("#") and node.target[1:] in renamed:
            node = dataclasses.replace(node, target="#" + renamed[node.target[1:]])  # the chapter's own heading
        return node

    return dataclasses.replace(chapter, blocks=map_nodes(chapter.blocks, rename))


def map_nodes(value: Any, change: Callable[[Any], Any]) -> Any:
    """Every node of the model rebuilt bottom-up, each given to `change` once its children are.
    Text is never changed here: `change` sees nodes, not their strings."""
    if isinstance(value, tuple):
        return tuple(map_nodes(item, change) for item in value)
    if isinstance(value, Document):
        return dataclasses.replace(value, blocks=map_nodes(value.blocks, change))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value) if f.name not in ("_", "pos")]
        return change(dataclasses.replace(value, **{name: map_nodes(getattr(value, name), change) for name in names}))
    return value
