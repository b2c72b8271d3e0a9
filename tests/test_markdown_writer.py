"""Model -> Markdown: what is written reads back, through our own Markdown reader, as the same
model; what a reader would take for markup is escaped, and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from fleuron.model import (
    Attr,
    Block,
    BulletList,
    CodeBlock,
    Definition,
    DefinitionList,
    Div,
    Document,
    Emph,
    HardBreak,
    Heading,
    Inline,
    LineBlock,
    ListItem,
    Metadata,
    OrderedList,
    PageBreak,
    Paragraph,
    Ruby,
    SoftBreak,
    Span,
    Strong,
    Styled,
    Table,
    Text,
    ThematicBreak,
    TypographyOptions,
)
from fleuron.readers.markdown import read_markdown
from fleuron.walk import block_inline_runs, iter_blocks, iter_inlines, merge_texts
from fleuron.writers.markdown import blocks_to_markdown, escape_text, to_markdown

from helpers import ARTICLE_MD, ROOT, without_pos
from markdown_corpus import corpus

CORPUS = corpus()


def reads_back(doc: Document) -> None:
    assert without_pos(read_markdown(to_markdown(doc)).blocks) == without_pos(doc.blocks)


@pytest.mark.parametrize(("name", "markdown"), CORPUS, ids=[name for name, _ in CORPUS])
def test_every_corpus_document_reads_back_the_same(name: str, markdown: str) -> None:
    reads_back(read_markdown(markdown))


@pytest.mark.parametrize("path", [ARTICLE_MD, *sorted((ROOT / "tests" / "cases").glob("*/input.md"))])
def test_manuscripts_read_back_with_their_metadata(path: Any) -> None:
    doc = read_markdown(path.read_text(encoding="utf-8"), "book.md")
    again = read_markdown(to_markdown(doc), "book.md")
    assert without_pos(again.blocks) == without_pos(doc.blocks)
    assert again.meta == doc.meta


MARKDOWN_BITS = st.sampled_from(
    ["*", "_", "**", "`", "[", "]", "(", ")", "!", "^", "#", "> ", "- ", "1. ", "|", "---", "\n", "\n\n",
     "    ", " ", "a", "mot", "é", "&amp;", "&#0;", "<b>", "\\", ":", "[^1]", "[^1]: ", "\x01", "\u202f",
     "~~~", "```", "+ ", "2) ", "===", "<http://a.b>", "[x](y)", "![i](j.png)", "^[n]", "\t", "&#32;", "***",
     "  \n", "\\\n"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(MARKDOWN_BITS, max_size=40).map("".join))
@example("_~~~> ~~~*~~~~~~")  # a strikeout in a strikeout: written as spans, which nest
@example("|  \n")  # a line of a line block ending in a no-break space
@example("[^1]: ^*^[^1]")  # a superscript before a note call
@example("*a*<b>*")  # an emphasis right after another: their delimiters would make one run
@example("<b>\n<b>")  # an element holding only a line end: nothing, not an empty strong
def test_any_markdown_reads_back_the_same(markdown: str) -> None:
    doc = read_markdown(markdown)
    blocks = list(iter_blocks(doc.blocks))
    # What no Markdown can write back: a paragraph of nothing but Unicode spaces (read as empty),
    # code left open at the end without a final newline; and a known limit: an emphasis right
    # inside another, which `*` and `_` cannot always tell apart.
    assume(not any(isinstance(b, Paragraph) and not b.content for b in blocks))
    assume(not any(isinstance(b, CodeBlock) and b.text and not b.text.endswith("\n") for b in blocks))
    assume(
        not any(
            isinstance(i, (Emph, Strong)) and any(isinstance(c, (Emph, Strong)) for c in i.content)
            for b in blocks
            for run in block_inline_runs(b)
            for i in iter_inlines(run)
        )
    )
    reads_back(doc)


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("1. Pas une liste", "1\\. Pas une liste"),
        ("2024) Une année", "2024\\) Une année"),
        ("- pas un tiret de liste", "\\- pas un tiret de liste"),
        ("+ non plus", "\\+ non plus"),
        ("# pas un titre", "\\# pas un titre"),
        ("#hashtag", "#hashtag"),
        ("> pas une citation", "\\> pas une citation"),
        ("===", "\\==="),
        ("--", "\\--"),
        ("un *mot* et snake_case _x_", "un \\*mot\\* et snake_case \\_x\\_"),
        ("`code` [lien] <b> a|b \\", "\\`code\\` \\[lien\\] \\<b> a\\|b \\\\"),
        ("R&D &amp; &#233;", "R&D \\&amp; \\&#233;"),
        ("L’été : déjà ! 5 %", "L’été : déjà ! 5 %"),
    ],
)
def test_escapes_only_what_would_be_markup(text: str, markdown: str) -> None:
    assert escape_text(text, line_start=True) == markdown
    (paragraph,) = read_markdown(markdown).blocks
    assert paragraph == Paragraph((Text(text),), pos=paragraph.pos)


def test_every_line_of_a_paragraph_is_escaped_as_a_line_start() -> None:
    paragraph = Paragraph((Text("Une phrase"), SoftBreak(), Text("1. qui continue"), SoftBreak(), Text("- encore")))
    assert blocks_to_markdown((paragraph,)) == "Une phrase\n1\\. qui continue\n\\- encore\n"


def test_lists_in_a_row_stay_apart() -> None:
    def item(text: str) -> ListItem:
        return ListItem((Paragraph((Text(text),)),))

    blocks = (
        BulletList((item("a"),)),
        BulletList((item("b"),)),
        OrderedList((item("c"), item("d")), start=3),
        OrderedList((item("e"),), start=3),
        ThematicBreak(),
        Heading(2, (Text("Titre #"),), "titre"),
    )
    markdown = blocks_to_markdown(blocks)
    assert markdown == "- a\n\n* b\n\n3. c\n4. d\n\n3) e\n\n___\n\n## Titre \\#\n"
    assert without_pos(read_markdown(markdown).blocks) == without_pos(blocks)


def test_front_matter() -> None:
    meta = Metadata(
        "Le livre : suite",
        "fr-CA",
        "urn:isbn:9782000000000",
        date=dt.date(2025, 3, 4),
        description="Sur deux\nlignes.",
        authors=("A", "B"),
        keywords=("x",),
        slug="livre",
        typography=TypographyOptions(compat=True, locale="fr-CA", disabled=("R3",)),
    )
    doc = Document(meta, (Paragraph((Text("Texte."),)),))
    markdown = to_markdown(doc)
    assert markdown.startswith("---\ntitle: 'Le livre : suite'\nlang: fr-CA\n")
    assert "typography:\n  compat: true\n  locale: fr-CA\n  disable:\n  - R3\n" in markdown
    assert read_markdown(markdown).meta == meta
    assert to_markdown(doc, front_matter="title: T  # a comment") == "---\ntitle: T  # a comment\n---\n\nTexte.\n"


# --- Pandoc's syntax: the new nodes read back -----------------------------------------------

WORD = st.text(alphabet="abcé^~:{}%|*_-#!.", min_size=1, max_size=6).filter(lambda w: any(c.isalpha() for c in w))
PLAIN = st.text(alphabet="abcdéz", min_size=1, max_size=6)
CLASS = st.sampled_from(["theatre", "verse", "x-1", "centre"])
ATTR = st.builds(
    Attr,
    st.sampled_from(["", "id1", "ancre"]),
    st.lists(CLASS, max_size=2, unique=True).map(tuple),
    st.lists(st.tuples(st.sampled_from(["lang", "k"]), PLAIN), max_size=1, unique_by=lambda p: p[0]).map(tuple),
).filter(lambda a: a != Attr())
ATOM = st.one_of(
    WORD.map(Text),
    WORD.map(lambda w: Emph((Text(w),))),
    st.builds(
        lambda s, w: Styled(s, (Text(w),)),
        st.sampled_from(["superscript", "subscript", "strikeout", "smallcaps", "underline", "mark", "small", "cite"]),
        WORD,
    ),
    st.builds(lambda w, t: Styled("abbr", (Text(w),), t), WORD, PLAIN),
    st.builds(lambda w, a: Span((Text(w),), a), WORD, ATTR),
    st.builds(lambda w, r: Ruby((Text(w),), r), PLAIN, PLAIN),
)


def run_of(atoms: list[Inline], breaks: list[bool]) -> tuple[Inline, ...]:
    out: list[Inline] = [atoms[0]]
    for atom, hard in zip(atoms[1:], breaks, strict=False):
        out += [HardBreak() if hard else Text(" "), atom]
    return merge_texts(out)


RUN = st.builds(run_of, st.lists(ATOM, min_size=1, max_size=5), st.lists(st.booleans(), max_size=4))
LINE = st.builds(run_of, st.lists(ATOM, min_size=1, max_size=3), st.just([]))
BLOCK = st.recursive(
    st.one_of(
        RUN.map(Paragraph),
        st.lists(st.one_of(LINE, st.just(())), min_size=1, max_size=3).map(lambda ls: LineBlock(tuple(ls))),
        st.just(PageBreak()),
        st.builds(
            lambda t, ds: DefinitionList((Definition(t, tuple((Paragraph(d),) for d in ds)),)),
            LINE,
            st.lists(RUN, min_size=1, max_size=2),
        ),
        st.builds(
            lambda level, c, i, cls: Heading(level, c, i, cls),
            st.integers(1, 3),
            LINE,
            st.sampled_from(["", "chapitre", "id1"]),
            st.lists(st.sampled_from(["unnumbered", "x"]), max_size=2, unique=True).map(tuple),
        ),
        # pandoc's `Table: caption {#id}` paragraph, read back into the table.
        st.builds(
            lambda cells, caption, identifier: Table(
                ("default",) * len(cells),
                tuple((Text(c),) for c in cells),
                ((tuple((Text(c),) for c in cells)),),
                caption,
                identifier,
            ),
            st.lists(PLAIN, min_size=1, max_size=2),
            st.one_of(st.just(()), LINE),
            st.sampled_from(["", "tbl-a"]),
        ),
    ),
    lambda inner: st.builds(lambda bs, a: Div(apart(bs), a), st.lists(inner, max_size=3), ATTR),
    max_leaves=6,
)


def apart(blocks: list[Any]) -> tuple[Block, ...]:
    """Two definition lists in a row are one list in Markdown: a paragraph between them."""
    out: list[Block] = []
    for block in blocks:
        if out and isinstance(block, DefinitionList) and isinstance(out[-1], DefinitionList):
            out.append(Paragraph((Text("entre"),)))
        out.append(block)
    return tuple(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCK, min_size=1, max_size=5).map(apart))
def test_pandoc_nodes_read_back_the_same(blocks: tuple[Block, ...]) -> None:
    # A heading without an identifier gets the one the reader derives; duplicates are the checker's.
    headings = [b for b in iter_blocks(blocks) if isinstance(b, Heading)]
    assume(all(h.identifier for h in headings))
    assume(len({h.identifier for h in headings}) == len(headings))
    reads_back(Document(Metadata("T", "fr", "urn:x", raw_html="read"), blocks))


def test_heading_identifiers_are_written_only_when_not_derived() -> None:
    blocks = (Heading(1, (Text("Été"),), "ete"), Heading(1, (Text("Été"),), "autre", ("unnumbered",)))
    markdown = blocks_to_markdown(blocks)
    assert markdown == "# Été\n\n# Été {#autre .unnumbered}\n"
    assert without_pos(read_markdown(markdown).blocks) == without_pos(blocks)
