"""The document model: one small typed tree that every reader builds and every writer reads.

Modelled on pandoc-types: a `Document` is `Metadata` plus a sequence of blocks; blocks and
inlines are closed sets of frozen dataclasses; text lives only in text nodes (`Text`, and the
verbatim `Code`/`CodeBlock`). Every block carries a `SourcePos` for error messages and reports.
This module imports nothing of Fleuron's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal, TypeAlias

#: Version of the JSON form printed by `fleuron ast`; bump it when a node changes shape.
AST_VERSION = "1.1"


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where a block starts: the source file and its 1-based line."""

    file: str
    line: int


NOWHERE = SourcePos("<memory>", 0)

# --- Inlines -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Emph:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code: verbatim, never touched by typography."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    content: tuple[Inline, ...]
    target: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    alt: tuple[Inline, ...]
    source: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class SoftBreak:
    pass


@dataclass(frozen=True, slots=True)
class HardBreak:
    pass


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference `[^label]` to a `FootnoteDef` elsewhere in the document."""

    label: str


@dataclass(frozen=True, slots=True)
class Note:
    """An inline footnote `^[...]`: the note's text stands where it is referenced."""

    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class RawInline:
    """Markup passed through as it is: `format` names it (`html`), `text` is already safe and
    well-formed (the reader sanitized it). No pass enters it; writers copy it."""

    format: str
    text: str


Inline: TypeAlias = Text | Emph | Strong | Code | Link | Image | SoftBreak | HardBreak | FootnoteRef | Note | RawInline

# --- Blocks ------------------------------------------------------------------------------

Alignment: TypeAlias = Literal["default", "left", "center", "right"]
Cell: TypeAlias = tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    content: tuple[Inline, ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    content: tuple[Inline, ...]
    #: A unique anchor, derived from the text by the reader, used by links and tables of contents.
    identifier: str = ""
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class ListItem:
    blocks: tuple[Block, ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[ListItem, ...]
    #: A tight list sets its items' paragraphs without paragraph spacing (CommonMark).
    tight: bool = True
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class OrderedList:
    items: tuple[ListItem, ...]
    start: int = 1
    tight: bool = True
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class BlockQuote:
    blocks: tuple[Block, ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Verbatim text; `info` is the fence's info string (its first word names the language)."""

    text: str
    info: str = ""
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class Table:
    aligns: tuple[Alignment, ...]
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class FootnoteDef:
    """The text of footnote `label`, kept where the author wrote it; writers place it."""

    label: str
    blocks: tuple[Block, ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class Figure:
    image: Image
    caption: tuple[Inline, ...] = ()
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class RawBlock:
    """A block of markup passed through as it is (see `RawInline`)."""

    format: str
    text: str
    _: KW_ONLY
    pos: SourcePos = NOWHERE


Block: TypeAlias = (
    Paragraph
    | Heading
    | BulletList
    | OrderedList
    | BlockQuote
    | CodeBlock
    | ThematicBreak
    | Table
    | FootnoteDef
    | Figure
    | RawBlock
)

# --- Document ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypographyOptions:
    """How French typography is applied (`docs/typography.md`, Options). Spaces are named
    `nbsp` (U+00A0), `nnbsp` (U+202F) or `none`."""

    colon_space: str = "nbsp"
    guillemet_space: str = "nnbsp"
    high_space: str = "nnbsp"  # before ; ! ?
    unit_space: str = "nnbsp"
    thousands_space: str = "nnbsp"
    #: Every U+202F becomes U+00A0, for reading systems and fonts without U+202F.
    compat: bool = False
    inner_quotes: str = "“”"
    dialogue_hyphen: bool = False
    insert_missing: bool = True
    locale: str = "fr-FR"
    #: Rule codes (`R8`, …) not to apply.
    disabled: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the front matter says about the book. Only `title` and `lang` are required."""

    title: str
    lang: str
    identifier: str
    date: dt.date | None = None
    rights: str = ""
    description: str = ""
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    #: The base name of the output files; derived from the title when not given.
    slug: str = ""
    typography: TypographyOptions = TypographyOptions()
    #: An image for the ebook's cover, relative to the manuscript; one is drawn when empty.
    cover: str = ""
    #: Where the front matter names the cover (line 0 when `fleuron.toml` gives it), for errors;
    #: where a value stands is no part of what the book is.
    cover_pos: SourcePos = dataclasses.field(default=NOWHERE, compare=False)
    #: Embed the book's font in the EPUB (readers otherwise use their own, or the reader's choice).
    embed_fonts: bool = False
    #: The book's trim size (`a5`, `6x9in`, `110x178mm`); empty for the default, A5.
    trim: str = ""
    #: Raw HTML in the manuscript: `escape` (shown as text) or `sanitize` (an allow-list keeps safe markup).
    raw_html: str = "escape"
    #: Whether images may come from http(s) or data: URLs (fetched once, then packaged).
    allow_remote: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    meta: Metadata
    blocks: tuple[Block, ...]


# --- JSON form ---------------------------------------------------------------------------
# Pandoc's convention: every node is an object whose "t" names its type, fields by name.

_NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Text, Emph, Strong, Code, Link, Image, SoftBreak, HardBreak, FootnoteRef, Note,
        Paragraph, Heading, ListItem, BulletList, OrderedList, BlockQuote, CodeBlock,
        ThematicBreak, Table, FootnoteDef, Figure, SourcePos, TypographyOptions, RawBlock, RawInline,
    )
}  # fmt: skip


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_json(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        node: dict[str, Any] = {"t": type(value).__name__}
        for field in dataclasses.fields(value):
            if field.name != "_":
                node[field.name] = _to_json(getattr(value, field.name))
        return node
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_from_json(item) for item in value)
    if isinstance(value, dict):
        cls = _NODE_TYPES[value["t"]]
        return cls(**{key: _from_json(item) for key, item in value.items() if key != "t"})
    return value


def to_json(doc: Document) -> dict[str, Any]:
    """The document as plain JSON data, versioned by `AST_VERSION`."""
    meta = {field.name: _to_json(getattr(doc.meta, field.name)) for field in dataclasses.fields(doc.meta)}
    if doc.meta.date is not None:
        meta["date"] = doc.meta.date.isoformat()
    return {"fleuron-ast": AST_VERSION, "meta": meta, "blocks": _to_json(doc.blocks)}


def from_json(data: dict[str, Any]) -> Document:
    """The inverse of `to_json`, for filters that edit the tree as JSON."""
    if data.get("fleuron-ast") != AST_VERSION:
        raise ValueError(f"unsupported AST version {data.get('fleuron-ast')!r}, expected {AST_VERSION}")
    meta = dict(data["meta"])
    if meta.get("date") is not None:
        meta["date"] = dt.date.fromisoformat(meta["date"])
    for key in ("authors", "keywords"):
        meta[key] = tuple(meta.get(key, ()))
    for key in ("typography", "cover_pos"):
        if key in meta:
            meta[key] = _from_json(meta[key])
    return Document(Metadata(**meta), _from_json(data["blocks"]))
