"""Readers: source text -> the document model."""

from __future__ import annotations

from ..model import Document
from .markdown import read_markdown
from .plaintext import read_plaintext

FORMATS = ("markdown", "plaintext")


def read(text: str, format: str = "markdown", path: str = "<string>") -> Document:
    if format == "markdown":
        return read_markdown(text, path)
    if format == "plaintext":
        return read_plaintext(text, path)
    raise ValueError(f"unknown input format {format!r}; Fleuron reads: {', '.join(FORMATS)}")
