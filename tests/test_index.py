"""The index (issue 15): marks in the text, French order, page numbers the layout gives,
runs merged, two columns in print; an EPUB Indexes document whose locators reach each mark."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleuron.model import Attr, Document, Metadata, Paragraph, Span, Text
from fleuron.writers.index import IndexMarks, entries, fill, page_ranges, provisional, sort_key
from fleuron.writers.pdf import book_html
from parts_book import MARKS, PartsBuild, squeeze

from helpers import NS, Epub, epubcheck


def test_french_order_accents_and_case_after_the_letters() -> None:
    words = ["côté", "Cote", "coté", "côte", "eau", "Écume", "œuvre", "Oeil", "zèbre", "abbé", "Ève"]
    assert sorted(words, key=sort_key) == ["abbé", "Cote", "coté", "côte", "côté", "eau", "Écume", "Ève", "Oeil",
                                           "œuvre", "zèbre"]  # fmt: skip


@pytest.mark.parametrize(
    ("pages", "shown"),
    [([12, 13, 14], "12–14"), ([3, 12, 13, 14, 17, 17], "3, 12–14, 17"), ([5], "5"), ([8, 9], "8–9"), ([], "")],
)
def test_page_runs_are_merged(pages: list[int], shown: str) -> None:
    assert page_ranges(pages) == shown


@given(st.lists(st.integers(1, 400), max_size=30))
def test_page_ranges_lose_no_page_and_add_none(pages: list[int]) -> None:
    shown = set()
    for part in filter(None, page_ranges(pages).split(", ")):
        first, _, last = part.partition("–")
        shown |= set(range(int(first), int(last or first) + 1))
    assert shown == set(pages)


def test_sub_entries_and_keys() -> None:
    def mark(word: str, term: str = "") -> Span:
        return Span((Text(word),), Attr(classes=("index",), pairs=(("term", term),) if term else ()))

    run = (mark("bateaux", "Bateau!de pêche"), mark("chalutier", "Bateau!de pêche"), mark("voilier", "Bateau"),
           mark("  port  "), Span((Text("rien"),), Attr(classes=("autre",))))  # fmt: skip
    doc = Document(Metadata("T", "fr", "urn:x"), (Paragraph(run),))
    marks = IndexMarks.of(doc)
    assert [m.anchor for m in marks.marks] == ["ix1", "ix2", "ix3", "ix4"]
    (bateau, port) = entries(marks.marks)
    assert (bateau.term, [m.anchor for m in bateau.marks], port.term) == ("Bateau", ["ix3"], "port")
    (sub,) = bateau.subs
    assert (sub.term, [m.anchor for m in sub.marks]) == ("de pêche", ["ix1", "ix2"])


def test_filling_replaces_the_provisional_index_only() -> None:
    template = (("<li>port", ()), (", ", ("ix1", "ix2", "ix3")), ("</li>", ()))
    html = f"<p>avant</p><!--fleuron:index-->{provisional(template)}<!--/fleuron:index--><p>après</p>"
    filled = fill(html, template, {"ix1": 12, "ix2": 13, "ix3": 20})
    assert filled == "<p>avant</p><!--fleuron:index--><li>port, 12–13, 20</li><!--/fleuron:index--><p>après</p>"


@pytest.mark.slow
def test_printed_index_gives_the_pages_the_marks_fall_on(parts: PartsBuild) -> None:
    where = parts.anchor_pages()
    marks = IndexMarks.of(parts.doc).marks
    pages = parts.pages()
    (index_page,) = [n for n, page in enumerate(pages) if re.search(r"^\s*Index\s*$", page, re.M)]
    # The two columns, read one after the other.
    text = squeeze(pages[index_page])
    for entry in entries(marks):
        expected = page_ranges(where[m.anchor] for m in entry.marks)
        if expected:
            assert f"{entry.term}, {expected}" in text, (entry.term, expected, text)
        for sub in entry.subs:
            assert f"{sub.term}, {page_ranges(where[m.anchor] for m in sub.marks)}" in text
    # "port" is marked twice, in two chapters: both pages, in order.
    assert len({where[m.anchor] for m in marks if m.key == "port"}) == 2
    # French order (accents after the letters: cote, Côte), as the book's HTML sets the entries.
    html = book_html(parts.doc)
    order = [html.index(f'"index-term">{term}<') for term in ("Bateau", "cote", "Côte", "Écume", "Marée", "port")]
    assert order == sorted(order)


@pytest.mark.slow
def test_printed_index_is_set_in_two_columns(parts: PartsBuild) -> None:
    pages = parts.pages()
    (page,) = [p for p in pages if re.search(r"^\s*Index\s*$", p, re.M)]
    # Two entries side by side on some line: the second column.
    assert any(re.search(r"\S\s{4,}\S", line) for line in page.splitlines()[2:])


@pytest.mark.slow
def test_epub_index_links_reach_each_mark_and_is_a_landmark(parts: PartsBuild) -> None:
    book = Epub(parts.epub)
    nav = book.nav()
    (landmark,) = nav.xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='index']", namespaces=NS)
    index = book.xml(book.base + landmark.get("href"))
    assert index.xpath("//x:section[@epub:type='index'][@role='doc-index']", namespaces=NS)
    locators = index.xpath("//x:a[@epub:type='index-locator']", namespaces=NS)
    reached = set()
    for locator in locators:
        path, _, anchor = locator.get("href").partition("#")
        target = book.xml(book.base + "text/" + path)
        (span,) = target.xpath(f"//*[@id='{anchor}']", namespaces=NS)
        assert "index" in span.get("class").split()
        reached.add(anchor)
        # The print edition's page, as the page list says.
        assert locator.text.isdigit()
    # Every entry has its locators, each a page of the page list.
    pages = {a.text for a in book.nav().xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)}
    assert {locator.text for locator in locators} <= pages
    entries_ = index.xpath("//x:li[@epub:type='index-entry']", namespaces=NS)
    assert all(
        e.xpath("x:a[@epub:type='index-locator']", namespaces=NS)
        for e in entries_
        if not e.xpath("x:ul", namespaces=NS)
    )
    terms = [t.text for t in index.xpath("//x:span[@epub:type='index-term']", namespaces=NS)]
    assert {word for word, term in MARKS if not term} <= set(terms)
    assert epubcheck(parts.epub) == []
