"""Every message the user reads goes through `messages._`, and the French catalogue holds exactly
the messages the code gives: read from the source with `ast`, then seen end to end under a
French locale."""

from __future__ import annotations

import ast
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import fleuron
from fleuron.messages import FRENCH

#: The code under test: where `fleuron` is imported from.
SOURCE = Path(fleuron.__file__).parent
#: Calls, besides the log's, whose arguments include a message for the user.
_MESSAGE_CALLS = {"FleuronError", "NoResult", "fail", "warn", "say"}
_LOG_METHODS = {"critical", "error", "warning", "info"}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name != "messages.py":
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _calls() -> Iterator[tuple[str, ast.Call, dict[str, list[ast.expr]]]]:
    """Every call of the source, where it is, and what each plain name is assigned in the
    function around it (a message is often made in a variable first)."""

    def visit(node: ast.AST, where: str, scope: ast.AST) -> Iterator[tuple[str, ast.Call, dict[str, list[ast.expr]]]]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = node
        if isinstance(node, ast.Call):
            yield f"{where}:{node.lineno}", node, assignments[scope]
        for child in ast.iter_child_nodes(node):
            yield from visit(child, where, scope)

    for path, module in _modules():
        assignments: dict[ast.AST, dict[str, list[ast.expr]]] = {}
        for scope in ast.walk(module):
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                assigned: dict[str, list[ast.expr]] = {}
                for node in _own_nodes(scope):
                    if (
                        isinstance(node, ast.Assign)
                        and len(node.targets) == 1
                        and isinstance(node.targets[0], ast.Name)
                    ):
                        assigned.setdefault(node.targets[0].id, []).append(node.value)
                assignments[scope] = assigned
        yield from visit(module, str(path.relative_to(SOURCE.parent)), module)


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function or module, without those of the functions inside it."""
    for child in ast.iter_child_nodes(scope):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield child
            yield from _own_nodes(child)


def _values(argument: ast.expr, assigned: dict[str, list[ast.expr]]) -> list[ast.expr]:
    values = assigned.get(argument.id, []) if isinstance(argument, ast.Name) else [argument]
    return [value.left if isinstance(value, ast.BinOp) else value for value in values]  # `_("…") + hint`


def _translated() -> dict[str, str]:
    """The literal first argument of every `_()` call, directly or through a variable, and where."""
    found: dict[str, str] = {}
    for where, call, assigned in _calls():
        if isinstance(call.func, ast.Name) and call.func.id == "_" and call.args:
            for value in _values(call.args[0], assigned):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value, where)
    return found


def test_every_message_given_to_the_catalogue_has_its_french() -> None:
    missing = {template: where for template, where in _translated().items() if template not in FRENCH}
    assert not missing


def test_every_french_message_is_one_the_code_gives() -> None:
    # Some reach `_()` through a variable (a stage's name, a rule's name, a log level's): every
    # key must at least be written somewhere in the code.
    constants = {
        node.value
        for _, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert [key for key in FRENCH if key not in constants] == []


def test_french_messages_keep_the_placeholders_and_french_spacing() -> None:
    def names(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}

    for english, french in FRENCH.items():
        assert names(english) == names(french), english
        # A no-break space before `:`, narrow ones before `; ! ?` and inside guillemets.
        assert not re.search(r" [:;!?»]|« ", french), french


def _untranslated() -> Iterator[str]:
    """Messages for the user written as literals or f-strings instead of through `_()`."""
    for where, call, assigned in _calls():
        func = call.func
        if isinstance(func, ast.Name) and func.id in _MESSAGE_CALLS:
            pass
        elif not (
            isinstance(func, ast.Attribute)
            and func.attr in _LOG_METHODS
            and isinstance(func.value, ast.Name)
            and func.value.id in ("log", "logger", "logging")
        ):
            continue
        for argument in call.args:
            for value in _values(argument, assigned):
                # A sentence has spaces; a key ('sources') or a format ('%s') has none.
                literal = isinstance(value, ast.Constant) and isinstance(value.value, str) and " " in value.value
                if literal or isinstance(value, ast.JoinedStr):
                    yield f"{where}: {ast.unparse(value)}"


def test_no_message_is_written_outside_the_catalogue() -> None:
    assert list(_untranslated()) == []


def _french_fleuron(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    script = Path(sys.executable).with_name("fleuron")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "fleuron"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env={**environment, "LANG": "fr_FR.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_import_error_is_french_under_a_french_locale(tmp_path: Path) -> None:
    (tmp_path / "texte").mkdir()
    result = _french_fleuron("import", "texte", cwd=tmp_path)
    assert result.returncode == 1
    assert "c’est un dossier\u202f; donnez le fichier texte à importer" in result.stderr, result.stderr


def test_a_build_error_is_french_under_a_french_locale(tmp_path: Path) -> None:
    (tmp_path / "livre.md").write_text("---\ntitle: Essai\nlang: fr\n---\n\nUn texte.\n", encoding="utf-8")
    result = _french_fleuron("build", "livre.md", "--format", "epub", cwd=tmp_path, SOURCE_DATE_EPOCH="abc")
    assert result.returncode == 1
    expected = "fleuron: erreur: SOURCE_DATE_EPOCH='abc' n’est pas un nombre de secondes"
    assert expected in result.stderr, result.stderr
