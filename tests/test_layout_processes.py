"""The processes that lay out the book and the handout beside the build's own: the same bytes
as one process, their errors and warnings brought back here, never left running after the
build or its first process ends."""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from fleuron import pipeline
from fleuron.errors import FleuronError
from fleuron.parallel import LayoutProcess, Layouts, other_processes
from fleuron.writers.layout import Laid, LayoutJob, lay_out
from fleuron.writers.pdf import PrintOptions, handout_job

from helpers import NO_FONT_HAS, PROJECT_FRONT, fleuron, wait_until
from helpers import new_project as project

# --- The second process -----------------------------------------------------------------


@pytest.mark.slow
def test_three_processes_give_the_bytes_of_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = project(tmp_path / "a", text="Un texte ; " * 400 + "\n\n![Une image](image.png)\n")
    formats = ["epub", "pdf", "handout"]
    layouts = Layouts(apart=True)
    apart = pipeline.build(source, tmp_path / "apart", formats, layouts=layouts)
    assert set(layouts.processes) == {"book", "handout"}
    monkeypatch.setenv("FLEURON_JOBS", "1")
    assert not Layouts().apart
    alone = pipeline.build(source, tmp_path / "alone", formats)
    assert [o.pages for o in apart.outputs] == [o.pages for o in alone.outputs] and apart.outputs[0].pages > 3
    for one, other in zip(apart.outputs, alone.outputs, strict=True):
        assert one.path.name == other.path.name and one.path.read_bytes() == other.path.read_bytes()


def test_where_layouts_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apart, unless `FLEURON_JOBS=1` or WeasyPrint is here already."""
    monkeypatch.delenv("FLEURON_JOBS", raising=False)
    assert other_processes() == (os.name == "posix")
    monkeypatch.setenv("FLEURON_JOBS", "1")
    assert not other_processes() and not Layouts().apart
    monkeypatch.delenv("FLEURON_JOBS")
    import weasyprint  # noqa: F401  (as after a first build in `fleuron watch`)

    assert not Layouts().apart


def _in_another_process(job: LayoutJob) -> Laid:
    process = LayoutProcess()
    try:
        process.send(job)
        return process.result()
    finally:
        process.stop()


@pytest.mark.slow
def test_a_layout_made_in_another_process_is_the_same(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = project(tmp_path, text=f"Un signe : {NO_FONT_HAS}.\n")
    doc = pipeline.load_book([source])
    job = handout_job(doc)
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        caplog.clear()
        laid = _in_another_process(job)
    said_there = [record.getMessage() for record in caplog.records]
    here = lay_out(job)
    assert laid == here and laid.pages == 1 and laid.page_texts[0].startswith("Un signe")
    # The finisher's warning, given here (it names the character as `repr` writes it).
    assert any(repr(NO_FONT_HAS) in message for message in said_there), said_there


def test_an_error_in_another_process_is_raised_here(tmp_path: Path) -> None:
    doc = pipeline.load(project(tmp_path, text="Texte.\n"))
    with pytest.raises(FleuronError, match="unknown PDF variant 'pdf/zz'"):
        _in_another_process(handout_job(doc, PrintOptions(variant="pdf/zz")))
    carried = pickle.loads(pickle.dumps(FleuronError("à corriger", "livre.md", 9)))
    assert (carried.file, carried.line, str(carried)) == ("livre.md", 9, "livre.md:9: à corriger")


def _children() -> list[int]:
    me = str(os.getpid())
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == me and fields.get("State", "").strip()[:1] != "Z":
            found.append(int(status.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_failed_build_leaves_no_second_process(tmp_path: Path) -> None:
    before = _children()
    source = project(tmp_path, text="Texte.\n\n![absente](absente.png)\n")
    layouts = Layouts(apart=True)
    with pytest.raises(FleuronError):
        pipeline.build(source, tmp_path / "dist", ["epub", "pdf", "handout"], layouts=layouts)
    assert set(layouts.processes) == {"book"}  # started before the manuscript was read
    assert _children() == before


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_layout_process_ends_with_a_killed_first_process(tmp_path: Path) -> None:
    """Killed outright (SIGKILL, out of memory), the first process cannot stop the layout it
    asked for: the layout process must not go on alone for the seconds a long book takes."""
    long = tmp_path / "long.md"
    long.write_text(PROJECT_FRONT + "Une phrase de plus ; et une autre !\n\n" * 20000, encoding="utf-8")
    script = (  # then it waits, without a timer, to be killed (or for this test's end: its stdin closed)
        "import sys; from pathlib import Path; from fleuron.pipeline import load_book; "
        "from fleuron.parallel import LayoutProcess; from fleuron.writers.pdf import book_job; "
        "job = book_job(load_book([Path(sys.argv[1])])); "
        "p = LayoutProcess(); p.send(job); print(p.process.pid, flush=True); sys.stdin.read()"
    )
    first = subprocess.Popen(
        [sys.executable, "-c", script, str(long)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None
        child = int(first.stdout.readline())
        # The job handed over (`send` has returned), WeasyPrint imported: the layout is under way.
        wait_until(lambda: _has_loaded(child, "libpango"), timeout=60, what="WeasyPrint imported by the layout process")
        assert _alive(child)
    finally:
        first.kill()
        first.wait()
    wait_until(lambda: not _alive(child), timeout=3, what=f"the layout process {child} ending with its first process")


def _has_loaded(pid: int, library: str) -> bool:
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.slow
def test_a_layout_process_that_cannot_start_leaves_the_layout_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen program, or a Python without Fleuron on its path: the build still ends well."""
    source = project(tmp_path, text="Texte.\n")
    here = pipeline.build(source, tmp_path / "here", ["pdf"], layouts=Layouts(apart=False))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    layouts = Layouts(apart=True)
    there = pipeline.build(source, tmp_path / "there", ["pdf"], layouts=layouts)
    assert set(layouts.processes) == {"book"}
    assert there.outputs[0].path.read_bytes() == here.outputs[0].path.read_bytes()


def test_a_broken_weasyprint_is_an_error_not_a_silent_success(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    source = project(tmp_path / "p", text="Texte.\n")
    out = tmp_path / "out"
    result = fleuron("build", str(source), "-o", str(out), "--format", "pdf", env={"PYTHONPATH": str(fake.parent)})
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "fleuron: error: cannot load library 'libpango-1.0-0'" in result.stderr
    assert not out.exists() or not list(out.glob("*.pdf"))
