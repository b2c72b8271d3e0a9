"""The printed book's full cover (`--format cover`, writers/print_cover.py), read back as a print
shop would: its boxes against the spine's formula (pikepdf), where its text stands and which way
the spine reads (poppler's `pdftotext -bbox`), the barcode read by zbar's `zbarimg` from a 300 dpi
rendering (poppler's `pdftoppm`)."""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from fleuron.writers.print_cover import (
    PAPER_INCHES_PER_PAGE,
    SAFETY_MM,
    SPINE_FOLD_MM,
    SPINE_TEXT_PAGES,
    page_thickness_mm,
)

from helpers import MM, fleuron, pdf_text, png

FRONT = """---
title: "Le Rivage des Syrtes"
subtitle: "Roman d'une attente"
author: "Julien Gracq"
publisher: "Éditions Fleuron"
lang: {lang}
date: 2026-03-01
isbn: "978-2-07-036002-4"
price: "12,50 €"
{extra}back_cover: |
  Aldo, jeune aristocrate d'Orsenna, est envoyé sur le rivage des Syrtes, face au Farghestan avec lequel
  la Seigneurie est en guerre depuis trois siècles : une guerre que personne ne fait plus.

  Dans cette attente, quelque chose cherche à se produire.
---

"""


def book(root: Path, chapters: int, lang: str = "fr", extra: str = "") -> Path:
    """A project whose book has about 2 pages a chapter (each opens on a right-hand page)."""
    (root / "manuscript").mkdir(parents=True)
    body = "".join(
        f"# Chapitre {n}\n\nLe texte du chapitre {n} commence ici ; il est court.\n\n" for n in range(chapters)
    )
    (root / "manuscript" / "livre.md").write_text(FRONT.format(lang=lang, extra=extra) + body, encoding="utf-8")
    return root


@dataclass
class Cover:
    path: Path
    pages: int  # the book's, read from the book's own PDF
    trim: tuple[float, float]  # the book's trimmed page (mm)


def build_cover(root: Path, *flags: str) -> Cover:
    done = fleuron("build", "--format", "pdf,cover", "-q", *flags, cwd=root)
    assert done.returncode == 0, done.stderr
    dist = root / "dist"
    (book_pdf,) = [p for p in dist.glob("*.pdf") if not p.name.endswith("-cover.pdf")]
    (cover,) = dist.glob("*-cover.pdf")
    with pikepdf.open(book_pdf) as pdf:
        left, bottom, right, top = (float(v) for v in pdf.pages[0].trimbox)
        return Cover(cover, len(pdf.pages), ((right - left) / MM, (top - bottom) / MM))


def boxes(path: Path) -> dict[str, list[float]]:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        return {name: [float(v) for v in page.obj[f"/{name}"]] for name in ("MediaBox", "TrimBox", "BleedBox")}


@dataclass
class Word:
    text: str
    left: float  # mm from the trim's left edge
    right: float
    top: float  # mm from the trim's top edge
    bottom: float


def words(path: Path) -> list[Word]:
    """Every word's box, in mm from the trimmed cover's top left corner, in poppler's reading order."""
    media, trim = boxes(path)["MediaBox"], boxes(path)["TrimBox"]
    dx, dy = trim[0] - media[0], media[3] - trim[3]
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    for x0, y0, x1, y1, text in re.findall(pattern, out):
        found.append(
            Word(text, (float(x0) - dx) / MM, (float(x1) - dx) / MM, (float(y0) - dy) / MM, (float(y1) - dy) / MM)
        )
    return found


def spine_width(pages: int, paper: str) -> float:
    return pages * PAPER_INCHES_PER_PAGE[paper] * 25.4


def test_a_pages_thickness() -> None:
    assert page_thickness_mm("") == page_thickness_mm("white") == pytest.approx(0.0572008)
    assert page_thickness_mm("cream") == pytest.approx(0.0635)
    assert page_thickness_mm("cream", 0.07) == 0.07


@pytest.mark.slow
@pytest.mark.parametrize(
    ("paper", "trim", "pod", "bleed"),
    [("white", "a5", "", 3.0), ("cream", "6x9in", "", 3.0), ("white", "6x9in", "kdp", 3.175)],
)
def test_the_covers_size_follows_the_page_count_and_the_paper(
    tmp_path: Path, paper: str, trim: str, pod: str, bleed: float
) -> None:
    cover = build_cover(book(tmp_path, 45, extra=f"paper: {paper}\ntrim: {trim}\n" + (f"pod: {pod}\n" if pod else "")))
    assert cover.pages >= SPINE_TEXT_PAGES
    found = boxes(cover.path)
    width, height = cover.trim
    trim_box = found["TrimBox"]
    assert (trim_box[2] - trim_box[0]) / MM == pytest.approx(2 * width + spine_width(cover.pages, paper), abs=0.01)
    assert (trim_box[3] - trim_box[1]) / MM == pytest.approx(height, abs=0.01)
    # The book's bleed (3 mm, KDP's 0.125 in) on every side, in the BleedBox and the MediaBox.
    for name in ("BleedBox", "MediaBox"):
        grown = [a - b for a, b in zip(found[name], trim_box, strict=True)]
        assert [v / MM for v in grown] == pytest.approx([-bleed, -bleed, bleed, bleed], abs=0.01)


@pytest.mark.slow
def test_the_papers_caliper_overrides_the_papers_figure(tmp_path: Path) -> None:
    cover = build_cover(book(tmp_path, 10, extra="paper: cream\npaper_caliper_mm: 0.1\n"))
    trim_box = boxes(cover.path)["TrimBox"]
    assert (trim_box[2] - trim_box[0]) / MM == pytest.approx(2 * cover.trim[0] + cover.pages * 0.1, abs=0.01)


def _check_clearances(cover: Cover, spine_words: list[Word], others: list[Word]) -> None:
    width, height = cover.trim
    total = (boxes(cover.path)["TrimBox"][2] - boxes(cover.path)["TrimBox"][0]) / MM
    folds = (width, total - width)
    eps = 0.01
    for word in [*spine_words, *others]:
        assert word.top >= SAFETY_MM - eps and word.bottom <= height - SAFETY_MM + eps, word
        assert word.left >= SAFETY_MM - eps and word.right <= total - SAFETY_MM + eps, word
    for word in others:  # 6.35 mm from either fold, on the side it stands
        assert word.right <= folds[0] - SAFETY_MM + eps or word.left >= folds[1] + SAFETY_MM - eps, word
    for word in spine_words:
        assert word.left >= folds[0] + SPINE_FOLD_MM - eps and word.right <= folds[1] - SPINE_FOLD_MM + eps, word


def _split(cover: Cover, found: list[Word]) -> tuple[list[Word], list[Word]]:
    width = cover.trim[0]
    spine = [w for w in found if width < (w.left + w.right) / 2 < width + spine_width(cover.pages, "white")]
    return spine, [w for w in found if w not in spine]


@pytest.mark.slow
def test_a_french_cover_front_spine_and_back(tmp_path: Path) -> None:
    cover = build_cover(book(tmp_path, 45))
    found = words(cover.path)
    spine, others = _split(cover, found)
    _check_clearances(cover, spine, others)
    # The spine: the title, then the author, reading from the foot up (each word above the last).
    assert " ".join(w.text for w in spine) == "Le Rivage des Syrtes Julien Gracq"
    assert all(b.bottom <= a.top + 0.01 for a, b in itertools.pairwise(spine))
    text = " ".join(w.text for w in others)
    # The front: title, subtitle, author and publisher, right of the spine.
    # (Letter-spaced small capitals may come out as several words: compared without spaces.)
    front = "".join(w.text for w in others if w.left > cover.trim[0])
    for expected in ("Le Rivage des Syrtes", "Roman d’une attente", "Julien Gracq", "Éditions Fleuron"):
        assert expected.replace(" ", "") in front
    # The back: the blurb (typographized: a no-break space before the colon), the
    # price, the ISBN hyphenated by its ranges.
    back = [w for w in others if w.right < cover.trim[0]]
    assert "Aldo," in [w.text for w in back] and "personne" in text
    assert "ISBN 978-2-07-036002-4" in " ".join(w.text for w in back)
    assert "12,50" in [w.text for w in back]
    assert re.search("siècles[\u00a0\u202f]:", pdf_text(cover.path))  # pypdf keeps the spaces as they are


@pytest.mark.slow
def test_an_english_spine_reads_from_the_head_down(tmp_path: Path) -> None:
    cover = build_cover(book(tmp_path, 45, lang="en"))
    spine, others = _split(cover, words(cover.path))
    _check_clearances(cover, spine, others)
    assert " ".join(w.text for w in spine) == "Le Rivage des Syrtes Julien Gracq"
    assert all(b.top >= a.bottom - 0.01 for a, b in itertools.pairwise(spine))


@pytest.mark.slow
def test_a_thin_books_spine_is_blank(tmp_path: Path) -> None:
    cover = build_cover(book(tmp_path, 8))
    assert cover.pages < SPINE_TEXT_PAGES
    spine, others = _split(cover, words(cover.path))
    assert spine == []
    _check_clearances(cover, spine, others)
    assert "Rivage" in [w.text for w in others]


@pytest.mark.slow
def test_zbar_reads_the_isbn_from_the_printed_cover(tmp_path: Path) -> None:
    cover = build_cover(book(tmp_path, 8))
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(cover.path), str(tmp_path / "cover")], check=True)
    (picture,) = tmp_path.glob("cover*.png")
    read = subprocess.run(["zbarimg", "--quiet", str(picture)], capture_output=True, text=True)
    assert read.stdout.split() == ["EAN-13:9782070360024"]
    # Vector bars: the page holds no image but the barcode's rectangles.
    with pikepdf.open(cover.path) as pdf:
        assert not pdf.pages[0].get_images()


@pytest.mark.slow
def test_the_cover_image_fills_the_front_and_its_bleed(tmp_path: Path) -> None:
    root = book(tmp_path, 8, extra="cover: art.png\n")
    (root / "manuscript" / "art.png").write_bytes(png(60, 90, (30, 60, 120)))
    cover = build_cover(root)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(cover.path), str(tmp_path / "cover")], check=True)
    from PIL import Image

    (picture,) = tmp_path.glob("cover*.png")
    image = Image.open(picture).convert("RGB")
    found = boxes(cover.path)
    scale = image.width / ((found["MediaBox"][2] - found["MediaBox"][0]) / MM)  # px per mm
    bleed = 3
    fold = bleed + cover.trim[0] + spine_width(cover.pages, "white")
    # The front's corners, in the bleed, are the image's colour; the back's are the paper's.
    for x, y in (
        (fold + 2, 0.5),
        (image.width / scale - 0.5, 0.5),
        (image.width / scale - 0.5, image.height / scale - 0.5),
    ):
        assert image.getpixel((int(x * scale), int(y * scale))) == pytest.approx((30, 60, 120), abs=3)
    assert image.getpixel((2, 2)) != image.getpixel((image.width - 2, 2))


def test_a_wrong_check_digit_names_the_right_one(tmp_path: Path) -> None:
    root = book(tmp_path, 2)
    source = root / "manuscript" / "livre.md"
    source.write_text(source.read_text(encoding="utf-8").replace("036002-4", "036002-5"), encoding="utf-8")
    done = fleuron("build", "--format", "cover", cwd=root)
    assert done.returncode == 1
    assert "livre.md" in done.stderr and "check digit" in done.stderr and " 4" in done.stderr
    assert "Traceback" not in done.stderr and not (root / "dist").exists()


@pytest.mark.slow
def test_the_cover_is_reproducible(tmp_path: Path) -> None:
    first = build_cover(book(tmp_path / "a", 8)).path.read_bytes()
    second = build_cover(book(tmp_path / "b", 8)).path.read_bytes()
    assert first == second


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "extra", "variant"),
    [(("--pdf-variant", "pdf/x-4"), "", "pdf/x-4"), ((), "trim: 6x9in\npod: ingramspark\n", "pdf/x-1a")],
)
def test_the_cover_follows_the_books_pdfx_variant(
    tmp_path: Path, flags: tuple[str, ...], extra: str, variant: str
) -> None:
    from fleuron.writers import pdfx

    cover = build_cover(book(tmp_path, 8, extra=extra), *flags)
    with pikepdf.open(cover.path) as pdf:
        assert pdfx.check(pdf, variant) == []
        (intent,) = pdf.Root.OutputIntents
        assert intent.OutputConditionIdentifier == pdfx.OUTPUT_CONDITION.identifier
        assert not list(pdfx.page_problems(pdf.pages[0], variant))  # no RGB left: paper, ink, accent, bars
    book_pdf = next(p for p in cover.path.parent.glob("*.pdf") if p != cover.path)
    with pikepdf.open(book_pdf) as pdf:
        assert pdfx.check(pdf, variant) == []
