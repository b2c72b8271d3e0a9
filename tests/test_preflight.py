"""`fleuron preflight`: it finds what a shop would reject in crafted books, and passes a clean one."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import fleuron, new_project

pytestmark = pytest.mark.slow


def _html_pdf(tmp_path: Path, body: str, variant: str | None = None) -> Path:
    import weasyprint

    html = (
        "<html><head><title>T</title><style>@page { size: 148mm 210mm; margin: 20mm; bleed: 3mm }</style>"
        f"</head><body>{body}</body></html>"
    )
    path = tmp_path / "crafted.pdf"
    path.write_bytes(weasyprint.HTML(string=html, base_url=str(tmp_path)).write_pdf(pdf_variant=variant))
    return path


def test_a_clean_manuscript_passes(tmp_path: Path) -> None:
    source = new_project(tmp_path, text="Un texte sans image, bien au milieu de la page.\n")
    done = fleuron("preflight", str(source))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready to print" in done.stdout


def test_a_low_resolution_image_is_named_with_its_page_and_ppi(tmp_path: Path) -> None:
    source = new_project(tmp_path)  # a 20×10 px image, printed at its CSS size: 96 ppi
    done = fleuron("preflight", str(source))
    assert done.returncode == 1
    (line,) = [line for line in done.stdout.splitlines() if "resolution" in line]
    assert line.startswith("page ") and "image.png" in line and " ppi" in line
    ppi = float(line.split(": ")[-1].split()[0])
    assert ppi < 300


def test_text_in_the_safety_margin_and_in_the_bleed(tmp_path: Path) -> None:
    body = (
        '<p style="position: absolute; top: -18mm; left: 0; margin: 0">Marge</p>'
        '<p style="position: absolute; top: 80mm; left: -23mm; margin: 0">Perdu</p><p>Texte</p>'
    )
    done = fleuron("preflight", str(_html_pdf(tmp_path, body)))
    assert done.returncode == 1
    assert any("margin" in line and "Marge" in line for line in done.stdout.splitlines()), done.stdout
    assert any("bleed" in line and "Perdu" in line for line in done.stdout.splitlines()), done.stdout
    assert "Texte" not in done.stdout


def test_rgb_in_a_pdf_x1a_is_found(tmp_path: Path) -> None:
    # WeasyPrint's own X-1a, without Fleuron's pass: RGB text and no FOGRA39 intent.
    done = fleuron("preflight", str(_html_pdf(tmp_path, '<p style="color: #c00">Rouge</p>', "pdf/x-1a")))
    assert done.returncode == 1
    assert "rgb: colours in RGB" in done.stdout and "x-intent" in done.stdout
