"""The document check (issue 13): one check after reading, before any writer, with the same
error (`file:line: …`), the same exit status and nothing written, whatever the formats."""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from fleuron.checks import MAX_IMAGE_PIXELS, check_document
from fleuron.errors import FleuronError
from fleuron.model import Document, Figure, Heading, Image, Link, Paragraph, SourcePos, Text
from fleuron.readers import read

from helpers import fleuron

FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2025-01-02\n---\n"  # 5 lines: the text starts at line 6


def png(width: int = 2, height: int = 2) -> bytes:
    """A 1-bit greyscale PNG of any size, all black, streamed through zlib: a 20000×20000 one
    takes a fraction of a second, a few megabytes of memory and about 60 kB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def pillow_image(kind: str) -> bytes:
    from PIL import Image as Pillow

    out = io.BytesIO()
    Pillow.new("RGB", (64, 48), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def manuscript(tmp_path: Path, text: str, front: str = FRONT, name: str = "livre.md") -> Path:
    path = tmp_path / name
    path.write_text(front + text, encoding="utf-8")
    return path


def load(path: Path) -> Document:
    return read(path.read_text(encoding="utf-8"), "markdown", str(path))


def problem(path: Path) -> str:
    with pytest.raises(FleuronError) as caught:
        check_document(load(path))
    return str(caught.value)


# --- Links, headings, identifiers ------------------------------------------------------------


def test_a_sound_document_passes(tmp_path: Path) -> None:
    (tmp_path / "chat.png").write_bytes(png(3, 2))
    (tmp_path / "photo.jpg").write_bytes(pillow_image("JPEG"))
    (tmp_path / "anim.gif").write_bytes(pillow_image("GIF"))
    (tmp_path / "dessin.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>')
    text = (
        "Voir [plus loin](#suite), [le site](https://example.org) et [moi](mailto:a@b.fr)[^n].\n\n"
        "![chat](chat.png) ![photo](photo.jpg) ![anim](anim.gif) ![dessin](dessin.svg) ![encore](chat.png)\n\n"
        "## Suite\n\n> - [retour](#suite)\n\n[^n]: Une note, vers [la suite](#suite).\n"
    )
    check_document(load(manuscript(tmp_path, text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Texte.\n\n- un\n- *voir [là](#nulle-part)*\n", "livre.md:9: the link to '#nulle-part' names no heading"),
        ("Voir [là](autre.md).\n", "livre.md:6: the link to 'autre.md' points to a file"),
        ("Texte.\n\n## \n\nTexte.\n", "livre.md:8: this heading has no text; give it one"),
        ("Texte[^a].\n\n[^a]: Une.\n\n[^a]: Deux.\n", "livre.md:10: the note '[^a]' is already defined at line 8"),
        ("[là](#nulle-part)\n\n[^a]: [ici](#rien)\n", "livre.md:6: the link to '#nulle-part'"),  # the first one
    ],
    ids=["dead-anchor-in-a-list", "file-link", "empty-heading", "note-defined-twice", "first-of-two"],
)
def test_links_headings_and_notes(tmp_path: Path, text: str, expected: str) -> None:
    assert problem(manuscript(tmp_path, text)).startswith(str(tmp_path / expected))


def test_two_headings_with_one_anchor(tmp_path: Path) -> None:
    doc = load(manuscript(tmp_path, "## Un\n\nTexte.\n\n## Deux\n"))
    blocks = tuple(dataclasses.replace(b, identifier="un") if isinstance(b, Heading) else b for b in doc.blocks)
    with pytest.raises(FleuronError) as caught:
        check_document(dataclasses.replace(doc, blocks=blocks))
    assert str(caught.value) == (
        f"{tmp_path / 'livre.md'}:10: this heading's anchor 'un' is already the one of the heading at line 6; "
        "give each heading its own"
    )


def test_a_link_that_is_no_address(tmp_path: Path) -> None:
    doc = load(manuscript(tmp_path, "Voir [là](https://example.org).\n"))
    (paragraph,) = doc.blocks
    assert isinstance(paragraph, Paragraph)
    broken = Paragraph((Link((Text("là"),), "http://[x"),), pos=paragraph.pos)
    with pytest.raises(FleuronError, match=r"livre\.md:6: the link to 'http://\[x' is not a valid address"):
        check_document(dataclasses.replace(doc, blocks=(broken,)))


def test_messages_are_in_french_for_a_french_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    path = manuscript(tmp_path, "Voir [là](#nulle-part).\n")
    assert problem(path).endswith(
        "le lien vers «\u202f#nulle-part\u202f» ne mène à aucun titre, aucune figure ni aucun tableau du livre"
    )


# --- Images ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("cut.png", png(40, 40)[:-20], "image 'cut.png' is damaged ("),
        ("texte.png", b"Ceci n'est pas une image.\n", "image 'texte.png' is not a PNG image"),
        ("vide.png", b"", "image 'vide.png' is not a PNG image"),
        ("photo.png", "JPEG", "image 'photo.png' is a JPEG image under a name that says PNG; rename it to end in .jpg"),
        ("cut.jpg", "JPEG-cut", "image 'cut.jpg' is damaged ("),
        (
            "grand.png",
            png(8000, 8000),
            f"image 'grand.png' is 8000×8000 pixels, more than the {MAX_IMAGE_PIXELS // 10**6}",
        ),
        ("bombe.png", png(20000, 20000), "image 'bombe.png' has more than 50 million pixels"),
    ],
    ids=["truncated-png", "text-named-png", "empty-file", "jpeg-named-png", "truncated-jpeg", "too-large", "bomb"],
)
def test_images_that_cannot_be_read(tmp_path: Path, name: str, data: bytes | str, expected: str) -> None:
    if data == "JPEG":
        data = pillow_image("JPEG")
    elif data == "JPEG-cut":
        data = pillow_image("JPEG")[:300]
    assert isinstance(data, bytes)
    (tmp_path / name).write_bytes(data)
    path = manuscript(tmp_path, f"Texte.\n\nUne image : ![vue]({name}).\n")
    message = problem(path)
    assert message.startswith(f"{path}:8: {expected}"), message
    assert "Traceback" not in message


def test_a_huge_image_is_refused_without_being_decoded(tmp_path: Path) -> None:
    (tmp_path / "bombe.png").write_bytes(png(20000, 20000))  # 1.2 GB once decoded
    path = manuscript(tmp_path, "![x](bombe.png)\n")
    script = (
        "import resource, sys\n"
        "from fleuron.checks import check_document\n"
        "from fleuron.errors import FleuronError\n"
        "from fleuron.readers import load\n"
        "try:\n"
        "    check_document(load(sys.argv[1]))\n"
        "except FleuronError as error:\n"
        "    print(error)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"  # in KiB
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    message, peak_kib = done.stdout.splitlines()
    assert "more than 50 million pixels" in message
    assert int(peak_kib) < 300 * 1024, "the image was decoded"


def test_missing_image_and_figure_and_cover(tmp_path: Path) -> None:
    path = manuscript(tmp_path, "Texte.\n\n![absente](absente.png)\n")
    assert problem(path).startswith(f"{path}:8: image 'absente.png' not found")
    (tmp_path / "cut.png").write_bytes(png(30, 30)[:-30])
    doc = load(manuscript(tmp_path, "Texte.\n"))
    figure = Figure(Image((Text("vue"),), "cut.png"), (Text("Légende"),), pos=SourcePos(str(path), 12))
    with pytest.raises(FleuronError, match=r"livre\.md:12: image 'cut\.png' is damaged"):
        check_document(dataclasses.replace(doc, blocks=(*doc.blocks, figure)))
    cover = manuscript(tmp_path, "Texte.\n", front=FRONT.replace("---\n", "---\ncover: cut.png\n", 1))
    assert problem(cover).startswith(f"{cover}:2: image 'cut.png' is damaged")  # the line of `cover:`


def test_the_first_problem_in_the_text_is_the_one_reported(tmp_path: Path) -> None:
    (tmp_path / "texte.png").write_text("pas une image")
    image_first = manuscript(tmp_path, "![x](texte.png)\n\n[là](#nulle-part)\n")
    assert problem(image_first).startswith(f"{image_first}:6: image 'texte.png'")
    link_first = manuscript(tmp_path, "[là](#nulle-part)\n\n![x](texte.png)\n")
    assert problem(link_first).startswith(f"{link_first}:6: the link to '#nulle-part'")


def test_pillow_is_imported_only_for_raster_images(tmp_path: Path) -> None:
    (tmp_path / "dessin.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>')
    (tmp_path / "chat.png").write_bytes(png())
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from fleuron.checks import check_document\nfrom fleuron.readers import read\n"
        "for name, expected in (('svg.md', False), ('png.md', True)):\n"
        "    path = Path(sys.argv[1]) / name\n"
        "    check_document(read(path.read_text(encoding='utf-8'), 'markdown', str(path)))\n"
        "    assert ('PIL' in sys.modules) is expected, name\n"
    )
    manuscript(tmp_path, "![dessin](dessin.svg) [lien](https://example.org)\n", name="svg.md")
    manuscript(tmp_path, "![chat](chat.png)\n", name="png.md")
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, env={**os.environ}
    )
    assert result.returncode == 0, result.stderr


# --- Every format fails the same way (needs the pipeline's call to `check_document`) -------------


@pytest.mark.parametrize("fmt", ["epub", "pdf", "html", "handout"])
def test_every_format_stops_at_a_dead_anchor(tmp_path: Path, fmt: str) -> None:
    write_manuscript = manuscript(tmp_path, "Texte.\n\nVoir [x](#nowhere).\n", name="manuscript.md")
    result = fleuron("build", str(write_manuscript), "-o", str(tmp_path / "out"), "--format", fmt, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "manuscript.md:8: the link to '#nowhere' names no heading, figure or table of the book" in result.stderr
    assert "No anchor" not in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_every_format_stops_at_an_image_that_does_not_decode(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "vue.png").write_bytes(png(30, 30)[:-30])
    source = manuscript(tmp_path, "Texte.\n\n![vue](vue.png)\n", name="manuscript.md")
    result = fleuron("build", str(source), "-o", str(tmp_path / "out"), "--format", fmt, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "manuscript.md:8: image 'vue.png' is damaged" in result.stderr
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir())


def test_a_later_chapters_anchor_renamed_never_takes_an_existing_one(tmp_path: Path) -> None:
    from fleuron.pipeline import load_book

    first = manuscript(tmp_path, "# Intro\n\nUn.\n\n# Intro 2\n\nDeux.\n", name="un.md")
    second = manuscript(tmp_path, "# Intro\n\nTrois, voir [plus haut](#intro).\n", front="", name="deux.md")
    doc = load_book([first, second])
    check_document(doc)  # no two headings with one anchor
    anchors = [block.identifier for block in doc.blocks if isinstance(block, Heading)]
    assert len(set(anchors)) == len(anchors) == 3
    link = next(inline for block in doc.blocks if isinstance(block, Paragraph) for inline in block.content
                if isinstance(inline, Link))  # fmt: skip
    assert link.target == "#" + anchors[2]  # the chapter's own heading
