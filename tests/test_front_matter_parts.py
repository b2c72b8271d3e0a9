"""The book's parts (issue 15): dedication, epigraph, foreword, afterword, scene breaks, drop
caps; in print, in the EPUB (epub:type, ARIA role, landmarks); reproducible builds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fleuron.model import Document, Metadata, Paragraph, Text, ThematicBreak
from fleuron.pipeline import render
from fleuron.transforms import book_parts
from fleuron.writers.pdf import book_html
from fleuron.writers.xhtml import XhtmlWriter, ornament_css
from parts_book import PartsBuild, parts_document

from helpers import NS, Epub, epubcheck


def test_front_matter_keys_are_the_same_blocks_as_fenced_parts() -> None:
    import dataclasses

    meta = dataclasses.replace(Metadata("T", "fr", "urn:x"), dedication="À Jeanne,\nma mère.", epigraph="Rien.")
    doc = book_parts(Document(meta, (Paragraph((Text("x"),)),)))
    kinds = [getattr(b, "attr", None) and b.attr.classes for b in doc.blocks]  # type: ignore[union-attr]
    assert kinds[:2] == [("dedication",), ("epigraph",)]
    html = XhtmlWriter(doc, epub=True).blocks(doc.blocks[:1])
    assert html == (
        '<section class="dedication" role="doc-dedication" epub:type="dedication">\n'
        "<p>À Jeanne,<br />\nma mère.</p>\n</section>\n"
    )


def test_scene_break_and_ornament() -> None:
    doc = Document(Metadata("T", "fr", "urn:x"), (ThematicBreak(),))
    assert XhtmlWriter(doc).blocks(doc.blocks) == '<hr class="scene-break" aria-label="Changement de scène" />\n'
    import dataclasses

    assert (
        ornament_css(dataclasses.replace(doc.meta, ornament="❦")) == 'hr.scene-break::after { content: "\\2766 "; }\n'
    )
    assert ornament_css(doc.meta) == ""


@pytest.mark.slow
def test_dedication_alone_on_a_right_hand_page_before_the_contents(parts: PartsBuild) -> None:
    pages = parts.pages()
    (dedication,) = [n for n, page in enumerate(pages) if "À Jeanne, qui aimait la mer." in page]
    contents = next(n for n, page in enumerate(pages) if re.search(r"^\s*Sommaire\s*$", page, re.M))
    assert dedication < contents
    assert dedication % 2 == 0  # page n+1 odd: a right-hand page
    assert pages[dedication].split() == "À Jeanne, qui aimait la mer.".split()


@pytest.mark.slow
def test_epigraph_heads_its_chapter_and_parts_open_pages(parts: PartsBuild) -> None:
    pages = parts.pages()
    (page,) = [p for p in pages if "toujours recommencée" in p]
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    assert lines.index("Les marées") < lines.index("La mer, la mer, toujours recommencée.")
    assert "Paul Valéry" in page and "exte des" in page  # the T of "Texte" a drop cap beside it
    contents = next(p for p in pages if re.search(r"^\s*Sommaire\s*$", p, re.M))
    for title in ("Avant-propos", "Le port", "Les marées", "Postface", "Index"):
        assert title in contents


@pytest.mark.slow
def test_scene_break_ornament_is_printed(parts: PartsBuild) -> None:
    text = "\n".join(parts.pages())
    assert text.count("\u2042") == 1  # ⁂, between the two scenes


@pytest.mark.slow
def test_epub_parts_types_roles_and_landmarks(parts: PartsBuild) -> None:
    book = Epub(parts.epub)
    spine = book.spine_paths()
    found = {}
    for path in spine:
        for element in book.xml(path).xpath("//*[@epub:type]", namespaces=NS):
            found.setdefault(element.get(f"{{{NS['epub']}}}type"), (path, element.get("role")))
    expected = {"dedication": "doc-dedication", "epigraph": "doc-epigraph", "foreword": "doc-foreword",
                "afterword": "doc-afterword", "footnote": "doc-footnote", "noteref": "doc-noteref"}  # fmt: skip
    for kind, role in expected.items():
        assert found[kind][1] == role, kind
    # The dedication opens the book, before the text and its contents.
    assert spine.index(found["dedication"][0]) < spine.index(found["foreword"][0]) < spine.index(found["afterword"][0])
    landmarks = {
        a.get(f"{{{NS['epub']}}}type") for a in book.nav().xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    }
    assert {"dedication", "foreword", "afterword", "bodymatter", "index", "loi"} <= landmarks
    hr = [h for p in spine for h in book.xml(p).xpath("//x:hr", namespaces=NS)]
    assert [(h.get("class"), h.get("aria-label")) for h in hr] == [("scene-break", "Changement de scène")]
    assert epubcheck(parts.epub) == []


@pytest.mark.slow
def test_drop_caps_print_and_epub(parts: PartsBuild) -> None:
    html = book_html(parts.doc)
    assert html.count('<span class="drop-cap">') == 2  # the two chapters; not the foreword
    book = Epub(parts.epub)
    css = book.zip.read(book.base + "style/epub.css").decode()
    assert "::first-letter" in css
    texts = [book.xml(p) for p in book.spine_paths()]
    # The word is whole in the ebook: no span cuts it for a screen reader.
    assert any(t.xpath("//x:section[@class='drop-caps']/x:p[starts-with(., 'Le port')]", namespaces=NS) for t in texts)


@pytest.mark.slow
def test_two_builds_are_byte_identical(parts: PartsBuild) -> None:
    again = render(parts.doc, ["epub", "pdf", "handout"])
    for fmt, path in (("epub", parts.epub), ("pdf", parts.pdf), ("handout", parts.handout)):
        assert again[fmt][0] == path.read_bytes(), fmt


def test_parts_document_builds_without_reader(tmp_path: Path) -> None:
    assert parts_document(tmp_path).meta.drop_caps
