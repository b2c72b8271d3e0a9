"""Typography over the model: the text rules of `fr.py` applied to each block's whole run of
inline text, so that a quotation opened in plain text can close after an emphasis.

A run is flattened into one string: text nodes give their text, a soft break a space, and
what the rules must not see (code, images, note calls) one opaque character. The corrected
string is then cut back into the same nodes. Code, link targets and image sources are never
part of the string.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from collections.abc import Callable, Iterator
from typing import assert_never

from ..model import (
    Code,
    Document,
    Emph,
    FootnoteRef,
    HardBreak,
    Image,
    Inline,
    Link,
    Note,
    RawInline,
    Ruby,
    SoftBreak,
    Span,
    Strong,
    Styled,
    Text,
    TypographyOptions,
)
from ..walk import InlineRun, map_inline_runs, merge_texts
from .fr import OPAQUE, typographize_text

__all__ = ["is_french", "typographize", "typographize_lines", "typographize_run", "typographize_text"]

TextRule = Callable[[str], str]


def is_french(lang: str) -> bool:
    return lang.lower() == "fr" or lang.lower().startswith("fr-")


def typographize(doc: Document) -> Document:
    """The document with French typography applied, when it is in French; else unchanged."""
    if not is_french(doc.meta.lang):
        return doc
    options = doc.meta.typography

    def rule(text: str) -> str:
        return typographize_text(text, options)

    meta = dataclasses.replace(
        doc.meta,
        title=rule(doc.meta.title),
        description=rule(doc.meta.description),
        rights=rule(doc.meta.rights),
        subtitle=rule(doc.meta.subtitle),
        toc_title=rule(doc.meta.toc_title),
        dedication=rule(doc.meta.dedication),
        epigraph=rule(doc.meta.epigraph),
        back_cover=rule(doc.meta.back_cover),
    )
    return dataclasses.replace(map_inline_runs(doc, lambda run: typographize_run(run, rule)), meta=meta)


def typographize_lines(text: str, lang: str = "fr") -> str:
    """Plain text, one paragraph per line (`fleuron typo`): each line corrected, ends kept."""
    if not is_french(lang):
        return text
    region = lang[3:].upper()
    options = TypographyOptions(locale=f"fr-{region}" if region in ("CA", "CH") else "fr-FR")
    return "".join(
        typographize_text(line.rstrip("\r\n"), options) + line[len(line.rstrip("\r\n")) :]
        for line in text.splitlines(keepends=True)
    )


def typographize_run(run: InlineRun, rule: TextRule) -> InlineRun:
    """Apply a paragraph rule to a run of inlines, across emphasis and link boundaries.

    Each hard line break starts a new paragraph for the rule (a poem's lines, a dialogue).
    Inline notes and image descriptions are runs of their own.
    """
    pieces = flatten(run, rule)
    changed: list[Piece] = []
    line: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, HardBreak):
            changed += [*_rewrite_line(line, rule), piece]
            line = []
        else:
            line.append(piece)
    changed += _rewrite_line(line, rule)
    return _rebuild(run, iter(changed))


@dataclasses.dataclass
class Slot:
    """A piece of the run's text: a Text node's text, or the space of a soft break."""

    text: str
    depth: int  # nesting in emphasis or links: a space inserted between two slots goes outside
    soft_break: bool = False


#: One piece per leaf of the run: a slot of text, or an inline the rule must not see (a note
#: or an image, already corrected inside; code; a note call; a hard break).
Piece = Slot | Inline


def flatten(run: InlineRun, rule: TextRule, depth: int = 0) -> list[Piece]:
    pieces: list[Piece] = []
    for inline in run:
        match inline:
            case Text(text=text):
                pieces.append(Slot(text, depth))
            case SoftBreak():
                pieces.append(Slot(" ", depth, soft_break=True))
            case Link(content=()):  # a cross-reference the writers fill in: a word, for the rules
                pieces.append(inline)
            case (
                Emph(content=content) | Strong(content=content) | Link(content=content) | Styled(content=content)
                | Span(content=content)
            ):  # fmt: skip
                pieces += flatten(content, rule, depth + 1)
            case Note(content=content):
                pieces.append(Note(typographize_run(content, rule)))
            case Image(alt=alt):
                pieces.append(dataclasses.replace(inline, alt=typographize_run(alt, rule)))
            case Code() | FootnoteRef() | HardBreak() | RawInline() | Ruby():  # a ruby's base is not French prose
                pieces.append(inline)
            case _:
                assert_never(inline)
    return pieces


def _rewrite_line(line: list[Piece], rule: TextRule) -> list[Piece]:
    """Run the rule over the line's text, then share the result back between its slots.

    Returns one piece per piece given; a slot may come back empty.
    """
    source = "".join(piece.text if isinstance(piece, Slot) else OPAQUE for piece in line)
    result = rule(source)
    if result == source:
        return line
    if len(line) == 1 and isinstance(line[0], Slot):
        return [dataclasses.replace(line[0], text=result)]
    owner = [i for i, piece in enumerate(line) for _ in (piece.text if isinstance(piece, Slot) else OPAQUE)]
    ends = list(itertools.accumulate(len(piece.text) if isinstance(piece, Slot) else 1 for piece in line))
    texts: list[list[str]] = [[] for _ in line]  # joined at the end: `str +=` on a list item copies
    for tag, i1, i2, j1, j2 in diff_opcodes(source, result):
        if tag == "equal":
            i = i1
            while i < i2:  # each piece's share of the equal stretch, as one slice
                end = min(i2, ends[owner[i]])
                texts[owner[i]].append(result[j1 + i - i1 : j1 + end - i1])
                i = end
        elif j2 > j1:
            texts[_receiver(line, owner, i1, i2)].append(result[j1:j2])
    out: list[Piece] = []
    for piece, text in zip(line, map("".join, texts), strict=True):
        if isinstance(piece, Slot):
            out.append(dataclasses.replace(piece, text=text))
        elif text != OPAQUE:  # the rule moved an opaque piece: leave the line as it was
            return line
        else:
            out.append(piece)
    return out


#: When the word characters changed, a line up to this (length × length) is diffed whole; a
#: longer one is replaced whole: difflib's matcher is quadratic, and a hostile paragraph can be
#: one 20,000-character line.
_DIFF_WHOLE_MAX = 250_000
_DIFF_GAP_MAX = 64
_WORD_CHAR = re.compile(r"\w")


def diff_opcodes(source: str, result: str) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from `source` to `result`, in linear time. The rules never change a
    word character (letters, digits): those anchor the alignment, each to itself, and only the
    gaps between them (spaces, punctuation) are diffed. (A whole-line diff may match a word to
    nothing and reinsert it elsewhere: `”«[l](…)»«` moved the link's word out of the link.)"""
    anchors_a = [m.start() for m in _WORD_CHAR.finditer(source)]
    anchors_b = [m.start() for m in _WORD_CHAR.finditer(result)]
    if [source[i] for i in anchors_a] != [result[j] for j in anchors_b]:  # a rule that changes words
        if len(source) * len(result) <= _DIFF_WHOLE_MAX:
            return list(difflib.SequenceMatcher(None, source, result, autojunk=False).get_opcodes())
        return [("replace", 0, len(source), 0, len(result))]
    ops: list[tuple[str, int, int, int, int]] = []
    i0 = j0 = 0
    for i, j in zip([*anchors_a, len(source)], [*anchors_b, len(result)], strict=True):
        anchor = [("equal", i, i + 1, j, j + 1)] if i < len(source) else []
        for op in [*_gap_opcodes(source, result, i0, i, j0, j), *anchor]:
            if op[0] == "equal" and ops and ops[-1][0] == "equal":  # one op for a word, not one a letter
                ops[-1] = ("equal", ops[-1][1], op[2], ops[-1][3], op[4])
            else:
                ops.append(op)
        i0, j0 = i + 1, j + 1
    return ops


def _gap_opcodes(a: str, b: str, i1: int, i2: int, j1: int, j2: int) -> list[tuple[str, int, int, int, int]]:
    if a[i1:i2] == b[j1:j2]:
        return [("equal", i1, i2, j1, j2)] if i2 > i1 else []
    if (i2 - i1) <= _DIFF_GAP_MAX and (j2 - j1) <= _DIFF_GAP_MAX:
        matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
        return [(tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2) for tag, x1, x2, y1, y2 in matcher.get_opcodes()]
    return [("replace", i1, i2, j1, j2) if i2 > i1 else ("insert", i1, i1, j1, j2)]


def _receiver(line: list[Piece], owner: list[int], start: int, end: int) -> int:
    """The slot that takes the characters replacing source[start:end] (or inserted at `start`)."""
    candidates = [owner[i] for i in range(start, end)]
    if not candidates:  # an insertion: the shallower of its two neighbours, the left one on a tie
        neighbours = [owner[i] for i in (start - 1, start) if 0 <= i < len(owner)]
        candidates = sorted(neighbours, key=lambda i: _depth(line[i]))
    slots = [i for i in candidates if isinstance(line[i], Slot)]
    return slots[0] if slots else candidates[0]


def _depth(piece: Piece) -> int:
    return piece.depth if isinstance(piece, Slot) else 1_000


def _rebuild(run: InlineRun, pieces: Iterator[Piece]) -> InlineRun:
    """The run's tree again, each leaf taken from the next piece; emptied texts disappear."""
    out: list[Inline] = []
    for inline in run:
        match inline:
            case Text() | SoftBreak():
                slot = next(pieces)
                assert isinstance(slot, Slot)
                if slot.soft_break and slot.text == " ":
                    out.append(SoftBreak())
                elif slot.text:
                    out.append(Text(slot.text))
            case Link(content=()):
                piece = next(pieces)
                assert not isinstance(piece, Slot)
                out.append(piece)
            case (
                Emph(content=content) | Strong(content=content) | Link(content=content) | Styled(content=content)
                | Span(content=content)
            ):  # fmt: skip
                out.append(dataclasses.replace(inline, content=_rebuild(content, pieces)))
            case Note() | Image() | Code() | FootnoteRef() | HardBreak() | RawInline() | Ruby():
                piece = next(pieces)
                assert not isinstance(piece, Slot)
                out.append(piece)
            case _:
                assert_never(inline)
    return merge_texts(out)
