"""Makes `bench/novel/`, the long book the bench and `tests/test_novel.py` measure on, from a
text no one here wrote: Jules Verne's *Le Tour du monde en quatre-vingts jours* (1873) as
Project Gutenberg published it (EBook #800, produced by ebooksgratuits), from the GITenberg
mirror. Verne died in 1905: the work is in the public domain.

    git -C <GITenberg/Le-tour-du-monde-en-quatre-vingts-jours_800> show \\
        28573e09606c48b809d9e50c66c619822fefe0ea:800-8.txt > 800-8.txt
    .venv/bin/python bench/make_novel.py 800-8.txt

The same input bytes (checked by their SHA-256) always give the same files. What it does, and
only this: Project Gutenberg's header, licence and footer go (the licence asks for that when
its name goes), with the title page and the table of contents that Fleuron makes itself; the
ISO-8859-1 text becomes UTF-8 Markdown, one file a chapter, each paragraph on one line. The
words, the spelling, the capitals of the chapter titles, the `--` dashes, the guillemets
without spaces and the `_italics_` are kept as they are: the French typography is Fleuron's
work. Three passages set apart in the source keep their lines (a telegram, quoted; the
itinerary of the wager and a poster, one line each), and the one footnote becomes a Markdown
note. Characters Markdown would read as markup are escaped.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOVEL = HERE / "novel"
SOURCE_SHA256 = "e3fb834a4b93a4b936f0c91fb32ec130187df4159be6c296570d727bb325ec1b"
ROMAN = re.compile(r"^[IVXL]+$")
NOTE = re.compile(r"\[(\d+)\]\s+")

FRONT_MATTER = """\
---
title: "Le Tour du monde en quatre-vingts jours"
author: "Jules Verne"
lang: fr
# Project Gutenberg's posting of this text (EBook #800); the novel appeared in 1873.
date: 2013-10-05
rights: "Domaine public"
slug: tour-du-monde
description: >-
  Le roman de Jules Verne (1873), d'après le texte du Projet Gutenberg
  (EBook n° 800, produit par ebooksgratuits) : le long livre sur lequel
  Fleuron se mesure.
---

"""

CONFIG = """\
# The long book of the bench and of tests/test_novel.py, made by bench/make_novel.py: edit
# that script rather than these files.
[book]
sources = [
{sources}
]
output = "dist"
formats = ["epub", "pdf"]
"""

README = """\
# Le Tour du monde en quatre-vingts jours — the bench's long book

Jules Verne, *Le Tour du monde en quatre-vingts jours* (Hetzel, 1873), 37 chapters,
{words} words. Fleuron's `make bench` ("long book") and `tests/test_novel.py` build it.

**Source.** Project Gutenberg's EBook #800 (posted 2013-10-05, produced by ebooksgratuits), as
mirrored by GITenberg: repository `GITenberg/Le-tour-du-monde-en-quatre-vingts-jours_800`,
commit `28573e09606c48b809d9e50c66c619822fefe0ea`, file `800-8.txt` (ISO-8859-1,
SHA-256 `{sha}`).

**Licence.** Jules Verne died in 1905: the novel is in the public domain (in France since
1976, 70 years after the year of his death; the source's metadata says "Public domain in the
USA"). Project Gutenberg's header, licence and footer were removed, as its licence asks of a
copy that no longer bears its name; nothing of Project Gutenberg's trademark is used here.
These files are in the public domain too.

**What was changed.** `bench/make_novel.py` made these files, deterministically, and says
exactly what it does: one Markdown file a chapter (the first holds the front matter), each
paragraph on one line, the title page and the table of contents dropped (Fleuron makes its
own), the one footnote made a Markdown note, a telegram quoted, the wager's itinerary and a
poster kept line by line. The words, the capitals of the chapter titles, the `--` dashes, the
guillemets without spaces and the `_italics_` are the source's: Fleuron's French typography
does the rest. Rebuild them with the commands in that script's docstring.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="800-8.txt from the GITenberg repository")
    parser.add_argument("-o", "--output", type=Path, default=NOVEL)
    arguments = parser.parse_args()
    raw = arguments.source.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{arguments.source}: SHA-256 {digest}, not the text this script was written for")
    chapters = split_chapters(raw.decode("iso-8859-1").replace("\r\n", "\n").replace("\r", "\n"))
    write(arguments.output, chapters)


def split_chapters(text: str) -> list[tuple[str, str, list[list[str]]]]:
    """(numeral, title, blocks of lines) of each chapter, between Project Gutenberg's markers;
    what stands before the first chapter (title page, contents) is left out."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("*** START OF"))
    end = next(i for i, line in enumerate(lines) if line.startswith("End of Project Gutenberg"))
    heads = [i for i in range(start, end) if ROMAN.match(lines[i])]
    chapters = []
    for number, (head, after) in enumerate(zip(heads, [*heads[1:], end], strict=True), 1):
        blocks = _blocks(lines[head + 1 : after])
        numeral = lines[head]
        if numeral != _roman(number):
            raise SystemExit(f"chapter {number} is numbered {numeral}")
        title = " ".join(line.strip() for line in blocks[0])
        chapters.append((numeral, title, blocks[1:]))
    if len(chapters) != 37:
        raise SystemExit(f"{len(chapters)} chapters, not 37")
    return chapters


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _roman(number: int) -> str:
    digits = [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in digits:
        while number >= value:
            out, number = out + letters, number - value
    return out


def markdown(numeral: str, title: str, blocks: list[list[str]]) -> str:
    """One chapter as Markdown: its heading, then each block as a paragraph, a quotation, lines
    kept with hard breaks, or the note's definition."""
    out = [f"# {numeral}. {_escape(title)}"]
    quoted = False
    for block in blocks:
        joined = " ".join(line.strip() for line in block)
        note = NOTE.match(joined)
        indented = block[0][:1].isspace()
        if note:
            out.append(f"[^{note[1]}]: " + _escape(joined[note.end() :]))
        elif indented and all(line[:1].isspace() for line in block) and block[0].strip().startswith("«"):
            # A telegram, one paragraph a line of it, signature included: one quotation.
            paragraph = "> " + _start(_escape(joined))
            out[-1:] = [out[-1] + "\n>\n" + paragraph] if quoted else [*out[-1:], paragraph]
            quoted = True
            continue
        elif any(line[:1].isspace() for line in block):
            # Lines set apart in the source (the itinerary, a poster): each kept as a line.
            out.append(" \\\n".join(_start(_escape(line.strip())) for line in block))
        else:
            out.append(_start(_escape(joined)))
        quoted = False
    return "\n\n".join(out) + "\n"


def _escape(text: str) -> str:
    """Markdown's inline markup taken as text, but for `_` (the source's italics, already
    Markdown's) and the source's note calls `[1]`, which become Markdown's `[^1]`."""
    text = re.sub(r"([\\`*<>&\[\]])", r"\\\1", text)
    return re.sub(r"\\\[(\d+)\\\]", r"[^\1]", text)


def _start(line: str) -> str:
    """A line that would open a list, a heading, a quotation or a rule, escaped."""
    line = re.sub(r"^(\d+)([.)])(\s|$)", r"\1\\\2\3", line)
    if re.match(r"[-+*](\s|$)|#{1,6}(\s|$)|>|~~~|[-=_]+\s*$", line):
        return "\\" + line
    return line


def write(folder: Path, chapters: list[tuple[str, str, list[list[str]]]]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "chapitres").mkdir(parents=True)
    names = []
    words = 0
    for number, chapter in enumerate(chapters, 1):
        name = f"chapitres/{number:02}.md"
        text = (FRONT_MATTER if number == 1 else "") + markdown(*chapter)
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
        words += len(" ".join(line for block in [[chapter[1]], *chapter[2]] for line in block).split())
    (folder / "fleuron.toml").write_text(
        CONFIG.format(sources="\n".join(f'    "{name}",' for name in names)), encoding="utf-8"
    )
    (folder / "README.md").write_text(README.format(words=f"{words:,}", sha=SOURCE_SHA256), encoding="utf-8")


if __name__ == "__main__":
    main()
