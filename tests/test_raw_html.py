"""Raw HTML in a manuscript (issue 14): the common tags become what they mean in the model,
the rest is dropped with a warning naming the file and the line, and no output ever shows a
tag as text. `raw_html: escape` still prints tags as text for those who want it."""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import fleuron as api
from fleuron.model import (
    Attr,
    Block,
    BlockQuote,
    BulletList,
    Code,
    DefinitionList,
    Div,
    Emph,
    HardBreak,
    Heading,
    Image,
    Inline,
    Link,
    Note,
    Paragraph,
    Ruby,
    Span,
    Strong,
    Styled,
    Table,
    Text,
    ThematicBreak,
)
from fleuron.readers.html import html_blocks, html_inlines
from fleuron.readers.markdown import read_markdown
from fleuron.walk import InlineRun, block_inline_runs, child_blocks, iter_blocks, iter_inlines, plain_text

from helpers import NS, Epub, epubcheck, fleuron

FRONT = "---\ntitle: Essai\nlang: fr\n---\n"


def inlines(html: str) -> tuple[Inline, ...]:
    return html_inlines(html)


@pytest.mark.parametrize(
    ("html", "node"),
    [
        ("<em>a</em>", Emph((Text("a"),))),
        ("<i>a</i>", Emph((Text("a"),))),
        ("<strong>a</strong>", Strong((Text("a"),))),
        ("<b>a</b>", Strong((Text("a"),))),
        ("<sup>er</sup>", Styled("superscript", (Text("er"),))),
        ("<sub>2</sub>", Styled("subscript", (Text("2"),))),
        ("<small>a</small>", Styled("small", (Text("a"),))),
        ("<u>a</u>", Styled("underline", (Text("a"),))),
        ("<s>a</s>", Styled("strikeout", (Text("a"),))),
        ("<del>a</del>", Styled("strikeout", (Text("a"),))),
        ("<strike>a</strike>", Styled("strikeout", (Text("a"),))),
        ("<mark>a</mark>", Styled("mark", (Text("a"),))),
        ("<cite>a</cite>", Styled("cite", (Text("a"),))),
        ('<abbr title="Société anonyme">SA</abbr>', Styled("abbr", (Text("SA"),), "Société anonyme")),
        ('<span class="smallcaps">Hugo</span>', Styled("smallcaps", (Text("Hugo"),))),
        ('<span class="x y" id="s1" lang="en">a</span>', Span((Text("a"),), Attr("s1", ("x", "y"), (("lang", "en"),)))),
        ("<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>", Ruby((Text("漢"),), "kan")),
        ('<a href="https://exemple.org/?a=1&amp;b=2">lien</a>', Link((Text("lien"),), "https://exemple.org/?a=1&b=2")),
        ('<a href="mailto:a@b.fr" title="T">a</a>', Link((Text("a"),), "mailto:a@b.fr", "T")),
        ('<a href="#chapitre-2">voir</a>', Link((Text("voir"),), "#chapitre-2")),
        ("<code>&lt;b&gt; x</code>", Code("<b> x")),
    ],
)
def test_common_tags_become_what_they_mean(html: str, node: Inline) -> None:
    assert inlines(html) == (node,)


def test_q_gets_french_quotes_with_their_spaces() -> None:
    doc = api.typographize(api.parse(FRONT + "Il dit <q>oui</q>.\n"))
    (para,) = doc.blocks
    assert isinstance(para, Paragraph)
    assert plain_text(para.content) == "Il dit «\u202foui\u202f»."


def test_blocks() -> None:
    blocks = html_blocks(
        '<blockquote><p>cité</p></blockquote><hr><div class="a" id="d">texte <b>gras</b></div>'
        '<ul><li>un<li>deux</ul><dl><dt>T</dt><dd>D</dd></dl><h2 id="h" class="unnumbered">Titre</h2>'
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    kinds = [type(b) for b in blocks]
    assert kinds == [BlockQuote, ThematicBreak, Div, BulletList, DefinitionList, Heading, Table]
    div = blocks[2]
    assert isinstance(div, Div) and div.attr.classes == ("a",) and div.attr.identifier == "d"
    assert div.blocks == (Paragraph((Text("texte "), Strong((Text("gras"),))), pos=div.blocks[0].pos),)
    heading = blocks[5]
    assert isinstance(heading, Heading) and heading.identifier == "h" and heading.classes == ("unnumbered",)
    table = blocks[6]
    assert isinstance(table, Table) and len(table.header) == 2 and len(table.rows) == 1


def test_a_div_around_markdown_holds_its_blocks() -> None:
    markdown = '<div class="theatre">\n\n**ROMÉO.** — Mais *doucement*.\n\nJULIETTE. — Oui.\n\n</div>\n\nAprès.\n'
    doc = read_markdown(FRONT + markdown)
    div, after = doc.blocks
    assert isinstance(div, Div) and div.attr.classes == ("theatre",)
    assert [type(b) for b in div.blocks] == [Paragraph, Paragraph]
    assert isinstance(div.blocks[0], Paragraph) and isinstance(div.blocks[0].content[0], Strong)
    assert isinstance(after, Paragraph) and after.content == (Text("Après."),)
    # Without blank lines, the Markdown between the tag lines is still Markdown (pandoc does the same).
    (tight,) = read_markdown(FRONT + '<div class="theatre">\n**ROMÉO.** — Mais.\n</div>\n').blocks
    assert isinstance(tight, Div) and isinstance(tight.blocks[0], Paragraph)
    assert isinstance(tight.blocks[0].content[0], Strong)


@pytest.mark.parametrize(
    "markdown",
    [
        "Elle partit.<br /><br />\nLe lendemain.\n",
        "Elle partit.<br/><br/>Le lendemain.\n",
        "Elle partit.<BR><br>\nLe lendemain.\n",
    ],
)
def test_line_breaks_are_kept_and_never_text(markdown: str) -> None:
    (para,) = read_markdown(FRONT + markdown).blocks
    assert isinstance(para, Paragraph)
    assert para.content == (Text("Elle partit."), HardBreak(), HardBreak(), Text("Le lendemain."))


def test_breaks_alone_on_a_line_are_breaks() -> None:
    doc = read_markdown(FRONT + "Avant.\n\n<br /><br />\n\nAprès.\n")
    assert [b.content for b in doc.blocks if isinstance(b, Paragraph)][1] == (HardBreak(), HardBreak())
    assert "&lt;" not in api.to_xhtml(doc)


def test_what_is_dropped_is_warned_with_file_and_line(caplog: pytest.LogCaptureFixture) -> None:
    markdown = (
        "Un <script>alert(1)</script>mot.\n\n"  # line 5
        "<style>p { color: red }</style>\n\n"  # line 7
        '<iframe src="http://x"></iframe>\n\n'  # line 9
        '<span onclick="x()">texte</span> <a href="javascript:alert(1)">lien</a> <blink>clignote</blink>\n\n'
        "<form><input name=a>Nom</form>\n"  # line 13
    )
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        doc = read_markdown(FRONT + markdown, "livre.md")
    text = " ".join(plain_text(run) for b in iter_blocks(doc.blocks) for run in block_inline_runs(b))
    assert "alert" not in text and "color" not in text
    assert "Un mot." in text and "texte" in text and "lien" in text and "clignote" in text and "Nom" in text
    messages = [r.getMessage() for r in caplog.records]
    for where, what in [
        ("livre.md:5:", "<script>"),
        ("livre.md:7:", "<style>"),
        ("livre.md:9:", "<iframe>"),
        ("livre.md:11:", "onclick"),
        ("livre.md:11:", "javascript:"),
        ("livre.md:11:", "<blink>"),
        ("livre.md:13:", "<form>"),
        ("livre.md:13:", "<input>"),
    ]:
        assert any(m.startswith(where) and what in m for m in messages), (where, what, messages)
    assert all(m.count("\n") == 0 for m in messages)


def test_comments_go_silently(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        doc = read_markdown(FRONT + "Un <!-- note à moi --> mot.\n\n<!-- sur\ndeux lignes -->\n\nFin.\n", "l.md")
    assert [plain_text(b.content) for b in doc.blocks if isinstance(b, Paragraph)] == ["Un  mot.", "Fin."]
    assert not caplog.records


def test_escape_still_prints_tags_as_text() -> None:
    doc = api.parse("---\nraw_html: escape\n---\nUn <b>mot</b><br />\n")
    assert "&lt;b&gt;mot&lt;/b&gt;&lt;br /&gt;" in api.to_xhtml(doc)


# --- Properties ------------------------------------------------------------------------------

TAGS = ["em", "i", "b", "strong", "sup", "sub", "span", "div", "p", "q", "blockquote", "ul", "li", "dl", "dt",
        "dd", "table", "tr", "td", "th", "abbr", "cite", "mark", "ruby", "rt", "font", "center", "section", "h2",
        "u", "s", "small", "kbd", "script", "style", "iframe", "a", "br", "hr", "code"]  # fmt: skip
WORDS = st.sampled_from(["mot", "été", "Hugo", "l’an", "deux", "x1", "fin"])
PIECES = st.one_of(
    WORDS,
    st.sampled_from([" ", "\n", " ", "&amp;", "&eacute;", "<!-- c -->", "<br/>", '<a href="https://a.fr/x?y=1">']),
    st.builds(lambda t, c: f'<{t} class="{c}">', st.sampled_from(TAGS), st.sampled_from(["a", "b c"])),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
)


class _Words(HTMLParser):
    """The words a browser would show, outside what is dropped with its content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.skip += tag in ("script", "style", "iframe", "rp")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style", "iframe", "rp") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


def letters(text: str) -> str:
    return re.sub(r"\W", "", text)


def reading_order(blocks: tuple[Block, ...]) -> Iterator[InlineRun]:
    """The model's runs of text as one reads them: a definition list's terms each before its
    definitions (`walk.iter_blocks` gives a block's own runs before all its children's)."""
    for block in blocks:
        if isinstance(block, DefinitionList):
            for item in block.items:
                yield item.term
                for definition in item.definitions:
                    yield from reading_order(definition)
            continue
        yield from block_inline_runs(block)
        for child in child_blocks(block):
            yield from reading_order(child)


def model_letters(blocks: tuple[Block, ...]) -> str:
    """Every letter of the model, in order (a ruby's reading after its base, as in the HTML)."""
    return letters("".join(_texts(run) for run in reading_order(blocks)))


def _texts(run: InlineRun) -> str:
    out = []
    for inline in run:
        if isinstance(inline, (Text, Code)):
            out.append(inline.text)
        elif isinstance(inline, Ruby):  # `walk.iter_inlines` gives the reading before the base
            out.append(_texts(inline.base) + inline.annotation)
        elif isinstance(inline, Image):
            out.append(_texts(inline.alt))
        elif isinstance(inline, (Emph, Strong, Link, Note, Styled, Span)):
            out.append(_texts(inline.content))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
@example('<table class="a"><div class="a">mot')  # a block in a cell gives its text to the cell
@example('<dl class="a">mot<dt class="a">été')  # text before the first term: a definition, read first
@example('<ruby class="a">mot<rt class="a">mot')  # a ruby's base, once
@example('<rt class="a"><ruby class="a"><rt class="a">mot')  # a reading inside a stray reading
def test_importing_html_never_loses_a_word(html: str) -> None:
    reader = _Words()
    reader.feed(html)
    reader.close()
    expected = letters("".join(reader.text))
    # A script or style left open hides what follows (as in a browser); otherwise every letter stays, in order.
    if "<script" in html or "<style" in html or "<iframe" in html:
        assert set(model_letters(html_blocks(html))) <= set(expected)
        return
    assert model_letters(html_blocks(html)) == expected
    assert model_letters((Paragraph(html_inlines(html)),)) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["<b>", "</b>", "<i>", "</i>", "<span>", "</span>", "mot ", "<p>", "</p>"]), max_size=12)
)
def test_code_and_urls_are_untouched(pieces: list[str]) -> None:
    code = "if a < b && c > d: <tag> x"
    url = "https://exemple.org/chemin?a=1&b=<2>#ancre"
    html = "".join(pieces) + f'<code>{escape(code)}</code> <a href="{escape(url)}">lien</a>' + "".join(pieces)
    found = [i for b in iter_blocks(html_blocks(html)) for run in block_inline_runs(b) for i in iter_inlines(run)]
    assert Code(code) in found
    assert any(isinstance(i, Link) and i.target == url for i in found)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- A multi-file manuscript, built ---------------------------------------------------------

CHAPTERS = {
    "01-debut.md": FRONT.replace("Essai", "Le Roman")
    + "# Premier chapitre\n\nElle partit.<br /><br />\nLe lendemain, il pleuvait.\n\n"
    + "Un mot en <i>italique</i>, un autre en <b>gras</b>, H<sub>2</sub>O et le 1<sup>er</sup>.\n",
    "02-scene.md": '# Deuxième chapitre\n\n<div class="theatre">\n\n**ROMÉO.** — Parle encore.\n\n'
    + "JULIETTE. — <em>Roméo</em> !\n\n</div>\n\n<br /><br />\n\nFin de la scène.\n",
    "03-fin.md": "# Troisième chapitre\n\nUn <script>alert('x')</script>texte <blink>vif</blink> "
    + '<span onclick="x()">ici</span>.\n\nIl dit <q>adieu</q>.\n',
}


@pytest.mark.slow
def test_a_multi_file_manuscript_with_raw_html_builds_clean(tmp_path: Path) -> None:
    book = tmp_path / "roman"
    (book / "manuscript").mkdir(parents=True)
    for name, text in CHAPTERS.items():
        (book / "manuscript" / name).write_text(text, encoding="utf-8")
    sources = ", ".join(f'"manuscript/{name}"' for name in CHAPTERS)
    (book / "fleuron.toml").write_text(f"[book]\nsources = [{sources}]\n", encoding="utf-8")
    result = fleuron("build", "--format", "epub,pdf,handout", "-o", "dist", cwd=book)
    assert result.returncode == 0, result.stderr
    # One warning line for each thing dropped, naming its file and line.
    assert re.search(r"03-fin\.md:3: <script> dropped", result.stderr), result.stderr
    assert re.search(r"03-fin\.md:3: the tag <blink> dropped", result.stderr), result.stderr
    assert re.search(r"03-fin\.md:3: the attributes onclick of <span> dropped", result.stderr), result.stderr

    epub_path = next((book / "dist").glob("*.epub"))
    assert epubcheck(epub_path) == []
    epub = Epub(epub_path)
    text = epub.text()
    assert "<" not in text and "&lt;" not in text and "alert" not in text
    documents = [epub.xml(name) for name in epub.spine_paths()]
    assert any(d.xpath("//x:div[@class='theatre']/x:p/x:strong[.='ROMÉO.']", namespaces=NS) for d in documents)
    first = next(d for d in documents if d.xpath("//x:h1[contains(., 'Premier')]", namespaces=NS))
    assert len(first.xpath("//x:p[contains(., 'Elle partit.')]/x:br", namespaces=NS)) == 2  # type: ignore[arg-type]
    assert any(d.xpath("//x:sub[.='2']", namespaces=NS) for d in documents)
    assert "«\u202fadieu\u202f»" in text

    for pdf in (book / "dist").glob("*.pdf"):
        shown = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        assert not re.search(r"</?[A-Za-z]+[ />]|&lt;|alert", shown.stdout), pdf.name
        lines = [line.strip() for line in shown.stdout.splitlines()]
        # The breaks kept: "Elle partit." ends its line; "Le lendemain" starts another.
        assert any(line.endswith("Elle partit.") for line in lines), pdf.name
        assert any(line.startswith("Le lendemain") for line in lines), pdf.name
