"""The one exception Fleuron raises for bad input, shaped as `file:line: message`."""

from __future__ import annotations


class FleuronError(Exception):
    """A problem the user can fix: it names the file, the line when known, and what to do."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = self.file or ""
        if where and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message
