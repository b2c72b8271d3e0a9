"""A note too long for the foot of the page that calls it runs onto the next page(s), as
French books set it: its first lines at the foot of the calling page, the rest at the foot of
the next one, under the rule, without a second call or number.

WeasyPrint never splits a footnote (its issue #1833): a note that does not fit moves whole to
the next page, with its call's line (`footnote-policy: line`), or runs off a page it is longer
than. So the book is laid out as the index is (`layout.py`), more than once:

1. While we look, every note's policy is `auto` (a user stylesheet, `!important`): a note that
   does not fit leaves its call where it is and goes whole to a later page. Where nothing goes,
   that layout is the one `line` would have made, and it is kept as it is.
2. Such a note is cut at the end of one of its own lines, as WeasyPrint set it: the lines that
   fit under the call's line (the lines the paragraph must keep with it by its orphans and
   widows counted) stay the note; the rest follows as notes without call nor marker
   (`.footnote-cont`), in the same paragraph, whose policy `auto` sends them to the next
   page's foot, where WeasyPrint lays out what it carried over before anything else. A page's
   notes may not take more than the page less `RESERVE_LINES` lines of text (the foot's
   `max-height`), so a note longer than a page goes on over as many pages as it needs.
3. Laid out again; a cut whose parts are not on the call's page and the pages after it is made
   again from that layout, and a note that cannot be cut with `MIN_LINES` lines on each side
   takes `footnote-policy: line` back. At most `PASSES` layouts, always in the same order: the
   same book gives the same bytes.

The cut is made in the note's markup: its text is counted in visible characters (what the
layout's lines hold, spaces and generated text left out), so inline markup that spans the cut
is closed before it and opened again after it. A word WeasyPrint hyphenated at the cut keeps
its hyphen. Nothing here imports the model: it runs in the layout's process (`layout.py`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .xhtml import escape

#: At most this many layouts of one document.
PASSES = 5
#: Lines of a cut note on each side of the cut, at least (no lone line, as for paragraphs).
MIN_LINES = 2
#: Lines of text every page keeps above the notes, however long a note.
RESERVE_LINES = 4
#: What WeasyPrint writes at the end of a line it hyphenated (`hyphenate-character`).
HYPHEN = "\u2010"
#: Characters a layout's lines may drop or add that the text does not count.
_UNCOUNTED = frozenset("\u00ad\u200b\u2060\ufeff")
_VOID = frozenset({"br", "img", "wbr", "hr"})
_SPAN_TAG = re.compile(r"<span\b[^>]*?(/?)>|</span\s*>")
#: One layout: (HTML, extra user stylesheet) -> a rendered WeasyPrint document.
Render = Callable[[str, str], Any]
#: A note's decision: keep it whole with its call's line, or the cuts (in counted characters
#: from the note's start, with whether the cut is inside a hyphenated word).
LINE = "line"
Cuts = tuple[tuple[int, bool], ...]


def settle(html: str, render: Render) -> tuple[str, str, Any]:
    """The document laid out with its long notes cut: (its HTML, the user stylesheet it needs,
    the rendered document)."""
    if 'class="footnote"' not in html:
        return html, "", render(html, "")
    notes = _Notes(html)
    done_html, css = html, notes.css()
    document = render(done_html, css)
    for _ in range(PASSES - 1):
        if not notes.review(document):
            break
        done_html, css = notes.html(), notes.css()
        document = render(done_html, css)
    return done_html, css, document


# --- The note's markup -----------------------------------------------------------------

Token = tuple[str, str, dict[str, str]]  # ("start", tag, attrs) | ("text", text, {}) | ("end", tag, {})


def _counted(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and c not in _UNCOUNTED)


def _find(html: str, key: str) -> tuple[int, int] | None:
    """Where the note's `<span>` (id `key`) begins and ends in the HTML."""
    opening = re.search(r'<span\b[^>]*?\sid="' + re.escape(escape(key, True)) + r'"[^>]*>', html)
    if opening is None:
        return None
    depth = 0
    for tag in _SPAN_TAG.finditer(html, opening.start()):
        if tag.group(0).startswith("</"):
            depth -= 1
        elif not tag.group(1):
            depth += 1
        if depth == 0:
            return opening.start(), tag.end()
    return None


def _tokens(element: ET.Element) -> list[Token]:
    found: list[Token] = [("start", element.tag, dict(element.attrib))]
    if element.text:
        found.append(("text", element.text, {}))
    for child in element:
        found += _tokens(child)
        if child.tail:
            found.append(("text", child.tail, {}))
    found.append(("end", element.tag, {}))
    return found


def _markup(tokens: list[Token]) -> str:
    out = []
    for number, (kind, value, attributes) in enumerate(tokens):
        if kind == "text":
            out.append(escape(value))
        elif kind == "start":
            pairs = "".join(f' {name}="{escape(text, True)}"' for name, text in attributes.items())
            void = value in _VOID and number + 1 < len(tokens) and tokens[number + 1][0] == "end"
            out.append(f"<{value}{pairs}{' /' if void else ''}>")
        elif not (value in _VOID and number and tokens[number - 1][:2] == ("start", value)):
            out.append(f"</{value}>")
    return "".join(out)


def _classes(attributes: dict[str, str]) -> list[str]:
    return attributes.get("class", "").split()


def _cut(tokens: list[Token], count: int, hyphen: bool) -> tuple[list[Token], list[Token]]:
    """The tokens holding the first `count` counted characters, and the rest; the elements open
    at the cut closed in the first, opened again (without ids) in the rest."""
    seen = 0
    opened: list[Token] = []
    for number, token in enumerate(tokens):
        kind, value, _ = token
        if kind == "start":
            opened.append(token)
        elif kind == "end":
            opened.pop()
        elif seen < count <= seen + len(_counted(value)):
            ends = [at for at, char in enumerate(value, 1) if not char.isspace() and char not in _UNCOUNTED]
            at = ends[count - seen - 1]
            # The rest opens a line: no space before it (an empty marker box would keep one).
            before, after = value[:at] + (HYPHEN if hyphen else ""), value[at:].lstrip(" \t\n\r\f")
            first = [*tokens[:number], ("text", before, {}), *(("end", t[1], {}) for t in reversed(opened))]
            again = [("start", tag, {k: v for k, v in attrs.items() if k != "id"}) for _, tag, attrs in opened]
            return first, [*again, ("text", after, {}), *tokens[number + 1 :]]
        else:
            seen += len(_counted(value))
    return tokens, []


def _mark_cut(part: list[Token]) -> list[Token]:
    """A part that ends inside a paragraph: its last line justified as the paragraph's other
    lines (`.footnote-cut`), on the paragraph's block (a note's first paragraph runs in the note's
    own block; the next ones are blocks, `text.css`)."""
    paragraphs = [n for n, (kind, _, attrs) in enumerate(part) if kind == "start" and "footnote-p" in _classes(attrs)]
    target = paragraphs[-1] if len(paragraphs) > 1 else 0
    kind, tag, attributes = part[target]
    return [
        *part[:target],
        (kind, tag, {**attributes, "class": " ".join([*_classes(attributes), "footnote-cut"])}),
        *part[target + 1 :],
    ]


def _ends_paragraph(rest: list[Token]) -> bool:
    """Whether the rest opens with nothing left of the paragraph the cut was in."""
    depth = 0
    for kind, value, _ in rest:
        if kind == "start":
            depth += 1
        elif kind == "end":
            depth -= 1
            if depth <= 1:
                return True
        elif _counted(value):
            return False
    return True


def split_note(markup: str, key: str, cuts: Cuts) -> str:
    """The note's markup as its parts: the first keeps its id and number, the others continue it."""
    rest = _tokens(ET.fromstring(markup))
    parts: list[list[Token]] = []
    done = 0
    for count, hyphen in cuts:
        first, rest = _cut(rest, count - done, hyphen)
        done = count
        parts.append(first if _ends_paragraph(rest) else _mark_cut(first))
    parts.append(rest)
    out = []
    for number, part in enumerate(parts, 1):
        if number > 1:
            _, tag, attributes = part[0]
            extra = [c for c in _classes(attributes) if c == "footnote-cut"]
            cont = {"class": " ".join(["footnote", "footnote-cont", *extra]), "data-continues": key}
            part = [("start", tag, {**cont, "data-part": str(number)}), *part[1:]]
        out.append(_markup(part))
    return "".join(out)


# --- The layout, read ----------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One of a note's lines, as laid out: its counted characters, the height it takes, and
    whether WeasyPrint ended it with a hyphen of its own."""

    chars: int
    advance: float
    hyphen: bool


@dataclass(frozen=True)
class Call:
    page: int
    line: Any  # the LineBox holding the call
    block: Any  # the block box holding that line


@dataclass
class Seen:
    """What one layout says of the notes: each note's parts (page, box) and its call."""

    pages: list[Any] = field(default_factory=list)
    areas: dict[int, Any] = field(default_factory=dict)
    parts: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)


def _key(element: Any) -> str:
    return str(element.get("data-continues") or element.get("id") or "")


def _is_note(element: Any) -> bool:
    return element is not None and "footnote" in (element.get("class") or "").split()


def read(document: Any) -> Seen:
    seen = Seen()

    def walk(box: Any, number: int, line: Any, block: Any) -> None:
        if type(box).__name__ == "FootnoteAreaBox":
            seen.areas[number] = box
            for note in box.children:
                if _is_note(note.element):
                    seen.parts.setdefault(_key(note.element), []).append((number, note))
            return
        if str(getattr(box, "element_tag", "")).endswith("::footnote-call") and _is_note(box.element):
            seen.calls.setdefault(_key(box.element), Call(number, line, block))
        for child in getattr(box, "children", ()):
            if type(child).__name__ == "LineBox":
                walk(child, number, child, box)
            else:
                walk(child, number, line, block)

    for number, page in enumerate(document.pages):
        seen.pages.append(page._page_box)
        walk(page._page_box, number, None, None)
    for parts in seen.parts.values():
        parts.sort(key=lambda part: int(part[1].element.get("data-part") or 1))
    return seen


def _line_boxes(box: Any) -> Iterator[Any]:
    for child in getattr(box, "children", ()):
        if type(child).__name__ == "LineBox":
            yield child
        else:
            yield from _line_boxes(child)


def lines_of(boxes: list[Any], source: str) -> tuple[Line, ...] | None:
    """A note's lines (from the boxes of its parts), matched with its text `source` (counted
    characters); None if they do not add up to it."""
    from weasyprint.formatting_structure.boxes import TextBox

    found = []
    done = 0
    all_lines = [line for box in boxes for line in _line_boxes(box)]
    for number, line in enumerate(all_lines):
        text = "".join(
            box.text for box in line.descendants() if isinstance(box, TextBox) and "::" not in str(box.element_tag)
        )
        chars = _counted(text)
        hyphen = chars.endswith(HYPHEN) and source[done + len(chars) - 1 : done + len(chars)] != HYPHEN
        count = len(chars) - hyphen
        if source[done : done + count] != chars[:count]:
            return None
        done += count
        following = all_lines[number + 1] if number + 1 < len(all_lines) else None
        advance = line.height
        if following is not None and following.position_y > line.position_y:
            advance = max(line.height, following.position_y - line.position_y)
        found.append(Line(count, advance, hyphen))
    return tuple(found) if done == len(source) and found else None


# --- The decisions ---------------------------------------------------------------------------


class _Notes:
    """Each note's decision across layouts, and the HTML and stylesheet that carry them out."""

    def __init__(self, html: str) -> None:
        self.source = html
        self.plans: dict[str, str | Cuts] = {}
        self.lines: dict[str, tuple[Line, ...]] = {}
        self.cap: float | None = None  # the notes' most height on a page (the foot's max-height)

    def css(self) -> str:
        rules = [".footnote { footnote-policy: auto !important; }"]
        rules += [
            f'[id="{escape(key, True)}"] {{ footnote-policy: line !important; }}'
            for key, plan in sorted(self.plans.items())
            if plan == LINE
        ]
        if self.cap is not None:
            rules.append(f"@page {{ @footnote {{ max-height: {self.cap:.2f}px !important; }} }}")
        return "\n".join(rules) + "\n"

    def html(self) -> str:
        html = self.source
        places = []
        for key, plan in self.plans.items():
            where = _find(self.source, key)
            if plan != LINE and where is not None:
                places.append((where, key, plan))
        for (start, end), key, plan in sorted(places, reverse=True):
            assert not isinstance(plan, str)
            html = html[:start] + split_note(self.source[start:end], key, plan) + html[end:]
        return html

    def _text(self, key: str) -> str | None:
        where = _find(self.source, key)
        if where is None:
            return None
        try:
            tokens = _tokens(ET.fromstring(self.source[where[0] : where[1]]))
        except ET.ParseError:
            return None
        return "".join(_counted(value) for kind, value, _ in tokens if kind == "text")

    def review(self, document: Any) -> bool:
        """Look at a layout; True if some decision changed (the document must be laid out again).
        On each page, the first note that went over and does not fit is decided: the notes after
        it on that page may only have followed it, and are looked at in the next layout."""
        seen = read(document)
        decided: set[int] = set()
        for key, call in sorted(seen.calls.items(), key=lambda item: _order(item[1])):
            plan = self.plans.get(key)
            parts = seen.parts.get(key, [])
            pages = [number for number, _ in parts]
            if (
                call.page in decided
                or plan == LINE
                or not parts
                or pages == [*range(call.page, call.page + len(pages))]
            ):
                continue
            if key not in self.lines:
                text = self._text(key)
                lines = lines_of([box for _, box in parts], text) if text is not None else None
                self.lines[key] = lines or ()
            new = self._cuts(key, seen, call, parts[0][1]) if self.lines[key] else LINE
            if new is None:  # it would fit: it went over after another note, or for the text's sake
                continue
            if new == plan:  # made again the same and still misplaced: WeasyPrint's way
                new = LINE
            self.plans[key] = new
            decided.add(call.page)
        return bool(decided)

    def _cuts(self, key: str, seen: Seen, call: Call, box: Any) -> str | Cuts | None:
        """Where to cut the note called at `call`: None if it fits whole, LINE if it cannot be
        cut with `MIN_LINES` on each side."""
        lines = self.lines[key]
        page = seen.pages[call.page]
        kept_line = _kept_line(call)
        area = seen.areas.get(call.page) or next(iter(seen.areas.values()))
        overhead = area.margin_height() - area.height
        if self.cap is None:
            self.cap = round(page.height - overhead - RESERVE_LINES * kept_line.height, 2)
        # The notes the page keeps: those carried over to it, and those called above the kept
        # line, wherever WeasyPrint put them (one may have gone over only to make room for a line).
        kept = 0.0
        for other, their in seen.calls.items():
            above = their.page == call.page and their.line.position_y <= kept_line.position_y
            if other != key and above and seen.parts.get(other):
                kept += seen.parts[other][0][1].margin_height()
        for note in getattr(seen.areas.get(call.page), "children", ()):
            carried = seen.calls.get(_key(note.element))
            if carried is not None and carried.page < call.page:
                kept += note.margin_height()
        bottom = page.content_box_y() + page.height
        room = bottom - (kept_line.position_y + kept_line.height) - overhead - kept - box.margin_top
        room = min(room, self.cap - kept - box.margin_top) - 0.01
        sizes = [_fit(lines, room)]
        if sizes[0] >= len(lines):
            return None
        if sizes[0] < MIN_LINES:
            return LINE
        left = len(lines) - sizes[0]
        while left > 0:
            more = min(_fit(lines[len(lines) - left :], self.cap - box.margin_top - 0.01), left)
            if 0 < left - more < MIN_LINES:
                more = left - MIN_LINES
            if more < MIN_LINES:
                return LINE
            sizes.append(more)
            left -= more
        cuts = []
        done = 0
        for size in sizes[:-1]:
            done += size
            cuts.append((sum(line.chars for line in lines[:done]), lines[done - 1].hyphen))
        return tuple(cuts)


def _order(call: Call) -> tuple[int, float, float]:
    line = call.line
    return call.page, getattr(line, "position_y", 0.0), getattr(line, "position_x", 0.0)


def _fit(lines: tuple[Line, ...], room: float) -> int:
    used = 0.0
    for number, line in enumerate(lines):
        used += line.advance
        if used > room:
            return number
    return len(lines)


def _kept_line(call: Call) -> Any:
    """The last line of the call's paragraph that must stay on its page with the call's line:
    the paragraph's orphans above a break, its widows below it."""
    block = call.block
    lines = [child for child in getattr(block, "children", ()) if type(child).__name__ == "LineBox"]
    if call.line not in lines:
        return call.line
    at = lines.index(call.line)
    style = block.style
    at = max(at, min(int(style["orphans"]), len(lines)) - 1)
    after = len(lines) - 1 - at
    if getattr(lines[-1], "resume_at", True) is None and 0 < after < int(style["widows"]):
        at = len(lines) - 1
    return lines[at]
