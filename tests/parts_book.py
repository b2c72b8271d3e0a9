"""A book with every part of issue 15 (notes, index marks, cross-references, figures, verse,
dedication, epigraph, foreword, afterword, scene breaks, drop caps), built from model nodes
(no reader involved) once per test session, and read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from fleuron.model import (
    Attr,
    Div,
    Document,
    Figure,
    FootnoteDef,
    FootnoteRef,
    Heading,
    Image,
    Inline,
    LineBlock,
    Link,
    Metadata,
    Note,
    Paragraph,
    SoftBreak,
    SourcePos,
    Span,
    Table,
    Text,
    ThematicBreak,
)
from fleuron.pipeline import render
from fleuron.transforms import book_parts
from fleuron.typography import typographize

from helpers import png

FILLER = (
    "La mer monte sur la grève à une vitesse que les anciens comparaient à celle d’un cheval au galop, "
    "et les pêcheurs attendent le reflux pour gagner les parcs où sèchent les filets. "
)
#: Each index mark: (the word in the text, its `term` pair or "").
MARKS = [("port", ""), ("bateaux", "Bateau!de pêche"), ("Écume", ""), ("côte", "Côte"), ("cote", "cote")]
VERSE = (
    ("Je suis le ténébreux, le veuf, l’inconsolé,", "Le prince d’Aquitaine à la tour abolie :"),
    ("Ma seule étoile est morte, et mon luth constellé", "Porte le soleil noir de la Mélancolie."),
)


def mark(word: str, term: str) -> Span:
    return Span((Text(word),), Attr(classes=("index",), pairs=(("term", term),) if term else ()))


def parts_document(folder: Path, **meta: object) -> Document:
    """The book, its manuscript's folder `folder` (an image beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "phare.png").write_bytes(png(60, 30, (90, 90, 160)))
    (folder / "livre.md").write_text("", encoding="utf-8")
    pos = SourcePos(str(folder / "livre.md"), 1)

    def para(*content: Inline) -> Paragraph:
        return Paragraph(tuple(content), pos=pos)

    filler = [para(Text(FILLER * 3)) for _ in range(4)]
    blocks = [
        Div((para(Text("À Jeanne, qui aimait la mer.")),), Attr(classes=("dedication",)), pos=pos),
        Div(
            (Heading(2, (Text("Avant-propos"),), "avant-propos", pos=pos), para(Text("Un mot d’abord."))),
            Attr(classes=("foreword",)),
            pos=pos,
        ),
        Heading(1, (Text("Le port"),), "port", pos=pos),
        para(
            Text("Le "),
            mark(*MARKS[0]),
            Text(" s’éveille à l’aube"),
            FootnoteRef("a"),
            Text(". Voir "),
            Link((Text("les marées"),), "#marees"),
            Text(" et la "),
            Link((Text("figure"),), "#fig-phare"),
            Text("."),
        ),
        para(Text("Les "), mark(*MARKS[1]), Text(" rentrent"), Note((Text("Une note en ligne."),)), Text(".")),
        *filler,
        ThematicBreak(pos=pos),
        para(Text("Une autre scène, avec l’"), mark(*MARKS[2]), Text(" et la "), mark(*MARKS[3]), Text(".")),
        *filler,
        para(Text("Encore la "), mark(*MARKS[3]), Text(" et la "), mark(*MARKS[4]), FootnoteRef("b"), Text(".")),
        Figure(
            Image((Text("Le phare"),), "phare.png", attr=Attr("fig-phare", pairs=(("width", "40%"),))),
            (Text("Le phare au crépuscule"),),
            pos=pos,
        ),
        Table(
            ("default", "default"),
            ((Text("Heure"),), (Text("Hauteur"),)),
            (((Text("6 h"),), (Text("3 m"),)),),
            (Text("Les marées du jour"),),
            "tbl-marees",
            pos=pos,
        ),
        Heading(1, (Text("Les marées"),), "marees", pos=pos),
        Div(
            (para(Text("La mer, la mer, toujours recommencée.")), para(Text("— Paul Valéry"))),
            Attr(classes=("epigraph",)),
            pos=pos,
        ),
        para(Text("Texte des "), mark("marées", "Marée"), Text(" avec une note"), FootnoteRef("c"), Text(".")),
        Div(
            tuple(para(a, SoftBreak(), b) for a, b in ((Text(x), Text(y)) for x, y in VERSE)),
            Attr(classes=("verse",)),
            pos=pos,
        ),
        LineBlock(((Text("Une ligne"),), (Text("et une autre"),)), pos=pos),
        para(Text("Retour au "), mark("port", ""), Text(", voir le tableau "), Link((), "#tbl-marees"), Text(".")),
        Div(
            (Heading(2, (Text("Postface"),), "postface", pos=pos), para(Text("Un mot pour finir."))),
            Attr(classes=("afterword",)),
            pos=pos,
        ),
        FootnoteDef("a", (para(Text("L’aube, vers six heures.")),), pos=pos),
        FootnoteDef("b", (para(Text("La cote marine, " + FILLER)),), pos=pos),
        FootnoteDef("c", (para(Text("Une note du second chapitre.")),), pos=pos),
    ]
    metadata = Metadata("Les Marées", "fr", "urn:uuid:6f1c7c32-3c5e-4b0e-9a51-2d6f1d9a0e15", dt.date(2026, 3, 1))
    metadata = dataclasses.replace(metadata, figure_numbers=True, list_of_figures=True, drop_caps=True, **meta)
    return typographize(book_parts(Document(metadata, tuple(blocks))))


@dataclass
class PartsBuild:
    doc: Document
    folder: Path
    epub: Path
    pdf: Path
    handout: Path

    def pages(self, pdf: Path | None = None) -> list[str]:
        out = subprocess.run(
            ["pdftotext", "-layout", str(pdf or self.pdf), "-"], capture_output=True, text=True, check=True
        )
        return out.stdout.split("\f")[:-1]

    def anchor_pages(self, pdf: Path | None = None) -> dict[str, int]:
        """The page (1-based) of each anchor, from the PDF's named destinations."""
        reader = PdfReader(pdf or self.pdf)
        return {name: reader.get_destination_page_number(dest) + 1 for name, dest in reader.named_destinations.items()}


def build_parts(folder: Path, **meta: object) -> PartsBuild:
    doc = parts_document(folder / "manuscript", **meta)
    made = render(doc, ["epub", "pdf", "handout"])
    paths = {}
    for fmt, suffix in (("epub", ".epub"), ("pdf", ".pdf"), ("handout", "-handout.pdf")):
        paths[fmt] = folder / f"book{suffix}"
        paths[fmt].write_bytes(made[fmt][0])
    return PartsBuild(doc, folder, paths["epub"], paths["pdf"], paths["handout"])


_BUILT: dict[str, PartsBuild] = {}


@pytest.fixture(scope="session")
def parts(tmp_path_factory: pytest.TempPathFactory) -> PartsBuild:
    """The book, built once for every test module that asks."""
    if "parts" not in _BUILT:
        _BUILT["parts"] = build_parts(tmp_path_factory.mktemp("parts"))
    return _BUILT["parts"]


def squeeze(text: str) -> str:
    """The text on one line: words hyphenated at a line's end joined, spaces of any kind as one."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2010-]\n\s*", "", text)).strip()
