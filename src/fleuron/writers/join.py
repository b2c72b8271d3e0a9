"""The book's runs of chapters (`chapters.py`), each a PDF of WeasyPrint's, joined into one
PDF as WeasyPrint makes it in one pass: the pages in order, with the blank left-hand pages
between runs where a part opens on a right-hand page; one outline; one structure tree (each
run's elements under the one `Document` element, the parent tree renumbered: each page's
`StructParents`, then each link's `StructParent`); the named destinations of all runs; the
links from one run to another's anchor (written by WeasyPrint as external links to
`chapters.FOREIGN`) made internal again; each font subset once for the whole book, from its
original file and with the glyphs all runs use (WeasyPrint's own subsetting: HarfBuzz, glyph
ids kept, so that the runs' text needs no rewriting). The first run (the title page) gives the
catalogue's metadata, language, output intents and the document information.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .layout import Laid, LayoutJob


def join(parts: Sequence[tuple[int, Laid]], job: LayoutJob, blank: Laid | None = None) -> bytes:
    """The runs (each with its first page's number in the book) as one PDF. `blank`: a
    document whose second page is a blank page of the book as WeasyPrint draws it (its crop
    marks), for the pages between runs; without it, they are empty pages of the book's size."""
    import pikepdf

    from .chapters import FOREIGN
    from .layout import finish_pdfx
    from .pdfx import is_pdfx

    sources = [pikepdf.open(io.BytesIO(laid.pdf)) for _, laid in parts]
    out = sources[0]
    root = out.Root
    tree = root.get("/StructTreeRoot")
    document = tree.K[0] if tree is not None else None
    parent_tree: list[tuple[Any, Any]] = []  # (page or annotation, its value) in the book's order
    if tree is not None:
        _collect_parents(out, tree, parent_tree, list(out.pages), False)
    outlines = [(out, root.get("/Outlines"))]
    names = _dests(root)
    drawn = None
    if blank is not None:
        with pikepdf.open(io.BytesIO(blank.pdf)) as model:
            drawn = out.copy_foreign(model.pages[1].obj)
    for (start, _), source in zip(parts[1:], sources[1:], strict=True):
        while len(out.pages) < start - 1:
            blank_page = out.make_indirect(_blank_page(out, drawn or out.pages[-1].obj, drawn is not None))
            out.pages.append(pikepdf.Page(blank_page))
            if tree is not None:
                parent_tree.append((out.pages[-1].obj, pikepdf.Array()))
        first = len(out.pages)
        with warnings.catch_warnings():  # the names are joined below
            warnings.simplefilter("ignore")
            out.pages.extend(source.pages)
        copied = [out.pages[i].obj for i in range(first, len(out.pages))]
        source_tree = source.Root.get("/StructTreeRoot")
        if source_tree is not None and document is not None:
            for element in source_tree.K[0].K:
                element = out.copy_foreign(element)
                element.P = document
                document.K.append(element)
            _collect_parents(out, source_tree, parent_tree, copied, True)
        if "/Outlines" in source.Root:
            outlines.append((source, source.Root.Outlines))
        names += [(name, _copy(out, dest)) for name, dest in _dests(source.Root)]
    if tree is not None:
        _renumber(out, tree, parent_tree)
    _join_outlines(out, outlines)
    if names:
        names.sort(key=lambda item: bytes(item[0]))
        seen: set[bytes] = set()
        flat = pikepdf.Array()
        for name, dest in names:
            if bytes(name) not in seen:
                seen.add(bytes(name))
                flat.extend([name, dest])
        if "/Names" not in root:
            root.Names = pikepdf.Dictionary()
        root.Names.Dests = pikepdf.Dictionary(Names=flat)
    for page in out.pages:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            if action is not None and str(action.get("/URI", "")).startswith(FOREIGN):
                target = str(action.URI)[len(FOREIGN) :]
                del annotation["/A"]
                annotation.Dest = pikepdf.String(target)
                if "/Contents" in annotation:
                    annotation.Contents = pikepdf.String(target)
    _fonts_once(out, job)
    buffer = io.BytesIO()
    out.remove_unreferenced_resources()
    # Object streams came with PDF 1.5: not in the older versions some variants ask (PDF/X-1a, X-3).
    streams = pikepdf.ObjectStreamMode.generate if out.pdf_version >= "1.5" else pikepdf.ObjectStreamMode.disable
    out.save(
        buffer,
        deterministic_id=True,
        object_stream_mode=streams,
        compress_streams=True,
        recompress_flate=False,
    )
    for source in sources:
        source.close()
    pdf = buffer.getvalue()
    variant = job.variant or "pdf/ua-1"
    return finish_pdfx(pdf, variant) if is_pdfx(variant) else pdf


def _blank_page(out: Any, like: Any, drawn: bool) -> Any:
    """A blank page of the book's size; `drawn`: with the drawing of `like`, a blank page of
    WeasyPrint's (its crop marks); else empty, the size of `like`."""
    import pikepdf

    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary())
    for key in ("/MediaBox", "/TrimBox", "/BleedBox", "/ArtBox", "/CropBox", "/Tabs"):
        if key in like:
            page[key] = like[key]
    if drawn:
        page.Resources = like.Resources
    page.Contents = like.Contents if drawn else out.make_stream(b"")
    return page


def _collect_parents(out: Any, tree: Any, found: list[tuple[Any, Any]], pages: Sequence[Any], is_foreign: bool) -> None:
    """Each page's and each link's entry of a run's parent tree, as objects of `out`."""
    nums = tree.ParentTree.get("/Nums", [])
    values = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pages:
        page = getattr(page, "obj", page)
        key = page.get("/StructParents")
        if key is not None:
            value = values.get(int(key), [])
            found.append((page, _copy(out, value) if is_foreign else value))
    for page in pages:
        page = getattr(page, "obj", page)
        for annotation in page.get("/Annots", ()):
            key = annotation.get("/StructParent")
            if key is not None and int(key) in values:
                value = values[int(key)]
                found.append((annotation, _copy(out, value) if is_foreign else value))


def _copy(out: Any, value: Any) -> Any:
    """A foreign object into `out` (through the copier its pages came by: the same objects)."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(out, item) for item in value])
    return value


def _renumber(out: Any, tree: Any, parents: list[tuple[Any, Any]]) -> None:
    import pikepdf

    pages = [(holder, value) for holder, value in parents if holder.get("/Type") == "/Page"]
    others = [(holder, value) for holder, value in parents if holder.get("/Type") != "/Page"]
    nums: list[Any] = []
    for number, (holder, value) in enumerate(pages):
        holder.StructParents = number
        nums += [number, value]
    for number, (holder, value) in enumerate(others, len(pages)):
        holder.StructParent = number
        nums += [number, value]
    tree.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    for element in tree.K[0].K:
        element.P = tree.K[0]


def _dests(root: Any) -> list[tuple[Any, Any]]:
    names = root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return [(names[i], names[i + 1]) for i in range(0, len(names), 2)]


def _join_outlines(out: Any, outlines: list[tuple[Any, Any]]) -> None:
    import pikepdf

    items = []
    count = 0
    for pdf, root in outlines:
        if root is None or "/First" not in root:
            continue
        count += int(root.get("/Count", 0))
        item = root.First
        while True:
            items.append(item if pdf is out else out.copy_foreign(item))
            if "/Next" not in item:
                break
            item = item.Next
    if not items:
        return
    top = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    for number, item in enumerate(items):
        item.Parent = top
        if number:
            item.Prev = items[number - 1]
        elif "/Prev" in item:
            del item["/Prev"]
        if number + 1 < len(items):
            item.Next = items[number + 1]
        elif "/Next" in item:
            del item["/Next"]
    top.First, top.Last, top.Count = items[0], items[-1], count
    out.Root.Outlines = top


# --- Fonts ---------------------------------------------------------------------------------


def _fonts_once(out: Any, job: LayoutJob) -> None:
    """Each font the runs embed (one dictionary per run, each with its own subset), replaced
    by one dictionary with one subset of the original file, with the glyphs of all runs."""
    import pikepdf

    groups: dict[bytes, list[Any]] = {}
    holders: list[Any] = []
    for page in out.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font")
        if fonts is None:
            continue
        holders.append(fonts)
        for _, font in fonts.items():
            groups.setdefault(bytes(font.BaseFont), [])
            if not any(font.objgen == known.objgen for known in groups[bytes(font.BaseFont)]):
                groups[bytes(font.BaseFont)].append(font)
    originals = _original_fonts(job)
    chosen: dict[tuple[int, int], Any] = {}
    for fonts in groups.values():
        if len(fonts) < 2 or any(font.get("/Encoding") != "/Identity-H" for font in fonts):
            continue
        descendant = fonts[0].DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        file_key = "/FontFile2" if "/FontFile2" in descriptor else "/FontFile3"
        if file_key not in descriptor:
            continue
        original = _find_original(descriptor[file_key].read_bytes(), originals)
        if original is None:
            continue
        widths: dict[int, float] = {}
        unicode: dict[int, str] = {}
        for font in fonts:
            widths.update(_widths(font.DescendantFonts[0].W))
            unicode.update(_to_unicode(font.ToUnicode.read_bytes()))
        data = _subset(original, sorted(widths))
        if data is None:
            continue
        merged = fonts[0]
        stream = out.make_stream(data)
        if file_key == "/FontFile3":
            stream.Subtype = pikepdf.Name.OpenType
        else:
            stream.Length1 = len(data)
        descriptor[file_key] = stream
        descriptor.FontBBox = pikepdf.Array([0, descriptor.FontBBox[1], max(widths.values()), descriptor.FontBBox[3]])
        descendant.W = _w_array(widths)
        merged.ToUnicode = out.make_stream(_cmap(unicode))
        for font in fonts:
            chosen[font.objgen] = merged
    for fonts in holders:
        for name, font in list(fonts.items()):
            if font.objgen in chosen:
                fonts[name] = chosen[font.objgen]


def _original_fonts(job: LayoutJob) -> dict[str, Path]:
    """The book's font files, by PostScript name."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    found: dict[str, Path] = {}
    for path in sorted(job.project.files):
        if path.suffix.lower() not in (".ttf", ".otf"):
            continue
        try:
            with TTFont(path, lazy=True) as font:
                name = font["name"].getDebugName(6)
        except Exception:
            continue
        if name:
            found.setdefault(name, path)
    return found


def _find_original(subset: bytes, originals: dict[str, Path]) -> Path | None:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(io.BytesIO(subset), lazy=True) as font:
            name = font["name"].getDebugName(6)
            if "fvar" in font:
                return None
    except Exception:
        return None
    return originals.get(name or "")


def _subset(path: Path, gids: list[int]) -> bytes | None:
    """The font at `path` with only `gids`, their ids kept: WeasyPrint's own subsetting
    (HarfBuzz, in two steps: the glyphs kept at their ids, then the empty ones past the last
    dropped; no hinting, as WeasyPrint's default options ask)."""
    import uharfbuzz as hb

    if not gids:
        return None
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    first = hb.SubsetInput()
    first.glyph_set.update(gids)
    first.flags = flags | hb.SubsetFlags.RETAIN_GIDS
    first.drop_table_tag_set.update(int.from_bytes(tag, "big") for tag in _DROPPED)
    kept = hb.subset(face, first)
    if kept is None:
        return None
    second = hb.SubsetInput()
    second.glyph_set.update(range(max(gids) + 1))
    second.flags = flags | hb.SubsetFlags.NO_HINTING
    result = hb.subset(kept, second)
    return None if result is None else bytes(result.blob.data)


_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def _widths(array: Any) -> dict[int, float]:
    widths: dict[int, float] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        for offset, width in enumerate(items[i + 1]):
            widths[first + offset] = float(width)
        i += 2
    return widths


def _w_array(widths: dict[int, float]) -> Any:
    import pikepdf

    array = pikepdf.Array()
    run: Any = None
    for gid in sorted(widths):
        if gid - 1 not in widths:
            run = pikepdf.Array()
            array.extend([pikepdf.Object.parse(str(gid).encode()), run])
        width = widths[gid]
        run.append(int(width) if width == int(width) else width)
    return array


def _to_unicode(cmap: bytes) -> dict[int, str]:
    found: dict[int, str] = {}
    for glyph, text in re.findall(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>", cmap):
        found[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", errors="replace")
    return found


def _cmap(unicode: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(unicode.items())
    for i in range(0, len(items), 100):
        batch = items[i : i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode() for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
