"""The EAN-13 barcode of an ISBN, as vector shapes: the 95 modules of the symbol (ISO/IEC
15420, GS1 General Specifications §5.2) and an SVG of its bars, for the back cover.

Nominal size (100 % magnification): a module is 0.33 mm, so the bars span 31.35 mm; the
quiet zones are 11 modules on the left and 7 on the right; the guard bars go 5 modules below
the others, where the human-readable digits stand.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum import ean

#: Set A (odd parity) of each digit, as bars (1) and spaces (0); set C is its complement and
#: set B is set C read backwards.
_SET_A = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_SET_C = tuple(code.translate(str.maketrans("01", "10")) for code in _SET_A)
_SET_B = tuple(code[::-1] for code in _SET_C)
#: The first digit is not drawn: it chooses set A or B for each of the next six.
_PARITY = ("AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA")
_GUARD, _CENTRE = "101", "01010"

MODULE_MM = 0.33
LEFT_QUIET, RIGHT_QUIET = 11, 7
MODULES = 95


def ean13_modules(number: str) -> str:
    """The 95 modules of an EAN-13 symbol ("1" a bar, "0" a space). `number` is 12 digits (the
    check digit is computed) or 13 (the check digit must be right)."""
    if not (number.isascii() and number.isdigit() and len(number) in (12, 13)):
        raise ValueError(f"an EAN-13 has 12 or 13 digits, not {number!r}")
    check = str(ean.calc_check_digit(number[:12]))
    if len(number) == 13 and number[12] != check:
        raise ValueError(f"{number}: the check digit should be {check}")
    digits = [int(d) for d in number[:12] + check]
    sets = {"A": _SET_A, "B": _SET_B}
    left = "".join(sets[kind][digit] for kind, digit in zip(_PARITY[digits[0]], digits[1:7], strict=True))
    right = "".join(_SET_C[digit] for digit in digits[7:])
    return _GUARD + left + _CENTRE + right + _GUARD


def _guard_modules() -> frozenset[int]:
    """Where the guard bars are, which go down into the digits' line."""
    centre = 3 + 42
    return frozenset([*range(3), *range(centre, centre + 5), *range(MODULES - 3, MODULES)])


@dataclass(frozen=True)
class Bar:
    """A bar: its first module (from the symbol's left edge, quiet zone excluded) and its width in modules."""

    start: int
    width: int
    guard: bool


def bars(modules: str) -> list[Bar]:
    """The runs of bar modules, each one rectangle (a guard's bar stands alone: it is longer)."""
    guards = _guard_modules()
    found: list[Bar] = []
    for index, module in enumerate(modules):
        if module != "1":
            continue
        guard = index in guards
        last = found[-1] if found else None
        if last is not None and last.start + last.width == index and last.guard == guard:
            found[-1] = Bar(last.start, last.width + 1, guard)
        else:
            found.append(Bar(index, 1, guard))
    return found


def ean13_svg(number: str, height_mm: float, module_mm: float = MODULE_MM) -> str:
    """The bars as an SVG of rectangles, in millimetres, quiet zones included on both sides:
    `height_mm` is the guard bars' height; the others stop 5 modules above their foot."""
    width = (LEFT_QUIET + MODULES + RIGHT_QUIET) * module_mm
    short = height_mm - 5 * module_mm
    rects = "".join(
        f'<rect x="{(LEFT_QUIET + bar.start) * module_mm:.4f}" y="0" width="{bar.width * module_mm:.4f}" '
        f'height="{height_mm if bar.guard else short:.4f}"/>'
        for bar in bars(ean13_modules(number))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ean13" width="{width:.4f}mm" height="{height_mm:.4f}mm" '
        f'viewBox="0 0 {width:.4f} {height_mm:.4f}" shape-rendering="crispEdges">{rects}</svg>'
    )
