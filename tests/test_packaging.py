"""What the package declares: every library Fleuron's code imports is one of its runtime
dependencies (not only a test's), and the version is written once."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

import fleuron

from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_distributions() -> dict[str, set[str]]:
    """The distributions that provide the modules `src/fleuron` imports, each with the files."""
    provided = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "src" / "fleuron").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == "fleuron":
                    continue
                for distribution in provided.get(top, [top]):
                    found.setdefault(_name(distribution), set()).add(path.name)
    return found


def test_every_library_the_code_imports_is_a_runtime_dependency() -> None:
    declared = {_name(requirement) for requirement in PYPROJECT["project"]["dependencies"]}
    missing = {name: files for name, files in imported_distributions().items() if name not in declared}
    assert not missing, f"imported by src/ but not in [project].dependencies: {missing}"


def test_the_version_is_written_once() -> None:
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert importlib.metadata.version("fleuron") == fleuron.__version__
