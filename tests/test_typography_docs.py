"""docs/typography.md shows the examples of tests/data/typography-vectors.json as they are."""

from __future__ import annotations

import json
import re

from helpers import ROOT

DOC = ROOT / "docs" / "typography.md"
VECTORS = ROOT / "tests" / "data" / "typography-vectors.json"
NB, NN = "\u00a0", "\u202f"


def _code(cell: str) -> str:
    """The text of a cell's code span, as CommonMark reads it; "unchanged" as it is."""
    match = re.match(r"(`+)(.*?)\1(?: \(.*\))?$", cell)
    if match is None:
        return cell
    text = match[2]
    if text.startswith(" ") and text.endswith(" ") and text.strip():
        text = text[1:-1]
    return text.replace("{NB}", NB).replace("{NN}", NN)


def _documented() -> dict[str, tuple[str, str]]:
    """Each table row `| id | written | becomes |` of the document."""
    rows: dict[str, tuple[str, str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\| ([a-z]+-\d+) \| (.*) \| (.*) \|", line)
        if match:
            written, becomes = _code(match[2]), _code(match[3])
            rows[match[1]] = (written, written if becomes == "unchanged" else becomes)
    return rows


def test_every_documented_example_is_a_vector() -> None:
    vectors = {v["id"]: (v["input"], v["expected"]) for v in json.loads(VECTORS.read_text(encoding="utf-8"))}
    documented = _documented()
    assert len(documented) > 60
    for id_, example in documented.items():
        assert vectors[id_] == example, id_
