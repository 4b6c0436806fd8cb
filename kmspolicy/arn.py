"""ARN splitting and the two ARN matching rules of the policy language.

An ARN has six colon-separated components,
``arn:partition:service:region:account:resource``; the resource part keeps any
further colons. Two matchers exist because IAM matches differently in two places:

* ``arn_like`` implements the ArnLike/ArnEquals condition operators. It is
  strictly segment-wise: a wildcard never crosses a colon in the first five
  components, and the resource part is globbed as a whole.
* ``resource_matches`` implements the Resource/NotResource element. There a ``*``
  that ends the partition, service, region or account segment may also span
  the colons after it, so ``arn:aws:kms:*:key/*`` covers every key ARN, while
  the ``*`` in ``arn:aws:kms:*-1:key/*`` stays inside the region.
"""

from __future__ import annotations

import re
from functools import cache

from kmspolicy.conditions.context import RequestContext
from kmspolicy.conditions.variables import Piece, compile_pieces, parse_template
from kmspolicy.glob import translate_glob

ARN_COMPONENTS = 6

_IN_SEGMENT_STAR = "[^:]*"
_IN_SEGMENT_CHAR = "[^:]"

# Resource-element segments compared case-insensitively by engine convention:
# partition, service and region. The account ID and the resource part are exact.
_CASE_INSENSITIVE_SEGMENTS = frozenset({1, 2, 3})
_SPANNING_SEGMENTS = frozenset({1, 2, 3, 4})


def split_arn(text: str) -> tuple[str, ...] | None:
    """Split an ARN into its six components, or return None if it has fewer."""
    components = text.split(":", ARN_COMPONENTS - 1)
    if len(components) < ARN_COMPONENTS:
        return None

    return tuple(components)


def arn_like(
    pattern: str,
    value: str,
    context: RequestContext | None = None,
    substitute: bool = False,
) -> bool:
    """Match ``value`` against an ArnLike/ArnEquals policy value.

    Case sensitive and segment-wise. ``*`` and ``?`` in the policy text are
    wildcards, and text substituted for a variable is literal. Colons in
    substituted text still separate components, so ``${aws:PrincipalArn}`` works
    as a whole ARN. Returns False when either side has fewer than six components
    or a variable cannot be resolved. Substitution needs both ``substitute`` and
    a context.
    """
    value_components = split_arn(value)
    if value_components is None:
        return False

    pieces = _render(pattern, context, substitute)
    if pieces is None:
        return False

    pattern_components = _split_pieces(pieces)
    if pattern_components is None:
        return False

    for pattern_component, value_component in zip(
        pattern_components, value_components, strict=True
    ):
        if not compile_pieces(pattern_component, True).fullmatch(value_component):
            return False

    return True


def _render(
    text: str, context: RequestContext | None, substitute: bool
) -> tuple[Piece, ...] | None:
    """Return ``text`` as ``(text, is_glob)`` pieces, substituting when enabled."""
    if not substitute or context is None:
        return ((text, True),)

    return parse_template(text).render_pieces(context)


def _split_pieces(pieces: tuple[Piece, ...]) -> list[tuple[Piece, ...]] | None:
    """Split rendered pieces on the first five colons, whichever piece contains them."""
    components: list[list[Piece]] = [[]]
    for text, is_glob in pieces:
        chunks = text.split(":")
        for index, chunk in enumerate(chunks):
            if index > 0 and len(components) < ARN_COMPONENTS:
                components.append([])
            elif index > 0:
                components[-1].append((":", False))

            components[-1].append((chunk, is_glob))

    if len(components) < ARN_COMPONENTS:
        return None

    return [tuple(component) for component in components]


def resource_matches(
    entry: str,
    resource: str,
    context: RequestContext | None,
    substitute: bool,
    pad_short: bool,
) -> bool:
    """Match a request resource against one Resource/NotResource policy entry.

    ``"*"`` matches every resource, ``"*"`` included. Any other entry never
    matches the request resource ``"*"``. Partition, service and region compare
    case-insensitively, the account exactly and the resource part case
    sensitively. Variables are substituted only in the resource part (after the
    fifth colon), and an unresolvable one makes the entry match nothing.

    An entry with fewer than six components first matches as written, which
    succeeds only through a segment-ending ``*`` that spans colons. Otherwise it
    is padded with ``*`` components when ``pad_short`` is set (identity, boundary
    and session policies) and matches nothing when it is not (resource policies).
    """
    if entry == "*":
        return True

    if resource == "*" or split_arn(resource) is None:
        return False

    components = entry.split(":", ARN_COMPONENTS - 1)
    if len(components) == ARN_COMPONENTS:
        regex = _full_entry_regex(components, context, substitute)
        return regex is not None and regex.fullmatch(resource) is not None

    if _short_entry_regex(tuple(components)).fullmatch(resource):
        return True

    if not pad_short:
        return False

    padding = ["*"] * (ARN_COMPONENTS - len(components))
    return (
        _full_entry_regex([*components, *padding], None, False).fullmatch(resource)
        is not None
    )


def _full_entry_regex(
    components: list[str], context: RequestContext | None, substitute: bool
) -> re.Pattern[str] | None:
    resource_pieces = _render(components[-1], context, substitute)
    if resource_pieces is None:
        return None

    if not substitute:
        return _cached_entry_regex(tuple(components))

    prefix = _segments_source(components[:-1])
    resource_source = compile_pieces(resource_pieces, True).pattern
    return re.compile(f"{prefix}:{resource_source}", re.DOTALL)


@cache
def _cached_entry_regex(components: tuple[str, ...]) -> re.Pattern[str]:
    prefix = _segments_source(components[:-1])
    return re.compile(f"{prefix}:{translate_glob(components[-1])}", re.DOTALL)


@cache
def _short_entry_regex(components: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(_segments_source(components), re.DOTALL)


def _segments_source(components: tuple[str, ...] | list[str]) -> str:
    """Build regex source for the components before the resource part."""
    return ":".join(
        _segment_source(index, component) for index, component in enumerate(components)
    )


def _segment_source(index: int, segment: str) -> str:
    spans = index in _SPANNING_SEGMENTS and segment.endswith("*")
    inner = segment[:-1] if spans else segment
    source = translate_glob(inner, _IN_SEGMENT_STAR, _IN_SEGMENT_CHAR)
    if spans:
        source += ".*"

    if index in _CASE_INSENSITIVE_SEGMENTS:
        return f"(?i:{source})"

    return source
