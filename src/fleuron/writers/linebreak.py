"""Total-fit line breaking (Knuth and Plass, *Breaking Paragraphs into Lines*, 1981) with the
rules of French setting, for the book and the handout: a paragraph is a list of boxes, glue
and penalties; the breaker chooses all its breaks at once, minimising the sum of the lines'
demerits, as TeX does.

Owns: the items, the breaker, and where a French word may be hyphenated. Knows nothing of
HTML, fonts or pages (`measure.py` gives widths, `setlines.py` builds the items from a
paragraph and writes the breaks back into it). Works on one paragraph: no state between calls.

The French rules, as hard constraints (a paragraph that cannot meet them at any tolerance is
left to WeasyPrint): at most `max_hyphens` hyphenated lines in a row; no hyphen on a
paragraph's last full line; the last line at least `last_line_min` long; and, in
`hyphenation_points`, 2 letters before a break and 3 after, no break in a word of 5 letters or
fewer, in a proper noun, or after a one-letter syllable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: A penalty this high forbids a break; this low forces one (TeX's ±10000).
INFINITY = 10_000.0


@dataclass(frozen=True, slots=True)
class Box:
    """Something of fixed width: a word, a piece of a word, the paragraph's indent."""

    width: float


@dataclass(frozen=True, slots=True)
class Glue:
    """A space: its natural width and how much it may grow or shrink. A break at glue drops it."""

    width: float
    stretch: float
    shrink: float


@dataclass(frozen=True, slots=True)
class Penalty:
    """A possible break that costs `cost`; `width` (a hyphen's) is set only if it is taken.
    `flagged`: the line it ends ends with a hyphen. `discretionary`: a hyphenation point (not
    an explicit hyphen), which the first pass does without."""

    width: float
    cost: float
    flagged: bool = False
    discretionary: bool = False


Item = Box | Glue | Penalty


@dataclass(frozen=True)
class Params:
    """TeX's parameters, with French values where French setting differs (none here do: babel
    french keeps LaTeX's), and the French constraints."""

    #: The first pass, without hyphenation, takes lines of badness up to this (TeX's \pretolerance).
    pretolerance: float = 100
    #: The next passes, with hyphenation (TeX's \tolerance), then looser for what is left.
    tolerances: tuple[float, ...] = (200, 1000, 10_000)
    line_penalty: float = 10
    #: TeX's 50, doubled: French setting breaks fewer words (the issue's anchor: 9.8 % of lines).
    hyphen_penalty: float = 100
    explicit_hyphen_penalty: float = 50
    double_hyphen_demerits: float = 10_000
    adjacent_demerits: float = 10_000  # two lines of very different tightness in a row
    #: At most this many hyphenated lines in a row.
    max_hyphens: int = 2
    #: The last line's natural width at least this (the next paragraph's indent).
    last_line_min: float = 0.0
    #: When lines are fixed as unbreakable runs (`setlines.py`), a last line that fits in
    #: what the line before leaves at its tightest would be set beside it: set True, such a
    #: setting is refused.
    keep_last_line_apart: bool = False


@dataclass(frozen=True)
class Line:
    """A line of the chosen setting: items [start, end) (glue and penalties at its edges
    removed), its break item's index, its adjustment ratio, whether it ends with a hyphen."""

    start: int
    end: int
    ratio: float
    hyphenated: bool


@dataclass(slots=True)
class _Node:
    position: int  # index of the break item (-1: the paragraph's start)
    fitness: int
    hyphens: int  # hyphenated lines ending here, in a row
    demerits: float
    previous: _Node | None
    flagged: bool
    ratio: float
    room: float  # what the line ending here leaves at its tightest


def break_paragraph(
    items: Sequence[Item], width: float, params: Params | None = None, first: Sequence[Item] | None = None
) -> list[Line] | None:
    """The best lines of `items` at `width`, or None when no setting meets the rules.

    `items` must end with a forced break (a penalty of -INFINITY), normally after a glue of
    infinite stretch (TeX's \\parfillskip), as `finish` adds. `first`, when given, is the same
    items as the first line sets them (a first line in small capitals: other widths). Tries
    without hyphenation at the pretolerance, then with it at each tolerance in turn."""
    params = params or Params()
    tries = [(params.pretolerance, False)] + [(t, True) for t in params.tolerances]
    for tolerance, hyphenate in tries:
        if tolerance < 0:
            continue  # as TeX's \\pretolerance=-1: no pass without hyphenation
        if not hyphenate and not any(isinstance(i, Penalty) and i.discretionary for i in items):
            continue  # nothing to hyphenate: the first pass is the second one's subset
        found = _best_breaks(items, first or items, width, params, tolerance, hyphenate)
        if found is not None:
            return found
    return None


def finish(items: list[Item]) -> list[Item]:
    """Close a paragraph: a glue that fills the last line, then a forced break."""
    return [*items, Penalty(0, INFINITY), Glue(0, 1e9, 0), Penalty(0, -INFINITY)]


def _totals(items: Sequence[Item]) -> tuple[list[float], list[float], list[float]]:
    """Running totals of width, stretch and shrink before each item."""
    count = len(items)
    total_w = [0.0] * (count + 1)
    total_y = [0.0] * (count + 1)
    total_z = [0.0] * (count + 1)
    w = y = z = 0.0
    for index, item in enumerate(items):
        total_w[index], total_y[index], total_z[index] = w, y, z
        if isinstance(item, Box):
            w += item.width
        elif isinstance(item, Glue):
            w += item.width
            y += item.stretch
            z += item.shrink
    total_w[count], total_y[count], total_z[count] = w, y, z
    return total_w, total_y, total_z


def _best_breaks(
    items: Sequence[Item], first: Sequence[Item], width: float, params: Params, tolerance: float, hyphenate: bool
) -> list[Line] | None:
    count = len(items)
    rest = _totals(items)
    opening = _totals(first) if first is not items else rest

    # Where the line after a break at each item starts: past the glue and penalties there.
    starts = [count] * (count + 1)
    next_start = count
    for index in range(count - 1, -1, -1):
        item = items[index]
        if isinstance(item, Box) or (isinstance(item, Penalty) and item.cost <= -INFINITY):
            next_start = index
        starts[index] = next_start
    first_start = 0

    max_ratio = (tolerance / 100) ** (1 / 3)
    active: list[_Node] = [_Node(-1, 1, 0, 0.0, None, False, 0.0, 0.0)]
    for index, item in enumerate(items):
        if isinstance(item, Penalty):
            if item.cost >= INFINITY or (item.discretionary and not hyphenate):
                continue
            extra, cost, flagged = item.width, item.cost, item.flagged
        elif isinstance(item, Glue) and index > 0 and isinstance(items[index - 1], Box):
            extra, cost, flagged = 0.0, 0.0, False
        else:
            continue
        forced = cost <= -INFINITY
        opening_item = first[index]
        first_extra = opening_item.width if isinstance(opening_item, Penalty) else 0.0
        best: dict[tuple[int, int], _Node] = {}
        survivors: list[_Node] = []
        for node in active:
            start = first_start if node.position < 0 else starts[node.position]
            total_w, total_y, total_z = opening if node.position < 0 else rest
            natural = total_w[index] - total_w[start] + (first_extra if node.position < 0 else extra)
            if natural < width:
                stretch = total_y[index] - total_y[start]
                ratio = (width - natural) / stretch if stretch > 0 else math.inf
            elif natural > width:
                shrink = total_z[index] - total_z[start]
                ratio = (width - natural) / shrink if shrink > 0 else -math.inf
            else:
                ratio = 0.0
            overfull = ratio < -1 - 1e-9  # a shrink of exactly 1, less rounding, is no overfull line
            if overfull or forced:
                pass  # the node can start no later line
            else:
                survivors.append(node)
            if overfull or ratio > max_ratio:
                continue
            hyphens = node.hyphens + 1 if flagged else 0
            if hyphens > params.max_hyphens:
                continue
            if forced and node.position >= 0:
                if node.flagged:
                    continue  # no hyphen on the last full line
                last = total_w[index] - total_w[start]
                if last < params.last_line_min or (params.keep_last_line_apart and last <= node.room + 1):
                    continue
            badness = 100 * abs(ratio) ** 3
            demerits = (params.line_penalty + badness) ** 2
            if cost >= 0:
                demerits += cost**2
            elif not forced:
                demerits -= cost**2
            if flagged and node.flagged:
                demerits += params.double_hyphen_demerits
            fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
            if abs(fitness - node.fitness) > 1:
                demerits += params.adjacent_demerits
            demerits += node.demerits
            key = (fitness, hyphens)
            if key not in best or demerits < best[key].demerits:
                room = width - natural + total_z[index] - total_z[start]
                best[key] = _Node(index, fitness, hyphens, demerits, node, flagged, ratio, room)
        active = survivors + list(best.values())
        if not active:
            return None
        if forced:
            break
    finals = [node for node in active if node.position == count - 1]
    if not finals:
        return None
    return _lines(items, min(finals, key=lambda node: node.demerits), starts)


def _lines(items: Sequence[Item], node: _Node, starts: list[int]) -> list[Line]:
    chain: list[_Node] = []
    current: _Node | None = node
    while current is not None and current.position >= 0:
        chain.append(current)
        current = current.previous
    chain.reverse()
    lines = []
    start = 0
    for found in chain:
        lines.append(Line(start, found.position, found.ratio, found.flagged))
        start = starts[found.position]
    return lines


# --- Where a French word may break ----------------------------------------------------------

#: French minimums: letters before a break, letters after it, and the shortest word broken.
LEFT_MIN = 2
RIGHT_MIN = 3
SHORTEST = 6


def hyphenation_points(word: str, positions: Callable[[str], Sequence[int]], sentence_start: bool) -> list[int]:
    """Where `word` (letters only, no apostrophe or hyphen) may be hyphenated, by the
    dictionary's `positions` and the French rules: none in a word shorter than 6 letters, in a
    proper noun (a capital not at a sentence's start) or a word in capitals; 2 letters at
    least before a break, 3 after; no break just after a one-letter syllable."""
    if len(word) < SHORTEST or not word.isalpha():
        return []
    if word[0].isupper() and (not sentence_start or word[1:2].isupper()):
        return []
    points = list(positions(word))
    allowed = []
    previous = 0
    for point in points:
        if LEFT_MIN <= point <= len(word) - RIGHT_MIN and point - previous > 1:
            allowed.append(point)
        previous = point
    return allowed
