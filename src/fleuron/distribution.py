"""What a build leaves for distribution beside the outputs: `manifest.json`, each file with its
size, SHA-256 and page count, and on request `<slug>.zip`, the files and the manifest packed
the same way every time."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

from .model import Document
from .state import Output, sha256_file
from .storage import MANIFEST, write_atomically
from .writers.timestamp import release_time


def write_manifest(out_dir: Path, doc: Document, outputs: Sequence[Output]) -> None:
    """`manifest.json`, rewritten only when what it says changed."""
    from . import __version__

    files = [
        {"name": o.path.name, "size": o.size, "sha256": sha256_file(o.path), "pages": o.pages}
        for o in sorted(outputs, key=lambda o: o.path.name)
    ]
    manifest = {
        "generator": f"Fleuron {__version__}",
        "title": doc.meta.title,
        "identifier": doc.meta.identifier,
        "files": files,
    }
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    target = out_dir / MANIFEST
    if not target.exists() or target.read_bytes() != data:
        write_atomically(target, data)


def write_zip(out_dir: Path, doc: Document, outputs: Sequence[Output]) -> Output:
    """`<slug>.zip`: the outputs and the manifest, ready to send; the same bytes every time."""
    stamp = max(release_time(doc.meta).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted([*(o.path for o in outputs), out_dir / MANIFEST], key=lambda p: p.name):
            info = zipfile.ZipInfo(path.name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    target = out_dir / f"{doc.meta.slug}.zip"
    data = buffer.getvalue()
    changed = not target.exists() or target.read_bytes() != data
    if changed:
        write_atomically(target, data)
    return Output(target, len(data), None, changed)
