"""PDF/X (`writers/pdfx.py`): the files read back with pikepdf and poppler, never trusted."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from fleuron.writers import pdfx

from helpers import fleuron, new_project, pdf_fonts

ROOT = Path(__file__).resolve().parent.parent


def test_grey_is_black_ink_only_and_colours_go_through_the_profile() -> None:
    assert pdfx.rgb_to_cmyk(0, 0, 0) == (0, 0, 0, 1)
    assert pdfx.rgb_to_cmyk(0.5, 0.5, 0.5) == (0, 0, 0, 0.5)
    c, m, y, _k = pdfx.rgb_to_cmyk(1, 0, 0)
    assert m > 0.8 and y > 0.8 and c < 0.1  # red is magenta and yellow


def _colour_operators(pdf: pikepdf.Pdf) -> list[tuple[str, list[str]]]:
    found = []
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            found.append((str(operator), [str(o) for o in operands]))
    return found


def _build(tmp_path: Path, variant: str, source: Path | None = None) -> Path:
    out = tmp_path / variant.replace("/", "-")
    done = fleuron("build", str(source or ROOT / "manuscript"), "-o", str(out), "--format", "pdf",
                   "--pdf-variant", variant)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (pdf,) = out.glob("*.pdf")
    return pdf


@pytest.mark.slow
@pytest.mark.parametrize("variant", pdfx.VARIANTS)
def test_the_article_in_each_variant_is_conformant(tmp_path: Path, variant: str) -> None:
    path = _build(tmp_path, variant)
    with pikepdf.open(path) as pdf:
        assert pdfx.check(pdf, variant) == []
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert int(intent.DestOutputProfile.N) == 4
        assert intent.DestOutputProfile.read_bytes() == pdfx.PROFILE.read_bytes()
        assert str(pdf.docinfo.Trapped) == "/False"
        if variant == "pdf/x-4":
            xmp = pdf.open_metadata()
            assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4" and xmp["xmpMM:DocumentID"].startswith("uuid:")
            assert str(pdf.pdf_version) == "1.6"
        else:
            assert str(pdf.docinfo.GTS_PDFXVersion) == pdfx.INFO_VERSION[variant]
            assert str(pdf.pdf_version) == "1.4"
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
        operators = _colour_operators(pdf)
        assert not [op for op, _ in operators if op in ("rg", "RG", "sc", "SC")]
        spaces = [operands for op, operands in operators if op in ("cs", "CS")]
        assert spaces and all(operands == ["/DeviceCMYK"] for operands in spaces)
        # The text is black ink only.
        assert {tuple(operands) for op, operands in operators if op == "scn"} == {("0", "0", "0", "1")}
    assert all(font["emb"] == "yes" for font in pdf_fonts(path))


@pytest.mark.slow
def test_an_rgb_image_with_alpha_becomes_cmyk_and_opaque_in_x1a(tmp_path: Path) -> None:
    from PIL import Image

    source = new_project(tmp_path / "p", text="Une image rouge :\n\n![Rouge](rouge.png)\n")
    Image.new("RGBA", (300, 200), (220, 20, 20, 128)).save(source.parent / "rouge.png")
    path = _build(tmp_path, "pdf/x-1a", source)
    with pikepdf.open(path) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert images and all(image.ColorSpace == "/DeviceCMYK" for image in images)
        assert not any("/SMask" in image for image in images)
        assert pdfx.check(pdf, "pdf/x-1a") == []
        # Flattened on white paper, then through the profile: a light red, magenta and yellow.
        picture = pikepdf.PdfImage(images[0]).as_pil_image()
        c, m, y, k = picture.getpixel((150, 100))
        assert m > y / 2 > 0 and c < m and k < 40


@pytest.mark.slow
def test_two_builds_are_byte_identical_and_the_default_is_untouched(tmp_path: Path) -> None:
    first = _build(tmp_path / "a", "pdf/x-4").read_bytes()
    second = _build(tmp_path / "b", "pdf/x-4").read_bytes()
    assert first == second
    plain = _build(tmp_path / "c", "pdf/ua-1")
    with pikepdf.open(plain) as pdf:
        assert "/OutputIntents" not in pdf.Root or all(i.S != "/GTS_PDFX" for i in pdf.Root.OutputIntents)
        assert any(op == "rg" for op, _ in _colour_operators(pdf))
