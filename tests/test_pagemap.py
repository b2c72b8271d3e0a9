"""The print edition's page starts, found in the model's text."""

from __future__ import annotations

import fleuron as api
from fleuron.writers.pagemap import page_breaks

DOC = api.parse(
    "---\ntitle: T\nlang: fr\n---\nPremier paragraphe, assez long pour être coupé.\n\n"
    "## Partie\n\nDeuxième *paragraphe* avec `du code` et la suite.\n"
)


def test_pages_start_in_the_right_blocks_at_the_right_offsets() -> None:
    starts = [
        "T",  # the title page: no body text of the model
        "",  # a blank page
        "Premier para-",  # hyphenated by the layout
        "long pour être coupé. Partie",  # inside the first paragraph
        "Partie",
        "paragraphe avec du code et la suite.",  # inside an emphasis
        "",  # a blank page at the end
    ]
    breaks = page_breaks(DOC, starts)
    assert breaks == {
        0: [(0, "1"), (0, "2"), (0, "3"), (26, "4")],  # "long" is at offset 26 of the first paragraph
        1: [(0, "5")],
        2: [(9, "6"), (44, "7")],  # the last page begins after the last letter
    }


def test_every_page_gets_a_break_even_when_nothing_matches() -> None:
    breaks = page_breaks(DOC, ["x", "y", "z"])
    assert sorted(label for marks in breaks.values() for _, label in marks) == ["1", "2", "3"]
