"""Model -> PDF, laid out by WeasyPrint from the XHTML writer's output and `styles/print.css`.

`book_html` is the exact standalone document WeasyPrint renders (`--format html` writes it).
WeasyPrint may load only the manuscript's own images: its URL fetcher refuses everything else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import FleuronError
from ..model import Document
from .common import local_images, release_time, stylesheet, write_atomically
from .xhtml import XhtmlWriter, escape, xhtml_document

STYLESHEET = "print.css"


def book_html(doc: Document) -> str:
    meta = doc.meta
    images = local_images(doc)
    writer = XhtmlWriter(doc, image_source=lambda source: images[source].path.as_uri() if source in images else source)
    stamp = release_time(meta).strftime("%Y-%m-%dT%H:%M:%SZ")
    # WeasyPrint turns these into the PDF's metadata (title comes from <title>, language from lang).
    head_meta = {
        "description": meta.description,
        "keywords": ", ".join(meta.keywords),
        "author": ", ".join(meta.authors),
        "dcterms.created": stamp,
        "dcterms.modified": stamp,
        "generator": "Fleuron",
    }
    head = "".join(
        f'<meta name="{name}" content="{escape(value, True)}" />\n' for name, value in head_meta.items() if value
    )
    head += f"<style>\n{stylesheet(doc, STYLESHEET)}</style>\n"
    authors = "".join(f'<p class="author">{escape(author)}</p>\n' for author in meta.authors)
    title_page = f'<section class="titlepage">\n<h1 class="title">{escape(meta.title)}</h1>\n{authors}</section>\n'
    body = writer.blocks(doc.blocks) + writer.footnotes(writer.notes.entries)
    return xhtml_document(meta.title, meta.lang, f"{title_page}<main>\n{body}</main>\n", head)


def write_pdf(doc: Document, path: Path, *, variant: str | None = None) -> None:
    write_atomically(path, pdf_bytes(doc, variant=variant))


def pdf_bytes(doc: Document, *, variant: str | None = None, html: str | None = None) -> bytes:
    import weasyprint  # imported here: it is slow to import, and most commands never need it

    allowed = {image.path for image in local_images(doc).values()}
    html_doc = weasyprint.HTML(string=html or book_html(doc), url_fetcher=_project_fetcher(allowed))
    # A fixed file identifier, so that the same book gives the same bytes.
    identifier = hashlib.sha256(doc.meta.identifier.encode("utf-8")).hexdigest()[:32].encode("ascii")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        with _fixed_font_timestamps(release_time(doc.meta)):
            result: bytes = html_doc.write_pdf(pdf_identifier=identifier, pdf_variant=variant)
    except weasyprint.urls.FatalURLFetchingError as error:
        raise FleuronError(f"the PDF may only use the manuscript's own files: {error}") from None
    return result


@contextmanager
def _fixed_font_timestamps(when: dt.datetime) -> Iterator[None]:
    """fontTools, which subsets fonts when HarfBuzz's subsetter is missing, stamps each subset
    with the current time unless SOURCE_DATE_EPOCH says otherwise."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = previous or str(int(when.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]


def _project_fetcher(allowed: set[Path]) -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the manuscript's images, and nothing else: no other file, no network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.removeprefix("file:").split("?")[0])).resolve()
                if path in allowed:
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(f"refused to load {url}")

    return ProjectFetcher()
