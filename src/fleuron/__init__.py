"""Fleuron: a French publishing pipeline. A manuscript goes in; an EPUB 3 and a PDF come out.

The public API is small and lazy (WeasyPrint is imported only when a PDF is made):

    doc = fleuron.load("manuscript/article.md")     # or fleuron.parse(text)
    doc = fleuron.typographize(doc)                  # French typography, when the text is French
    fleuron.to_xhtml(doc)                            # the body as an XHTML fragment
    fleuron.write_epub(doc, "dist/book.epub")
    fleuron.write_pdf(doc, "dist/book.pdf")
    fleuron.build("manuscript/article.md", "dist", ["epub", "pdf"])
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FleuronError

if TYPE_CHECKING:
    from .model import Document

__version__ = "0.1.0"
__all__ = [
    "Document", "FleuronError", "build", "load", "parse", "to_xhtml", "typographize", "write_epub", "write_pdf",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    # The model on first use: `fleuron --help` and an unchanged rebuild never need it.
    if name == "Document":
        from .model import Document

        return Document
    raise AttributeError(f"module 'fleuron' has no attribute {name!r}")


def parse(text: str, format: str = "markdown") -> Document:
    from .readers import read

    return read(text, format)


def load(path: str | Path) -> Document:
    from .pipeline import load as load_file

    return load_file(path)


def to_xhtml(doc: Document) -> str:
    from .writers.xhtml import to_xhtml as fragment

    return fragment(doc)


def typographize(doc: Document) -> Document:
    """French typography applied to the document's text, when it is in French."""
    from .typography import typographize as apply

    return apply(doc)


def write_epub(doc: Document, path: str | Path) -> None:
    """The EPUB of `doc`, once it has passed the document check (links, anchors, images)."""
    from .checks import check_document
    from .writers.epub import write_epub as write

    check_document(doc)
    write(doc, Path(path))


def write_pdf(doc: Document, path: str | Path) -> None:
    """The book PDF of `doc`, once it has passed the document check."""
    from .checks import check_document
    from .writers.pdf import write_pdf as write

    check_document(doc)
    write(doc, Path(path))


def build(
    source: str | Path | None,
    out_dir: str | Path = "dist",
    formats: Sequence[str] = ("epub", "pdf"),
    *,
    allow_outside: bool = False,
) -> list[Path]:
    """Build `formats` of the manuscript `source` into `out_dir`; returns the files (those
    already up to date are not made again). `allow_outside`: `fleuron.toml`'s `sources` may be
    outside the project's folder (SECURITY.md)."""
    from .pipeline import build as run

    return [output.path for output in run(source, out_dir, formats, allow_outside=allow_outside).outputs]
