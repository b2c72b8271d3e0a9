"""The EAN-13 encoder (writers/barcode.py): published vectors, the symbol's structure, and a real
barcode reader (zbar's `zbarimg`) reading back symbols drawn from its bars."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from fleuron.writers.barcode import LEFT_QUIET, MODULES, RIGHT_QUIET, bars, ean13_modules, ean13_svg

# ZXing's EAN13WriterTestCase (quiet zones of 3 modules around the 95), and BarcodeLib's
# Ean13Tests (12 digits in, the check digit computed).
ZXING = "00010100010110100111011001100100110111101001110101010110011011011001000010101110010011101000100101000"
VECTORS = {
    "5901234123457": ZXING[3:-3],
    "038000356216": "10101111010110111000110100011010001101011110101010100111010100001101100110011010100001011100101",
    "123456789012": "10100100110111101001110101100010000101001000101010100100011101001110010110011011011001001000101",
}


@pytest.mark.parametrize(("number", "modules"), VECTORS.items())
def test_published_vectors(number: str, modules: str) -> None:
    assert ean13_modules(number) == modules


def test_the_symbols_structure() -> None:
    modules = ean13_modules("9782070360024")
    assert len(modules) == MODULES
    assert modules[:3] == modules[-3:] == "101"  # the guards
    assert modules[45:50] == "01010"  # the centre
    # Every digit is two bars and two spaces over 7 modules.
    for start in [*range(3, 45, 7), *range(50, 92, 7)]:
        assert len(re.findall("1+", modules[start : start + 7])) == 2


@pytest.mark.parametrize("number", ["97820703600", "97820703600245", "978207036002X", "９７８２０７０３６００２４"])
def test_what_is_no_ean13_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match="12 or 13 digits"):
        ean13_modules(number)


def test_a_wrong_check_digit_is_refused_with_the_right_one() -> None:
    with pytest.raises(ValueError, match="should be 4"):
        ean13_modules("9782070360025")


def test_the_svg_draws_each_bar_once_in_millimetres() -> None:
    svg = ean13_svg("9782070360024", 18.0, module_mm=0.33)
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="0" width="([\d.]+)"', svg)]
    assert len(widths) == len(bars(ean13_modules("9782070360024")))
    assert sum(widths) == pytest.approx(ean13_modules("9782070360024").count("1") * 0.33)
    assert f'width="{(LEFT_QUIET + MODULES + RIGHT_QUIET) * 0.33:.4f}mm"' in svg
    # The guard bars run 5 modules lower than the others.
    heights = sorted({float(h) for h in re.findall(r'height="([\d.]+)"/>', svg)})
    assert heights == [pytest.approx(18.0 - 5 * 0.33), 18.0]


def _read_with_zbar(number: str, folder: Path) -> str:
    """The symbol drawn at 4 px a module from `bars`, as the SVG draws it, read by zbarimg."""
    scale, height = 4, 200
    image = Image.new("L", ((LEFT_QUIET + MODULES + RIGHT_QUIET) * scale, height + 40), 255)
    draw = ImageDraw.Draw(image)
    for bar in bars(ean13_modules(number)):
        left = (LEFT_QUIET + bar.start) * scale
        draw.rectangle((left, 20, left + bar.width * scale - 1, 20 + height - (0 if bar.guard else 20)), fill=0)
    path = folder / f"{number}.png"
    image.save(path)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True, check=False)
    return out.stdout.strip()


@settings(max_examples=25, deadline=None)
@given(first12=st.from_regex(r"97[89][0-9]{9}", fullmatch=True))
def test_zbar_reads_what_the_encoder_draws(first12: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("ean")
    read = _read_with_zbar(first12, folder)
    assert read[:12] == first12
    assert ean13_modules(read) == ean13_modules(first12)  # the check digit zbar read is ours
