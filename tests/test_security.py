"""A hostile manuscript cannot read, reach, inject, escape or crash, and nothing is lost
(SECURITY.md). Every test runs the real thing: the command in a fresh process, WeasyPrint,
EPUBCheck, real sockets and real signals."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import fleuron as api
from fleuron import FleuronError
from fleuron.model import Paragraph, RawBlock, RawInline, from_json, to_json
from fleuron.readers.markdown import MAX_INLINE_LEVEL
from fleuron.sanitize import sanitize_html
from fleuron.typography import typographize
from fleuron.walk import iter_inlines, plain_text
from fleuron.writers.epub import epub_bytes
from fleuron.writers.files import project_files
from fleuron.writers.images import resolve_image
from fleuron.writers.pdf import pdf_bytes
from fleuron.writers.xhtml import to_xhtml

from helpers import ARTICLE_MD, NS, ROOT, Epub, Lines, epubcheck, fleuron, png

FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2024-02-29\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000002\n"
SECRET = "fleuron-secret-7c1e"  # what a file outside the project holds; it must reach no output


def manuscript(folder: Path, body: str, front: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "livre.md"
    path.write_text(FRONT + front + "---\n" + body + "\n", encoding="utf-8")
    return path


def outputs_text(folder: Path) -> str:
    """Every byte written in `folder`, unzipped, as text: to look for a leaked secret."""
    parts = []
    for path in folder.rglob("*"):
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                parts += [book.read(name).decode("latin-1") for name in book.namelist()]
        elif path.is_file():
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def assert_clean_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.stderr.startswith("fleuron: error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# --- No file outside the project -----------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder `book/` beside a secret file, with a real image of its own."""
    (tmp_path / "secret.png").write_text(SECRET)
    (tmp_path / "secret.css").write_text(f"/* {SECRET} */")
    book = tmp_path / "book"
    book.mkdir()
    (book / "ok.png").write_bytes(png())
    return book


@pytest.mark.parametrize(
    "source",
    ["../secret.png", "/etc/passwd", "%2e%2e/secret.png", "link.png", "sub/../../secret.png", "/dev/zero"],
)
def test_images_outside_the_project_are_refused_by_both_outputs(project: Path, source: str) -> None:
    (project / "link.png").symlink_to(project.parent / "secret.png")
    path = manuscript(project, f"Texte.\n\n![une image]({source})")
    doc = api.load(path)
    with pytest.raises(FleuronError) as epub_error:
        epub_bytes(doc)
    with pytest.raises(FleuronError) as pdf_error:
        pdf_bytes(doc)
    assert str(epub_error.value) == str(pdf_error.value)
    assert str(epub_error.value).startswith(f"{path}:9: image '{source}' is outside the project")


def test_a_refused_image_stops_the_build_and_leaks_nothing(project: Path) -> None:
    (project / "link.png").symlink_to(project.parent / "secret.png")
    path = manuscript(project, "![x](ok.png)\n\n![y](link.png)")
    out = project / "dist"
    result = fleuron("build", str(path), "-o", str(out))
    assert_clean_error(result, "livre.md:9:", "outside the project", "it leads to")
    assert not out.exists() or SECRET not in outputs_text(out)


@pytest.mark.parametrize(
    "scheme",  # markdown-it takes a `file:` address for text: a whole EPUB is made, its page list laid out
    [
        pytest.param("file://", marks=pytest.mark.slow),
        pytest.param("file://localhost", marks=pytest.mark.slow),
        "ftp://127.0.0.1:9",
    ],
)
def test_other_schemes_are_refused(project: Path, scheme: str) -> None:
    secret = (project.parent / "secret.png").as_posix()
    path = manuscript(project, f"![x]({scheme}{secret})")
    out = project / "dist"
    result = fleuron("build", str(path), "-o", str(out), "--format", "epub")
    if result.returncode == 0:  # markdown-it itself does not take `file:` for an address: text
        assert f"![x]({scheme}{secret})" in Epub(out / "essai.epub").text()
        assert SECRET not in outputs_text(out)
    else:
        assert_clean_error(result, "livre.md:7:", "not a local file")
    with pytest.raises(FleuronError, match="not a local file"):  # a model made by a filter, say
        resolve_image(f"{scheme}{secret}", str(path), 7, project_files(api.load(path)), allow_remote=True)


def test_the_cover_obeys_the_same_rule(project: Path) -> None:
    path = manuscript(project, "Texte.", front="cover: ../secret.png\n")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "epub")
    assert_clean_error(result, "image '../secret.png' is outside the project")


@pytest.mark.slow
def test_images_inside_the_project_still_work(project: Path) -> None:
    (project / "images").mkdir()
    (project / "images" / "inner.png").symlink_to(project / "ok.png")  # a link that stays inside
    path = manuscript(project, "![a](ok.png)\n\n![b](images/inner.png)", front="cover: ok.png\n")
    out = project / "dist"
    result = fleuron("build", str(path), "-o", str(out), "--format", "epub,pdf")
    assert result.returncode == 0, result.stderr
    assert epubcheck(out / "essai.epub") == []


def project_styles(project: Path, extra_css: str) -> None:
    """The project's own `styles/` (beside the manuscript's folder): Fleuron's, plus `extra_css`."""
    styles = project.parent / "styles"
    styles.mkdir()
    for sheet in (ROOT / "styles").iterdir():
        if sheet.is_file():
            (styles / sheet.name).write_bytes(sheet.read_bytes())
    with (styles / "print.css").open("a") as css:
        css.write(extra_css)


@pytest.mark.slow
def test_the_pdf_fetcher_refuses_files_a_stylesheet_names(project: Path) -> None:
    secret = (project.parent / "secret.png").as_uri()
    project_styles(project, f'body {{ background: url("{secret}"); }}\n')
    path = manuscript(project, "Texte.")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "pdf")
    assert_clean_error(result, f"refused to load {secret}")


def test_a_stylesheet_linked_out_of_the_project_is_refused(project: Path) -> None:
    project_styles(project, "")
    styles = project.parent / "styles"
    (styles / "print.css").unlink()
    (styles / "print.css").symlink_to(project.parent / "secret.css")
    path = manuscript(project, "Texte.")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "html")
    assert_clean_error(result, "stylesheet 'print.css' is outside the project")


def test_a_styles_folder_linked_out_of_the_project_opens_nothing(project: Path) -> None:
    elsewhere = project.parent / "elsewhere"
    elsewhere.mkdir()
    for sheet in (ROOT / "styles").iterdir():
        if sheet.is_file():
            (elsewhere / sheet.name).write_bytes(sheet.read_bytes())
    (project.parent / "styles").symlink_to(elsewhere)
    path = manuscript(project, "Texte.")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "html")
    assert_clean_error(result, "stylesheet 'text.css' is outside the project")


def test_a_project_font_linked_out_of_the_project_is_not_used(project: Path) -> None:
    project_styles(project, "")
    styles = project.parent / "styles"
    (styles / "fonts").mkdir()
    (styles / "fonts" / "Evil.otf").symlink_to(project.parent / "secret.png")
    (styles / "fonts.toml").write_text(
        'family = "Evil"\n[[face]]\nrole = "text"\nweight = 400\nstyle = "normal"\nfile = "Evil.otf"\n'
    )
    path = manuscript(project, "Texte.")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "pdf")
    assert_clean_error(result, "font file Evil.otf of Evil not found")


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="file:///etc/passwd" width="1" height="1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://127.0.0.1:9/x.css);</style></svg>',
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    ],
)
def test_svg_images_that_could_run_or_load_something_are_refused(project: Path, svg: str) -> None:
    (project / "image.svg").write_text(svg)
    doc = api.load(manuscript(project, "![x](image.svg)"))
    with pytest.raises(FleuronError, match=r"livre\.md:7: image 'image\.svg' (holds|declares)"):
        epub_bytes(doc)


# --- No network ------------------------------------------------------------------------------


class Listener(ThreadingHTTPServer):
    """A local HTTP server that counts every connection made to it."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None) -> None:
        self.connections = 0
        self.routes = routes or {}
        super().__init__(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, Listener)
        status, headers, body = self.server.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener({"/a.png": (200, {"Content-Type": "image/png"}, png(3, 3))})
    yield server
    server.shutdown()
    server.server_close()


def test_the_listener_sees_what_comes(listener: Listener) -> None:
    # The tests below count on it: a connection is counted.
    import urllib.request

    with urllib.request.urlopen(listener.url("/a.png"), timeout=10) as response:
        assert response.read().startswith(b"\x89PNG")
    assert listener.connections == 1


@pytest.mark.parametrize(
    "image",
    ["http://127.0.0.1:{port}/a.png", "https://127.0.0.1:{port}/a.png", "//127.0.0.1:{port}/a.png",
     "ftp://127.0.0.1:{port}/a.png", "data:image/png;base64,{png}"],
)  # fmt: skip
def test_remote_images_are_refused_and_nothing_is_fetched(project: Path, listener: Listener, image: str) -> None:
    source = image.format(port=listener.server_address[1], png=base64.b64encode(png()).decode())
    path = manuscript(project, f"Texte.\n\n![x]({source})")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "epub,pdf,handout")
    assert_clean_error(result, "livre.md:9:", "is not a local file")
    assert listener.connections == 0


@pytest.mark.slow
def test_links_and_raw_html_reach_nothing(project: Path, listener: Listener) -> None:
    url = listener.url("/a.png")
    body = (
        f"[un lien]({url}) et <{url}>.\n\n"
        f'<img src="{url}"> <span style="background:url({url})">x</span> <link rel="stylesheet" href="{url}">\n\n'
        f'<iframe src="{url}"></iframe><object data="{url}"></object><video poster="{url}"></video>\n\n'
        f'<svg><image href="{url}"/></svg><style>@import url({url});</style><base href="{url}">'
    )
    for mode in ("read", "escape", "sanitize"):
        path = manuscript(project, body, front=f"raw_html: {mode}\n")
        result = fleuron("build", str(path), "-o", str(project / mode), "--format", "epub,pdf,html")
        assert result.returncode == 0, result.stderr
    assert listener.connections == 0


@pytest.mark.slow
def test_a_stylesheet_cannot_reach_the_network(project: Path, listener: Listener) -> None:
    project_styles(
        project, f'@import url("{listener.url("/x.css")}");\nbody {{ background: url("{listener.url("/a.png")}"); }}\n'
    )
    path = manuscript(project, "Texte.")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "pdf")
    assert_clean_error(result, "refused to load http://127.0.0.1:")
    assert listener.connections == 0


def test_an_svg_image_cannot_reach_the_network(project: Path, listener: Listener) -> None:
    (project / "image.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{listener.url("/a.png")}" width="1" height="1"/></svg>'
    )
    path = manuscript(project, "![x](image.svg)")
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "pdf")
    assert_clean_error(result, "holds a reference to")
    assert listener.connections == 0


@pytest.mark.slow
def test_allow_remote_fetches_images_into_a_valid_epub(project: Path, listener: Listener, tmp_path: Path) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(png(4, 4)).decode()
    path = manuscript(project, f"![loin]({listener.url('/a.png')})\n\n![là]({data_url})", front="allow_remote: true\n")
    out = project / "dist"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = fleuron("build", str(path), "-o", str(out), "--format", "epub,pdf", env=env)
    assert result.returncode == 0, result.stderr
    assert listener.connections >= 1
    assert epubcheck(out / "essai.epub") == []  # EPUB forbids remote images: they are inside
    with zipfile.ZipFile(out / "essai.epub") as book:
        images = [name for name in book.namelist() if "/images/" in name and "cover" not in name]
        assert sorted(book.read(name) for name in images) == sorted([png(3, 3), png(4, 4)])


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((302, {"Location": "file:///etc/passwd"}, b""), "could not be fetched"),
        ((302, {"Location": "ftp://127.0.0.1:9/a.png"}, b""), "which is not http or https"),
        ((200, {"Content-Type": "image/png"}, b"<html>not an image</html>"), "is not a PNG, JPEG, GIF or WebP image"),
        ((200, {"Content-Type": "image/svg+xml"}, b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "is not a PNG"),
        ((500, {}, b""), "could not be fetched"),
    ],
)
def test_allow_remote_refuses_redirects_out_of_http_and_non_images(
    project: Path, listener: Listener, tmp_path: Path, route: tuple[int, dict[str, str], bytes], message: str
) -> None:
    listener.routes["/evil"] = route
    path = manuscript(project, f"![x]({listener.url('/evil')})", front="allow_remote: true\n")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = fleuron("build", str(path), "-o", str(project / "dist"), "--format", "epub", env=env)
    assert_clean_error(result, "livre.md:8:", message)
    assert listener.connections == 1


# --- No script -----------------------------------------------------------------------------

HOSTILE_HTML = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="JaVaScRiPt:alert(1)">clic</a>',
    '<a href="&#106;avascript:alert(1)">clic</a>',
    '<a href="vbscript:msgbox(1)">clic</a>',
    '<a href="data:text/html,<script>alert(1)</script>">clic</a>',
    '<iframe src="http://127.0.0.1:9/"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<div style="background-image:url(http://127.0.0.1:9/a.png)">fond</div>',
    '<span style="behavior:url(x.htc);color:red">couleur</span>',
    '<span style="color:red;width:expression(alert(1))">expr</span>',
    '<span style="color: \\72 ed; background: u\\72 l(x)">échappé</span>',
    "<style>@import url(http://127.0.0.1:9/x.css); body{background:url(x)}</style>",
    '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
    '<base href="http://127.0.0.1:9/">',
    '<form action="http://127.0.0.1:9/"><input name="a"><button formaction="javascript:alert(1)">b</button></form>',
    '<p onmouseover="alert(1)" id="fn1" class="x">para</p>',
    "<b><i>mal</b> fermé</i>",
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<table><tr><td colspan="x" onclick="y">cellule<caption>titre</caption></table>',
    "<span><p>bloc dans une ligne</p></span><pre><div>bloc dans pre</div></pre>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<a href="http://exemple.org/?a=1&b=2" title="t">lien</a> <abbr title="abréviation">abr</abbr>',
    "<span>" * 200 + "profond" + "</span>" * 200,
    "\x00\x0b<b>\ud7ff\ufffe</b>",
]


def assert_safe_xhtml(fragment: str) -> None:
    root = etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{fragment}</div>'.encode())
    for element in root.iter():
        name = etree.QName(element).localname
        assert name not in ("script", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "img"), name
        for attribute, value in element.attrib.items():
            assert not str(attribute).lower().startswith("on"), attribute
            assert attribute not in ("id", "class", "src"), attribute
            assert "script" not in str(value).lower() and "url" not in str(value).lower(), value
            if attribute == "href":
                assert str(value).startswith(("http://", "https://", "mailto:")), value


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_the_sanitizer_keeps_nothing_that_runs_or_loads(html: str) -> None:
    for inline in (False, True):
        assert_safe_xhtml(sanitize_html(html, inline=inline))


def test_the_sanitizer_keeps_safe_markup_and_text() -> None:
    clean = sanitize_html(
        '<b>gras</b> <span style="color:red">rouge</span> <a href="http://x.org/">lien</a>', inline=True
    )
    assert clean == '<b>gras</b> <span style="color:red">rouge</span> <a href="http://x.org/">lien</a>'
    assert sanitize_html("<span>" * 200 + "profond" + "</span>" * 200).count("<span>") == 32
    assert sanitize_html("<a href='http://a'>x</a>", inline=True, in_link=True) == "x"


def test_raw_html_is_read_for_its_meaning_by_default(tmp_path: Path) -> None:
    doc = api.parse(FRONT + "---\n<script>alert(1)</script> <b>gras</b>\n")
    fragment = to_xhtml(doc)
    assert "<strong>gras</strong>" in fragment and "alert" not in fragment and "script" not in fragment
    assert not any(isinstance(i, RawInline) for b in doc.blocks for i in iter_inlines(b.content))  # type: ignore[union-attr]
    escaped = to_xhtml(api.parse(FRONT + "raw_html: escape\n---\n<script>alert(1)</script> <b>gras</b>\n"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;" in escaped


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_read_html_keeps_nothing_that_runs_or_loads(html: str) -> None:
    doc = api.parse(FRONT + "---\n" + html.replace("\x00", "") + "\n\nUn <i>" + html.replace("\x00", "") + "</i>\n")
    assert_safe_xhtml_document(etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{to_xhtml(doc)}</div>'))
    assert "<script" not in to_xhtml(doc) and "javascript" not in to_xhtml(doc).lower()


@pytest.mark.slow
def test_sanitized_raw_html_gives_a_valid_epub_without_script(project: Path) -> None:
    body = "\n\n".join([
        "Un mot en <b>gras</b>, un autre en <span style=\"color:red\">rouge *vif*</span> et <kbd>Ctrl</kbd>.",
        *(html.replace("\x00", "") for html in HOSTILE_HTML),  # a NUL byte would make the file binary
        "Une <em>fin</em> <i>ouverte",
        '<div onclick="x()">\nUn bloc *brut* <a href="http://exemple.org/">lien</a>\n</div>',
    ])  # fmt: skip
    path = manuscript(project, body, front="raw_html: sanitize\n")
    out = project / "dist"
    result = fleuron("build", str(path), "-o", str(out), "--format", "epub,pdf")
    assert result.returncode == 0, result.stderr
    assert epubcheck(out / "essai.epub") == []
    book = Epub(out / "essai.epub")
    for name in book.spine_paths():
        assert_safe_xhtml_document(book.xml(name))
    text = book.text()
    assert "gras" in text and "rouge vif" in text and "Un bloc *brut*" in text
    assert book.xml(book.spine_paths()[1]).xpath("//x:b[.='gras']", namespaces=NS)


def assert_safe_xhtml_document(root: etree._Element) -> None:
    for element in root.iter():
        assert etree.QName(element).localname not in ("script", "iframe", "object", "embed", "form")
        assert not any(str(a).lower().startswith("on") for a in element.attrib)
        assert not str(element.get("href", "")).lower().startswith(("javascript", "data", "vbscript"))


def test_raw_nodes_round_trip_and_are_left_alone() -> None:
    doc = api.parse(FRONT + 'raw_html: sanitize\n---\nIl dit <q>"oui" !</q> -- enfin...\n\n<div>\n"brut" ...\n</div>\n')
    _, block = doc.blocks
    assert isinstance(block, RawBlock) and block.text == '<div>\n"brut" ...\n</div>\n'
    assert from_json(json.loads(json.dumps(to_json(doc)))) == doc
    french = typographize(doc)
    assert isinstance(french.blocks[0], Paragraph)
    raw = [i for i in french.blocks[0].content if isinstance(i, RawInline)]
    assert raw == [RawInline("html", '<q>"oui" !</q>')]  # typography never reaches inside
    assert french.blocks[1] == block
    assert "enfin…" in plain_text(french.blocks[0].content) and '"oui" !' in plain_text(french.blocks[0].content)


# --- No escape from the output folder --------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "name"),
    [
        ("slug: ../../etc/x\n", "etc-x"),
        ('slug: "a/b"\n', "a-b"),
        ("slug: ..\n", "book"),
        ('slug: "/tmp/évasion\\u0000"\n', "tmp-evasion"),
    ],
)
def test_slugs_cannot_leave_the_output_folder(tmp_path: Path, front: str, name: str) -> None:
    folder = tmp_path / "a" / "b"
    path = manuscript(folder, "Texte.", front=front)
    out = folder / "dist"
    result = fleuron("build", str(path), "-o", str(out), "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (out / f"{name}.html").is_file()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")) == [f"a/b/dist/{name}.html"]


def test_titles_make_safe_and_short_names() -> None:
    punctuation = api.parse('---\ntitle: "?!/..\\\\ … —"\n---\nTexte.\n')
    assert punctuation.meta.slug == "book"
    long = api.parse("---\ntitle: " + "Très long titre " * 40 + "\n---\nTexte.\n")
    assert (
        len(long.meta.slug) <= 80 and long.meta.slug.startswith("tres-long-titre-") and not long.meta.slug.endswith("-")
    )


# --- No crash ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("> " * 5000 + "au fond", ("livre.md:7:", "nested too deep")),
        ("\n".join("  " * i + "- item" for i in range(300)), ("livre.md:", "nested too deep")),
        ("*" * 20000 + "mot" + "*" * 20000, ("livre.md:7:", f"more than {MAX_INLINE_LEVEL} levels deep")),
        ("_" * 20000 + "mot" + "_" * 20000, ("livre.md:7:", f"more than {MAX_INLINE_LEVEL} levels deep")),
    ],
)
def test_deep_structures_stop_with_a_clean_error(tmp_path: Path, body: str, words: tuple[str, ...]) -> None:
    path = manuscript(tmp_path, body)
    assert_clean_error(fleuron("build", str(path), "-o", str(tmp_path / "dist"), "--format", "epub"), *words)


@pytest.mark.parametrize(
    "body",
    [
        "*" * 20000,
        "`" * 20000,
        " ".join(["mot"] * 20_000),
        "> " * 17 + "au fond, *_*_*_*_*_*_*_*_mot_*_*_*_*_*_*_*_*",
    ],
    ids=["stars", "backticks", "long-line", "deep"],
)
@pytest.mark.slow
def test_pathological_text_builds(tmp_path: Path, body: str) -> None:
    path = manuscript(tmp_path, body)
    result = fleuron("build", str(path), "-o", str(tmp_path / "dist"), "--format", "epub,pdf,handout")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "body",
    ["[" * 20000, "[" * 10000 + "]" * 10000, "![" * 10000, "<" * 20000, "Un mot " + "a" * 50_000 + " immense."],
    ids=["brackets", "balanced-brackets", "images", "angles", "long-word"],
)
def test_text_that_no_line_can_break_stops_at_the_limit(tmp_path: Path, body: str) -> None:
    path = manuscript(tmp_path, body)
    result = fleuron("build", str(path), "-o", str(tmp_path / "dist"), "--format", "epub,pdf,handout")
    assert_clean_error(result, "livre.md:7:", "characters without a space here (the limit is")
    assert not (tmp_path / "dist").exists()


@pytest.mark.slow
def test_a_table_of_four_thousand_rows_builds(tmp_path: Path) -> None:
    rows = "".join(f"| {n} | texte {n} |\n" for n in range(4_000))  # 8,002 cells, under the limit
    path = manuscript(tmp_path, "| n | texte |\n|---|---|\n" + rows)
    result = fleuron("build", str(path), "-o", str(tmp_path / "dist"), "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert Epub(tmp_path / "dist" / "essai.epub").text().count("texte 3999") == 1


def test_a_20_mb_manuscript_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = manuscript(tmp_path, ("Une phrase de texte ordinaire. " * 30 + "\n\n") * 22_000)
    assert path.stat().st_size > 20_000_000
    result = fleuron("build", str(path), "-o", str(tmp_path / "dist"))
    assert_clean_error(result, "larger than 5 MB")


def test_a_device_is_not_read_forever(tmp_path: Path) -> None:
    result = fleuron("build", "/dev/zero", "-o", str(tmp_path / "dist"))
    assert_clean_error(result)


@pytest.mark.parametrize(
    ("front", "words"),
    [
        ("keywords: &a [x, x, x, x, x, x, x, x, x]\nauthors: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n", "aliases"),
        ("description: " + "[" * 10000 + "]" * 10000 + "\n", "nests deeper than"),
    ],
)
def test_hostile_front_matter_stops_with_a_clean_error(tmp_path: Path, front: str, words: str) -> None:
    path = manuscript(tmp_path, "Texte.", front=front)
    assert_clean_error(
        fleuron("build", str(path), "-o", str(tmp_path / "dist"), "--format", "epub"), "livre.md:", words
    )


PATHOLOGICAL_UNITS = [
    "a", "1", " ", ".", "-", "'", '"', "«", ":", "@", "a@", "a.", "1 ", "1,", "M. ", "`", "a`", "``a", "http://",
    "www.", "–", "a-", "1-", "12345 ", "n° 1", "a .", "a :", "« a »", "— a ", "1 h 30 ", "10 km ", "p. 12 ", "A. ",
    "a, ", ":-) ", ". . ", "..", "--", "a@b.", "a@b.c ", "(", ")", "a'", ";", "!", "?", "1.", "1,2", "1 000 ",
    "ISBN 1", "a — b — c. ", "\u00a0", "\u202f", "\t", "\u00a0;", "1 -", "1. a\n", "- a\n", "* a\n", "a\n", "a\n\n",
    "A\n", "Titre\n\nTexte.\n", "1.1.", "•", "=", "_a_ « b » ", "*a* 'b' ", "**a** 1 000 ", "[a](b) -- ", "<a>",
]  # fmt: skip


def test_no_regex_backtracks_on_long_lines(tmp_path: Path) -> None:
    # In a fresh process with a generous timeout: a hang fails the test, no speed is asserted.
    script = tmp_path / "long_lines.py"
    script.write_text(
        "import json, sys\n"
        "from fleuron.typography import typographize\n"
        "from fleuron.typography.fr import typographize_text\n"
        "from fleuron.readers.plaintext import read_plaintext\n"
        "from fleuron.readers.markdown import read_markdown\n"
        "for unit in json.loads(sys.argv[1]):\n"
        "    text = (unit * (20000 // len(unit) + 1))[:20000]\n"
        "    typographize_text(text)\n"
        "    typographize(read_plaintext(text))\n"
        "    typographize(read_markdown('---\\nlang: fr\\n---\\n' + text))\n"
        "print('done')\n"
    )
    result = subprocess.run(
        [sys.executable, str(script), json.dumps(PATHOLOGICAL_UNITS)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr


# --- Nothing lost ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_build_leaves_the_previous_outputs_whole(tmp_path: Path, sig: signal.Signals) -> None:
    article = ARTICLE_MD.read_text(encoding="utf-8")
    front, body = article.split("\n---\n", 1)
    path = tmp_path / "book" / "livre.md"
    path.parent.mkdir()
    path.write_text(front + "\n---\n" + body * 10, encoding="utf-8")
    out = tmp_path / "dist"
    first = fleuron("build", str(path), "-o", str(out))
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    path.write_text(front + "\n---\n" + body * 10 + "\nUn ajout.\n", encoding="utf-8")  # the outputs are stale
    process = subprocess.Popen(
        [sys.executable, "-m", "fleuron", "build", "-v", str(path), "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    said = Lines(process.stderr)
    said.wait_for(r"^fleuron: book layout$", timeout=120)  # reading done, the book being laid out (~10 s)
    assert process.poll() is None, "the build ended before it could be interrupted"
    process.send_signal(sig)
    process.wait(timeout=120)
    stderr = said.text()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # byte for byte, and no temporary file


MOMENTS = ["between writes", "temporary file made", "before fsync", "before rename", "after rename"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_write_atomically_under_a_storm_of_signals(tmp_path: Path, moment: str) -> None:
    # A writer that rewrites the same file in a loop, signalled at each moment of a write: the
    # file is always one whole version, and no temporary file is ever left. The writer stops at
    # that moment (after a first whole write) and waits on its stdin, without a timer, for the
    # signal to be sent; then goes on.
    script = tmp_path / "writer.py"
    script.write_text(
        "import os, signal, sys, tempfile\n"
        "from pathlib import Path\n"
        "from fleuron.storage import write_atomically\n"
        "def stop(signum, frame):\n"
        "    raise KeyboardInterrupt\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "target, moment = Path(sys.argv[1]), sys.argv[2]\n"
        "writes = 0\n"
        "def at(here):\n"
        "    if here == moment and writes:\n"
        "        print(here, flush=True)\n"
        "        sys.stdin.readline()\n"
        "def wrap(module, name, before='', after=''):\n"
        "    real = getattr(module, name)\n"
        "    def wrapped(*args, **kwargs):\n"
        "        at(before)\n"
        "        result = real(*args, **kwargs)\n"
        "        at(after)\n"
        "        return result\n"
        "    setattr(module, name, wrapped)\n"
        "wrap(tempfile, 'mkstemp', after='temporary file made')\n"
        "wrap(os, 'fsync', before='before fsync')\n"
        "wrap(os, 'replace', before='before rename', after='after rename')\n"
        "versions = [bytes([65 + n]) * 8_000_000 for n in range(2)]\n"
        "try:\n"
        "    while True:\n"
        "        for data in versions:\n"
        "            write_atomically(target, data)\n"
        "            writes += 1\n"
        "            at('between writes')\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    target = tmp_path / "out" / "book.epub"
    process = subprocess.Popen(
        [sys.executable, str(script), str(target), moment], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        Lines(process.stdout).wait_for(f"^{moment}$", timeout=60)
        process.send_signal(signal.SIGTERM)
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # between writes, it has ended already
            process.stdin.write("go on\n")
            process.stdin.close()
        assert process.wait(timeout=60) == 130
    finally:
        process.kill()  # when it did not end as it should
        process.wait()
    data = target.read_bytes()
    assert len(data) == 8_000_000 and data in (b"A" * 8_000_000, b"B" * 8_000_000)
    assert [p.name for p in target.parent.iterdir()] == ["book.epub"]
