"""The manuscript of record: the author's article, every character kept, in Markdown."""

from __future__ import annotations

import re

import fleuron
from fleuron.model import BulletList, Heading, OrderedList, Paragraph
from fleuron.walk import iter_blocks, plain_text

from helpers import ARTICLE_MD, ARTICLE_TXT, article_outline


def body_lines() -> list[str]:
    text = ARTICLE_MD.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    return [line for line in body.split("\n") if line.strip()]


def test_every_character_of_the_author_is_kept() -> None:
    # Remove only the Markdown heading marks: what remains is the author's text, line for line.
    unmarked = [re.sub(r"^#{2,3} ", "", line) for line in body_lines()]
    assert unmarked == ARTICLE_TXT.read_text(encoding="utf-8").split("\n")


def test_outline() -> None:
    doc = fleuron.load(ARTICLE_MD)
    blocks = list(iter_blocks(doc.blocks))
    parts = [plain_text(b.content) for b in blocks if isinstance(b, Heading) and b.level == 2]
    assert [p.split(".")[0] for p in parts] == ["1", "2", "3", "4"]
    subheadings = [plain_text(b.content) for b in blocks if isinstance(b, Heading) and b.level == 3]
    outline = article_outline()
    assert len(parts) == outline.parts and len(subheadings) == outline.subheadings
    assert [s for s in subheadings if s[0].isdigit()] == [
        "1. Bloque du temps pour “rester connecté”",
        "2. Crée des temps d’échange avec les équipes techniques",
        "3. Redéfinis ta zone d’intervention",
        "4. Forme-toi autrement : pense système",
    ]
    assert not [b for b in blocks if isinstance(b, (Heading)) and b.level not in (2, 3)]
    assert not [b for b in blocks if isinstance(b, OrderedList)], "a numbered title was read as a list"
    lists = [b for b in doc.blocks if isinstance(b, BulletList)]
    assert sum(len(b.items) for b in lists) == outline.items
    assert all(len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph) for b in lists for item in b.items)
    top_paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    source_lines = ARTICLE_TXT.read_text(encoding="utf-8").split("\n")
    assert len(top_paragraphs) == len(source_lines) - len(parts) - len(subheadings) - outline.items


def test_front_matter() -> None:
    meta = fleuron.load(ARTICLE_MD).meta
    assert meta.title == "Du technicien au leader"
    assert meta.lang == "fr"
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", meta.identifier
    )
    assert meta.date is not None and meta.rights and meta.description
    assert meta.authors == ()  # no author is known, none is invented
    assert meta.slug == "du-technicien-au-leader"
