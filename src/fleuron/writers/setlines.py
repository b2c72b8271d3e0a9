"""The print HTML's paragraphs broken by `linebreak.py` and fixed in the markup, so that
WeasyPrint sets exactly the lines chosen (issue 20). The EPUB is never given to this: a
reader reflows it.

How the lines are fixed, without changing the text's characters (a copy of the PDF, the page
texts and `--format html` keep ordinary spaces, and the typography's no-break spaces stay the
only ones): each line is an `l` span of `white-space: nowrap`, which WeasyPrint cannot break,
the spans apart by an ordinary space or, after the hyphen written out, by nothing; WeasyPrint
breaks between them only, and `text-align: justify` spreads each line to the measure (it counts
the spaces of the line box, nowrap or not), which is exactly the line's setting since every
space stretches alike. A line whose spaces must shrink, which justification cannot do, is also
`fl-s`, of a word spacing minus the most a space may shrink; justification gives it the rest.
The set paragraph (`fl-set`) has `hyphens: manual`: WeasyPrint hyphenates nothing more. An
element cut by a line's edge is closed and opened again (its `id` on its first piece only). A
setting where a line would fit whole at the end of the line before is refused (WeasyPrint
would set it there). The cost, measured on the novel: +35 to +42 % of layout time, the setter
included (one element per line; spans on the lines that need them only, with the others left
as text, cost +18 % but WeasyPrint then breaks some text beside a span at its first word).

What it takes: `p` elements of the running text (in `main`, directly or in its parts'
`section`s), of text, emphasis, bold, links, spans, small capitals and notes at the foot of the
page (a note is measured as its call is set). A chapter's first line, which the book sets in
small capitals (`print.css`'s `::first-line`), is measured so. A paragraph with anything else
(code, an image, a line break, a drop cap), or that no setting fits, is left to WeasyPrint and
counted in the `Report`. Which paragraphs are indented mirrors `text.css`.

The frame (measure, type size, indent) comes from the page geometry the build already knows
(`pdf.py`); with a project's own stylesheets it is read from WeasyPrint by a probe.

Each paragraph is worked on alone: a chapter's HTML can be set by itself.
"""

from __future__ import annotations

import html as html_text
import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

from lxml import etree

from ..units import POINTS_PER_MM
from .fonts import BookFonts
from .linebreak import INFINITY, Box, Glue, Item, Line, Params, Penalty, break_paragraph, finish, hyphenation_points
from .measure import Shaper, Style

log = logging.getLogger("fleuron")

Kind = Literal["book", "handout"]

#: Lines are set this much short of the measure (points): a margin against rounding, far below
#: what an eye sees (0.02 mm).
EPSILON = 0.05
#: A space may grow by half its width at a ratio of 1 (XeTeX's value for OpenType fonts) and
#: shrink by 40 % at -1 (XeTeX's third, a little more: French setting prefers a tight line to a
#: loose one; Libertine's 0.25 em space goes down to 0.15 em, up to 0.375 em at 1).
STRETCH, SHRINK = 1 / 2, 0.4
PT_PER_PX = 0.75
#: What `text.css` and `print.css` say, for a frame computed without WeasyPrint.
INDENT_EM = 1.2
FIRST_LINE_TRACKING_EM = 0.02
HYPHEN = "\u2010"  # WeasyPrint's hyphenate-character
#: html { font-kerning: normal; font-variant-numeric: oldstyle-nums proportional-nums }
FEATURES = {"kern": 1, "onum": 1, "pnum": 1}
#: Where a note's text was: a character of its own, whose width is its call's.
NOTE = "\ufffc"

#: Elements a set paragraph may hold, and what each does to the style of its text.
ITALIC = {"em", "i", "cite", "dfn", "var"}
BOLD = {"strong", "b"}
PLAIN = {"a", "span", "abbr", "q", "time", "data", "bdi"}
#: Before these, a paragraph is not indented (text.css: `h1 + p, …, figure + p`).
NO_INDENT_AFTER = {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table", "hr", "figure"}
#: A paragraph holding one of these is left to WeasyPrint.
_LEFT = {"br", "img", "code", "sup", "sub", "svg", "math"}
SENTENCE_END = set(".!?…")
#: After these a capital starts a sentence (dialogue: « and the dashes).
SENTENCE_OPEN = {"«", "—", "–", "“"}
_CLOSING = "»”’)\"'\u202f\u00a0"
_TOKENS = re.compile("[ \u00a0]|[^ \u00a0]+")


@dataclass
class Report:
    """What was set: paragraphs seen, set, and left to WeasyPrint by reason."""

    paragraphs: int = 0
    set: int = 0
    lines: int = 0
    hyphenated: int = 0
    left: Counter[str] = field(default_factory=Counter)
    #: The mean word space of each set full line, in ems (the bench's "loose lines").
    spaces: list[float] = field(default_factory=list)
    #: Each set paragraph's lines as text (hyphens written, a note's call left out).
    texts: list[list[str]] = field(default_factory=list)

    def summary(self) -> str:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(self.left.items()))
        return f"{self.set} of {self.paragraphs} paragraphs set" + (
            f"; left to WeasyPrint: {reasons}" if reasons else ""
        )


@dataclass(frozen=True)
class Frame:
    """What WeasyPrint will set a running paragraph in (points)."""

    width: float
    size: float
    indent: float
    hyphen: str = HYPHEN
    features: tuple[tuple[str, int], ...] = tuple(sorted(FEATURES.items()))
    #: The letter spacing of a first line in small capitals (points; print.css).
    first_line_tracking: float = 0.0
    justified: bool = True


def frame(width_mm: float, size: float, first_line_small_caps: bool) -> Frame:
    """The frame of Fleuron's own stylesheets, from the page geometry: a text block
    `width_mm` wide, type of `size` points."""
    tracking = FIRST_LINE_TRACKING_EM * size if first_line_small_caps else 0.0
    return Frame(width_mm * POINTS_PER_MM, size, INDENT_EM * size, first_line_tracking=tracking)


def set_lines(html: str, fonts: BookFonts, kind: Kind, frame: Frame | None = None, params: Params | None = None) -> str:
    """`html` (the book's or the handout's whole document) with its paragraphs set."""
    return set_lines_report(html, fonts, kind, frame, params)[0]


def set_lines_report(
    html: str, fonts: BookFonts, kind: Kind, frame: Frame | None = None, params: Params | None = None
) -> tuple[str, Report]:
    report = Report()
    found = _Paragraphs(kind)
    found.feed(html)
    found.close()
    if not found.paragraphs or not found.head[1]:
        return html, report
    frame = frame or probe(html[found.head[0] : found.head[1]], fonts, kind)
    if frame is None or not frame.justified:
        return html, report
    params = params or Params(last_line_min=frame.indent, keep_last_line_apart=True)
    setter = _Setter(frame, Shaper(fonts, frame.size, found.lang or "fr", dict(frame.features)), found.lang, params)
    pieces = [html[: found.head[1] - len("</head>")], setter.css(), "</head>"]
    done = found.head[1]
    for paragraph in found.paragraphs:
        report.paragraphs += 1
        start, end = paragraph.start, paragraph.end
        if paragraph.reason:
            report.left[paragraph.reason] += 1
            continue
        result = setter.paragraph(html[start:end], paragraph.indented, paragraph.first_line)
        if isinstance(result, str):
            report.left[result] += 1
            continue
        text, lines, texts = result
        report.texts.append(texts)
        report.set += 1
        report.lines += len(lines)
        report.hyphenated += sum(line.hyphenated for line in lines)
        report.spaces += setter.spaces(lines)
        pieces += [html[done:start], text]
        done = end
    pieces.append(html[done:])
    log.debug("line breaking (%s): %s", kind, report.summary())
    return "".join(pieces), report


# --- Finding the paragraphs -------------------------------------------------------------


@dataclass
class _Found:
    start: int
    end: int
    indented: bool
    first_line: bool
    reason: str = ""


class _Paragraphs(HTMLParser):
    """The running paragraphs of a document, by offset, with whether each is indented and
    whether its first line is in small capitals."""

    def __init__(self, kind: Kind) -> None:
        super().__init__(convert_charrefs=True)
        self.kind = kind
        self.stack: list[tuple[str, set[str]]] = []
        #: The previous element sibling's tag at each depth (None: the first child).
        self.previous: list[str | None] = [None]
        self.paragraphs: list[_Found] = []
        self.head = (0, 0)
        self.lang = ""
        self._lines = [0]
        self._open: _Found | None = None
        self._depth = 0
        #: The depth of the note being read (its content is the note's, not the line's).
        self._note = 0

    def feed(self, data: str) -> None:
        offset = 0
        for line in data.splitlines(keepends=True):
            offset += len(line)
            self._lines.append(offset)
        super().feed(data)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open is None:
            self.previous[-1] = tag
        elif not self._note:
            self._open.reason = self._open.reason or f"<{tag}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "head":
            self.head = (self._offset(), 0)
        classes = set((values.get("class") or "").split())
        inside = self._open is not None
        if not inside and tag == "p" and self._running():
            previous = self.previous[-1]
            first_line = self.kind == "book" and (
                previous in ("h1", "h2") or (previous is None and "intro" in self.stack[-1][1])
            )
            indented = previous is not None and previous not in NO_INDENT_AFTER
            self._open = _Found(self._offset(), 0, indented, first_line)
            if values:
                self._open.reason = "a paragraph with attributes"
            self._depth = len(self.stack)
        elif inside and self._open is not None and not self._open.reason and not self._note:
            if tag == "span" and "footnote" in classes:
                self._note = len(self.stack) + 1
            elif tag in _LEFT or tag not in ITALIC | BOLD | PLAIN or (tag in ("a", "span") and classes - {"smallcaps"}):
                self._open.reason = f"<{tag}>"
        if not inside:
            self.previous[-1] = tag
        self.stack.append((tag, classes))
        self.previous.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.head = (self.head[0], self._offset() + len("</head>"))
        while self.stack:
            open_tag, _ = self.stack.pop()
            self.previous.pop()
            if len(self.stack) < self._note:
                self._note = 0
            if open_tag == tag:
                break
        if self._open is not None and tag == "p" and len(self.stack) == self._depth:
            self._open.end = self._offset() + len("</p>")
            self.paragraphs.append(self._open)
            self._open = None

    def _running(self) -> bool:
        """In `main`, directly or in a part's section, and nowhere else."""
        tags = [tag for tag, _ in self.stack]
        if tags[:3] != ["html", "body", "main"]:
            return False
        return all(tag == "section" and classes <= {"part", "intro"} for tag, classes in self.stack[3:])


# --- The probe ---------------------------------------------------------------------------


def probe(head: str, fonts: BookFonts, kind: Kind) -> Frame | None:
    """Lay out two running paragraphs with the document's own `<head>` (its fonts and
    stylesheets) and read what WeasyPrint gives them: width, size, indent, features. For a
    project's own stylesheets (Fleuron's own are known: `frame`); it costs importing WeasyPrint.
    None when the stylesheets load anything but the book's fonts (the layout says what)."""
    import weasyprint
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import font_features
    from weasyprint.urls import FatalURLFetchingError

    opening = "<h2>x</h2>" if kind == "book" else ""
    document = (
        f"<!DOCTYPE html><html lang='fr'>{head}<body><main><section class='part'>"
        f"{opening}<p>x</p><p>x</p></section></main></body></html>"
    )
    allowed = {path.as_uri() for path in fonts.paths}
    # A measurement: what WeasyPrint has to say of the stylesheets, the book's layout says it.
    weasy_log = logging.getLogger("weasyprint")
    level = weasy_log.level
    weasy_log.setLevel(logging.ERROR + 1)
    try:
        page = weasyprint.HTML(string=document, url_fetcher=_fonts_only(allowed)).render().pages[0]
    except FatalURLFetchingError as error:
        log.debug("line breaking (%s): no probe (%s); the paragraphs are left to WeasyPrint", kind, error)
        return None
    finally:
        weasy_log.setLevel(level)

    def blocks(box: Any) -> Iterator[Any]:
        if isinstance(box, boxes.BlockBox) and box.element_tag == "p":
            yield box
        for child in getattr(box, "children", ()):
            yield from blocks(child)

    first, second = list(blocks(page._page_box))[:2]
    style = second.style
    features = font_features(
        style["font_kerning"],
        style["font_variant_ligatures"],
        style["font_variant_position"],
        style["font_variant_caps"],
        style["font_variant_numeric"],
        style["font_variant_alternates"],
        style["font_variant_east_asian"],
        style["font_feature_settings"],
    )
    indent = second.children[0].text_indent if second.children else 0
    plain = style["word_spacing"] == 0 and style["letter_spacing"] == "normal"
    tracking = 0.0
    if kind == "book" and first.children:
        line_style = first.children[0].children[0].style if first.children[0].children else first.style
        if line_style["font_variant_caps"] == "small-caps" and line_style["letter_spacing"] != "normal":
            tracking = line_style["letter_spacing"] * PT_PER_PX
    return Frame(
        width=second.width * PT_PER_PX,
        size=style["font_size"] * PT_PER_PX,
        indent=indent * PT_PER_PX,
        hyphen=style["hyphenate_character"],
        features=tuple(sorted(features.items())),
        first_line_tracking=tracking,
        justified=style["text_align_all"] == "justify" and plain and style["white_space"] == "normal",
    )


def _fonts_only(allowed: set[str]) -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class FontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in allowed:
                raise FatalURLFetchingError(f"the probe loads the book's fonts only, not {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=("file",), allow_redirects=False)


# --- Setting one paragraph ---------------------------------------------------------------


@dataclass
class _Run:
    """A stretch of the paragraph's text in one text node: chars [start, end) of the text; the
    elements it is in (below the paragraph); a note's markup and its call's width."""

    start: int
    end: int
    style: Style
    path: tuple[Any, ...]
    note: str = ""
    width: float = 0.0


@dataclass
class _Flat:
    """A paragraph as one string, each character's run known."""

    text: str = ""
    runs: list[_Run] = field(default_factory=list)
    #: Per character: its run's index.
    owner: list[int] = field(default_factory=list)


class _Setter:
    def __init__(self, frame: Frame, shaper: Shaper, lang: str, params: Params) -> None:
        import pyphen

        self.frame = frame
        self.shaper = shaper
        self.params = params
        dictionary = lang.replace("-", "_") if lang and pyphen.language_fallback(lang.replace("-", "_")) else "fr"
        self.pyphen = pyphen.Pyphen(lang=dictionary)
        self.space = shaper.width(" ", Style())
        #: What a space may shrink, in ems, rounded up: the paragraph's word spacing is minus this.
        self.shrink_em = math.ceil(self.space * SHRINK / frame.size * 10_000) / 10_000
        #: Per style, each word's items (by word and whether it starts a sentence).
        self._words: dict[Style, dict[tuple[str, bool], list[tuple[int, Item]]]] = {}

    def css(self) -> str:
        return (
            "<style>\n"
            # WeasyPrint breaks only between the lines; a shrinking line's spaces are at their
            # tightest, and WeasyPrint's justification gives every line the rest. A note's text,
            # at the foot of the page, wraps.
            ".fl-set { hyphens: manual; }\n"
            ".fl-set .l { white-space: nowrap; }\n"
            ".fl-set .footnote { white-space: normal; }\n"
            f".fl-s {{ word-spacing: -{self.shrink_em:.4f}em; }}\n"
            "</style>\n"
        )

    def spaces(self, lines: list[Line]) -> list[float]:
        """Each full line's word space (ems), as its ratio sets it."""
        stretch, shrink = self.space * STRETCH, self.shrink_em * self.frame.size
        return [
            (self.space + line.ratio * (stretch if line.ratio > 0 else shrink)) / self.frame.size for line in lines[:-1]
        ]

    def paragraph(self, source: str, indented: bool, first_line: bool) -> tuple[str, list[Line], list[str]] | str:
        """The paragraph's new markup, its lines and their text, or why it is left as it is."""
        try:
            element = etree.fromstring(source)
        except etree.XMLSyntaxError:
            return "markup the setter cannot read"
        flat = _Flat()
        unknown = self._flatten(element, Style(), (), flat)
        if unknown:
            return unknown
        if not flat.text.strip():
            return "empty"
        indent = self.frame.indent if indented else 0.0
        items, where = self._items(flat, indent, 0.0)
        first = self._items(flat, indent, self.frame.first_line_tracking)[0] if first_line else None
        lines = break_paragraph(items, self.frame.width - EPSILON, self.params, first)
        if lines is None:
            return "no setting within tolerance"
        breaks = self._breaks(items, where, lines)
        if self._pulled_up(items, lines, breaks):
            return "a line WeasyPrint would set beside the one before"
        texts = [
            flat.text[start:end].replace(NOTE, "") + (self.frame.hyphen if hyphenated else "")
            for start, end, hyphenated in breaks
        ]
        return _write(flat, breaks, self.frame.hyphen, [line.ratio < 0 for line in lines]), lines, texts

    def _pulled_up(self, items: list[Item], lines: list[Line], breaks: list[tuple[int, int, bool]]) -> bool:
        """Whether WeasyPrint would set a line beside the one before: each line is a run it
        cannot break, set whole after the line before if it fits in what that line leaves (at
        its own spacing, a shrinking line at its tightest, before justification)."""
        shrink = self.shrink_em * self.frame.size
        placed: list[float] = []  # each line's width as WeasyPrint places it
        for line in lines:
            spaces = sum(isinstance(item, Glue) for item in items[line.start : line.end])
            width = sum(item.width for item in items[line.start : line.end] if not isinstance(item, Penalty))
            taken = items[line.end]
            width += taken.width if isinstance(taken, Penalty) and line.hyphenated else 0.0
            placed.append(width - (spaces * shrink if line.ratio < 0 else 0.0))
        for number in range(1, len(lines)):
            space = self.space if breaks[number][0] > breaks[number - 1][1] else 0.0
            if placed[number] + space <= self.frame.width - EPSILON - placed[number - 1] + 1:
                return True
        return False

    # The paragraph as text and runs

    def _flatten(self, element: Any, style: Style, path: tuple[Any, ...], flat: _Flat) -> str:
        """`element`'s text as runs; `path`: the elements its text is in, below the paragraph."""
        tag = element.tag
        if not isinstance(tag, str):
            return "a comment or processing instruction"
        if path and tag == "span" and "footnote" in (element.get("class") or "").split():
            # The note goes to the foot of the page; its call stays: a superior figure.
            call = self.shaper.width(element.get("data-number") or "", style.with_features("sups"))
            markup = etree.tostring(element, encoding="unicode", with_tail=False)
            self._add(NOTE, style, path[:-1], flat, markup, call)
            return ""
        if tag in ITALIC:
            style = Style(style.weight, True, style.mono, style.features, style.scale)
        elif tag in BOLD:
            style = Style(700, style.italic, style.mono, style.features, style.scale)
        elif tag == "span" and "smallcaps" in (element.get("class") or ""):
            style = style.with_features("smcp")
        if not self.shaper.has(style):
            return "a face the book has not"
        self._add(element.text or "", style, path, flat)
        for child in element:
            reason = self._flatten(child, style, (*path, child), flat)
            if reason:
                return reason
            self._add(child.tail or "", style, path, flat)
        return ""

    def _add(
        self, text: str, style: Style, path: tuple[Any, ...], flat: _Flat, note: str = "", width: float = 0
    ) -> None:
        # White space collapses as CSS's `white-space: normal` does; a soft hyphen goes (the
        # breaker places hyphens).
        if not note:
            text = text.replace("\u00ad", "")
            for char in "\n\t\r":
                text = text.replace(char, " ")
            while "  " in text:
                text = text.replace("  ", " ")
            if text.startswith(" ") and (not flat.text or flat.text.endswith(" ")):
                text = text[1:]
        start = len(flat.text)
        flat.runs.append(_Run(start, start + len(text), style, path, note, width))
        flat.text += text
        flat.owner += [len(flat.runs) - 1] * len(text)

    # Items

    def _items(self, flat: _Flat, indent: float, tracking: float) -> tuple[list[Item], list[int]]:
        """Boxes, glue and penalties, and for each item the offset in the text where it is.
        `tracking`: the letter spacing of a first line in small capitals, which its items have."""

        styles: dict[int, Style] = {}

        def style_of(run: _Run) -> Style:
            found = styles.get(id(run))
            if found is None:
                found = styles[id(run)] = run.style.with_features("smcp").tracked(tracking) if tracking else run.style
            return found

        text = flat.text.rstrip(" ")
        items: list[Item] = []
        where: list[int] = []
        if indent:
            items.append(Box(indent))
            where.append(0)
        stretch, shrink = self.space * STRETCH, self.shrink_em * self.frame.size
        sentence_start = True
        for token in _TOKENS.finditer(text):
            position, word = token.start(), token.group()
            if word in " \u00a0":
                style = style_of(flat.runs[flat.owner[position]])
                if word == "\u00a0":
                    items.append(Penalty(0, INFINITY))
                    where.append(position)
                items.append(Glue(self.shaper.width(word, style), stretch, shrink))
                where.append(position)
                continue
            first, last = flat.owner[position], flat.owner[position + len(word) - 1]
            if first == last and not flat.runs[first].note:
                for offset, item in self._word(word, style_of(flat.runs[first]), sentence_start):
                    items.append(item)
                    where.append(position + offset)
            else:  # a word across styles or with a note's call: measured by its pieces, never broken
                width = 0.0
                for run in flat.runs[first : last + 1]:
                    piece = flat.text[max(run.start, position) : min(run.end, position + len(word))]
                    width += run.width if run.note else self.shaper.width(piece, style_of(run))
                items.append(Box(width))
                where.append(position)
            stripped = word.rstrip(_CLOSING + NOTE)
            sentence_start = bool(stripped) and (stripped[-1] in SENTENCE_END or stripped in SENTENCE_OPEN)
        return finish(items), where + [len(text)] * 3

    def _word(self, word: str, style: Style, sentence_start: bool) -> list[tuple[int, Item]]:
        """A word of one style as boxes and the penalties where it may break, each with its
        offset in the word (kept for the document: words come back)."""
        words = self._words.get(style)
        if words is None:
            words = self._words[style] = {}
        found = words.get((word, sentence_start))
        if found is not None:
            return found
        width = self.shaper.measure(style)
        found = []
        previous = 0
        for point, explicit in self._points(word, sentence_start):
            found.append((previous, Box(width(word[:point]) - width(word[:previous]))))
            if explicit:
                found.append((point, Penalty(0, self.params.explicit_hyphen_penalty, flagged=True)))
            else:
                hyphen = width(word[:point] + self.frame.hyphen) - width(word[:point])
                found.append((point, Penalty(hyphen, self.params.hyphen_penalty, flagged=True, discretionary=True)))
            previous = point
        found.append((previous, Box(width(word) - width(word[:previous]))))
        words[(word, sentence_start)] = found
        return found

    def _points(self, word: str, sentence_start: bool) -> list[tuple[int, bool]]:
        """Where `word` may break: (offset, after an explicit hyphen)."""
        found: list[tuple[int, bool]] = []
        offset = 0
        parts = word.split("-")
        for number, part in enumerate(parts):
            # The letters of the part: after an elision (l’, qu’), before closing punctuation.
            elided = max(part.rfind("’"), part.rfind("'")) + 1
            core_start = elided
            while core_start < len(part) and not part[core_start].isalpha():
                core_start += 1
            core_end = core_start
            while core_end < len(part) and part[core_end].isalpha():
                core_end += 1
            core = part[core_start:core_end]
            starts_sentence = sentence_start and number == 0 and core_start == 0
            for point in hyphenation_points(core, self._positions, starts_sentence):
                found.append((offset + core_start + point, False))
            offset += len(part) + 1
            if number < len(parts) - 1:
                following = parts[number + 1]
                if sum(c.isalpha() for c in part) >= 2 and sum(c.isalpha() for c in following) >= 3:
                    found.append((offset, True))
        return found

    def _positions(self, word: str) -> list[int]:
        return list(self.pyphen.positions(word.lower()))

    # Breaks and spacing

    def _breaks(self, items: list[Item], where: list[int], lines: list[Line]) -> list[tuple[int, int, bool]]:
        """Each line as (first char, end char, hyphen added): a break at a space drops it."""
        breaks = []
        start = where[lines[0].start] if lines else 0
        for line in lines:
            item = items[line.end]
            end = where[line.end]
            hyphen = isinstance(item, Penalty) and item.discretionary
            breaks.append((start, end, hyphen))
            start = end + 1 if isinstance(item, Glue) else end
        return breaks


def _write(flat: _Flat, breaks: list[tuple[int, int, bool]], hyphen: str, shrunk: list[bool]) -> str:
    """The paragraph's markup again, its text's characters kept and each chosen hyphen written,
    each line in an `l` span that WeasyPrint cannot break (`fl-s` too when its spaces shrink),
    the spans apart by a space or, after a hyphen, by nothing. An element cut by a line's edge
    is closed and opened again, its `id` on its first piece."""
    text = list(flat.text)
    for _, end, hyphenated in breaks:
        if hyphenated:
            text[end - 1] += hyphen
    segments = [(start, end, "l fl-s" if tight else "l") for (start, end, _), tight in zip(breaks, shrunk, strict=True)]
    out = ['<p class="fl-set">']
    opened: set[int] = set()
    for number, (start, end, span) in enumerate(segments):
        last = number == len(segments) - 1
        out.append(f'<span class="{span}">')
        stack: list[Any] = []
        for run in flat.runs:
            if run.end > run.start:
                if run.end <= start or run.start >= end:
                    continue
            elif not start <= run.start <= end or (run.start == end and not last and segments[number + 1][0] == end):
                continue  # an empty element belongs to the segment its place is in
            common = 0
            while common < len(stack) and common < len(run.path) and stack[common] is run.path[common]:
                common += 1
            for element in reversed(stack[common:]):
                out.append(f"</{element.tag}>")
            del stack[common:]
            for element in run.path[common:]:
                out.append(_open_tag(element, id(element) not in opened))
                opened.add(id(element))
                stack.append(element)
            if run.note:
                out.append(run.note)
            else:
                out.append(html_text.escape("".join(text[max(run.start, start) : min(run.end, end)]), quote=False))
        out += [f"</{element.tag}>" for element in reversed(stack)]
        out.append("</span>")
        if not last:
            out.append(" " if segments[number + 1][0] > end else "")
    out.append("</p>")
    return "".join(out)


def _open_tag(element: Any, first: bool) -> str:
    attributes = "".join(
        f' {name}="{html_text.escape(value)}"' for name, value in element.attrib.items() if first or name != "id"
    )
    return f"<{element.tag}{attributes}>"
