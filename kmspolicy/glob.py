"""Wildcard (glob) matching as IAM uses it in Action, Resource and StringLike.

``*`` matches any run of characters, including the empty run and any character
(``/`` and ``:`` included). ``?`` matches exactly one character. Every other
character is literal, and a pattern must match the whole value.
"""

from __future__ import annotations

import re
from functools import cache

ANY_RUN = ".*"
ANY_CHAR = "."


def translate_glob(pattern: str, star: str = ANY_RUN, question: str = ANY_CHAR) -> str:
    """Translate a glob into regular-expression source without anchors.

    ``star`` and ``question`` are the regex fragments that replace ``*`` and ``?``.
    ARN matching passes ``[^:]*`` and ``[^:]`` to keep a wildcard inside one segment.
    """
    pieces = []
    for char in pattern:
        if char == "*":
            pieces.append(star)
        elif char == "?":
            pieces.append(question)
        else:
            pieces.append(re.escape(char))

    return "".join(pieces)


@cache
def glob_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """Compile ``pattern`` into a regex to use with ``fullmatch`` (DOTALL)."""
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile(translate_glob(pattern), flags)


def glob_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """Return whether ``value`` matches the whole of ``pattern``."""
    return glob_regex(pattern, case_sensitive).fullmatch(value) is not None
