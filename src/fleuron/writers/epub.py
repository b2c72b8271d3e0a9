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
from ..messages import _
from ..model import Block, Document, Figure, FootnoteDef, Heading, Metadata
from ..storage import write_atomically
from ..walk import block_ids, block_inline_runs, iter_blocks, iter_inlines, plain_text
from .formats import EPUB_STYLESHEETS
from .images import local_images, resolve_cover
from .index import Entry, Mark, entries, groups
from .labels import Labels, book_labels
from .stylesheets import stylesheet
from .timestamp import release_time
from .xhtml import (
    PARTS,
    STANDALONE_PARTS,
    Anchors,
    XhtmlWriter,
    escape,
    note_blocks,
    opens_chapter,
    ornament_css,
    page_break,
    part_kind,
    per_chapter,
    xhtml_document,
)

_CSS_PATH = "style/epub.css"
_INDEX_PATH = "text/index.xhtml"
#: The parts that go before the text, whatever their place in the manuscript.
_FRONT = ("dedication", "epigraph")

_NAV_PATH = "nav.xhtml"
_COVER_PATH = "text/cover.xhtml"


@dataclass
class Chapter:
    """One content document: the opening (text before the first part) or one part."""

    path: str  # inside the package's EPUB/ folder
    title: str
    blocks: tuple[Block, ...]
    #: The heading that opens the chapter (None for the opening, which the book's title opens).
    heading: Heading | None = None
    #: A book part's kind (`dedication`, `foreword`…: `xhtml.PARTS`), or "" for a chapter.
    kind: str = ""


def split_chapters(doc: Document, words: Labels | None = None) -> list[Chapter]:
    """An opening chapter, then one chapter per heading of level 1 or 2; a dedication, a
    foreword, acknowledgments or an afterword is a document of its own, where it stands, but
    the dedication and an epigraph at the head of the text go before everything."""
    words = words or book_labels(doc.meta)
    chapters = [Chapter("text/opening.xhtml", doc.meta.title, ())]
    members: list[list[Block]] = [[]]  # gathered in lists: adding to a tuple each time is quadratic
    front: list[Chapter] = []
    after_part = False
    for number, block in enumerate(doc.blocks):
        kind = part_kind(block) or ""
        if kind in _FRONT and (kind == "dedication" or not any(members)):
            path = f"text/{kind}-{len(front) + 1}.xhtml"
            front.append(Chapter(path, _part_title(block, kind, words), (block,), None, kind))
            continue
        if kind in STANDALONE_PARTS or (after_part and not opens_chapter(block)):
            path = f"text/part-{len(chapters):02d}.xhtml"
            title = _part_title(block, kind, words) if kind else chapters[-1].title
            chapters.append(Chapter(path, title, (), None, kind))
            members.append([])
        elif not isinstance(block, Heading):
            pass
        elif number == 0 and _is_title(block, doc):  # the book's title as the text's first heading
            chapters[0].heading = block
        elif block.level <= 2:
            path = f"text/part-{len(chapters):02d}.xhtml"
            chapters.append(Chapter(path, plain_text(block.content), (), block))
            members.append([])
        members[-1].append(block)
        after_part = kind in STANDALONE_PARTS
    for chapter, blocks in zip(chapters, members, strict=True):
        chapter.blocks = tuple(blocks)
    return front + chapters


def _part_title(block: Block, kind: str, words: Labels) -> str:
    """A part's title: its first heading's, else its name ("Dédicace", "Avant-propos"…)."""
    for inner in iter_blocks((block,)):
        if isinstance(inner, Heading):
            return plain_text(inner.content)
    return str(getattr(words, kind, kind))


def _is_title(block: Block, doc: Document) -> bool:
    return isinstance(block, Heading) and block.level == 1 and plain_text(block.content) == doc.meta.title


def write_epub(doc: Document, path: Path) -> None:
    write_atomically(path, epub_bytes(doc))


def epub_bytes(doc: Document, page_breaks: PageBreaks | None = None) -> bytes:
    """The EPUB; with `page_breaks` (where the print edition's pages begin), a page list too.
    `doc` has passed `checks.check_document` (its links, headings and images are sound)."""
    words = book_labels(doc.meta)
    book = epub.EpubBook()
    add_package_metadata(book, doc.meta)
    css = "".join(stylesheet(doc, name) for name in EPUB_STYLESHEETS) + ornament_css(doc.meta)
    if doc.meta.embed_fonts:
        css = add_fonts(book, doc) + css
    book.add_item(epub.EpubItem("style", _CSS_PATH, "text/css", css.encode("utf-8")))
    image_paths = add_images(book, doc)
    cover = add_cover(book, doc, words)
    chapters = split_chapters(doc, words)
    documents = content_documents(doc, chapters, image_paths, page_breaks)
    for document in documents:
        book.add_item(document)
    pages = _page_targets(documents)
    add_accessibility_metadata(book, doc.meta, words, has_images=bool(image_paths), has_pages=bool(pages))
    add_navigation(book, doc.meta.lang, chapters, documents, words, pages, _figure_list(doc, chapters, words))
    # The navigation document is in the spine, out of the reading order, for the landmark to it.
    book.spine = [cover, *documents, (book.get_item_with_id("nav"), "no")]
    return package(book, release_time(doc.meta), doc.meta.lang)


#: Where the print edition's pages begin: for a block (by its index in `iter_blocks` order),
#: the (character offset in its text, page label) of each page that starts inside it.
PageBreaks = dict[int, list[tuple[int, str]]]


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


def add_accessibility_metadata(
    book: epub.EpubBook, meta: Metadata, words: Labels, has_images: bool, has_pages: bool
) -> None:
    """EPUB Accessibility 1.1 (schema.org properties, conformance, certifier)."""
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if has_pages:
        features += ["printPageNumbers", "pageNavigation"]
    if has_images:
        features.append("alternativeText")
    properties = [
        *(("schema:accessMode", mode) for mode in (["textual", "visual"] if has_images else ["textual"])),
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        (
            "schema:accessibilitySummary",
            words.accessibility_summary + (words.accessibility_images if has_images else ""),
        ),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
        ("a11y:certifiedBy", "Fleuron"),
    ]
    if has_pages:  # `pageBreakSource` (no prefix: the W3C property, accepted by EPUBCheck 5.2+)
        properties.append(("pageBreakSource", f"{meta.title}, {words.print_edition} ({meta.identifier})"))
    for name, value in properties:
        book.add_metadata(None, "meta", value, {"property": name})


def add_images(book: epub.EpubBook, doc: Document) -> dict[str, str]:
    """Copies the manuscript's images into the package; returns where each source went."""
    paths = {}
    for number, (source, image) in enumerate(local_images(doc).items(), 1):
        paths[source] = f"images/{number:03d}{image.path.suffix.lower()}"
        book.add_item(epub.EpubItem(f"image{number}", paths[source], image.media_type, image.path.read_bytes()))
    return paths


def add_fonts(book: epub.EpubBook, doc: Document) -> str:
    """The book's faces (completed with U+202F where they lack it, as in print) in the
    package; returns their `@font-face` rules. Readers still let their user choose a font."""
    from .fonts import book_fonts

    fonts = book_fonts(doc)
    names = {"text": fonts.family, "mono": fonts.mono_family}
    rules = []
    for number, face in enumerate(fonts.faces, 1):
        path = f"fonts/{number:02d}{face.path.suffix.lower()}"
        media_type = "font/otf" if face.path.suffix.lower() == ".otf" else "font/ttf"
        book.add_item(epub.EpubItem(f"font{number}", path, media_type, face.path.read_bytes()))
        rules.append(
            f'@font-face {{ font-family: "{names[face.role]}"; src: url("../{path}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}\n"
        )
    return "".join(rules) + f'body {{ font-family: "{fonts.family}", serif; }}\n'


def add_cover(book: epub.EpubBook, doc: Document, words: Labels) -> _ContentDocument:
    """The front matter's `cover:` image, or one drawn from the title; and its page."""
    if doc.meta.cover:
        image = resolve_cover(doc)
        data, suffix, media_type = image.path.read_bytes(), image.path.suffix.lower(), image.media_type
    else:
        from .cover import cover_png
        from .fonts import book_fonts

        faces = {(face.role, face.style, face.weight): face.path for face in book_fonts(doc).faces}
        regular = faces[("text", "normal", 400)]
        data, suffix, media_type = (
            cover_png(doc.meta, regular, faces.get(("text", "italic", 400), regular)),
            ".png",
            "image/png",
        )
    image_path = f"images/cover{suffix}"
    item = epub.EpubItem("cover-image", image_path, media_type, data)
    item.properties = ["cover-image"]
    book.add_item(item)
    alt = words.cover_alt.format(title=doc.meta.title)
    body = (
        f'<section class="cover">\n<img epub:type="cover" role="doc-cover" '
        f'src="{_relative(image_path, _COVER_PATH)}" alt="{escape(alt, quote=True)}" />\n</section>\n'
    )
    page = _content_document("cover", _COVER_PATH, words.cover, doc.meta.lang, body)
    book.add_item(page)
    return page


def content_documents(
    doc: Document, chapters: list[Chapter], image_paths: dict[str, str], page_breaks: PageBreaks | None = None
) -> list[_ContentDocument]:
    """One XHTML document per chapter, each closed by the notes it calls (pop-up notes), then
    the index; links follow their targets across files."""
    anchors = _ChapterAnchors(_anchor_files(chapters))
    writer = XhtmlWriter(
        doc,
        anchors=anchors,
        image_source=lambda source: _relative(image_paths.get(source, source), anchors.current),
        epub=True,
        page_breaks=page_breaks,
        continuous_headings=True,
        note_chapters=per_chapter(doc.meta),
    )
    # A note's later calls may be in later documents: its text's links back must know where.
    for chapter in chapters:
        for block in _outside_notes(chapter.blocks):
            for run in block_inline_runs(block):
                for inline in iter_inlines(run):
                    if id(inline) in writer.notes.refs:
                        anchors.files.setdefault(writer.notes.refs[id(inline)][1], chapter.path)
    for entry in writer.notes.entries:
        called = anchors.files.get(entry.ref_anchors[0])
        for block in iter_blocks(tuple(note_blocks(entry))):
            for identifier in block_ids(block):
                if called:
                    anchors.files.setdefault(identifier, called)
    documents = []
    opening = next(n for n, chapter in enumerate(chapters) if chapter.path == "text/opening.xhtml")
    for number, chapter in enumerate(chapters):
        anchors.current = chapter.path
        opens = number == opening and not chapter.heading
        title = f'<h1 class="title">{escape(doc.meta.title)}</h1>\n' if opens else ""
        if number == 0 and page_breaks and -1 in page_breaks:  # pages before the text
            title = "".join(page_break(label) for _, label in page_breaks[-1]) + title
        text = writer.blocks(chapter.blocks) + writer.popup_notes()
        if chapter.kind and len(chapter.blocks) == 1:
            body = title + text  # the part's own element says what it is (`xhtml.PARTS`)
        else:
            drop_caps = ' class="drop-caps"' if doc.meta.drop_caps else ""
            body = f'<section epub:type="chapter" role="doc-chapter"{drop_caps}>\n{title}{text}</section>\n'
        documents.append(_content_document(f"chapter{number}", chapter.path, chapter.title, doc.meta.lang, body))
    if writer.marks.marks:
        words = book_labels(doc.meta)
        body = index_document(writer, anchors, chapters, words)
        documents.append(_content_document("index", _INDEX_PATH, words.index, doc.meta.lang, body))
    return documents


def index_document(writer: XhtmlWriter, anchors: _ChapterAnchors, chapters: list[Chapter], words: Labels) -> str:
    """The index (EPUB Indexes 1.1): each entry's locators link to its marks. A locator says
    the print edition's page where the book has a page list (one locator a page), else the
    chapter's title."""

    def locators(marks: list[Mark]) -> str:
        links: list[str] = []
        seen: dict[str, int] = {}
        for mark in marks:
            page = writer.mark_pages.get(mark.anchor, "")
            label = page or _chapter_title(chapters, anchors.files.get(mark.anchor, ""))
            seen[label] = seen.get(label, 0) + 1
            if page and seen[label] > 1:
                continue  # one locator a page, as in print
            text = label if page or seen[label] == 1 else f"{label} ({seen[label]})"
            href = escape(writer.href(mark.anchor), True)
            links.append(f'<a epub:type="index-locator" href="{href}">{escape(text)}</a>')
        return ", ".join(links)

    def entry_list(items: list[Entry]) -> str:
        written = []
        for entry in items:
            found = locators(entry.marks)
            subs = f'\n<ul epub:type="index-entry-list">\n{entry_list(entry.subs)}</ul>\n' if entry.subs else ""
            term = f'<span epub:type="index-term">{escape(entry.term)}</span>'
            written.append(f'<li epub:type="index-entry">{term}{", " + found if found else ""}{subs}</li>\n')
        return "".join(written)

    anchors.current = _INDEX_PATH
    body = [f'<section epub:type="index" role="doc-index">\n<h1>{escape(words.index)}</h1>\n']
    for letter, members in groups(entries(writer.marks.marks)):
        heading = f"<h2>{escape(letter)}</h2>\n" if letter else ""
        listed = f'<ul epub:type="index-entry-list">\n{entry_list(members)}</ul>\n'
        body.append(f'<div epub:type="index-group">\n{heading}{listed}</div>\n')
    body.append("</section>\n")
    return "".join(body)


def _chapter_title(chapters: list[Chapter], path: str) -> str:
    return next((chapter.title for chapter in chapters if chapter.path == path), "")


@dataclass
class TocEntry:
    title: str
    href: str
    children: list[TocEntry]


def toc_entries(chapters: list[Chapter]) -> list[TocEntry]:
    """Each chapter, with the headings inside it nested under it as deep as they go."""
    entries = []
    for chapter in chapters:
        if chapter.kind in _FRONT:
            continue  # the dedication and the book's epigraph are landmarks, not contents
        top = chapter.heading
        entry = TocEntry(chapter.title, f"{chapter.path}#{top.identifier}" if top else chapter.path, [])
        stack: list[tuple[int, TocEntry]] = [(top.level if top else 0, entry)]
        for heading in chapter.blocks:
            if not isinstance(heading, Heading) or heading is top:
                continue
            while len(stack) > 1 and stack[-1][0] >= heading.level:
                stack.pop()
            child = TocEntry(plain_text(heading.content), f"{chapter.path}#{heading.identifier}", [])
            stack[-1][1].children.append(child)
            stack.append((heading.level, child))
        entries.append(entry)
    return entries


def add_navigation(
    book: epub.EpubBook,
    lang: str,
    chapters: list[Chapter],
    documents: list[_ContentDocument],
    words: Labels,
    pages: list[tuple[str, str]],
    figures: list[tuple[str, str]] | None = None,
) -> None:
    """Our EPUB 3 navigation document (table of contents, landmarks, list of figures, page
    list) and, for older readers, the NCX that ebooklib writes from `book.toc`."""
    figures = figures or []
    entries = toc_entries(chapters)
    if documents[-1].file_name == _INDEX_PATH:
        entries.append(TocEntry(words.index, _INDEX_PATH, []))
    book.toc = [_ncx_entry(entry, f"toc-{n}") for n, entry in enumerate(entries, 1)]

    def items(tree: list[TocEntry]) -> str:
        return "".join(
            f'<li><a href="{escape(e.href, True)}">{escape(e.title)}</a>'
            + (f"\n<ol>\n{items(e.children)}</ol>\n" if e.children else "")
            + "</li>\n"
            for e in tree
        )

    start = next(chapter for chapter in chapters if chapter.kind not in _FRONT)
    landmarks = [("cover", _COVER_PATH, words.cover), ("toc", f"{_NAV_PATH}#toc", words.toc)]
    landmarks += [(PARTS[c.kind][1], c.path, c.title) for c in chapters if c.kind in ("dedication", "foreword")]
    landmarks.append(("bodymatter", start.path, words.start_of_text))
    landmarks += [(PARTS[c.kind][1], c.path, c.title) for c in chapters if c.kind in ("acknowledgments", "afterword")]
    if documents[-1].file_name == _INDEX_PATH:
        landmarks.append(("index", _INDEX_PATH, words.index))
    if figures:
        landmarks.append(("loi", f"{_NAV_PATH}#loi", words.list_of_figures))
    toc_title = escape(words.toc)
    body = (
        f'<nav epub:type="toc" id="toc" role="doc-toc">\n<h1>{toc_title}</h1>\n<ol>\n{items(entries)}</ol>\n</nav>\n'
        f'<nav epub:type="landmarks" id="landmarks" aria-label="{escape(words.landmarks, True)}" hidden="hidden">\n'
        f"<h2>{escape(words.landmarks)}</h2>\n<ol>\n"
        + "".join(
            f'<li><a epub:type="{kind}" href="{href}">{escape(label)}</a></li>\n' for kind, href, label in landmarks
        )
        + "</ol>\n</nav>\n"
    )
    if figures:
        body += (
            f'<nav epub:type="loi" id="loi">\n<h2>{escape(words.list_of_figures)}</h2>\n<ol>\n'
            + "".join(f'<li><a href="{escape(href, True)}">{escape(title)}</a></li>\n' for href, title in figures)
            + "</ol>\n</nav>\n"
        )
    if pages:
        body += (
            f'<nav epub:type="page-list" id="page-list" role="doc-pagelist" hidden="hidden">\n'
            f"<h2>{escape(words.pages)}</h2>\n<ol>\n"
            + "".join(f'<li><a href="{href}">{escape(label)}</a></li>\n' for href, label in pages)
            + "</ol>\n</nav>\n"
        )
    nav = _content_document("nav", _NAV_PATH, words.toc, lang, body)
    nav.properties = ["nav"]
    book.add_item(nav)
    book.add_item(epub.EpubNcx())


def _ncx_entry(entry: TocEntry, uid: str) -> Any:
    link = epub.Link(entry.href, entry.title, uid)
    if not entry.children:
        return link
    return (link, [_ncx_entry(child, f"{uid}-{n}") for n, child in enumerate(entry.children, 1)])


def _page_targets(documents: list[_ContentDocument]) -> list[tuple[str, str]]:
    """(href, label) of each page break marker, in reading order."""
    return [
        (f"{document.file_name}#page-{label.decode()}", label.decode())
        for document in documents
        for label in re.findall(rb'epub:type="pagebreak"[^>]* id="page-([^"]+)"', document.content)
    ]


def package(book: epub.EpubBook, modified: dt.datetime, lang: str) -> bytes:
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
        raise FleuronError(_("ebooklib could not write the EPUB"))
    return _reproducible_zip(raw.getvalue(), modified, lang)


class _ContentDocument(epub.EpubHtml):  # type: ignore[misc]
    """A content document whose bytes are ours: ebooklib would re-parse it as tag soup."""

    def get_content(self, default: Any = None) -> bytes:
        return bytes(self.content)


def _content_document(uid: str, path: str, title: str, lang: str, body: str) -> _ContentDocument:
    head = f'<link rel="stylesheet" type="text/css" href="{_relative(_CSS_PATH, path)}" />\n'
    xhtml = xhtml_document(title, lang, body, head)
    return _ContentDocument(uid=uid, file_name=path, title=title, lang=lang, content=xhtml.encode("utf-8"))


def _anchor_files(chapters: list[Chapter]) -> dict[str, str]:
    """Which content document holds each element's anchor (`walk.block_ids`: headings,
    figures, tables, divs, spans, images). Note anchors and index marks are added as the
    writer writes them; the anchors in a note's text, where the note is first called."""
    files: dict[str, str] = {}
    for chapter in chapters:
        for block in _outside_notes(chapter.blocks):
            for identifier in block_ids(block):
                files[identifier] = chapter.path
            if isinstance(block, Figure):
                files[_figure_id(block, chapters)] = chapter.path
    return files


def _figure_id(figure: Figure, chapters: list[Chapter]) -> str:
    """A figure's anchor as the writer writes it (`XhtmlWriter.figure_anchor`)."""
    if figure.image.attr.identifier:
        return figure.image.attr.identifier
    ranked = (b for chapter in chapters for b in iter_blocks(chapter.blocks) if isinstance(b, Figure))
    return f"figure-{next(n for n, b in enumerate(ranked, 1) if b is figure)}"


def _figure_list(doc: Document, chapters: list[Chapter], words: Labels) -> list[tuple[str, str]]:
    """With `list_of_figures`, each captioned figure's link and title, for the nav's `loi`."""
    if not doc.meta.list_of_figures:
        return []
    found = []
    numbered = 0
    for chapter in chapters:
        for block in iter_blocks(chapter.blocks):
            if isinstance(block, Figure):
                numbered += 1
                if block.caption:
                    label = f"{words.figure}\u00a0{numbered}. " if doc.meta.figure_numbers else ""
                    found.append((f"{chapter.path}#{_figure_id(block, chapters)}", label + plain_text(block.caption)))
    return found


def _outside_notes(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in iter_blocks(blocks):
        if not isinstance(block, FootnoteDef):
            yield block


class _ChapterAnchors(Anchors):
    """Links across the EPUB's documents: headings, figures and tables stay in their chapter,
    notes, their references and index marks wherever the writer placed them."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.current = ""

    def place(self, anchor: str) -> None:
        self.files[anchor] = self.current

    def href(self, anchor: str) -> str:
        target = self.files.get(anchor, self.current)
        return f"#{anchor}" if target == self.current else f"{_relative(target, self.current)}#{anchor}"


def _relative(target: str, current: str) -> str:
    """`target` as a link from the document `current` (both are paths inside the package)."""
    return posixpath.relpath(target, posixpath.dirname(current) or ".") if current else target


def _reproducible_zip(data: bytes, modified: dt.datetime, lang: str) -> bytes:
    """The same entries in the same order, `mimetype` first and stored, every timestamp fixed;
    and the package document's language, which ebooklib does not write."""
    stamp = max(modified.astimezone(dt.UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        names.sort(key=lambda name: name != "mimetype")
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            content = source.read(name)
            if name.endswith(".opf"):
                content = content.replace(b"<package ", f'<package xml:lang="{escape(lang, True)}" '.encode(), 1)
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, content, compresslevel=9)
    return out.getvalue()
