"""The book laid out by runs of chapters and joined (`writers/chapters.py`, `writers/join.py`),
against WeasyPrint's one-pass layout of the same HTML: the text of every page, the outline,
the structure tree, the links across runs, the fonts, reproducibility, and an edit that lays
out only its run again, with the bytes of a clean build."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from fleuron.model import Paragraph, Text
from fleuron.parallel import Layouts
from fleuron.writers import chapters
from fleuron.writers.layout import Laid, LayoutJob, lay_out
from fleuron.writers.pdf import PrintOptions, book_job
from parts_book import parts_document

from helpers import pdf_fonts, pdf_pages

pytestmark = pytest.mark.slow


@pytest.fixture
def runs_apart(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every part a run of its own, and a cache of the test's own."""
    monkeypatch.setattr(chapters, "RUN_CHARS", 1)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("FLEURON_JOBS", raising=False)
    monkeypatch.delenv("FLEURON_CHAPTERS", raising=False)
    return tmp_path


@pytest.fixture
def layouts() -> Iterator[Layouts]:
    """The layout processes, ended (and their folder removed) after the test."""
    processes = Layouts()
    try:
        yield processes
    finally:
        processes.stop()


def _by_runs(job: LayoutJob, layouts: Layouts) -> tuple[Laid, int]:
    """The book of `job` laid out by runs of chapters, which it must allow."""
    book = chapters.applies(job)
    assert book is not None
    return chapters.lay_out_book(job, book, layouts)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_joined_book_is_the_one_pass_book(runs_apart: Path, layouts: Layouts) -> None:
    doc = parts_document(runs_apart / "manuscript")
    job = book_job(doc)
    book = chapters.applies(job)
    assert book is not None and len(book.runs) >= 4
    joined, laid_out = chapters.lay_out_book(job, book, layouts)
    assert laid_out >= len(book.runs)
    whole = lay_out(job)
    joined_pdf = _write(runs_apart / "joined.pdf", joined.pdf)
    whole_pdf = _write(runs_apart / "whole.pdf", whole.pdf)
    assert pdf_pages(joined_pdf) == pdf_pages(whole_pdf)
    assert joined.page_texts == whole.page_texts

    with pikepdf.open(joined_pdf) as pdf, pikepdf.open(whole_pdf) as one:
        # One outline, with the titles of the one-pass book in the same order.
        def titles(root: pikepdf.Pdf) -> list[str]:
            with root.open_outline() as outline:
                return [str(item.title) for item in outline.root]

        assert titles(pdf) == titles(one)
        # One structure tree; each page's StructParents and each link's StructParent resolve.
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys))
        values = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        document = tree.K[0]
        for page in pdf.pages:
            marked = values[int(page.obj.StructParents)]
            for element in marked:
                assert element.P.objgen == document.objgen or element.P.get("/Type") == "/StructElem"
            for annotation in page.obj.get("/Annots", ()):
                link = values[int(annotation.StructParent)]  # the Link element that holds it
                objects = [k for k in link.K if isinstance(k, pikepdf.Dictionary) and "/Obj" in k]
                assert any(k.Obj.objgen == annotation.objgen for k in objects)
        # Every link's named destination is in the book's names.
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]) for i in range(0, len(names), 2)}
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", ()) if "/Dest" in a]
        assert links and all(str(link.Dest) in dests for link in links)
        assert not any(
            "/A" in a and "fleuron-chapter" in str(a.A.get("/URI", ""))
            for page in pdf.pages
            for a in page.obj.get("/Annots", ())
        )
    # Each font once, within 5 % of the one-pass file's size.
    fonts = [font["name"] for font in pdf_fonts(joined_pdf)]
    assert len(fonts) == len(set(fonts)) == len({font["name"] for font in pdf_fonts(whole_pdf)})
    assert len(joined.pdf) <= 1.05 * len(whole.pdf)


def test_edit_lays_out_its_run_alone_with_the_bytes_of_a_clean_build(runs_apart: Path, layouts: Layouts) -> None:
    doc = parts_document(runs_apart / "manuscript")
    first, _ = _by_runs(book_job(doc), layouts)
    again, laid_out = _by_runs(book_job(doc), layouts)
    assert (again.pdf, laid_out) == (first.pdf, 0)  # reproducible, and nothing laid out again

    # A paragraph of the last chapter's, one word changed: its page count stays.
    last = max(
        i for i, block in enumerate(doc.blocks) if isinstance(block, Paragraph) and "Quatrième" not in str(block)
    )
    block = doc.blocks[last]
    assert isinstance(block, Paragraph)
    edited_block = dataclasses.replace(block, content=(*block.content, Text(" Fin.")))
    edited = dataclasses.replace(doc, blocks=(*doc.blocks[:last], edited_block, *doc.blocks[last + 1 :]))
    book = chapters.split(book_job(edited).html)
    assert book is not None
    incremental, laid_out = chapters.lay_out_book(book_job(edited), book, layouts)
    assert 1 <= laid_out < len(book.runs)

    clean_cache = runs_apart / "clean"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(clean_cache))
        clean, _ = _by_runs(book_job(edited), layouts)
    assert incremental.pdf == clean.pdf
    assert b"Fin." not in first.pdf or incremental.pdf != first.pdf
    with pikepdf.open(io.BytesIO(incremental.pdf)) as pdf:
        assert len(pdf.pages) == len(first.page_texts)


def _page_image(pdf: Path, number: int) -> bytes:
    """The pixels of page `number` of `pdf` drawn by Poppler, in grey at 40 dpi."""
    drawn = subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", str(number), "-l", str(number), str(pdf)],
        capture_output=True,
        check=True,
    )
    return drawn.stdout.split(b"\n", 3)[3]  # after P5, the size and the maximum


def test_blank_pages_between_runs_have_the_crop_marks_of_the_one_pass_book(runs_apart: Path, layouts: Layouts) -> None:
    doc = parts_document(runs_apart / "manuscript")
    job = book_job(doc, PrintOptions(marks=True))
    joined, _ = _by_runs(job, layouts)
    whole = lay_out(job)
    joined_pdf = _write(runs_apart / "joined.pdf", joined.pdf)
    whole_pdf = _write(runs_apart / "whole.pdf", whole.pdf)
    texts = pdf_pages(whole_pdf)
    assert pdf_pages(joined_pdf) == texts
    # The blank pages the join made: between a run's last page and the next one's first.
    book = chapters.split(job.html)
    assert book is not None
    with pikepdf.open(joined_pdf) as pdf:
        made = [n for n, page in enumerate(pdf.pages, 1) if not page.obj.get("/Annots") and not texts[n - 1].strip()]
    assert made
    for number in made:
        image = _page_image(joined_pdf, number)
        assert image == _page_image(whole_pdf, number), f"page {number}"
        assert min(image) < 128, f"page {number} has no marks"
