"""`fleuron watch`: rebuild on every change and serve an HTML preview on localhost that reloads
itself. The preview is the ebook's text with the ebook's stylesheet; errors show in it too. It
serves the images' bytes as its build checked them: a file changed or swapped for a link since
is never read by the server, and is checked again by the next build."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import FleuronError
from .messages import _
from .writers.images import LocalImage, check_svg
from .writers.xhtml import escape, xhtml_document

# Asks the server every second whether a new build is there, and reloads the page if so.
_RELOAD = """<script>
(function () {{
  var seen = "{version}";
  setInterval(function () {{
    fetch("/__version").then(function (r) {{ return r.text(); }}).then(function (v) {{
      if (v !== seen) {{ location.reload(); }}
    }}).catch(function () {{}});
  }}, 1000);
}})();
</script>
"""


class Preview:
    """The page the server shows, and a version number that changes with every build."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 0
        self.page = ""
        #: The page's image addresses, and the bytes and media type each serves.
        self.images: dict[str, tuple[bytes, str]] = {}

    def update(self, page: str, images: dict[str, tuple[bytes, str]]) -> None:
        with self.lock:
            self.version += 1
            self.page = page.replace("</body>", _RELOAD.format(version=self.version) + "</body>")
            self.images = images


def serve(preview: Preview, port: int) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 only (never on the network), in a thread of its own."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with preview.lock:
                if self.path == "/__version":
                    body, kind = str(preview.version).encode(), "text/plain"
                elif self.path in ("/", "/index.html"):
                    body, kind = preview.page.encode("utf-8"), "text/html; charset=utf-8"
                elif self.path in preview.images:  # only the images the build checked, as it read them
                    body, kind = preview.images[self.path]
                else:
                    self.send_error(404)
                    return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal is for build messages

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def preview_page(
    source: Path | None, out_dir: Path | None = None, allow_outside: bool = False
) -> tuple[str, dict[str, tuple[bytes, str]]]:
    """The book's text as the ebook shows it, with its images' addresses and their checked
    bytes; or the error that stopped the build."""
    from .checks import check_document
    from .pipeline import load_book, plan
    from .writers.images import local_images
    from .writers.stylesheets import stylesheet
    from .writers.xhtml import XhtmlWriter

    try:
        request = plan(source, out_dir, allow_outside=allow_outside)
        doc = load_book(request.sources, request.config.defaults)
        check_document(doc)
        images = local_images(doc)
        data = {name: _checked_bytes(image) for name, image in images.items()}
    except FleuronError as error:
        body = f'<p class="error">{escape(str(error))}</p>\n'
        style = "<style>.error { color: #a00; font-family: monospace; }</style>\n"
        return xhtml_document("Fleuron", "en", body, style), {}
    addresses = {source: f"/__image/{n}" for n, source in enumerate(images, 1)}
    writer = XhtmlWriter(doc, continuous_headings=True, image_source=lambda source: addresses.get(source, source))
    body = f'<h1 class="title">{escape(doc.meta.title)}</h1>\n' + writer.blocks(doc.blocks)
    body += writer.footnotes(writer.notes.entries)
    style = f"<style>\n{stylesheet(doc, 'epub.css')}\nbody {{ max-width: 40em; margin: 2em auto; }}\n</style>\n"
    served = {addresses[source]: (data[source], image.media_type) for source, image in images.items()}
    return xhtml_document(doc.meta.title, doc.meta.lang, body, style), served


def _checked_bytes(image: LocalImage) -> bytes:
    """The bytes of an image the build has just checked (`image.path`, its links followed),
    read without following a link put in its place since, and an SVG checked again."""
    try:
        handle = os.open(image.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise OSError(0, "not a regular file")
            data = file.read()
    except OSError as error:
        reason = error.strerror or str(error)
        raise FleuronError(_("cannot read the file: {reason}", reason=reason), str(image.path)) from None
    if image.media_type == "image/svg+xml":
        check_svg(data, _("image '{source}'", source=image.source))
    return data


def watch(
    source: Path | None,
    port: int,
    rebuild: Callable[[], None],
    say: Callable[[str], None],
    *,
    out_dir: Path | None = None,
    allow_outside: bool = False,
) -> None:
    """Build, serve, and build again whenever a file of the project changes, until Ctrl-C.
    `out_dir` and `allow_outside`: as given to `rebuild` (`pipeline.plan`)."""
    import watchfiles

    from .pipeline import plan

    preview = Preview()

    def refresh() -> None:
        try:
            rebuild()
        except FleuronError as error:
            say(_("error: {message}", message=error))
        preview.update(*preview_page(source, out_dir, allow_outside))

    refresh()
    server = serve(preview, port)
    say(_("preview: {address}", address=f"http://127.0.0.1:{server.server_address[1]}/"))
    request = plan(source, out_dir, allow_outside=allow_outside)
    roots = {
        request.config.root,
        *(s.parent for s in request.sources),
        *(s.parent.parent / "styles" for s in request.sources),
    }
    watched = [str(r) for r in roots if r.is_dir()]
    output = request.out_dir.resolve()
    try:
        for _changes in watchfiles.watch(
            *watched, watch_filter=lambda _, path: output not in Path(path).resolve().parents
        ):
            refresh()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
