"""Markdown -> model: what the reader builds, and how it reports bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import fleuron
from fleuron import FleuronError
from fleuron.model import (
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    Emph,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Link,
    Note,
    OrderedList,
    Paragraph,
    SoftBreak,
    SourcePos,
    Strong,
    Table,
    Text,
    ThematicBreak,
)
from fleuron.readers.markdown import read_markdown


def test_blocks_and_their_lines() -> None:
    doc = read_markdown(
        "---\ntitle: T\nlang: fr\n---\n# Un *titre*\n\nTexte\nsuite  \nfin\n\n> cité\n\n***\n\n```py x\ncode\n```\n",
        "m.md",
    )
    heading, para, quote, rule, code = doc.blocks
    assert heading == Heading(1, (Text("Un "), Emph((Text("titre"),))), "un-titre", pos=SourcePos("m.md", 5))
    assert para.content == (Text("Texte"), SoftBreak(), Text("suite"), HardBreak(), Text("fin"))
    assert para.pos.line == 7
    assert isinstance(quote, BlockQuote) and quote.pos.line == 11
    assert isinstance(rule, ThematicBreak) and rule.pos.line == 13
    assert code == CodeBlock("code\n", "py x", pos=SourcePos("m.md", 15))


def test_inlines() -> None:
    (para,) = fleuron.parse('**gras** `c` [lien](http://x.org "T") ![alt *e*](i.png) <http://a.b>').blocks
    assert isinstance(para, Paragraph)
    strong, _, code, _, link, _, image, _, autolink = para.content
    assert strong == Strong((Text("gras"),))
    assert code == Code("c")
    assert link == Link((Text("lien"),), "http://x.org", "T")
    assert image == Image((Text("alt "), Emph((Text("e"),))), "i.png")
    assert autolink == Link((Text("http://a.b"),), "http://a.b")


def test_lists_keep_start_and_tightness() -> None:
    bullets, numbers = fleuron.parse("- a\n- b\n\n3. x\n\n4. y\n").blocks
    assert isinstance(bullets, BulletList) and bullets.tight and len(bullets.items) == 2
    assert isinstance(numbers, OrderedList) and numbers.start == 3 and not numbers.tight
    (zero,) = fleuron.parse("0. zéro\n").blocks
    assert isinstance(zero, OrderedList) and zero.start == 0


def test_table() -> None:
    (table,) = fleuron.parse("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n").blocks
    assert isinstance(table, Table)
    assert table.aligns == ("left", "center", "right")
    assert table.header == ((Text("a"),), (Text("b"),), (Text("c"),))
    assert table.rows == (((Text("1"),), (Text("2"),), (Text("3"),)),)


def test_footnotes_stay_where_written() -> None:
    doc = fleuron.parse("A[^n] et ^[en ligne].\n\n[^n]: La note.\n")
    para, definition = doc.blocks
    assert isinstance(para, Paragraph)
    assert para.content[1] == FootnoteRef("n")
    assert para.content[3] == Note((Text("en ligne"),))
    assert isinstance(definition, FootnoteDef) and definition.label == "n" and definition.pos.line == 3


def test_heading_identifiers_are_unique_xml_names() -> None:
    doc = fleuron.parse("## 1. Été\n\n## Été\n\n## ?\n\n## fn1\n")
    ids = [b.identifier for b in doc.blocks if isinstance(b, Heading)]
    assert ids == ["ete", "ete-1", "section", "fn1-section"]
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)


def test_raw_html_is_text_under_escape() -> None:
    (para,) = fleuron.parse("---\nraw_html: escape\n---\na <b>gras</b> <script>x</script>").blocks
    assert isinstance(para, Paragraph)
    assert para.content == (Text("a <b>gras</b> <script>x</script>"),)


def test_rule_and_heading_at_the_top_are_not_front_matter() -> None:
    doc = fleuron.parse("---\nFoo\n---\n")
    assert isinstance(doc.blocks[0], ThematicBreak)
    assert doc.blocks[1] == Heading(2, (Text("Foo"),), "foo", pos=SourcePos("<string>", 2))


def test_metadata() -> None:
    doc = fleuron.parse(
        "---\ntitle: Le Livre\nlang: fr-CA\ndate: 2025-03-04\nauthors: [A, B]\nkeywords: x, y\n"
        "identifier: urn:isbn:9782000000000\nslug: Mon/../livre\n---\n"
    )
    meta = doc.meta
    assert (meta.title, meta.lang, meta.date) == ("Le Livre", "fr-CA", dt.date(2025, 3, 4))
    assert meta.authors == ("A", "B") and meta.keywords == ("x", "y")
    assert meta.identifier == "urn:isbn:9782000000000"
    assert meta.slug == "mon-livre"


def test_missing_metadata_gets_stable_defaults() -> None:
    first, second = fleuron.parse("# Un titre\n"), fleuron.parse("# Un titre\n\ntexte\n")
    assert first.meta.title == "Un titre" and first.meta.lang == "fr"
    assert first.meta.identifier == second.meta.identifier
    assert first.meta.identifier.startswith("urn:uuid:")


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("---\ntitle: T\ntilte: U\n---\n", 3, "unknown front matter key 'tilte' (did you mean 'title'?)"),
        ("---\ntitle: T\ndate: demain\n---\n", 3, "'date: demain' is not a date"),
        ("---\ntitle: T\nlang: fr\ndate: 2024-13-45\n---\n", 4, "'date: 2024-13-45' is not a date"),
        ("---\ntitle: T\ndate: 0001-01-01\n---\n", 3, "is before the year 1000"),
        ("---\ntitle: T\ndate: '0999-12-31'\n---\n", 3, "is before the year 1000"),
        ("---\ntitle: T\nlang: français\n---\n", 3, "is not a language tag"),
        ("---\ntitle: T\ndescription: [a\n---\n", 3, "the YAML front matter does not parse"),
        ("---\ntitle: T\ntitle: {a: b}\n---\n", 3, "'title' must be a single text value"),
    ],
)
def test_front_matter_errors_name_file_and_line(source: str, line: int, message: str) -> None:
    with pytest.raises(FleuronError) as caught:
        read_markdown(source, "livre.md")
    assert caught.value.file == "livre.md"
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"livre.md:{line}: ")


def test_a_source_date_epoch_before_the_year_1000_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from fleuron.writers.timestamp import release_time

    doc = read_markdown("---\ntitle: Avant\n---\nTexte.\n", "livre.md")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(-62135596800))  # 0001-01-01
    release_time.cache_clear()
    with pytest.raises(FleuronError, match="before the year 1000"):
        release_time(doc.meta)
