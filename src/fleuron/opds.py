"""The catalogue's own files, beside its title folders: `opds.json` (an OPDS 2.0 feed),
`catalog.xml` (an OPDS 1.2 Atom acquisition feed, for the reading apps that speak only 1.x),
`index.html` (a page for people, on a phone as on a desk) and `manifest.json` (every title's
files with their size and SHA-256).

Each is made from the titles' entries (`catalog._entry`: front matter, files, cover), in the
catalogue's order. The feeds and the page come in pages of `page_size` titles (`opds.json`,
`opds-2.json`, …; `catalog.xml`, `catalog-2.xml`, …; `index.html`, `index-2.html`, …), linked
first, previous, next and last as RFC 5005 and the OPDS 2.0 feed's `currentPage` say. Every
link is relative, so the folder can be served from anywhere; every date is one the books carry
(their `date`, the timestamp stamped in their files), never the time of the run: the same
titles give the same bytes. A file whose bytes did not change is not rewritten.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .storage import MANIFEST, Staged

OPDS_JSON = "opds.json"
OPDS_ATOM = "catalog.xml"
INDEX_HTML = "index.html"
OPDS_JSON_TYPE = "application/opds+json"
ATOM_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ACQUISITION = "http://opds-spec.org/acquisition"
#: The namespace of the identifiers made for titles and feeds that have none usable as a URI.
_NAMESPACE = uuid.UUID("0b6c5f58-3f0e-5b0a-9d36-6a1c2f1e4d7a")
#: Before any book: the date of a feed without one.
_EPOCH = "1970-01-01T00:00:00Z"

#: A title and its entry (`catalog._entry`), as listed.
Entry = tuple[str, dict[str, Any]]


def write_catalog(out_dir: Path, settings: Any, entries: Sequence[Entry]) -> None:
    """Stage and write the files together (those whose bytes changed), then remove the feeds'
    pages that an earlier, longer catalogue had and this one has not."""
    from .distribution import stage_if_changed

    pages = paged(entries, settings.page_size)
    files: dict[str, bytes] = {}
    for page in pages:
        files[page_name(OPDS_JSON, page.number)] = opds_json(settings, page)
        files[page_name(OPDS_ATOM, page.number)] = opds_atom(settings, page)
        files[page_name(INDEX_HTML, page.number)] = index_html(settings, page)
    files[MANIFEST] = manifest_json(settings, entries)
    with Staged(out_dir) as staged:
        for name, data in files.items():
            stage_if_changed(out_dir / name, data, staged)
        staged.commit()
    # The pages after the last, as an earlier, longer catalogue wrote them: numbered on from
    # it without a gap (a file of the user's named alike but out of the run stays).
    number = len(pages) + 1
    while True:
        former = [out_dir / page_name(first, number) for first in (OPDS_JSON, OPDS_ATOM, INDEX_HTML)]
        if not any(path.is_file() for path in former):
            break
        for path in former:
            path.unlink(missing_ok=True)
        number += 1


@dataclass(frozen=True)
class Page:
    """A page of the feeds and the web page: its titles, and what each page says of the whole."""

    number: int  # from 1
    count: int  # the pages
    entries: Sequence[Entry]
    first: int  # the place of its first title in the catalogue, from 1
    size: int  # titles a page
    total: int  # titles in the catalogue
    updated: str  # the catalogue's latest date


def paged(entries: Sequence[Entry], size: int) -> list[Page]:
    """The entries by pages of `size`: one page at least, empty for an empty catalogue."""
    starts = range(0, len(entries), size) or range(1)
    updated = max((entry["modified"] for _, entry in entries), default=_EPOCH)
    return [
        Page(number, len(starts), entries[start : start + size], start + 1, size, len(entries), updated)
        for number, start in enumerate(starts, 1)
    ]


def page_name(first: str, number: int) -> str:
    """Page `number` of the feed whose first page is `first`: `opds.json`, then `opds-2.json`."""
    if number == 1:
        return first
    stem, dot, suffix = first.rpartition(".")
    return f"{stem}-{number}{dot}{suffix}"


def is_page(first: str, name: str) -> bool:
    """Whether `name` is a page of the feed whose first page is `first`, as `page_name` writes one."""
    stem, _dot, suffix = first.rpartition(".")
    return name == first or re.fullmatch(rf"{re.escape(stem)}-[1-9][0-9]*\.{re.escape(suffix)}", name) is not None


def _page_links(first: str, number: int, count: int, previous: str = "previous") -> list[tuple[str, str]]:
    """The (rel, href) of a page's neighbours, RFC 5005's: none when the feed is one page.
    `previous`: the previous page's rel (HTML's is "prev")."""
    if count == 1:
        return []
    links = [("first", page_name(first, 1))]
    if number > 1:
        links.append((previous, page_name(first, number - 1)))
    if number < count:
        links.append(("next", page_name(first, number + 1)))
    return [*links, ("last", page_name(first, count))]


def href(folder: str, name: str) -> str:
    """A title's file, relative to the catalogue's folder."""
    return quote(f"{folder}/{name}")


def _uri(identifier: str) -> str:
    """The identifier when it is a URI (`urn:uuid:…`, `urn:isbn:…`, `https://…`), else one
    made from it, the same every time."""
    scheme, colon, rest = identifier.partition(":")
    if colon and rest and scheme[:1].isalpha() and all(c.isalnum() or c in "+.-" for c in scheme) and " " not in rest:
        return identifier
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, identifier)}"


def _feed_id(settings: Any) -> str:
    return _uri(settings.base_url) if settings.base_url else f"urn:uuid:{uuid.uuid5(_NAMESPACE, settings.title)}"


def _label(fmt: str, language: str) -> str:
    fr = language.lower().startswith("fr")
    labels = {"epub": ("EPUB", "EPUB"), "pdf": ("PDF, livre", "PDF, book"), "handout": ("PDF A4", "PDF A4"),
              "html": ("HTML", "HTML")}  # fmt: skip
    pair = labels.get(fmt, (fmt, fmt))
    return pair[0] if fr else pair[1]


# --- OPDS 2.0 ---------------------------------------------------------------------------------


def opds_json(settings: Any, page: Page) -> bytes:
    """A page of the OPDS 2.0 feed: the catalogue's metadata and links, one publication per
    title of the page."""
    number, entries = page.number, page.entries
    metadata: dict[str, Any] = {"title": settings.title, "numberOfItems": page.total}
    if page.count > 1:
        metadata |= {"itemsPerPage": page.size, "currentPage": number}
    if settings.base_url:
        metadata["identifier"] = _feed_id(settings)
    if page.total:
        metadata["modified"] = page.updated
    neighbours = _page_links(OPDS_JSON, number, page.count)
    feed: dict[str, Any] = {
        "metadata": metadata,
        "links": [
            {"rel": "self", "href": page_name(OPDS_JSON, number), "type": OPDS_JSON_TYPE},
            *({"rel": rel, "href": target, "type": OPDS_JSON_TYPE} for rel, target in neighbours),
            {"rel": "alternate", "href": page_name(OPDS_ATOM, number), "type": ATOM_TYPE},
            {"rel": "alternate", "href": page_name(INDEX_HTML, number), "type": "text/html"},
        ],
    }
    if entries:
        feed["publications"] = [_publication(settings, folder, entry) for folder, entry in entries]
    else:  # a feed must list something: the other forms of this (empty) catalogue
        feed["navigation"] = [{"href": INDEX_HTML, "type": "text/html", "title": settings.title}]
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _publication(settings: Any, folder: str, entry: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "@type": "http://schema.org/Book",
        "title": entry["title"],
        "identifier": _uri(entry["identifier"]),
        "language": entry["language"],
        "modified": entry["modified"],
    }
    if entry.get("subtitle"):
        metadata["subtitle"] = entry["subtitle"]
    if entry.get("isbn"):
        metadata["altIdentifier"] = [f"urn:isbn:{entry['isbn']}"]
    if entry["authors"]:
        metadata["author"] = [{"name": name} for name in entry["authors"]]
    publisher = entry.get("publisher") or settings.publisher
    if publisher:
        metadata["publisher"] = [{"name": publisher}]
    if entry["published"]:
        metadata["published"] = entry["published"]
    if entry["description"]:
        metadata["description"] = entry["description"]
    if entry["subjects"]:
        metadata["subject"] = [{"name": subject} for subject in entry["subjects"]]
    links = [
        {"rel": ACQUISITION, "href": href(folder, file["name"]), "type": file["type"],
         "title": _label(file["format"], settings.language), "size": file["size"]}
        for file in entry["files"]
    ]  # fmt: skip
    publication: dict[str, Any] = {"metadata": metadata, "links": links}
    cover = entry.get("cover")
    if cover:
        publication["images"] = [{"href": href(folder, cover["name"]), "type": cover["type"],
                                  "width": cover["width"], "height": cover["height"]}]  # fmt: skip
    return publication


# --- OPDS 1.2 (Atom) --------------------------------------------------------------------------


def opds_atom(settings: Any, page: Page) -> bytes:
    """A page of the OPDS 1.2 acquisition feed: an Atom feed, one entry per title of the page."""
    from lxml import etree

    number, entries = page.number, page.entries
    atom, dc = "http://www.w3.org/2005/Atom", "http://purl.org/dc/terms/"
    namespaces = {None: atom, "dc": dc, "opds": "http://opds-spec.org/2010/catalog"}
    feed = etree.Element(f"{{{atom}}}feed", nsmap=namespaces)  # type: ignore[arg-type]
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", settings.language)

    def add(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
        element = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{atom}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    add(feed, "id", _feed_id(settings))
    add(feed, "title", settings.title)
    add(feed, "updated", page.updated)
    add(add(feed, "author"), "name", settings.publisher or settings.title)  # every entry's, unless it names its own
    add(feed, "link", rel="self", href=page_name(OPDS_ATOM, number), type=ATOM_TYPE)
    add(feed, "link", rel="start", href=OPDS_ATOM, type=ATOM_TYPE)
    for rel, target in _page_links(OPDS_ATOM, number, page.count):
        add(feed, "link", rel=rel, href=target, type=ATOM_TYPE)
    add(feed, "link", rel="alternate", href=page_name(OPDS_JSON, number), type=OPDS_JSON_TYPE)
    add(feed, "link", rel="alternate", href=page_name(INDEX_HTML, number), type="text/html")
    for folder, entry in entries:
        item = add(feed, "entry")
        add(item, "title", entry["title"])
        add(item, "id", _uri(entry["identifier"]))
        add(item, "updated", entry["modified"])
        for name in entry["authors"]:
            add(add(item, "author"), "name", name)
        add(item, f"{{{dc}}}identifier", entry["identifier"])
        if entry.get("isbn"):
            add(item, f"{{{dc}}}identifier", f"urn:isbn:{entry['isbn']}")
        add(item, f"{{{dc}}}language", entry["language"])
        if entry["published"]:
            add(item, f"{{{dc}}}issued", entry["published"])
        publisher = entry.get("publisher") or settings.publisher
        if publisher:
            add(item, f"{{{dc}}}publisher", publisher)
        for subject in entry["subjects"]:
            add(item, "category", term=subject, label=subject)
        if entry["description"]:
            add(item, "summary", entry["description"], type="text")
        cover = entry.get("cover")
        if cover:
            for rel in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
                add(item, "link", rel=rel, href=href(folder, cover["name"]), type=cover["type"])
        for file in entry["files"]:
            add(item, "link", rel=ACQUISITION, href=href(folder, file["name"]), type=file["type"],
                title=_label(file["format"], settings.language), length=str(file["size"]))  # fmt: skip
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True))


# --- The web page -----------------------------------------------------------------------------

_STYLE = """\
:root { color-scheme: light dark; --ink: #1b1b1b; --paper: #fdfdfb; --muted: #4a4a4a; --link: #0b4f9c; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #ececec; --paper: #161616; --muted: #c4c4c4; --link: #9cc7ff; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; color: var(--ink); background: var(--paper);
       font: 1.0625rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main, footer, nav { max-width: 46rem; margin: 0 auto; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: .5rem 0; }
h2 { font-size: 1.25rem; line-height: 1.25; margin: 0 0 .25rem; }
.subtitle { font-style: italic; margin: 0 0 .25rem; }
a { color: var(--link); }
a:focus-visible { outline: 3px solid currentColor; outline-offset: 2px; }
.titles, .files { list-style: none; margin: 0; padding: 0; }
.titles > li { border-top: 1px solid var(--muted); padding: 1.25rem 0; }
article { display: grid; grid-template-columns: 6.5rem 1fr; gap: 1rem; align-items: start; }
article img { width: 100%; height: auto; border: 1px solid var(--muted); }
.by, .meta { color: var(--muted); margin: 0 0 .5rem; }
.files li { margin: .5rem 0; }
.files a { display: inline-block; padding: .35rem 0; font-weight: 600; }
.pages { display: flex; justify-content: space-between; gap: 1rem; padding: 1.25rem 0;
         border-top: 1px solid var(--muted); }
.pages a { padding: .5rem 0; font-weight: 600; }
.sha { display: block; font-size: .8rem; color: var(--muted); overflow-wrap: anywhere; }
@media (max-width: 30rem) { article { grid-template-columns: 1fr; } article img { width: 9rem; } }
"""


def index_html(settings: Any, page: Page) -> bytes:
    """A page of the web page: its titles, each with its cover, description and files (size,
    SHA-256), and links to the other pages when there are several."""
    fr = settings.language.lower().startswith("fr")
    e = html.escape
    number, count = page.number, page.total
    titles = (f"{count} titre" + ("s" if count > 1 else "")) if fr else f"{count} title" + ("s" if count != 1 else "")
    feeds = "Flux pour les applications de lecture" if fr else "Feeds for reading apps"
    which = (f"page {number} sur {page.count}" if fr else f"page {number} of {page.count}") if page.count > 1 else ""
    neighbours = dict(_page_links(INDEX_HTML, number, page.count, previous="prev"))
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{e(settings.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(settings.title)}{', ' + which if number > 1 else ''}</title>",
        f'<link rel="alternate" type="{OPDS_JSON_TYPE}" href="{OPDS_JSON}" title="OPDS 2.0">',
        f'<link rel="alternate" type="{e(ATOM_TYPE)}" href="{OPDS_ATOM}" title="OPDS 1.2">',
        *(f'<link rel="{rel}" href="{target}">' for rel, target in neighbours.items() if rel in ("prev", "next")),
        f"<style>\n{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(settings.title)}</h1>",
        f'<p class="meta">{e(settings.publisher) + " · " if settings.publisher else ""}{titles}'
        f"{' · ' + which if which else ''}</p>",
        f'<p>{feeds}{_colon(fr)} <a href="{OPDS_JSON}">OPDS 2.0</a>, <a href="{OPDS_ATOM}">OPDS 1.2</a></p>',
        "</header>",
        "<main>",
        '<ul class="titles" role="list">',
    ]
    for position, (folder, entry) in enumerate(page.entries, page.first):
        lines += _title_html(folder, entry, position, fr)
    lines += ["</ul>", "</main>", *_pages_nav(neighbours, fr), "</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _pages_nav(neighbours: dict[str, str], fr: bool) -> list[str]:
    """The web page's links to its previous and next pages, if any."""
    arrow = '<span aria-hidden="true">{}</span>'.format  # seen, not read aloud
    words = {
        "prev": f"{arrow('←')} " + ("Page précédente" if fr else "Previous page"),
        "next": ("Page suivante" if fr else "Next page") + f" {arrow('→')}",
    }
    links = [
        f'<a rel="{rel}" href="{neighbours[rel]}">{words[rel]}</a>' for rel in ("prev", "next") if rel in neighbours
    ]
    if not links:
        return []
    label = "Pages du catalogue" if fr else "Catalogue pages"
    return [f'<nav class="pages" aria-label="{label}">', " ".join(links), "</nav>"]


def _title_html(folder: str, entry: dict[str, Any], number: int, fr: bool) -> list[str]:
    e = html.escape
    heading = f"title-{number}"
    lang = e(entry["language"])
    lines = [f'<li><article aria-labelledby="{heading}" lang="{lang}">']
    cover = entry.get("cover")
    if cover:
        alt = (f"Couverture de « {entry['title']} »" if fr else f"Cover of “{entry['title']}”").replace(" »", "\u202f»")
        alt = alt.replace("« ", "«\u202f")
        lines.append(f'<img src="{e(href(folder, cover["name"]))}" alt="{e(alt)}" width="{cover["width"]}" '
                     f'height="{cover["height"]}" loading="lazy">')  # fmt: skip
    lines.append("<div>")
    lines.append(f'<h2 id="{heading}">{e(entry["title"])}</h2>')
    if entry.get("subtitle"):
        lines.append(f'<p class="subtitle">{e(entry["subtitle"])}</p>')
    if entry["authors"]:
        lines.append(f'<p class="by">{e(", ".join(entry["authors"]))}</p>')
    if entry["description"]:
        lines.append(f"<p>{e(entry['description'])}</p>")
    if entry.get("isbn"):
        lines.append(f'<p class="meta">ISBN{_colon(fr)} {entry["isbn"]}</p>')
    lines.append('<ul class="files">')
    for file in entry["files"]:
        label = _label(file["format"], "fr" if fr else "en")
        details = [_size(file["size"], fr)]
        if file.get("pages"):
            details.append(f"{file['pages']} pages")
        what = f"{label} ({', '.join(details)})"
        download = f"Télécharger {what}" if fr else f"Download {what}"
        lines.append(f'<li><a href="{e(href(folder, file["name"]))}" type="{file["type"]}" download>{e(download)}</a>'
                     f'<span class="sha">SHA-256{_colon(fr)} <code>{file["sha256"]}</code></span></li>')  # fmt: skip
    lines += ["</ul>", "</div>", "</article></li>"]
    return lines


def _colon(fr: bool) -> str:
    return "\u00a0:" if fr else ":"


def _size(size: int, fr: bool) -> str:
    if size < 1024:
        return f"{size}\u00a0o" if fr else f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}\u00a0Ko" if fr else f"{size / 1024:.0f} kB"
    megabytes = f"{size / (1024 * 1024):.1f}"
    return f"{megabytes.replace('.', ',')}\u00a0Mo" if fr else f"{megabytes} MB"


# --- The aggregated manifest ------------------------------------------------------------------


def manifest_json(settings: Any, entries: Sequence[Entry]) -> bytes:
    """Every title's files, by path from the catalogue's folder, with size, SHA-256 and pages."""
    from . import __version__

    titles = []
    for folder, entry in entries:
        files = [{"name": f"{folder}/{file['name']}", "type": file["type"], "size": file["size"],
                  "sha256": file["sha256"], "pages": file["pages"]} for file in entry["files"]]  # fmt: skip
        titles.append({"folder": folder, "title": entry["title"], "identifier": entry["identifier"],
                       "modified": entry["modified"], "files": files})  # fmt: skip
    listing = {"generator": f"Fleuron {__version__}", "title": settings.title, "titles": titles}
    return (json.dumps(listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
