"""The index: its marks in the text, its entries in alphabetical order, and its two settings.

A mark is a span of class `index` (`[mot]{.index}`): it files its own text, or the key its
`term` names (`term="Clé"`, `term="Clé!sous-clé"` for a sub-entry), at the place it stands.
Entries sort as French dictionaries do: accents and case are second to the letters (`cote`,
`coté`, `côte`, `côté`; `Œuvre` with `oeuvre`), letters grouped under their initial.

In print, the index's page numbers are the pages the marks fall on: the book is laid out once
with a provisional index (each mark's page by `target-counter`, no runs merged), the page of
each mark's anchor is read from that layout, and the index written again with those numbers,
runs merged (12–14), and laid out again (`layout.py`). The index comes after the text, so the
pages before it do not move. In the EPUB, an index document (EPUB Indexes 1.1) links each
locator to its mark.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..model import Document, Span
from ..walk import block_inline_runs, iter_blocks, iter_inlines, plain_text

INDEX_CLASS = "index"
#: Where the printed index's entries stand in the book's HTML, between these two comments:
#: the layout replaces what is between them with the entries and their real page numbers.
START, END = "<!--fleuron:index-->", "<!--/fleuron:index-->"
#: A run of consecutive pages, and the separator between locators.
RUN_DASH, SEPARATOR = "\u2013", ", "


@dataclass(frozen=True)
class Mark:
    anchor: str
    key: str
    #: The sub-key after `!`, or "".
    sub: str
    #: The block (top-level, by index in `doc.blocks`) the mark stands in: its chapter in an EPUB.
    top: int


@dataclass
class IndexMarks:
    """Every mark of the document, in document order, and the anchor of each span (by identity)."""

    marks: list[Mark]
    anchors: dict[int, str]

    @classmethod
    def of(cls, doc: Document) -> IndexMarks:
        marks: list[Mark] = []
        anchors: dict[int, str] = {}
        for top, outer in enumerate(doc.blocks):
            for block in iter_blocks((outer,)):
                for run in block_inline_runs(block):
                    for inline in iter_inlines(run):
                        if isinstance(inline, Span) and INDEX_CLASS in inline.attr.classes:
                            anchor = inline.attr.identifier or f"ix{len(marks) + 1}"
                            key, _, sub = (inline.attr.get("term") or plain_text(inline.content)).partition("!")
                            if key.strip():
                                anchors[id(inline)] = anchor
                                marks.append(Mark(anchor, " ".join(key.split()), " ".join(sub.split()), top))
        return cls(marks, anchors)


def has_marks(doc: Document) -> bool:
    return bool(IndexMarks.of(doc).marks)


# --- Order ---------------------------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def sort_key(term: str) -> tuple[str, str, str]:
    """French dictionary order: first the letters alone (accents stripped, case folded,
    ligatures spelt out, punctuation ignored), then accents and case, then the term itself."""
    decomposed = unicodedata.normalize("NFD", term.translate(_LIGATURES))
    letters = "".join(c for c in decomposed if c.isalnum() or c == " ").casefold().strip()
    return (letters, term.casefold(), term)


def initial(term: str) -> str:
    """The letter an entry is grouped under ("" for one that begins with a digit or a sign)."""
    letters = sort_key(term)[0]
    return letters[0].upper() if letters and letters[0].isalpha() else ""


@dataclass
class Entry:
    term: str
    #: The marks filed under this term itself, in document order.
    marks: list[Mark] = field(default_factory=list)
    subs: list[Entry] = field(default_factory=list)


def entries(marks: Iterable[Mark]) -> list[Entry]:
    """The index's entries, sorted, each with its sub-entries sorted. Keys that differ only in
    spacing are one; keys that differ in case or accents stay two entries, side by side."""
    top: dict[str, Entry] = {}
    subs: dict[tuple[str, str], Entry] = {}
    for mark in marks:
        entry = top.setdefault(mark.key, Entry(mark.key))
        if mark.sub:
            sub = subs.get((mark.key, mark.sub))
            if sub is None:
                sub = subs[(mark.key, mark.sub)] = Entry(mark.sub)
                entry.subs.append(sub)
            sub.marks.append(mark)
        else:
            entry.marks.append(mark)
    for entry in top.values():
        entry.subs.sort(key=lambda e: sort_key(e.term))
    return sorted(top.values(), key=lambda e: sort_key(e.term))


def groups(sorted_entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """The entries under their initials, in order."""
    found: list[tuple[str, list[Entry]]] = []
    for entry in sorted_entries:
        letter = initial(entry.term)
        if not found or found[-1][0] != letter:
            found.append((letter, []))
        found[-1][1].append(entry)
    return found


# --- Print -------------------------------------------------------------------------------


def page_ranges(pages: Iterable[int]) -> str:
    """Page numbers, each once, in order, runs of consecutive pages merged: `3, 12–14, 20`."""
    numbers = sorted(set(pages))
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return SEPARATOR.join(f"{run[0]}{RUN_DASH}{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


#: A printed index as pieces of HTML, each followed by the page numbers of some anchors:
#: what the layout needs to write the index once it knows where each anchor fell.
IndexTemplate = tuple[tuple[str, tuple[str, ...]], ...]


def print_template(doc: Document) -> IndexTemplate:
    """The printed index's entries as an `IndexTemplate`."""
    from .xhtml import escape

    pieces: list[tuple[str, tuple[str, ...]]] = []

    def item(entry: Entry, kind: str) -> None:
        pieces.append((f'<li class="{kind}"><span class="index-term">{escape(entry.term)}</span>', ()))
        anchors = tuple(mark.anchor for mark in entry.marks)
        if anchors:
            pieces.append((", ", anchors))  # the comma after the term, as French indexes set it
        if entry.subs:
            pieces.append(('\n<ul class="index-subentries">\n', ()))
            for sub in entry.subs:
                item(sub, "index-subentry")
            pieces.append(("</ul>", ()))
        pieces.append(("</li>\n", ()))

    for letter, members in groups(entries(IndexMarks.of(doc).marks)):
        heading = f'<li class="index-group"><h3 class="index-letter">{escape(letter)}</h3>\n' if letter else ""
        pieces.append((heading or '<li class="index-group">\n', ()))
        pieces.append(('<ul class="index-entries">\n', ()))
        for entry in members:
            item(entry, "index-entry")
        pieces.append(("</ul>\n</li>\n", ()))
    return tuple(pieces)


def provisional(template: IndexTemplate) -> str:
    """The index before its pages are known: each mark's page by `target-counter`."""
    return "".join(
        html + SEPARATOR.join(f'<a class="index-locator" href="#{anchor}"></a>' for anchor in anchors)
        for html, anchors in template
    )


def fill(html: str, template: IndexTemplate, pages: Mapping[str, int]) -> str:
    """`html` with its provisional index replaced by the entries and their real page numbers."""
    head, found, rest = html.partition(START)
    if not found:
        return html
    _, _, tail = rest.partition(END)
    body = "".join(
        piece + page_ranges(pages[anchor] for anchor in anchors if anchor in pages) for piece, anchors in template
    )
    return f"{head}{START}{body}{END}{tail}"


def anchor_pages(document: object) -> dict[str, int]:
    """The page (1-based) of each anchor of a rendered WeasyPrint document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(getattr(document, "pages", ()), 1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages
