"""A manuscript's bytes as text: the one place Fleuron decodes what an author gives it (a
manuscript, a stylesheet, standard input). UTF-8, with or without a BOM; anything else is an
error that names the file, says what it is, and how to fix it."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import FleuronError
from ..messages import _

#: A manuscript file larger than this is refused: the book's layout takes about a minute and
#: 0.75 GB of memory per MB of text on two cores (SECURITY.md).
MAX_MANUSCRIPT_BYTES = 5_000_000

_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_source(path: Path | str) -> str:
    """A manuscript file's text, with an error naming the file for unreadable input: too large,
    binary, UTF-16, or not UTF-8."""
    path = Path(path)
    try:
        with path.open("rb") as file:  # at most one byte past the limit, even from a pipe or a device
            data = file.read(MAX_MANUSCRIPT_BYTES + 1)
    except OSError as error:
        raise FleuronError(_("cannot read the file: {reason}", reason=error.strerror), str(path)) from None
    if len(data) > MAX_MANUSCRIPT_BYTES:
        message = "the manuscript is larger than {limit} MB, the most Fleuron lays out (see SECURITY.md)"
        raise FleuronError(_(message, limit=MAX_MANUSCRIPT_BYTES // 1_000_000), str(path))
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            raise FleuronError(
                _("this is {encoding} text, not UTF-8; save the file as UTF-8", encoding=encoding), str(path)
            )
    if b"\0" in data[:8192]:
        raise FleuronError(_("this is a binary file, not a text manuscript"), str(path))
    return decode(data, str(path))


def decode(data: bytes, name: str) -> str:
    """UTF-8 text, its BOM dropped; else an error at the line of the first bad byte, with its
    offset in the file (BOM included)."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start
        line = len(re.split(rb"\r\n|\r|\n", data[:offset]))
        message = _(
            "not UTF-8 text (byte {offset} is 0x{value}); save the file as UTF-8",
            offset=offset,
            value=f"{data[offset]:02x}",
        )
        raise FleuronError(message, name, line) from None
