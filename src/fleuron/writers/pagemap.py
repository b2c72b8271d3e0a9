"""Where the print edition's pages begin, in the model's text: the EPUB's page list.

The book PDF's own layout tells it (no second layout): for each page, the first characters of
its body text (running heads and folios left out) are looked for, in order, in the text of the
model's blocks. A page without body text (a blank verso, the title page) begins where the next
page does; the front matter's pages begin before the text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import (
    Block,
    Code,
    CodeBlock,
    Document,
    Emph,
    FootnoteDef,
    Heading,
    Inline,
    Link,
    Paragraph,
    Ruby,
    Span,
    Strong,
    Styled,
    Table,
    Text,
)
from ..walk import block_inline_runs, iter_blocks
from .xhtml import NoteNumbering

if TYPE_CHECKING:  # the EPUB writer (and ebooklib) only for its type: a PDF-only build needs neither
    from .epub import PageBreaks

#: How many letters of a page's first line identify where it is in the text.
_PROBE = 24
_IGNORED = re.compile(r"[\W_]+")  # spaces, punctuation and hyphens differ between layout and text


def page_breaks(doc: Document, starts: list[str]) -> PageBreaks:
    """For each page (labelled 1, 2, …), the block and character offset where it begins."""
    stream, places = _letters(doc)
    found: list[tuple[int, int] | None] = []
    position = 0
    for start in starts:
        probe = _IGNORED.sub("", start)[:_PROBE]
        at = stream.find(probe, position) if probe else -1
        if at < 0:
            found.append(None)
            continue
        found.append(places[at])
        position = at + 1
    breaks: PageBreaks = {}
    following: tuple[int, int] | None = None
    last_text = max((n for n, place in enumerate(found) if place is not None), default=-1)
    end = (places[-1][0], places[-1][1] + 1) if places else (-1, 0)
    # From the last page back: a page with no text of its own begins where the next one does.
    for number in range(len(found) - 1, -1, -1):
        place = found[number]
        if place is None:
            place = end if number > last_text else following
        following = place
        block, offset = place if place is not None else (-1, 0)
        breaks.setdefault(block, []).insert(0, (offset, str(number + 1)))
    return breaks


def _letters(doc: Document) -> tuple[str, list[tuple[int, int]]]:
    """The letters and digits of the text in the order the book prints it (the text, then the
    endnotes in their order), and for each its block (by `iter_blocks` index) and its offset in
    that block's text as the XHTML writer counts it. In a code block or a table every letter
    stands for the block's start: a page that begins inside one begins before it."""
    numbers = {id(block): n for n, block in enumerate(iter_blocks(doc.blocks))}
    notes = [b for b in iter_blocks(doc.blocks) if isinstance(b, FootnoteDef)]
    in_notes = {id(b) for note in notes for b in iter_blocks(note.blocks)}
    flow = [b for b in iter_blocks(doc.blocks) if id(b) not in in_notes and not isinstance(b, FootnoteDef)]
    order = {
        entry.body.label: n
        for n, entry in enumerate(NoteNumbering.of(doc).entries)
        if isinstance(entry.body, FootnoteDef)
    }
    # Endnotes are printed after the text; notes at the foot of the page are no text a page begins with.
    printed = (
        sorted((n for n in notes if n.label in order), key=lambda n: order[n.label]) if doc.meta.notes == "end" else []
    )
    letters: list[str] = []
    places: list[tuple[int, int]] = []
    for block in [*flow, *(b for note in printed for b in iter_blocks(note.blocks))]:
        if isinstance(block, (Paragraph, Heading)):
            chars = list(enumerate(_written_text(block)))
        elif isinstance(block, CodeBlock):
            chars = [(0, char) for char in block.text]
        elif isinstance(block, Table):
            chars = [
                (0, char) for cell in (*block.header, *(c for row in block.rows for c in row)) for char in _text(cell)
            ]
        else:
            continue
        for offset, char in chars:
            if not _IGNORED.match(char):
                letters.append(char)
                places.append((numbers[id(block)], offset))
    return "".join(letters), places


def _written_text(block: Block) -> str:
    """The characters the XHTML writer counts in a block: its text and code, in order, through
    emphasis, links, spans and styles (not notes or image descriptions, which are not in the line)."""

    return "".join(_text(run) for run in block_inline_runs(block))


def _text(run: tuple[Inline, ...]) -> str:
    return "".join(
        inline.text
        if isinstance(inline, (Text, Code))
        else _text(inline.content)
        if isinstance(inline, (Emph, Strong, Link, Span, Styled))
        else _text(inline.base)
        if isinstance(inline, Ruby)
        else ""
        for inline in run
    )
