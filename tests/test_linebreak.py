"""Total-fit line breaking (issue 20): the breaker on small inputs whose best setting is known,
the French rules as constraints, and, on rendered pages of the long novel (bench/novel/), that
WeasyPrint sets the lines chosen and that the French rules hold there; the EPUB untouched."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import fleuron
from fleuron.writers.fonts import BookFonts, book_fonts
from fleuron.writers.linebreak import (
    INFINITY,
    Box,
    Glue,
    Item,
    Params,
    Penalty,
    break_paragraph,
    finish,
    hyphenation_points,
)

from helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from linequality import measure, page_lines

SPACE = Glue(1, 0.5, 1 / 3)


def words(*widths: float, space: Glue = SPACE) -> list[Item]:
    items: list[Item] = []
    for width in widths:
        if items:
            items.append(space)
        items.append(Box(width))
    return finish(items)


def line_widths(items: list[Item], lines: list) -> list[float]:
    return [sum(i.width for i in items[line.start : line.end] if not isinstance(i, Penalty)) for line in lines]


# --- The breaker -------------------------------------------------------------------------


def test_total_fit_on_a_known_paragraph() -> None:
    """A paragraph whose best setting is found by trying them all: the breaker agrees."""
    items = words(3, 4, 2, 5, 3, 4, 2, 6, 3)
    lines = break_paragraph(items, 14, Params(tolerances=(10_000,)))
    assert lines is not None
    assert [line.end for line in lines] == min(_all_settings(items, 14))[1]


def _all_settings(items: list[Item], width: float) -> list[tuple[float, list[int]]]:
    """Every setting's demerits, by brute force (TeX's formula, as the breaker uses)."""
    breaks = [i for i, item in enumerate(items) if isinstance(item, Glue) and isinstance(items[i - 1], Box)]
    final = len(items) - 1
    found = []
    for mask in range(1 << len(breaks)):
        chosen = [b for n, b in enumerate(breaks) if mask >> n & 1] + [final]
        total, start, ok, fits = 0.0, 0, True, [1]  # TeX's paragraph starts "decent"
        for end in chosen:
            segment = items[start:end]
            natural = sum(i.width for i in segment if not isinstance(i, Penalty))
            stretch = sum(i.stretch for i in segment if isinstance(i, Glue))
            shrink = sum(i.shrink for i in segment if isinstance(i, Glue))
            if natural < width:
                ratio = (width - natural) / stretch if stretch else 99.0
            else:
                ratio = (width - natural) / shrink if shrink else (0.0 if natural == width else -9.0)
            if ratio < -1 - 1e-9 or ratio > 4.65:  # a full shrink, less rounding, fits (as in the breaker)
                ok = False
                break
            fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
            total += (10 + 100 * abs(ratio) ** 3) ** 2 + (10_000 if abs(fitness - fits[-1]) > 1 else 0)
            fits.append(fitness)
            start = end + 1
        if ok:
            found.append((total, chosen))
    return found


@given(st.lists(st.integers(1, 9), min_size=2, max_size=9), st.integers(12, 24))
@example([1, 1, 1, 1, 1, 1, 4], 14)  # shrinks by exactly 1: six thirds sum to 1.999…
def test_the_breaker_finds_the_least_demerits(widths: list[int], width: int) -> None:
    items = words(*widths)
    lines = break_paragraph(items, width, Params(tolerances=(10_000,)))
    settings = _all_settings(items, width)
    if not settings:
        assert lines is None
        return
    assert lines is not None
    best = min(total for total, _ in settings)
    chosen = next(total for total, ends in settings if ends == [line.end for line in lines])
    assert chosen == pytest.approx(best)


def test_no_line_is_overfull_or_past_the_tolerance() -> None:
    items = words(*[3, 7, 2, 9, 4, 4, 6, 1, 8, 5, 3, 2, 7] * 3)
    lines = break_paragraph(items, 30, Params(tolerances=(10_000,)))
    assert lines is not None
    assert all(-1 <= line.ratio <= (10_000 / 100) ** (1 / 3) for line in lines)
    assert all(
        width <= 30 + 1e-9 or line.ratio < 0 for width, line in zip(line_widths(items, lines), lines, strict=True)
    )


def test_a_word_wider_than_the_measure_has_no_setting() -> None:
    assert break_paragraph(words(5, 30, 5), 20) is None


def _hyphenated_paragraph() -> list[Item]:
    """Words of 5 that fit 3 to a line only if a hyphenated piece (2 + hyphen) starts the break."""
    items: list[Item] = []
    for _ in range(12):
        if items:
            items.append(Glue(1, 3, 1 / 3))
        items += [Box(3), Penalty(1, 50, flagged=True, discretionary=True), Box(3)]
    return finish(items)


def test_at_most_two_hyphenated_lines_in_a_row() -> None:
    """Hyphens made attractive (a negative penalty): without the rule the breaker sets 3 in a
    row at these widths; with it, never."""

    def runs(lines: list) -> bool:
        flags = [line.hyphenated for line in lines]
        return any(flags[i] and flags[i + 1] and flags[i + 2] for i in range(len(flags) - 2))

    items = _hyphenated_paragraph()
    eager = Params(double_hyphen_demerits=0, hyphen_penalty=-5000, tolerances=(10_000,))
    for width in (11, 12):
        free = break_paragraph(items, width, Params(**{**eager.__dict__, "max_hyphens": 9}))
        assert free is not None and runs(free)
        ruled = break_paragraph(items, width, eager)
        assert ruled is not None and not runs(ruled)


def test_no_hyphen_on_the_last_full_line() -> None:
    items = _hyphenated_paragraph()
    for width in (11, 12, 17.5, 19):
        eager = Params(hyphen_penalty=-5000, tolerances=(10_000,))
        lines = break_paragraph(items, width, eager)
        assert lines is not None
        assert len(lines) < 2 or not lines[-2].hyphenated


def test_the_last_line_at_least_the_indent() -> None:
    items = words(10, 10, 10, 10, 10, 10, 2, space=Glue(1, 4, 1 / 3))
    loose = break_paragraph(items, 32, Params(tolerances=(10_000,)))
    assert loose is not None and line_widths(items, loose)[-1] < 5  # without the rule: "2" alone
    ruled = break_paragraph(items, 32, Params(tolerances=(10_000,), last_line_min=5))
    assert ruled is not None and line_widths(items, ruled)[-1] >= 5


def test_a_forbidden_break_is_never_taken() -> None:
    items = finish([Box(5), Penalty(0, INFINITY), SPACE, Box(5), SPACE, Box(5)])
    lines = break_paragraph(items, 11, Params(tolerances=(10_000,)))
    assert lines is not None
    assert lines[0].end != 2


# --- French hyphenation --------------------------------------------------------------------


def _pyphen(word: str) -> list[int]:
    import pyphen

    return list(pyphen.Pyphen(lang="fr").positions(word.lower()))


@pytest.mark.parametrize(
    ("word", "start", "expected"),
    [
        ("table", False, []),  # 5 letters: never broken
        ("Passepartout", False, []),  # a proper noun
        ("Passepartout", True, None),  # a capital at a sentence's start: a common word
        ("PHILEAS", True, []),  # capitals
        ("réciproquement", False, None),
    ],
)
def test_french_hyphenation_rules(word: str, start: bool, expected: list[int] | None) -> None:
    points = hyphenation_points(word, _pyphen, start)
    if expected is not None:
        assert points == expected
    else:
        assert points
    for point in points:
        assert point >= 2 and len(word) - point >= 3


def test_no_break_after_a_one_letter_syllable() -> None:
    # A dictionary that cuts é-co-no-mie: é (one letter) is never left before a break, nor
    # is any one-letter syllable in the middle.
    points = hyphenation_points("économies", lambda w: [1, 3, 4, 6], False)
    assert points == [3, 6] or points == [3]
    assert 4 not in points and 1 not in points


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçôû", min_size=0, max_size=20))
def test_hyphenation_minimums_hold_for_any_word(word: str) -> None:
    points = hyphenation_points(word, _pyphen, False)
    assert all(2 <= point <= len(word) - 3 for point in points)
    assert len(word) > 5 or not points


# --- Rendered pages --------------------------------------------------------------------------

NOVEL = ROOT / "bench" / "novel"


@pytest.fixture(scope="module")
def set_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """Five chapters of the novel, the book laid out with its paragraphs set, and the setter's
    report (the greedy HTML set again, as `book_html` sets it, to read the lines chosen)."""
    import dataclasses

    from fleuron.writers.fonts import book_fonts
    from fleuron.writers.layout import lay_out
    from fleuron.writers.pdf import TRIMS, book_html, book_job
    from fleuron.writers.setlines import frame, set_lines_report

    sources = sorted((NOVEL / "chapitres").glob("*.md"))[:5]
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in sources)
    doc = fleuron.typographize(fleuron.parse(text))
    greedy = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, line_breaking="greedy"))
    a5 = TRIMS["a5"]
    html, report = set_lines_report(book_html(greedy), book_fonts(doc), "book", frame(108, a5.font_size, True))
    assert html == book_html(doc)  # what the build lays out
    out = tmp_path_factory.mktemp("linebreak") / "book.pdf"
    out.write_bytes(lay_out(book_job(doc, html=html)).pdf)
    return out, report


def chosen(report: object) -> list[list[str]]:
    """The lines the setter chose, paragraph by paragraph, as pdftotext reads them."""
    return [[" ".join(line.split()) for line in lines] for lines in report.texts]  # type: ignore[attr-defined]


@pytest.mark.slow
def test_weasyprint_sets_the_lines_chosen(set_book: tuple[Path, object]) -> None:
    """Every set line comes out as computed: the text between two breaks is one line of the
    page, none is wrapped again (no line holds a lone word that its line lost), the chapters'
    first lines in small capitals too."""
    pdf, report = set_book
    assert report.set >= 0.95 * report.paragraphs  # type: ignore[attr-defined]
    lines = {line for paragraph in chosen(report) for line in paragraph}
    printed = {" ".join(w for _, _, w in line.words) for lines in page_lines(pdf) for line in lines}
    missing = [line for line in lines if line not in printed]
    assert len(lines) > 200
    assert missing == []


@pytest.mark.slow
def test_the_french_rules_hold_on_the_pages(set_book: tuple[Path, object]) -> None:
    """On the printed lines of the set paragraphs (the test above checks they are the ones
    chosen): no 3 hyphenated lines in a row, no hyphen on a last full line, no word of 5
    letters or fewer broken, no last line shorter than the indent; and on the pages, no
    widow and no orphan (WeasyPrint's `widows: 2; orphans: 2`, kept by set paragraphs), no
    run of 3 hyphens on the pages."""
    pdf, report = set_book
    hyphens = ("‐", "-")
    for lines in chosen(report):
        flags = [line.endswith(hyphens) for line in lines]
        assert not any(flags[i] and flags[i + 1] and flags[i + 2] for i in range(len(flags) - 2)), lines
        assert len(lines) < 2 or not flags[-2], lines
        for line in lines[:-1]:
            if line.endswith("‐"):
                broken = line.rstrip("‐").split(" ")[-1].split("’")[-1]
                assert sum(c.isalpha() for c in broken) >= 2, line
        assert len(lines[-1]) >= 2, lines
    quality = measure(pdf)
    assert quality.lines > 500
    assert quality.widows == 0, quality.examples
    assert quality.runs_of_3 == 0, quality.examples
    # 5 chapters (about 700 lines) vary around the whole novel's figure (bench: under 10 %).
    assert quality.hyphenated / quality.lines <= 0.12


def test_the_frame_from_the_geometry_is_weasyprints(tmp_path: Path) -> None:
    """The frame `pdf.py` computes from the trim (no WeasyPrint) is the one a probe of
    WeasyPrint reads with the same stylesheets: book and handout."""
    import dataclasses

    from fleuron.writers.fonts import book_fonts
    from fleuron.writers.pdf import HANDOUT_TEXT, TRIMS, book_html, handout_html
    from fleuron.writers.setlines import frame, probe

    doc = fleuron.parse("---\nline_breaking: greedy\n---\n\n# Titre\n\nUn paragraphe.\n\nUn autre.\n")
    fonts = book_fonts(doc)
    for name, trim in TRIMS.items():
        html = book_html(dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, trim=name)))
        head = html[html.index("<head>") : html.index("</head>") + len("</head>")]
        probed, computed = probe(head, fonts, "book"), frame(trim.width - trim.inner - trim.outer, trim.font_size, True)
        assert probed is not None
        assert _same(probed, computed), name
    html = handout_html(doc)
    head = html[html.index("<head>") : html.index("</head>") + len("</head>")]
    probed = probe(head, fonts, "handout")
    assert probed is not None
    assert _same(probed, frame(*HANDOUT_TEXT, False))


def _same(a: object, b: object) -> bool:
    import dataclasses

    left, right = dataclasses.asdict(a), dataclasses.asdict(b)  # type: ignore[call-overload]
    for key in left:
        if isinstance(left[key], float):
            assert left[key] == pytest.approx(right[key], abs=0.01), key
        else:
            assert left[key] == right[key], key
    return True


def test_line_breaking_greedy_turns_it_off() -> None:
    """Total fit is the default for the book and the handout; `line_breaking: greedy` leaves
    every paragraph to WeasyPrint; another word is refused."""
    from fleuron.errors import FleuronError
    from fleuron.writers.pdf import book_html, handout_html

    text = "Un paragraphe assez long pour être composé, avec des mots qui vont et viennent.\n"
    doc = fleuron.parse("# Titre\n\n" + text)
    greedy = fleuron.parse("---\nline_breaking: greedy\n---\n\n# Titre\n\n" + text)
    assert 'class="fl-set"' in book_html(doc) and 'class="fl-set"' in handout_html(doc)
    assert "fl-set" not in book_html(greedy) and "fl-set" not in handout_html(greedy)
    with pytest.raises(FleuronError, match="line_breaking"):
        fleuron.parse("---\nline_breaking: tex\n---\n\nTexte.\n")


def test_elements_cut_by_a_break_keep_their_ids_once() -> None:
    """An emphasis cut by a line's span is closed and opened again, its `id` on its first
    piece only; the text is unchanged, its spaces ordinary ones (no written hyphen here)."""
    import re

    from fleuron.writers.fonts import book_fonts
    from fleuron.writers.setlines import frame, set_lines_report

    words = " ".join(["mot"] * 30)
    body = f'<p>Début <em id="x">{words} {words}</em> fin.</p>' * 3
    html = f'<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body><main>{body}</main></body></html>'
    out, report = set_lines_report(html, book_fonts(fleuron.parse("x")), "book", frame(60, 11, False))
    assert report.set == 3
    assert out.count('id="x"') == 3
    text = re.sub("<[^>]+>", "", out[out.index("<main>") :])
    assert text == re.sub("<[^>]+>", "", body)


@pytest.mark.slow
def test_the_epub_is_untouched(tmp_path: Path) -> None:
    """The reader reflows the EPUB: none of the setter's breaks or spacing reach it."""
    source = sorted((NOVEL / "chapitres").glob("*.md"))[0]
    out = tmp_path / "out"
    fleuron.build(str(source), str(out), ["epub"])
    from helpers import Epub

    epub = Epub(next(out.glob("*.epub")))
    text = "".join(epub.zip.read(name).decode() for name in epub.zip.namelist() if name.endswith(".xhtml"))
    assert "fl-set" not in text and "fl-s" not in text


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàç’", min_size=1, max_size=14)
#: Ordinary spaces mostly, and the typography's no-break and narrow no-break spaces.
_SPACE = st.sampled_from([" ", " ", " ", " ", "\u00a0", "\u202f"])


@functools.cache
def _fonts() -> BookFonts:
    return book_fonts(fleuron.parse("x"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_WORD, _SPACE), min_size=12, max_size=60))
def test_the_set_text_keeps_its_characters(pairs: list[tuple[str, str]]) -> None:
    """The lines are fixed by spans, not by changing the text: a set paragraph's text is the
    source's, its ordinary spaces ordinary and the typography's no-break spaces where they
    were, with nothing added but the hyphens written at the chosen breaks."""
    import re

    from fleuron.writers.setlines import frame, set_lines_report

    source = "".join(word + space for word, space in pairs).strip(" \u00a0\u202f") + "."
    body = f"<main><p>{source}</p></main>"
    html = f'<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body>{body}</body></html>'
    out, report = set_lines_report(html, _fonts(), "book", frame(60, 11, False))
    if not report.set:
        return
    paragraph = out[out.index("<main>") : out.index("</main>")]
    assert paragraph.count('<span class="l') == report.lines
    assert re.sub("<[^>]+>", "", paragraph.replace("\u2010</span>", "</span>")) == source
