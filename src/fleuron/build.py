"""The only module that joins readers and writers: from a manuscript file to files in `dist/`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import FleuronError
from .model import Document
from .readers import read
from .writers.common import write_atomically
from .writers.epub import epub_bytes
from .writers.pdf import book_html, pdf_bytes

FORMATS = ("epub", "pdf", "html")
DEFAULT_FORMATS = ("epub", "pdf")
MANUSCRIPT_SUFFIXES = (".md", ".markdown")


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
    if len(found) != 1:
        what = (
            "no Markdown manuscript" if not found else f"{len(found)} manuscripts ({', '.join(p.name for p in found)})"
        )
        raise FleuronError(f"{what} in this folder; name the one to build", str(folder))
    return found[0]


def load(path: Path | str) -> Document:
    """Read a manuscript file into the model, with an error naming the file for unreadable input."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FleuronError(f"cannot read the file: {error.strerror}", str(path)) from None
    if b"\0" in data[:8192]:
        raise FleuronError("this is a binary file, not a text manuscript", str(path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FleuronError(
            f"not UTF-8 text (byte {error.start} is 0x{data[error.start]:02x}); save the file as UTF-8",
            str(path),
            line,
        ) from None
    return read(text, "markdown", str(path))


def build(
    source: Path | str | None = None,
    out_dir: Path | str = "dist",
    formats: Sequence[str] = DEFAULT_FORMATS,
) -> list[Path]:
    """Build the requested formats of one manuscript; returns the files written.

    Every output is made in memory first, then each is written to a temporary name and renamed:
    a failed build leaves the previous outputs as they were.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise FleuronError(f"unknown format '{', '.join(unknown)}'; choose among {', '.join(FORMATS)}")
    doc = load(find_manuscript(Path(source) if source is not None else None))
    outputs = render(doc, formats)
    written = []
    for extension, data in outputs.items():
        written.append(Path(out_dir) / f"{doc.meta.slug}.{extension}")
        write_atomically(written[-1], data)
    return written


def render(doc: Document, formats: Sequence[str]) -> dict[str, bytes]:
    """Each requested output's bytes, by file extension. The book's HTML is made once."""
    outputs: dict[str, bytes] = {}
    html = book_html(doc) if {"pdf", "html"} & set(formats) else ""
    if "epub" in formats:
        outputs["epub"] = epub_bytes(doc)
    if "pdf" in formats:
        outputs["pdf"] = pdf_bytes(doc, html=html)
    if "html" in formats:
        outputs["html"] = html.encode("utf-8")
    return outputs
