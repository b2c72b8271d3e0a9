"""The A4 handout, read back: paper size, no bleed, "n / N" on every page, no blank page, the
title block first, the book's one family, every word, and the same bytes twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import fleuron as api

from helpers import ARTICLE_MD, MM, SLUG, assert_words_in_order, fleuron, pdf_fonts, pdf_pages, pdf_text

pytestmark = pytest.mark.slow  # every test reads the handout WeasyPrint lays out


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article's handout, built once by the CLI."""
    out = tmp_path_factory.mktemp("handout")
    result = fleuron("build", str(ARTICLE_MD), "-o", str(out), "--format", "handout")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".pdf") == [f"{SLUG}-handout.pdf"]
    return out / f"{SLUG}-handout.pdf"


def test_a4_without_bleed(handout: Path) -> None:
    for page in PdfReader(handout).pages:
        media = tuple(round(float(v) / MM, 1) for v in page.mediabox)
        assert (media[2] - media[0], media[3] - media[1]) == (210.0, 297.0)
        assert page.trimbox == page.mediabox and page.bleedbox == page.mediabox


def test_page_numbers_n_of_total_and_no_blank_page(handout: Path) -> None:
    pages = PdfReader(handout).pages
    assert len(pages) > 2
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        assert lines[-1] == f"{number} / {len(pages)}"
        assert len(lines) > 10  # text on every page, not only its number


def test_title_block_first(handout: Path) -> None:
    meta = api.load(ARTICLE_MD).meta
    first = re.sub(r"\s+", " ", pdf_pages(handout)[0])
    assert first.strip().startswith(meta.title)
    assert "26 novembre 2026" in first
    assert first.index("26 novembre 2026") < first.index("Tu as construit ta carrière")


def test_the_book_family_only(handout: Path) -> None:
    for font in pdf_fonts(handout):
        assert font["name"].partition("+")[2].startswith("Linux-Libertine"), font
        assert font["emb"] == font["sub"] == "yes", font


def test_every_word_in_order(handout: Path, article_words: list[str]) -> None:
    assert_words_in_order(article_words, pdf_text(handout))


def test_tagged_with_language_and_title(handout: Path) -> None:
    reader = PdfReader(handout)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr" and "/StructTreeRoot" in root
    assert reader.metadata is not None and reader.metadata.title == api.load(ARTICLE_MD).meta.title
    assert [item.title for item in reader.outline if not isinstance(item, list)][1].startswith("1. Le dilemme")


def test_same_input_same_bytes(handout: Path, tmp_path: Path) -> None:
    result = fleuron("build", str(ARTICLE_MD), "-o", str(tmp_path), "--format", "handout")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / handout.name).read_bytes() == handout.read_bytes()
