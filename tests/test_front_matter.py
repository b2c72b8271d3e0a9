"""The front matter keys pandoc's users write, the book parts' and the print shop's, and what
happens to a key Fleuron does not know."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleuron.errors import FleuronError
from fleuron.model import Metadata
from fleuron.readers.markdown import read_markdown


def meta_of(front: str) -> Metadata:
    return read_markdown(f"---\ntitle: T\nlang: fr\n{front}---\nTexte.\n", "livre.md").meta


def test_pandoc_keys_are_understood() -> None:
    meta = read_markdown(
        "---\ntitle: Le Livre\nsubtitle: Un sous-titre\nauthor:\n  - Anne\n  - Bruno\nlang: fr\n"
        "publisher: Éditions du Phare\nisbn: 978-2-07-036002-4\nabstract: Un résumé.\nsubject: mer, phares\n"
        "toc-title: Table\ncover-image: couverture.png\nrights: CC BY\n---\nTexte.\n",
        "livre.md",
    ).meta
    assert meta.subtitle == "Un sous-titre" and meta.authors == ("Anne", "Bruno")
    assert meta.publisher == "Éditions du Phare" and meta.isbn == "9782070360024"
    assert meta.description == "Un résumé." and meta.keywords == ("mer", "phares")
    assert (meta.toc_title, meta.cover, meta.rights) == ("Table", "couverture.png", "CC BY")
    assert meta.cover_pos.line == 13  # errors about the cover point at the key pandoc's users wrote


def test_an_alias_and_its_key_together_are_refused() -> None:
    with pytest.raises(FleuronError) as caught:
        meta_of("abstract: a\ndescription: b\n")
    assert "'abstract' and 'description' say the same thing" in str(caught.value)
    assert caught.value.line == 4


def test_a_key_resembling_none_is_a_warning_naming_its_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        meta = meta_of("zorglub: 3\n")
    assert meta.title == "T"
    assert [r.getMessage() for r in caplog.records] == [
        "livre.md:4: front matter key 'zorglub' means nothing to Fleuron; ignored"
    ]


def test_a_pandoc_template_key_is_accepted_silently(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        meta_of("documentclass: book\ngeometry: margin=2cm\nmainfont: Libertine\n")
    assert caplog.records == []


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("tilte: X\n", "unknown front matter key 'tilte' (did you mean 'title'?)"),
        ("subtitel: X\n", "(did you mean 'subtitle'?)"),
        ("isbn: 978-2-07-036002-5\n", "wrong check digit: with these first 12 digits it is 4"),
        ("isbn: 2-07-036002-4\n", "is not an ISBN-13"),
        ("paper: bleu\n", "'paper: bleu' takes one of: white, cream"),
        ("notes: marge\n", "'notes: marge' takes one of: foot, end"),
        ("pod: amazon\n", "takes one of: kdp, ingramspark, lulu"),
        ("paper_caliper_mm: 0.002252\n", "thickness per page in millimetres"),
        ("paper_caliper_mm: yes\n", "thickness per page in millimetres"),
        ("drop_caps: souvent\n", "'drop_caps' is true or false"),
    ],
)
def test_wrong_values_name_the_line_and_what_to_write(front: str, message: str) -> None:
    with pytest.raises(FleuronError) as caught:
        meta_of(front)
    assert message in str(caught.value)
    assert caught.value.line == 4


def test_print_and_parts_keys() -> None:
    meta = meta_of(
        "paper: Cream\npaper_caliper_mm: 0.07\npod: kdp\nprice: 12,50 €\nback_cover: Un récit.\nnotes: end\n"
        "note_numbering: book\nfigure_numbers: true\nornament: ❦\ndedication: À L.\n"
    )
    assert (meta.paper, meta.paper_caliper_mm, meta.pod, meta.price) == ("cream", 0.07, "kdp", "12,50 €")
    assert (meta.notes, meta.note_numbering, meta.figure_numbers) == ("end", "book", True)
    assert (meta.ornament, meta.dedication, meta.back_cover) == ("❦", "À L.", "Un récit.")


@given(st.lists(st.integers(0, 9), min_size=10, max_size=10), st.sampled_from(["978", "979"]))
def test_every_wrong_check_digit_is_refused_with_the_right_one(body: list[int], prefix: str) -> None:
    first12 = prefix + "".join(map(str, body))[:9]
    weights = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    right = -weights % 10
    assert meta_of(f"isbn: '{first12}{right}'\n").isbn == first12 + str(right)
    wrong = (right + 1 + body[-1] % 9) % 10
    with pytest.raises(FleuronError, match=f"it is {right}$"):
        meta_of(f"isbn: '{first12}{wrong}'\n")


def test_the_front_matter_knows_the_services_the_print_profiles_have() -> None:
    from fleuron.readers.metadata import CHOICES
    from fleuron.writers import pod

    assert CHOICES["pod"] == tuple(pod.SERVICES)


def test_toc_title_names_the_contents_in_print_and_in_the_ebook(tmp_path: Path) -> None:
    import zipfile

    from fleuron.writers.epub import epub_bytes
    from fleuron.writers.pdf import book_html

    doc = read_markdown("---\ntitle: T\nlang: fr\ntoc-title: Au fil des pages\n---\n# Un\n\nTexte.\n\n# Deux\n\nFin.\n")
    assert '<h2 class="toc-title" id="fleuron-toc">Au fil des pages</h2>' in book_html(doc)
    (tmp_path / "b.epub").write_bytes(epub_bytes(doc))
    with zipfile.ZipFile(tmp_path / "b.epub") as book:
        nav = next(book.read(name).decode() for name in book.namelist() if name.endswith("nav.xhtml"))
    assert "Au fil des pages" in nav and "Table des matières" not in nav


@pytest.mark.parametrize(
    "markdown",
    [
        "- *---\nmot",  # a list opening the text: markdown-it's plugin took its first line for a front matter
        "> a---\nmot",
        '<div class="x">\n- *---\nmot\n</div>\n',  # the Markdown between HTML lines, parsed on its own
        '<div class="x">\n---\ntitle: T\n---\n</div>\n',  # a rule and a heading there, never a front matter
    ],
)
@pytest.mark.parametrize("raw_html", ["read", "escape"])
def test_only_the_texts_first_line_opens_a_front_matter(markdown: str, raw_html: str) -> None:
    from fleuron.walk import block_inline_runs, iter_blocks, plain_text

    doc = read_markdown(markdown, defaults={"raw_html": raw_html})
    text = " ".join(plain_text(run) for block in iter_blocks(doc.blocks) for run in block_inline_runs(block))
    for word in ("*---", "a---", "mot", "title: T"):
        if word in markdown:
            assert word in text, (word, doc.blocks)
