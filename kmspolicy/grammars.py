"""Loading of the Lark grammars shipped with the package.

The ``.lark`` files live in the repository's top-level ``grammar/`` folder; the wheel
installs them as ``kmspolicy/grammar/``. Both places are searched, installed first.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lark import Lark

_PACKAGE_DIR = Path(__file__).resolve().parent
_SEARCH_DIRS = (_PACKAGE_DIR / "grammar", _PACKAGE_DIR.parent / "grammar")


def grammar_text(name: str) -> str:
    """Return the text of ``grammar/<name>.lark``; raise FileNotFoundError if absent."""
    for directory in _SEARCH_DIRS:
        path = directory / f"{name}.lark"
        if path.is_file():
            return path.read_text(encoding="utf-8")

    searched = ", ".join(str(directory) for directory in _SEARCH_DIRS)
    raise FileNotFoundError(f"grammar {name}.lark not found in {searched}")


@cache
def lalr_parser(name: str, start: str = "start") -> Lark:
    """Build (once per process) an LALR parser for ``grammar/<name>.lark``."""
    return Lark(grammar_text(name), parser="lalr", start=start)
