"""The only module that joins readers and writers: from a manuscript file to files in `dist/`."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from pathlib import Path

from .errors import FleuronError
from .model import Document
from .readers import read
from .readers.plaintext import read_plaintext
from .typography import typographize
from .writers.common import write_atomically
from .writers.epub import epub_bytes
from .writers.pagemap import page_breaks
from .writers.pdf import PrintOptions, book_html, book_pdf, handout_bytes

FORMATS = ("epub", "pdf", "handout", "html")
DEFAULT_FORMATS = ("epub", "pdf", "handout")
#: How each output's file is named after the book's slug.
FILE_SUFFIXES = {"epub": ".epub", "pdf": ".pdf", "handout": "-handout.pdf", "html": ".html"}
MANUSCRIPT_SUFFIXES = (".md", ".markdown")
#: Plain text, read by `readers/plaintext.py` (a folder's Markdown manuscript wins over it).
PLAIN_TEXT_SUFFIXES = (".txt", ".text")
_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def find_manuscript(source: Path | None = None) -> Path:
    """`source` itself, or the single manuscript in the folder it names (default `manuscript/`)."""
    folder = Path("manuscript") if source is None else source
    if source is not None and not source.is_dir():
        if not source.exists():
            raise FleuronError("no such file; give the path of a Markdown manuscript", str(source))
        return source
    if not folder.is_dir():
        raise FleuronError("no manuscript given and no 'manuscript/' folder here; give a file to build", str(folder))
    found = sorted(p for p in folder.iterdir() if p.suffix in MANUSCRIPT_SUFFIXES and p.is_file())
    if not found:
        found = sorted(p for p in folder.iterdir() if p.suffix.lower() in PLAIN_TEXT_SUFFIXES and p.is_file())
    if len(found) != 1:
        what = (
            "no Markdown manuscript" if not found else f"{len(found)} manuscripts ({', '.join(p.name for p in found)})"
        )
        raise FleuronError(f"{what} in this folder; name the one to build", str(folder))
    return found[0]


def load(path: Path | str) -> Document:
    """Read a manuscript file into the model: Markdown, or plain text for a `.txt` file."""
    text = read_source(path)
    if Path(path).suffix.lower() in PLAIN_TEXT_SUFFIXES:
        return read_plaintext(text, str(path))
    return read(text, "markdown", str(path))


def read_source(path: Path | str) -> str:
    """A manuscript file's text, with an error naming the file for unreadable input: binary,
    UTF-16, or not UTF-8 (with the offset in the file of the first bad byte). A BOM is dropped."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FleuronError(f"cannot read the file: {error.strerror}", str(path)) from None
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            raise FleuronError(f"this is {encoding} text, not UTF-8; save the file as UTF-8", str(path))
    if b"\0" in data[:8192]:
        raise FleuronError("this is a binary file, not a text manuscript", str(path))
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start  # in the file, BOM included
        line = len(re.split(rb"\r\n|\r|\n", data[:offset]))
        raise FleuronError(
            f"not UTF-8 text (byte {offset} is 0x{data[offset]:02x}); save the file as UTF-8",
            str(path),
            line,
        ) from None


def build(
    source: Path | str | None = None,
    out_dir: Path | str = "dist",
    formats: Sequence[str] = DEFAULT_FORMATS,
    print_options: PrintOptions | None = None,
) -> list[Path]:
    """Build the requested formats of one manuscript; returns the files written.

    Every output is made in memory first, then each is written to a temporary name and renamed:
    a failed build leaves the previous outputs as they were.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise FleuronError(f"unknown format '{', '.join(unknown)}'; choose among {', '.join(FORMATS)}")
    doc = typographize(load(find_manuscript(Path(source) if source is not None else None)))
    outputs = render(doc, formats, print_options)
    written = []
    for extension, data in outputs.items():
        written.append(Path(out_dir) / f"{doc.meta.slug}{FILE_SUFFIXES[extension]}")
        write_atomically(written[-1], data)
    return written


def render(doc: Document, formats: Sequence[str], print_options: PrintOptions | None = None) -> dict[str, bytes]:
    """Each requested output's bytes, by format. The book's HTML is made once."""
    outputs: dict[str, bytes] = {}
    html = book_html(doc, print_options) if {"pdf", "html", "epub"} & set(formats) else ""
    if "pdf" in formats or "epub" in formats:
        # One layout of the book gives both the PDF and the ebook's page list.
        pdf, pages = book_pdf(doc, print_options, html=html, write="pdf" in formats)
        if "pdf" in formats:
            outputs["pdf"] = pdf
    if "epub" in formats:
        outputs["epub"] = epub_bytes(doc, page_breaks(doc, pages))
    if "handout" in formats:
        outputs["handout"] = handout_bytes(doc, print_options)
    if "html" in formats:
        outputs["html"] = html.encode("utf-8")
    return outputs
