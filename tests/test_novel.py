"""A real book that no one here wrote, end to end: Verne's *Le Tour du monde en quatre-vingts
jours* (bench/novel/, 37 chapter files, made by bench/make_novel.py from Project Gutenberg's
text) built as an EPUB and a book PDF, read back as EPUBCheck, a PDF reader and a reading
app would. The book is long: it is built twice in all (the second time in one process, with
nothing cached), and every test reads those two builds."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import ROOT, Epub, assert_words_in_order, epubcheck, fleuron, pdf_pages, words

NOVEL = ROOT / "bench" / "novel"
SLUG = "tour-du-monde"


@dataclass(frozen=True)
class Novel:
    first: Path
    second: Path

    def file(self, extension: str, build: Path | None = None) -> Path:
        return (build or self.first) / f"{SLUG}.{extension}"


@pytest.fixture(scope="module")
def novel(tmp_path_factory: pytest.TempPathFactory) -> Novel:
    """The novel built twice from scratch, each with a cache of its own: as usual (the book laid
    out in a second process), then all in one process (FLEURON_JOBS=1)."""
    builds = []
    for jobs in ("2", "1"):
        out = tmp_path_factory.mktemp("novel")
        env = {"XDG_CACHE_HOME": str(out / "cache"), "FLEURON_JOBS": jobs}
        result = fleuron("build", str(NOVEL), "-o", str(out / "dist"), "--format", "epub,pdf", env=env)
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr.lower(), result.stderr
        builds.append(out / "dist")
    return Novel(*builds)


def chapters() -> list[str]:
    """Each chapter file's Markdown text, in the book's order (`fleuron.toml`'s sources), without
    the first one's front matter."""
    config = tomllib.loads((NOVEL / "fleuron.toml").read_text(encoding="utf-8"))
    texts = [(NOVEL / name).read_text(encoding="utf-8") for name in config["book"]["sources"]]
    return [texts[0].split("\n---\n", 1)[1], *texts[1:]]


def headings() -> list[str]:
    """The chapter headings as the Markdown writes them, read line by line (not by Fleuron)."""
    return [line[2:] for text in chapters() for line in text.splitlines() if line.startswith("# ")]


def normalised(text: str) -> list[str]:
    """Words, lower-case, with a number's groups joined (`100000` and `100 000` are one word)
    and the typography's apostrophes, dashes and spaces out of the way."""
    return words(re.sub(r"(?<=\d)\s+(?=\d)", "", text).lower().replace("_", " "))


def manuscript_text(notes: bool) -> str:
    """The text of the manuscript without its Markdown: front matter, heading and quotation
    marks, escapes, hard breaks (`_` emphasis goes in `normalised`); the notes' definitions
    only with `notes`."""
    paragraphs = []
    for text in chapters():
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("[^") and not notes:
                continue
            paragraph = re.sub(r"^(#|>|\[\^\d+\]:) ?", "", paragraph, flags=re.MULTILINE)
            paragraph = re.sub(r"\[\^\d+\]", "", paragraph)  # note calls: numbers in the outputs
            paragraphs.append(re.sub(r"\\(.)", r"\1", paragraph).replace("\\", ""))
    return "\n".join(paragraphs)


def test_the_novel_is_a_long_book_of_many_chapters() -> None:
    # What the other tests stand on: bench/make_novel.py made 37 chapters of text, not stubs.
    assert len(chapters()) == 37
    assert len(headings()) == 37
    assert len(normalised(manuscript_text(notes=True))) > 60_000


@pytest.mark.slow
def test_epubcheck_accepts_the_novel_without_any_message(novel: Novel) -> None:
    assert epubcheck(novel.file("epub")) == []


@pytest.mark.slow
def test_no_word_of_the_manuscript_lost_in_the_epub(novel: Novel) -> None:
    book = normalised(Epub(novel.file("epub")).text(note_calls=False))
    assert_words_in_order(normalised(manuscript_text(notes=False)), " ".join(book))
    missing = Counter(normalised(manuscript_text(notes=True))) - Counter(book)
    assert not missing, f"words missing from the EPUB: {sorted(missing.items())[:20]}"


@pytest.mark.slow
def test_the_page_count_follows_the_length_of_the_text(novel: Novel) -> None:
    # An A5 page of 11 pt text holds 180 to 300 words; every chapter opens on a right-hand page.
    pages = len(PdfReader(novel.file("pdf")).pages)
    count = len(normalised(manuscript_text(notes=True)))
    assert count / 300 + len(headings()) / 2 <= pages <= count / 180 + len(headings()) * 2, (pages, count)


@pytest.mark.slow
def test_every_chapter_is_a_bookmark_of_the_pdf_in_order(novel: Novel) -> None:
    outline = PdfReader(novel.file("pdf")).outline
    titles = [normalised(entry.title or "") for entry in outline if not isinstance(entry, list)]
    expected = [normalised(heading) for heading in headings()]
    found = iter(titles)
    missing = [heading for heading in expected if heading not in found]  # `in` consumes: in order
    assert not missing, f"chapters not in the outline, or out of order: {missing[:3]}"


@pytest.mark.slow
def test_two_builds_give_the_same_bytes(novel: Novel) -> None:
    assert novel.file("epub").read_bytes() == novel.file("epub", novel.second).read_bytes()
    # The book laid out by runs of chapters (`writers/chapters.py`) and in one pass: the same
    # text on every page (folios, heads, contents); the bytes of a clean build of each way
    # are compared in tests/test_chapters.py.
    assert pdf_pages(novel.file("pdf")) == pdf_pages(novel.file("pdf", novel.second))
