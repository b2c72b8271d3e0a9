"""`checks.unique_ids`: a span inside a heading that repeats the heading's own anchor would
write the id twice in one element's line (EPUBCheck: duplicate ID); it is refused too."""

from __future__ import annotations

import pytest

from fleuron.checks import check_document
from fleuron.errors import FleuronError
from fleuron.readers.markdown import read_markdown


def test_a_span_repeating_its_heading_s_anchor_is_refused() -> None:
    with pytest.raises(FleuronError) as raised:
        check_document(read_markdown("Texte.\n\n# Titre [mot]{#a} {#a}\n", "livre.md"))
    assert (
        str(raised.value) == "livre.md:3: the anchor 'a' is already given at line 3; give each element its own anchor"
    )


def test_a_heading_s_own_anchor_given_again_says_heading() -> None:
    with pytest.raises(
        FleuronError, match=r"livre\.md:3: this heading's anchor 'a' is already the one of the heading at line 1"
    ):
        check_document(read_markdown("# Un [mot]{#b} {#a}\n\n# Deux {#a}\n", "livre.md"))
