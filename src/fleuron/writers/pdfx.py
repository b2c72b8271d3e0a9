"""PDF/X for the print shop: the variants, the CMYK profile and output intent, the finishing pass
that makes WeasyPrint's PDF conformant, and the checks that say whether it is.

The API (stable; the cover and the booklet use it too):

- `VARIANTS`, `is_pdfx(variant)`: the PDF/X variants Fleuron writes (pdf/x-1a, pdf/x-3, pdf/x-4).
- `profile_path()`: the CMYK ICC profile of the output intent, ISO Coated v2 300% (basICColor,
  zlib licence), the FOGRA39 characterization, from Debian's `scribus-data`; `OUTPUT_CONDITION`
  names it as the ICC registry does.
- `stylesheet(variant)`: CSS added after the book's own for an X variant (`@color-profile
  device-cmyk`, so that WeasyPrint embeds the profile and writes the output intent; text in pure
  black K through WeasyPrint's `device-cmyk()`). The URL fetcher must allow `profile_path()`.
- `finish(pdf, variant) -> bytes`: the pass over WeasyPrint's finished bytes: the output intent
  named FOGRA39, the XMP identifiers PDF/X-4 asks for, and every colour left in RGB (operators
  of every content stream, images) converted with the profile, grey to black ink only; for
  X-1a and X-3, images' soft masks flattened on white paper. Deterministic: the same bytes in
  give the same bytes out.
- `check(pdf, variant) -> list[Problem]`: what a PDF/X validator would refuse in a PDF (output
  intent, version keys, Trapped, TrimBox and BleedBox, fonts embedded, RGB anywhere for every
  variant, transparency for X-1a and X-3, PDF version); `preflight.py` and the tests read it.

`layout.lay_out` does all of it for a `LayoutJob` whose variant is an X variant: a writer that
lays out through it has nothing more to do. One that calls WeasyPrint itself adds
`stylesheet(variant)` to its CSS, allows `profile_path()` in its URL fetcher, renders with
`pdf_variant=variant` and fixed `dcterms.created`/`dcterms.modified` meta (WeasyPrint's PDF/X
stamps "now" otherwise), then calls `finish` and `check`.

What WeasyPrint 70 does by itself (`weasyprint/pdf/pdfx.py`): GTS_PDFXVersion and
GTS_PDFXConformance in the Info dictionary (X-1a:2003, X-3:2003), pdfxid:GTS_PDFXVersion in the
XMP (X-4), Trapped False, the PDF version (1.4 for X-1a and X-3, 1.6 for X-4), TrimBox and
BleedBox, fonts embedded, and an output intent from `@color-profile device-cmyk`. It converts no
RGB colour or image to CMYK: `finish` does, with Pillow's LittleCMS.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FleuronError
from ..messages import _

if TYPE_CHECKING:
    import pikepdf
    from PIL import Image

#: The PDF/X variants, as WeasyPrint names them (`--pdf-variant`).
VARIANTS = ("pdf/x-1a", "pdf/x-3", "pdf/x-4")
#: Variants that forbid transparency (soft masks, transparency groups, alpha below 1).
OPAQUE_VARIANTS = ("pdf/x-1a", "pdf/x-3")
#: The PDF versions each standard allows at most (ISO 15930-4 and -6: 1.4; -7: 1.6).
MAX_VERSION = {"pdf/x-1a": "1.4", "pdf/x-3": "1.4", "pdf/x-4": "1.6"}
#: The Info dictionary's GTS_PDFXVersion for the 2003 standards (X-4 has it in the XMP only).
INFO_VERSION = {"pdf/x-1a": "PDF/X-1a:2003", "pdf/x-3": "PDF/X-3:2003"}

#: Where Debian's `scribus-data` installs the profile (the Makefile's system check installs it).
PROFILE = Path("/usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc")
PROFILE_PACKAGE = "scribus-data"
#: Black text and rules in black ink only (the CSS colour of the root, inherited by all).
BLACK = "device-cmyk(0 0 0 1)"


@dataclass(frozen=True)
class OutputCondition:
    identifier: str
    registry: str
    condition: str


#: FOGRA39, as registered at the ICC (the characterization the profile was made from).
OUTPUT_CONDITION = OutputCondition(
    identifier="FOGRA39",
    registry="http://www.color.org",
    condition="Offset commercial and specialty printing according to ISO 12647-2:2004 / Amd 1, "
    "paper type 1 or 2 (gloss or matte coated offset paper, 115 g/m2), screen frequency 60/cm",
)


@dataclass(frozen=True)
class Problem:
    """One thing a PDF/X validator or a print shop would refuse; `page` is 1-based, 0 for the file."""

    code: str
    message: str
    page: int = 0


def is_pdfx(variant: str | None) -> bool:
    return variant in VARIANTS


def profile_path() -> Path:
    """The CMYK profile's path; a clear error when the package that installs it is missing."""
    if not PROFILE.is_file():
        raise FleuronError(
            _(
                "PDF/X needs the CMYK profile {path}: install it with `apt-get install {package}`",
                path=PROFILE,
                package=PROFILE_PACKAGE,
            )
        )
    return PROFILE


def stylesheet(variant: str) -> str:
    """The CSS an X variant adds after the book's: the output intent's profile, black in K only."""
    if not is_pdfx(variant):
        return ""
    return (
        "@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
        f'src: url("{profile_path().as_uri()}"); }}\n'
        f"html {{ color: {BLACK}; }}\n"
    )


# --- The finishing pass -------------------------------------------------------------------


def finish(pdf: bytes, variant: str) -> bytes:
    """WeasyPrint's PDF made conformant to `variant` (see the module's docstring)."""
    import pikepdf

    if not is_pdfx(variant):
        return pdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        _set_output_intent(document)
        if variant == "pdf/x-4":
            _set_xmp_identifiers(document)
        converted: set[tuple[int, int]] = set()
        for page in document.pages:
            page.Contents = document.make_stream(_cmyk_content(page, page.obj.get("/Resources")))
            _cmyk_group(page.obj)
            _convert_resources(document, page.obj.get("/Resources"), variant, converted)
        out = io.BytesIO()
        # No object streams (PDF 1.5) in a 1.4 file. The file identifier's first half stays
        # WeasyPrint's (one per book); qpdf makes the second from the content, as deterministic.
        document.save(
            out,
            force_version=str(document.pdf_version),
            fix_metadata_version=False,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            compress_streams=True,
            deterministic_id=True,
        )
        return out.getvalue()


def _set_output_intent(document: pikepdf.Pdf) -> None:
    """One GTS_PDFX output intent, named as the ICC registry names FOGRA39, with the profile
    WeasyPrint embedded from `stylesheet` (or embedded here, for a PDF made without it)."""
    import pikepdf

    profile = None
    for intent in document.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile", profile)
    if profile is None:
        profile = document.make_stream(profile_path().read_bytes())
        profile.N = 4
    document.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFX,
                OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION.identifier),
                RegistryName=pikepdf.String(OUTPUT_CONDITION.registry),
                OutputCondition=pikepdf.String(OUTPUT_CONDITION.condition),
                Info=pikepdf.String(_profile_description()),
                DestOutputProfile=profile,
            )
        ]
    )


@cache
def _profile_description() -> str:
    from PIL import ImageCms

    return str(ImageCms.getOpenProfile(str(profile_path())).profile.profile_description)


def _set_xmp_identifiers(document: pikepdf.Pdf) -> None:
    """PDF/X-4 (ISO 15930-7, 6.7.2) wants xmpMM:DocumentID, VersionID and RenditionClass, which
    WeasyPrint does not write; the DocumentID comes from the file identifier (one per book)."""
    raw = bytes(document.trailer.ID[0])
    text = raw.decode("latin-1").lower()
    identifier = text if len(text) >= 32 and all(c in "0123456789abcdef" for c in text) else raw.hex()
    uuid = f"{identifier[:8]}-{identifier[8:12]}-{identifier[12:16]}-{identifier[16:20]}-{identifier[20:32]}"
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["xmpMM:DocumentID"] = f"uuid:{uuid}"
        xmp["xmpMM:VersionID"] = "1"
        xmp["xmpMM:RenditionClass"] = "default"


def _convert_resources(document: pikepdf.Pdf, resources: Any, variant: str, converted: set[tuple[int, int]]) -> None:
    """Images in RGB to CMYK, and the content of form XObjects and tiling patterns, recursively."""
    import pikepdf

    if resources is None:
        return
    children = [*resources.get("/XObject", {}).values(), *resources.get("/Pattern", {}).values()]
    for child in children:
        if not isinstance(child, pikepdf.Stream) or child.objgen in converted:
            continue
        converted.add(child.objgen)
        if child.get("/Subtype") == "/Image":
            _convert_image(document, child, variant)
        elif child.get("/Subtype") == "/Form" or child.get("/PatternType") == 1:
            child.write(_cmyk_content(child, child.get("/Resources")))
            _cmyk_group(child)
            _convert_resources(document, child.get("/Resources"), variant, converted)


def _cmyk_group(owner: Any) -> None:
    """A transparency group blends in the output intent's CMYK, not in RGB (WeasyPrint writes
    /CS /DeviceRGB: its issue #2723, which prepress checks report as RGB)."""
    import pikepdf

    group = owner.get("/Group")
    if group is not None and _rgb_space(group.get("/CS"), None):
        group.CS = pikepdf.Name.DeviceCMYK


# --- Colours ------------------------------------------------------------------------------


@cache
def _transform() -> Any:
    """sRGB to the output intent's CMYK: relative colorimetric with black-point compensation,
    as print shops convert."""
    from PIL import ImageCms

    flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.getOpenProfile(str(profile_path())),
        "RGB",
        "CMYK",
        ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags,
    )


def rgb_to_cmyk(red: float, green: float, blue: float) -> tuple[float, float, float, float]:
    """One sRGB colour (0–1) in the output intent's CMYK (0–1). A grey, black included, is
    black ink only (K = 1 − grey), never a four-colour grey that would blur on the press."""
    if red == green == blue:
        return (0.0, 0.0, 0.0, round(1 - red, 4))
    from PIL import Image, ImageCms

    pixel = Image.new("RGB", (1, 1), tuple(round(channel * 255) for channel in (red, green, blue)))
    cmyk = ImageCms.applyTransform(pixel, _transform())
    assert cmyk is not None
    values: tuple[int, ...] = cmyk.getpixel((0, 0))  # type: ignore[assignment]
    c, m, y, k = (round(value / 255, 4) for value in values)
    return (c, m, y, k)


def _rgb_space(space: Any, resources: Any) -> bool:
    """Whether a colour space (a name, or a resource's) has RGB components."""
    import pikepdf

    if isinstance(space, pikepdf.Name) and resources is not None and space in resources.get("/ColorSpace", {}):
        space = resources.ColorSpace[space]
    if space == "/DeviceRGB" or space == "/CalRGB":
        return True
    if isinstance(space, pikepdf.Array) and len(space) >= 2:
        family = space[0]
        if family == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if family == "/CalRGB":
            return True
    return False


def _cmyk_content(stream: Any, resources: Any) -> bytes:
    """A content stream with each RGB colour operator (rg, RG, and sc/scn in an RGB space) made
    its CMYK equivalent (k, K, or the DeviceCMYK space); everything else as it was."""
    import pikepdf

    instructions: list[Any] = []
    rgb = {"fill": False, "stroke": False}
    for instruction in pikepdf.parse_content_stream(stream):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            instructions.append(instruction)
            continue
        operands, operator = list(instruction.operands), str(instruction.operator)
        side = "stroke" if operator in ("RG", "CS", "SC", "SCN") else "fill"
        if operator in ("rg", "RG") and len(operands) == 3:
            cmyk = rgb_to_cmyk(*(float(value) for value in operands))
            instructions.append(_instruction(cmyk, "k" if side == "fill" else "K"))
            continue
        if operator in ("cs", "CS") and operands:
            rgb[side] = _rgb_space(operands[0], resources)
            if rgb[side]:
                operands = [pikepdf.Name.DeviceCMYK]
        elif operator in ("sc", "scn", "SC", "SCN") and rgb[side] and len(operands) == 3:
            operands = [_number(value) for value in rgb_to_cmyk(*map(float, operands))]
        elif operator in ("g", "G", "k", "K"):
            rgb[side] = False
        instructions.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(operator)))
    return pikepdf.unparse_content_stream(instructions)


def _instruction(values: tuple[float, ...], operator: str) -> Any:
    import pikepdf

    return pikepdf.ContentStreamInstruction([_number(value) for value in values], pikepdf.Operator(operator))


def _number(value: float) -> Any:
    """A short PDF number: 1, 0, 0.4 rather than 1.000000."""
    import pikepdf

    return pikepdf.Object.parse(f"{value:g}".encode("ascii"))


# --- Images -------------------------------------------------------------------------------


def _convert_image(document: pikepdf.Pdf, image: Any, variant: str) -> None:
    """An RGB image to CMYK with the profile (lossless, Flate); its soft mask, where the variant
    forbids transparency, flattened on white paper."""
    import pikepdf
    from PIL import Image, ImageCms

    space = image.get("/ColorSpace")
    indexed = isinstance(space, pikepdf.Array) and len(space) == 4 and space[0] == "/Indexed"
    base = space[1] if indexed else space
    has_mask = "/SMask" in image and variant in OPAQUE_VARIANTS
    if not _rgb_space(base, None) and not has_mask:
        return
    picture = _pil(image)
    if has_mask:
        alpha = _pil(image.SMask).convert("L")
        flat = picture.convert("RGB") if _rgb_space(base, None) else picture.convert("L").convert("RGB")
        picture = Image.composite(flat, Image.new("RGB", picture.size, "white"), alpha)
        if not _rgb_space(base, None):
            picture = picture.convert("L")
        del image.SMask
    if picture.mode != "L":
        cmyk = ImageCms.applyTransform(picture.convert("RGB"), _transform())
        assert cmyk is not None
        picture = cmyk
    image.write(zlib.compress(picture.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    image.ColorSpace = pikepdf.Name.DeviceGray if picture.mode == "L" else pikepdf.Name.DeviceCMYK
    image.BitsPerComponent = 8
    for key in ("/DecodeParms", "/Decode", "/Intent"):
        if key in image:
            del image[key]


def _pil(image: Any) -> Image.Image:
    import pikepdf

    return pikepdf.PdfImage(image).as_pil_image()


# --- Checks -------------------------------------------------------------------------------


def check(pdf: pikepdf.Pdf, variant: str) -> list[Problem]:
    """What a PDF/X validator would refuse in `pdf` for `variant` (an empty list: nothing)."""
    problems = list(_document_problems(pdf, variant))
    for number, page in enumerate(pdf.pages, start=1):
        problems += [Problem(code, message, number) for code, message in page_problems(page, variant)]
    return problems


def _document_problems(pdf: pikepdf.Pdf, variant: str) -> Iterator[Problem]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if len(intents) != 1:
        yield Problem("x-intent", _("no GTS_PDFX output intent (exactly one is required)"))
    else:
        profile = intents[0].get("/DestOutputProfile")
        if profile is None or int(profile.get("/N", 0)) != 4:
            yield Problem("x-intent", _("the output intent has no CMYK profile"))
    info = pdf.docinfo
    if variant in INFO_VERSION and str(info.get("/GTS_PDFXVersion", "")) != INFO_VERSION[variant]:
        yield Problem("x-version", _("GTS_PDFXVersion is not {version}", version=INFO_VERSION[variant]))
    if variant == "pdf/x-1a" and str(info.get("/GTS_PDFXConformance", "")) != INFO_VERSION[variant]:
        yield Problem("x-version", _("GTS_PDFXConformance is not {version}", version=INFO_VERSION[variant]))
    if variant == "pdf/x-4":
        xmp = pdf.open_metadata()
        if xmp.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
            yield Problem("x-version", _("the XMP has no pdfxid:GTS_PDFXVersion PDF/X-4"))
        for key in ("xmpMM:DocumentID", "xmpMM:VersionID", "xmpMM:RenditionClass"):
            if not xmp.get(key):
                yield Problem("x-version", _("the XMP has no {key}", key=key))
    if str(info.get("/Trapped", "")) != "/False" and str(info.get("/Trapped", "")) != "/True":
        yield Problem("x-trapped", _("Trapped is neither True nor False"))
    if "/Title" not in info:
        yield Problem("x-title", _("the document has no title"))
    if float(str(pdf.pdf_version)) > float(MAX_VERSION[variant]):
        yield Problem(
            "x-pdf-version",
            _(
                "PDF {found} is past what {variant} allows ({allowed})",
                found=pdf.pdf_version,
                variant=variant,
                allowed=MAX_VERSION[variant],
            ),
        )


def page_problems(page: Any, variant: str | None) -> Iterator[tuple[str, str]]:
    """One page's problems as (code, message): boxes, fonts, and, for an X variant, colours
    and transparency. `variant` None checks the boxes and fonts only."""
    for box in ("/TrimBox", "/BleedBox"):
        if box not in page.obj:
            yield "boxes", _("no {box}", box=box[1:])
    group: Any = page.obj.get("/Group") or {}
    if variant is not None and _rgb_space(group.get("/CS"), None):
        yield "rgb", _("a transparency group that blends in RGB")
    if variant in OPAQUE_VARIANTS and group.get("/S") == "/Transparency":
        yield "transparency", _("a transparency group in {variant}", variant=variant)
    yield from _resource_problems(page, page.obj.get("/Resources"), variant, set())
    if variant is not None and _has_rgb_operators(page, page.obj.get("/Resources")):
        yield "rgb", _("colours in RGB in the page's content")


def _resource_problems(
    owner: Any, resources: Any, variant: str | None, seen: set[tuple[int, int]]
) -> Iterator[tuple[str, str]]:
    import pikepdf

    if resources is None:
        return
    for name, font in resources.get("/Font", {}).items():
        if not _embedded(font):
            yield "fonts", _("font {name} is not embedded", name=str(font.get("/BaseFont", name))[1:])
    if variant is None:
        return
    opaque = variant in OPAQUE_VARIANTS
    for state in resources.get("/ExtGState", {}).values():
        soft = state.get("/SMask", pikepdf.Name.None_) != pikepdf.Name.None_
        alpha = any(float(state.get(key, 1)) < 1 for key in ("/CA", "/ca"))
        blend = state.get("/BM", pikepdf.Name.Normal) not in (pikepdf.Name.Normal, pikepdf.Name.Compatible)
        if opaque and (soft or alpha or blend):
            yield "transparency", _("transparency (soft mask, alpha or blend mode) in {variant}", variant=variant)
    children: list[Any] = [*resources.get("/XObject", {}).values(), *resources.get("/Pattern", {}).values()]
    for child in children:
        if not isinstance(child, pikepdf.Stream | pikepdf.Dictionary) or child.objgen in seen:
            continue
        seen.add(child.objgen)
        if child.get("/Subtype") == "/Image":
            if _rgb_space(child.get("/ColorSpace"), None) or (
                isinstance(child.get("/ColorSpace"), pikepdf.Array)
                and child.ColorSpace[0] == "/Indexed"
                and _rgb_space(child.ColorSpace[1], None)
            ):
                yield "rgb", _("an image in RGB ({width}×{height} px)", width=child.Width, height=child.Height)
            if opaque and "/SMask" in child:
                yield "transparency", _("an image with a soft mask (transparency) in {variant}", variant=variant)
        else:
            group: Any = child.get("/Group") or {}
            shading: Any = child.get("/Shading") or {}
            if opaque and group.get("/S") == "/Transparency":
                yield "transparency", _("a transparency group in {variant}", variant=variant)
            if _rgb_space(group.get("/CS"), None):
                yield "rgb", _("a transparency group that blends in RGB")
            if child.get("/Subtype") == "/Form" or child.get("/PatternType") == 1:
                if _has_rgb_operators(child, child.get("/Resources")):
                    yield "rgb", _("colours in RGB in a form or pattern")
                yield from _resource_problems(child, child.get("/Resources"), variant, seen)
            elif child.get("/PatternType") == 2 and _rgb_space(shading.get("/ColorSpace"), None):
                yield "rgb", _("a gradient in RGB")
    for shading in resources.get("/Shading", {}).values():
        if _rgb_space(shading.get("/ColorSpace"), None):
            yield "rgb", _("a gradient in RGB")


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        return all(_embedded(descendant) for descendant in font.get("/DescendantFonts", []))
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _has_rgb_operators(stream: Any, resources: Any) -> bool:
    import pikepdf

    rgb = {"fill": False, "stroke": False}
    for instruction in pikepdf.parse_content_stream(stream):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operator = str(instruction.operator)
        side = "stroke" if operator in ("RG", "CS", "SC", "SCN") else "fill"
        if operator in ("rg", "RG"):
            return True
        if operator in ("cs", "CS") and instruction.operands:
            rgb[side] = _rgb_space(instruction.operands[0], resources)
        elif operator in ("sc", "scn", "SC", "SCN") and rgb[side]:
            return True
    return False
