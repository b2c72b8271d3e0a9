"""The proofreader's report: every correction the typography would make, rule by rule, with
the file, line and column where the author will find it (`fleuron check`)."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..messages import _
from ..model import Block, Document, HardBreak, Image, Inline, Note, Table, TypographyOptions
from ..walk import block_inline_runs, iter_blocks, iter_inlines
from . import Slot, diff_opcodes, flatten, is_french
from .fr import COMPAT, NB, NN, OPAQUE, RULES, Rule, typographize_text

_QUOTE_OPENERS = "«“‹"


@dataclass(frozen=True)
class Correction:
    file: str
    line: int
    column: int
    rule: str
    name: str
    before: str
    after: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.rule} {_(self.name)}: {show(self.before)} → {show(self.after)}"


def show(text: str) -> str:
    """Invisible spaces made visible, as docs/typography.md writes them."""
    return '"' + text.replace(NB, "{NB}").replace(NN, "{NN}").replace("\t", "{TAB}") + '"'


@dataclass(frozen=True)
class _Change:
    rule: str
    name: str
    start: int  # in the original text
    end: int
    before: str
    after: str


def trace(text: str, options: TypographyOptions) -> tuple[list[_Change], str, list[int]]:
    """What each step of the build's driver changes in `text`, in the original text's
    coordinates; and the final text with, for each of its characters, the position in `text`
    it stands for."""
    changes: list[_Change] = []
    origin = list(range(len(text)))  # for each current character, where it came from

    def observe(step: Rule, before: str, after: str) -> None:
        nonlocal origin
        opcodes = diff_opcodes(before, after)
        for tag, i1, i2, j1, j2 in opcodes:
            if tag != "equal":
                start = origin[i1] if i1 < len(origin) else len(text)
                # A character a step added at the end stands for the end: its stretch is empty.
                end = min(origin[i2 - 1] + 1, len(text)) if i2 > i1 else start
                changes.append(_Change(step.code, step.name, start, end, before[i1:i2], after[j1:j2]))
        origin = _follow(origin, opcodes, len(text))

    return changes, typographize_text(text, options, observe), origin


def _follow(origin: list[int], opcodes: Sequence[tuple[str, int, int, int, int]], size: int) -> list[int]:
    new: list[int] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            new += origin[i1:i2]
        else:
            anchor = origin[i1] if i1 < len(origin) else size
            new += [anchor] * (j2 - j1)
    return new


def corrections(doc: Document, source: str | None = None) -> list[Correction]:
    """Every correction `typographize` would make in `doc`, in document order."""
    if not is_french(doc.meta.lang):
        return []
    lines = source.split("\n") if source is not None else None
    found: list[Correction] = []
    for block in iter_blocks(doc.blocks):
        for line_number, run in _runs_with_lines(block):
            for text, breaks, offset in _texts(run):
                changes, final, origin = trace(text, doc.meta.typography)
                for change in _merged(text, _without_compat_echoes(changes)):
                    line, column = _locate(text, breaks, change, line_number + offset)
                    head, tail = _context(text, change)
                    before = head + text[change.start : change.end] + tail
                    column = _refine(lines, line, column, head, before)
                    # The same stretch once every step has run (`origin` never decreases).
                    window = slice(
                        bisect.bisect_left(origin, change.start - len(head)),
                        bisect.bisect_left(origin, change.end + len(tail)),
                    )
                    after = final[window]
                    if after == before:  # undone by a later step (compat, on text already right)
                        continue
                    correction = Correction(block.pos.file, line, column, change.rule, change.name,
                                            _shorten(before), _shorten(after))  # fmt: skip
                    found.append(correction)
    return found


def _without_compat_echoes(changes: list[_Change]) -> list[_Change]:
    """The compat step's changes, but where it only turns a rule's own narrow space into a
    no-break one: that correction already shows the final text."""
    ruled = {
        position
        for change in changes
        if change.rule != COMPAT.code
        for position in range(change.start, max(change.end, change.start + 1))
    }
    return [
        change
        for change in changes
        if change.rule != COMPAT.code or not ruled.issuperset(range(change.start, change.end))
    ]


#: The report's order: the rules', then the compat step's.
_ORDER = [rule.code for rule in (*RULES, COMPAT)]


def summary(found: Sequence[Correction]) -> str:
    counts = Counter((c.rule, c.name) for c in found)
    order = sorted(counts, key=lambda key: _ORDER.index(key[0]))
    rows = [f"{rule} {_(name)}: {counts[rule, name]}" for rule, name in order]
    total = _("{count} correction" if len(found) == 1 else "{count} corrections", count=len(found))
    return "\n".join([*rows, total])


def _runs_with_lines(block: Block) -> Iterator[tuple[int, tuple[Inline, ...]]]:
    if isinstance(block, Table):  # a row per source line, the delimiter row in between
        yield from ((block.pos.line, cell) for cell in block.header)
        for number, row in enumerate(block.rows):
            yield from ((block.pos.line + 2 + number, cell) for cell in row)
        return
    for run in block_inline_runs(block):
        yield block.pos.line, run


def _texts(run: tuple[Inline, ...]) -> Iterator[tuple[str, list[int], int]]:
    """The strings the rules see for a run: one per hard line, then notes and image texts.

    Each comes with the positions of its soft breaks (source line ends) and its line offset.
    """
    pieces = flatten(run, lambda text: text)
    text, breaks, offset, lines_before = "", list[int](), 0, 0
    for piece in pieces:
        if isinstance(piece, Slot):
            if piece.soft_break:
                breaks.append(len(text))
            text += piece.text
        elif isinstance(piece, HardBreak):
            yield text, breaks, offset
            lines_before += len(breaks) + 1
            text, breaks, offset = "", [], lines_before
        else:
            text += OPAQUE
    yield text, breaks, offset
    for inline in iter_inlines(run):
        if isinstance(inline, Note):
            yield from _texts(inline.content)
        elif isinstance(inline, Image):
            yield from _texts(inline.alt)


def _merged(text: str, changes: list[_Change]) -> list[_Change]:
    """R5 quotes are reported by pair, from the opening mark to the closing one."""
    out: list[_Change] = []
    opened: list[_Change] = []
    for change in changes:
        if change.rule != "R5":
            out.append(change)
        elif change.after in _QUOTE_OPENERS:
            opened.append(change)
        elif opened:
            first = opened.pop()
            whole = text[first.start : change.end]
            after = first.after + whole[1:-1] + change.after
            out.append(_Change("R5", change.name, first.start, change.end, whole, after))
        else:
            out.append(change)
    return sorted(out + opened, key=lambda c: c.start)


def _locate(text: str, breaks: list[int], change: _Change, first_line: int) -> tuple[int, int]:
    before = [b for b in breaks if b < change.start]
    line_start = before[-1] + 1 if before else 0
    return first_line + len(before), change.start - line_start + 1


def _refine(lines: list[str] | None, line: int, column: int, head: str, before: str) -> int:
    """The column in the source line, past Markdown marks (`- `, `### `, `*`): where the changed
    text, with its neighbouring words, occurs nearest to where the plain text puts it."""
    if lines is None or not 0 < line <= len(lines):
        return column
    # The first occurrence at or after the column, else the last before it: searched from the
    # column, not over the whole line for each change (quadratic on a long line).
    source, offset = lines[line - 1], len(head) + 1
    found = source.find(before, max(0, column - offset))
    if found == -1:
        found = source.rfind(before, 0, max(0, column - offset) + len(before) - 1)
    return found + offset if found != -1 else column


def _context(text: str, change: _Change) -> tuple[str, str]:
    """The word before and the word after a change, so that the reader sees where it is."""
    start = change.start  # scanned by hand: a regex searched backwards is quadratic on a long word
    if start and text[start - 1].isspace():
        start -= 1
    while start and not text[start - 1].isspace():
        start -= 1
    right = _WORD_AFTER.match(text, change.end)
    return text[start : change.start], (right[0] if right else "")


_WORD_AFTER = re.compile(r"\s?\S*")


def _shorten(text: str) -> str:
    """A long quotation: its two ends are enough."""
    return text if len(text) <= 60 else text[:28] + "…" + text[-28:]
