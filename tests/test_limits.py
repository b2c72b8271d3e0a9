"""What Fleuron refuses before any writer, so that no manuscript or image can make a build run
for hours or put an address into an ebook: SVG images that point outside themselves (in any
attribute, or through an animation), and the limits of `checks.py` on what makes WeasyPrint's
layout cost explode."""

from __future__ import annotations

from pathlib import Path

import pytest

from fleuron.checks import check_document
from fleuron.errors import FleuronError
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
