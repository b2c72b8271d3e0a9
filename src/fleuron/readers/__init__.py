"""Readers: source text -> the document model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Document

FORMATS = ("markdown", "plaintext")


def read(
    text: str, format: str = "markdown", path: str = "<string>", defaults: Mapping[str, Any] | None = None
) -> Document:
    """`defaults`: front matter values for the keys the manuscript does not give (`fleuron.toml`)."""
    # Each reader imported when asked for: a build reads one kind of file.
    if format == "markdown":
        from .markdown import read_markdown

        return read_markdown(text, path, defaults)
    if format == "plaintext":
        from .plaintext import read_plaintext

        return read_plaintext(text, path, defaults=defaults)
    raise ValueError(f"unknown input format {format!r}; Fleuron reads: {', '.join(FORMATS)}")
