"""A book's parts written in Markdown, end to end: the README's own example (its manuscript
section) read into the model, checked, and built by the real command; pandoc's table captions,
pandoc-crossref's ids and references (`{#fig:x}`, `@fig:x`, `[@tbl:x]`), links to any element's
id, and endnotes grouped under their chapters."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from posixpath import dirname, join, normpath

import pytest
from pypdf import PdfReader

from fleuron.checks import check_document
from fleuron.errors import FleuronError
from fleuron.model import BlockQuote, Div, Document, Emph, Figure, Heading, Link, Paragraph, Span, Table, Text
from fleuron.readers.markdown import read_markdown
from fleuron.transforms import book_parts
from fleuron.typography import typographize
from fleuron.walk import block_inline_runs, iter_blocks, iter_inlines, plain_text
from fleuron.writers.pdf import book_html
from fleuron.writers.xhtml import XhtmlWriter

from helpers import NS, ROOT, Epub, epubcheck, fleuron, pdf_pages, png


def readme_example() -> str:
    """The manuscript the README's "A book's parts" shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("#### A book's parts") :]
    found = re.search(r"```markdown\n(.*?)```", section, re.S)
    assert found, "the README's parts section shows a manuscript"
    return found[1]


def project(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "phare.png").write_bytes(png(60, 30, (90, 90, 160)))
    path = folder / "livre.md"
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> Document:
    return book_parts(read_markdown(path.read_text(encoding="utf-8"), str(path)))


def links(doc: Document) -> list[Link]:
    return [
        inline
        for block in iter_blocks(doc.blocks)
        for run in block_inline_runs(block)
        for inline in iter_inlines(run)
        if isinstance(inline, Link)
    ]


# --- Read: the README's example means what the README says -----------------------------


def test_the_readme_example_reads_into_each_part(tmp_path: Path) -> None:
    doc = read(project(tmp_path, readme_example()))
    check_document(doc)  # every link reaches its target, no anchor twice
    kinds = [c for b in iter_blocks(doc.blocks) if isinstance(b, Div) for c in b.attr.classes]
    assert kinds == ["dedication", "foreword", "epigraph", "verse", "afterword"]
    (figure,) = [b for b in iter_blocks(doc.blocks) if isinstance(b, Figure)]
    assert figure.image.attr.identifier == "fig-phare" and figure.image.attr.get("width") == "40%"
    assert plain_text(figure.caption) == "Le phare au crépuscule"
    (table,) = [b for b in iter_blocks(doc.blocks) if isinstance(b, Table)]
    assert (plain_text(table.caption), table.identifier) == ("Les marées du jour", "tbl-marees")
    assert not any(isinstance(b, Paragraph) and "Table:" in plain_text(b.content) for b in doc.blocks)
    headings = {b.identifier for b in iter_blocks(doc.blocks) if isinstance(b, Heading)}
    assert {"port", "sec-marees"} <= headings
    assert [link.target for link in links(doc)] == ["#sec-marees", "#fig-phare", "#tbl-marees", "#ici"]
    marks = [
        i for b in iter_blocks(doc.blocks) for r in block_inline_runs(b) for i in iter_inlines(r) if isinstance(i, Span)
    ]
    assert [m.attr.get("term") for m in marks if "index" in m.attr.classes] == ["", "Bateau!de pêche", "Côte", "Marée"]
    assert doc.meta.drop_caps and doc.meta.figure_numbers and doc.meta.list_of_figures


def test_front_matter_keys_make_the_same_parts_as_fenced_divs(tmp_path: Path) -> None:
    keys = "---\ntitle: T\ndedication: À Jeanne.\nepigraph: La mer.\n---\n\n# Un\n\nTexte.\n"
    fenced = "---\ntitle: T\n---\n\n::: dedication\nÀ Jeanne.\n:::\n\n::: epigraph\nLa mer.\n:::\n\n# Un\n\nTexte.\n"
    written = []
    for name, text in (("keys", keys), ("fenced", fenced)):
        doc = typographize(read(project(tmp_path / name, text)))
        written.append(XhtmlWriter(doc, epub=True).blocks(doc.blocks))
    assert written[0] == written[1]
    assert '<section class="dedication" role="doc-dedication" epub:type="dedication">' in written[0]


# --- Table captions, pandoc's way --------------------------------------------------------

TABLE = "| a | b |\n|---|--:|\n| 1 | 2 |\n"


@pytest.mark.parametrize(
    "text",
    [
        TABLE + "\nTable: Les *ventes* {#tbl:ventes}\n",  # after, a blank line between
        TABLE + "Table: Les *ventes* {#tbl:ventes}\n",  # right under the last row
        "Table: Les *ventes* {#tbl:ventes}\n\n" + TABLE,  # before
        TABLE + "\n: Les *ventes* {#tbl-ventes}\n",  # pandoc's short form
    ],
    ids=["after", "under", "before", "colon"],
)
def test_a_table_caption_before_or_after_its_table(text: str) -> None:
    doc = read_markdown(text)
    (table,) = doc.blocks
    assert isinstance(table, Table)
    assert table.caption == (Text("Les "), Emph((Text("ventes"),)))
    assert table.identifier == "tbl-ventes"
    assert table.rows == (((Text("1"),), (Text("2"),)),)


def test_a_caption_belongs_to_one_table_and_a_lone_one_is_a_paragraph() -> None:
    doc = read_markdown(TABLE + "\nTable: Première\n\n" + TABLE + "\nTable: Seconde\n\nTable: rien\n")
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [plain_text(t.caption) for t in tables] == ["Première", "Seconde"]
    assert isinstance(doc.blocks[-1], Paragraph) and plain_text(doc.blocks[-1].content) == "Table: rien"
    # In a quote, the caption is only read after a blank line (a lazy line stays the quote's).
    assert isinstance(read_markdown("> texte\nTable: x\n").blocks[0], BlockQuote)


# --- pandoc-crossref's ids and references ------------------------------------------------


def test_colon_ids_and_references_meet_as_xml_ids(tmp_path: Path) -> None:
    text = (
        "# Intro {#sec:intro}\n\n![Phare](phare.png){#fig:phare}\n\n"
        "Voir @fig:phare, [@sec:intro], [là](#fig:phare) et [ici]{#pt:a} ; écrire à a@fig:phare.\n\n"
        "::: {#div:b}\nTexte.\n:::\n\n[retour](#pt:a) [bloc](#div:b)\n"
    )
    doc = read(project(tmp_path, text))
    check_document(doc)
    ids = {b.identifier for b in doc.blocks if isinstance(b, Heading)} | {
        b.image.attr.identifier for b in doc.blocks if isinstance(b, Figure)
    }
    assert ids == {"sec-intro", "fig-phare"}
    assert [(plain_text(link.content), link.target) for link in links(doc)] == [
        ("", "#fig-phare"),
        ("", "#sec-intro"),
        ("là", "#fig-phare"),
        ("retour", "#pt-a"),
        ("bloc", "#div-b"),
    ]
    assert "a@fig:phare" in plain_text(doc.blocks[2].content)  # an address is no reference
    # An empty reference says what it points to, in every output; the spaces around it stay.
    html = XhtmlWriter(typographize(doc), epub=True).blocks(doc.blocks[2:3])
    assert 'Voir <a href="#fig-phare">Phare</a>, <a href="#sec-intro">Intro</a>, ' in html
    assert '<span id="pt-a">ici</span>' in html


def test_every_element_id_is_a_link_target_and_given_once(tmp_path: Path) -> None:
    good = (
        "# Un\n\n[mot]{#m} ![i](phare.png){#img} et ![j](phare.png)\n\n::: {#d}\nx\n:::\n\n[a](#m) [b](#img) [c](#d)\n"
    )
    check_document(read(project(tmp_path / "good", good)))
    for text, line, anchor in [
        ("# Un {#m}\n\nTexte\net [mot]{#m}.\n", 3, "m"),
        ("::: {#d}\nx\n:::\n\n![i](phare.png){#d}\n", 5, "d"),
        ("Un [a]{#s}.\n\nDeux ![i](phare.png){#s} ici.\n", 3, "s"),
        ("# Un {#fig:a}\n\n![i](phare.png){#fig-a}\n", 3, "fig-a"),  # pandoc-crossref's id meets its XML form
    ]:
        path = project(tmp_path / anchor / str(line), text)
        with pytest.raises(FleuronError) as raised:
            check_document(read(path))
        assert raised.value.line == line and raised.value.file == str(path)
        assert f"the anchor '{anchor}' is already given at line 1" in str(raised.value)
    with pytest.raises(FleuronError, match="the link to '#nulle' names no heading, figure or table"):
        check_document(read(project(tmp_path / "dead", "[mot]{#m}\n\n[a](#nulle)\n")))


def test_a_derived_heading_id_never_takes_an_element_s_own() -> None:
    doc = read_markdown("[ici]{#intro}\n\n# Intro\n")
    heading = doc.blocks[1]
    assert isinstance(heading, Heading) and heading.identifier == "intro-1"


# --- Endnotes grouped under their chapters -----------------------------------------------

ENDNOTES = "# Un\n\nA[^a] b[^b].\n\n# Deux\n\nC[^c].\n\n[^a]: Note a.\n[^b]: Note b.\n[^c]: Note c.\n"


def test_endnotes_are_grouped_under_their_chapter_titles(tmp_path: Path) -> None:
    doc = read(project(tmp_path, "---\ntitle: T\nnotes: end\n---\n\n" + ENDNOTES))
    html = book_html(doc)
    notes = html[html.index('id="fleuron-notes"') :]
    assert re.findall(r'<h3 class="notes-chapter">([^<]*)</h3>', notes) == ["Un", "Deux"]
    assert notes.count('<ol class="footnotes-list">') == 2  # each numbered from 1, as the calls are
    book = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, note_numbering="book"))
    html = book_html(book)
    notes = html[html.index('id="fleuron-notes"') :]
    assert "notes-chapter" not in notes and notes.count("<ol") == 1


# --- Built by the command, read back -----------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("parts-md")
    source = project(folder / "manuscript", readme_example())
    result = fleuron("build", str(source), "-o", str(folder / "dist"), "--format", "epub,pdf", "-q")
    assert result.returncode == 0, result.stderr
    return folder / "dist" / "les-marees.epub", folder / "dist" / "les-marees.pdf"


@pytest.mark.slow
def test_the_readme_example_s_epub(built: tuple[Path, Path]) -> None:
    epub_path, _ = built
    assert epubcheck(epub_path) == []
    book = Epub(epub_path)
    types: list[str] = []
    for path in book.spine_paths():
        doc = book.xml(path)
        types += doc.xpath("//@epub:type", namespaces=NS)
        # Every link inside the book reaches an element of the document it names.
        for href in doc.xpath("//x:a/@href", namespaces=NS):
            if "://" in href or href.startswith("mailto:"):
                continue
            file, _, anchor = href.partition("#")
            target = book.xml(normpath(join(dirname(path), file))) if file else doc
            assert not anchor or target.xpath(f"//*[@id='{anchor}']"), (path, href)
        for link in doc.xpath("//x:a[@href]", namespaces=NS):
            assert "".join(link.itertext()).strip(), "an empty link says nothing to a screen reader"
    for kind in ("dedication", "foreword", "epigraph", "afterword", "z3998:verse", "noteref", "footnote", "chapter"):
        assert kind in types, kind
    text = book.text()
    assert "Figure 1. Le phare au crépuscule" in " ".join(text.split())
    assert "Tableau 1. Les marées du jour" in " ".join(text.split())
    # The references say what they point to.
    assert re.search(r"voir les marées, figure\s1 et tableau\s1\.", " ".join(text.split()))


@pytest.mark.slow
def test_the_readme_example_s_book(built: tuple[Path, Path]) -> None:
    _, pdf = built
    pages = pdf_pages(pdf)
    reader = PdfReader(pdf)
    where = {name: reader.get_destination_page_number(d) + 1 for name, d in reader.named_destinations.items()}
    text = " ".join(" ".join(pages).split())
    # Each cross-reference prints its target's page: a heading, a figure, a table, a span.
    for anchor, words in [
        ("sec-marees", "les marées (p. {})"),
        ("fig-phare", "figure 1 (p. {})"),
        ("tbl-marees", "tableau 1 (p. {})"),
        ("ici", "celle-là (p. {})"),
    ]:
        assert words.format(where[anchor]) in text, (anchor, where[anchor])
    dedication = next(n for n, p in enumerate(pages) if "À Jeanne, qui aimait la mer." in p)
    contents = next(n for n, p in enumerate(pages) if re.search(r"^\s*Sommaire\s*$", p, re.M))
    assert dedication < contents
    (chapter,) = [p for p in pages if "toujours recommencée" in p]
    lines = [line.strip() for line in chapter.splitlines() if line.strip()]
    for verse in ("Je suis le ténébreux, le veuf, l’inconsolé,", "Porte le soleil noir de la Mélancolie."):
        assert verse in lines  # a line of verse is a line
    assert lines.index("Les marées") < lines.index("La mer, la mer, toujours recommencée.")
    assert any("\u2042" in p for p in pages)  # the scene break's ornament
    # The index's pages are those its marks fall on.
    (index,) = [p for p in pages if re.search(r"^\s*Index\s*$", p, re.M)]
    assert f"Marée, {where['sec-marees']}" in " ".join(index.split())
