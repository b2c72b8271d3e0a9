"""A note too long for the foot of its page runs onto the next page(s) (issue 15,
`writers/notesplit.py`): its first lines at the foot of the calling page, under the text, the
rest at the foot of the next page(s) without a number, nothing lost or repeated; the other notes
stay at the foot of the page that calls them; two builds give the same bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from fleuron.writers.notesplit import HYPHEN, split_note

from helpers import fleuron, pdf_pages

FILLER = (
    "La mer monte sur la grève à une vitesse que les anciens comparaient à celle d’un cheval au galop, "
    "et les pêcheurs attendent le reflux pour gagner les parcs où sèchent les filets. "
)
#: Longer than the room left under its call (two paragraphs, emphasis running over the cut).
LONG = " ".join(f"Phrase {i} de la longue note, qui parle des marées et des *vents du large*." for i in range(1, 15))
LONG_2 = "Un second paragraphe de la longue note, pour voir l’alinéa qui la continue."
#: Longer than a whole page.
HUGE = " ".join(f"Mot {i} d’une note immense, plus longue qu’une page, que le lecteur suit." for i in range(1, 70))
SHORT = {"a": "Vers six heures, en été.", "courte": "Une note courte.", "z": "La dernière note du chapitre."}
MANUSCRIPT = f"""---
title: Notes longues
lang: fr
identifier: "urn:x:notes-longues"
date: 2026-01-01
---

# Le port

{FILLER * 3} Une première[^a] note.

{FILLER}

{FILLER * 2} Un appel ici[^longue] et le texte continue. {FILLER * 2}

{FILLER * 3} Une courte[^courte] encore.

{FILLER * 4}

{FILLER * 3} Et l’immense[^immense] commence ici.

{FILLER * 6}

{FILLER * 6}

Une dernière[^z] note.

[^a]: {SHORT["a"]}
[^longue]: {LONG}

    {LONG_2}
[^courte]: {SHORT["courte"]}
[^immense]: {HUGE}
[^z]: {SHORT["z"]}
"""
#: The notes in the order they are called, as the reader sees them (emphasis marks gone).
NOTES = [SHORT["a"], LONG.replace("*", "") + LONG_2, SHORT["courte"], HUGE, SHORT["z"]]
NOTE_SIZE = 11 * 0.84  # the book's type, A5 (`pdf.TRIMS`), by the notes' scale (`text.css`)


def _bare(text: str) -> str:
    """Text without spaces nor the hyphens WeasyPrint adds at line ends."""
    return "".join(c for c in text if not c.isspace() and c != "\u2010")


def note_texts(pdf: Path) -> list[str]:
    """The text set in the notes' size on each page, in reading order."""
    pages = []
    for page in PdfReader(pdf).pages:
        runs: list[str] = []

        def visit(
            text: str, cm: list[float], tm: list[float], font: object, size: float, runs: list[str] = runs
        ) -> None:
            # The calls in the text are set as small, but are figures alone.
            if abs(size * tm[0] * cm[0] - NOTE_SIZE) < 0.05 and not text.strip().isdigit():
                runs.append(text)

        page.extract_text(visitor_text=visit)
        pages.append("".join(runs))
    return pages


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("long-notes")
    (root / "livre").mkdir()
    (root / "livre" / "livre.md").write_text(MANUSCRIPT, encoding="utf-8")
    outputs = []
    for name in ("un", "deux"):
        done = fleuron("build", str(root / "livre"), "-o", str(root / name), "--format", "pdf")
        assert done.returncode == 0, done.stderr
        outputs.append(root / name / "notes-longues.pdf")
    return outputs[0], outputs[1]


def read_back(pdf: Path, call: str) -> tuple[list[str], list[str], int]:
    """Each page's text, each page's notes, and the page (from 0) whose text says `call`."""
    pages = pdf_pages(pdf)
    (calling,) = [n for n, page in enumerate(pages) if _bare(call) in _bare(page)]
    return pages, note_texts(pdf), calling


@pytest.mark.slow
def test_a_long_note_starts_under_its_call_and_runs_onto_the_next_page(built: tuple[Path, Path]) -> None:
    pages, notes, calling = read_back(built[0], "Un appel ici")
    # The first lines at the foot of the calling page, below all of its text, with the number.
    lines = pages[calling].splitlines()
    first = next(i for i, line in enumerate(lines) if "Phrase 1 de la longue note" in line)
    assert re.match(r"\s*2\.\s+Phrase 1 ", lines[first]), lines[first]
    assert not any("La mer monte" in line or "filets" in line for line in lines[first:])
    assert "Un second paragraphe" not in pages[calling]
    # The rest at the foot of the next page, first among its notes, without a number.
    following = _bare(notes[calling + 1])
    assert "Unsecondparagraphe" in following and not re.match(r"\d+\.", following), following[:60]
    assert _bare(pages[calling + 1]).index("Unsecondparagraphe") > _bare(pages[calling + 1]).index("Lamermonte")
    # Nothing lost nor said twice: every note's text, read page after page, is the notes' text in order.
    expected = "".join(f"{number}.{_bare(text)}" for number, text in enumerate(NOTES, 1))
    assert _bare("".join(notes)) == expected


@pytest.mark.slow
def test_a_note_longer_than_a_page_goes_on_over_several_pages(built: tuple[Path, Path]) -> None:
    pages, notes, calling = read_back(built[0], "commence ici")
    on = [n for n, text in enumerate(notes) if re.search(r"Mot\s*\d+\s*d’une", text)]
    assert len(on) >= 3 and on == list(range(calling, calling + len(on))), on
    assert re.search(r"4\.\s*Mot\s*1\s*d’une", notes[calling])
    # Each page it runs over keeps some lines of text above it.
    for number in on[1:]:
        assert "La mer monte" in pages[number] or "filets" in pages[number]
    # Its sentences in order, each once.
    said = [int(n) for n in re.findall(r"Mot\s*(\d+)\s*d’une", "".join(notes[n] for n in on))]
    assert said == list(range(1, 70))


@pytest.mark.slow
def test_the_other_notes_stay_whole_under_their_calls(built: tuple[Path, Path]) -> None:
    for call, text, number in (
        ("Une première", SHORT["a"], 1),
        ("Une courte", SHORT["courte"], 3),
        ("Une dernière", SHORT["z"], 5),
    ):
        _, notes, calling = read_back(built[0], call)
        assert [n for n, notes_text in enumerate(notes) if _bare(text) in _bare(notes_text)] == [calling]
        assert f"{number}.{_bare(text)}" in _bare(notes[calling])


@pytest.mark.slow
def test_two_builds_are_byte_identical(built: tuple[Path, Path]) -> None:
    assert built[0].read_bytes() == built[1].read_bytes()


words = st.text(alphabet="abcdéè’,;:!? &<>\u00a0", min_size=1, max_size=12).filter(lambda w: w.strip())
runs = st.lists(st.tuples(words, st.booleans()), min_size=1, max_size=8)


def _note(paragraphs: list[list[tuple[str, bool]]]) -> str:
    """A note's markup as the print writer makes it: paragraphs as spans, emphasis with ids."""
    out = []
    for paragraph in paragraphs:
        out.append('<span class="footnote-p">')
        for text, emphasis in paragraph:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            out.append(f'<em id="e{len(out)}">{text}</em> ' if emphasis else text + " ")
        out.append("</span>")
    return f'<span class="footnote" id="fn1" data-number="1">{"".join(out)}</span>'


@given(st.lists(runs, min_size=1, max_size=3), st.lists(st.floats(0.01, 0.99), min_size=1, max_size=3), st.booleans())
def test_cutting_a_note_loses_and_repeats_nothing(
    paragraphs: list[list[tuple[str, bool]]], where: list[float], hyphen: bool
) -> None:
    markup = _note(paragraphs)
    text = "".join(ET.fromstring(markup).itertext())
    total = len("".join(c for c in text if not c.isspace()))
    cuts = sorted({max(1, int(total * w)) for w in where if int(total * w) < total})
    if not cuts:
        return
    parts = split_note(markup, "fn1", tuple((cut, hyphen) for cut in cuts))
    tree = ET.fromstring(f"<div>{parts}</div>")  # well-formed
    notes = list(tree)
    assert len(notes) == len(cuts) + 1
    # The first part keeps the note's id and number; the others continue it; no id said twice.
    assert notes[0].get("id") == "fn1" and notes[0].get("data-number") == "1"
    for number, note in enumerate(notes[1:], 2):
        assert note.get("data-continues") == "fn1" and note.get("data-part") == str(number)
        assert "footnote-cont" in (note.get("class") or "").split() and note.get("data-number") is None
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids)) == len(re.findall(r' id="', markup))
    # The text in order, each character once, the cuts where asked (and the hyphen there if asked).
    texts = ["".join(c for c in "".join(note.itertext()) if not c.isspace()) for note in notes]
    if hyphen:
        assert all(text.endswith(HYPHEN) for text in texts[:-1])
        texts = [text.removesuffix(HYPHEN) for text in texts[:-1]] + texts[-1:]
    assert "".join(texts) == "".join(c for c in text if not c.isspace())
    assert [len(t) for t in texts[:-1]] == [b - a for a, b in zip([0, *cuts], cuts, strict=False)]
