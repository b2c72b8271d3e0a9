"""Pandoc's Markdown as book manuscripts use it (issue 14): each extension read into the model."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from fleuron.errors import FleuronError
from fleuron.model import (
    Attr,
    Definition,
    DefinitionList,
    Div,
    Document,
    HardBreak,
    Heading,
    Image,
    LineBlock,
    PageBreak,
    Paragraph,
    Span,
    Styled,
    Text,
)
from fleuron.readers.markdown import read_markdown

from helpers import without_pos

FRONT = "---\ntitle: T\nlang: fr\n---\n"


def blocks(markdown: str) -> object:
    return without_pos(read_markdown(FRONT + markdown).blocks)


def test_heading_attributes() -> None:
    doc = read_markdown(FRONT + "# Titre {#debut .unnumbered}\n\n## Autre {-}\n\n# Début {.x}\n")
    first, second, third = doc.blocks
    assert isinstance(first, Heading) and (first.identifier, first.classes) == ("debut", ("unnumbered",))
    assert first.content == (Text("Titre"),)
    assert isinstance(second, Heading) and second.classes == ("unnumbered",) and second.identifier == "autre"
    # A derived identifier never takes one given explicitly.
    assert isinstance(third, Heading) and third.identifier == "debut-1" and third.classes == ("x",)


def test_an_invalid_identifier_is_an_error_with_its_line() -> None:
    with pytest.raises(FleuronError) as caught:
        read_markdown(FRONT + "Texte.\n\n# Titre {#1er}\n", "livre.md")
    assert caught.value.line == 7 and "#1er" in str(caught.value)


def test_fenced_divs_nest() -> None:
    assert blocks("::: theatre\nUn.\n\n:::: {#n .inner lang=en}\nDeux.\n::::\n:::\n\nApres.\n") == without_pos(
        (
            Div(
                (
                    Paragraph((Text("Un."),)),
                    Div((Paragraph((Text("Deux."),)),), Attr("n", ("inner",), (("lang", "en"),))),
                ),
                Attr(classes=("theatre",)),
            ),
            Paragraph((Text("Apres."),)),
        )
    )
    # Same fence lengths nest too: a fence with attributes opens, a bare one closes.
    nested = blocks("::: a\n::: b\nX\n:::\n:::\n")
    assert nested == without_pos((Div((Div((Paragraph((Text("X"),)),), Attr(classes=("b",))),), Attr(classes=("a",))),))


def test_spans_and_styles() -> None:
    (para,) = read_markdown(
        FRONT + '[Hugo]{.smallcaps} [x]{#s .c} H~2~O 1^er^ ~~non~~ [SA]{.abbr title="Société"}'
    ).blocks
    assert isinstance(para, Paragraph)
    assert para.content == (
        Styled("smallcaps", (Text("Hugo"),)),
        Text(" "),
        Span((Text("x"),), Attr("s", ("c",))),
        Text(" H"),
        Styled("subscript", (Text("2"),)),
        Text("O 1"),
        Styled("superscript", (Text("er"),)),
        Text(" "),
        Styled("strikeout", (Text("non"),)),
        Text(" "),
        Styled("abbr", (Text("SA"),), "Société"),
    )


def test_line_blocks_keep_lines_and_leading_spaces() -> None:
    assert blocks("| Sous le pont Mirabeau\n|     coule la Seine\n  et nos amours\n|\n| Fin\n") == without_pos(
        (
            LineBlock(
                (
                    (Text("Sous le pont Mirabeau"),),
                    (Text("\u00a0" * 4 + "coule la Seine et nos amours"),),
                    (),
                    (Text("Fin"),),
                )
            ),
        )
    )


def test_page_breaks_hard_breaks_definitions_images() -> None:
    assert blocks("Avant.\n\n\\newpage\n\nUne ligne\\\nla suite\n\n\\pagebreak\n") == without_pos(
        (
            Paragraph((Text("Avant."),)),
            PageBreak(),
            Paragraph((Text("Une ligne"), HardBreak(), Text("la suite"))),
            PageBreak(),
        )
    )
    assert blocks("Terme\n\n:   Sa définition.\n") == without_pos(
        (DefinitionList((Definition((Text("Terme"),), ((Paragraph((Text("Sa définition."),)),),)),)),)
    )
    (para,) = read_markdown(FRONT + "![Un chat](chat.png){#fig-chat width=50%}").blocks
    assert isinstance(para, Paragraph)
    assert para.content == (Image((Text("Un chat"),), "chat.png", "", Attr("fig-chat", (), (("width", "50%"),))),)


def test_title_block(caplog: pytest.LogCaptureFixture) -> None:
    doc = read_markdown("% Le Titre\n  sur deux lignes\n% Anne Dupont; Marc Roy\n% 2024-03-05\n\nTexte.\n", "l.md")
    assert doc.meta.title == "Le Titre sur deux lignes"
    assert doc.meta.authors == ("Anne Dupont", "Marc Roy")
    assert doc.meta.date == dt.date(2024, 3, 5)
    assert isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].pos.line == 6
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        free = read_markdown("% Titre\n%\n% juillet 2024\n\nTexte.\n", "l.md")
    assert free.meta.title == "Titre" and free.meta.authors == () and free.meta.date is None
    assert any("l.md:3:" in r.getMessage() and "juillet 2024" in r.getMessage() for r in caplog.records)


def test_a_percent_line_after_a_front_matter_is_text() -> None:
    doc: Document = read_markdown(FRONT + "% pas un titre\n")
    assert doc.meta.title == "T" and isinstance(doc.blocks[0], Paragraph)
