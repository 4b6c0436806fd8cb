"""Policy variables: ``${key}``, ``${key, 'default'}`` and the escapes ``${*}``,
``${?}`` and ``${$}``.

Substitution applies only to policies with Version ``2012-10-17``. Callers that
evaluate older policies use the raw text and never build a Template. Text
substituted for a variable is always literal, so a ``*`` that comes from a tag
value is not a wildcard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from lark import Token, Tree
from lark.exceptions import LarkError

from kmspolicy.glob import translate_glob
from kmspolicy.grammars import lalr_parser

if TYPE_CHECKING:
    from kmspolicy.conditions.context import RequestContext


@dataclass(frozen=True, slots=True)
class Literal:
    """Policy text outside any ``${...}``, whose ``*`` and ``?`` are wildcards in
    glob contexts."""

    text: str


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``${key}`` or ``${key, 'default'}`` reference to a request context key."""

    key: str
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Escape:
    """An escape ``${*}``, ``${?}`` or ``${$}`` that stands for one literal
    character."""

    char: str


Part = Literal | Variable | Escape

# A rendered piece: (text, is_glob). Wildcards count only in pieces with
# is_glob True, which are the policy's own literal text.
Piece = tuple[str, bool]


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into literal text, variables and escapes.

    ``malformed`` is True when the text does not follow the variable syntax, for
    example a ``${`` with no closing ``}`` or ``${key,'x'}`` without the space
    after the comma. The whole text is then one Literal, as if it had no
    variables.
    """

    text: str
    parts: tuple[Part, ...]
    malformed: bool = False

    @property
    def has_variables(self) -> bool:
        """Whether any part is a variable or an escape."""
        return any(not isinstance(part, Literal) for part in self.parts)

    def render_pieces(self, context: RequestContext) -> tuple[Piece, ...] | None:
        """Substitute the variables, returning None if one cannot be resolved.

        A variable is unresolvable when its key is absent or multivalued and it has
        no default. Each piece is ``(text, is_glob)``.
        """
        pieces: list[Piece] = []
        for part in self.parts:
            if isinstance(part, Literal):
                pieces.append((part.text, True))
            elif isinstance(part, Escape):
                pieces.append((part.char, False))
            else:
                value = resolve_variable(part, context)
                if value is None:
                    return None
                pieces.append((value, False))

        return tuple(pieces)

    def render(self, context: RequestContext) -> str | None:
        """Return the text with variables substituted, or None if one is
        unresolvable."""
        pieces = self.render_pieces(context)
        if pieces is None:
            return None

        return "".join(text for text, _ in pieces)

    def render_glob(
        self, context: RequestContext, case_sensitive: bool
    ) -> re.Pattern[str] | None:
        """Compile the text into a glob regex for ``fullmatch``.

        ``*`` and ``?`` in the policy's literal text are wildcards, while
        substituted values and escapes are literal. Returns None if a variable is unresolvable.
        """
        pieces = self.render_pieces(context)
        if pieces is None:
            return None

        return compile_pieces(pieces, case_sensitive)


def compile_pieces(pieces: tuple[Piece, ...], case_sensitive: bool) -> re.Pattern[str]:
    """Compile rendered pieces into an anchored-by-fullmatch DOTALL regex."""
    source = "".join(
        translate_glob(text) if is_glob else re.escape(text) for text, is_glob in pieces
    )
    flags = re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE
    return re.compile(source, flags)


def resolve_variable(variable: Variable, context: RequestContext) -> str | None:
    """Return the value of a single-valued key, else the default, else None."""
    present, value = context.lookup(variable.key)
    if present and isinstance(value, str):
        return value

    return variable.default


@cache
def parse_template(text: str) -> Template:
    """Parse policy text into a Template. Malformed syntax yields one Literal."""
    if "${" not in text:
        return Template(text=text, parts=_literal_parts(text))

    try:
        tree = lalr_parser("policy_variable").parse(text)
    except LarkError:
        return Template(text=text, parts=_literal_parts(text), malformed=True)

    parts = tuple(_build_part(child) for child in tree.children)
    return Template(text=text, parts=parts)


def _literal_parts(text: str) -> tuple[Part, ...]:
    return (Literal(text),) if text else ()


def _build_part(tree: Tree) -> Part:
    if tree.data == "text":
        return Literal(str(tree.children[0]))

    if tree.data == "escape":
        return Escape(str(tree.children[0]))

    key = str(tree.children[0])
    default = None
    if len(tree.children) > 1:
        default_tree = tree.children[1]
        tokens = [child for child in default_tree.children if isinstance(child, Token)]
        default = str(tokens[0]) if tokens else ""

    return Variable(key=key, default=default)
