"""`fleuron.toml`: a book project's settings. Validated on reading: an unknown key is an error
that names the line and suggests the key it resembles.

Precedence, from weakest to strongest: Fleuron's defaults, `fleuron.toml`, each manuscript's
front matter, the command line's flags.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import FleuronError
from .messages import _
from .writers.formats import DEFAULT_FORMATS, unknown_format

CONFIG_FILE = "fleuron.toml"
#: Fleuron's own stylesheets, looked for in this order: packaged with the module, or the
#: repository's top-level `styles/` when running from a checkout.
DEFAULT_STYLES_DIRS = (Path(__file__).resolve().parent / "styles", Path(__file__).resolve().parents[2] / "styles")

# Each section's keys and the type of their values. Sections other than [book] give defaults
# to every manuscript's front matter, under the front matter's own names.
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "book": {"sources": list, "output": str, "formats": list},
    "metadata": {
        "title": str, "lang": str, "identifier": str, "date": (str, object), "rights": str, "description": str,
        "author": (str, list), "authors": list, "keywords": (str, list), "slug": str,
        "subtitle": str, "publisher": str, "isbn": str, "back_cover": str, "price": str,
    },
    "print": {
        "trim": str, "marks": bool, "pdf_variant": str, "paper": str, "paper_caliper_mm": (int, float), "pod": str,
        "line_breaking": str,
    },
    "parts": {
        "notes": str, "note_numbering": str, "figure_numbers": bool, "list_of_figures": bool, "ornament": str,
        "drop_caps": bool, "toc_title": str,
    },
    "epub": {"embed_fonts": bool, "cover": str},
    "typography": {
        "colon_space": str, "guillemet_space": str, "high_space": str, "unit_space": str, "thousands_space": str,
        "compat": bool, "inner_quotes": str, "dialogue_hyphen": bool, "insert_missing": bool, "locale": str,
        "disable": list,
    },
    "security": {"raw_html": str, "allow_remote": bool},
}  # fmt: skip
#: Keys that are settings of the build, not of the manuscript.
_BUILD_KEYS = {("print", "marks"), ("print", "pdf_variant")}


@dataclass(frozen=True)
class Config:
    """A project's settings; `Config()` is Fleuron's defaults (no `fleuron.toml`)."""

    path: Path | None = None
    sources: tuple[Path, ...] = ()
    output: Path = Path("dist")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    marks: bool = False
    pdf_variant: str | None = None
    #: Defaults for the front matter of every manuscript (front matter names).
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def find_config(start: Path) -> Path | None:
    """`fleuron.toml` in the folder `start` (or of the file `start`), or in one of its parents:
    the project a manuscript belongs to. Named relative to here when it is below here."""
    here = Path.cwd()
    for candidate in config_candidates(start):
        if candidate.is_file():
            return candidate.relative_to(here) if candidate.is_relative_to(here) else candidate
    return None


def config_candidates(start: Path) -> list[Path]:
    """Where `find_config` looks, in order."""
    folder = (start if start.is_dir() else start.parent).resolve()
    return [folder / CONFIG_FILE, *(parent / CONFIG_FILE for parent in folder.parents)]


def load_config(path: Path, *, allow_outside: bool = False, output_given: bool = False) -> Config:
    """`path`'s settings, checked. Its `sources` and `output` must be inside the project's folder
    (the folder of `path`), links followed, unless `allow_outside` (the operator's
    `--allow-outside`); a source's link must lead inside it even then. `output_given`: the
    command line names the output folder (`-o`), so `output` is not used."""
    toml = read_toml(path)
    toml.check(_SCHEMA)
    data, fail = toml.data, toml.error

    book = data.get("book", {})
    root = path.parent
    sources = tuple(root / str(source) for source in book.get("sources", []))
    for written, source in zip(book.get("sources", []), sources, strict=True):
        name = str(written)
        if not source.is_file():
            raise fail(_("source '{name}' not found", name=name), "sources")
        if _inside(root, source):
            from .writers.files import ProjectFiles

            ProjectFiles((root.resolve(),)).check(
                source, _("source '{name}'", name=name), str(path), toml.line("sources")
            )
        elif not allow_outside:
            message = _("source '{name}' is outside the project's folder ({folder}); pass --allow-outside if "
                        "this is intended", name=name, folder=root.resolve())  # fmt: skip
            raise fail(message, "sources")
    output = root / str(book.get("output", "dist"))
    linked_out = _inside(root, output) and not _inside(root.resolve(), output.resolve())
    if not (allow_outside or output_given) and (linked_out or not _inside(root, output)):
        message = _(
            "output folder '{name}'{target} is outside the project's folder ({folder}); pass --allow-outside if "
            "this is intended, or name the folder with -o",
            name=str(book.get("output", "dist")),
            target=_(" (it leads to {path})", path=output.resolve()) if linked_out else "",
            folder=root.resolve(),
        )
        raise fail(message, "output")
    formats = tuple(str(f) for f in book.get("formats", DEFAULT_FORMATS))
    unknown = unknown_format(formats)
    if unknown:
        raise fail(unknown, "formats")
    defaults: dict[str, Any] = dict(data.get("metadata", {}))
    for section in ("print", "epub", "security"):
        defaults.update({k: v for k, v in data.get(section, {}).items() if (section, k) not in _BUILD_KEYS})
    if "typography" in data:
        defaults["typography"] = dict(data["typography"])
    printing = data.get("print", {})
    return Config(
        path=path,
        sources=sources,
        output=output,
        formats=formats,
        marks=bool(printing.get("marks", False)),
        pdf_variant=printing.get("pdf_variant"),
        defaults=defaults,
    )


def _inside(root: Path, path: Path) -> bool:
    """Whether `path` is in the folder `root`, as written (`..` taken as written, no link followed)."""
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))


@dataclass(frozen=True)
class TomlFile:
    """A TOML settings file, parsed, with its text: its errors name the line of the key."""

    path: Path
    text: str
    data: dict[str, Any]

    def line(self, key: str) -> int | None:
        """The line where `key` is set, or where the section `[key]` opens."""
        pattern = rf"\s*{re.escape(key)}\s*=|\s*\[{re.escape(key)}\]"
        return next((n for n, line in enumerate(self.text.splitlines(), 1) if re.match(pattern, line)), None)

    def error(self, message: str, key: str) -> FleuronError:
        return FleuronError(message, str(self.path), self.line(key))

    def check(self, schema: dict[str, dict[str, type | tuple[type, ...]]]) -> None:
        """Every section and key is one of `schema`'s, its value of the type given there; else
        the error names the line and suggests the name it resembles."""
        for section, values in self.data.items():
            if section not in schema:
                raise self.error(_("unknown section '[{key}]'", key=section) + _suggestion(section, schema), section)
            if not isinstance(values, dict):
                raise self.error(_("'{key}' must be a [section]", key=section), section)
            for key, value in values.items():
                if key not in schema[section]:
                    message = _("unknown key '{key}' in [{section}]", key=key, section=section)
                    raise self.error(message + _suggestion(key, schema[section]), key)
                expected = schema[section][key]
                if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
                    raise self.error(_("'{key}' has the wrong type", key=key), key)


def read_toml(path: Path) -> TomlFile:
    """`path` read as UTF-8 and parsed as TOML; an error names the file (and the line, for a
    syntax error)."""
    import tomllib  # here: an unchanged build with no fleuron.toml never needs it

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FleuronError(_("cannot read the file: {reason}", reason=str(error)), str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = re.search(r"at line (\d+)", str(error))  # Python 3.11's tomllib says it only in the message
        line = getattr(error, "lineno", None) or (int(at[1]) if at else None)
        raise FleuronError(
            _("the configuration does not parse: {reason}", reason=str(error)), str(path), line
        ) from None
    return TomlFile(path, text, data)


def _suggestion(key: str, known: dict[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1)
    return _(" (did you mean '{key}'?)", key=close[0]) if close else ""
