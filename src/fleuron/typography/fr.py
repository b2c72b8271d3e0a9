"""French micro-typography for one paragraph of plain text: the rules R1–R13 of
`docs/typography.md`, as small named functions, and the one driver that applies them in order.

Each rule takes the text and the options and returns the text. Protected spans (code, URLs,
e-mail addresses, emoticons: R1) are each swapped for one private-use character before the rules
run and put back after, so no rule can reach inside them; a protected span counts as one
opaque word character for its neighbours. The caller gives one paragraph with soft breaks
already turned into spaces. `typographize_text(typographize_text(x)) == typographize_text(x)`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..model import TypographyOptions

NB = "\u00a0"  # NO-BREAK SPACE
NN = "\u202f"  # NARROW NO-BREAK SPACE
HWS = " \t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
OPEN = "([{«“‘‹—–"
CLOSE = ")]}»”’›"
_H = f"[{HWS}]"
#: Stands for an inline the text function must not see (code, a note call…): a word character.
OPAQUE = "\ufffc"
#: Stands for a protected span while the rules run (R1): one private-use character for them all.
HIDDEN = "\U000f0000"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    apply: Callable[[str, TypographyOptions], str]


#: Called by the driver after each step that changed the text: the step, the text before it
#: and the text after it (protected spans restored in both).
Observer = Callable[[Rule, str, str], None]


def typographize_text(text: str, options: TypographyOptions | None = None, observe: Observer | None = None) -> str:
    """The paragraph `text` with every enabled rule applied, then the compat step if asked for:
    the one driver, which the build runs and the proofreader's report watches (`observe`)."""
    options = options or TypographyOptions()
    rules = enabled_rules(options)
    # One pass gives the documented result. A rule can, rarely, create the context of an earlier
    # one (R9 puts a space after a `--` that R4 then reads as spaced): passes repeat until
    # nothing changes, which makes the function idempotent (R15).
    for _ in range(MAX_PASSES):
        protected, spans = protect(text)
        protected = _run(rules, protected, spans, text, options, observe)
        result = restore(protected, spans)
        if result == text:
            break
        text = result
    # Once, under the last pass's protection: in each pass, the rules would turn back into
    # U+202F what compat made U+00A0, and the report would show it as a correction.
    return restore(_run(post_steps(options), protected, spans, result, options, observe), spans)


MAX_PASSES = 4


def enabled_rules(options: TypographyOptions) -> list[Rule]:
    """The rules the options leave enabled, in order."""
    return [rule for rule in RULES if rule.code not in options.disabled]


def post_steps(options: TypographyOptions) -> list[Rule]:
    """What runs once the rules are done: the compat step, when asked for."""
    return [COMPAT] if options.compat else []


def _run(
    steps: list[Rule], protected: str, spans: list[str], seen: str, options: TypographyOptions, observe: Observer | None
) -> str:
    """The steps in order over a text whose protected spans are hidden; `seen` is that text
    with its spans restored, as the observer last saw it."""
    for step in steps:
        changed = step.apply(protected, options)
        if observe is not None and changed != protected:
            after = restore(changed, spans)
            observe(step, seen, after)
            seen = after
        protected = changed
    return protected


# --- R1: protected spans -----------------------------------------------------------------

# `(?<![^…])`: at the start of the text, or after one of these characters.
_URL = re.compile(rf"(?<![^{HWS}{re.escape(OPEN)}<])(?:https?://|ftp://|mailto:|www\.)[^{HWS}<>«»“”\"]+")
_EMOTICON = re.compile(rf"(?<![^{HWS}])[:;][-'^o]?[()\[\]DPpOo3/\\|*](?=$|{_H}|[.,!?…])")
_URL_TRAILING = ".,;:!?…'’\"]}"


def protect(text: str) -> tuple[str, list[str]]:
    """Swap each protected span for `HIDDEN`; returns the spans, in the order of their marks,
    for `restore`. A mark the author typed is a span of its own."""
    spans = [HIDDEN] * text.count(HIDDEN)
    for find in (_code_spans, _tags, _urls, _emails, _emoticons):
        text, spans = _hide(text, spans, find(text))
    return text, spans


def restore(text: str, spans: list[str]) -> str:
    """The text with its protected spans back, in order: the rules never add, remove or move a
    character that is not a space."""
    return _fill(text, spans) if spans else text


def _hide(text: str, spans: list[str], found: Iterable[tuple[int, int]]) -> tuple[str, list[str]]:
    """`text` with each stretch found made one mark; the spans of the marks, in order. A stretch
    can hold marks made before (a code span inside a URL): they are put back in its span."""
    out: list[str] = []
    hidden: list[str] = []
    position = taken = 0
    for start, end in found:
        before, inside = text.count(HIDDEN, position, start), text.count(HIDDEN, start, end)
        hidden += spans[taken : taken + before]
        hidden.append(_fill(text[start:end], spans[taken + before : taken + before + inside]))
        taken += before + inside
        out += [text[position:start], HIDDEN]
        position = end
    return "".join([*out, text[position:]]), hidden + spans[taken:]


def _fill(text: str, spans: list[str]) -> str:
    parts = text.split(HIDDEN)
    out = [parts[0]]
    for span, part in zip(spans, parts[1:], strict=True):
        out += [span, part]
    return "".join(out)


def _urls(text: str) -> Iterator[tuple[int, int]]:
    """URLs, without the punctuation that ends a sentence after them nor an unmatched `)`."""
    for match in _URL.finditer(text):
        url = match[0]
        opened, closed, end = url.count("("), url.count(")"), len(url)
        while end and (url[end - 1] in _URL_TRAILING or (url[end - 1] == ")" and opened < closed)):
            closed -= url[end - 1] == ")"
            end -= 1
        yield match.start(), match.start() + end


def _emoticons(text: str) -> Iterator[tuple[int, int]]:
    return (match.span() for match in _EMOTICON.finditer(text))


_BACKTICKS = re.compile("`+")


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where `((?>`+))(?:(?!\\1).)+?\\1` matches, as `re.finditer` would find them, in linear
    time (the regex retries a long run of backticks one shorter at each place: quadratic).

    A run of n backticks opens a span closed by the next run of at least n on the same line;
    when there is none, the regex tries the run's last n - 1, n - 2… backticks: the opener is
    its last m, m being the longest run after it on the line, closed by the first run of m or more.
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    longest_after = [0] * len(runs)  # on the same line
    longest = 0
    for i in reversed(range(len(runs))):
        longest_after[i] = longest
        longest = max(longest, runs[i][1] - runs[i][0])
        if i and "\n" in text[runs[i - 1][1] : runs[i][0]]:
            longest = 0
    i, start = 0, 0  # `start`: where the current run begins, past a span that closed inside it
    while i < len(runs):
        run_start, run_end = max(runs[i][0], start), runs[i][1]
        length = min(run_end - run_start, longest_after[i])
        if not length:
            i += 1
            continue
        closer = i + 1
        while runs[closer][1] - runs[closer][0] < length:  # inside the span: never visited again
            closer += 1
        start = runs[closer][0] + length
        yield run_end - length, start
        i = closer if start < runs[closer][1] else closer + 1


# An HTML tag written as text (`raw_html: escape`): markup shown to the reader, not prose.
_TAG = re.compile(
    r"<[A-Za-z][A-Za-z0-9-]*"
    r"""(?:\s+[A-Za-z_:][A-Za-z0-9:._-]*(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)*\s*/?>"""
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>"
)


def _tags(text: str) -> Iterator[tuple[int, int]]:
    """HTML tags and comments. A comment that never closes is looked for once, not from each
    `<!--` to the end of the text again (quadratic)."""
    position, comments = 0, True
    while (start := text.find("<", position)) != -1:
        if comments and text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            if end != -1:
                yield start, end + 3
                position = end + 3
                continue
            comments = False
        match = _TAG.match(text, start)
        if match:
            yield match.span()
        position = match.end() if match else start + 1


_EMAIL_LOCAL = frozenset(string.ascii_letters + string.digits + "._%+-")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def _emails(text: str) -> Iterator[tuple[int, int]]:
    """Where `[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+` matches, as `re.finditer`
    would find them, in linear time (the regex tries every letter of a long word as the start
    of an address: quadratic). Each `@` is tried once, with the local part that ends at it."""
    position = 0
    at = text.find("@", 1)
    while at != -1:
        start = at
        while start > position and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and domain:
            yield start, domain.end()
            position = domain.end()
        at = text.find("@", max(at, position) + 1)


# --- R2–R13 --------------------------------------------------------------------------------


def whitespace(text: str, options: TypographyOptions) -> str:
    """R2: tabs become spaces; runs of ordinary spaces collapse to one. Nothing is trimmed."""
    return re.sub(" {2,}", " ", text.replace("\t", " "))


def ellipsis(text: str, options: TypographyOptions) -> str:
    """R3: three dots or more become `…`; the spaces around are left as they are."""
    return re.sub(r"\.{3,}", "…", text)


def dashes(text: str, options: TypographyOptions) -> str:
    """R4: `---` → `—` and `--` → `–` between spaces, between digits or opening a paragraph;
    a spaced hyphen → `–`; a numeric range `1914-1918` → `1914–1918`. A paragraph that opens
    with `--` glued to a capital (`--Ce fut…`, as French etexts type dialogue) gets its dash and
    the space after it."""

    # Each looks only near the match: `text[:start]` for each would be quadratic on a long line.
    first = len(text) - len(text.lstrip(HWS))  # where the paragraph's first glyph stands

    def double(match: re.Match[str]) -> str:
        start, end = match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        spaced = before != "" and before in HWS and after != "" and after in HWS
        digits = before.isdigit() and after.isdigit()
        initial = start <= first and after != "" and after in HWS
        if spaced or digits or initial:
            return "—" if len(match[0]) == 3 else "–"
        if start <= first and after.isupper():  # a line of dialogue; `--verbose` is lower case
            return ("—" if len(match[0]) == 3 else "–") + " "
        return match[0]

    text = re.sub(r"(?<!-)-{2,3}(?!-)", double, text)
    if options.dialogue_hyphen:
        text = re.sub(rf"^({_H}*)-(?={_H})", r"\1—", text)

    def single(match: re.Match[str]) -> str:
        if match.start() <= first:
            return match[0]  # paragraph-initial: a list marker or a dialogue line, left alone
        if _glyph_before(text, match.start()).isdigit() and _glyph_after(text, match.end()).isdigit():
            return match[0]  # `12 - 5`: a minus or a range, nobody can tell
        return "–"

    first = len(text) - len(text.lstrip(HWS))
    text = re.sub(rf"(?<={_H})-(?={_H}|,)", single, text)
    number = r"\d+(?:,\d+)?"
    return re.sub(rf"(?<![\w\-–/])({number})-({number})(?![\w\-–/])(?![.,]\d)", r"\1–\2", text)


def _glyph_before(text: str, position: int) -> str:
    """The last character before `position` that is not a space ("" if none)."""
    while position and text[position - 1] in HWS:
        position -= 1
    return text[position - 1] if position else ""


def _glyph_after(text: str, position: int) -> str:
    """The first character from `position` on that is not a space ("" if none)."""
    while position < len(text) and text[position] in HWS:
        position += 1
    return text[position] if position < len(text) else ""


def double_quotes(text: str, options: TypographyOptions) -> str:
    """R5: `"` and English `“ ”` become « » at the first level and “ ” (or ‹ ›) inside;
    ambiguous quotes and inch marks are left alone; no punctuation moves."""
    if '"' not in text and "“" not in text and "”" not in text:
        return text  # nothing it rewrites: no walk over every character
    inner_open, inner_close = options.inner_quotes[0], options.inner_quotes[1]
    partner = {"«": "»", "“": "”", "‹": "›", inner_open: inner_close}
    closer_next = '.,;:!?…)]}»”’›–—"'  # a quote before another closes (`""` → `»»` in one pass)
    out = list(text)
    stack: list[str] = []
    for i, char in enumerate(text):
        before = out[i - 1] if i else ""  # as already corrected, so that a second pass agrees
        after = text[i + 1] if i + 1 < len(text) else ""
        if char == '"':
            opener = (before == "" or before in HWS or before in OPEN) and not (after != "" and after in HWS)
            closer = (
                before != ""
                and before not in HWS
                and before not in OPEN
                and (after == "" or after in HWS or after in closer_next)
            )
            if opener:
                out[i] = "«" if not stack else inner_open
                stack.append(out[i])
            elif closer:
                if stack:
                    out[i] = partner[stack.pop()]
                elif not before.isdigit():
                    out[i] = "»"
        elif char == "“":
            out[i] = "«" if not stack else inner_open
            stack.append(out[i])
        elif char in "«‹":
            stack.append(char)
        elif char == "”":
            out[i] = partner[stack.pop()] if stack else "»"
        elif char in "»›" and stack:
            stack.pop()
    return "".join(out)


def apostrophes(text: str, options: TypographyOptions) -> str:
    """R6: a straight `'` becomes `’` after a letter or closing punctuation, `‘` when it
    opens a quotation before a letter; after a digit it is a prime and stays."""
    if "'" not in text:
        return text
    out = list(text)
    for i, char in enumerate(text):
        if char != "'":
            continue
        before = out[i - 1] if i else ""  # as already corrected, so that a second pass agrees
        after = text[i + 1] if i + 1 < len(text) else ""
        if before.isdigit():
            continue
        if before.isalpha():
            out[i] = "’"
        elif (before == "" or before in HWS or before in OPEN or before == '"') and after.isalpha():
            out[i] = "‘"
        elif before and before in ".,;:!?…)]}»”’›%":
            out[i] = "’"
    return "".join(out)


def no_space_before_comma(text: str, options: TypographyOptions) -> str:
    """R7: no space before `,` or `.` ending a word (`Bonjour , toi .` → `Bonjour, toi.`)."""
    # Not in a spaced ellipsis `. . .`, where a period follows the space after the mark.
    return re.sub(rf"(?<=[^{HWS}.]){_H}+(?=[.,](?:$|{_H}(?!\.)|[{re.escape(CLOSE)}]))", "", text)


# R8: a space may be inserted only after these (nor at the start).
_NO_SPACE_AFTER = set("!?;:….,([{/\\-–—«“‘‹'\"@#&*+=<>|~^_")
_HIGH_NEXT = set("!?;:…") | set(CLOSE) | set("\"'")


def high_punctuation(text: str, options: TypographyOptions) -> str:
    """R8: before `; ! ?` a narrow no-break space, before `:` a no-break space: typed spaces
    are replaced, a missing one inserted (not in `?!`, `12:30`, `(?)`, `http:`…)."""
    high_space = "" if options.locale == "fr-CA" else _space(options.high_space)
    colon_space = _space("nnbsp" if options.locale == "fr-CH" else options.colon_space)

    def one(match: re.Match[str]) -> str:
        run, mark = match[1], match[2]
        space = colon_space if mark == ":" else high_space
        start = match.start()
        before = text[start - 1] if start else ""
        if run:
            return (space if before and before not in HWS else run) + mark
        after = text[match.end()] if match.end() < len(text) else ""
        if not options.insert_missing or not before or before in HWS or before in _NO_SPACE_AFTER:
            return mark
        if mark == ":":  # `»` counts as a space: R9 puts one before it
            fits = after == "" or after in HWS or after in "»›"
        else:
            fits = after == "" or after in HWS or after in _HIGH_NEXT
        return (space if fits else "") + mark

    # A match starts only where a run of spaces starts: inside one, retrying is quadratic.
    return re.sub(rf"((?<!{_H}){_H}*)([;!?:])", one, text)


def guillemet_spacing(text: str, options: TypographyOptions) -> str:
    """R9: a narrow no-break space inside « » and ‹ ›, replacing typed spaces or inserting one;
    `« »` with only spaces inside is left alone; “ ” never get one."""
    space = _space(options.guillemet_space)

    def after_opening(match: re.Match[str]) -> str:
        following = text[match.end() : match.end() + 1]
        if following in ("»", "›") or not (match[2] or (options.insert_missing and following)):
            return match[0]
        return match[1] + space

    text = re.sub(rf"([«‹])({_H}*)", after_opening, text)

    def before_closing(match: re.Match[str]) -> str:
        preceding = text[match.start() - 1] if match.start() else ""
        if preceding in ("«", "‹") or not (match[1] or (options.insert_missing and preceding)):
            return match[0]
        return space + match[2]

    return re.sub(rf"((?<!{_H}){_H}*)([»›])", before_closing, text)


_NUMBERING_BEFORE = re.compile(rf"(?<![^{HWS}(\[])(?:[nN][°º]|p\.|pp\.|§|art\.|ISBN|ISSN){_H}*$")
_NUMBER_CHARS = re.compile(r"[\d.,]*")
_GROUP_FOLLOW = rf"(?=$|{_H}|,|[.;:!?…)\]»”’%‰€](?!\d))"
_GROUP_PRECEDE = rf"(?<![^{HWS}(\[«“‘‹])"
_POSTAL_CITY = re.compile(rf"{_H}+[A-ZÀ-Þ]")


def thousands(text: str, options: TypographyOptions) -> str:
    """R10: numbers of 5 to 9 digits grouped by three with a narrow no-break space; typed
    groupings normalised. Never years, phone numbers, identifiers or English-formatted numbers."""
    space = _space(options.thousands_space)

    # Each looks only near the number (the text can be one very long line).
    def numbering_before(start: int) -> bool:
        end = start
        while end and text[end - 1] in HWS:
            end -= 1
        return _NUMBERING_BEFORE.search(text, max(0, end - 5), end) is not None

    def english(start: int, end: int) -> bool:
        token = _NUMBER_CHARS.match(text, end)
        head = start
        while head and text[head - 1] in "0123456789.,":
            head -= 1
        whole = text[head:start] + text[start:end] + (token[0] if token else "")
        return re.search(r"\.\d", whole) is not None or len(re.findall(r",\d", whole)) >= 2

    def group(match: re.Match[str]) -> str:
        digits = match[0]
        if numbering_before(match.start()) or english(match.start(), match.end()):
            return digits
        if len(digits) == 5 and _POSTAL_CITY.match(text, match.end()):
            return digits  # `75001 Paris`: a postal code
        head = len(digits) % 3 or 3
        return digits[:head] + "".join(space + digits[i : i + 3] for i in range(head, len(digits), 3))

    def normalise(match: re.Match[str]) -> str:
        if numbering_before(match.start()) or english(match.start(), match.end()):
            return match[0]
        return re.sub(r"[ \u00a0\u2007\u2009\u202f]", space, match[0])

    text = re.sub(rf"{_GROUP_PRECEDE}[1-9]\d{{4,8}}(?!\d){_GROUP_FOLLOW}", group, text)
    return re.sub(
        rf"{_GROUP_PRECEDE}[1-9]\d{{0,2}}(?:[ \u00a0\u2007\u2009\u202f]\d{{3}})+(?!\d){_GROUP_FOLLOW}", normalise, text
    )


_UNITS = sorted(
    "% ‰ € $ £ ¥ CHF °C °F km/h m/s km m cm mm µm nm km² m² cm² m³ ha kg g mg t l L cl cL ml mL dl hl h min s ms "
    "Hz kHz MHz GHz W kW MW V kV dB kcal Ko ko Mo Go To".split(),
    key=len,
    reverse=True,
)
_UNIT = "|".join(re.escape(unit) for unit in _UNITS)
# A French-formatted number: digits, grouped by threes or not, with at most a decimal comma.
# Grouped digits are tried only where a group cannot continue an earlier one: else each group of
# `1 000 000 …` would read all the groups after it again (quadratic), for no other outcome.
_FR_NUMBER = rf"(?<![\w.,])(?:(?<!\d{_H})\d{{1,3}}(?:{_H}\d{{3}})+|\d+)(?:,\d+)?"
_UNIT_BOUNDARY = rf"(?=$|{_H}|[.,;:!?…)\]}}»”›])"


def units(text: str, options: TypographyOptions) -> str:
    """R11: a narrow no-break space between a French-formatted number (or range) and its unit,
    inserted before `%`, `‰`, `€`; `12 h 30` → `12 h 30` with narrow no-break spaces."""
    space = _space(options.unit_space)
    number = rf"{_FR_NUMBER}(?:–\d+(?:,\d+)?)?"
    text = re.sub(rf"({number}){_H}+({_UNIT}){_UNIT_BOUNDARY}", rf"\1{space}\2", text)
    if options.insert_missing:
        text = re.sub(rf"({number})(?=[%‰€])", rf"\1{space}", text)
    return re.sub(rf"(?<!\d)(\d{{1,2}}){_H}+h{_H}+(\d{{2}})(?!\d)", rf"\1{space}h{space}\2", text)


_TITLES = r"M\.|MM\.|Mme|Mmes|Mlle|Mlles|Me|Mgr|Dr|Pr"
_REFERENCES = r"p\.|pp\.|n°|N°|nº|Nº|§|art\.|chap\.|fig\.|vol\.|t\."
_UPPER = "A-ZÀ-ÖØ-ÞŒ"


def abbreviations(text: str, options: TypographyOptions) -> str:
    """R12: a no-break space after `M.` `Mme` `Dr`… before a capitalised name, and after `p.`
    `§` `art.`… before a number or a roman numeral. Nothing is inserted where no space was typed."""
    text = re.sub(rf"(?<![\w.])({_TITLES}){_H}+(?=[{_UPPER}])", rf"\1{NB}", text)
    return re.sub(rf"(?<![\w.])({_REFERENCES}){_H}+(?=\d|[IVXLCDM]+\b)", rf"\1{NB}", text)


# The period after these is an abbreviation's, not the end of a sentence.
_ABBREVIATION_END = re.compile(rf"(?<![^{HWS}(\[])(?:M|MM|p|pp|art|chap|fig|vol|t)$")
_INCISE_OR_SENTENCE_END = re.compile(
    rf"(?<=[^{HWS}])(?P<before>{_H}+)(?P<dash>[–—])(?P<after>{_H}+|(?=,))"  # a spaced dash
    rf"|[.!?…](?={_H}+[{_UPPER}«“\"])"  # the end of a sentence
)


def dash_spacing(text: str, options: TypographyOptions) -> str:
    """R13: a no-break space after a dialogue dash, and on the inner side of incise dashes
    (`pas –{NB}pour le moment{NB}– de`), telling opening from closing dashes sentence by sentence."""
    text = re.sub(rf"^([—–]){_H}+", rf"\1{NB}", text)
    out: list[str] = []
    opened = False  # an opening dash waits for its closing one in the current sentence
    position = 0
    for match in _INCISE_OR_SENTENCE_END.finditer(text):
        if match["dash"] is None:
            if not (match[0] == "." and _ABBREVIATION_END.search(text, max(0, match.start() - 5), match.start())):
                opened = False
            continue
        left = text[match.start() - 1]  # the match starts after a glyph
        right = text[match.end()] if match.end() < len(text) else ""
        if left.isdigit() and right.isdigit():
            continue  # `5 – 10`: a range
        closing = match["after"] == "" or (not right.isupper() and opened)
        opened = not closing
        # The outer side gets a word space, unless a guillemet's own space (R9) is there.
        if closing:
            outer = match["after"] if right != "" and right in "»›" else " " if match["after"] else ""
            spaced = NB + match["dash"] + outer
        else:
            outer = match["before"] if left in "«‹" else " "
            spaced = outer + match["dash"] + NB
        out += [text[position : match.start()], spaced]
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def _space(name: str) -> str:
    return {"nnbsp": NN, "nbsp": NB, "none": ""}[name]


RULES: tuple[Rule, ...] = (
    Rule("R2", "whitespace", whitespace),
    Rule("R3", "ellipsis", ellipsis),
    Rule("R4", "dashes", dashes),
    Rule("R5", "double quotes", double_quotes),
    Rule("R6", "apostrophes", apostrophes),
    Rule("R7", "no space before comma or period", no_space_before_comma),
    Rule("R8", "high punctuation", high_punctuation),
    Rule("R9", "guillemet spacing", guillemet_spacing),
    Rule("R10", "thousands", thousands),
    Rule("R11", "units", units),
    Rule("R12", "abbreviations", abbreviations),
    Rule("R13", "dash spacing", dash_spacing),
)


def compat(text: str, options: TypographyOptions) -> str:
    """Compat: every narrow no-break space becomes a no-break space, for fonts and readers that
    lack U+202F. Run after the rules, on their whole result."""
    return text.replace(NN, NB)


COMPAT = Rule("compat", "compat", compat)
