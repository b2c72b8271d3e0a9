"""The print HTML's paragraphs broken by `linebreak.py` and fixed in the markup, so that
WeasyPrint sets exactly the lines chosen (issue 20). The EPUB is never given to this: a
reader reflows it.

How the lines are fixed (as tex-linebreak does it in a browser): a `<br />` at each chosen
break, the hyphen of a hyphenated line written before it, and each line's spaces given the
`word-spacing` that makes the line exactly the measure (less `EPSILON`), so that neither
WeasyPrint's greedy breaking nor its justification has anything left to do (a line ended by
`<br />` is not justified; the last line keeps its natural spaces unless it must shrink).

What it takes: `p` elements of the running text (in `main`, directly or in its parts'
`section`s), of text, emphasis, bold, links, spans and small capitals. A paragraph with
anything else (a note, code, an image, a line break, a drop cap, generated text), or whose
first line the book sets in small capitals (`print.css`), or that no setting fits, is left to
WeasyPrint, and counted in the `Report`. Which paragraphs are indented mirrors `text.css`
(`p` indented, not after a heading, list, quotation, code, table, rule or figure, nor first in
its section). The measure, type size, indent and font features are read from WeasyPrint
itself, by laying out a probe with the document's own stylesheets.

Each paragraph is worked on alone: a chapter's HTML can be set by itself.
"""

from __future__ import annotations

import html as html_text
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

from lxml import etree

from .fonts import BookFonts
from .linebreak import INFINITY, Box, Glue, Item, Line, Params, Penalty, break_paragraph, finish, hyphenation_points
from .measure import Shaper, Style

log = logging.getLogger("fleuron")

Kind = Literal["book", "handout"]

#: Each line is set this much short of the measure (points): a margin against rounding, far
#: below what an eye sees (0.02 mm).
EPSILON = 0.05
#: A space may grow by half its width and shrink by a third at a ratio of ±1 (XeTeX's rule for
#: OpenType fonts, as babel-french leaves it).
STRETCH, SHRINK = 1 / 2, 1 / 3
PT_PER_PX = 0.75

#: Elements a set paragraph may hold, and what each does to the style of its text.
ITALIC = {"em", "i", "cite", "dfn", "var"}
BOLD = {"strong", "b"}
PLAIN = {"a", "span", "abbr", "q", "time", "data", "bdi"}
#: Before these, a paragraph is not indented (text.css: `h1 + p, …, figure + p`).
NO_INDENT_AFTER = {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table", "hr", "figure"}
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
    hyphen: str
    features: dict[str, int]
    justified: bool


def set_lines(html: str, fonts: BookFonts, kind: Kind, params: Params | None = None) -> str:
    """`html` (the book's or the handout's whole document) with its paragraphs set."""
    return set_lines_report(html, fonts, kind, params)[0]


def set_lines_report(html: str, fonts: BookFonts, kind: Kind, params: Params | None = None) -> tuple[str, Report]:
    report = Report()
    found = _Paragraphs(kind)
    found.feed(html)
    found.close()
    if not found.paragraphs:
        return html, report
    frame = probe(html[found.head[0] : found.head[1]], fonts)
    if not frame.justified:
        return html, report
    params = params or Params(last_line_min=frame.indent)
    setter = _Setter(frame, Shaper(fonts, frame.size, found.lang or "fr", frame.features), found.lang, params)
    pieces = []
    done = 0
    for paragraph in found.paragraphs:
        report.paragraphs += 1
        start, end = paragraph.start, paragraph.end
        if paragraph.reason:
            report.left[paragraph.reason] += 1
            continue
        result = setter.paragraph(html[start:end], paragraph.indented)
        if isinstance(result, str):
            report.left[result] += 1
            continue
        text, lines = result
        report.set += 1
        report.lines += len(lines)
        report.hyphenated += sum(line.hyphenated for line in lines)
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
    reason: str = ""


class _Paragraphs(HTMLParser):
    """The running paragraphs of a document, by offset, with whether each is indented."""

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
        else:
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
            self._open = _Found(self._offset(), 0, indented, "first line in small capitals" if first_line else "")
            if values:
                self._open.reason = "a paragraph with attributes"
            self._depth = len(self.stack)
        elif inside and self._open is not None and not self._open.reason:
            if tag in ("br", "img", "code", "sup", "sub", "svg", "math") or (tag == "span" and classes - {"smallcaps"}):
                self._open.reason = "a note" if "footnote" in classes else f"<{tag}>"
            elif tag not in ITALIC | BOLD | PLAIN or (tag == "a" and classes):
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


def probe(head: str, fonts: BookFonts) -> Frame:
    """Lay out two running paragraphs with the document's own `<head>` (its fonts and
    stylesheets) and read what WeasyPrint gives them: width, size, indent, features."""
    import weasyprint
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import font_features

    document = (
        f"<!DOCTYPE html><html lang='fr'>{head}<body><main><section class='part'>"
        "<p>x</p><p>x</p></section></main></body></html>"
    )
    allowed = {path.as_uri() for path in fonts.paths}
    page = weasyprint.HTML(string=document, url_fetcher=_fonts_only(allowed)).render().pages[0]

    def blocks(box: Any) -> Iterator[Any]:
        if isinstance(box, boxes.BlockBox) and box.element_tag == "p":
            yield box
        for child in getattr(box, "children", ()):
            yield from blocks(child)

    _first, second = list(blocks(page._page_box))[:2]
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
    return Frame(
        width=second.width * PT_PER_PX,
        size=style["font_size"] * PT_PER_PX,
        indent=indent * PT_PER_PX,
        hyphen=style["hyphenate_character"],
        features=features,
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
    """A stretch of the paragraph's text, in one text node: chars [start, end) of the text."""

    start: int
    end: int
    style: Style


@dataclass
class _Flat:
    """A paragraph as one string, each character's run known, and its element tree."""

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
        self._words: dict[tuple[str, Style, bool], list[tuple[int, Item]]] = {}

    def paragraph(self, source: str, indented: bool) -> tuple[str, list[Line]] | str:
        """The paragraph's new markup and its lines, or why it is left as it is."""
        try:
            element = etree.fromstring(source)
        except etree.XMLSyntaxError:
            return "markup the setter cannot read"
        flat = _Flat()
        unknown = self._flatten(element, Style(), flat)
        if unknown:
            return unknown
        if not flat.text.strip():
            return "empty"
        indent = self.frame.indent if indented else 0.0
        items, where = self._items(flat, indent)
        lines = break_paragraph(items, self.frame.width, self.params)
        if lines is None:
            return "no setting within tolerance"
        breaks = self._breaks(items, where, lines)
        spacing = self._spacing(flat, breaks, indent)
        if spacing is None:
            return "a line too wide"
        return _write(element, flat, breaks, spacing, self.frame.hyphen), lines

    # The paragraph as text and runs

    def _flatten(self, element: Any, style: Style, flat: _Flat) -> str:
        tag = element.tag
        if not isinstance(tag, str):
            return "a comment or processing instruction"
        if tag in ITALIC:
            style = Style(style.weight, True, style.mono, style.features, style.scale)
        elif tag in BOLD:
            style = Style(700, style.italic, style.mono, style.features, style.scale)
        elif tag == "span" and "smallcaps" in (element.get("class") or ""):
            style = style.with_features("smcp")
        if not self.shaper.has(style):
            return "a face the book has not"
        self._add(element.text or "", style, flat)
        for child in element:
            reason = self._flatten(child, style, flat)
            if reason:
                return reason
            parent_style = style
            self._add(child.tail or "", parent_style, flat)
        return ""

    def _add(self, text: str, style: Style, flat: _Flat) -> None:
        # White space collapses as CSS's `white-space: normal` does; a soft hyphen goes (the
        # breaker places hyphens).
        text = text.replace("\u00ad", "")
        for char in "\n\t\r":
            text = text.replace(char, " ")
        while "  " in text:
            text = text.replace("  ", " ")
        if text.startswith(" ") and (not flat.text or flat.text.endswith(" ")):
            text = text[1:]
        start = len(flat.text)
        flat.runs.append(_Run(start, start + len(text), style))
        flat.text += text
        flat.owner += [len(flat.runs) - 1] * len(text)

    # Items

    def _items(self, flat: _Flat, indent: float) -> tuple[list[Item], list[int]]:
        """Boxes, glue and penalties, and for each item the offset in the text where it is."""
        text = flat.text.rstrip(" ")
        items: list[Item] = []
        where: list[int] = []
        if indent:
            items.append(Box(indent))
            where.append(0)
        stretch, shrink = self.space * STRETCH, self.space * SHRINK
        sentence_start = True
        for token in _TOKENS.finditer(text):
            position, word = token.start(), token.group()
            if word in " \u00a0":
                style = flat.runs[flat.owner[position]].style
                if word == "\u00a0":
                    items.append(Penalty(0, INFINITY))
                    where.append(position)
                items.append(Glue(self.shaper.width(word, style), stretch, shrink))
                where.append(position)
                continue
            first, last = flat.owner[position], flat.owner[position + len(word) - 1]
            if first == last:
                for offset, item in self._word(word, flat.runs[first].style, sentence_start):
                    items.append(item)
                    where.append(position + offset)
            else:  # a word across styles: measured by its pieces, never broken
                width = 0.0
                for run in flat.runs[first : last + 1]:
                    piece = flat.text[max(run.start, position) : min(run.end, position + len(word))]
                    width += self.shaper.width(piece, run.style)
                items.append(Box(width))
                where.append(position)
            stripped = word.rstrip(_CLOSING)
            sentence_start = bool(stripped) and (stripped[-1] in SENTENCE_END or stripped in SENTENCE_OPEN)
        return finish(items), where + [len(text)] * 3

    def _word(self, word: str, style: Style, sentence_start: bool) -> list[tuple[int, Item]]:
        """A word of one style as boxes and the penalties where it may break, each with its
        offset in the word (kept for the document: words come back)."""
        key = (word, style, sentence_start)
        found = self._words.get(key)
        if found is not None:
            return found
        width = self.shaper.width
        found = []
        previous = 0
        for point, explicit in self._points(word, sentence_start):
            found.append((previous, Box(width(word[:point], style) - width(word[:previous], style))))
            if explicit:
                found.append((point, Penalty(0, self.params.explicit_hyphen_penalty, flagged=True)))
            else:
                hyphen = width(word[:point] + self.frame.hyphen, style) - width(word[:point], style)
                found.append((point, Penalty(hyphen, self.params.hyphen_penalty, flagged=True, discretionary=True)))
            previous = point
        found.append((previous, Box(width(word, style) - width(word[:previous], style))))
        self._words[key] = found
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

    def _spacing(self, flat: _Flat, breaks: list[tuple[int, int, bool]], indent: float) -> list[float] | None:
        """Each line's word spacing (points), from its exact width, runs shaped as WeasyPrint
        shapes its text boxes (one per text node)."""
        spacing = []
        for number, (start, end, hyphen) in enumerate(breaks):
            width = indent if number == 0 else 0.0
            spaces = 0
            index = flat.owner[start] if start < len(flat.owner) else len(flat.runs)
            while index < len(flat.runs) and flat.runs[index].start < end:
                run = flat.runs[index]
                piece = flat.text[max(run.start, start) : min(run.end, end)]
                if hyphen and run.end >= end:
                    piece += self.frame.hyphen
                if piece:
                    width += self.shaper.width(piece, run.style)
                spaces += _inner_spaces(piece)
                index += 1
            room = self.frame.width - EPSILON - width
            last = number == len(breaks) - 1
            if last:
                room = min(room, 0.0)
            if not spaces:
                if room < 0:
                    return None
                spacing.append(0.0)
            else:
                spacing.append(room / spaces)
        return spacing


def _write(element: Any, flat: _Flat, breaks: list[tuple[int, int, bool]], spacing: list[float], hyphen: str) -> str:
    """The paragraph's markup again, with a `<br />` at each break and each line's spacing."""
    out: list[str] = []
    run_index = [0]

    def text(run: _Run) -> None:
        for number, (start, end, hyphenated) in enumerate(breaks):
            if end < run.start or start > run.end:
                continue
            piece = flat.text[max(run.start, start) : min(run.end, end)]
            if piece:
                out.append(_spaced(piece, spacing[number]))
            if number < len(breaks) - 1 and run.start <= end <= run.end and _owns_break(flat, run, end, breaks, number):
                out.append((hyphen if hyphenated else "") + "<br />")

    def element_out(node: Any) -> None:
        attributes = "".join(f' {name}="{html_text.escape(value)}"' for name, value in node.attrib.items())
        out.append(f"<{node.tag}{attributes}>")
        text(flat.runs[run_index[0]])
        run_index[0] += 1
        for child in node:
            element_out(child)
            text(flat.runs[run_index[0]])
            run_index[0] += 1
        out.append(f"</{node.tag}>")

    element_out(element)
    return "".join(out)


def _owns_break(flat: _Flat, run: _Run, end: int, breaks: list[tuple[int, int, bool]], number: int) -> bool:
    """Whether the break at `end` is written in this run: the run holding the break's space,
    or, for a break inside a word, the run holding the char before it."""
    following = breaks[number + 1][0]
    if following > end:  # a space at `end` is dropped: the run that holds it writes the break
        return run.start <= end < run.end
    return run.start < end <= run.end


def _spaced(piece: str, spacing: float) -> str:
    """A line's piece of a text node, its inner spaces in a span of the line's word spacing.
    Spaces at the piece's ends stay out of the span: Pango gives a text box's end spaces their
    letter spacing differently from version to version, and they are not counted."""
    core = piece.strip(" \u00a0")
    if not spacing or not _inner_spaces(piece):
        return html_text.escape(piece, quote=False)
    head = piece[: len(piece) - len(piece.lstrip(" \u00a0"))]
    tail = piece[len(head) + len(core) :]
    span = f'<span style="word-spacing: {spacing:.4f}pt">{html_text.escape(core, quote=False)}</span>'
    return head + span + tail


def _inner_spaces(piece: str) -> int:
    core = piece.strip(" \u00a0")
    return core.count(" ") + core.count("\u00a0")
