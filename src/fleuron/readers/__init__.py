"""Readers: source text -> the document model."""

from __future__ import annotations

from ..model import Document
from .markdown import read_markdown

FORMATS = ("markdown",)


def read(text: str, format: str = "markdown", path: str = "<string>") -> Document:
    if format != "markdown":
        raise ValueError(f"unknown input format {format!r}; Fleuron reads: {', '.join(FORMATS)}")
    return read_markdown(text, path)
