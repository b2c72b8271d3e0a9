"""The images a book shows: found in the project and checked (a local file of a known type; an
SVG that can run or load nothing), or, only with `allow_remote: true`, fetched once from
http(s) or a `data:` URL into a cache file that then counts as one of the project's files."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ..errors import FleuronError
from ..messages import _
from ..model import Document, Figure, Image
from ..storage import user_cache_dir, write_atomically
from ..walk import block_inline_runs, iter_blocks, iter_inlines
from .files import ProjectFiles, project_files

IMAGE_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class LocalImage:
    source: str  # as written in the manuscript
    path: Path  # inside the project; for a fetched image, its copy in the cache
    media_type: str
    #: For a fetched (remote or `data:`) image, where it came from; "" for a project file.
    remote: str = field(default="", compare=False)


def local_images(doc: Document) -> dict[str, LocalImage]:
    """Every image the document shows, found next to the manuscript that names it.

    Images must be files of the project, of a type every reading system knows: a missing one,
    one outside the project, or a remote one (unless `allow_remote`) is an error at the line
    that names it, not a hole in the book.
    """
    project = project_files(doc)
    found: dict[str, LocalImage] = {}
    for block in iter_blocks(doc.blocks):
        runs = list(block_inline_runs(block))
        if isinstance(block, Figure):
            runs.append((block.image,))
        for run in runs:
            for inline in iter_inlines(run):
                if isinstance(inline, Image) and inline.source not in found:
                    found[inline.source] = resolve_image(
                        inline.source, block.pos.file, block.pos.line, project, doc.meta.allow_remote
                    )
    return found


def resolve_cover(doc: Document, project: ProjectFiles | None = None) -> LocalImage:
    """The front matter's `cover:` image, found beside the manuscript that names it."""
    where = doc.meta.cover_pos
    return resolve_image(doc.meta.cover, where.file, where.line, project or project_files(doc), doc.meta.allow_remote)


#: What `allow_remote` lets through: never `file:`, `ftp:` or anything else.
REMOTE_SCHEMES = ("http", "https", "data")
#: Manuscripts that hold their images: their readers (`readers/package.py`) give each one as a
#: `data:` URL of the package's own bytes, which loads nothing from outside and so needs no
#: `allow_remote` (a `data:` URL typed in a Markdown manuscript still does).
PACKAGED_MANUSCRIPTS = (".docx", ".odt")


def resolve_image(
    source: str, file: str, line: int, project: ProjectFiles | None = None, allow_remote: bool = False
) -> LocalImage:
    """The image `source` names, as a file Fleuron may read (`project`: by default the folder of
    `file` and its styles). A remote or `data:` image is fetched once when `allow_remote`."""
    try:
        parts = urlsplit(source)
    except ValueError:
        raise FleuronError(_("image '{source}' is not a valid address", source=source), file, line) from None
    scheme = parts.scheme.lower()
    if scheme in REMOTE_SCHEMES or (not scheme and parts.netloc):
        packaged = scheme == "data" and Path(file).suffix.lower() in PACKAGED_MANUSCRIPTS
        if not (allow_remote or packaged) or not scheme:
            raise FleuronError(
                _(
                    "image '{source}' is not a local file, and Fleuron fetches nothing unless the front matter "
                    "says 'allow_remote: true': save it beside the manuscript and link it by its path",
                    source=source,
                ),
                file,
                line,
            )
        fetched, fetched_type = fetch_remote_image(source, file, line)
        return LocalImage(source, fetched, fetched_type, remote=source)
    if scheme or parts.netloc:
        message = _(
            "image '{source}' is not a local file: save it beside the manuscript and link it by its path",
            source=source,
        )
        raise FleuronError(message, file, line)
    base = Path(file).parent if file and not file.startswith("<") else Path.cwd()
    if project is None:
        folder = base.resolve()
        project = ProjectFiles((folder, (folder.parent / "styles").resolve()))
    path = project.check(base / unquote(parts.path), f"image '{source}'", file, line)
    try:
        exists = path.is_file()
    except (OSError, ValueError):
        exists = False
    if not exists:
        raise FleuronError(_("image '{source}' not found (looked for {path})", source=source, path=path), file, line)
    media_type = IMAGE_MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        kinds = ", ".join(sorted(IMAGE_MEDIA_TYPES))
        raise FleuronError(
            _("image '{source}' is not of a type ebooks accept ({kinds})", source=source, kinds=kinds), file, line
        )
    if media_type == "image/svg+xml":
        check_svg(path.read_bytes(), _("image '{source}'", source=source), file, line)
    return LocalImage(source, path, media_type)


# --- SVG: an image that can hold a program ---------------------------------------------------

_SVG_FORBIDDEN = frozenset({"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"})
#: SVG's animation elements: one may set any attribute of another element, a link's `href` to a
#: script among them (DOMPurify refuses `attributeName` naming an href for that reason).
_SVG_ANIMATIONS = frozenset({"animate", "set", "animateMotion", "animateTransform", "animateColor", "discard"})
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def check_svg(data: bytes, what: str, file: str | None = None, line: int | None = None) -> None:
    """Refuse an SVG that could run a script or load anything: a reading system shows SVG
    images with their scripts, and WeasyPrint would fetch what they reference.

    Allow-list thinking, as SVG sanitizers do: a link (`href`) and every `url(…)`, in any
    attribute (`fill`, `filter`, `mask`, `clip-path`, `marker-*`, an animation's `values`…), must
    name a fragment of the image itself (`#id`); no attribute may hold a `javascript:` address,
    once its spaces and case are folded; no animation may change a link."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise FleuronError(
            _("{what} is not a well-formed SVG file: {reason}", what=what, reason=error), file, line
        ) from None
    if root.getroottree().docinfo.internalDTD is not None or b"<!ENTITY" in data:
        message = _("{what} declares entities (a DOCTYPE): Fleuron refuses such SVG files", what=what)
        raise FleuronError(message, file, line)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or a processing instruction
        name = etree.QName(element).localname
        problem = ""
        if name in _SVG_FORBIDDEN:
            problem = _("a <{name}> element", name=name)
        for attribute, raw in element.attrib.items():
            local, value = etree.QName(attribute).localname, str(raw)
            if problem:
                break
            if local.lower().startswith("on"):
                problem = _("an event handler ({name})", name=local)
            elif attribute in ("href", _XLINK_HREF) and not value.strip().startswith("#"):
                problem = _("a reference to {target!r}", target=value.strip()[:80])
            elif local == "style" and _CSS_URL.search(value):
                problem = _("a style that loads a file")
            elif name in _SVG_ANIMATIONS and local == "attributeName" and _folded(value).split(":")[-1] == "href":
                problem = _(
                    "an animation that changes a link (<{name} attributeName={value!r}>)", name=name, value=value
                )
            elif _SCRIPT_ADDRESS.search(_folded(value)):
                problem = _("a script address in its '{name}' attribute", name=local)
            elif _outside(value, namespaced=etree.QName(attribute).namespace is not None):
                problem = _(
                    "an address outside the image in its '{name}' attribute ({value!r})",
                    name=local,
                    value=value.strip()[:80],
                )
        if name == "style" and _CSS_URL.search(element.text or ""):
            problem = _("a style that loads a file")
        if problem:
            message = _(
                "{what} holds {problem}: only self-contained SVG images are accepted", what=what, problem=problem
            )
            raise FleuronError(message, file, line)


#: The quote is inside the lookahead: `['"]?(?!#)` would match `url('#a')` by taking no quote.
_CSS_URL = re.compile(r"url\s*\(\s*(?!['\"]?\s*#)|@import|image-set|\\", re.IGNORECASE)
#: What browsers ignore inside an address: `java\tscript:` is `javascript:`.
_IGNORED_IN_ADDRESSES = re.compile(r"[\x00-\x20\x7f]+")
_SCRIPT_ADDRESS = re.compile(r"(?:java|vb)script:")
#: `url(` then, after an optional quote, anything but `#`: a file or an address.
_URL_OUTSIDE = re.compile(r"url\((?!['\"]?#)")


def _folded(value: str) -> str:
    return _IGNORED_IN_ADDRESSES.sub("", value).lower()


def _outside(value: str, namespaced: bool) -> bool:
    """An attribute that points outside the image: a `url(…)` other than `url(#id)`; or, in an
    SVG attribute (read as CSS by browsers), a backslash that could spell `url(` in escapes.
    An editor's own attributes (`inkscape:export-filename="C:\\…"`) are read by no renderer."""
    folded = _folded(value)
    return bool(_URL_OUTSIDE.search(folded)) or (not namespaced and "\\" in value)


# --- Remote images (only with `allow_remote: true`) ------------------------------------------

#: A fetched image larger than this is refused; so is one that takes longer to come.
REMOTE_MAX_BYTES = 20 * 1024 * 1024
REMOTE_TIMEOUT = 15
_RASTER_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


def fetch_remote_image(source: str, file: str, line: int) -> tuple[Path, str]:
    """An http(s) or `data:` image, fetched (once per process) and kept in the cache: its
    bytes must be a PNG, JPEG, GIF or WebP image (never SVG: it could hold a script)."""
    remote = source.lower().startswith(("http:", "https:"))
    data = _download(source, file, line) if remote else _decode_data_url(source, file, line)
    kind = raster_type(data)
    if kind is None:
        raise FleuronError(_("image '{source}' is not a PNG, JPEG, GIF or WebP image", source=source), file, line)
    media_type, suffix = kind
    target = user_cache_dir("remote") / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    try:
        if not target.is_file():
            write_atomically(target, data)
    except OSError as error:
        message = _(
            "cannot keep the fetched image '{source}' in {folder}: {reason}",
            source=source,
            folder=target.parent,
            reason=error.strerror,
        )
        raise FleuronError(message, file, line) from None
    return target, media_type


def raster_type(data: bytes) -> tuple[str, str] | None:
    """The media type and file ending that a raster image's first bytes announce, if any."""
    for signature, media_type, suffix in _RASTER_SIGNATURES:
        if data.startswith(signature):
            return media_type, suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def _decode_data_url(source: str, file: str, line: int) -> bytes:
    header, comma, payload = source[5:].partition(",")
    if not comma or len(payload) > REMOTE_MAX_BYTES * 2:
        message = _("image 'data:{header}…' is not a valid data: URL of at most 20 MB", header=header[:40])
        raise FleuronError(message, file, line)
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote(payload), validate=False)
        return unquote_to_bytes(payload)
    except ValueError:
        raise FleuronError(_("image 'data:{header}…' does not decode", header=header[:40]), file, line) from None


@lru_cache(maxsize=64)
def _download_bytes(url: str) -> bytes:
    # urllib here: it imports http.client, ssl and email, which a build without remote images never needs.
    import urllib.error
    import urllib.request

    class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
        """Follows a few redirects, to http or https only (urllib would also go to ftp)."""

        max_redirections = 5

        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                raise urllib.error.URLError(f"redirected to {newurl[:80]}, which is not http or https")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    # No proxy, file, ftp or data handler: an http(s) request and nothing else.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        HttpOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": "Fleuron", "Accept": "image/*"})
    with opener.open(request, timeout=REMOTE_TIMEOUT) as response:
        data: bytes = response.read(REMOTE_MAX_BYTES + 1)
    if len(data) > REMOTE_MAX_BYTES:
        raise ValueError(f"larger than {REMOTE_MAX_BYTES // 2**20} MB")
    return data


def _download(url: str, file: str, line: int) -> bytes:
    import http.client

    try:
        return _download_bytes(url)
    except (OSError, ValueError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise FleuronError(
            _("image '{url}' could not be fetched: {reason}", url=url, reason=reason), file, line
        ) from None
