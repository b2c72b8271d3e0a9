"""WeasyPrint on one finished HTML document (`LayoutJob`), in whichever process lays it out:
a URL fetcher that loads only the files the build allows, a fixed file identifier and font
timestamps (the same book gives the same bytes), and our finisher (the exact bleed box, the
title shown by viewers, a last check of the fonts). It gives the PDF and, from the same layout,
the first text of each page, for the ebook's page list (`pagemap.py`). What WeasyPrint writes
meanwhile (a copy of each `@font-face` font, in a `weasyprint-*` folder it would remove only at
the interpreter's normal exit) goes into a folder of the layout's own, removed when it ends.

It imports neither the model nor the other writers: a second process (`parallel.py`) starts
with WeasyPrint and this module alone, while the first one reads the manuscript. A PDF/X variant
adds `pdfx.py`'s stylesheet before the layout and its pass and check after it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FleuronError
from ..messages import _
from ..units import POINTS_PER_MM
from . import pdfx
from .files import ProjectFiles

log = logging.getLogger("fleuron")

#: Tagged, with the XMP metadata and identification of PDF/UA-1; `--pdf-variant` chooses another.
DEFAULT_VARIANT = "pdf/ua-1"
#: How much of a page's first body text is kept: enough for `pagemap.py` to find it in the
#: model's text (four of its 24-letter probes).
PAGE_TEXT_LENGTH = 96


@dataclass(frozen=True)
class LayoutJob:
    """All that laying out one PDF needs, and nothing of the model (it crosses processes)."""

    html: str
    #: What WeasyPrint may load: the project's files and the book's font files.
    project: ProjectFiles
    #: The families the PDF may use (the book's), the first named in warnings.
    families: tuple[str, ...]
    variant: str | None
    bleed_mm: float
    #: Hashed into the PDF's file identifier: one per book and kind of output.
    key: str
    #: Seconds since 1970: the time fontTools stamps into subset fonts.
    release: int
    #: False: the layout only, for its page texts (an EPUB without the book).
    write: bool = True
    #: The book's index (`index.py`): laid out once to learn its marks' pages, then again with them.
    index: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: False: no PDF/X pass (a chapter's layout, joined before the pass: `chapters.py`).
    finish: bool = True
    #: False: no bleed along the spine (the left edge of a right-hand page, the right edge of a
    #: left-hand one), as KDP and IngramSpark size interior pages (`pod.Service.spine_bleed`).
    spine_bleed: bool = True


def settings_digest(job: LayoutJob) -> hashlib._Hash:
    """A hash (to update further) of what decides a layout besides its HTML and options:
    Fleuron, the installed packages and the system's libraries, the system's font folders,
    and the bytes of the files the layout may load."""
    import json

    from ..state import code_fingerprint, listing
    from .fonts import SYSTEM_FONT_DIRS

    fonts = [listing(folder, recursive=True) for folder in SYSTEM_FONT_DIRS]
    digest = hashlib.sha256(json.dumps([code_fingerprint(), fonts]).encode("utf-8"))
    for path in sorted(job.project.files):
        with suppress(OSError):  # a file gone: the layout says so
            digest.update(str(path).encode("utf-8") + b"\0" + path.read_bytes())
    return digest


@dataclass(frozen=True)
class Laid:
    pdf: bytes
    #: The first body text of each page ("" for a page without any).
    page_texts: tuple[str, ...]
    #: Each anchor (element id) and the page it falls on, counted from 1 in this layout.
    anchors: tuple[tuple[str, int], ...] = ()

    @property
    def pages(self) -> int:
        return len(self.page_texts)


def lay_out(job: LayoutJob) -> Laid:
    import weasyprint  # here: it is slow to import, and most commands never need it
    from weasyprint.pdf import VARIANTS

    variant = job.variant or DEFAULT_VARIANT
    if variant not in VARIANTS:
        choices = ", ".join(sorted(VARIANTS))
        raise FleuronError(
            _("unknown PDF variant '{variant}'; choose among {choices}", variant=variant, choices=choices)
        )
    # A PDF/X variant adds its CSS (the output intent's profile, black in K) after the book's.
    project = job.project.with_files([pdfx.profile_path()]) if pdfx.is_pdfx(variant) else job.project
    html_doc = weasyprint.HTML(string=job.html, url_fetcher=_project_fetcher(project))
    identifier = hashlib.sha256(job.key.encode("utf-8")).hexdigest()[:32].encode("ascii")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    options = {**weasyprint.DEFAULT_OPTIONS, "pdf_identifier": identifier, "pdf_variant": variant, "pdf_tags": True}
    # WeasyPrint reads a stylesheet's @color-profile into the dictionary it is given.
    profiles: dict[str, Any] = {}
    if pdfx.is_pdfx(variant):
        css = pdfx.stylesheet(variant)
        options["stylesheets"] = [weasyprint.CSS(string=css, url_fetcher=html_doc.url_fetcher, color_profiles=profiles)]

    def render(html: str, css: str) -> Any:  # with the user stylesheet that cuts long notes (`notesplit.py`)
        sheets = {"stylesheets": [*(options["stylesheets"] or ()), weasyprint.CSS(string=css)]} if css else {}
        again = weasyprint.HTML(string=html, url_fetcher=html_doc.url_fetcher)
        return again.render(color_profiles=profiles, **{**options, **sheets})

    with _temporary_files_kept_apart():
        try:
            from .notesplit import settle

            html, css, document = settle(job.html, render)
        except weasyprint.urls.FatalURLFetchingError as error:
            raise FleuronError(_("the PDF may only use the manuscript's own files: {reason}", reason=error)) from None
        if job.index:  # the index after the text: the pages before it stay where they were
            from .index import anchor_pages, fill

            document = render(fill(html, job.index, anchor_pages(document)), css)
        texts = tuple(page_texts(document))
        from .index import anchor_pages

        anchors = tuple(anchor_pages(document).items())
        if not job.write:
            return Laid(b"", texts, anchors)
        with _fixed_font_timestamps(job.release):
            pdf: bytes = document.write_pdf(
                finisher=_finisher(job.families, job.bleed_mm * POINTS_PER_MM, job.spine_bleed), **options
            )
    if pdfx.is_pdfx(variant) and job.finish:
        pdf = finish_pdfx(pdf, variant)
    return Laid(pdf, texts, anchors)


def finish_pdfx(pdf: bytes, variant: str) -> bytes:
    """The PDF/X pass (`pdfx.finish`), then its check: a file that would not pass is an error."""
    import pikepdf

    pdf = pdfx.finish(pdf, variant)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        problems = pdfx.check(document, variant)
    if problems:
        found = "; ".join(sorted({problem.message for problem in problems}))
        raise FleuronError(_("the PDF would not be {variant}: {problems}", variant=variant.upper(), problems=found))
    return pdf


#: One layout at a time in a process may point `tempfile` at its own folder (layouts hold the
#: GIL anyway: a second one in a thread would gain nothing).
_temporary_lock = threading.Lock()


@contextmanager
def _temporary_files_kept_apart() -> Iterator[None]:
    """The temporary files made meanwhile (WeasyPrint's `FontConfiguration` copies the book's
    fonts into a `mkdtemp` folder, removed only by its `__del__`, which an `os._exit` or a kill
    never runs) go into a new folder, removed when the block ends; a killed process's is
    removed by the next build (`storage.remove_dead_folders`), or with its first process's."""
    from ..storage import remove_folder, temporary_folder

    with _temporary_lock:
        folder = temporary_folder()
        previous = tempfile.tempdir
        tempfile.tempdir = str(folder)
        try:
            yield
        finally:
            tempfile.tempdir = previous
            remove_folder(folder)


def page_texts(document: Any) -> list[str]:
    """The first body text of each page of a rendered WeasyPrint document: only what is inside
    `<main>` (not the title page, contents or colophon), without note calls, list markers,
    running heads or folios; "" for a page without any."""
    from weasyprint.formatting_structure import boxes

    def texts(box: Any, found: list[str], in_main: bool) -> None:
        if isinstance(box, boxes.MarginBox) or getattr(box, "pseudo_type", None) == "marker":
            return
        if str(getattr(box, "element_tag", "")).endswith("::footnote-call"):  # a note's call, not text
            return
        element = getattr(box, "element", None)
        if type(box).__name__ == "FootnoteAreaBox" or (element is not None and element.get("role") == "doc-noteref"):
            return
        in_main = in_main or getattr(box, "element_tag", None) == "main"
        if in_main and isinstance(box, boxes.TextBox):
            found.append(box.text)
        for child in getattr(box, "children", ()):
            if sum(map(len, found)) > PAGE_TEXT_LENGTH:
                return
            texts(child, found, in_main)

    starts = []
    for page in document.pages:
        found: list[str] = []
        texts(page._page_box, found, False)
        starts.append(" ".join(found))
    return starts


def _finisher(families: tuple[str, ...], bleed: float, spine_bleed: bool = True) -> Callable[[Any, Any], None]:
    """What WeasyPrint leaves to us: the exact bleed box (it caps the bleed at 10 pt and has no
    notion of marks outside it), the bleed cut off along the spine when the shop asks so (CSS
    has one bleed for all four sides), the title shown by viewers, and a last check of the fonts."""

    def finish(document: Any, pdf: Any) -> None:
        import pydyf  # type: ignore[import-untyped]

        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        pages = [page for page in pdf.objects if isinstance(page, dict) and page.get("Type") == "/Page"]
        for number, page in enumerate(pages, start=1):
            left, bottom, right, top = (float(v) for v in page["TrimBox"])
            box = [left - bleed, bottom - bleed, right + bleed, top + bleed]
            if not spine_bleed and bleed:
                spine = 0 if number % 2 else 2  # a right-hand (odd) page's spine is its left edge
                box[spine] = [left, bottom, right, top][spine]
                page["MediaBox"] = pydyf.Array(box)  # the page itself: trim + bleed on three sides
            page["BleedBox"] = pydyf.Array(box)
        foreign = sorted({font.family for font in document.fonts.values()} - set(families))
        if foreign:
            log.warning(
                _("the PDF uses fonts other than {family}: {others}", family=families[0], others=", ".join(foreign))
            )
        missing = sorted({chr(code) for font in document.fonts.values() for code in font.missing})
        if missing:
            chars = ", ".join(map(repr, missing))
            log.warning(_("no font could draw {chars}: the PDF shows blank boxes instead", chars=chars))

    return finish


@contextmanager
def _fixed_font_timestamps(release: int) -> Iterator[None]:
    """fontTools, which subsets fonts when HarfBuzz's subsetter is missing, stamps each subset
    with the current time unless SOURCE_DATE_EPOCH says otherwise."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = previous or str(release)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]


def _project_fetcher(project: ProjectFiles) -> Any:
    """WeasyPrint's URL fetcher for Fleuron: the project's files (as `ProjectFiles` decides, the
    EPUB packaging's rule) and nothing else. No network: an image fetched with `allow_remote`
    is already a file of the cache, and its address was replaced by that file's."""
    import mimetypes
    from urllib.parse import urlsplit
    from urllib.request import url2pathname  # here: it imports http.client, which the first process never needs

    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Reads `file:` URLs of allowed files itself; refuses every other URL, redirects
        included (WeasyPrint's redirects come back through `fetch`)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
                path = Path(url2pathname(parts.path))
                if project.allows(path):
                    real = path.resolve()
                    content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, real.read_bytes(), {"Content-Type": content_type})
            shown = url if len(url) <= 120 else url[:117] + "..."
            raise FatalURLFetchingError(f"refused to load {shown}: not a file of the project")

    return ProjectFetcher(allowed_protocols=("file",), allow_redirects=False)
