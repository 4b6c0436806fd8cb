"""The request context of a decision, built from layers that requests can share.

``evaluator.build_context`` derives keys from the principal, the encryption
context and the key's metadata, then lets keys the request sets win. Here the
principal and key layers are folded once and shared by every request with the
same principal or key. Only the request's own keys and its encryption context
are folded per request, and key names are spelt out only if the context is
iterated or printed. The result equals ``build_context``'s, entry order and
warnings included.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from kmspolicy.conditions.context import (
    EMPTY_LAYER,
    ContextLayer,
    RawValue,
    RequestContext,
    fold_entries,
)
from kmspolicy.evaluate.evaluator import (
    encryption_context_keys,
    key_context,
    principal_context,
)
from kmspolicy.evaluate.principal import Caller
from kmspolicy.evaluate.request import KeyMetadata, Request

_FOLDED_PREFIX = "kms:encryptioncontext:"


def principal_layer(caller: Caller | None) -> ContextLayer:
    """Fold the keys derived from the principal, parsed without ``aws:PrincipalArn``."""
    derived = principal_context(caller)
    return ContextLayer(derived) if derived else EMPTY_LAYER


def key_layer(key: KeyMetadata | None) -> ContextLayer:
    """Fold the keys derived from the key's metadata."""
    if key is None:
        return EMPTY_LAYER
    return ContextLayer(key_context(key))


def request_context(
    request: Request, principal: ContextLayer, key: ContextLayer
) -> RequestContext:
    """Merge the request's own keys with the derived layers. Keys the request sets win.

    Merges prepared dictionaries directly when no two keys differ only by case,
    and otherwise leaves the warnings to ``RequestContext.from_layers``.
    """
    values = principal.values.copy()
    expected = len(values)
    if key.values:
        values.update(key.values)
        expected += len(key.values)

    pairs = request.encryption_context
    if pairs:
        values.update({_FOLDED_PREFIX + name.lower(): v for name, v in pairs.items()})
        values["kms:encryptioncontextkeys"] = tuple(pairs)
        expected += len(pairs) + 1

    own = request.context
    own_values = fold_entries(own) if own else {}
    clean = not principal.clashes and not key.clashes
    if not clean or len(values) != expected or len(own_values) != len(own):
        layers = (principal, encryption_context_keys(request), key)
        return RequestContext.from_layers(own, layers)

    values.update(own_values)
    return RequestContext.prepared(values, partial(_layers, request, principal, key))


def _layers(
    request: Request, principal: ContextLayer, key: ContextLayer
) -> tuple[Mapping[str, RawValue] | ContextLayer, ...]:
    """Return the entries of a request context in order, as ``from_layers`` takes."""
    return request.context, principal, encryption_context_keys(request), key
