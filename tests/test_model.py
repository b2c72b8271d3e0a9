"""The model: frozen, closed, and losslessly printable as versioned JSON (`fleuron ast`)."""

from __future__ import annotations

import dataclasses
import json

import pytest

import fleuron
from fleuron.model import AST_VERSION, Paragraph, Text, from_json, to_json

from helpers import ARTICLE_MD
from markdown_corpus import corpus


def test_nodes_are_frozen() -> None:
    para = Paragraph((Text("a"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        para.content = ()  # type: ignore[misc]


def test_article_round_trips_through_json() -> None:
    doc = fleuron.load(ARTICLE_MD)
    data = json.loads(json.dumps(to_json(doc), ensure_ascii=False))
    assert data["fleuron-ast"] == AST_VERSION
    assert data["blocks"][0]["t"] == "Paragraph"
    assert data["blocks"][0]["pos"] == {"t": "SourcePos", "file": str(ARTICLE_MD), "line": 14}
    assert from_json(data) == doc


def test_every_construct_round_trips() -> None:
    for name, markdown in corpus():
        doc = fleuron.parse(markdown)
        assert from_json(json.loads(json.dumps(to_json(doc)))) == doc, name


def test_unknown_version_is_refused() -> None:
    data = to_json(fleuron.parse("x"))
    data["fleuron-ast"] = "0.0"
    with pytest.raises(ValueError, match="unsupported AST version"):
        from_json(data)
