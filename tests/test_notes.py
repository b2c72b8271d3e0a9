"""Notes at the foot of the page that calls them (book, handout), numbered per chapter or
through the book, `notes: end` for endnotes; pop-up notes in the EPUB (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from fleuron.model import Document, FootnoteDef, FootnoteRef, Heading, Metadata, Note, Paragraph, Text
from fleuron.writers.xhtml import NoteNumbering
from parts_book import PartsBuild, build_parts

from helpers import NS, Epub

NOTES = {"a": "L’aube, vers six heures.", "b": "La cote marine", "c": "Une note du second chapitre."}


def two_chapters() -> Document:
    blocks = []
    for chapter in ("Un", "Deux"):
        blocks += [
            Heading(1, (Text(chapter),), chapter.lower()),
            Paragraph((Text("x"), Note((Text("n"),)), Text("y"), Note((Text("m"),)))),
        ]
    return Document(Metadata("T", "fr", "urn:x"), tuple(blocks))


def test_numbers_start_again_in_each_chapter_and_anchors_stay_unique() -> None:
    per_chapter = NoteNumbering.of(two_chapters(), chapters=True)
    assert [e.number for e in per_chapter.entries] == [1, 2, 1, 2]
    assert len({e.anchor for e in per_chapter.entries}) == 4
    through = NoteNumbering.of(two_chapters())
    assert [e.number for e in through.entries] == [1, 2, 3, 4]


@pytest.mark.slow
def test_each_note_is_at_the_foot_of_the_page_that_calls_it(parts: PartsBuild) -> None:
    pages = parts.pages()
    for label, text in NOTES.items():
        words = text.split(",")[0]
        found = [n for n, page in enumerate(pages) if words in page]
        assert len(found) == 1, (label, found)
        page = pages[found[0]]
        lines = page.splitlines()
        note_line = next(i for i, line in enumerate(lines) if words in line)
        # Below all of the page's text (only the folio under it), and numbered as it is called.
        body = [i for i, line in enumerate(lines) if line.strip() and i < note_line]
        assert body and note_line > max(body)
        assert re.match(r"\s*\d+\.\s", lines[note_line]), lines[note_line]
    # The notes of the second chapter are numbered from 1 again.
    (chapter_two,) = [page for page in pages if NOTES["c"] in page]
    assert re.search(r"^\s*1\.\s+Une note du second", chapter_two, re.M)


@pytest.mark.slow
def test_endnotes_on_demand(tmp_path: Path) -> None:
    built = build_parts(tmp_path, notes="end")
    pages = built.pages()
    notes_page = next(n for n, page in enumerate(pages) if re.search(r"^\s*Notes\s*$", page, re.M))
    for text in NOTES.values():
        assert [n for n, page in enumerate(pages) if text.split(",")[0] in page] == [notes_page]
    # Numbered per chapter, as the calls are, and grouped under each chapter's title.
    notes = pages[notes_page]
    assert re.search(r"^\s*Le port\s*$", notes, re.M) and re.search(r"^\s*Les marées\s*$", notes, re.M)
    assert re.search(r"Les marées\s*\n\s*1\.\s+Une note du second chapitre", notes)
    # Through the book on demand: 1, 2, 3, 4, and no chapter titles.
    through = build_parts(tmp_path / "book", notes="end", note_numbering="book").pages()
    (notes,) = [page for page in through if re.search(r"^\s*Notes\s*$", page, re.M)]
    assert re.search(r"4\.\s+Une note du second chapitre", notes) and not re.search(r"^\s*Le port\s*$", notes, re.M)


@pytest.mark.slow
def test_the_handout_has_its_notes_at_the_foot_of_its_pages(parts: PartsBuild) -> None:
    pages = parts.pages(parts.handout)
    for text in NOTES.values():
        found = [page for page in pages if text.split(",")[0] in page]
        assert len(found) == 1
    assert not any(re.search(r"^\s*Notes\s*$", page, re.M) for page in pages)


@pytest.mark.slow
def test_pop_up_notes_in_the_same_document_with_a_way_back(parts: PartsBuild) -> None:
    book = Epub(parts.epub)
    calls = 0
    for path in book.spine_paths():
        doc = book.xml(path)
        for ref in doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS):
            calls += 1
            assert ref.get("role") == "doc-noteref"
            href = ref.get("href")
            assert href.startswith("#"), "the note must be in the calling document"
            (aside,) = doc.xpath(f"//x:aside[@id='{href[1:]}']", namespaces=NS)
            assert aside.get(f"{{{NS['epub']}}}type") == "footnote" and aside.get("role") == "doc-footnote"
            assert aside.get("hidden") is None  # a hidden note shows in no pop-up of some systems
            back = aside.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)[0]
            assert back.get("href") == "#" + ref.get("id")
            # After the call in the document (Kobo opens a pop-up only for a note further on).
            order = list(doc.iter())
            assert order.index(aside) > order.index(ref)
            assert ref.text == back.text  # the same number
    assert calls == 4
    assert not any(p.endswith("notes.xhtml") for p in book.spine_paths())


def test_a_multi_paragraph_note_stays_phrasing_content_in_print() -> None:
    from fleuron.writers.pdf import PrintWriter

    note = FootnoteDef("n", (Paragraph((Text("Un."),)), Paragraph((Text("Deux."),))))
    doc = Document(Metadata("T", "fr", "urn:x"), (Paragraph((Text("x"), FootnoteRef("n"))), note))
    html = PrintWriter(doc, str).blocks(doc.blocks)
    tree = etree.fromstring(f"<div>{html}</div>")
    (footnote,) = tree.xpath("//span[@class='footnote']")
    assert [s.text for s in footnote] == ["Un.", "Deux."] and not tree.xpath("//p//p")
