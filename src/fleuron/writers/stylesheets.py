"""The stylesheets a writer uses: a project's own `styles/` folder wins over Fleuron's."""

from __future__ import annotations

from pathlib import Path

from ..config import DEFAULT_STYLES_DIRS
from ..errors import FleuronError
from ..messages import _
from ..model import Document
from .files import manuscript_dir, project_files

_PACKAGED_STYLES, _CHECKOUT_STYLES = DEFAULT_STYLES_DIRS


def default_styles_dir() -> Path:
    """Fleuron's own stylesheets, as packaged or in a checkout."""
    return _PACKAGED_STYLES if _PACKAGED_STYLES.is_dir() else _CHECKOUT_STYLES


def project_styles_dir(doc: Document) -> Path | None:
    """Where a project's own `styles/` would be: beside its (first) manuscript's folder, as
    given (`files.manuscript_dir`)."""
    for block in doc.blocks[:1]:
        return manuscript_dir(block.pos.file).parent / "styles"
    return None


def styles_dir(doc: Document) -> Path:
    """A project's own `styles/` wins over Fleuron's defaults."""
    project = project_styles_dir(doc)
    if project is not None and project.is_dir():
        return project
    return default_styles_dir()


def stylesheet(doc: Document, name: str) -> str:
    return project_files(doc).read(stylesheet_path(doc, name), f"stylesheet '{name}'")


def stylesheet_path(doc: Document, name: str) -> Path:
    """The project's own sheet of that name, else Fleuron's."""
    for folder in (styles_dir(doc), _PACKAGED_STYLES, _CHECKOUT_STYLES):
        if (folder / name).is_file():
            return folder / name
    raise FleuronError(_("stylesheet '{name}' not found in {folder}", name=name, folder=styles_dir(doc)))
