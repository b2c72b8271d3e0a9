"""What a build leaves for distribution beside the outputs: `manifest.json`, each file with its
size, SHA-256 and page count, and on request `<slug>.zip`, the files and the manifest packed
the same way every time. Both describe the folder as the build leaves it: they are staged with
the outputs (`storage.Staged`) and read the new files' bytes there."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

from .model import Document
from .state import Output
from .storage import MANIFEST, Staged
from .writers.timestamp import release_time


def manifest(doc: Document, outputs: Sequence[Output], staged: Staged) -> bytes:
    """`manifest.json`'s bytes, for the files as they will be once `staged` is committed."""
    from . import __version__

    files = [
        {"name": o.path.name, "size": o.size, "sha256": staged.sha256(o.path), "pages": o.pages}
        for o in sorted(outputs, key=lambda o: o.path.name)
    ]
    listing = {
        "generator": f"Fleuron {__version__}",
        "title": doc.meta.title,
        "identifier": doc.meta.identifier,
        "files": files,
    }
    return (json.dumps(listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_manifest(out_dir: Path, data: bytes, staged: Staged) -> None:
    """Stage `manifest.json`, only when what it says changed."""
    stage_if_changed(out_dir / MANIFEST, data, staged)


def write_zip(out_dir: Path, doc: Document, outputs: Sequence[Output], listing: bytes, staged: Staged) -> Output:
    """Stage `<slug>.zip`: the outputs and the manifest (`listing`), ready to send; the same
    bytes every time."""
    stamp = max(release_time(doc.meta).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    contents = {o.path.name: staged.read(o.path) for o in outputs}
    contents[MANIFEST] = listing
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, contents[name])
    target = out_dir / f"{doc.meta.slug}.zip"
    data = buffer.getvalue()
    changed = stage_if_changed(target, data, staged)
    return Output(target, len(data), None, changed)


def stage_if_changed(target: Path, data: bytes, staged: Staged) -> bool:
    """Stage `data` for `target` unless the file has these bytes already (its date then stays)."""
    try:
        same = target.is_file() and target.read_bytes() == data
    except OSError:
        same = False
    if not same:
        staged.write(target, data)
    return not same
