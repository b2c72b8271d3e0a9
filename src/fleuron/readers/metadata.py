"""YAML front matter -> `Metadata`, with errors that point at the offending line."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import yaml

from ..errors import FleuronError
from ..messages import _
from ..model import Block, Heading, Metadata, SourcePos, TypographyOptions
from ..walk import plain_text
from .identifiers import ascii_slug

log = logging.getLogger("fleuron")

KNOWN_KEYS = (
    "title", "lang", "identifier", "date", "rights", "description",
    "author", "authors", "keywords", "slug", "trim", "typography", "cover", "embed_fonts",
    "raw_html", "allow_remote", "subtitle", "publisher", "isbn", "toc_title",
    "notes", "note_numbering", "figure_numbers", "list_of_figures", "ornament", "drop_caps", "dedication", "epigraph",
    "back_cover", "price", "paper", "paper_caliper_mm", "pod", "line_breaking",
)  # fmt: skip
#: The keys pandoc's users write, and the key each stands for here.
PANDOC_KEYS = {
    "abstract": "description",
    "subject": "keywords",
    "toc-title": "toc_title",
    "cover-image": "cover",
    "back-cover": "back_cover",
    "drop-caps": "drop_caps",
}
#: Keys pandoc or its templates read that mean nothing to Fleuron's outputs: accepted, unused.
IGNORED_KEYS = frozenset(
    "documentclass classoption geometry margin-left margin-right margin-top margin-bottom fontsize mainfont "
    "sansfont monofont linestretch papersize header-includes include-before include-after toc toc-depth "
    "numbersections colorlinks linkcolor urlcolor css stylesheet epub-chapter-level title-prefix pagetitle "
    "bibliography csl link-citations nocite".split()
)
#: The choices of the keys that take one of a few words ("" is the default each documents).
CHOICES: dict[str, tuple[str, ...]] = {
    "notes": ("foot", "end"),
    "note_numbering": ("chapter", "book"),
    "paper": ("white", "cream"),
    "pod": ("kdp", "ingramspark", "lulu"),
    "line_breaking": ("total-fit", "greedy"),
}
#: What `raw_html:` may say: read tags for their meaning (the default), show them as text, or
#: keep the markup an allow-list lets through.
RAW_HTML_MODES = ("read", "escape", "sanitize")
#: Output files are named after the slug: long enough for any title, short enough for any file system.
MAX_SLUG = 80
#: The front matter is a flat list of settings: deeper YAML is refused before it is built.
_MAX_YAML_DEPTH = 8
DEFAULT_LANG = "fr"
_KEY_LINE = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:(\s|$)", re.MULTILINE)
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
# A fixed namespace, so that a manuscript without an identifier still gets the same one each build.
_FLEURON_NS = uuid.UUID("6f1e2c1a-4f0b-5d8e-9a57-2b6f3c7d9e10")


def is_front_matter(text: str) -> bool:
    """A block between `---` lines opening a file is front matter when it reads as `key: value`
    lines (even broken ones, which then get an error); otherwise it is Markdown."""
    return not text.strip() or bool(_KEY_LINE.search(text))


def raw_html_mode(text: str, path: str, first_line: int, defaults: Mapping[str, Any] | None = None) -> str:
    """The front matter's `raw_html` setting, which the Markdown reader needs before it parses
    the text (`read_front_matter` validates it with the rest)."""
    data, _ = _load_yaml(text, path, first_line)
    value = {**(defaults or {}), **data}.get("raw_html")
    return value if isinstance(value, str) and value in RAW_HTML_MODES else "read"


def read_front_matter(
    text: str, path: str, first_line: int, blocks: tuple[Block, ...], defaults: Mapping[str, Any] | None = None
) -> Metadata:
    """`first_line` is the file line where the YAML text starts, for error messages;
    `defaults` (from `fleuron.toml`) stand for the keys the front matter does not give."""
    data, lines = _load_yaml(text, path, first_line)
    return metadata_from(data, lines, path, first_line, blocks, defaults)


def metadata_from(
    data: dict[str, Any],
    lines: dict[str, int],
    path: str,
    first_line: int,
    blocks: tuple[Block, ...],
    defaults: Mapping[str, Any] | None = None,
) -> Metadata:
    """The metadata that front matter keys give, checked (a Word or OpenDocument file's
    properties come here as keys too); `lines`: each key's line in `path`, for errors."""
    if defaults:
        merged = {**defaults, **data}
        if isinstance(defaults.get("typography"), dict) and isinstance(data.get("typography"), dict):
            merged["typography"] = {**defaults["typography"], **data["typography"]}  # option by option
        data = merged

    def fail(key: str, message: str) -> FleuronError:
        return FleuronError(message, path, lines.get(key, first_line))

    # A file being built should say these; a text parsed in memory need not.
    warn = log.warning if not path.startswith("<") else log.debug
    for alias, key in PANDOC_KEYS.items():
        if alias in data:
            if key in data:
                raise fail(alias, _("'{alias}' and '{key}' say the same thing; keep one", alias=alias, key=key))
            data[key] = data.pop(alias)
            lines.setdefault(key, lines.get(alias, first_line))
    # A near miss of a known key is a typo that would silently lose a setting: an error. A key
    # that resembles none is someone else's (a pandoc template's, an editor's): a warning.
    for key in list(data):
        if key in KNOWN_KEYS or key in IGNORED_KEYS:
            continue
        close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
        if close:
            raise fail(
                key, _("unknown front matter key '{key}'", key=key) + _(" (did you mean '{key}'?)", key=close[0])
            )
        where = f"{path}:{lines.get(key, first_line)}"
        warn(_("{where}: front matter key '{key}' means nothing to Fleuron; ignored", where=where, key=key))

    title = _text(data, "title", fail)
    if not title:
        title = _first_title(blocks) or PurePath(path).stem
        warn(_("{path}: no 'title' in the front matter; using {title!r}", path=path, title=title))
    lang = _text(data, "lang", fail)
    if not lang:
        lang = DEFAULT_LANG
        warn(_("{path}: no 'lang' in the front matter; assuming '{lang}'", path=path, lang=lang))
    if not _LANG_TAG.fullmatch(lang):
        raise fail("lang", _("'lang: {value}' is not a language tag; write one like 'fr' or 'fr-CA'", value=lang))
    identifier = _text(data, "identifier", fail) or f"urn:uuid:{uuid.uuid5(_FLEURON_NS, title)}"
    authors = _text_list(data, "authors", fail) + _text_list(data, "author", fail)
    slug = ascii_slug(_text(data, "slug", fail) or title)[:MAX_SLUG].rstrip("-") or "book"
    raw_html = _text(data, "raw_html", fail) or "read"
    if raw_html not in RAW_HTML_MODES:
        choices = ", ".join(RAW_HTML_MODES)
        raise fail("raw_html", _("'raw_html: {value}' takes one of: {choices}", value=raw_html, choices=choices))
    return Metadata(
        title=title,
        lang=lang,
        identifier=identifier,
        date=_date(data.get("date"), fail),
        rights=_text(data, "rights", fail),
        description=_text(data, "description", fail),
        authors=authors,
        keywords=_text_list(data, "keywords", fail),
        slug=slug,
        typography=_typography(data.get("typography"), lang, fail),
        cover=_text(data, "cover", fail),
        cover_pos=SourcePos(path, lines.get("cover", 0)),
        embed_fonts=_flag(data, "embed_fonts", fail),
        trim=_text(data, "trim", fail).lower(),
        raw_html=raw_html,
        allow_remote=_flag(data, "allow_remote", fail),
        subtitle=_text(data, "subtitle", fail),
        publisher=_text(data, "publisher", fail),
        isbn=_isbn(_text(data, "isbn", fail), fail),
        toc_title=_text(data, "toc_title", fail),
        notes=_choice(data, "notes", fail),
        note_numbering=_choice(data, "note_numbering", fail),
        figure_numbers=_flag(data, "figure_numbers", fail),
        list_of_figures=_flag(data, "list_of_figures", fail),
        ornament=_text(data, "ornament", fail),
        drop_caps=_flag(data, "drop_caps", fail),
        dedication=_text(data, "dedication", fail),
        epigraph=_text(data, "epigraph", fail),
        back_cover=_text(data, "back_cover", fail),
        price=_text(data, "price", fail),
        paper=_choice(data, "paper", fail),
        paper_caliper_mm=_caliper(data.get("paper_caliper_mm"), fail),
        pod=_choice(data, "pod", fail),
        line_breaking=_choice(data, "line_breaking", fail),
    )


def _choice(data: dict[str, Any], key: str, fail: Any) -> str:
    value = _text(data, key, fail).lower()
    if value and value not in CHOICES[key]:
        choices = ", ".join(CHOICES[key])
        raise fail(key, _("'{key}: {value}' takes one of: {choices}", key=key, value=value, choices=choices))
    return value


#: A paper thinner or thicker than any book paper is a unit mistake (inches, or a ream's thickness).
_CALIPER_MM = (0.03, 0.3)


def _caliper(value: Any, fail: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not _CALIPER_MM[0] <= value <= _CALIPER_MM[1]:
        low, high = _CALIPER_MM
        message = _(
            "'paper_caliper_mm: {value}' is the paper's thickness per page in millimetres (half a sheet's), "
            "between {low} and {high} (e.g. 0.057)",
            value=value,
            low=low,
            high=high,
        )
        raise fail("paper_caliper_mm", message)
    return float(value)


def _isbn(value: str, fail: Any) -> str:
    """The ISBN-13's digits, its check digit verified (an ISBN-10 is refused: books since 2007 carry 13)."""
    if not value:
        return ""
    digits = re.sub(r"[\s-]", "", value.upper().removeprefix("ISBN").strip(" :"))
    if not re.fullmatch(r"97[89][0-9]{10}", digits):
        message = _("'isbn: {value}' is not an ISBN-13 (13 digits starting 978 or 979)", value=value)
        raise fail("isbn", message)
    from stdnum import ean  # the EAN-13 check digit, as the cover's barcode computes it

    check = ean.calc_check_digit(digits[:12])
    if digits[12] != check:
        message = _(
            "'isbn: {value}' has a wrong check digit: with these first 12 digits it is {check}",
            value=value,
            check=check,
        )
        raise fail("isbn", message)
    return digits


_SPACE_NAMES = ("nbsp", "nnbsp", "none")
_TYPOGRAPHY_CHOICES: dict[str, tuple[object, ...]] = {
    "colon_space": _SPACE_NAMES,
    "guillemet_space": _SPACE_NAMES,
    "high_space": _SPACE_NAMES,
    "unit_space": _SPACE_NAMES,
    "thousands_space": _SPACE_NAMES,
    "compat": (True, False),
    "inner_quotes": ("“”", "‹›"),
    "dialogue_hyphen": (True, False),
    "insert_missing": (True, False),
    "locale": ("fr-FR", "fr-CA", "fr-CH"),
}


def _typography(value: Any, lang: str, fail: Any) -> TypographyOptions:
    """`typography:` in the front matter: the options of docs/typography.md, and `disable: [R10, …]`.

    The locale follows the language (`fr-CA`, `fr-CH`) unless given."""
    region = lang.split("-", 1)[1].upper() if "-" in lang else ""
    locale = f"fr-{region}" if f"fr-{region}" in ("fr-CA", "fr-CH") else "fr-FR"
    if value is None:
        return TypographyOptions(locale=locale)
    if not isinstance(value, dict):
        raise fail("typography", _("'typography' must be a mapping of options, e.g. 'compat: true'"))
    options: dict[str, Any] = {"locale": locale}
    for key, choice in value.items():
        if key == "disable":
            rules = [choice] if isinstance(choice, str) else choice
            unknown = [r for r in rules or [] if str(r) not in _RULE_CODES]
            if not isinstance(rules, list) or unknown:
                raise fail("typography", _("'disable' takes rule codes among {codes}", codes=", ".join(_RULE_CODES)))
            options["disabled"] = tuple(str(r) for r in rules)
        elif key in _TYPOGRAPHY_CHOICES:
            if choice not in _TYPOGRAPHY_CHOICES[key]:
                allowed = ", ".join(str(c).lower() if isinstance(c, bool) else str(c) for c in _TYPOGRAPHY_CHOICES[key])
                raise fail(
                    "typography", _("typography option '{key}' takes one of: {choices}", key=key, choices=allowed)
                )
            options[key] = choice
        else:
            close = difflib.get_close_matches(str(key), [*_TYPOGRAPHY_CHOICES, "disable"], n=1)
            hint = _(" (did you mean '{key}'?)", key=close[0]) if close else ""
            raise fail("typography", _("unknown typography option '{key}'", key=key) + hint)
    return TypographyOptions(**options)


# Rule codes of the French rules (kept here as data: readers do not import the typography).
_RULE_CODES = tuple(f"R{n}" for n in range(1, 16))


def _load_yaml(text: str, path: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """The mapping and the file line of each of its keys."""
    if not text.strip():
        return {}, {}
    try:
        _check_yaml_shape(text, path, first_line)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except ValueError as error:  # a value YAML reads as a date, but no such day: `2024-13-45`
        key, value, line = _impossible_date(text)
        if key == "date":
            raise FleuronError(
                _("'date: {value}' is not a date; write it as YYYY-MM-DD", value=value), path, first_line + line
            ) from None
        raise FleuronError(
            _("the YAML front matter does not parse: {reason}", reason=str(error)), path, first_line + line
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(error, "problem", None) or str(error)
        raise FleuronError(_("the YAML front matter does not parse: {reason}", reason=problem), path, line) from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise FleuronError(_("the front matter must be a YAML mapping of 'key: value' lines"), path, first_line)
    lines = {str(key.value): first_line + key.start_mark.line for key, _ in node.value}
    return {str(key): value for key, value in data.items()}, lines


def _impossible_date(text: str) -> tuple[str, str, int]:
    """The key, value and line (from 0) of the first top-level value that YAML takes for a
    date but that is no day of the calendar; the first line when none is found."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)  # composing builds no value: it cannot fail so
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":timestamp"):
            try:
                yaml.SafeLoader(text).construct_yaml_timestamp(value)
            except ValueError:
                return str(key.value), str(value.value), value.start_mark.line
    return "", "", 0


def _check_yaml_shape(text: str, path: str, first_line: int) -> None:
    """Refuse, from PyYAML's event stream (flat, linear), what could make loading or printing
    the front matter blow up: aliases (`*a` repeated in `*b`… grows exponentially once turned
    into text) and nesting deeper than `_MAX_YAML_DEPTH` (PyYAML's composer recurses)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = first_line + (event.start_mark.line if event.start_mark is not None else 0)
        if isinstance(event, yaml.AliasEvent):
            message = _("YAML aliases ('*name') are not allowed in the front matter; write it out")
            raise FleuronError(message, path, line)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_YAML_DEPTH:
                message = _("the front matter nests deeper than {levels} levels", levels=_MAX_YAML_DEPTH)
                raise FleuronError(message, path, line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _text(data: dict[str, Any], key: str, fail: Any) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise fail(key, _("'{key}' must be a single text value", key=key))
    return str(value).strip()


def _flag(data: dict[str, Any], key: str, fail: Any) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise fail(key, _("'{key}' is true or false", key=key))
    return value


def _text_list(data: dict[str, Any], key: str, fail: Any) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    if isinstance(value, str):
        sep = "," if key == "keywords" else "\n"  # "a, b" for keywords; one author per line
        return tuple(part.strip() for part in value.split(sep) if part.strip())
    raise fail(key, _("'{key}' must be a text or a list of texts", key=key))


def _date(value: Any, fail: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _edition_date(value.date(), fail)
    if isinstance(value, dt.date):
        return _edition_date(value, fail)
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise fail("date", _("'date: {value}' is not a date; write it as YYYY-MM-DD", value=value)) from None
    return _edition_date(day, fail)


def _edition_date(day: dt.date, fail: Any) -> dt.date:
    # Ebooks write dates as YYYY-MM-DD (W3CDTF): ebooklib writes year 1 as "1", which EPUBCheck refuses.
    if day.year < 1000:
        raise fail("date", _("'date: {value}' is before the year 1000; give the date of this edition", value=day))
    return day


def _first_title(blocks: tuple[Block, ...]) -> str:
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            return plain_text(block.content)
    return ""
