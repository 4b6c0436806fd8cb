"""The request context of a decision, built from layers that requests can share.

``evaluator.build_context`` derives keys from the principal, the encryption
context and the key's metadata, then lets keys the request sets win. Here the
principal and key layers are folded once and shared by every request with the
same principal or key. Only the request's own keys and its encryption context
are folded per request. The result equals ``build_context``'s, entry order and
warnings included.
"""

from __future__ import annotations

from functools import partial

from kmspolicy.conditions.context import (
    EMPTY_LAYER,
    ContextLayer,
    ContextValue,
    RequestContext,
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
    if caller is None or caller.account is None:
        return EMPTY_LAYER
    return ContextLayer(principal_context(caller))


def key_layer(key: KeyMetadata | None) -> ContextLayer:
    """Fold the keys derived from the key's metadata."""
    if key is None:
        return EMPTY_LAYER
    return ContextLayer(key_context(key))


def request_context(
    request: Request, principal: ContextLayer, key: ContextLayer
) -> RequestContext:
    """Merge the request's own keys with the derived layers. Keys the request sets win."""
    layers = (principal, encryption_context_layer(request), key)
    if key is EMPTY_LAYER:
        layers = layers[:2]
    return RequestContext.from_layers(request.context, layers)


def encryption_context_layer(request: Request) -> ContextLayer:
    """Fold the keys derived from the request's encryption context.

    Builds what ``ContextLayer(encryption_context_keys(request))`` would, but
    folds the pairs directly and spells the keys out only if a context is
    iterated. Pairs whose names differ only by case take the general path.
    """
    pairs = request.encryption_context
    if not pairs:
        return EMPTY_LAYER

    values: dict[str, ContextValue] = {
        _FOLDED_PREFIX + name.lower(): value for name, value in pairs.items()
    }
    if len(values) != len(pairs):
        return ContextLayer(encryption_context_keys(request))

    values["kms:encryptioncontextkeys"] = tuple(pairs)
    return ContextLayer.prefolded(values, partial(encryption_context_keys, request))
