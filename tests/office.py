"""Word and OpenDocument files for the tests, made by another program: pandoc (the
`pypandoc-binary` wheel's executable) from a Markdown source with every feature the readers
carry across. What pandoc cannot write (tracked changes, comments, fields, breaks, endnotes,
localized style ids) is added by `edit_part`, a minimal edit of pandoc's own XML."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image as Pillow

from fleuron.model import Block, Document, FootnoteDef
from fleuron.writers.markdown import blocks_to_markdown

TITLE = "Le Livre d’essai"
SUBTITLE = "Un sous-titre"
AUTHORS = ["Marie Curie", "Pierre Curie"]
ALT = "Un carré rouge de test"
BODY = """\
# Premier chapitre

Un texte *en italique* et **en gras**, des [petites capitales]{.smallcaps}, E = mc^2^ et H~2~O.
Une note[^1] et un lien [vers ailleurs](https://example.org/page).\\
Après le saut de ligne, 10\u00a0000 mots et «\u202fguillemets\u202f». Vraiment !

## Une section

1. premier
2. deuxième
   - puce a
   - puce b
3. troisième

Un paragraphe entre deux listes.

5. cinquième
6. sixième

> Une citation assez longue pour être une citation.

### Plus bas

| Nom | Âge |
|-----|-----|
| Jean | 30 |
| Anne | 42 |

![Un carré rouge de test](carre.png)

Une autre note[^2] pour finir.

[^1]: La première note.
[^2]: La seconde note, plus longue.
"""
NOTES = ["La première note.", "La seconde note, plus longue."]
OUTLINE = [(1, "Premier chapitre"), (2, "Une section"), (3, "Plus bas")]
FRONT = f"""\
---
title: "{TITLE}"
subtitle: "{SUBTITLE}"
author:
  - {AUTHORS[0]}
  - {AUTHORS[1]}
lang: fr-FR
date: 2024-03-15
description: Un livre pour les tests.
keywords: [essai, lecture]
---

"""


def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def red_square() -> bytes:
    out = io.BytesIO()
    Pillow.new("RGB", (6, 6), (200, 20, 20)).save(out, format="PNG")
    return out.getvalue()


def make(folder: Path, suffix: str, body: str = BODY, name: str = "livre") -> Path:
    """`folder/name.docx` (or `.odt`), written by pandoc from the front matter and `body`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "carre.png").write_bytes(red_square())
    source = folder / f"{name}-source.md"
    source.write_text(FRONT + body, encoding="utf-8")
    target = folder / f"{name}{suffix}"
    subprocess.run([pandoc_path(), source.name, "-o", target.name], cwd=folder, check=True, timeout=120)
    (folder / "carre.png").unlink()
    source.unlink()
    return target


def edit_part(package: Path, part: str, change: Callable[[str], str], add: dict[str, str] | None = None) -> None:
    """Rewrite one XML part of a package in place (and add others), keeping every other part."""
    with zipfile.ZipFile(package) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    for name, text in (add or {}).items():
        parts[name] = text.encode("utf-8")
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as new:
        if "mimetype" in parts:  # ODF: first, stored
            new.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"), zipfile.ZIP_STORED)
        for name, data in parts.items():
            new.writestr(name, data)


_WORD = re.compile(r"\w+")


def markdown_words(markdown: str) -> list[str]:
    """The words a reader sees, from Markdown: without the front matter, the notes' texts,
    addresses, attributes and note calls. Used the same way on the source and on the output."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"^\[\^\w+\]:.*$", "", text, flags=re.M)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[\^\w+\]", "", text)
    return _WORD.findall(text)


def body_words(doc: Document) -> list[str]:
    """The words of the document's text, notes apart."""
    return markdown_words(blocks_to_markdown(_without_notes(doc.blocks)))


def _without_notes(blocks: tuple[Block, ...]) -> list[Block]:
    return [block for block in blocks if not isinstance(block, FootnoteDef)]


def assert_comes_across(doc: Document) -> None:
    """Everything BODY and FRONT say, in the model read from a package pandoc wrote."""
    from fleuron.model import (
        BlockQuote,
        BulletList,
        Emph,
        Figure,
        FootnoteRef,
        HardBreak,
        Heading,
        Image,
        Link,
        OrderedList,
        Paragraph,
        Strong,
        Styled,
        Table,
    )
    from fleuron.walk import block_inline_runs, iter_blocks, iter_inlines, plain_text

    assert body_words(doc) == markdown_words(BODY)
    assert [(b.level, plain_text(b.content)) for b in doc.blocks if isinstance(b, Heading)] == OUTLINE
    meta = doc.meta
    assert (meta.title, meta.subtitle, list(meta.authors), meta.lang) == (TITLE, SUBTITLE, AUTHORS, "fr-FR")
    assert (str(meta.date), meta.description, list(meta.keywords)) == (
        "2024-03-15",
        "Un livre pour les tests.",
        ["essai", "lecture"],
    )
    # The notes, as notes: each call's label names a definition holding the note's text.
    inlines = [i for b in iter_blocks(doc.blocks) for run in block_inline_runs(b) for i in iter_inlines(run)]
    calls = [i.label for i in inlines if isinstance(i, FootnoteRef)]
    notes = {
        b.label: " ".join(plain_text(r) for x in b.blocks for r in block_inline_runs(x))
        for b in doc.blocks
        if isinstance(b, FootnoteDef)
    }
    assert [notes[label] for label in calls] == NOTES
    # Styles, links, breaks and no-break spaces.
    found = {
        (type(i).__name__, getattr(i, "style", ""), plain_text(i.content))
        for i in inlines
        if isinstance(i, (Emph, Strong, Styled))
    }
    assert {("Emph", "", "en italique"), ("Strong", "", "en gras"), ("Styled", "smallcaps", "petites capitales"),
            ("Styled", "superscript", "2"), ("Styled", "subscript", "2")} <= found  # fmt: skip
    assert [(i.target, plain_text(i.content)) for i in inlines if isinstance(i, Link)] == [
        ("https://example.org/page", "vers ailleurs")
    ]
    assert any(isinstance(i, HardBreak) for i in inlines)
    text = " ".join(plain_text(run) for b in iter_blocks(doc.blocks) for run in block_inline_runs(b))
    assert "10\u00a0000" in text and "«\u202fguillemets\u202f»" in text
    # Lists: nesting and start numbers.
    lists = [b for b in doc.blocks if isinstance(b, OrderedList)]
    assert [(lst.start, len(lst.items)) for lst in lists] == [(1, 3), (5, 2)]
    nested = lists[0].items[1].blocks
    assert isinstance(nested[-1], BulletList) and len(nested[-1].items) == 2
    (quote,) = [b for b in doc.blocks if isinstance(b, BlockQuote)]
    assert isinstance(quote.blocks[0], Paragraph)
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert [plain_text(c) for c in table.header] == ["Nom", "Âge"]
    assert [[plain_text(c) for c in row] for row in table.rows] == [["Jean", "30"], ["Anne", "42"]]
    # The image, with its description, and its bytes.
    images = [b.image for b in doc.blocks if isinstance(b, Figure)] + [i for i in inlines if isinstance(i, Image)]
    (image,) = images
    assert plain_text(image.alt) == ALT
    import base64

    assert image.source.startswith("data:image/png;base64,")
    assert base64.b64decode(image.source.partition(",")[2]) == red_square()
