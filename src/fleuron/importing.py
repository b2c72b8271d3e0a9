"""`fleuron import`: a plain-text manuscript -> a Markdown manuscript, ready for the author to
check and edit. Joins `readers/plaintext.py` and `writers/markdown.py`, as `build` joins the
rest; the file is read with `readers.source.read_source`'s checks and written atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import FleuronError
from .messages import _
from .readers.plaintext import PlainTextReading, analyze_plaintext
from .readers.source import read_source
from .storage import write_atomically
from .writers.markdown import blocks_to_markdown


@dataclass(frozen=True)
class Imported:
    #: The Markdown file written.
    path: Path
    reading: PlainTextReading


def import_plaintext(
    source: Path | str, output: Path | str | None = None, lang: str | None = None, force: bool = False
) -> Imported:
    """Write the Markdown of plain-text `source` to `output` (default: beside it, `.md`).

    An existing output is replaced only with `force`; the source is never overwritten.
    """
    source = Path(source)
    if source.is_dir():
        raise FleuronError(_("this is a folder; give the plain-text file to import"), str(source))
    target = Path(output) if output is not None else source.with_suffix(".md")
    if target.resolve() == source.resolve():
        message = _("the output would replace the text being imported; give another name with -o")
        raise FleuronError(message, str(target))
    if target.exists() and not force:
        raise FleuronError(_("already exists; give another name with -o, or --force to replace it"), str(target))
    reading = analyze_plaintext(read_source(source), str(source), lang)
    write_atomically(target, imported_markdown(reading, source.name).encode("utf-8"))
    return Imported(target, reading)


def imported_markdown(reading: PlainTextReading, source_name: str) -> str:
    """The Markdown manuscript: a front matter saying what was found and what is left to fill
    in (TODO), then the text."""
    if reading.title:
        title = f"title: {_yaml_string(reading.title)}  # from the first line"
    else:
        title = 'title: ""  # TODO: the book\'s title (no line of the text looked like one)'
    lang_note = "given with --lang" if reading.lang_reason == "given" else reading.lang_reason + "; change it if wrong"
    front = [
        f"# Imported by `fleuron import` from {source_name}: check the headings, lists and paragraphs below,",
        "# then fill in what says TODO. `fleuron import --explain` tells why each line became what it is.",
        title,
        f"lang: {reading.doc.meta.lang}  # {lang_note}",
        "# author: TODO",
        "# date: YYYY-MM-DD (also the timestamp of the built files)",
    ]
    body = blocks_to_markdown(reading.doc.blocks)
    return "---\n" + "\n".join(front) + "\n---\n" + (f"\n{body}" if body else "")


def _yaml_string(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: quotes, colons and `#` stay text.
    return json.dumps(text, ensure_ascii=False)
