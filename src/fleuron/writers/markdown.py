"""Model -> Markdown, as `readers/markdown.py` reads it (CommonMark, pipe tables, footnotes),
with a YAML front matter.

The text is written as it is, except for what a Markdown reader would take for markup: such
characters are backslash-escaped (`1\\. ` for a paragraph that starts like a numbered item,
`\\*`, `\\[`…), so that reading the output back gives the same blocks and the same text.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, assert_never

import yaml

from ..model import (
    NO_ATTR,
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
    Metadata,
    Note,
    OrderedList,
    PageBreak,
    Paragraph,
    RawBlock,
    RawInline,
    Ruby,
    SoftBreak,
    SourcePos,
    Span,
    Strong,
    Styled,
    Table,
    Text,
    ThematicBreak,
    TypographyOptions,
)

# The reader's own rule for heading anchors: an identifier it would derive need not be written.
from ..readers.identifiers import IdentifierMaker
from ..walk import iter_blocks, iter_inlines, merge_texts


def to_markdown(doc: Document, front_matter: str | None = None) -> str:
    """The document as Markdown. `front_matter` is the YAML to put between the `---` lines
    (with comments, say); by default, the metadata's fields that are set."""
    yaml_text = meta_yaml(doc.meta) if front_matter is None else front_matter
    if yaml_text and not yaml_text.endswith("\n"):
        yaml_text += "\n"
    body = blocks_to_markdown(doc.blocks)
    return f"---\n{yaml_text}---\n" + (f"\n{body}" if body else "")


def meta_yaml(meta: Metadata) -> str:
    """The metadata as front matter: every field that is set, under its own name; of the
    typography options, those that differ from the defaults."""
    data: dict[str, Any] = {}
    for field in dataclasses.fields(meta):
        value = getattr(meta, field.name)
        if isinstance(value, SourcePos):  # where a key stood, not a key
            continue
        if isinstance(value, TypographyOptions):
            default = TypographyOptions()
            options = {
                "disable" if f.name == "disabled" else f.name: _yaml_value(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if getattr(value, f.name) != getattr(default, f.name)
            }
            if options:
                data[field.name] = options
        elif value:
            data[field.name] = _yaml_value(value)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) if data else ""


def _yaml_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def blocks_to_markdown(blocks: Sequence[Block]) -> str:
    text = _Writer(blocks).blocks(blocks)
    return text + "\n" if text else ""


# --- Escaping ----------------------------------------------------------------------------

# Characters that may open markup anywhere in a line: escaped wherever they are (`^` and `~`
# open pandoc's superscripts, subscripts and strike-outs, `{` attributes after a span or an image).
_ALWAYS = frozenset("\\`*[]<|^~{")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# What makes a line a block of its own when it starts with it (checked on escaped text).
_BLOCK_START = re.compile(
    r"#{1,6}(?:[ \t]|$)"  # ATX heading
    r"|>"  # block quote
    r"|[-+](?:[ \t]|$)"  # bullet item (`*` is always escaped)
    r"|~~~"  # fenced code
    r"|=+[ \t]*$|-+[ \t]*$"  # setext underline
    r"|(?:-[ \t]*){3,}$"  # thematic break
    r"|:?-+:?[ \t]*$"  # table delimiter row
    r"|:"  # a definition (`:   texte`), a fenced div (`:::`)
)
_ORDERED_START = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")


def escape_text(text: str, line_start: bool = False, pipe: str = "\\|") -> str:
    """`text` as Markdown that reads back as exactly `text`; `line_start` when it begins a line;
    `pipe`, how to write `|` (a table sees `|` even escaped, not `&#124;`)."""
    out: list[str] = []
    for i, char in enumerate(text):
        if char == "|":
            out.append(pipe)
        elif char in _ALWAYS:
            out.append("\\" + char)
        elif char == "_":
            # Between two letters or digits `_` can neither open nor close emphasis.
            inside = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            out.append("_" if inside else "\\_")
        elif char == "&" and _ENTITY.match(text, i):
            out.append("\\&")
        elif char in "\n\r":
            out.append(_reference(char))  # a line break inside text, from an entity
        else:
            out.append(char)
    escaped = "".join(out)
    if not line_start:
        return escaped
    if escaped[:1].isspace():
        return _reference(escaped[0]) + escaped[1:]  # a reader drops it, or makes code of it
    if _BLOCK_START.match(escaped):
        return "\\" + escaped
    ordered = _ORDERED_START.match(escaped)
    if ordered:
        return ordered[1] + "\\" + escaped[ordered.end(1) :]
    return escaped


def _flanking(piece: str, before: Sequence[str], after: Sequence[Inline]) -> bool:
    """Whether `*a*` written after `before` and before `after` opens and closes as CommonMark
    says: a delimiter next to punctuation inside must have a space or punctuation outside."""
    mark = len(piece) - len(piece.lstrip(piece[0]))
    inside_start, inside_end = piece[mark : mark + 1], piece[-mark - 1 : -mark]
    outside_start = before[-1][-1:] if before else ""
    outside_end = after[0].text[:1] if after and isinstance(after[0], Text) else ("" if not after else "x")

    def word(char: str) -> bool:
        return bool(char) and not char.isspace() and not _is_punctuation(char)

    return not (_is_punctuation(inside_start) and word(outside_start)) and not (
        _is_punctuation(inside_end) and word(outside_end)
    )


def _is_punctuation(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in "PS"


def _escaped_end(text: str) -> bool:
    """Whether the last character of `text` is backslash-escaped."""
    return (len(text) - 1 - len(text[:-1].rstrip("\\"))) % 2 == 1


#: What `^…^` and `~…~` may hold: text on one line, not empty, without tabs.
_SCRIPT = re.compile(r"[^\t\n\r]+")


def _reference(char: str) -> str:
    return f"&#{ord(char)};"


def _protect_ends(text: str) -> str:
    """A block's text keeps the spaces that end it (a reader strips them) as references."""
    if text[-1:].isspace() and text[-1] != "\n":
        text = text[:-1] + _reference(text[-1])
    if text[:1].isspace() and text[0] != "\n":
        text = _reference(text[0]) + text[1:]
    return text


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # A reader strips one space at both ends, unless the code is nothing but spaces.
    padded = text.startswith(("`", " ")) or text.endswith(("`", " "))
    pad = " " if padded and text.strip(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _destination(target: str) -> str:
    if target and not re.search(r"[\s()<>\\]", target):
        return target
    return "<" + re.sub(r"([<>\\])", r"\\\1", target) + ">"


def _title(title: str) -> str:
    return ' "' + re.sub(r'(["\\])', r"\\\1", title) + '"' if title else ""


# --- Writer ------------------------------------------------------------------------------


class _Writer:
    def __init__(self, blocks: Sequence[Block] = ()) -> None:
        #: The identifier the reader would give each heading (by `id()`): `{#id}` is written when it differs.
        self.derived = _derived_ids(blocks)
        # The marker of the list last written, so that the next list in a row uses another.
        # The markers of the lists being written, outermost first: a nested list uses another, so
        # that `- - -` (three empty items, one in the other) never reads as a thematic break.
        self.enclosing: list[str] = []
        self.one_line = False  # line breaks are written as spaces (headings, table cells)
        self.in_table = False
        self.pipe = "\\|"

    def blocks(self, blocks: Sequence[Block], tight: bool = False) -> str:
        out: list[str] = []
        marker = ""  # of the list just written, if the previous block is one
        for block in blocks:
            if isinstance(block, (BulletList, OrderedList)):
                # Two lists in a row stay two lists when their markers differ.
                marker = self.list_marker(block, marker)
                out.append(self.write_list(block, marker))
            else:
                marker = ""
                out.append(self.block(block))
        return ("\n" if tight else "\n\n").join(out)

    def list_marker(self, block: BulletList | OrderedList, previous: str) -> str:
        if isinstance(block, OrderedList):
            return ")" if previous == "." else "."
        return next(m for m in "-*+" if m != previous and m not in self.enclosing[-1:])

    def write_list(self, block: BulletList | OrderedList, marker: str) -> str:
        if isinstance(block, OrderedList):
            markers = [f"{block.start + i}{marker}" for i in range(len(block.items))]
        else:
            markers = [marker] * len(block.items)
        self.enclosing.append(marker)
        try:
            return self.items(markers, block.items, block.tight)
        finally:
            self.enclosing.pop()

    def block(self, block: Block) -> str:
        match block:
            case Paragraph(content=content):
                return _protect_ends(self.inlines(content, line_start=True))
            case Heading(level=level, content=content, identifier=identifier, classes=classes):
                written = attr_text(Attr(identifier if identifier != self.derived.get(id(block)) else "", classes))
                attributes = f" {{{written}}}" if written else ""
                if level <= 2 and any(isinstance(i, (SoftBreak, HardBreak)) for i in iter_inlines(content)):
                    # Only an underlined heading can hold a line break. Over `---`, a line with a `|`
                    # would be a table's header.
                    self.pipe = _reference("|")
                    try:
                        text = _protect_ends(self.inlines(content, line_start=True)) + attributes
                        return text + "\n" + "=-"[level - 1] * 3
                    finally:
                        self.pipe = "\\|"
                text = _protect_ends(self.flat(content))
                # A final run of `#` after a space would be read as a closing sequence.
                text = re.sub(r"(^|[ \t])(#+[ \t]*)$", r"\1\\\2", text)
                return "#" * min(max(level, 1), 6) + (" " + text if text else "") + attributes
            case BulletList() | OrderedList():
                return self.write_list(block, self.list_marker(block, ""))
            case BlockQuote(blocks=blocks):
                return "\n".join(">" + (" " + line if line else "") for line in self.blocks(blocks).split("\n"))
            case CodeBlock(text=text, info=info):
                fence_char = "~" if "`" in info else "`"
                longest = max((len(run) for run in re.findall(f"{re.escape(fence_char)}+", text)), default=0)
                fence = fence_char * max(3, longest + 1)
                body = text if text.endswith("\n") or not text else text + "\n"
                # The reader unescapes the info string: backslashes and entities must be escaped.
                info = _ENTITY.sub(lambda m: "\\" + m[0], info.replace("\\", "\\\\"))
                gap = " " if info.startswith(fence_char) else ""  # or the info would lengthen the fence
                return f"{fence}{gap}{info}\n{body}{fence}"
            case ThematicBreak():
                return "___"  # neither a list marker nor a heading underline, wherever it stands
            case Table(aligns=aligns, header=header, rows=rows, caption=caption, identifier=identifier):
                written = self.table(aligns, header, rows)
                if caption or identifier:  # pandoc's caption paragraph, after the table
                    anchor = f" {{#{identifier}}}" if identifier else ""
                    written += f"\n\nTable: {_protect_ends(self.flat(caption))}{anchor}"
                return written
            case FootnoteDef(label=label, blocks=blocks):
                note = self.blocks(blocks)
                if blocks and isinstance(blocks[0], Paragraph):
                    return _indent(f"[^{label}]: ", note, 4)
                # A list or a quote starts on the next line: its own indentation is then plain.
                return _indent(f"[^{label}]:", "\n" + note, 4) if note else f"[^{label}]:"
            case Figure(image=image, caption=caption):
                alt = image.alt or caption
                return self.inline(Image(alt, image.source, image.title, image.attr))
            case RawBlock(text=text):
                return text.strip("\n")  # read back as raw HTML when the front matter says `raw_html: sanitize`
            case Div(blocks=blocks, attr=attr):
                inner = self.blocks(blocks)
                # The fence outlasts every fence inside it (pandoc closes the innermost first).
                fence = ":" * max(3, max((len(run) + 1 for run in re.findall(r"^:{3,}", inner, re.M)), default=3))
                return (
                    f"{fence} {{{attr_text(attr)}}}\n{inner}\n{fence}"
                    if inner
                    else f"{fence} {{{attr_text(attr)}}}\n{fence}"
                )
            case LineBlock(lines=lines):
                return "\n".join("|" + (" " + self.line(line) if line else "") for line in lines)
            case PageBreak():
                return "\\newpage"
            case DefinitionList(items=items):
                entries = []
                for item in items:
                    definitions = [_indent(":   ", self.blocks(d), 4) for d in item.definitions]
                    entries.append(_protect_ends(self.flat(item.term)) + "\n\n" + "\n\n".join(definitions))
                return "\n\n".join(entries)
            case _:
                assert_never(block)

    def items(self, markers: list[str], items: Sequence[ListItem], tight: bool) -> str:
        written = []
        for marker, item in zip(markers, items, strict=True):
            content = self.blocks(item.blocks, tight)
            written.append(_indent(marker + " ", content, len(marker) + 1) if content else marker)
        return ("\n" if tight else "\n\n").join(written)

    def table(
        self,
        aligns: Sequence[str],
        header: Sequence[tuple[Inline, ...]],
        rows: Sequence[Sequence[tuple[Inline, ...]]],
    ) -> str:
        delimiters = {"left": ":--", "center": ":-:", "right": "--:"}

        def row(cells: Sequence[tuple[Inline, ...]]) -> str:
            return "| " + " | ".join(_protect_ends(self.flat(cell, table=True)) for cell in cells) + " |"

        lines = [row(header), "| " + " | ".join(delimiters.get(a, "---") for a in aligns) + " |"]
        lines += [row(cells) for cells in rows]
        return "\n".join(lines)

    def flat(self, run: Sequence[Inline], table: bool = False) -> str:
        """A run on one line, line breaks made spaces: for headings and table cells."""
        self.one_line, self.in_table = True, table
        try:
            return self.inlines(run)
        finally:
            self.one_line, self.in_table = False, False

    def inlines(self, run: Sequence[Inline], line_start: bool = False) -> str:
        """A run of inlines; `line_start` when it begins a line (a paragraph, a list item)."""
        out: list[str] = []
        previous: Inline | None = None
        run = merge_texts(run)
        for position, inline in enumerate(run):
            if isinstance(inline, Text):
                piece = escape_text(inline.text, line_start, self.pipe)
            elif isinstance(inline, (SoftBreak, HardBreak)) and self.one_line:
                piece = " "
            else:
                piece = self.inline(inline)
                if (
                    isinstance(inline, (Emph, Strong))
                    and (
                        not _flanking(piece, out, run[position + 1 : position + 2])
                        # Against the previous emphasis's closing `*`, its `**` would make one run (`*a***b**`).
                        or (out and out[-1][-1:] == piece[0] and not _escaped_end(out[-1]))
                    )
                ):
                    piece = self.html_emphasis(inline)
            if piece.startswith(":") and out and isinstance(previous, FootnoteRef):
                piece = "\\" + piece  # `[^1]:` at the start of a line would define the note
            if piece.startswith("[") and out and out[-1][-1:] in ("!", "^") and not _escaped_end(out[-1]):
                if isinstance(previous, Styled) and previous.style == "superscript":
                    out[-1] = f"<sup>{self.inlines(previous.content)}</sup>"  # its closing `^` would open a note
                else:
                    out[-1] = out[-1][:-1] + "\\" + out[-1][-1]  # not an image, not a note
            if piece.endswith("\n") and out and out[-1][-1:] in (" ", "\t"):
                out[-1] = out[-1][:-1] + _reference(out[-1][-1])  # spaces a line break would drop
            if isinstance(inline, HardBreak) and all(isinstance(i, HardBreak) for i in run[position + 1 :]):
                # A backslash cannot end a paragraph: line breaks there are written as HTML.
                piece = "<br />" if not self.one_line else piece
            out.append(piece)
            line_start = piece.endswith("\n")
            previous = inline
        return "".join(out)

    def inline(self, inline: Inline) -> str:
        match inline:
            case Text(text=text):
                return escape_text(text, pipe=self.pipe)
            case Emph(content=content):
                # `*` around an emphasis that starts or ends with one would read as strong.
                mark = "_" if content and (isinstance(content[0], Emph) or isinstance(content[-1], Emph)) else "*"
                # Delimiters next to a space would not open or close: the space is written as a reference.
                return f"{mark}{_protect_ends(self.inlines(content))}{mark}"
            case Strong(content=content):
                # `***a***` reads as an emphasis around a strong: around an emphasis, write `__`.
                mark = "__" if content and (isinstance(content[0], Emph) or isinstance(content[-1], Emph)) else "**"
                return f"{mark}{_protect_ends(self.inlines(content))}{mark}"
            case Code(text=text):
                # In a table, a `|` splits the cell even in code, unless escaped.
                return _code_span(text.replace("|", "\\|") if self.in_table else text)
            case Link(content=content, target=target, title=title):
                if _is_autolink(content, target) and not title:
                    return f"<{target.removeprefix('mailto:') if target.startswith('mailto:') else target}>"
                return f"[{self.inlines(content)}]({_destination(target)}{_title(title)})"
            case Image(alt=alt, source=source, title=title, attr=attr):
                written = attr_text(attr)
                return f"![{self.inlines(alt)}]({_destination(source)}{_title(title)})" + (
                    f"{{{written}}}" if written else ""
                )
            case SoftBreak():
                return "\n"
            case HardBreak():
                return "\\\n"
            case FootnoteRef(label=label):
                return f"[^{label}]"
            case Note(content=content):
                return f"^[{self.inlines(content)}]"
            case RawInline(text=text):
                return text
            case Styled(style=style, content=content, title=title):
                inner = self.inlines(content)
                if style in ("superscript", "subscript"):
                    tag, mark = ("sup", "^") if style == "superscript" else ("sub", "~")
                    if not (len(content) == 1 and isinstance(content[0], Text) and _SCRIPT.fullmatch(content[0].text)):
                        return f"<{tag}>{inner}</{tag}>"  # pandoc's `^…^` holds one line of plain text
                    return f"{mark}{inner.replace(' ', chr(92) + ' ')}{mark}"
                # Strikeout too as a span: `~~` runs next to other `~` (a nested strikeout, a
                # subscript) would read back otherwise; the reader takes `{.strikeout}` as `~~`.
                pairs = (("title", title),) if title else ()
                return f"[{inner}]{{{attr_text(Attr(classes=(style,), pairs=pairs))}}}"
            case Span(content=content, attr=attr):
                return f"[{self.inlines(content)}]{{{attr_text(attr)}}}"
            case Ruby(base=base, annotation=annotation):
                return f"<ruby>{self.inlines(base)}<rt>{escape_text(annotation)}</rt></ruby>"
            case _:
                assert_never(inline)

    def html_emphasis(self, inline: Emph | Strong) -> str:
        """An emphasis whose `*` would not open or close where it stands (`a<b>*</b>`), as HTML."""
        tag = "em" if isinstance(inline, Emph) else "strong"
        return f"<{tag}>{self.inlines(inline.content)}</{tag}>"

    def line(self, run: Sequence[Inline]) -> str:
        """A line of a line block: its leading spaces kept (the reader keeps them too)."""
        text = self.flat(run)
        stripped = text.lstrip(" ")
        text = "\u00a0" * (len(text) - len(stripped)) + stripped
        # A space ending the line (a no-break one too) would be stripped by the reader.
        return text[:-1] + _reference(text[-1]) if text[-1:].isspace() else text


def _derived_ids(blocks: Sequence[Block]) -> dict[int, str]:
    """What the reader derives for each heading, given the `{#id}`s written: those of the
    headings whose identifier it would not derive (more are written until none differs, since
    each explicit id is taken before any is derived)."""
    headings = {id(b): b for b in iter_blocks(tuple(blocks)) if isinstance(b, Heading)}
    explicit: set[int] = set()
    while True:
        maker = IdentifierMaker()
        maker.taken.update(headings[key].identifier for key in explicit)
        derived = {key: maker.make(h.content) for key, h in headings.items() if key not in explicit}
        differing = {key for key, value in derived.items() if value != headings[key].identifier}
        if not differing:
            return derived
        explicit |= differing


def attr_text(attr: Attr) -> str:
    """Pandoc's attribute syntax, without the braces: `#id .class key="value"`."""
    if attr == NO_ATTR:
        return ""
    parts = [f"#{attr.identifier}"] if attr.identifier else []
    parts += [f".{name}" for name in attr.classes]
    parts += [
        f'{key}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for key, value in attr.pairs
    ]
    return " ".join(parts)


def _is_autolink(content: tuple[Inline, ...], target: str) -> bool:
    if len(content) != 1 or not isinstance(content[0], Text) or re.search(r"[\s<>]", target):
        return False
    text = content[0].text
    return (text == target and bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:", target))) or (
        target == "mailto:" + text and "@" in text
    )


def _indent(first: str, text: str, width: int) -> str:
    """`text` after `first` on its first line, its other lines indented by `width`."""
    lines = text.split("\n")
    pad = " " * width
    return first + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:])
