"""A catalogue's folder served on 127.0.0.1, for trying its feeds in a reading app: its files
with the media types the feeds announce, nothing hidden (the titles' states), nothing outside."""

from __future__ import annotations

from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .opds import ATOM_TYPE, OPDS_ATOM, OPDS_JSON, OPDS_JSON_TYPE, is_page


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (the base class's own attribute, extended)
        **SimpleHTTPRequestHandler.extensions_map,
        ".epub": "application/epub+zip",
        ".pdf": "application/pdf",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
    }

    def guess_type(self, path: str | object) -> str:
        name = Path(str(path)).name
        if Path(str(path)).parent == Path(self.directory):  # the catalogue's own files: every page of its feeds
            if is_page(OPDS_JSON, name):
                return OPDS_JSON_TYPE
            if is_page(OPDS_ATOM, name):
                return ATOM_TYPE
        return super().guess_type(path)  # type: ignore[arg-type]

    def send_head(self):  # type: ignore[no-untyped-def]
        parts = unquote(urlsplit(self.path).path).split("/")
        if any(part.startswith(".") for part in parts if part):  # the titles' states, a `..`
            self.send_error(404)
            return None
        return super().send_head()

    def list_directory(self, path: str | object):  # type: ignore[no-untyped-def]
        self.send_error(404)  # index.html is the listing
        return None

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path, port: int) -> ThreadingHTTPServer:
    """A server for `folder` on 127.0.0.1:`port` (0: any free port), not yet serving."""
    return ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, directory=str(folder.resolve())))
