"""Cross-references (issue 15): a link to a heading, a figure or a table says the target's
page in print (and its number where figures and tables are numbered), is a link in the EPUB,
and a link to an anchor that does not exist is an error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fleuron.checks import check_document
from fleuron.errors import FleuronError
from fleuron.model import Attr, Document, Figure, Image, Link, Metadata, Paragraph, SourcePos, Table, Text
from parts_book import PartsBuild, squeeze

from helpers import NS, Epub


def doc_with(*blocks: object) -> Document:
    return Document(Metadata("T", "fr", "urn:x"), tuple(blocks))  # type: ignore[arg-type]


def test_links_to_figures_and_tables_are_checked(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(__import__("helpers").png())
    pos = SourcePos(str(tmp_path / "livre.md"), 3)
    figure = Figure(Image((Text("a"),), "a.png", attr=Attr("fig-a")), (Text("A"),), pos=pos)
    table = Table(("default",), ((Text("h"),),), (), (Text("T"),), "tbl-a", pos=pos)
    good = Paragraph((Link((Text("voir"),), "#fig-a"), Link((Text("voir"),), "#tbl-a")), pos=pos)
    check_document(doc_with(figure, table, good))
    bad = Paragraph((Link((Text("voir"),), "#fig-b"),), pos=SourcePos(pos.file, 9))
    with pytest.raises(FleuronError, match=r"livre\.md:9: the link to '#fig-b' names no heading, figure or table"):
        check_document(doc_with(figure, table, bad))
    twice = Table(("default",), ((Text("h"),),), (), (), "fig-a", pos=SourcePos(pos.file, 12))
    with pytest.raises(FleuronError, match=r"livre\.md:12: the anchor 'fig-a' is already given at line 3"):
        check_document(doc_with(figure, twice))


@pytest.mark.slow
def test_a_cross_reference_prints_its_target_s_page(parts: PartsBuild) -> None:
    where = parts.anchor_pages()
    text = squeeze(" ".join(parts.pages()))
    assert f"les marées (p. {where['marees']})" in text
    assert f"figure (figure 1, p. {where['fig-phare']})" in text
    # A link without text says what it points to.
    assert f"tableau 1 (p. {where['tbl-marees']})" in text
    # The target is really there: the chapter's title on that page.
    assert re.search(r"^\s*Les marées\s*$", parts.pages()[where["marees"] - 1], re.M)


@pytest.mark.slow
def test_cross_references_are_links_in_the_epub(parts: PartsBuild) -> None:
    book = Epub(parts.epub)
    hrefs = [
        a.get("href")
        for p in book.spine_paths()
        for a in book.xml(p).xpath("//x:p//x:a[not(@epub:type)]", namespaces=NS)
    ]
    for target in ("marees", "fig-phare", "tbl-marees"):
        (href,) = [h for h in hrefs if h.endswith("#" + target)]
        path = href.partition("#")[0]
        doc = book.xml(book.base + "text/" + path) if path else None
        assert doc is None or doc.xpath(f"//*[@id='{target}']")
