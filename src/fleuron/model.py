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
AST_VERSION = "1.2"


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where a block starts: the source file and its 1-based line."""

    file: str
    line: int


NOWHERE = SourcePos("<memory>", 0)


@dataclass(frozen=True, slots=True)
class Attr:
    """Pandoc's attributes (`{#id .class key=value}`): what a span, a div, a heading or an
    image carries for the writers and the styles to give a meaning to."""

    identifier: str = ""
    classes: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        return next((value for name, value in self.pairs if name == key), default)


NO_ATTR = Attr()

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
    #: `{#fig:id width=50%}`: the figure's anchor and its size.
    attr: Attr = NO_ATTR


#: What a `Styled` run is: each has one meaning and one tag in every output.
InlineStyle: TypeAlias = Literal[
    "superscript", "subscript", "smallcaps", "underline", "strikeout", "mark", "small", "cite", "abbr"
]


@dataclass(frozen=True, slots=True)
class Styled:
    """Text with one of the `InlineStyle` meanings (`^2^`, `[Hugo]{.smallcaps}`, `<abbr>`…)."""

    style: InlineStyle
    content: tuple[Inline, ...]
    #: An abbreviation's expansion (`<abbr title>`); empty otherwise.
    title: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """A run carrying attributes (`[texte]{.classe}`, `<span class>`): its classes reach every
    output, and some (an index mark) have a meaning of their own."""

    content: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Ruby:
    """A base text with its pronunciation set above it (`<ruby>漢<rt>kan</rt></ruby>`)."""

    base: tuple[Inline, ...]
    annotation: str


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


Inline: TypeAlias = (
    Text
    | Emph
    | Strong
    | Code
    | Link
    | Image
    | SoftBreak
    | HardBreak
    | FootnoteRef
    | Note
    | RawInline
    | Styled
    | Span
    | Ruby
)

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
    #: `{.unnumbered}`, `{.unlisted}` and the author's own classes.
    classes: tuple[str, ...] = ()
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
    #: pandoc's `Table: caption {#tbl:id}`: set above the table, the anchor for cross-references.
    caption: tuple[Inline, ...] = ()
    identifier: str = ""
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
class Div:
    """A fenced div (`::: classe`) or an HTML `<div class>`: blocks grouped under attributes.
    Some classes have a meaning (`verse`, `dedication`, `epigraph`…); any class reaches the outputs."""

    blocks: tuple[Block, ...]
    attr: Attr = NO_ATTR
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Lines kept as lines (pandoc's `| ` lines: verse, addresses); leading spaces kept."""

    lines: tuple[tuple[Inline, ...], ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class PageBreak:
    """`\\newpage` or `\\pagebreak` alone on a line: a new page in print; nothing in an ebook."""

    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class Definition:
    """A term and its definitions, each a sequence of blocks (`<dt>`, `<dd>`)."""

    term: tuple[Inline, ...]
    definitions: tuple[tuple[Block, ...], ...]
    _: KW_ONLY
    pos: SourcePos = NOWHERE


@dataclass(frozen=True, slots=True)
class DefinitionList:
    items: tuple[Definition, ...]
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
    | Div
    | LineBlock
    | PageBreak
    | DefinitionList
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
    #: Raw HTML in the manuscript: `read` for its meaning (the default), `escape` (shown as text),
    #: or `sanitize` (an allow-list keeps safe markup as it is).
    raw_html: str = "read"
    #: Whether images may come from http(s) or data: URLs (fetched once, then packaged).
    allow_remote: bool = False
    subtitle: str = ""
    publisher: str = ""
    #: The ISBN-13 of this edition, digits only (its check digit verified by the reader).
    isbn: str = ""
    #: The contents' title, when not the language's usual one (pandoc's `toc-title`).
    toc_title: str = ""
    # --- Book parts ----------------------------------------------------------------------
    #: Where notes go in print: `foot` of the page (empty means the same) or `end` of the book.
    notes: str = ""
    #: Notes numbered per `chapter` (empty means the same) or through the `book`.
    note_numbering: str = ""
    #: Figures numbered ("Figure 3"), and a list of figures after the contents.
    figure_numbers: bool = False
    list_of_figures: bool = False
    #: The scene break's ornament in print and ebook (empty: the default, ⁂).
    ornament: str = ""
    #: A drop cap on each chapter's first letter.
    drop_caps: bool = False
    #: Front matter texts given as keys rather than `::: dedication` / `::: epigraph` blocks.
    dedication: str = ""
    epigraph: str = ""
    # --- Print shop ----------------------------------------------------------------------
    #: The back cover's text (typographized like the book's).
    back_cover: str = ""
    #: The price printed on the back cover, as written (`12,50 €`).
    price: str = ""
    #: The paper, for the spine's width: `white` (empty means the same) or `cream`.
    paper: str = ""
    #: The paper's thickness per page in millimetres, overriding `paper`'s figure (0: not given).
    paper_caliper_mm: float = 0.0
    #: A print-on-demand service whose rules apply: `kdp`, `ingramspark`, `lulu` (empty: none).
    pod: str = ""
    #: How the book's and the handout's paragraphs are broken into lines: `total-fit` (empty
    #: means the same; `writers/setlines.py`) or `greedy` (WeasyPrint's own, line by line).
    line_breaking: str = ""


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
        Attr, Styled, Span, Ruby, Div, LineBlock, PageBreak, Definition, DefinitionList,
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
