"""Figures (issue 15): an image alone in its paragraph is a figure captioned by its
description; numbering, a list of figures, sizes from attributes; never parted from its
caption in print."""

from __future__ import annotations

import subprocess

import pytest

from fleuron.model import Attr, Document, Figure, Image, Metadata, Paragraph, SoftBreak, Text
from fleuron.transforms import book_parts
from fleuron.writers.xhtml import XhtmlWriter
from parts_book import PartsBuild

from helpers import NS, Epub


def meta(**values: object) -> Metadata:
    import dataclasses

    return dataclasses.replace(Metadata("T", "fr", "urn:x"), **values)  # type: ignore[arg-type]


def test_an_image_alone_in_its_paragraph_is_a_figure() -> None:
    image = Image((Text("Un chat"),), "chat.png")
    alone = Paragraph((Text(" "), image, SoftBreak()))
    with_text = Paragraph((Text("Voici "), image))
    doc = book_parts(Document(meta(), (alone, with_text)))
    assert doc.blocks == (Figure(image, (Text("Un chat"),)), with_text)


def test_figure_markup_number_size_and_anchor() -> None:
    image = Image((Text("Le phare"),), "p.png", attr=Attr("fig-p", ("large",), (("width", "50%"), ("height", "120"))))
    figure = Figure(image, (Text("Le phare"),))
    plain = XhtmlWriter(Document(meta(), (figure,))).blocks((figure,))
    assert plain == (
        '<figure id="fig-p"><img src="p.png" alt="Le phare" class="large" style="width:50%;height:120px" />'
        '<figcaption aria-hidden="true">Le phare</figcaption></figure>\n'
    )
    numbered = XhtmlWriter(Document(meta(figure_numbers=True), (figure,))).blocks((figure,))
    assert '<figcaption><span class="figure-number">Figure\u00a01.</span> Le phare</figcaption>' in numbered


@pytest.mark.slow
def test_figure_caption_and_list_in_the_epub(parts: PartsBuild) -> None:
    book = Epub(parts.epub)
    figures = [f for p in book.spine_paths() for f in book.xml(p).xpath("//x:figure", namespaces=NS)]
    (figure,) = figures
    assert figure.get("id") == "fig-phare" and figure.xpath("x:img/@style", namespaces=NS) == ["width:40%"]
    assert "".join(figure.xpath("x:figcaption//text()", namespaces=NS)) == "Figure\u00a01. Le phare au crépuscule"
    (loi,) = book.nav().xpath("//x:nav[@epub:type='loi']", namespaces=NS)
    assert next(a.get("href") for a in loi.xpath(".//x:a", namespaces=NS)).endswith("#fig-phare")


@pytest.mark.slow
def test_the_caption_is_on_the_image_s_page_and_the_list_of_figures_says_it(parts: PartsBuild) -> None:
    listing = subprocess.run(["pdfimages", "-list", str(parts.pdf)], capture_output=True, text=True, check=True)
    (row,) = [line.split() for line in listing.stdout.splitlines()[2:] if line.split()[2] == "image"]
    page = int(row[0])
    assert "Le phare au crépuscule" in parts.pages()[page - 1]
    contents = next(p for p in parts.pages() if "Table des illustrations" in p)
    assert "Le phare au crépuscule" in contents and contents.rstrip().endswith(str(page))
