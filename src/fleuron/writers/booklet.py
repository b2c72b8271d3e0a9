"""The booklet, `--format booklet`: the book's pages imposed two per side of an A4 landscape sheet,
in saddle-stitch order, for an office printer.

- Each page is the book's page trimmed (its TrimBox: no bleed, no marks), drawn once as a form
  XObject (pikepdf, qpdf's `getFormXObjectForPage`) and clipped to its half of the sheet.
- The pages are counted up to a multiple of four with blank pages at the end; sheet s (from 0,
  the outermost) of n pages carries pages n − 2s and 2s + 1 on its front, 2s + 2 and n − 2s − 1
  on its back, left to right.
- Printed two-sided and flipped on the short edge, the back of each half is the next page: the
  sheet turns about its vertical axis, so the backs need no rotation. Folded in the middle and
  stapled, the sheets read in order.
- Each page stands against the fold and is centred from head to foot: a page smaller than half
  an A4 (a 110 × 178 mm book) keeps the book's inner margin, and trimming the booklet's three
  other edges gives the book's format. A larger page (6 × 9 in) is scaled down to fit.
- Creep: in a folded stack, the inner sheets stick out at the fore-edge, so that trimming eats
  their outer margin. `creep_mm` moves the innermost sheet's pages that far towards the fold,
  the others in proportion to their depth (the outermost does not move).
- Byte-reproducible: no date, and a file identifier from the content (qpdf's deterministic ID).
"""

from __future__ import annotations

import io

from ..units import POINTS_PER_MM

#: A4 landscape, in points.
SHEET_WIDTH = 297 * POINTS_PER_MM
SHEET_HEIGHT = 210 * POINTS_PER_MM

#: One side of a sheet: the book's page (from 0) on its left and on its right half, None for a blank.
Side = tuple[int | None, int | None]


def saddle_stitch_sides(pages: int) -> list[Side]:
    """The sides, front then back for each sheet from the outermost, of a booklet of `pages` pages."""
    padded = -(-pages // 4) * 4

    def page(number: int) -> int | None:  # 1-based in, 0-based out
        return number - 1 if number <= pages else None

    sides: list[Side] = []
    for sheet in range(padded // 4):
        sides.append((page(padded - 2 * sheet), page(2 * sheet + 1)))
        sides.append((page(2 * sheet + 2), page(padded - 2 * sheet - 1)))
    return sides


def creep_shift(sheet: int, sheets: int, creep_mm: float) -> float:
    """How far (pt) the pages of `sheet` (0 the outermost) move towards the fold."""
    if sheets < 2:
        return 0.0
    return creep_mm * POINTS_PER_MM * sheet / (sheets - 1)


def impose(book_pdf: bytes, creep_mm: float = 0.0) -> tuple[bytes, int]:
    """The booklet's PDF and its number of sides."""
    import pikepdf

    with pikepdf.open(io.BytesIO(book_pdf)) as book, pikepdf.new() as out:
        sides = saddle_stitch_sides(len(book.pages))
        sheets = len(sides) // 2
        forms: dict[int, pikepdf.Object] = {}
        for number, side in enumerate(sides):
            shift = creep_shift(number // 2, sheets, creep_mm)
            resources = pikepdf.Dictionary()
            drawn: list[bytes] = []
            for half, index in enumerate(side):
                if index is None:
                    continue
                if index not in forms:
                    form = pikepdf.Page(book.pages[index]).as_form_xobject()
                    forms[index] = out.copy_foreign(form)
                name = f"/Page{index + 1}"
                resources[name] = forms[index]
                drawn.append(_placed(name, book.pages[index].trimbox, half, shift))
            page = out.add_blank_page(page_size=(SHEET_WIDTH, SHEET_HEIGHT))
            page.Resources = pikepdf.Dictionary(XObject=resources)
            page.Contents = out.make_stream(b"".join(drawn))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue(), len(sides)


def _placed(name: str, trimbox: object, half: int, shift: float) -> bytes:
    """Drawing one page on its half (0 left, 1 right): scaled to fit if it must, against the
    fold (moved `shift` towards it), centred from head to foot, clipped to its trim and its half."""
    left, bottom, right, top = (float(v) for v in trimbox)  # type: ignore[attr-defined]
    width, height = right - left, top - bottom
    half_width = SHEET_WIDTH / 2
    scale = min(1.0, half_width / width, SHEET_HEIGHT / height)
    placed_width, placed_height = width * scale, height * scale
    x = half_width - placed_width + shift if half == 0 else half_width - shift
    y = (SHEET_HEIGHT - placed_height) / 2
    # The clip: the trimmed page where it lands, within its own half of the sheet.
    clip_left = max(x, half_width * half)
    clip_right = min(x + placed_width, half_width * (half + 1))
    return (
        f"q {clip_left:.4f} {y:.4f} {clip_right - clip_left:.4f} {placed_height:.4f} re W n "
        f"{scale:.6f} 0 0 {scale:.6f} {x - left * scale:.4f} {y - bottom * scale:.4f} cm {name} Do Q\n"
    ).encode("ascii")
