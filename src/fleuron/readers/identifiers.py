"""Heading anchors: readable, unique, valid as XML IDs (EPUBCheck rejects colons and leading digits)."""

from __future__ import annotations

import re
import unicodedata

from ..model import Inline
from ..walk import plain_text

# Footnote anchors are `fn1`, `fnref1`, `fnref1-2`: headings must not take those names.
_NOTE_ANCHOR = re.compile(r"fn(ref)?\d+(-\d+)?")


def ascii_slug(text: str) -> str:
    """`"1. L’été, déjà !"` -> `"1-l-ete-deja"`: ASCII letters and digits joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


class IdentifierMaker:
    """Gives each heading of one document its own identifier, in the order they come."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next: dict[str, int] = {}  # the suffix to try next for a base (10,000 equal titles stay linear)

    def make(self, content: tuple[Inline, ...]) -> str:
        # Like pandoc: drop what precedes the first letter ("1. Titre" -> "titre").
        base = re.sub(r"^[^a-z]+", "", ascii_slug(plain_text(content))) or "section"
        if _NOTE_ANCHOR.fullmatch(base):
            base += "-section"
        n = self.next.get(base, 1)
        identifier = base if n == 1 else f"{base}-{n - 1}"
        while identifier in self.taken:
            identifier, n = f"{base}-{n}", n + 1
        self.next[base] = n
        self.taken.add(identifier)
        return identifier
