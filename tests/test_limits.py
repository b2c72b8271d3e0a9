"""What Fleuron refuses before any writer, so that no manuscript or image can make a build run
for hours or put an address into an ebook: SVG images that point outside themselves (in any
attribute, or through an animation), and the limits of `checks.py` on what makes WeasyPrint's
layout cost explode."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleuron.checks import (
    MAX_HEADINGS,
    MAX_RUN_CHARACTERS,
    MAX_TABLE_CELLS,
    MAX_UNBROKEN_CHARACTERS,
    check_document,
)
from fleuron.errors import FleuronError
from fleuron.model import Block, Document, Emph, Heading, Link, Paragraph, SoftBreak, SourcePos, Table, Text
from fleuron.readers import read
from fleuron.typography import typographize

FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2024-02-29\n---\n\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"{attrs}>{body}</svg>'
GRADIENT = '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'


def check(tmp_path: Path, text: str) -> None:
    """Read `text` as the manuscript `livre.md` (the text starts at line 7), then check it."""
    path = tmp_path / "livre.md"
    path.write_text(FRONT + text, encoding="utf-8")
    check_document(typographize(read(path.read_text(encoding="utf-8"), "markdown", str(path))))


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(FleuronError) as caught:
        check(tmp_path, text)
    return str(caught.value)


def svg(tmp_path: Path, body: str, attrs: str = "") -> str:
    (tmp_path / "image.svg").write_text(SVG.format(attrs=attrs, body=body), encoding="utf-8")
    return "Texte.\n\n![x](image.svg)\n"


# --- SVG: every attribute that takes an address, every animation ----------------------------


@pytest.mark.parametrize(
    ("body", "holds"),
    [
        ('<rect width="1" height="1" fill="url(http://127.0.0.1:9/p.svg#p)"/>', "its 'fill' attribute"),
        ('<rect width="1" height="1" filter="url(file:///etc/passwd#f)"/>', "its 'filter' attribute"),
        ('<rect width="1" height="1" mask="URL( \'HTTP://x.org/m.svg#m\' )"/>', "its 'mask' attribute"),
        ('<rect width="1" height="1" clip-path="url(data:image/svg+xml,&lt;svg/&gt;)"/>', "its 'clip-path'"),
        ('<path d="M0 0" marker-end="url(#g) url(http://x.org/m#m)"/>', "its 'marker-end' attribute"),
        ('<rect width="1" height="1" fill="\\75 rl(http://x.org/p#p)"/>', "its 'fill' attribute"),
        ('<a href="#g"><animate attributeName="href" to="javascript:alert(1)"/></a>', "an animation"),
        ('<a xlink:href="#g"><set attributeName="xlink:href" to="#g"/></a>', "an animation that changes a link"),
        ('<a href="#g"><set attributeName=" HREF " to="#g"/></a>', "an animation that changes a link"),
        ('<rect width="1" height="1"><set attributeName="fill" to="url(http://x.org/#p)"/></rect>', "its 'to'"),
        (
            '<rect width="1" height="1"><animate attributeName="fill" values="url(#g);url(file:///p#p)"/></rect>',
            "its 'values'",
        ),
        ('<rect width="1" height="1"><set attributeName="x" to="java&#9;Script:alert(1)"/></rect>', "a script address"),
    ],
)
def test_an_svg_pointing_outside_itself_is_refused_at_the_line_of_the_image(
    tmp_path: Path, body: str, holds: str
) -> None:
    message = problem(tmp_path, svg(tmp_path, GRADIENT + body))
    assert message.startswith(f"{tmp_path / 'livre.md'}:9: image 'image.svg' holds ")
    assert holds in message
    assert message.endswith("only self-contained SVG images are accepted")


@pytest.mark.parametrize(
    ("body", "attrs"),
    [
        ('<rect width="1" height="1" fill="url(#g)" filter="url( \'#g\' )" mask=\'url("#g")\'/>', ""),
        ('<rect width="1" height="1" style="fill: url(\'#g\')"/>', ""),
        ('<rect width="1" height="1"><animate attributeName="opacity" values="0;1" dur="2s"/></rect>', ""),
        ('<rect width="1" height="1"><set attributeName="fill" to="url(#g)"/></rect>', ""),
        ('<use href="#g"/>', ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
         'inkscape:export-filename="C:\\Users\\a\\image.png"'),
    ],
)  # fmt: skip
def test_a_self_contained_svg_passes(tmp_path: Path, body: str, attrs: str) -> None:
    check(tmp_path, svg(tmp_path, GRADIENT + body, attrs))


# --- Limits where WeasyPrint's cost explodes -------------------------------------------------


def document(*blocks: Block) -> Document:
    """A document built in memory (no reading: the largest ones stay fast)."""
    doc = read(FRONT + "Texte.\n", "markdown", "livre.md")
    return dataclasses.replace(doc, blocks=blocks)


def refused(*blocks: Block) -> str:
    with pytest.raises(FleuronError) as caught:
        check_document(document(*blocks))
    return str(caught.value)


def at(line: int) -> SourcePos:
    return SourcePos("livre.md", line)


def test_headings_are_refused_past_the_limit() -> None:
    headings = [Heading(2, (Text(f"Titre {n}"),), f"titre-{n}", pos=at(n + 1)) for n in range(MAX_HEADINGS + 1)]
    check_document(document(*headings[:MAX_HEADINGS]))
    assert refused(*headings) == (
        f"livre.md:{MAX_HEADINGS + 1}: the book has more than {MAX_HEADINGS} headings "
        f"(the limit is {MAX_HEADINGS}; make the smallest ones bold paragraphs, or split the book into volumes)"
    )


def test_a_table_is_refused_past_the_limit_of_cells() -> None:
    columns = 4
    rows = tuple((Text("x"),) for _ in range(columns))
    header = tuple((Text("h"),) for _ in range(columns))
    body = (rows,) * (MAX_TABLE_CELLS // columns - 1)
    check_document(document(Table(("default",) * columns, header, body, pos=at(3))))
    message = refused(Table(("default",) * columns, header, (*body, rows), pos=at(3)))
    assert message.startswith(f"livre.md:3: this table has {MAX_TABLE_CELLS + columns} cells ")
    assert f"(the limit is {MAX_TABLE_CELLS}; split it into several tables" in message


def test_a_paragraph_is_refused_past_the_limit_of_characters() -> None:
    words = "mot " * (MAX_RUN_CHARACTERS // 4)
    check_document(document(Paragraph((Text(words[:-1]), Emph((Text("!"),))), pos=at(5))))
    message = refused(Paragraph((Text(words), Emph((Text("!"),))), pos=at(5)))
    assert message == (
        f"livre.md:5: this paragraph is {MAX_RUN_CHARACTERS + 1} characters long "
        f"(the limit is {MAX_RUN_CHARACTERS}; split it with a blank line)"
    )


def test_a_run_without_a_space_is_refused_past_the_limit_across_links_and_at_its_line() -> None:
    half = MAX_UNBROKEN_CHARACTERS // 2
    link = Link((Text("b" * half),), "https://exemple.org")
    fits = Paragraph((Text("Un mot,"), SoftBreak(), Text("a" * half), link, Text(" fin.")), pos=at(7))
    check_document(document(fits))
    too_long = dataclasses.replace(fits, content=(Text("Un mot,"), SoftBreak(), Text("a" * (half + 1)), link))
    assert refused(too_long) == (
        f"livre.md:8: {MAX_UNBROKEN_CHARACTERS + 1} characters without a space here (the limit is "
        f"{MAX_UNBROKEN_CHARACTERS}; no word is that long: add spaces, or put such text in a code block)"
    )
    # No-break spaces do not break a line; hyphens and slashes do.
    joined = Paragraph((Text("a" * half + "\u00a0" + "a" * half),), pos=at(7))
    assert "without a space" in refused(joined)
    check_document(document(Paragraph((Text(("a" * half + "-") * 4 + ("a" * half + "/") * 4),), pos=at(7))))


def test_a_table_cell_is_reported_at_its_row(tmp_path: Path) -> None:
    row = "| " + "c" * (MAX_UNBROKEN_CHARACTERS + 1) + " |"
    message = problem(tmp_path, "| titre |\n| --- |\n| a |\n" + row + "\n")
    assert message.startswith(f"{tmp_path / 'livre.md'}:10: {MAX_UNBROKEN_CHARACTERS + 1} characters without")


def test_the_issues_nested_links_are_refused_at_their_line(tmp_path: Path) -> None:
    nested = 4_000  # 11.5 s of layout in the issue; 16,000 (113 s) is past the paragraph's limit too
    text = "Un paragraphe.\n\nUne ligne,\n" + "[a" * nested + "x" + "](https://exemple.org)" * nested + "\n"
    start = time.perf_counter()
    message = problem(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'livre.md'}:10: ")
    assert "characters without a space here (the limit is 1000;" in message
    assert time.perf_counter() - start < 10


@pytest.mark.slow
def test_a_refused_manuscript_ends_with_a_clean_error_and_no_output(tmp_path: Path) -> None:
    """End to end: `fleuron build --format pdf` on the issue's nested links stops before any
    layout (4,000 levels took 11.5 s, 16,000 took 113 s), with the error at its line."""
    path = tmp_path / "livre.md"
    path.write_text(FRONT + "[a" * 4_000 + "x" + "](https://exemple.org)" * 4_000 + "\n", encoding="utf-8")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "fleuron", "build", str(path), "-o", str(tmp_path / "out"), "--format", "pdf"],
        capture_output=True,
        text=True,
        env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 1
    assert f"{path}:7: 8008 characters without a space here (the limit is 1000;" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out").glob("*.pdf"))
    assert time.perf_counter() - start < 30
