"""The booklet (`--format booklet`, writers/booklet.py): the saddle-stitch order checked by folding
the sheets in a model of paper, then the built booklet read back half-sheet by half-sheet with
poppler's `pdftotext` against the book's own pages, its sheets and its creep read with pikepdf."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from fleuron.writers.booklet import SHEET_HEIGHT, SHEET_WIDTH, creep_shift, saddle_stitch_sides

from helpers import MM, PROJECT_FRONT, fleuron


def folded_reading_order(sides: list[tuple[int | None, int | None]]) -> list[int | None]:
    """The pages as a reader meets them in the folded, stapled stack (sheet 0 outside). Each sheet,
    folded, gives four pages: its front's right half (a recto), what lies behind it when the sheet
    turns about its vertical axis (short-edge flip: the back's left half), and, in the second
    half of the booklet, the back's right half and then the front's left half."""
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    first = [page for front, back in sheets for page in (front[1], back[0])]
    second = [page for front, back in reversed(sheets) for page in (back[1], front[0])]
    return first + second


@pytest.mark.parametrize("pages", [1, 2, 3, 4, 5, 8, 26, 27, 84, 85])
def test_the_folded_sheets_read_in_order(pages: int) -> None:
    sides = saddle_stitch_sides(pages)
    padded = -(-pages // 4) * 4
    assert len(sides) == padded // 2
    assert folded_reading_order(sides) == [*range(pages), *[None] * (padded - pages)]


def test_the_first_sheet_of_eight_pages() -> None:
    assert saddle_stitch_sides(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]


def test_creep_grows_from_none_outside_to_all_of_it_inside() -> None:
    assert creep_shift(0, 5, 2.0) == 0
    assert creep_shift(4, 5, 2.0) == pytest.approx(2.0 * MM)
    assert creep_shift(2, 5, 2.0) == pytest.approx(1.0 * MM)
    assert creep_shift(0, 1, 2.0) == 0


def _project(root: Path, chapters: int) -> Path:
    (root / "manuscript").mkdir(parents=True)
    body = "".join(f"# Partie {n}\n\nMot{n}a mot{n}b mot{n}c, le texte de la partie {n}.\n\n" for n in range(chapters))
    (root / "manuscript" / "livre.md").write_text(PROJECT_FRONT + body, encoding="utf-8")
    return root


def _text(pdf: Path, page: int, crop: tuple[float, float, float, float] | None = None) -> str:
    """The words of one page (1-based), or of a region of it in points (x, y, width, height)."""
    args = ["pdftotext", "-f", str(page), "-l", str(page), "-r", "72"]
    if crop:
        args += ["-x", str(int(crop[0])), "-y", str(int(crop[1])), "-W", str(int(crop[2])), "-H", str(int(crop[3]))]
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.mark.slow
def test_the_booklet_holds_the_books_pages_side_by_side(tmp_path: Path) -> None:
    root = _project(tmp_path, 5)
    done = fleuron("build", "--format", "pdf,booklet", "-q", cwd=root)
    assert done.returncode == 0, done.stderr
    book = root / "dist" / "essai.pdf"
    booklet = root / "dist" / "essai-booklet.pdf"
    with pikepdf.open(book) as pdf:
        pages = len(pdf.pages)
        trim = pdf.pages[0].trimbox
        trim_width = float(trim[2] - trim[0])
    with pikepdf.open(booklet) as pdf:
        sides = len(pdf.pages)
        for page in pdf.pages:
            assert [float(v) for v in page.mediabox] == pytest.approx([0, 0, SHEET_WIDTH, SHEET_HEIGHT], abs=0.01)
    assert pages % 4 != 0  # blank pages were added
    assert sides == -(-pages // 4) * 2
    book_pages = [_text(book, n) for n in range(1, pages + 1)]
    assert sum(bool(t) for t in book_pages) >= 6
    # Each half, cut just inside the fold (the clip is the trim: nothing of a neighbour shows).
    half = SHEET_WIDTH / 2
    for number, (left, right) in enumerate(saddle_stitch_sides(pages), start=1):
        for index, crop in ((left, (0, 0, half - 1, SHEET_HEIGHT)), (right, (half + 1, 0, half - 1, SHEET_HEIGHT))):
            expected = book_pages[index] if index is not None else ""
            assert _text(booklet, number, crop) == expected, (number, index)
    # A book page (A5, narrower than half an A4) stands against the fold, at its full size.
    with pikepdf.open(booklet) as pdf:
        for page in pdf.pages:
            operators = page.Contents.read_bytes().decode()
            for clip in re.finditer(r"([\d.]+) [\d.]+ ([\d.]+) [\d.]+ re W n", operators):
                x, width = float(clip[1]), float(clip[2])
                assert width == pytest.approx(trim_width, abs=0.01)
                assert (x + width if x < half else x) == pytest.approx(half, abs=0.01)


@pytest.mark.slow
def test_creep_moves_the_inner_sheets_pages_towards_the_fold_and_builds_are_identical(tmp_path: Path) -> None:
    root = _project(tmp_path, 9)
    plain = fleuron("build", "--format", "booklet", "-q", "-o", "plain", cwd=root)
    crept = fleuron("build", "--format", "booklet", "-q", "-o", "crept", "--creep", "1.5", cwd=root)
    again = fleuron("build", "--format", "booklet", "-q", "-o", "again", "--creep", "1.5", cwd=root)
    assert plain.returncode == crept.returncode == again.returncode == 0, plain.stderr + crept.stderr
    assert (root / "crept" / "essai-booklet.pdf").read_bytes() == (root / "again" / "essai-booklet.pdf").read_bytes()

    def placements(folder: str) -> list[dict[str, float]]:
        """Each side's pages: where each is drawn (its `cm`'s x), by the half it is clipped to."""
        line = re.compile(r"q (-?[\d.]+) \S+ \S+ \S+ re W n \S+ 0 0 \S+ (-?[\d.]+) \S+ cm")
        with pikepdf.open(root / folder / "essai-booklet.pdf") as pdf:
            found = []
            for page in pdf.pages:
                drawn = line.findall(page.Contents.read_bytes().decode())
                found.append({"left" if float(clip) < SHEET_WIDTH / 2 else "right": float(x) for clip, x in drawn})
            return found

    before, after = placements("plain"), placements("crept")
    sheets = len(before) // 2
    assert sheets >= 3
    for side, (was, now) in enumerate(zip(before, after, strict=True)):
        moved = 1.5 * MM * (side // 2) / (sheets - 1)
        assert was.keys() == now.keys() and was
        if "left" in was:
            assert now["left"] - was["left"] == pytest.approx(moved, abs=0.01)  # to the right, the fold
        if "right" in was:
            assert was["right"] - now["right"] == pytest.approx(moved, abs=0.01)  # to the left
