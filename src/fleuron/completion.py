"""Shell completion scripts (`fleuron completion bash|zsh|fish`), made from the parser itself so
that they never fall behind the commands."""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh", "fish")


def _commands(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for action in parser._actions:  # argparse keeps its subcommands only there
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sorted(o for a in sub._actions for o in a.option_strings)
    return found


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    commands = _commands(parser)
    if shell == "fish":
        lines = [f'complete -c fleuron -n "__fish_use_subcommand" -f -a "{" ".join(commands)}"']
        for name, options in commands.items():
            for option in options:
                if option.startswith("--"):
                    lines.append(f'complete -c fleuron -n "__fish_seen_subcommand_from {name}" -l {option[2:]}')
        return "\n".join(lines) + "\n"
    cases = "\n".join(f'    {name}) options="{" ".join(options)}" ;;' for name, options in commands.items())
    bash = f"""_fleuron() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" options=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "{" ".join(commands)} --help --version" -- "$cur") )
    return
  fi
  case "${{COMP_WORDS[1]}}" in
{cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$options" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}}
complete -o filenames -F _fleuron fleuron
"""
    return ("autoload -U +X bashcompinit && bashcompinit\n" + bash) if shell == "zsh" else bash
