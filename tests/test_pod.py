"""Print-on-demand profiles (`writers/pod.py`): the services' figures, and what a build under one gives."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from fleuron.pipeline import load_book
from fleuron.writers import pod
from fleuron.writers.pdf import TRIMS, PrintOptions, Trim

from helpers import PROJECT_FRONT, fleuron, new_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("pages", "inches"),
    [(24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625), (500, 0.625), (501, 0.75), (700, 0.75),
     (701, 0.875), (828, 0.875)],
)  # fmt: skip
def test_kdp_inside_margin_by_page_count(pages: int, inches: float) -> None:
    assert pod.SERVICES["kdp"].inside_margin(pages) == inches


@pytest.mark.parametrize(
    ("pages", "inches"),
    # Lulu's table has no row for 60 pages and two for 400: each takes the wider margin.
    [(32, 0.5), (59, 0.5), (60, 0.625), (150, 0.625), (151, 1.0), (399, 1.0), (400, 1.125), (600, 1.125),
     (601, 1.25), (800, 1.25)],
)  # fmt: skip
def test_lulu_inside_margin_is_the_safety_margin_and_the_gutter_addition(pages: int, inches: float) -> None:
    assert pod.SERVICES["lulu"].inside_margin(pages) == inches


def test_ingramspark_margins_are_half_an_inch_whatever_the_page_count() -> None:
    ingram = pod.SERVICES["ingramspark"]
    assert {ingram.inside_margin(pages) for pages in (18, 400, 1200)} == {0.5} and ingram.outside == 0.5


def test_page_limits_by_paper() -> None:
    kdp, ingram, lulu = (pod.SERVICES[name] for name in ("kdp", "ingramspark", "lulu"))
    assert not pod.page_count_problems(kdp, 800) and not pod.page_count_problems(kdp, 800, "white")
    assert "at most 776 pages" in pod.page_count_problems(kdp, 800, "cream")[0]
    assert "at most 828 pages" in pod.page_count_problems(kdp, 830)[0]
    assert pod.page_count_problems(kdp, 22) and not pod.page_count_problems(kdp, 24)
    assert (
        not pod.page_count_problems(ingram, 1100)
        and "at most 1050" in pod.page_count_problems(ingram, 1100, "cream")[0]
    )
    assert pod.page_count_problems(ingram, 16) and not pod.page_count_problems(ingram, 18)
    assert (
        pod.page_count_problems(lulu, 30)
        and pod.page_count_problems(lulu, 802)
        and not pod.page_count_problems(lulu, 800)
    )


def test_trims_no_stored_page_confirms_are_refused() -> None:
    inch = 25.4

    def trim(width: float, height: float) -> Trim:
        return Trim(width * inch, height * inch, 0, 0, 0, 0, 0)

    assert not pod.SERVICES["ingramspark"].accepts(trim(4, 7))
    assert not any(pod.SERVICES["lulu"].accepts(trim(w, h)) for w, h in ((5, 8), (6.63, 10.25), (7.5, 7.5)))
    assert pod.SERVICES["lulu"].accepts(trim(4.25, 6.87)) and pod.SERVICES["ingramspark"].accepts(trim(4.37, 7))
    assert pod.SERVICES["kdp"].accepts(trim(8.5, 11.69)) and not pod.SERVICES["kdp"].accepts(trim(8.6, 11))


def test_trims_each_service_takes() -> None:
    assert all(service.accepts(TRIMS["6x9in"]) for service in pod.SERVICES.values())
    assert pod.SERVICES["ingramspark"].accepts(TRIMS["a5"]) and pod.SERVICES["lulu"].accepts(TRIMS["a5"])
    assert pod.SERVICES["kdp"].accepts(TRIMS["110x178mm"])  # within KDP's custom range
    assert not pod.SERVICES["lulu"].accepts(TRIMS["110x178mm"])
    assert not pod.SERVICES["ingramspark"].accepts(TRIMS["110x178mm"])
    assert pod.page_count_problems(pod.SERVICES["lulu"], 26) and not pod.page_count_problems(pod.SERVICES["kdp"], 26)


def test_the_book_is_laid_out_again_only_when_the_bracket_widens_the_margin(tmp_path: Path) -> None:
    front = PROJECT_FRONT.replace("---\n\n", "trim: 110x178mm\npod: kdp\n---\n\n")
    source = new_project(tmp_path, front=front)
    doc = load_book([source])
    # 110x178mm has a 13 mm inside margin: KDP's 0.5 in (12.7 mm, 151–300 pages) does not widen it,
    # 0.625 in (15.9 mm, 301–500 pages) does.
    assert pod.settled(doc, PrintOptions(), 200) is None
    again = pod.settled(doc, PrintOptions(), 320)
    assert again is not None and again.pages == 320
    assert pod.settled(doc, again, 330) is None
    trim = pod.geometry(doc, again, TRIMS["110x178mm"], 3.0).trim
    assert trim.inner == pytest.approx(0.625 * 25.4)


@pytest.mark.slow
def test_kdp_bleed_and_no_marks(tmp_path: Path) -> None:
    done = fleuron("build", str(ROOT / "manuscript"), "-o", str(tmp_path), "--format", "pdf", "--pod", "kdp",
                   "--marks")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "refuses crop marks" in done.stderr
    with pikepdf.open(next(tmp_path.glob("*.pdf"))) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            trim, bleed, media = ([float(v) for v in page.obj[box]] for box in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert media == bleed  # no room for marks
            # 0.125 in (9 pt) on the outside, top and bottom; none along the spine: KDP's page is
            # trim + 0.125 in wide (the left edge of a right-hand page, the right of a left-hand one).
            sides = [round(abs(t - b), 2) for t, b in zip(trim, bleed, strict=True)]  # left, bottom, right, top
            assert sides == ([0.0, 9.0, 9.0, 9.0] if number % 2 else [9.0, 9.0, 0.0, 9.0]), (number, sides)
            assert round(media[2] - media[0] - (trim[2] - trim[0]), 2) == 9.0


@pytest.mark.slow
def test_lulu_bleeds_on_all_four_sides(tmp_path: Path) -> None:
    done = fleuron("build", str(ROOT / "manuscript"), "-o", str(tmp_path), "--format", "pdf", "--pod", "lulu")
    assert done.returncode == 0, done.stderr
    with pikepdf.open(next(tmp_path.glob("*.pdf"))) as pdf:
        for page in pdf.pages[:2]:
            trim, bleed = ([float(v) for v in page.obj[box]] for box in ("/TrimBox", "/BleedBox"))
            assert [round(abs(t - b), 2) for t, b in zip(trim, bleed, strict=True)] == [9.0] * 4


@pytest.mark.slow
def test_ingramspark_is_x1a_and_a_refused_trim_lists_the_trims(tmp_path: Path) -> None:
    done = fleuron("build", str(ROOT / "manuscript"), "-o", str(tmp_path), "--format", "pdf", "--pod", "ingramspark")
    assert done.returncode == 0, done.stderr
    with pikepdf.open(next(tmp_path.glob("*.pdf"))) as pdf:
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1a:2003"
    refused = fleuron("build", str(ROOT / "manuscript"), "-o", str(tmp_path / "x"), "--pod", "lulu",
                      "--trim", "110x178mm")  # fmt: skip
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "Lulu does not print a 110×178 mm trim" in refused.stderr and "6×9 in" in refused.stderr
    assert not (tmp_path / "x").exists() or not list((tmp_path / "x").glob("*.pdf"))
