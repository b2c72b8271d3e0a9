"""`fleuron import`: a plain-text, Word (.docx) or OpenDocument (.odt) manuscript -> a Markdown
manuscript, ready for the author to check and edit. Joins the readers and `writers/markdown.py`,
as `build` joins the rest; a text file is read with `readers.source.read_source`'s checks, a
package with `readers/package.py`'s; every file is written atomically, a package's images
beside the Markdown (`<name>-images/image1.png`)."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import FleuronError
from .messages import _
from .model import Document, Image, Metadata
from .readers.plaintext import PlainTextReading, analyze_plaintext
from .readers.source import read_source
from .storage import write_atomically
from .transforms import map_nodes
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
    _check_target(source, target, force)
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


def _check_target(source: Path, target: Path, force: bool) -> None:
    if target.resolve() == source.resolve():
        message = _("the output would replace the text being imported; give another name with -o")
        raise FleuronError(message, str(target))
    if target.exists() and not force:
        raise FleuronError(_("already exists; give another name with -o, or --force to replace it"), str(target))


@dataclass(frozen=True)
class ImportedPackage:
    #: The Markdown file written, and the images written beside it.
    path: Path
    images: tuple[Path, ...]
    doc: Document
    #: The warnings about what did not come across, one line each kind.
    dropped: tuple[str, ...]


def import_package(
    source: Path | str, output: Path | str | None = None, lang: str | None = None, force: bool = False
) -> ImportedPackage:
    """Write the Markdown of Word or OpenDocument `source` to `output` (default: beside it,
    `.md`), its images in `<output's name>-images/`. Existing files are replaced only with `force`."""
    from .parallel import KeepWarnings
    from .readers import read_file, reader_for

    source = Path(source)
    reader = reader_for(source)
    if reader is None or not reader.binary:
        raise ValueError(f"{source} is not a .docx or .odt file")
    target = Path(output) if output is not None else source.with_suffix(".md")
    _check_target(source, target, force)
    kept: list[tuple[str, int, str]] = []
    handler = KeepWarnings(kept)
    logger = logging.getLogger("fleuron")
    logger.addHandler(handler)
    try:
        doc = read_file(source, reader.name, {"lang": lang} if lang else None)
    finally:
        logger.removeHandler(handler)
    if lang:
        doc = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, lang=lang))
    folder = target.parent / f"{target.stem}-images"
    written: dict[str, Path] = {}

    def keep_image(url: str) -> str:
        if not url.startswith("data:"):
            return url
        if url not in written:
            header, _comma, _payload = url.partition(",")
            suffix = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}
            path = folder / f"image{len(written) + 1}{suffix.get(header[5:].split(';')[0], '.png')}"
            if path.exists() and not force:
                message = _("already exists; give another name with -o, or --force to replace it")
                raise FleuronError(message, str(path))
            written[url] = path
        return f"{folder.name}/{written[url].name}"

    def with_image(node: Any) -> Any:
        return dataclasses.replace(node, source=keep_image(node.source)) if isinstance(node, Image) else node

    blocks = map_nodes(doc.blocks, with_image)
    for url, path in written.items():
        write_atomically(path, base64.b64decode(url.partition(",")[2]))
    dropped = tuple(message.split(": ", 1)[-1] for _name, _level, message in kept)
    text = package_markdown(doc.meta, blocks, source.name, dropped)
    write_atomically(target, text.encode("utf-8"))
    return ImportedPackage(target, tuple(written.values()), Document(doc.meta, blocks), dropped)


def package_markdown(meta: Metadata, blocks: Any, source_name: str, dropped: tuple[str, ...]) -> str:
    """The Markdown manuscript: what the document says of itself in the front matter (with
    comments on what to check and what did not come across), then the text."""
    data: dict[str, Any] = {"title": meta.title}
    if meta.subtitle:
        data["subtitle"] = meta.subtitle
    if meta.authors:
        data["author"] = list(meta.authors)
    data["lang"] = meta.lang
    if meta.date:
        data["date"] = meta.date
    if meta.description:
        data["description"] = meta.description
    if meta.keywords:
        data["keywords"] = list(meta.keywords)
    front = [
        f"# Imported by `fleuron import` from {source_name}: check the headings, lists, notes and",
        "# images below, and the values here (from the document's properties and its Title paragraphs).",
        *(["# What did not come across, or was guessed (the same as the warnings):"] if dropped else []),
        *(f"# - {message}" for message in dropped),
    ]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    if not meta.date:
        body += "# date: YYYY-MM-DD (also the timestamp of the built files)\n"
    text = blocks_to_markdown(blocks)
    return "---\n" + "\n".join(front) + "\n" + body + "---\n" + (f"\n{text}" if text else "")
