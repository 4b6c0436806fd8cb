"""The request context of a decision, built from parts that requests can share.

``build_context`` in the reference evaluator derives keys from the principal, the
encryption context and the key's metadata, then lets keys the request sets win.
Here the principal and key parts are built once and reused by every request with
the same principal or key, and the merge gives the same ``RequestContext``,
entry order and warnings included.
"""

from __future__ import annotations

from kmspolicy.conditions.context import RequestContext
from kmspolicy.evaluate.principal import Caller, CallerType
from kmspolicy.evaluate.request import KeyMetadata, Request

ContextItems = tuple[tuple[str, str | list[str]], ...]


def principal_items(caller: Caller | None) -> ContextItems:
    """Return the keys derived from the principal (``caller`` parsed without
    ``aws:PrincipalArn``), in the reference's order."""
    if caller is None or caller.account is None:
        return ()

    arn = caller.arn
    if caller.type is CallerType.ASSUMED_ROLE:
        arn = caller.role_arn
    return (
        ("aws:PrincipalArn", arn),
        ("aws:PrincipalAccount", caller.account),
        ("kms:CallerAccount", caller.account),
    )


def key_items(key: KeyMetadata | None) -> ContextItems:
    """Return the keys derived from the key's metadata, in the reference's order."""
    if key is None:
        return ()

    items: list[tuple[str, str | list[str]]] = []
    if key.spec:
        items.append(("kms:KeySpec", key.spec))
    if key.usage:
        items.append(("kms:KeyUsage", key.usage))
    if key.origin:
        items.append(("kms:KeyOrigin", key.origin))
    if key.multi_region is not None:
        items.append(("kms:MultiRegion", "true" if key.multi_region else "false"))
    if key.aliases:
        items.append(("kms:ResourceAliases", list(key.aliases)))
    for name, value in key.tags.items():
        items.append((f"aws:ResourceTag/{name}", value))
    return tuple(items)


def request_context(
    request: Request, principal: ContextItems, key: ContextItems
) -> RequestContext:
    """Merge the request's own keys with the derived ones. Keys the request sets win."""
    merged: dict[str, str | list[str]] = dict(request.context)
    present = {name.lower() for name in merged}

    for name, value in principal:
        if name.lower() not in present:
            merged[name] = value

    encryption_context = request.encryption_context
    if encryption_context:
        for name, value in encryption_context.items():
            derived = f"kms:EncryptionContext:{name}"
            if derived.lower() not in present:
                merged[derived] = value
        if "kms:encryptioncontextkeys" not in present:
            merged["kms:EncryptionContextKeys"] = list(encryption_context)

    for name, value in key:
        if name.lower() not in present:
            merged[name] = value
    return RequestContext(merged)
