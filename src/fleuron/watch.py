"""`fleuron watch`: rebuild on every change and serve an HTML preview on localhost that reloads
itself. The preview is the ebook's text with the ebook's stylesheet; errors show in it too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import FleuronError
from .messages import _
from .writers.images import IMAGE_MEDIA_TYPES
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
        self.images: dict[str, Path] = {}  # the page's image addresses and the files they serve

    def update(self, page: str, images: dict[str, Path]) -> None:
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
                elif self.path in preview.images:  # only the files the manuscript shows
                    path = preview.images[self.path]
                    body, kind = (
                        path.read_bytes(),
                        IMAGE_MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                    )
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


def preview_page(source: Path | None) -> tuple[str, dict[str, Path]]:
    """The book's text as the ebook shows it, with the addresses of its images; or the error
    that stopped the build."""
    from .checks import check_document
    from .pipeline import load_book, plan
    from .writers.images import local_images
    from .writers.stylesheets import stylesheet
    from .writers.xhtml import XhtmlWriter

    try:
        request = plan(source)
        doc = load_book(request.sources, request.config.defaults)
        check_document(doc)
        images = local_images(doc)
    except FleuronError as error:
        body = f'<p class="error">{escape(str(error))}</p>\n'
        style = "<style>.error { color: #a00; font-family: monospace; }</style>\n"
        return xhtml_document("Fleuron", "en", body, style), {}
    addresses = {source: f"/__image/{n}" for n, source in enumerate(images, 1)}
    writer = XhtmlWriter(doc, continuous_headings=True, image_source=lambda source: addresses.get(source, source))
    body = f'<h1 class="title">{escape(doc.meta.title)}</h1>\n' + writer.blocks(doc.blocks)
    body += writer.footnotes(writer.notes.entries)
    style = f"<style>\n{stylesheet(doc, 'epub.css')}\nbody {{ max-width: 40em; margin: 2em auto; }}\n</style>\n"
    served = {addresses[source]: image.path for source, image in images.items()}
    return xhtml_document(doc.meta.title, doc.meta.lang, body, style), served


def watch(
    source: Path | None,
    port: int,
    rebuild: Callable[[], None],
    say: Callable[[str], None],
) -> None:
    """Build, serve, and build again whenever a file of the project changes, until Ctrl-C."""
    import watchfiles

    from .pipeline import plan

    preview = Preview()

    def refresh() -> None:
        try:
            rebuild()
        except FleuronError as error:
            say(_("error: {message}", message=error))
        preview.update(*preview_page(source))

    refresh()
    server = serve(preview, port)
    say(_("preview: {address}", address=f"http://127.0.0.1:{server.server_address[1]}/"))
    request = plan(source)
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
