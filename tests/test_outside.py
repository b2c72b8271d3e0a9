"""Nothing outside the project is read, served or written unless the operator says so
(SECURITY.md): a link is followed only when it stays inside the project (the manuscript, a
`fleuron.toml` source, the cover, a stylesheet), `fleuron.toml`'s paths outside the project's
folder need `--allow-outside`, and the preview serves only what its build checked."""

from __future__ import annotations

import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import fleuron as api
from fleuron import FleuronError, pipeline, state, watch
from fleuron.writers.files import project_files

from helpers import ROOT, fleuron, new_project, png

SECRET = "fleuron-outside-5b2d"  # what the files outside the project hold; it must reach nothing
OK_BOOK = "---\ntitle: Essai\nlang: fr\ndate: 2026-03-01\n---\n\n"


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside every project of a test, with files a project's links may point to."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.md").write_text(OK_BOOK + SECRET + "\n", encoding="utf-8")
    (folder / "secret.css").write_text(f"/* {SECRET} */\n", encoding="utf-8")
    (folder / "secret.png").write_bytes(png(3, 3, (1, 2, 3)) + SECRET.encode())
    return folder


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A project folder: manuscript/livre.md (showing manuscript/image.png)."""
    new_project(tmp_path / "book")
    return tmp_path / "book"


def leaked(book: Path) -> bool:
    """Whether the secret is in a file the build wrote."""
    written = [path for path in book.rglob("*") if path.is_file() and not path.is_symlink()]
    return any(SECRET.encode() in path.read_bytes() for path in written)


def refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("fleuron: error: ") and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def project_styles(book: Path) -> Path:
    """The project's own `styles/`: a copy of Fleuron's."""
    styles = book / "styles"
    styles.mkdir()
    for sheet in (ROOT / "styles").iterdir():
        if sheet.is_file():
            (styles / sheet.name).write_bytes(sheet.read_bytes())
    return styles


# --- Links are followed only inside the project ---------------------------------------------


def test_a_manuscript_linked_out_of_the_project_is_refused(book: Path, outside: Path) -> None:
    source = book / "manuscript" / "livre.md"
    source.unlink()
    source.symlink_to(outside / "secret.md")
    result = fleuron("build", "--format", "html", cwd=book)
    refused(result, "manuscript/livre.md: the manuscript is outside the project",
            f"it leads to {outside / 'secret.md'}", "copy the file")  # fmt: skip
    assert not leaked(book)
    with pytest.raises(FleuronError, match="the manuscript is outside the project"):
        api.load(source)


def test_a_source_of_fleuron_toml_linked_out_of_the_project_is_refused(book: Path, outside: Path) -> None:
    (book / "manuscript" / "suite.md").symlink_to(outside / "secret.md")
    (book / "fleuron.toml").write_text('[book]\nsources = ["manuscript/livre.md", "manuscript/suite.md"]\n')
    with pytest.raises(FleuronError, match=r"source 'manuscript/suite\.md' is outside the project") as error:
        pipeline.build(book, book / "dist", ["html"])
    assert str(error.value).startswith(f"{book / 'fleuron.toml'}:2: ")
    assert "it leads to" in str(error.value)
    assert not leaked(book)


def test_a_source_in_a_folder_linked_out_of_the_project_is_refused(book: Path, outside: Path) -> None:
    (book / "chapters").symlink_to(outside)
    (book / "fleuron.toml").write_text('[book]\nsources = ["manuscript/livre.md", "chapters/secret.md"]\n')
    with pytest.raises(FleuronError, match=r"source 'chapters/secret\.md' is outside the project"):
        pipeline.build(book, book / "dist", ["html"])
    assert not leaked(book)


def test_a_manuscript_folder_linked_out_of_the_project_is_refused(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "manuscript").symlink_to(outside)
    result = fleuron("build", "--format", "html", cwd=tmp_path / "book")
    refused(result, "manuscript", f"leads out of this folder (to {outside})")
    assert not leaked(tmp_path / "book")


@pytest.mark.parametrize("where", ["front matter", "fleuron.toml"])
def test_a_cover_linked_out_of_the_project_is_refused(book: Path, outside: Path, where: str) -> None:
    (book / "manuscript" / "cover.png").symlink_to(outside / "secret.png")
    source = book / "manuscript" / "livre.md"
    if where == "front matter":
        source.write_text(OK_BOOK.replace("---\n\n", "cover: cover.png\n---\n\n") + "Texte.\n", encoding="utf-8")
    else:
        (book / "fleuron.toml").write_text('[epub]\ncover = "cover.png"\n')
    with pytest.raises(FleuronError, match=r"image 'cover\.png' is outside the project"):
        pipeline.build(source, book / "dist", ["html"])
    assert not leaked(book)


def test_a_project_stylesheet_linked_out_of_the_project_is_refused(book: Path, outside: Path) -> None:
    styles = project_styles(book)
    (styles / "text.css").unlink()
    (styles / "text.css").symlink_to(outside / "secret.css")
    with pytest.raises(FleuronError, match=r"stylesheet 'text\.css' is outside the project"):
        pipeline.build(book / "manuscript" / "livre.md", book / "dist", ["html"])
    assert not leaked(book)


def test_links_that_stay_inside_the_project_still_work(book: Path) -> None:
    manuscript = book / "manuscript"
    (manuscript / "versions").mkdir()
    (manuscript / "livre.md").rename(manuscript / "versions" / "v2.md")
    (manuscript / "livre.md").symlink_to(manuscript / "versions" / "v2.md")  # its image is beside the link
    (manuscript / "suite.md").symlink_to("versions/v2.md")
    (manuscript / "cover.png").symlink_to("image.png")
    styles = project_styles(book)
    (styles / "variants").mkdir()
    (styles / "text.css").rename(styles / "variants" / "text.css")
    (styles / "text.css").symlink_to("variants/text.css")
    (book / "fleuron.toml").write_text(
        '[book]\nsources = ["manuscript/livre.md", "manuscript/suite.md"]\nformats = ["html"]\n'
        '[epub]\ncover = "cover.png"\n'
    )
    doc = api.load(manuscript / "livre.md")
    # The project is where the manuscript is as given, not where its link leads.
    assert project_files(doc).roots[:2] == (manuscript.resolve(), styles.resolve())
    report = pipeline.build(book)
    assert [o.path.name for o in report.outputs] == ["essai.html"]
    assert "une image" in (book / "dist" / "essai.html").read_text(encoding="utf-8")


# --- fleuron.toml's paths outside the project's folder: --allow-outside ---------------------


def shared_chapter(book: Path) -> Path:
    shared = book.parent / "shared"
    shared.mkdir()
    (shared / "annexe.md").write_text("# Annexe\n\nUn texte partagé.\n", encoding="utf-8")
    return shared


@pytest.mark.parametrize("written", ["../shared/annexe.md", "{shared}/annexe.md"])
def test_a_source_outside_the_projects_folder_needs_allow_outside(book: Path, written: str) -> None:
    shared = shared_chapter(book)
    source = written.format(shared=shared)
    (book / "fleuron.toml").write_text(f'[book]\nformats = ["html"]\nsources = ["manuscript/livre.md", "{source}"]\n')
    with pytest.raises(FleuronError) as error:
        pipeline.plan(book)
    assert str(error.value).startswith(f"{book / 'fleuron.toml'}:3: source '{source}' is outside the project's folder")
    assert "pass --allow-outside if this is intended" in str(error.value)
    assert pipeline.plan(book, allow_outside=True).sources[1] == book / source
    report = pipeline.build(book, allow_outside=True)
    assert "Un texte partagé." in report.outputs[0].path.read_text(encoding="utf-8")


def test_the_command_line_takes_allow_outside(book: Path) -> None:
    shared_chapter(book)
    (book / "fleuron.toml").write_text('[book]\nsources = ["manuscript/livre.md", "../shared/annexe.md"]\n')
    refused(fleuron("build", "--format", "html", cwd=book), "fleuron.toml:2:", "--allow-outside")
    built = fleuron("build", "--format", "html", "--allow-outside", "-q", cwd=book)
    assert built.returncode == 0, built.stderr
    assert "--allow-outside" in fleuron("build", "--help").stdout
    assert "--allow-outside" in fleuron("watch", "--help").stdout


@pytest.mark.parametrize("output", ["../elsewhere", "/tmp/fleuron-elsewhere", "linked"])
def test_an_output_outside_the_projects_folder_needs_allow_outside(book: Path, outside: Path, output: str) -> None:
    (book / "linked").symlink_to(outside)
    (book / "fleuron.toml").write_text(f'[metadata]\nlang = "fr"\n[book]\noutput = "{output}"\n')
    source = book / "manuscript" / "livre.md"
    with pytest.raises(FleuronError) as error:
        pipeline.plan(source)
    assert str(error.value).startswith(f"{book / 'fleuron.toml'}:4: output folder '{output}'")
    assert f"is outside the project's folder ({book})" in str(error.value)
    assert "pass --allow-outside if this is intended" in str(error.value)
    assert pipeline.plan(source, allow_outside=True).out_dir == book / output
    assert pipeline.plan(source, out_dir=book.parent / "mine").out_dir == book.parent / "mine"  # -o: the operator's
    assert not (outside / "essai.html").exists()


def test_the_witness_tells_a_build_with_allow_outside_from_one_without(book: Path) -> None:
    shared_chapter(book)
    (book / "fleuron.toml").write_text('[book]\nsources = ["manuscript/livre.md", "../shared/annexe.md"]\n')
    assert state.Request(book, None, ["html"]).key() != state.Request(book, None, ["html"], allow_outside=True).key()
    for _ in range(2):  # the second sees the project's folder with its dist/ in it
        pipeline.build(book, None, ["html"], allow_outside=True)
    assert state.unchanged_build(state.Request(book, None, ["html"], allow_outside=True)) is not None
    assert state.unchanged_build(state.Request(book, None, ["html"])) is None
    with pytest.raises(FleuronError, match="--allow-outside"):
        pipeline.build(book, None, ["html"])


# --- The preview serves only what its build checked -----------------------------------------


def fetch(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never a proxy
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_preview_never_serves_an_image_swapped_for_a_link_out(book: Path, outside: Path) -> None:
    source = book / "manuscript" / "livre.md"
    image = book / "manuscript" / "image.png"
    original = image.read_bytes()
    preview = watch.Preview()
    preview.update(*watch.preview_page(source))
    server = watch.serve(preview, 0)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert b'src="/__image/1"' in fetch(url + "/")[1]
        assert fetch(url + "/__image/1") == (200, original)
        image.unlink()
        image.symlink_to(outside / "secret.png")  # between two builds
        status, body = fetch(url + "/__image/1")
        assert SECRET.encode() not in body
        assert (status, body) == (200, original) or status in (403, 404)
        preview.update(*watch.preview_page(source))  # the next build refuses the link
        status, body = fetch(url + "/__image/1")
        assert status == 404 and SECRET.encode() not in body
        assert b"outside the project" in fetch(url + "/")[1]
    finally:
        server.shutdown()
        server.server_close()
