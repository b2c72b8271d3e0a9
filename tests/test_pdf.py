"""Model -> PDF through WeasyPrint, read back with pypdf: the text, the metadata, the HTML that
is rendered. The print-shop side of the book is in test_print.py, the handout in test_handout.py."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pypdf import PdfReader

import fleuron as api
from fleuron.writers.pdf import PrintWriter, book_html

from helpers import ARTICLE_MD, MM, PROJECT_FRONT, Built, assert_words_in_order, fleuron, pdf_text, png

pytestmark = pytest.mark.slow  # every test reads a PDF WeasyPrint lays out


def test_every_word_of_the_article_in_order(built: Built, article_words: list[str]) -> None:
    assert_words_in_order(article_words, pdf_text(built.pdf))


def test_a5_pages(built: Built) -> None:
    pages = PdfReader(built.pdf).pages
    assert len(pages) > 5
    for page in pages:
        width, height = float(page.trimbox.width), float(page.trimbox.height)
        assert (round(width / MM), round(height / MM)) == (148, 210)


def test_metadata_and_language(built: Built) -> None:
    reader = PdfReader(built.pdf)
    meta = api.load(ARTICLE_MD).meta
    assert reader.metadata is not None
    assert reader.metadata.title == meta.title
    assert reader.metadata.subject == meta.description
    assert reader.metadata["/CreationDate"] == "D:20261126000000Z"
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_title_page_then_contents_then_text(built: Built) -> None:
    pages = PdfReader(built.pdf).pages
    assert pages[0].extract_text().startswith(api.load(ARTICLE_MD).meta.title)  # and a fleuron
    assert "Sommaire" in pages[2].extract_text()
    # A set line's spaces are no-break spaces but at its end (`setlines.py`): read as spaces.
    texts = [" ".join(page.extract_text().split()) for page in pages]
    first = next(i for i, text in enumerate(texts) if text.startswith("Tu as construit ta carrière"))
    assert first % 2 == 0  # index 4: page 5, a right-hand page


def test_html_output_is_what_weasyprint_renders(built: Built) -> None:
    html = built.html.read_text(encoding="utf-8")
    assert '<html xmlns="http://www.w3.org/1999/xhtml"' in html and 'lang="fr"' in html
    assert "<style>" in html and "@page" in html and "@font-face" in html  # standalone: the stylesheet is inside
    doc = api.typographize(api.load(ARTICLE_MD))
    assert html == book_html(doc)
    # Before its paragraphs are set (`setlines.py`), every block as the XHTML writer writes it.
    greedy = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, line_breaking="greedy"))
    unset = book_html(greedy)
    writer = PrintWriter(doc)
    for block in doc.blocks:  # cut into parts
        assert writer.block(block) in unset
    assert 'class="fl-set"' in html and "fl-set" not in unset


def test_same_input_same_bytes(built: Built, tmp_path: Path) -> None:
    result = fleuron("build", str(ARTICLE_MD), "-o", str(tmp_path), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / built.pdf.name).read_bytes() == built.pdf.read_bytes()


def test_pdf_of_every_construct(tmp_path: Path) -> None:
    (tmp_path / "chat.png").write_bytes(png())
    source = tmp_path / "livre.md"
    source.write_text(
        PROJECT_FRONT
        + "Texte[^a] ![Un chat](chat.png)\n\n| a | b |\n|--|--|\n| 1 | 2 |\n\n```\ncode < 1\n```\n\n[^a]: Une note.\n",
        encoding="utf-8",
    )
    out = tmp_path / "livre.pdf"
    api.write_pdf(api.load(source), out)
    text = pdf_text(out)
    for expected in ("Texte", "code < 1", "Une note."):
        assert expected in text
    reader = PdfReader(out)
    assert any("/XObject" in (page.get("/Resources") or {}) for page in reader.pages)  # the image is in
