"""Verse (issue 15): each line a line, stanzas apart, never justified; marked as verse in the EPUB."""

from __future__ import annotations

import pytest

from fleuron.model import Attr, Div, Document, LineBlock, Metadata, Paragraph, SoftBreak, Text
from fleuron.writers.xhtml import XhtmlWriter, xhtml_document
from parts_book import VERSE, PartsBuild

from helpers import NS, Epub


def test_a_verse_div_is_stanzas_of_lines() -> None:
    verse = Div(
        (Paragraph((Text("un"), SoftBreak(), Text("deux"))), Paragraph((Text("trois"),))), Attr(classes=("verse",))
    )
    doc = Document(Metadata("T", "fr", "urn:x"), (verse,))
    html = XhtmlWriter(doc, epub=True).blocks(doc.blocks)
    assert html == (
        '<div class="verse" epub:type="z3998:verse">\n'
        '<div class="stanza">\n<div class="line">un</div>\n<div class="line">deux</div>\n</div>\n'
        '<div class="stanza">\n<div class="line">trois</div>\n</div>\n</div>\n'
    )
    # The Z39.98 prefix is declared where it is used (EPUBCheck: OPF-028).
    assert 'epub:prefix="z3998: http://www.daisy.org/z3998/2012/vocab/structure/#"' in xhtml_document("T", "fr", html)
    lines = XhtmlWriter(doc, epub=True).blocks((LineBlock(((Text("a"),),)),))
    assert 'epub:type="z3998:verse"' in lines
    assert "epub:type" not in XhtmlWriter(doc).blocks(doc.blocks)  # print has no EPUB semantics


@pytest.mark.slow
def test_verse_lines_stay_lines_in_print(parts: PartsBuild) -> None:
    for pdf in (parts.pdf, parts.handout):
        text = "\n".join(parts.pages(pdf)).replace("\u00a0", " ")
        lines = [line.strip() for line in text.splitlines()]
        for stanza in VERSE:
            first = lines.index(stanza[0])
            assert lines[first + 1] == stanza[1]  # the next line, whole: not justified, not run on
        # Stanzas apart: a blank line between them.
        assert lines[lines.index(VERSE[1][0]) - 1] == ""


@pytest.mark.slow
def test_verse_is_marked_in_the_epub(parts: PartsBuild) -> None:
    book = Epub(parts.epub)
    found = [d for p in book.spine_paths() for d in book.xml(p).xpath("//*[@epub:type='z3998:verse']", namespaces=NS)]
    assert len(found) == 2  # the verse div and the line block
    lines = found[0].xpath(".//x:div[@class='line']/text()", namespaces=NS)
    assert [line.replace("\u00a0", " ") for line in lines] == [line for stanza in VERSE for line in stanza]
