"""Model -> EPUB 3, packaged with ebooklib.

An EPUB is the XHTML writer plus packaging, done as a list of steps (as Sphinx's EPUB builder
does): split into chapters, write their XHTML, add styles and images, the notes, the
navigation (nav and NCX), the spine; then repack the zip so that the same input always gives
the same bytes (ebooklib stamps the current time into every entry).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebooklib import epub

from ..errors import FleuronError
from ..model import Block, Document, FootnoteDef, Heading, Metadata
from ..walk import iter_blocks, plain_text
from .common import local_images, release_time, stylesheet, write_atomically
from .xhtml import Anchors, XhtmlWriter, escape, xhtml_document

STYLESHEET = "epub.css"
_CSS_PATH = "style/epub.css"
_NOTES_PATH = "text/notes.xhtml"
_NOTE_ANCHOR = re.compile(r"fn\d+")

# The few words the package writes itself, by language.
_LABELS = {
    "fr": {"toc": "Table des matières", "notes": "Notes"},
    "en": {"toc": "Contents", "notes": "Notes"},
}


def labels(lang: str) -> dict[str, str]:
    return _LABELS.get(lang.split("-")[0].lower(), _LABELS["en"])


@dataclass
class Chapter:
    """One content document: the opening (text before the first part) or one part."""

    path: str  # inside the package's EPUB/ folder
    title: str
    blocks: tuple[Block, ...]
    #: The heading that opens the chapter (None for the opening, which the book's title opens).
    heading: Heading | None = None


def split_chapters(doc: Document) -> list[Chapter]:
    """An opening chapter, then one chapter per heading of level 1 or 2."""
    chapters = [Chapter("text/opening.xhtml", doc.meta.title, ())]
    for block in doc.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            path = f"text/part-{len(chapters):02d}.xhtml"
            chapters.append(Chapter(path, plain_text(block.content), (), block))
        chapters[-1].blocks += (block,)
    return chapters


def write_epub(doc: Document, path: Path) -> None:
    write_atomically(path, epub_bytes(doc))


def epub_bytes(doc: Document) -> bytes:
    book = epub.EpubBook()
    add_package_metadata(book, doc.meta)
    book.add_item(epub.EpubItem("style", _CSS_PATH, "text/css", stylesheet(doc, STYLESHEET).encode("utf-8")))
    image_paths = add_images(book, doc)
    chapters = split_chapters(doc)
    documents = content_documents(doc, chapters, image_paths)
    for document in documents:
        book.add_item(document)
    add_navigation(book, chapters, documents, labels(doc.meta.lang))
    book.spine = documents
    return package(book, release_time(doc.meta))


def add_package_metadata(book: epub.EpubBook, meta: Metadata) -> None:
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for number, author in enumerate(meta.authors, 1):
        book.add_author(author, uid=f"creator{number}")
    if meta.date is not None:
        book.add_metadata("DC", "date", meta.date.isoformat())
    for name, value in (("rights", meta.rights), ("description", meta.description)):
        if value:
            book.add_metadata("DC", name, value)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)


def add_images(book: epub.EpubBook, doc: Document) -> dict[str, str]:
    """Copies the manuscript's images into the package; returns where each source went."""
    paths = {}
    for number, (source, image) in enumerate(local_images(doc).items(), 1):
        paths[source] = f"images/{number:03d}{image.path.suffix.lower()}"
        book.add_item(epub.EpubItem(f"image{number}", paths[source], image.media_type, image.path.read_bytes()))
    return paths


def content_documents(doc: Document, chapters: list[Chapter], image_paths: dict[str, str]) -> list[_ContentDocument]:
    """One XHTML document per chapter, then the notes; links follow their targets across files."""
    anchors = _ChapterAnchors(_anchor_files(chapters))
    writer = XhtmlWriter(
        doc,
        anchors=anchors,
        image_source=lambda source: _relative(image_paths.get(source, source), anchors.current),
        epub=True,
    )
    documents = []
    for number, chapter in enumerate(chapters):
        anchors.current = chapter.path
        title = f'<h1 class="title">{escape(doc.meta.title)}</h1>\n' if chapter.heading is None else ""
        body = f'<section epub:type="chapter" role="doc-chapter">\n{title}{writer.blocks(chapter.blocks)}</section>\n'
        documents.append(_content_document(f"chapter{number}", chapter.path, chapter.title, doc.meta.lang, body))
    if writer.notes.entries:
        anchors.current = _NOTES_PATH
        notes_title = labels(doc.meta.lang)["notes"]
        body = writer.footnotes(writer.notes.entries, heading=notes_title)
        documents.append(_content_document("notes", _NOTES_PATH, notes_title, doc.meta.lang, body))
    return documents


def add_navigation(
    book: epub.EpubBook, chapters: list[Chapter], documents: list[_ContentDocument], words: dict[str, str]
) -> None:
    """The EPUB 3 nav and, for older readers, the NCX (ebooklib writes both from `book.toc`)."""
    book.toc = [_toc_entry(chapter) for chapter in chapters]
    if documents[-1].file_name == _NOTES_PATH:
        book.toc.append(epub.Link(_NOTES_PATH, words["notes"], "toc-notes"))
    nav = epub.EpubNav(title=words["toc"])
    nav.add_link(href=_relative(_CSS_PATH, nav.file_name), rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())


def package(book: epub.EpubBook, modified: dt.datetime) -> bytes:
    raw = io.BytesIO()
    options = {
        "mtime": modified,
        "raise_exceptions": True,
        # No EPUB 2 guide, and no landmarks or page list yet: ebooklib's guesses are wrong.
        "epub2_guide": False,
        "epub3_landmark": False,
        "epub3_pages": False,
    }
    if not epub.write_epub(raw, book, options):  # ebooklib may report failure instead of raising
        raise FleuronError("ebooklib could not write the EPUB")
    return _reproducible_zip(raw.getvalue(), modified)


class _ContentDocument(epub.EpubHtml):  # type: ignore[misc]
    """A content document whose bytes are ours: ebooklib would re-parse it as tag soup."""

    def get_content(self, default: Any = None) -> bytes:
        return bytes(self.content)


def _content_document(uid: str, path: str, title: str, lang: str, body: str) -> _ContentDocument:
    head = f'<link rel="stylesheet" type="text/css" href="{_relative(_CSS_PATH, path)}" />\n'
    xhtml = xhtml_document(title, lang, body, head)
    return _ContentDocument(uid=uid, file_name=path, title=title, lang=lang, content=xhtml.encode("utf-8"))


def _toc_entry(chapter: Chapter) -> Any:
    """A chapter with the headings inside it nested under it, as deep as they go."""
    top = chapter.heading
    href = f"{chapter.path}#{top.identifier}" if top else chapter.path
    root: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(top.level if top else 0, root)]
    for heading in chapter.blocks:
        if not isinstance(heading, Heading) or heading is top:
            continue
        while len(stack) > 1 and stack[-1][0] >= heading.level:
            stack.pop()
        children: list[Any] = []
        link = epub.Link(
            f"{chapter.path}#{heading.identifier}", plain_text(heading.content), f"toc-{heading.identifier}"
        )
        stack[-1][1].append((link, children))
        stack.append((heading.level, children))
    entry = epub.Link(href, chapter.title, f"toc-{top.identifier if top else 'opening'}")
    return (entry, _flatten_leaves(root)) if root else entry


def _flatten_leaves(entries: list[Any]) -> list[Any]:
    """ebooklib wants a bare Link for an entry without children."""
    return [(link, _flatten_leaves(children)) if children else link for link, children in entries]


def _anchor_files(chapters: list[Chapter]) -> dict[str, str]:
    """Which content document holds each heading anchor. Note anchors are added as the
    writer numbers them: a note's text lives in the notes document."""
    files: dict[str, str] = {}
    for chapter in chapters:
        for block in _outside_notes(chapter.blocks):
            if isinstance(block, Heading):
                files[block.identifier] = chapter.path
    return files


def _outside_notes(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in iter_blocks(blocks):
        if not isinstance(block, FootnoteDef):
            yield block


class _ChapterAnchors(Anchors):
    """Links across the EPUB's documents: headings stay in their chapter, notes in the notes
    document, and each note reference wherever the writer placed it."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.current = ""

    def place(self, anchor: str) -> None:
        self.files[anchor] = self.current

    def href(self, anchor: str) -> str:
        target = _NOTES_PATH if _NOTE_ANCHOR.fullmatch(anchor) else self.files.get(anchor, self.current)
        return f"#{anchor}" if target == self.current else f"{_relative(target, self.current)}#{anchor}"


def _relative(target: str, current: str) -> str:
    """`target` as a link from the document `current` (both are paths inside the package)."""
    return posixpath.relpath(target, posixpath.dirname(current) or ".") if current else target


def _reproducible_zip(data: bytes, modified: dt.datetime) -> bytes:
    """The same entries in the same order, `mimetype` first and stored, every timestamp fixed."""
    stamp = max(modified.astimezone(dt.UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        names.sort(key=lambda name: name != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, source.read(name))
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
