"""Plain text -> the document model: a clean-up that never changes a word, then the structure
found by small named heuristics, each decision kept with its reason.

This module owns reading text that has no markup (pasted from a word processor, a blog, an
e-mail). Lines are cleaned one by one (`clean_line`), grouped into units (one per line, or one
per blank-line separated paragraph), and each unit becomes a title, a heading, a list item, a
rule or a paragraph. `analyze_plaintext` returns the model with the reason for every line
(`fleuron import --explain` prints them); `read_plaintext` returns the model alone.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import PurePath
from typing import Any, Literal, TypeAlias

from ..errors import FleuronError
from ..messages import _
from ..model import (
    Block,
    BulletList,
    Document,
    HardBreak,
    Heading,
    Inline,
    ListItem,
    OrderedList,
    Paragraph,
    SoftBreak,
    SourcePos,
    Text,
    ThematicBreak,
)
from .identifiers import IdentifierMaker
from .metadata import DEFAULT_LANG, metadata_from

log = logging.getLogger("fleuron")

# --- Clean-up ----------------------------------------------------------------------------

#: Invisible characters that only get in the way: zero-width space, soft hyphen, byte order
#: mark (zero-width no-break space), word joiner. They are removed even inside a word: what a
#: reader sees does not change. Zero-width joiners (U+200C, U+200D) matter to some scripts and
#: to emoji, and are kept.
INVISIBLE = "\u200b\u00ad\ufeff\u2060"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_LINE_END = re.compile(r"\r\n|\r|\n")
# Other control characters and Unicode line separators become spaces, so that the words on
# either side stay apart.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# No-break spaces are kept: French typography puts them before `;:!?` and inside « » on purpose.
_NO_BREAK = ("\u202f", "\u00a0")


def clean_line(line: str) -> str:
    """One line without invisible characters, in NFC, with each run of spaces made one space
    (a no-break space when the run holds one), and nothing at either end."""
    line = _CONTROL.sub(" ", _INVISIBLE.sub("", line))
    line = unicodedata.normalize("NFC", line)
    return _SPACES.sub(_one_space, line).strip()


def _one_space(match: re.Match[str]) -> str:
    run = match.group()
    return next((space for space in _NO_BREAK if space in run), " ")


def split_lines(text: str) -> list[str]:
    """The lines of `text` as an editor numbers them: CRLF, CR and LF all end a line."""
    lines = _LINE_END.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final line ending ends the last line; it does not open another
    return lines


def clean_text(text: str) -> str:
    """The whole text cleaned line by line, lines joined by LF; blank lines are kept."""
    return "\n".join(clean_line(line) for line in split_lines(text))


# --- Language ----------------------------------------------------------------------------

# The commonest short words of each language. A text's language is the one whose words it uses
# most: crude, but enough to tell French from English (and a few neighbours) with no model.
_STOP_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les un une des du de et est en que qui pas pour dans ce cette ces sur au aux avec ne se "
        "sont mais ou il elle nous vous ils je tu on son sa ses leur plus très aussi comme être fait "
        "qu l d j c n été tout tous".split()
    ),
    "en": frozenset(
        "the and of to is in that it for with as was on are be this by not or from at which you have "
        "an they we his her but will can has what there their would all been were i my your".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es an als wird "
        "sind bei wir ich sie er aus nach wie".split()
    ),
    "es": frozenset(
        "el la los las de que y en un una es por con para del se no al lo como más pero sus le ya este "
        "porque esta entre cuando muy sin sobre también".split()
    ),
    "it": frozenset(
        "il di che e la per un una è in non con del della dei le gli si sono da al lo come anche ma più "
        "questo nel alla".split()
    ),
    "pt": frozenset(
        "o a os as de que e do da em um uma para com não é no na por se dos das mais como mas ao ele ela "
        "isso também".split()
    ),
}
_MIN_EVIDENCE = 5  # stop words needed before trusting the count
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def guess_language(text: str) -> tuple[str, str]:
    """The language tag that the text's common words point to, and why."""
    words = re.findall(r"\w+", text.casefold())
    counts = Counter({lang: sum(1 for w in words if w in stop) for lang, stop in _STOP_WORDS.items()})
    ranked = counts.most_common()
    (best, first), (_, second) = ranked[0], ranked[1]
    summary = ", ".join(f"{lang} {n}" for lang, n in ranked if n)
    if first < _MIN_EVIDENCE or first == second:
        return DEFAULT_LANG, f"too few common words to tell ({summary or 'none'}); assuming '{DEFAULT_LANG}'"
    return best, f"guessed from common words ({summary})"


# --- Line shapes -------------------------------------------------------------------------

_BULLET = re.compile(r"(?:[-*+](?=\s)|[•◦▪▫‣●○■□►▸➢➤✓✔❖])\s*(?P<rest>\S.*)")
# `1.`, `1)`, `1/`, `1 -`; `1.2` and `1.2.` for sub-levels. At most three digits: `2024. Une
# année` is a sentence, not item 2024; `01.` is not item 1 (a list would lose the zero).
_NUMBERED = re.compile(
    r"(?P<num>(?:0|[1-9]\d{0,2})(?:\.\d{1,3})*)(?:(?P<delim>[.)/])|\s+[-–—](?=\s))?\s+(?P<rest>\S.*)"
)
# Not `___`: underscores are word characters, and a word is never dropped.
_RULE = re.compile(r"([-*=~•·—–])(?: ?\1){2,}|⁂|❧")
_UNDERLINE = re.compile(r"=+|-+")
# What may close a line after its last word: quotes, brackets, spaces.
_CLOSERS = "\"'”’»›)]}\u00a0\u202f "
_FINAL_PUNCTUATION = ".,;:!?…"
_SENTENCE_END = ".!?…:;"
_OPENERS = "\"'“‘«‹([{¿¡\u00a0\u202f "
_URL = re.compile(r"\w+://|www\.|\S@\S+\.\w")
#: Words that name an opening section, not a book: a first line like this is a heading.
_SECTION_NAMES = frozenset(
    "introduction préambule avant-propos prologue préface résumé sommaire abstract preface "
    "foreword summary contents".split()
)
#: A heading is a short line: at most this many words and characters.
HEADING_MAX_WORDS = 15
HEADING_MAX_CHARS = 100
#: A list item without a marker, after a line ending with `:`, is at most this long.
ITEM_MAX_CHARS = 150


def _final(text: str) -> str:
    """The last character that is not a closing quote, bracket or space."""
    stripped = text.rstrip(_CLOSERS)
    return stripped[-1] if stripped else ""


def _ends_with(text: str, characters: str) -> bool:
    final = _final(text)
    return bool(final) and final in characters


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip(_OPENERS)
    return bool(stripped) and stripped[0].islower()


def _starts_upper(text: str) -> bool:
    """Starts like a sentence or a title: not with a lowercase letter nor with a continuing
    punctuation mark."""
    stripped = text.lstrip(_OPENERS)
    return bool(stripped) and not stripped[0].islower() and stripped[0] not in ",;:.)]}…"


def _heading_shaped(text: str) -> bool:
    """Short, not starting in lowercase, no final punctuation, not an address."""
    return (
        len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and _starts_upper(text)
        and not _ends_with(text, _FINAL_PUNCTUATION)
        and not _URL.search(text)
    )


@dataclass(frozen=True, slots=True)
class _Number:
    parts: tuple[int, ...]
    label: str  # as written: "1.", "2)", "1.2"
    rest: str

    @property
    def depth(self) -> int:
        return len(self.parts)

    @property
    def value(self) -> int:
        return self.parts[-1]


def _numbered(text: str) -> _Number | None:
    match = _NUMBERED.fullmatch(text)
    if match is None:
        return None
    parts = tuple(int(p) for p in match["num"].split("."))
    delim = match["delim"]
    if len(parts) == 1 and delim is None and not re.match(r"\d+\s+[-–—]\s", text):
        return None  # `3 pommes` is not item 3
    label = text[: match.start("rest")].rstrip()
    return _Number(parts, label, match["rest"])


# --- Units: the pieces of text that each become one block --------------------------------


_Kind: TypeAlias = Literal["", "title", "heading", "bullet", "number", "rule", "underline"]
_Rank: TypeAlias = Literal["", "part", "sub", "decimal", "setext=", "setext-", "unnumbered"]


@dataclass(slots=True)
class _Line:
    number: int  # 1-based, in the original file
    text: str
    indent: int


@dataclass(slots=True)
class _Unit:
    lines: list[_Line]
    #: The break before each line after the first: soft for a wrapped line, hard for a kept one.
    breaks: list[Inline] = field(default_factory=list)
    blank_before: bool = False
    kind: _Kind = ""  # "" until decided; what is left at the end is a paragraph
    level: int = 0
    rank: _Rank = ""  # a heading's place in the outline, before levels are given
    number: _Number | None = None
    reason: str = ""

    @property
    def first(self) -> _Line:
        return self.lines[0]

    @property
    def text(self) -> str:
        return self.lines[0].text

    @property
    def single(self) -> bool:
        return len(self.lines) == 1

    def join(self, line: _Line, brk: Inline) -> None:
        self.lines.append(line)
        self.breaks.append(brk)


def _is_marker(text: str) -> bool:
    """A line that always starts a block of its own: an item, a rule, an underline."""
    return bool(_BULLET.fullmatch(text) or _numbered(text) or _RULE.fullmatch(text) or _UNDERLINE.fullmatch(text))


def _chunks(lines: list[_Line]) -> list[tuple[bool, list[_Line]]]:
    """Runs of non-blank lines, each with whether a blank line comes before it."""
    chunks: list[tuple[bool, list[_Line]]] = []
    blank = False
    for line in lines:
        if not line.text:
            blank = True
        elif blank or not chunks:
            chunks.append((blank and bool(chunks), [line]))
            blank = False
        else:
            chunks[-1][1].append(line)
    return chunks


def _uses_blank_lines(chunks: list[tuple[bool, list[_Line]]]) -> tuple[bool, str]:
    """Whether paragraphs are separated by blank lines (so a paragraph may span lines), or the
    text has one paragraph per line. Counts the blank-line separations against the places
    where a line that ends a sentence is followed, with no blank line, by one that starts one."""
    separations = sum(1 for blank, _ in chunks if blank)
    touching = 0
    for _blank, chunk in chunks:
        for above, below in pairwise(chunk):
            if _is_marker(above.text) or _is_marker(below.text):
                continue
            if _ends_with(above.text, _SENTENCE_END) and _starts_upper(below.text):
                touching += 1
    counts = f"{separations} blank-line separations, {touching} sentence lines touching"
    return bool(separations) and separations >= touching, counts


def _wrap_width(chunks: list[tuple[bool, list[_Line]]]) -> int | None:
    """The width the text was wrapped at, when it was: most lines that are followed by another
    line of the same paragraph are then about as long as each other, and no line is longer."""
    lengths = [
        len(above.text)
        for _, chunk in chunks
        for above, below in pairwise(chunk)
        if not _is_marker(below.text) and not _is_marker(above.text)
    ]
    if len(lengths) < 3:
        return None
    lengths.sort()
    width = lengths[int(0.9 * (len(lengths) - 1))]
    every = [len(line.text) for _, chunk in chunks for line in chunk]
    if width < 30 or sum(1 for n in every if n > width + 5) > 0.1 * len(every):
        return None
    return width


def _wrapped(above: _Line, below: _Line, width: int | None) -> bool:
    """Whether `below` continues `above` because the text was wrapped there, rather than
    because the author went to the next line."""
    if width is not None:
        # Wrapped when the next line's first word would not have fitted on this one.
        return len(above.text) + 1 + len(below.text.split()[0]) > width
    if _ends_with(above.text, _SENTENCE_END):
        return False
    return not (_heading_shaped(above.text) and _starts_upper(below.text))


def _units(lines: list[_Line], by_blank_lines: bool) -> list[_Unit]:
    chunks = _chunks(lines)
    width = _wrap_width(chunks) if by_blank_lines else None
    units: list[_Unit] = []
    for blank, chunk in chunks:
        unit = _Unit([chunk[0]], blank_before=blank)
        units.append(unit)
        split_after_colon = False
        for above, line in pairwise(chunk):
            in_item = bool(_BULLET.fullmatch(unit.text) or _numbered(unit.text))
            if _is_marker(line.text):
                new = True
            elif in_item and line.indent > 0:
                new = False  # an indented line under an item goes on with it
            elif not by_blank_lines:
                new = True
            elif _wrapped(above, line, width):
                new = False
            else:  # a line break the author made, inside a blank-line separated paragraph
                heading = unit.single and _heading_shaped(unit.text) and _starts_upper(line.text)
                split_after_colon = split_after_colon or _ends_with(above.text, ":")
                if not (heading or split_after_colon or in_item):
                    unit.join(line, HardBreak())
                    continue
                new = True
            if new:
                unit = _Unit([line])
                units.append(unit)
            else:
                unit.join(line, SoftBreak())
    return units


# --- Decisions ---------------------------------------------------------------------------


def _decide_rules_and_underlines(units: list[_Unit]) -> None:
    for i, unit in enumerate(units):
        if not unit.single:
            continue
        above = units[i - 1] if i else None
        if _UNDERLINE.fullmatch(unit.text) and len(unit.text) >= 3 and above is not None:
            touching = above.single and above.first.number + 1 == unit.first.number
            if touching and not above.kind and not _BULLET.fullmatch(above.text) and _heading_shaped(above.text):
                above.kind, above.rank = "heading", "setext=" if unit.text[0] == "=" else "setext-"
                above.reason = f"underlined with '{unit.text[0]}' on the next line"
                unit.kind, unit.reason = "underline", f"underlines line {above.first.number}"
                continue
        if _RULE.fullmatch(unit.text):
            unit.kind, unit.reason = "rule", "a line of repeated symbols"


def _decide_bullets(units: list[_Unit]) -> None:
    for unit in units:
        match = _BULLET.fullmatch(unit.text)
        if not unit.kind and match:
            unit.kind, unit.reason = "bullet", f"'{unit.text[: match.start('rest')].strip()}' marker"


def _decide_numbered(units: list[_Unit]) -> None:
    """Numbered lines: sections when they stand alone and keep a sequence (`1.`, `2.`… are parts;
    numbering that restarts at 1 inside a part gives its sub-sections; `1.2` is a sub-level);
    list items when they come in a run, end with punctuation, or break the sequence."""
    for unit in units:
        if not unit.kind:
            unit.number = _numbered(unit.text)
    numbered = [i for i, unit in enumerate(units) if unit.number is not None]

    def value_at(i: int) -> int | None:
        number = units[i].number if 0 <= i < len(units) else None
        return number.value if number is not None and number.depth == 1 else None

    # First what each line's own shape says; the lines left are candidate sections.
    candidates: list[int] = []
    for i in numbered:
        unit, n = units[i], units[i].number
        assert n is not None
        label = f'"{n.label}"'
        if n.depth == 1 and (n.value - 1 == value_at(i - 1) or n.value + 1 == value_at(i + 1)):
            unit.kind, unit.reason = "number", f"numbered {label} in a run of numbered lines"
        elif not unit.single or not _heading_shaped(n.rest) or i == len(units) - 1:
            if i == len(units) - 1:
                why = "the last line: introduces nothing"
            else:
                why = "not a title: " + ("spans several lines" if not unit.single else _paragraph_reason(n.rest))
            if n.depth == 1:
                unit.kind, unit.reason = "number", f"numbered {label}, {why}"
            else:
                unit.number = None  # `1.5 million de lecteurs.`: ordinary text
        elif n.depth > 1:
            unit.kind, unit.rank = "heading", "decimal"
            unit.reason = f"numbered {label}: level {n.depth} of a decimal numbering"
        else:
            candidates.append(i)
    _sequence_sections(units, [i for i in numbered if units[i].number is not None], candidates)


def _sequence_sections(units: list[_Unit], numbered: list[int], candidates: list[int]) -> None:
    """Follow the numbering of the candidate sections in order: parts go 1, 2, 3…; inside a
    part, a numbering that restarts at 1 gives its sub-sections."""
    top: int | None = None  # the current part's number
    sub: int | None = None  # the current sub-section's number inside that part
    list_next: int | None = None  # the number that would continue the last numbered list
    values = [_number_value(units[i]) for i in candidates]
    for i in numbered:
        unit = units[i]
        assert unit.number is not None
        n, label = unit.number.value, f'"{unit.number.label}"'
        if i not in candidates:
            if unit.kind == "number":
                list_next = n + 1
            continue
        fits_top = top is None or n == top + 1
        fits_sub = top is not None and (n == 1 or (sub is not None and n == sub + 1))
        if fits_top and fits_sub:
            fits_top = _ambiguous_is_part(values, candidates.index(i))
            fits_sub = not fits_top
        if top is None and n == list_next:
            unit.kind, unit.reason = "number", f"numbered {label} continues the numbered list above"
            list_next = n + 1
        elif fits_top:
            unit.kind, unit.rank = "heading", "part"
            after = f", after part {top}" if top is not None else ""
            unit.reason = f"numbered {label} in sequence{after}"
            top, sub = n, None
        elif fits_sub:
            unit.kind, unit.rank = "heading", "sub"
            how = "restarts" if n == 1 else "continues"
            unit.reason = f"numbered {label} {how} the numbering inside part {top}"
            sub = n
        elif top is not None and n > top:
            unit.kind, unit.rank = "heading", "part"
            unit.reason = f"numbered {label} after part {top} (numbers skipped)"
            top, sub = n, None
        else:
            unit.kind, unit.reason = "number", f"numbered {label} out of the sections' sequence"
            list_next = n + 1


def _ambiguous_is_part(values: list[int], k: int) -> bool:
    """`values[k]` continues both the parts and the current part's sub-sections. A chain
    n, n+1… is all parts or all sub-sections; what follows the chain tells which: a restart at 1
    follows a part, the number n again follows sub-sections (it is the next part)."""
    n = values[k]
    end = k
    while end + 1 < len(values) and values[end + 1] == values[end] + 1:
        end += 1
    following = values[end + 1] if end + 1 < len(values) else None
    return following != n


def _decide_title(units: list[_Unit]) -> None:
    if len(units) < 2:
        return
    first = units[0]
    if first.kind == "heading" and first.rank.startswith("setext"):
        first.kind, first.reason = "title", f"first line, {first.reason}"
    elif not first.kind and first.single and _heading_shaped(first.text):
        name = _series_name(first.text)
        if first.text.casefold() in _SECTION_NAMES:
            first.reason = "names a section, not a book"
        elif name and any(u.single and _series_name(u.text) == name for u in units[1:]):
            first.reason = f"one of a series of headings ('{name} …')"
        else:
            first.kind, first.reason = "title", "first line, short, no final punctuation, followed by text"


def _series_name(text: str) -> str:
    """`chapitre` for `Chapitre 1` or `Chapitre II : Le départ`: a name numbered in a series."""
    match = re.match(r"(\w+)\s+(\d+|[IVXLC]+)\b", text)
    return match[1].casefold() if match else ""


def _decide_lists_after_colons(units: list[_Unit]) -> None:
    """Short lines after a line ending with `:` are the items of a list without markers (a word
    processor's bullets lost in the paste), when there are at least two of them."""
    for i, unit in enumerate(units):
        if unit.kind or not _ends_with(unit.lines[-1].text, ":"):
            continue
        run: list[_Unit] = []
        for other in units[i + 1 :]:
            if other.kind or not other.single or len(other.text) > ITEM_MAX_CHARS:
                break
            if _ends_with(other.text, ".!?…:"):
                if run and _ends_with(run[-1].text, ",;") and _ends_with(other.text, "."):
                    run.append(other)  # `a ;` `b ;` `c.`: the last item closes the list
                break
            run.append(other)
        if len(run) >= 2:
            for item in run:
                item.kind = "bullet"
                item.reason = f"one of {len(run)} short lines introduced by the ':' of line {unit.lines[-1].number}"


def _decide_headings(units: list[_Unit]) -> None:
    for i, unit in enumerate(units):
        if unit.kind or not unit.single or not _heading_shaped(unit.text):
            continue
        above = units[i - 1] if i else None
        below = units[i + 1] if i + 1 < len(units) else None
        if above is not None and _ends_with(above.lines[-1].text, ":"):
            unit.reason = f"short, but announced by the ':' of line {above.lines[-1].number}"
        elif below is None:
            unit.reason = "short, but the last line: introduces nothing"
        elif below.kind in ("rule", "underline", "title") or (
            not below.kind and below.single and _heading_shaped(below.text)
        ):
            unit.reason = "short, but followed by another short line, not by text"
        else:
            unit.kind, unit.rank = "heading", "unnumbered"
            unit.reason = "short line without final punctuation, followed by text"


def _decide_levels(units: list[_Unit]) -> None:
    headings = [u for u in units if u.kind == "heading"]
    has_parts = any(u.rank in ("part", "setext=") for u in headings)
    for unit in headings:
        match unit.rank:
            case "part" | "setext=":
                unit.level = 2
            case "sub" | "setext-":
                unit.level = 3
            case "decimal":
                assert unit.number is not None
                unit.level = min(unit.number.depth + 1, 6)
            case _:
                unit.level = 3 if has_parts else 2
    if headings:
        shift = min(u.level for u in headings) - 2
        for unit in headings:
            unit.level -= shift


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one line of the text became what it became."""

    line: int
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind} — {self.reason}" if self.reason else f"line {self.line}: {self.kind}"


@dataclass(frozen=True, slots=True)
class PlainTextReading:
    doc: Document
    #: The title found on the first line, or "" (then `doc.meta.title` is a stand-in).
    title: str
    #: Why the language is what it is: given, or guessed from which words.
    lang_reason: str
    #: Why the paragraphs are lines or blank-line separated blocks.
    layout_reason: str
    explanations: tuple[Explanation, ...]


def read_plaintext(
    text: str, path: str = "<string>", lang: str | None = None, defaults: Mapping[str, Any] | None = None
) -> Document:
    """Plain text -> the model. `lang` overrides the guess from the text's common words;
    `defaults` are the project's front matter defaults (`fleuron.toml`)."""
    reading = analyze_plaintext(text, path, lang, defaults)
    if not reading.title:
        warn = log.warning if not path.startswith("<") else log.debug
        message = "{path}: no title line found; using {title!r} (`fleuron import` writes a front matter to fill in)"
        warn(_(message, path=path, title=reading.doc.meta.title))
    return reading.doc


def analyze_plaintext(
    text: str, path: str = "<string>", lang: str | None = None, defaults: Mapping[str, Any] | None = None
) -> PlainTextReading:
    """Plain text -> the model, with the reason for every line's fate."""
    lines = []
    for number, raw in enumerate(split_lines(text), start=1):
        expanded = raw.expandtabs(4)
        lines.append(_Line(number, clean_line(raw), len(expanded) - len(expanded.lstrip(" "))))
    by_blank_lines, layout = _uses_blank_lines(_chunks(lines))
    layout = ("paragraphs separated by blank lines: " if by_blank_lines else "one paragraph per line: ") + layout
    units = _units(lines, by_blank_lines)
    for decide in (
        _decide_rules_and_underlines,
        _decide_bullets,
        _decide_numbered,
        _decide_title,
        _decide_lists_after_colons,
        _decide_headings,
        _decide_levels,
    ):
        decide(units)

    blocks = _blocks(units, path, by_blank_lines)
    title = units[0].text if units and units[0].kind == "title" else ""
    if lang:
        if not _LANG_TAG.fullmatch(lang):
            raise FleuronError(_("'{lang}' is not a language tag; give one like 'fr' or 'en-GB'", lang=lang), path)
        lang_reason = "given"
    else:
        lang, lang_reason = guess_language("\n".join(line.text for line in lines))
    meta = metadata_from({"title": title or PurePath(path).stem, "lang": lang}, {}, path, 1, blocks, defaults)
    return PlainTextReading(Document(meta, blocks), title, lang_reason, layout, _explanations(units))


def _content(unit: _Unit, first_text: str) -> tuple[Inline, ...]:
    content: list[Inline] = [Text(first_text)]
    for brk, line in zip(unit.breaks, unit.lines[1:], strict=True):
        content += [brk, Text(line.text)]
    return tuple(content)


def _blocks(units: list[_Unit], path: str, by_blank_lines: bool) -> tuple[Block, ...]:
    ids = IdentifierMaker()
    blocks: list[Block] = []
    items: list[tuple[_Unit, ListItem]] = []

    def close_list() -> None:
        if not items:
            return
        first = items[0][0]
        pos = SourcePos(path, first.first.number)
        # Blank lines between items make a loose list, unless the text puts them between everything.
        tight = by_blank_lines or not any(unit.blank_before for unit, _ in items[1:])
        list_items = tuple(item for _, item in items)
        if first.kind == "bullet":
            blocks.append(BulletList(list_items, tight, pos=pos))
        else:
            assert first.number is not None
            blocks.append(OrderedList(list_items, first.number.value, tight, pos=pos))
        items.clear()

    for unit in units:
        pos = SourcePos(path, unit.first.number)
        if unit.kind in ("bullet", "number"):
            if items and (
                items[-1][0].kind != unit.kind
                or (unit.kind == "number" and _number_value(items[-1][0]) + 1 != _number_value(unit))
            ):
                close_list()
            match = _BULLET.fullmatch(unit.text)
            if unit.kind == "number" and unit.number is not None:
                first_text = unit.number.rest
            elif match is not None:
                first_text = match["rest"]
            else:  # an item without a marker
                first_text = unit.text
            items.append((unit, ListItem((Paragraph(_content(unit, first_text), pos=pos),), pos=pos)))
            continue
        close_list()
        match unit.kind:
            case "title" | "underline":
                pass  # the title goes to the metadata; an underline is part of its heading
            case "heading":
                content = _content(unit, unit.text)
                blocks.append(Heading(unit.level, content, ids.make(content), pos=pos))
            case "rule":
                blocks.append(ThematicBreak(pos=pos))
            case _:
                blocks.append(Paragraph(_content(unit, unit.text), pos=pos))
    close_list()
    return tuple(blocks)


def _number_value(unit: _Unit) -> int:
    return unit.number.value if unit.number is not None else 0


def _explanations(units: list[_Unit]) -> tuple[Explanation, ...]:
    out: list[Explanation] = []
    for unit in units:
        kind = {
            "title": "title",
            "heading": f"heading {unit.level}",
            "bullet": "bullet item",
            "number": "numbered item",
            "rule": "rule",
            "underline": "underline",
        }.get(unit.kind, "paragraph")
        reason = unit.reason or _paragraph_reason(unit.text)
        out.append(Explanation(unit.first.number, kind, reason))
        for brk, line in zip(unit.breaks, unit.lines[1:], strict=True):
            how = "wrapped text" if isinstance(brk, SoftBreak) else "line break kept"
            out.append(Explanation(line.number, f"{kind} (continued)", f"{how}, goes on from line {unit.first.number}"))
    return tuple(out)


def _paragraph_reason(text: str) -> str:
    final = _final(text)
    if final == ":":
        return "ends with ':', introduces what follows"
    if final and final in _FINAL_PUNCTUATION:
        return f"ends with '{final}'"
    if len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS:
        return "too long for a title"
    if _starts_lower(text):
        return "starts in lowercase"
    return "text"
